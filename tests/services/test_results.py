"""Results one year after exit (issue 15): each participant's group on the day one year after their case
ended, from what is recorded that day (confirmed livelihood, a case of an education pathway running), never
guessed; per exit year, in the kommune; small counts suppressed as «<5» with the next smallest hidden when
one alone would be given away by the total; the chart (matplotlib SVG) has a bar only for a year with
nothing hidden.

Built on the dashboard tests' world (today 22 November 2026): introduksjonsprogram cases of Asker that started
in 2023 and ended on 30 June 2024 or 31 March 2025 (their day: 30 June 2025, 31 March 2026)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlmodel import Session

from pathways.services import cases, livelihood
from pathways.services.participants import add_participant
from pathways.services.results import UNKNOWN, chart_svg, results
from pathways.store.tables import Enrolment
from tests.services.test_access import as_user
from tests.ui.conftest import World, build_world

D = date
EXIT_2024, EXIT_2025 = D(2024, 6, 30), D(2025, 3, 31)


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def _exited(world: World, ended: date, record: str | None, *, kommune: str = "Asker", planned: bool = False,
            status: str = "completed") -> int:
    """A participant whose introduksjonsprogram case ended on ``ended``, with ``record`` on the day a year
    later: a livelihood source, ``skole`` (a kombinasjonsklasse case running), or nothing."""
    young = record == "skole"  # kombinasjonsklassen is for youth without upper secondary
    pid = add_participant(world.ctx, name="Deltaker", born="2004-06-01" if young else "1990-01-01",
                          settled="2023-01-02", kommune=kommune,
                          fields={"has_upper_secondary": False} if young else None)
    case = cases.enrol(world.ctx, pid, "introduksjonsprogram", D(2023, 3, 1), "kari" if kommune == "Asker" else "per")
    with Session(world.ctx.engine) as session:
        session.execute(update(Enrolment).where(Enrolment.id == case).values(status=status, ended_on=ended))
        session.commit()
    if record == "skole":
        school = cases.enrol(world.ctx, pid, "kombinasjonsklasse", D(2023, 3, 1), "kari")
        with Session(world.ctx.engine) as session:
            session.execute(update(Enrolment).where(Enrolment.id == school).values(start_date=ended))
            session.commit()
    elif record is not None:
        livelihood.add_income(world.ctx, pid, record, ended, None, planned=planned)
    return case


def test_each_exit_counts_in_the_group_of_its_record_one_year_after(world):
    for _ in range(5):
        _exited(world, EXIT_2025, "lonn")
        _exited(world, EXIT_2025, "skole")
        _exited(world, EXIT_2025, "sosialhjelp")
        _exited(world, EXIT_2025, "lonn", planned=True)  # a plan is no record: ukjent
        _exited(world, EXIT_2025, None)
    _exited(world, EXIT_2025, "lonn", status="transferred")  # moved to another pathway: counted there
    _exited(world, EXIT_2025, "lonn", kommune="Bærum")  # another kommune's
    _exited(world, D(2026, 1, 15), "lonn")  # its day has not come
    found = results(as_user(world, "lise"), "introduksjonsprogram")
    assert [y.year for y in found.years] == [2025]
    year = found.years[0]
    assert year.total == 25 and year.hidden == frozenset()
    assert year.counts == {"arbeid": 5, "utdanning": 5, "nav_tiltak": 0, "sosialhjelp": 5, "annet": 0, UNKNOWN: 10}
    assert year.share("arbeid") == 0.2
    assert found.table() == [[2025, 25, "5", "5", "0", "5", "0", "10"]]
    assert found.headers() == ["Sluttår", "Antall", "Arbeid", "Utdanning", "NAV-tiltak", "Sosialhjelp",
                               "Annen inntekt", "Ukjent"]
    assert results(as_user(world, "per"), "introduksjonsprogram").years[0].total == 1  # Bærum's one


def test_small_counts_are_suppressed_and_the_next_smallest_hidden_with_a_lone_one(world):
    for _ in range(6):
        _exited(world, EXIT_2024, "lonn")
    for _ in range(2):
        _exited(world, EXIT_2024, "sosialhjelp")
    for _ in range(7):
        _exited(world, EXIT_2024, None)
    for _ in range(5):
        _exited(world, EXIT_2025, "tiltakspenger")
    found = results(as_user(world, "lise"), "introduksjonsprogram")
    first, second = found.years
    assert first.hidden == {"sosialhjelp", "arbeid"}  # 2 alone would be 15 − 6 − 7: arbeid is hidden too
    assert found.table()[0] == [2024, 15, "<5", "0", "0", "<5", "0", "7"]
    assert first.share("arbeid") is None and second.share("nav_tiltak") == 1.0
    data = found.as_json()
    assert data["years"][0]["counts"]["arbeid"] is None and data["years"][0]["suppressed"] == ["arbeid",
                                                                                               "sosialhjelp"]
    svg = chart_svg(found, "Introduksjonsprogram: ett år etter avslutning")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "2025" in svg and "2024" not in svg  # no bar for the year with hidden counts
    assert "NAV-tiltak" in svg and "Andel ett år etter avslutning (%)" in svg  # text kept as text


def test_no_exit_old_enough_gives_no_years(world):
    _exited(world, D(2026, 6, 1), "lonn")
    assert results(as_user(world, "lise"), "introduksjonsprogram").years == []
    svg = chart_svg(results(as_user(world, "lise"), "introduksjonsprogram"), "Tom")
    assert "For få avsluttede til å vise andeler" in svg
