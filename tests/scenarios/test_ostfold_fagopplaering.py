"""Østfold fagopplæring (helsefag): an adult immigrant over 25 on social assistance takes the four-year
route — half a year's NAV clarification course on tiltakspenger, a year and a half at Borg vgs with
extended Norwegian, two years as an apprentice on lærlinglønn, the trade test retaken — with the
livelihood break between school and apprenticeship; and a participant without an apprenticeship who
is handed over to the praksiskandidat route."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.calendar import FixedClock
from pathways.services import cases, livelihood
from pathways.services.context import Context, ServiceError
from tests.scenarios.walk import Walk


def _start(ctx: Context, clock: FixedClock, born: date = date(1984, 7, 3)) -> Walk:
    return Walk.start(ctx, clock, "ostfold_fagopplaering", date(2024, 1, 8), born=born, settled=date(2019, 3, 1),
                      norwegian_oral="A2", norwegian_written="A2", has_primary_school=False,
                      registered_with_nav=True, gender="female", kommune="Sarpsborg")


def _through_school(walk: Walk) -> None:
    """Admitted in January 2024, clarification course until August, school until 13 February 2026."""
    walk.record("tatt_inn", date(2024, 1, 29), utdanningsprogram="helsefag", skole="borg_vgs")
    walk.record("avklaring_fullfort", date(2024, 8, 12), anbefaling="yrkesfagutdanning", grunnskole_tilsvarende="ja")
    walk.record("fullfort", date(2026, 2, 13), step="utvidet_norsk")
    walk.record("fullfort", date(2026, 2, 13), step="skole")
    assert walk.steps == {"formidling_laereplass"}


def test_four_year_route_with_apprentice_pay(ctx, clock):
    walk = _start(ctx, clock)
    walk.income("sosialhjelp", date(2023, 9, 1), date(2024, 1, 28))
    assert walk.steps == {"inntak"}
    assert walk.deadlines() == {}
    assert walk.gaps(horizon=14) == []

    # admitted to NAV's clarification course: tiltakspenger while the measure (and then school) runs
    walk.record("tatt_inn", date(2024, 1, 29), utdanningsprogram="helsefag", skole="borg_vgs")
    tiltakspenger = walk.income("tiltakspenger", date(2024, 1, 29), date(2026, 2, 13))
    assert walk.steps == {"avklaringskurs"}
    deadlines = walk.deadlines()
    assert (deadlines["avklaringskurs_slutt"].kind, deadlines["avklaringskurs_slutt"].due) == (
        "reminder", date(2024, 7, 29))  # half a year
    assert deadlines["sprakprove_underveis"].due == date(2024, 7, 29)
    assert walk.gaps(horizon=90) == []
    walk.record("sprakprove_gjennomfort", date(2024, 3, 11), provedato="2024-03-11", resultat_muntlig="A2",
                resultat_skriftlig="A2")
    assert walk.deadlines()["sprakprove_underveis"].due == date(2024, 9, 11)

    # no primary-school certificate yet: the guard refuses the school part
    with pytest.raises(ServiceError, match=r"fullført grunnskole.*grunnskole_tilsvarende=False"):
        walk.record("avklaring_fullfort", date(2024, 7, 22), anbefaling="yrkesfagutdanning",
                    grunnskole_tilsvarende="nei")
    assert walk.steps == {"avklaringskurs"}
    assert walk.deadlines(date(2024, 7, 30))["avklaringskurs_slutt"].status == "open"  # past due: flagged
    # the prior-learning assessment documents lower-secondary level
    walk.record("avklaring_fullfort", date(2024, 8, 12), anbefaling="yrkesfagutdanning", grunnskole_tilsvarende="ja")
    assert walk.steps == {"skoleopplaering", "skole", "utvidet_norsk"}
    deadlines = walk.deadlines()
    assert (deadlines["avklaringskurs_slutt"].status, deadlines["avklaringskurs_slutt"].met_on) == (
        "met", date(2024, 8, 12))
    assert deadlines["skole_planlagt_slutt"].due == date(2026, 2, 12)  # a year and a half
    assert deadlines["laereplass_for_skoleslutt"].due == date(2025, 11, 12)  # three months before that
    # the language tests run on every six months from the last one (March), school or not
    assert deadlines["sprakprove_underveis"].due == date(2024, 9, 11)

    walk.record("sprakprove_gjennomfort", date(2025, 1, 20), provedato="2025-01-20", resultat_muntlig="B1",
                resultat_skriftlig="A2")
    walk.record("sprakprove_gjennomfort", date(2025, 6, 16), provedato="2025-06-16", resultat_muntlig="B1",
                resultat_skriftlig="B1")
    assert walk.deadlines()["sprakprove_underveis"].due == date(2025, 12, 16)

    # an apprenticeship at the hospital from 2 March 2026; school ends 13 February
    walk.record("laereplass_avklart", date(2025, 10, 20), laerebedrift="Sykehuset Østfold Kalnes",
                laerekontrakt_start="2026-03-02")
    assert walk.steps == {"skoleopplaering", "skole", "utvidet_norsk"}
    apprentice_pay = walk.income("laerlinglonn", date(2026, 3, 2), date(2028, 3, 1), planned=True)
    gaps = walk.gaps(date(2025, 12, 1), horizon=120)
    assert [(g.start, g.end, g.days, g.kind, g.trigger) for g in gaps] == [
        # the waiting step after school still expects a livelihood the stipend no longer gives
        (date(2026, 2, 14), date(2026, 3, 1), 16, "projected", "stipend_ends_before_course")]
    assert "Tiltakspenger slutter 13.02.2026" in gaps[0].reason
    assert "lærlinglønn starter 02.03.2026 (planlagt)" in gaps[0].reason
    # the kommune bridges the two weeks with social assistance: no gap, but only a fallback
    bridge = walk.income("sosialhjelp", date(2026, 2, 14), date(2026, 3, 1), planned=True)
    assert walk.gaps(date(2025, 12, 1), horizon=120) == []

    # the Norwegian region ends first; the school part is still running
    walk.record("fullfort", date(2026, 2, 13), step="utvidet_norsk")
    assert walk.steps == {"skoleopplaering", "skole", "norsk_fullfort"}
    assert walk.deadlines()["skole_planlagt_slutt"].status == "open"
    walk.record("fullfort", date(2026, 2, 13), step="skole")
    assert walk.steps == {"formidling_laereplass"}
    assert ("skoleopplaering", "formidling_laereplass") in walk.history[-1].moved
    deadlines = walk.deadlines()
    assert (deadlines["skole_planlagt_slutt"].status, deadlines["skole_planlagt_slutt"].met_on) == (
        "met", date(2026, 2, 13))
    assert (deadlines["uten_laereplass"].kind, deadlines["uten_laereplass"].due,
            deadlines["uten_laereplass"].status) == ("breach", date(2026, 5, 13), "open")
    assert "sprakprove_underveis" not in deadlines

    walk.record("laerekontrakt_signert", date(2026, 2, 16), laerebedrift="Sykehuset Østfold Kalnes",
                laerekontrakt_start="2026-03-02", laerekontrakt_slutt="2028-03-01")
    assert walk.steps == {"laretid"}
    deadlines = walk.deadlines()
    assert (deadlines["uten_laereplass"].status, deadlines["uten_laereplass"].met_on) == ("met", date(2026, 2, 16))
    assert (deadlines["fagprove_oppmelding"].kind, deadlines["fagprove_oppmelding"].due,
            deadlines["fagprove_oppmelding"].status) == ("reminder", date(2027, 12, 1), "open")
    assert deadlines["halvarsvurdering_laretid"].due == date(2026, 8, 16)
    # the bridge was paid and the apprentice pay started as agreed
    livelihood.end_income(ctx, bridge, date(2026, 3, 1), planned=False)
    livelihood.end_income(ctx, apprentice_pay, date(2028, 3, 1), planned=False)
    livelihood.end_income(ctx, tiltakspenger, date(2026, 2, 13))
    assert walk.gaps(date(2026, 3, 2), horizon=180) == []

    # two years in the apprenticeship, assessed every half-year (the pay steps up)
    walk.record("halvarsvurdering", date(2026, 8, 31))
    assert walk.deadlines()["halvarsvurdering_laretid"].due == date(2027, 2, 28)
    walk.record("halvarsvurdering", date(2027, 2, 26))
    walk.record("halvarsvurdering", date(2027, 8, 30))
    assert walk.deadlines()["halvarsvurdering_laretid"].due == date(2028, 2, 29)
    # the apprentice pay ends 1 March 2028: nothing after it yet
    gaps = walk.gaps(date(2027, 11, 15), horizon=120)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2028, 3, 2), date(2028, 3, 14), "projected")]
    assert "Lærlinglønn slutter 01.03.2028" in gaps[0].reason

    walk.record("fagprove_oppmeldt", date(2027, 11, 15), fagprovedato="2028-01-20")
    assert walk.steps == {"fagprove"}
    assert "halvarsvurdering_laretid" not in walk.deadlines()
    # (that this registration meets fagprove_oppmelding: the anchor-date defect, see the report)
    walk.record("fagprove_avlagt", date(2028, 1, 20), resultat="ikke_bestatt", fagprovedato="2028-01-20")
    assert walk.steps == {"fagprove"}
    # the hospital offers a permanent position from the day the apprenticeship ends
    walk.income("lonn", date(2028, 3, 2), planned=True)
    assert walk.gaps(horizon=120) == []
    walk.record("fagprove_avlagt", date(2028, 2, 24), resultat="bestatt", fagprovedato="2028-02-24")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "fagbrev", date(2028, 2, 24))
    assert {d.status for d in walk.deadlines().values()} <= {"met", "waived"}
    assert walk.gaps(date(2028, 2, 25)) == []


def test_no_apprenticeship_hands_over_to_praksiskandidat(ctx, clock):
    walk = _start(ctx, clock, born=date(1990, 12, 1))
    walk.income("sosialhjelp", date(2023, 9, 1), date(2024, 1, 28))
    walk.income("tiltakspenger", date(2024, 1, 29), date(2026, 2, 13))
    _through_school(walk)
    # school is over, no apprenticeship: the tiltakspenger stopped with the school part
    gaps = walk.gaps(date(2026, 2, 20), horizon=30)
    assert [(g.start, g.end, g.kind, g.trigger) for g in gaps] == [
        (date(2026, 2, 14), date(2026, 3, 22), "current", "stipend_ends_before_course")]
    assert "steg «Formidling til læreplass og lærekontrakt»" in gaps[0].reason
    walk.income("sosialhjelp", date(2026, 2, 23))
    assert [(g.start, g.end) for g in walk.gaps(date(2026, 2, 23), horizon=30)] == [
        (date(2026, 2, 14), date(2026, 2, 22))]
    deadline = walk.deadlines(date(2026, 5, 14))["uten_laereplass"]
    assert (deadline.due, deadline.status) == (date(2026, 5, 13), "breached")  # three months without a place

    result = walk.record("ingen_laereplass", date(2026, 5, 20), videre="praksiskandidat",
                         notat="Arbeider som assistent på sykehjem")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("transferred", "overfort", date(2026, 5, 20))
    deadline = walk.deadlines()["uten_laereplass"]
    assert (deadline.status, deadline.met_on) == ("met", date(2026, 5, 20))
    assert len(result.new_cases) == 1
    new = cases.show(ctx, result.new_cases[0], date(2026, 5, 20))
    assert (new.pathway_id, new.participant_id, new.status, new.start_date) == (
        "praksiskandidat", walk.participant, "active", date(2026, 5, 20))
    assert [s["id"] for s in new.steps] == ["rekruttering"]


def test_apprenticeship_secured_before_school_ends_meets_the_reminder(ctx, clock):
    walk = _start(ctx, clock)
    walk.record("tatt_inn", date(2024, 1, 29), utdanningsprogram="teknisk_industriell_produksjon",
                skole="malakoff_vgs")
    walk.record("avklaring_fullfort", date(2024, 8, 12), anbefaling="yrkesfagutdanning", grunnskole_tilsvarende="ja")
    walk.record("laereplass_avklart", date(2025, 10, 20), laerebedrift="Kongsberg Maritime Moss",
                laerekontrakt_start="2026-03-02")
    reminder = walk.deadlines(date(2025, 11, 13))["laereplass_for_skoleslutt"]
    assert (reminder.due, reminder.status, reminder.met_on) == (date(2025, 11, 12), "met", date(2025, 10, 20))
