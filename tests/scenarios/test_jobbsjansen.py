"""Jobbsjansen del A: a mother of three, far from work and on social assistance since her introduction
programme ended, walked from recruitment to a job, with the two-year rule after the introduction
programme, Supported Employment started beside her, pregnancy leave inside the time-limited track
(the gap it opens and the deadlines it moves), and the 2 + 1 + 1 extension loop."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pathways.calendar import FixedClock
from pathways.income.gaps import IncomePeriod
from pathways.services import cases, livelihood
from pathways.services.context import Context, ServiceError
from tests.conftest import table_counts
from tests.scenarios.walk import Walk

PROGRAMME_START = date(2025, 9, 1)
PLANNED_END = date(2027, 8, 31)


def dues(walk: Walk, as_of: date | None = None) -> dict[str, tuple[date, str]]:
    return {k: (d.due, d.status) for k, d in walk.deadlines(as_of).items() if not d.recurring}


def gaps(walk: Walk, as_of: date, horizon: int = 90) -> list[tuple[date, date, str, str | None]]:
    return [(g.start, g.end, g.kind, g.trigger) for g in walk.gaps(as_of, horizon)]


def into_programme(ctx: Context, clock: FixedClock, *, born: date = date(1990, 10, 3), **facts: Any
                   ) -> tuple[Walk, int]:
    """Recruitment to the qualification step, with the benefit registered; returns the walk and the
    benefit's income period."""
    walk = Walk.start(ctx, clock, "jobbsjansen", date(2025, 6, 2), born=born, settled=date(2019, 4, 1),
                      gender="female", **facts)
    walk.income("sosialhjelp", date(2024, 1, 1), date(2025, 8, 31))
    walk.record("soknad_mottatt", date(2025, 6, 10))
    walk.record("kartlegging_fullfort", date(2025, 6, 20))
    walk.record("inntak_vedtatt", date(2025, 6, 23), programstart_dato=PROGRAMME_START, tidligere_introdeltaker="nei",
                deltar_i_kvp="nei")
    walk.record("plan_signert", PROGRAMME_START, planlagt_slutt=PLANNED_END)
    assert walk.steps == {"program"}
    return walk, walk.income("jobbsjansen_stonad", PROGRAMME_START, PLANNED_END)


def test_from_recruitment_to_work(ctx, clock):
    # Intro participant 2021–2023; on social assistance since; two years must pass before Jobbsjansen
    walk = Walk.start(ctx, clock, "jobbsjansen", date(2025, 6, 2), born=date(1986, 4, 22), settled=date(2021, 5, 3),
                      gender="female", norwegian_oral="A2", norwegian_written="A1", education_track="spor1",
                      dependants=3, registered_with_nav=True)
    social = walk.income("sosialhjelp", date(2023, 9, 1))
    assert walk.steps == {"rekruttering"}
    assert walk.deadlines() == {}  # every deadline hangs on the plan or the discharge
    assert walk.gaps(date(2025, 6, 2)) == []

    walk.record("soknad_mottatt", date(2025, 6, 10))
    assert walk.steps == {"kartlegging"}
    walk.record("kartlegging_fullfort", date(2025, 6, 20))
    assert walk.steps == {"inntak"}
    # the introduction programme ended 31 August 2023: not before 31 August 2025
    with pytest.raises(ServiceError, match="to år etter at introduksjonsprogrammet ble avsluttet"):
        walk.record("inntak_vedtatt", date(2025, 6, 23), programstart_dato="2025-08-04", tidligere_introdeltaker="ja",
                    intro_avsluttet_dato="2023-08-31", deltar_i_kvp="nei")
    assert walk.steps == {"inntak"}
    walk.record("inntak_vedtatt", date(2025, 6, 23), programstart_dato="2025-09-01", tidligere_introdeltaker="ja",
                intro_avsluttet_dato="2023-08-31", deltar_i_kvp="nei")
    assert walk.steps == {"individuell_plan"}
    assert walk.deadlines() == {}

    with pytest.raises(ServiceError, match="inntil to år"):
        walk.record("plan_signert", date(2025, 9, 1), planlagt_slutt="2027-09-03")
    walk.record("plan_signert", date(2025, 9, 1), planlagt_slutt="2027-08-31")
    assert walk.steps == {"program"}
    deadlines = walk.deadlines()
    assert dues(walk) == {
        "overgangsplan_frist": (date(2027, 5, 31), "open"),  # planned end − 3 months
        "programslutt": (date(2027, 8, 31), "open"),
    }
    assert deadlines["plangjennomgang"].due == date(2026, 3, 1)  # twice a year
    assert deadlines["oppfolgingskontakt_manedlig"].due == date(2025, 10, 1)  # monthly
    # the stipend replaces social assistance from the programme start
    livelihood.end_income(ctx, social, date(2025, 8, 31))
    walk.income("jobbsjansen_stonad", date(2025, 9, 1), date(2027, 8, 31))
    assert walk.gaps(date(2025, 9, 1)) == []
    # nothing is planned after the stipend: projected gap from 1 September 2027 (trigger 2)
    assert gaps(walk, date(2027, 6, 1), horizon=120) == [
        (date(2027, 9, 1), date(2027, 9, 29), "projected", "measure_ends_without_job")]

    walk.record("oppfolgingskontakt", date(2025, 9, 29))
    assert walk.deadlines()["oppfolgingskontakt_manedlig"].due == date(2025, 10, 29)
    walk.record("arbeidstrening_startet", date(2025, 10, 13))
    walk.record("oppfolgingssamtale", date(2026, 2, 16))
    deadlines = walk.deadlines()
    assert deadlines["plangjennomgang"].due == date(2026, 8, 16)
    assert deadlines["oppfolgingskontakt_manedlig"].due == date(2026, 3, 16)
    walk.record("deltidsarbeid_underveis", date(2026, 3, 2), stillingsprosent=20, arbeidstype="tilkalling")
    assert walk.steps == {"program"}  # on-call work: she goes on

    # Supported Employment beside Jobbsjansen: a new case of its own
    walk.record("supported_employment_startet", date(2026, 4, 13))
    (se_case,) = walk.history[-1].new_cases
    se = cases.stored_state(ctx, se_case)
    assert (se.pathway_id, se.steps, se.start_date) == ("supported_employment", ["innledende_kontakt"],
                                                        date(2026, 4, 13))

    # Hired at 80 % from 1 October: discharged from Jobbsjansen
    walk.record("fikk_jobb", date(2026, 9, 14), stillingsprosent=80, arbeidstype="fast")
    assert walk.steps == {"utskriving"}
    assert dues(walk) == {
        "overgangsplan_frist": (date(2027, 5, 31), "met"),
        "programslutt": (date(2027, 8, 31), "met"),
        "sluttbrev_frist": (date(2026, 9, 28), "open"),  # 10 working days from Monday 14 September
    }
    stipend = next(p for p in _periods(ctx, walk.participant) if p.source == "jobbsjansen_stonad")
    livelihood.end_income(ctx, stipend.id, date(2026, 9, 30))
    walk.income("lonn", date(2026, 10, 1), planned=True)
    assert walk.gaps(date(2026, 9, 14)) == []

    walk.record("sluttbrev_utstedt", date(2026, 9, 18), overgang="arbeid")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "arbeid", date(2026, 9, 18))
    assert dues(walk)["sluttbrev_frist"] == (date(2026, 9, 28), "met")
    # Supported Employment still follows her; her income is watched through that case
    assert cases.stored_state(ctx, se_case).status == "active"
    assert walk.gaps(date(2026, 9, 18)) == []


def test_pregnancy_leave_opens_a_gap_and_moves_the_deadlines(ctx, clock):
    walk, stipend = into_programme(ctx, clock, norwegian_oral="A2", education_track="spor2", dependants=1)
    walk.record("permisjon", date(2026, 1, 12), arsak="svangerskap_og_fodsel")
    assert walk.state.status == "paused"
    livelihood.end_income(ctx, stipend, date(2026, 1, 11))  # the stipend stops during leave
    found = walk.gaps(date(2026, 1, 12))
    assert [(g.start, g.end, g.kind, g.trigger) for g in found] == [
        (date(2026, 1, 12), date(2026, 4, 12), "current", "leave")]
    assert found[0].reason.startswith("Permisjon")
    with pytest.raises(ServiceError, match="gjenoppta"):
        walk.record("fikk_jobb", date(2026, 2, 2), stillingsprosent=50, arbeidstype="vikariat")
    # 28 days of leave so far on 9 February
    assert dues(walk, date(2026, 2, 9))["programslutt"] == (date(2027, 9, 28), "open")

    walk.record("gjenoppta", date(2026, 5, 4))  # 112 days of leave
    assert walk.state.status == "active" and walk.steps == {"program"}
    assert dues(walk) == {
        "overgangsplan_frist": (date(2027, 9, 20), "open"),  # 31 May 2027 + 112 days
        "programslutt": (date(2027, 12, 21), "open"),  # 31 August 2027 + 112 days
    }
    walk.income("jobbsjansen_stonad", date(2026, 5, 4), date(2027, 12, 21))
    assert [(g.start, g.end, g.kind) for g in walk.gaps(date(2026, 5, 4))] == [
        (date(2026, 1, 12), date(2026, 5, 3), "current")]

    # the leave also moves the longest third year: start + 3 years + 112 days = 22 December 2028
    walk.record("sluttfase_startet", date(2027, 9, 13))
    assert walk.steps == {"sluttfase"}
    with pytest.raises(ServiceError, match="innenfor tre år"):
        walk.record("forlengelse_innvilget", date(2027, 12, 13), forlengelse_ar="tredje_ar",
                    planlagt_slutt="2028-12-23", forventer_malet_nadd="ja", begrunnelse="Barnehageassistent")
    walk.record("forlengelse_innvilget", date(2027, 12, 13), forlengelse_ar="tredje_ar", planlagt_slutt="2028-12-22",
                forventer_malet_nadd="ja", begrunnelse="Barnehageassistent")
    assert walk.steps == {"forlenget_program"}


def test_third_and_fourth_year_loop_then_discontinued(ctx, clock):
    # No basic reading and writing skills: the fourth year is open to her
    walk, _ = into_programme(ctx, clock, born=date(1981, 2, 14), norwegian_oral="A1", education_track="spor1")
    walk.record("sluttfase_startet", date(2027, 5, 24))
    assert walk.steps == {"sluttfase"}
    with pytest.raises(ServiceError, match="Tredje år krever"):
        walk.record("forlengelse_innvilget", date(2027, 8, 16), forlengelse_ar="fjerde_ar",
                    planlagt_slutt="2028-08-31", forventer_malet_nadd="ja", begrunnelse="Lese- og skriveopplæring",
                    mangler_grunnleggende_ferdigheter="ja")
    walk.record("forlengelse_innvilget", date(2027, 8, 16), forlengelse_ar="tredje_ar", planlagt_slutt="2028-08-31",
                forventer_malet_nadd="ja", begrunnelse="Arbeidstrening i renhold gir jobb")
    assert walk.steps == {"forlenget_program"}
    assert walk.state.counters["forlengelser"] == 1
    assert dues(walk) == {
        "overgangsplan_frist": (date(2028, 5, 31), "open"),  # the new planned end; the old phase does not count
        "programslutt": (date(2028, 8, 31), "open"),
    }

    with pytest.raises(ServiceError, match="grunnleggende lese- og skriveferdigheter"):
        walk.record("forlengelse_innvilget", date(2028, 8, 14), forlengelse_ar="fjerde_ar",
                    planlagt_slutt="2029-08-31", forventer_malet_nadd="ja", begrunnelse="Mer tid",
                    mangler_grunnleggende_ferdigheter="nei")
    result = walk.record("forlengelse_innvilget", date(2028, 8, 14), forlengelse_ar="fjerde_ar",
                         planlagt_slutt="2029-08-31", forventer_malet_nadd="ja", begrunnelse="Lese- og skriveopplæring",
                         mangler_grunnleggende_ferdigheter="ja")
    assert result.moved == (("forlenget_program", "forlenget_program"),)  # the loop
    assert walk.state.counters["forlengelser"] == 2
    assert dues(walk)["programslutt"] == (date(2029, 8, 31), "open")
    with pytest.raises(ServiceError, match="Fjerde år krever"):
        walk.record("forlengelse_innvilget", date(2028, 8, 15), forlengelse_ar="fjerde_ar",
                    planlagt_slutt="2029-08-31", forventer_malet_nadd="ja", begrunnelse="Igjen",
                    mangler_grunnleggende_ferdigheter="ja")

    walk.record("avbrudd", date(2029, 1, 15))
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("discontinued", "avbrutt", date(2029, 1, 15))
    assert dues(walk)["programslutt"] == (date(2029, 8, 31), "waived")
    assert walk.gaps(date(2029, 1, 15)) == []
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("oppfolgingskontakt", date(2029, 1, 16))


def test_only_women_aged_18_to_55(ctx, clock):
    with pytest.raises(ServiceError, match="kvinner med innvandrerbakgrunn"):
        Walk.start(ctx, clock, "jobbsjansen", date(2025, 6, 2), born=date(1990, 1, 1), settled=date(2019, 4, 1),
                   gender="male")
    with pytest.raises(ServiceError, match="18–55 år"):
        Walk.start(ctx, clock, "jobbsjansen", date(2025, 6, 2), born=date(1969, 5, 1), settled=date(2019, 4, 1),
                   gender="female")


def _periods(ctx: Context, participant: int) -> list[IncomePeriod]:
    with ctx.transaction() as session:
        return livelihood.periods_of(session, participant)


def test_a_date_far_in_the_future_is_refused_like_any_bad_value(ctx, clock):
    # 9998-06-01 + two years' quarantine leaves the calendar: a clear refusal naming the field, nothing written
    walk = Walk.start(ctx, clock, "jobbsjansen", date(2025, 6, 2), born=date(1986, 4, 22), settled=date(2021, 5, 3),
                      gender="female")
    walk.record("soknad_mottatt", date(2025, 6, 10))
    walk.record("kartlegging_fullfort", date(2025, 6, 20))
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="9998-06-01 is not between 1950-01-01 and 2100-12-31") as caught:
        walk.record("inntak_vedtatt", date(2025, 6, 23), programstart_dato="2025-08-04", tidligere_introdeltaker="ja",
                    intro_avsluttet_dato="9998-06-01", deltar_i_kvp="nei")
    assert caught.value.field == "intro_avsluttet_dato"
    assert table_counts(ctx) == before
    assert walk.steps == {"inntak"}


def test_participant_dates_outside_the_calendar_of_cases_are_refused(ctx):
    # a birth date in year 1 minus a deadline's offset would leave the calendar: refused when entered
    from pathways.services import participants
    from ui.messages import norsk

    before = table_counts(ctx)
    for born, settled, field in (("0001-01-01", None, "born"), ("1990-01-01", "9998-06-01", "settled")):
        typed = born if field == "born" else settled
        with pytest.raises(ServiceError, match=f"the date {typed} is not between") as caught:
            participants.add_participant(ctx, name="Testdeltaker", born=born, settled=settled, kommune="Asker")
        assert caught.value.field == field
        assert "er ikke mellom" in norsk(caught.value)  # the error itself: its string is the English
    assert table_counts(ctx) == before
