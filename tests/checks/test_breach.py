"""A deadline's on_breach performed by the nightly check: the event frist_brudd:ID by system, the case
moved through the case service (deadlines, history, rebuild exact), once per round, shown in the timeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from pathways.checks.sweep import run_checks
from pathways.services import cases
from pathways.services.context import ServiceError
from pathways.services.dashboard import case_extras
from pathways.services.publishing import publish_folder
from pathways.store.tables import Event
from tests.conftest import table_counts
from tests.scenarios.walk import Walk

# Seed 002 describes projects of "at most six months, then out": the breach moves the case to a review
PROJECT = """\
id: kortprosjekt
version: 1
title: Kortprosjekt
sources: [{seed: 002_1b63eb96aa8e21c3.txt, lines: "1-2"}]
events:
  jobb: {title: I jobb}
  avklart: {title: Overgang avklart}
lifecycle:
  pause: {reasons: [sykdom]}
start: prosjekt
steps:
  - {id: prosjekt, kind: activity, title: Prosjekt, on: [{event: jobb, to: arbeid}]}
  - {id: avklaring, kind: activity, title: Avklaring etter prosjektet, on: [{event: avklart, to: sosial}]}
  - {id: arbeid, kind: outcome, outcome: work, title: Arbeid}
  - {id: sosial, kind: outcome, outcome: social_assistance, title: Sosialhjelp}
deadlines:
  - id: prosjekt_slutt
    title: Prosjektet varer høyst seks måneder
    anchor: step:prosjekt
    offset: P6M
    while_in: [prosjekt]
    met_by: [jobb]
    on_breach: avklaring
"""


@pytest.fixture
def project(ctx, tmp_path: Path):
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "kortprosjekt.yaml").write_text(PROJECT, encoding="utf-8")
    publish_folder(ctx, folder)
    return ctx


def events(ctx, case_id: int) -> list[tuple[str, date, str]]:
    with Session(ctx.engine) as session:
        return [(e.name, e.effective_on, e.recorded_by) for e in session.exec(
            select(Event).where(Event.enrolment_id == case_id).order_by(col(Event.sequence)))]


def test_the_nightly_check_moves_a_case_whose_deadline_is_breached(project, clock):
    walk = Walk.start(project, clock, "kortprosjekt", date(2026, 1, 5), born=date(1990, 3, 1),
                      settled=date(2024, 5, 2))
    staying = Walk.start(project, clock, "kortprosjekt", date(2026, 1, 5), born=date(1991, 4, 2),
                         settled=date(2024, 5, 2))
    staying.record("jobb", date(2026, 6, 1))  # met in time: never moved
    # staff cannot record the breach before it happens
    clock.set(date(2026, 7, 5))
    with pytest.raises(ServiceError, match="is not breached on 2026-07-05"):
        cases.advance(project, walk.case, "frist_brudd:prosjekt_slutt", date(2026, 7, 5))

    run_checks(project.engine, date(2026, 7, 5), ["deadlines"])  # due 5 July: not yet breached
    assert walk.steps == {"prosjekt"}
    report = run_checks(project.engine, date(2026, 7, 9), ["deadlines"])
    assert report.counts["frist_brudd_flytt"]["new"] == 1
    # dated the day after the due date, recorded by system, the case in the step named by on_breach
    assert events(project, walk.case)[-1] == ("frist_brudd:prosjekt_slutt", date(2026, 7, 6), "system")
    assert walk.steps == {"avklaring"}
    assert walk.state.entered["avklaring"] == date(2026, 7, 6)
    walk.check_rebuild()
    deadline = walk.deadlines(date(2026, 7, 9))["prosjekt_slutt"]
    assert (deadline.due, deadline.status) == (date(2026, 7, 5), "breached")
    assert staying.state.status == "completed"

    # idempotent: the same night again, and the nights after, move and record nothing more
    before = table_counts(project)
    for night in (date(2026, 7, 9), date(2026, 7, 10), date(2026, 9, 1)):
        assert run_checks(project.engine, night, ["deadlines"]).counts["frist_brudd_flytt"]["new"] == 0
    assert [e for e in events(project, walk.case) if e[0].startswith("frist_brudd")] == [
        ("frist_brudd:prosjekt_slutt", date(2026, 7, 6), "system")]
    assert table_counts(project)["event"] == before["event"]
    clock.set(date(2026, 9, 1))
    with pytest.raises(ServiceError, match="already"):
        cases.advance(project, walk.case, "frist_brudd:prosjekt_slutt", date(2026, 9, 1))

    # the timeline names it
    extras = case_extras(project, walk.case)
    assert extras.event_titles["frist_brudd:prosjekt_slutt"] == "Frist brutt: Prosjektet varer høyst seks måneder"

    walk.record("avklart", date(2026, 9, 2))
    assert walk.state.outcome == "sosial"


def test_a_paused_case_is_moved_only_after_it_resumes_and_its_deadline_has_moved(project, clock):
    walk = Walk.start(project, clock, "kortprosjekt", date(2026, 1, 5), born=date(1990, 3, 1),
                      settled=date(2024, 5, 2))
    walk.record("permisjon", date(2026, 3, 2), arsak="sykdom")
    run_checks(project.engine, date(2026, 7, 9), ["deadlines"])  # on leave: not moved
    assert walk.state.status == "paused" and walk.steps == {"prosjekt"}
    walk.record("gjenoppta", date(2026, 7, 13))  # 133 days of leave move the deadline to 15 November
    assert walk.deadlines(date(2026, 7, 13))["prosjekt_slutt"].due == date(2026, 11, 15)
    run_checks(project.engine, date(2026, 11, 15), ["deadlines"])
    assert walk.steps == {"prosjekt"}
    run_checks(project.engine, date(2026, 11, 20), ["deadlines"])
    assert events(project, walk.case)[-1] == ("frist_brudd:prosjekt_slutt", date(2026, 11, 16), "system")
    assert walk.steps == {"avklaring"}
    walk.check_rebuild()
