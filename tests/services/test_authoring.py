"""Authoring on a real change: the 2025 revision of integreringsloven gives participants aiming at
completed upper secondary one more year (maks_varighet_vgo 3 → 4 years). Version 2 of the
introduksjonsprogram also renames that band's step (program_vgo → program_videregaende) and, as a
local rule, starts the NAV dialogue 4 months before the planned end instead of 3. Publish, diff, dry run
and real migration, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
from sqlmodel import Session, col, select

from pathways.calendar import FixedClock
from pathways.definition.problems import DefinitionError
from pathways.engine.migration import MIGRATION_EVENT, StepMapping, migrate_state
from pathways.services import authoring, cases
from pathways.services.context import Conflict, Context, ServiceError
from pathways.store.tables import Enrolment, Event, MigrationRun, PathwayVersion
from tests.conftest import DEFINITIONS, table_counts
from tests.scenarios.walk import Walk

SETTLED = date(2025, 8, 18)
START = date(2025, 10, 6)
V1 = (DEFINITIONS / "introduksjonsprogram.yaml").read_text(encoding="utf-8")


def law_2025(text: str = V1) -> str:
    """Version 2: the 2025 revision, the renamed step and the local NAV-dialogue rule."""
    text = re.sub(r"(?m)^version: 1$", "version: 2", text)
    text = re.sub(r"(maks_varighet_vgo:\n    type: duration\n    default: )P3Y", r"\1P4Y", text)
    text = re.sub(r"(nav_dialog_for_slutt:\n    type: duration\n    default: )P3M", r"\1P4M", text)
    text = re.sub(r"\bprogram_vgo\b", "program_videregaende", text)
    text = text.replace("fullført videregående, inntil 3 år)", "fullført videregående, inntil 4 år)")
    assert text.count("P4Y") >= 1 and "program_vgo" not in text
    return text


MAPPING = StepMapping({"program_vgo": "program_videregaende"})


def history(ctx: Context, case_id: int) -> list[Event]:
    with Session(ctx.engine) as session:
        return cases.events_of(session, case_id)


def into_band(ctx: Context, clock: FixedClock, sluttmal: str, planned_end: date, kommune: str = "Lillehammer"
              ) -> Walk:
    walk = Walk.start(ctx, clock, "introduksjonsprogram", SETTLED, born=date(1995, 3, 14), settled=SETTLED,
                      kommune=kommune, has_upper_secondary=False)
    walk.record("fullfort", date(2025, 8, 25))
    walk.record("kartlegging_fullfort", date(2025, 9, 19))
    walk.record("vedtak_fattet", date(2025, 10, 1), programstart_dato=START)
    walk.record("plan_og_kontrakt_signert", date(2025, 10, 27), sluttmal=sluttmal, planlagt_slutt=planned_end)
    return walk


@pytest.fixture
def running(ctx: Context, clock: FixedClock) -> tuple[list[Walk], Walk]:
    """Three running cases on version 1: two in the upper-secondary band, one in the ordinary band."""
    vgo = [into_band(ctx, clock, "fullfore_vgo", date(2028, 6, 30)) for _ in range(2)]
    ordinary = into_band(ctx, clock, "arbeid", date(2027, 10, 5))
    clock.set(date(2026, 11, 22))
    return vgo, ordinary


def test_publish_needs_a_note_the_next_number_and_a_valid_document(ctx):
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="change note") as caught:
        authoring.publish(ctx, law_2025(), "  ")
    assert caught.value.field == "note"
    with pytest.raises(ServiceError, match="already published as introduksjonsprogram@1"):
        authoring.publish(ctx, V1, "uendret")
    with pytest.raises(ServiceError, match="the next version is 2, not 3"):
        authoring.publish(ctx, law_2025().replace("version: 2", "version: 3", 1), "hopper over")
    broken = law_2025().replace("to: program_videregaende", "to: program_videregaend", 1)
    with pytest.raises(DefinitionError) as invalid:
        authoring.publish(ctx, broken, "skrivefeil")
    line = broken[:broken.index("to: program_videregaend\n")].count("\n") + 1
    assert any(p.line == line and "program_videregaend" in p.message for p in invalid.value.problems)
    assert table_counts(ctx) == before

    published = authoring.publish(ctx, law_2025(), "Prop. 81 L (2024–2025): ett år mer for sluttmål vgo",
                                  expected_latest=1)
    assert (published.pathway_id, published.version) == ("introduksjonsprogram", 2)
    with Session(ctx.engine) as session:
        row = session.get(PathwayVersion, published.id)
        assert row.change_note.startswith("Prop. 81 L") and row.published_by == "test"
        assert row.content_hash == published.content_hash and len(row.content_hash) == 64


def test_two_administrators_publishing_at_once_one_gets_a_conflict(ctx):
    results: list[object] = []
    barrier = threading.Barrier(2)

    def publish(note: str) -> None:
        barrier.wait()
        try:
            results.append(authoring.publish(ctx, law_2025() + f"\n# {note}\n", note, expected_latest=1))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=publish, args=(n,)) for n in ("Kari", "Lise")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(results) == 2 and len(conflicts) == 1
    assert "published" in str(conflicts[0])
    with Session(ctx.engine) as session:
        assert session.exec(select(PathwayVersion.version).where(
            PathwayVersion.pathway_id == "introduksjonsprogram")).all() == [1, 2]


def test_the_diff_names_steps_guards_deadlines_parameters_and_the_cases_affected(ctx, running):
    authoring.publish(ctx, law_2025(), "2025-revisjonen")
    found = authoring.diff(ctx, "introduksjonsprogram", 1, 2)
    changes = {(c.area, c.id, c.change) for c in found.changes}
    assert ("step", "program_vgo", "removed") in changes
    assert ("step", "program_videregaende", "added") in changes
    assert ("parameter", "maks_varighet_vgo", "changed") in changes
    assert ("deadline", "nav_dialog_frist", "changed") in changes
    assert ("event", "integreringsplan:plan_og_kontrakt_signert→program_videregaende", "added") in changes
    assert ("step", "program", "changed") not in changes  # the ordinary band did not change
    parameter = next(c for c in found.changes if c.id == "maks_varighet_vgo")
    assert (parameter.before, parameter.after) == ("P3Y", "P4Y")
    assert found.cases_by_step == {"program": 1, "program_vgo": 2}
    assert found.affected_steps == {"program_vgo": 2}
    assert found.changed_steps["program_vgo"] == "removed"
    assert any("maks_varighet_vgo" in line for line in found.lines())


def test_a_mapping_to_a_missing_step_is_refused_before_anything_changes(ctx, running):
    authoring.publish(ctx, law_2025(), "2025-revisjonen")
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="'program_videregående', which introduksjonsprogram@2 does not have"):
        authoring.migrate(ctx, "introduksjonsprogram", 1, 2, StepMapping({"program_vgo": "program_videregående"}))
    with pytest.raises(ServiceError, match="maps from 'program_vg', which introduksjonsprogram@1 does not have"):
        authoring.migrate(ctx, "introduksjonsprogram", 1, 2, StepMapping({"program_vg": "program_videregaende"}))
    with pytest.raises(ServiceError, match="not valid YAML"):
        authoring.load_mapping("steps: {program_vgo: [")
    with pytest.raises(ServiceError, match="unknown key 'step'"):
        authoring.load_mapping("step: {program_vgo: program_videregaende}")
    assert table_counts(ctx) == before


def test_dry_run_shows_where_each_case_lands_and_which_cannot_move(ctx, running):
    vgo, ordinary = running
    authoring.publish(ctx, law_2025(), "2025-revisjonen")
    before = table_counts(ctx)
    unmapped = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, StepMapping(), dry_run=True)
    assert {c for c, _ in unmapped.refused} == {w.case for w in vgo}
    assert all("'program_vgo', which introduksjonsprogram@2 does not have" in why for _, why in unmapped.refused)
    assert [p.case_id for p in unmapped.moved] == [ordinary.case]

    report = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING, dry_run=True)
    assert not report.refused and len(report.moved) == 3
    plan = next(p for p in report.moved if p.case_id == vgo[0].case)
    assert plan.steps == {"program_vgo": "program_videregaende"}
    old_due = vgo[0].deadlines()["nav_dialog_frist"].due
    assert plan.kept["nav_dialog_frist"] == old_due.isoformat() and not plan.recomputed
    recompute = authoring.migrate(ctx, "introduksjonsprogram", 1, 2,
                                  StepMapping(MAPPING.steps, frozenset({"nav_dialog_frist"})), dry_run=True)
    moved = next(p for p in recompute.moved if p.case_id == vgo[0].case)
    assert "nav_dialog_frist" not in moved.kept
    assert moved.recomputed["nav_dialog_frist"] == (old_due.isoformat(), date(2028, 2, 29).isoformat())
    # the reminder counted from it moves with it: reported as recomputed, not as kept
    assert "nav_dialog_paminnelse" in moved.recomputed and "nav_dialog_paminnelse" not in moved.kept
    assert table_counts(ctx) == before  # a dry run writes nothing


def test_migration_moves_every_case_once_keeps_history_and_timers_and_resumes(ctx, clock, running):
    vgo, ordinary = running
    authoring.publish(ctx, law_2025(), "2025-revisjonen")
    due_before = vgo[0].deadlines()["nav_dialog_frist"].due
    events_before = {w.case: len(history(ctx, w.case)) for w in [*vgo, ordinary]}

    first = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING, stop_after=1)  # interrupted
    assert len(first.moved) == 1
    second = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING)  # resumed
    assert len(second.moved) == 2 and second.already == 1
    third = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING)
    assert not third.moved and third.already == 3

    with Session(ctx.engine) as session:
        v2 = session.exec(select(PathwayVersion.id).where(PathwayVersion.pathway_id == "introduksjonsprogram",
                                                          PathwayVersion.version == 2)).one()
        rows = session.exec(select(Enrolment).where(col(Enrolment.id).in_(events_before))).all()
        assert {r.pathway_version_id for r in rows} == {v2}
        moves = session.exec(select(Event.enrolment_id).where(Event.name == MIGRATION_EVENT)).all()
        assert sorted(moves) == sorted(events_before)  # exactly one migration event per case
        runs = session.exec(select(MigrationRun).order_by(col(MigrationRun.id))).all()
        assert [(r.moved, r.refused) for r in runs] == [(1, 0), (2, 0), (0, 0)] and runs[-1].finished_at

    walk = vgo[0]
    assert walk.steps == {"program_videregaende"}
    assert len(history(ctx, walk.case)) == events_before[walk.case] + 1  # history kept
    walk.check_rebuild()  # replayed through version 1, the migration and version 2
    assert walk.deadlines()["nav_dialog_frist"].due == due_before  # the timer kept
    walk.record("trekantsamtale_gjennomfort", date(2026, 11, 20))  # version 2 takes events, also backdated
    assert walk.deadlines()["nav_dialog_frist"].due == due_before
    # the new rule applies to a case enrolled on version 2
    fresh = into_band(ctx, clock, "fullfore_vgo", date(2028, 6, 30))
    assert fresh.steps == {"program_videregaende"}
    assert fresh.deadlines()["nav_dialog_frist"].due == date(2028, 2, 29)


def test_a_case_changed_while_migrating_is_left_alone(ctx, running):
    vgo, _ordinary = running
    authoring.publish(ctx, law_2025(), "2025-revisjonen")
    da, db = authoring.definitions(ctx, "introduksjonsprogram", 1, 2)
    with Session(ctx.engine) as session:
        case = session.get(Enrolment, vgo[0].case)
        stale_version, old_id = case.version, case.pathway_version_id
        new_id = session.exec(select(PathwayVersion.id).where(PathwayVersion.pathway_id == "introduksjonsprogram",
                                                              PathwayVersion.version == 2)).one()
    state = cases.stored_state(ctx, vgo[0].case)
    facts = cases.Facts.model_validate_json(history(ctx, vgo[0].case)[-1].facts)
    moved = migrate_state(da, db, state, facts, MAPPING, date(2026, 11, 22), old_id, new_id)
    vgo[0].record("trekantsamtale_gjennomfort", date(2026, 11, 22))  # someone records an event meanwhile
    before = table_counts(ctx)
    with ctx.engine.begin() as connection:  # a migration writes its cases in the transaction of their batch
        assert authoring._write(ctx, [(vgo[0].case, case.kommune_id, stale_version, moved, facts)], old_id, new_id,
                                date(2026, 11, 22), connection) == [False]
    assert table_counts(ctx) == before and vgo[0].steps == {"program_vgo"}
