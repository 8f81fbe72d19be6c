"""Introduksjonsprogrammet: a refugee settled in August 2025 walked from settlement to a NAV measure,
with the vedtak deadline (3 months after settlement, breached when missed), the NAV dialogue 3 months
before the planned end, the 25th birthday, leave moving the programme deadlines, the third- and
fourth-year extension loop, hand-offs into pathways framed by the programme, and the income gap
when introduksjonsstønad ends before the next income."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pathways.calendar import FixedClock
from pathways.income.gaps import IncomePeriod
from pathways.services import cases, livelihood
from pathways.services.context import Context, ServiceError
from tests.scenarios.walk import Walk

SETTLED = date(2025, 8, 18)
PROGRAMME_START = date(2025, 10, 6)
PLANNED_END = date(2027, 10, 5)  # two years less a day: the ordinary band (integreringsloven § 14)


def dues(walk: Walk, as_of: date | None = None) -> dict[str, tuple[date, str]]:
    """Every deadline (not the recurring follow-ups) as id → (due, status)."""
    return {k: (d.due, d.status) for k, d in walk.deadlines(as_of).items() if not d.recurring}


# Deadlines watched only from the steps named in their while_in: the final-phase reminders from
# sluttfase on, the 25th birthday from the plan on. They are checked once the case is there.
LATER = {"avsluttende_prove_paminnelse", "forlengelse_paminnelse", "fylt_25"}


def watched(walk: Walk, as_of: date | None = None) -> dict[str, tuple[date, str]]:
    """The deadlines of the steps the case has reached: ``dues`` without ``LATER``."""
    return {k: v for k, v in dues(walk, as_of).items() if k not in LATER}


def gaps(walk: Walk, as_of: date, horizon: int = 90) -> list[tuple[date, date, str, str | None]]:
    return [(g.start, g.end, g.kind, g.trigger) for g in walk.gaps(as_of, horizon)]


def into_programme(ctx: Context, clock: FixedClock, *, born: date, **facts: Any) -> Walk:
    """Settlement to the ordinary programme band, on time, with the benefit registered."""
    walk = Walk.start(ctx, clock, "introduksjonsprogram", SETTLED, born=born, settled=SETTLED,
                      kommune="Lillehammer", **facts)
    walk.income("sosialhjelp", SETTLED, date(2025, 11, 5))
    walk.income("introduksjonsstonad", PROGRAMME_START, PLANNED_END)
    walk.record("fullfort", date(2025, 8, 25))
    walk.record("kartlegging_fullfort", date(2025, 9, 19))
    walk.record("vedtak_fattet", date(2025, 10, 1), programstart_dato=PROGRAMME_START)
    walk.record("plan_og_kontrakt_signert", date(2025, 10, 27), sluttmal="arbeid", planlagt_slutt=PLANNED_END)
    assert walk.steps == {"program"}
    return walk


def test_from_settlement_to_a_nav_measure(ctx, clock):
    # Born 14 March 2002: 23 at settlement, 25 during the programme. No upper secondary: ordinary band.
    walk = Walk.start(ctx, clock, "introduksjonsprogram", SETTLED, born=date(2002, 3, 14), settled=SETTLED,
                      kommune="Lillehammer", gender="male", norwegian_oral="A1", norwegian_written="A1",
                      education_track="spor2", has_primary_school=True, has_upper_secondary=False)
    assert walk.steps == {"bosetting"}
    assert watched(walk) == {
        "vedtak_frist": (date(2025, 11, 18), "open"),  # settlement + 3 months (§ 12)
        "vedtak_paminnelse": (date(2025, 11, 4), "open"),  # 10 working days before: Tue 18 → Tue 4 November
        "botid_utlop": (date(2027, 8, 18), "open"),  # two years in the kommune (§ 8)
    }
    # The social office pays from 25 August, a week after arrival, until the first benefit payment.
    walk.income("sosialhjelp", date(2025, 8, 25), date(2025, 11, 5))
    assert gaps(walk, SETTLED) == [
        (date(2025, 8, 18), date(2025, 8, 24), "current", "waiting_first_payment"),
        (date(2025, 11, 6), date(2025, 11, 16), "projected", None),  # nothing registered after sosialhjelp yet
    ]

    walk.record("fullfort", date(2025, 8, 25))
    assert walk.steps == {"kartlegging"}
    walk.record("karriereveiledning_gjennomfort", date(2025, 9, 8))
    assert walk.steps == {"kartlegging"}  # recorded, the step stays
    walk.record("kartlegging_fullfort", date(2025, 9, 19))
    assert walk.steps == {"vedtak"}
    assert walk.deadlines(date(2025, 11, 5))["vedtak_paminnelse"].status == "open"  # a reminder never breaches

    walk.record("vedtak_fattet", date(2025, 10, 1), programstart_dato="2025-10-06")
    assert walk.steps == {"integreringsplan"}
    deadlines = walk.deadlines()
    assert (deadlines["vedtak_frist"].status, deadlines["vedtak_frist"].met_on) == ("met", date(2025, 10, 1))
    assert deadlines["botid_utlop"].status == "met"
    assert (deadlines["forste_utbetaling_frist"].due, deadlines["forste_utbetaling_frist"].status) == \
        (date(2025, 11, 6), "open")  # programme start + 1 month
    assert deadlines["fravaersregistrering"].recurring and deadlines["fravaersregistrering"].due == date(2025, 11, 1)
    walk.income("introduksjonsstonad", PROGRAMME_START, PLANNED_END)
    assert gaps(walk, date(2025, 10, 1)) == [(date(2025, 8, 18), date(2025, 8, 24), "current", "waiting_first_payment")]

    walk.record("velkomstsamtale_gjennomfort", date(2025, 10, 6))
    # 2½ years is outside the band for sluttmål arbeid without upper secondary (3 months–2 years)
    with pytest.raises(ServiceError, match="utenfor varighetsbåndet"):
        walk.record("plan_og_kontrakt_signert", date(2025, 10, 27), sluttmal="arbeid", planlagt_slutt="2028-04-05")
    assert walk.steps == {"integreringsplan"}
    walk.record("plan_og_kontrakt_signert", date(2025, 10, 27), sluttmal="arbeid", planlagt_slutt="2027-10-05",
                norskmal="B1", planlagte_timer_per_uke="37,5")
    assert walk.steps == {"program"}
    assert dues(walk)["fylt_25"] == (date(2027, 3, 14), "open")  # watched from the plan on
    assert watched(walk) == {
        "vedtak_frist": (date(2025, 11, 18), "met"),
        "vedtak_paminnelse": (date(2025, 11, 4), "met"),  # the vedtak came before the reminder
        "botid_utlop": (date(2027, 8, 18), "met"),
        "forste_utbetaling_frist": (date(2025, 11, 6), "open"),
        "nav_dialog_frist": (date(2027, 7, 5), "open"),  # planned end 5 Oct 2027 − 3 months
        "nav_dialog_paminnelse": (date(2027, 6, 5), "open"),  # a month before that
        "programslutt": (date(2027, 10, 5), "open"),
    }
    assert walk.deadlines()["trekantsamtale"].due == date(2026, 4, 27)  # twice a year from programme entry

    walk.record("forste_utbetaling", date(2025, 11, 5))
    assert walk.deadlines()["forste_utbetaling_frist"].status == "met"
    walk.record("fravaer_registrert", date(2025, 11, 28), ugyldig_fravaer_timer=6)
    assert walk.state.counters["ugyldig_fravaer"] == 6
    assert walk.deadlines()["fravaersregistrering"].due == date(2025, 12, 28)
    walk.record("trekantsamtale_gjennomfort", date(2026, 4, 20))
    assert walk.deadlines()["trekantsamtale"].due == date(2026, 10, 20)

    # The 25th birthday: the benefit rate changes (2/3 of 2G below 25)
    assert dues(walk, date(2027, 3, 1))["fylt_25"] == (date(2027, 3, 14), "open")
    walk.record("stonad_justert", date(2027, 3, 15))
    assert (walk.deadlines()["fylt_25"].status, walk.deadlines()["fylt_25"].met_on) == ("met", date(2027, 3, 15))

    # NAV dialogue three months before the planned end
    before = dues(walk, date(2027, 6, 1))
    assert before["nav_dialog_paminnelse"] == (date(2027, 6, 5), "open")
    assert before["nav_dialog_frist"] == (date(2027, 7, 5), "open")
    walk.record("nav_dialog_startet", date(2027, 6, 14))
    assert walk.steps == {"sluttfase"}
    deadlines = walk.deadlines()
    assert (deadlines["nav_dialog_frist"].status, deadlines["nav_dialog_frist"].met_on) == ("met", date(2027, 6, 14))
    assert (deadlines["nav_dialog_paminnelse"].status, deadlines["nav_dialog_paminnelse"].met_on) == \
        ("met", date(2027, 6, 14))
    assert deadlines["programslutt"].status == "open"
    final_phase = dues(walk)
    assert final_phase["avsluttende_prove_paminnelse"] == (date(2027, 8, 24), "open")  # planned end − 6 weeks
    assert final_phase["forlengelse_paminnelse"] == (date(2027, 9, 5), "open")  # planned end − 1 month

    # The plan: tiltakspenger from 1 November; the benefit stops 5 October (trigger 2)
    walk.record("inntektsplan_registrert", date(2027, 6, 21), inntekt_etter_program="tiltakspenger")
    walk.income("tiltakspenger", date(2027, 11, 1), planned=True)
    assert gaps(walk, date(2027, 9, 1))[1:] == [  # after the settlement gap of 2025
        (date(2027, 10, 6), date(2027, 10, 31), "projected", "measure_ends_without_job")]

    walk.record("meldt_til_avsluttende_prove", date(2027, 8, 16))
    assert walk.steps == {"avsluttende_prove"}
    assert walk.deadlines()["avsluttende_prove_paminnelse"].status == "met"
    walk.record("avsluttende_prove_avlagt", date(2027, 9, 6), norskprove_muntlig="B1", norskprove_skriftlig="A2",
                samfunnskunnskap_bestatt="ja")
    assert walk.steps == {"forlengelse_vurdering"}
    assert walk.state.counters["proveforsok"] == 1
    assert dues(walk)["forlengelse_paminnelse"] == (date(2027, 9, 5), "open")  # a reminder past due stays open

    walk.record("program_avsluttes", date(2027, 9, 20))
    assert walk.steps == {"deltakerbevis"}
    deadlines = dues(walk)
    assert deadlines["programslutt"] == (date(2027, 10, 5), "met")
    assert deadlines["forlengelse_paminnelse"] == (date(2027, 9, 5), "met")
    # 10 working days from Monday 20 September 2027
    assert deadlines["deltakerbevis_frist_fullfort"] == (date(2027, 10, 4), "open")
    found = walk.gaps(date(2027, 9, 20))
    assert [(g.start, g.end, g.kind, g.trigger) for g in found] == [
        (date(2025, 8, 18), date(2025, 8, 24), "current", "waiting_first_payment"),
        (date(2027, 10, 6), date(2027, 10, 31), "projected", "measure_ends_without_job"),
    ]
    assert "05.10.2027" in found[1].reason and "01.11.2027" in found[1].reason

    walk.record("deltakerbevis_utstedt", date(2027, 9, 24), overgang="nav_tiltak")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "nav_tiltak", date(2027, 9, 24))
    assert dues(walk)["deltakerbevis_frist_fullfort"] == (date(2027, 10, 4), "met")
    assert walk.gaps(date(2027, 9, 24)) == []  # no active case: nothing to watch
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("trekantsamtale_gjennomfort", date(2027, 9, 30))


def test_vedtak_later_than_three_months_after_settlement_is_breached(ctx, clock):
    settled = date(2025, 9, 1)
    walk = Walk.start(ctx, clock, "introduksjonsprogram", settled, born=date(1978, 4, 30), settled=settled,
                      kommune="Gjøvik", gender="female", norwegian_oral="A1", education_track="spor1",
                      has_upper_secondary=False, dependants=2)
    walk.record("fullfort", date(2025, 9, 8))
    # 1 December 2025 is the deadline; the reminder 10 working days before is Monday 17 November
    assert dues(walk)["vedtak_frist"] == (date(2025, 12, 1), "open")
    assert dues(walk)["vedtak_paminnelse"] == (date(2025, 11, 17), "open")
    walk.record("kartlegging_fullfort", date(2025, 11, 24))
    assert walk.steps == {"vedtak"}
    assert dues(walk, date(2025, 12, 1))["vedtak_frist"] == (date(2025, 12, 1), "open")  # the due day itself
    assert dues(walk, date(2025, 12, 2))["vedtak_frist"] == (date(2025, 12, 1), "breached")
    assert dues(walk, date(2025, 12, 2))["vedtak_paminnelse"] == (date(2025, 11, 17), "open")  # reminders never breach

    walk.record("vedtak_fattet", date(2025, 12, 10), programstart_dato="2026-01-05")
    vedtak = walk.deadlines()["vedtak_frist"]
    assert (vedtak.status, vedtak.met_on) == ("met", date(2025, 12, 10))
    assert vedtak.met_on > vedtak.due  # met, but late: the record shows it
    assert walk.steps == {"integreringsplan"}


def test_permisjon_moves_the_programme_deadlines_by_the_days_of_leave(ctx, clock):
    walk = into_programme(ctx, clock, born=date(1996, 1, 20), gender="female", norwegian_oral="A2",
                          education_track="spor2", has_upper_secondary=False)
    assert dues(walk)["nav_dialog_frist"] == (date(2027, 7, 5), "open")

    walk.record("permisjon", date(2026, 2, 2), arsak="egen_sykdom")
    assert walk.state.status == "paused"
    assert walk.allowed() >= {"gjenoppta", "avbrudd"} and "trekantsamtale_gjennomfort" not in walk.allowed()
    with pytest.raises(ServiceError, match="gjenoppta"):
        walk.record("trekantsamtale_gjennomfort", date(2026, 2, 9))
    # while the leave lasts, the days so far count: 14 days on 16 February
    assert dues(walk, date(2026, 2, 16))["programslutt"] == (date(2027, 10, 19), "open")
    # the benefit runs on through sick leave: no gap
    assert walk.gaps(date(2026, 2, 16)) == []

    walk.record("gjenoppta", date(2026, 3, 2))  # 28 days of leave
    assert walk.state.status == "active" and walk.steps == {"program"}
    assert watched(walk) == {
        "vedtak_frist": (date(2025, 11, 18), "met"),  # does not shift
        "vedtak_paminnelse": (date(2025, 11, 4), "met"),
        "botid_utlop": (date(2027, 8, 18), "met"),
        "forste_utbetaling_frist": (date(2025, 11, 6), "open"),  # does not shift
        "nav_dialog_frist": (date(2027, 8, 2), "open"),  # 5 July + 28 days
        "nav_dialog_paminnelse": (date(2027, 7, 2), "open"),  # a month before the moved NAV deadline
        "programslutt": (date(2027, 11, 2), "open"),  # 5 October + 28 days
    }
    # born January 1996: 25 before the case began, so not this case's deadline


def test_third_year_and_fourth_year_extensions(ctx, clock):
    walk = into_programme(ctx, clock, born=date(1985, 6, 10), gender="female", norwegian_oral="A1",
                          education_track="spor1", has_upper_secondary=False)
    walk.record("nav_dialog_startet", date(2027, 6, 14))
    walk.record("meldt_til_avsluttende_prove", date(2027, 8, 16))
    walk.record("avsluttende_prove_avlagt", date(2027, 9, 6), norskprove_muntlig="A2", norskprove_skriftlig="A1")
    assert walk.steps == {"forlengelse_vurdering"}

    # A fourth year is refused before a third year has been granted
    with pytest.raises(ServiceError, match="innvilget tredje år"):
        walk.record("forlengelse_innvilget", date(2027, 9, 13), forlengelse_ar="fjerde_ar",
                    planlagt_slutt="2028-10-05", forventer_sluttmal_nadd="ja", begrunnelse="Fagbrevløp",
                    fjerde_ar_forankret_i_plan="ja", imdi_delfinansiering="ja")
    # A third year ending after programme start + 3 years is refused
    with pytest.raises(ServiceError, match="innenfor tre år"):
        walk.record("forlengelse_innvilget", date(2027, 9, 13), forlengelse_ar="tredje_ar",
                    planlagt_slutt="2028-10-09", forventer_sluttmal_nadd="ja", begrunnelse="Norsk A2")
    walk.record("forlengelse_innvilget", date(2027, 9, 13), forlengelse_ar="tredje_ar", planlagt_slutt="2028-10-05",
                forventer_sluttmal_nadd="ja", begrunnelse="Sluttmål arbeid nås med norsk B1 og praksis")
    assert walk.steps == {"forlenget_program"}
    assert walk.state.counters == {"proveforsok": 1, "forlengelser": 1, "tredje_ar_innvilget": 1}
    walk.income("introduksjonsstonad", date(2027, 10, 6), date(2028, 10, 5))
    deadlines = dues(walk)
    # the new planned end gives a new programme end and NAV dialogue; the old dialogue does not count
    assert deadlines["programslutt"] == (date(2028, 10, 5), "open")
    assert deadlines["nav_dialog_frist"] == (date(2028, 7, 5), "open")
    assert deadlines["forlengelse_paminnelse"] == (date(2028, 9, 5), "open")
    assert walk.gaps(date(2027, 9, 13)) == []

    # The fourth year, decided in the extended year: the step loops into itself
    result = walk.record("forlengelse_innvilget", date(2028, 9, 11), forlengelse_ar="fjerde_ar",
                         planlagt_slutt="2029-10-05", forventer_sluttmal_nadd="ja", begrunnelse="Praksiskandidat",
                         fjerde_ar_forankret_i_plan="ja", imdi_delfinansiering="ja")
    assert result.moved == (("forlenget_program", "forlenget_program"),)
    assert walk.state.entered["forlenget_program"] == date(2028, 9, 11)
    assert walk.state.counters["forlengelser"] == 2 and walk.state.counters["fjerde_ar_innvilget"] == 1
    assert dues(walk)["programslutt"] == (date(2029, 10, 5), "open")
    # no fifth year: the loop ends
    with pytest.raises(ServiceError, match="Fjerde år krever"):
        walk.record("forlengelse_innvilget", date(2028, 9, 12), forlengelse_ar="fjerde_ar",
                    planlagt_slutt="2029-10-05", forventer_sluttmal_nadd="ja", begrunnelse="Igjen",
                    fjerde_ar_forankret_i_plan="ja", imdi_delfinansiering="ja")

    # Broken off in the fourth year: a certificate of participation all the same (§ 18 a)
    walk.record("program_avbrutt", date(2029, 2, 1), begrunnelse="Flytter til annen kommune uten programplass")
    assert walk.steps == {"deltakerbevis_avbrudd"}
    assert dues(walk)["deltakerbevis_frist_avbrudd"] == (date(2029, 2, 15), "open")  # 10 working days from Thu 1 Feb
    assert dues(walk)["programslutt"] == (date(2029, 10, 5), "met")
    walk.record("deltakerbevis_utstedt_ved_avbrudd", date(2029, 2, 8))
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("discontinued", "avbrutt", date(2029, 2, 8))
    assert dues(walk)["deltakerbevis_frist_avbrudd"] == (date(2029, 2, 15), "met")


def test_combination_class_handed_off_then_programme_broken_off(ctx, clock):
    # 19 years old, no lower-secondary papers: the programme frames a combination class
    walk = into_programme(ctx, clock, born=date(2006, 5, 2), gender="male", norwegian_oral="A1",
                          education_track="spor2", has_primary_school=False, has_upper_secondary=False)
    with pytest.raises(ServiceError, match="videregående opplæring fra hjemlandet"):
        walk.record("hoyere_utdanning_forkurs_startet", date(2025, 11, 3))
    with pytest.raises(ServiceError, match="andre programår"):
        walk.record("helsehuset_startet", date(2025, 11, 3))

    walk.record("kombinasjonsklasse_startet", date(2025, 11, 3))
    (child,) = walk.history[-1].new_cases
    assert child != walk.case
    combination = cases.stored_state(ctx, child)
    assert (combination.pathway_id, combination.status, combination.start_date) == \
        ("kombinasjonsklasse", "active", date(2025, 11, 3))
    assert combination.steps == ["inntak"]
    assert walk.steps == {"program"}  # the programme goes on around it
    clock.set(date(2025, 11, 10))
    cases.advance(ctx, child, "tatt_inn", date(2025, 11, 10))
    clock.set(date(2025, 11, 17))
    cases.advance(ctx, child, "nivaplassering_fastsatt", date(2025, 11, 17), {
        "nivaplassering": "norsk 1, engelsk 1, matematikk 2", "planlagt_skolestart_vgo": "2027-08-16"})
    assert walk.gaps(date(2025, 11, 17)) == []  # the benefit covers the class

    # He stops coming; the programme is discontinued and the benefit stopped the day before
    walk.record("avbrudd", date(2026, 3, 2))
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("discontinued", "avbrutt", date(2026, 3, 2))
    assert walk.steps == set()
    deadlines = dues(walk)
    assert deadlines["nav_dialog_frist"] == (date(2027, 7, 5), "waived")
    assert deadlines["programslutt"] == (date(2027, 10, 5), "waived")
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("trekantsamtale_gjennomfort", date(2026, 3, 3))
    benefit = next(p for p in _periods(ctx, walk.participant) if p.source == "introduksjonsstonad")
    livelihood.end_income(ctx, benefit.id, date(2026, 3, 1))
    # the combination class still runs and gives no livelihood: a current gap
    found = walk.gaps(date(2026, 3, 2))
    assert [(g.start, g.end, g.kind) for g in found] == [(date(2026, 3, 2), date(2026, 5, 31), "current")]
    assert "01.03.2026" in found[0].reason  # the benefit stopped the day before
    assert cases.stored_state(ctx, child).status == "active"


def test_short_band_with_upper_secondary_hands_off_to_the_higher_education_course(ctx, clock):
    settled = date(2025, 1, 13)
    walk = Walk.start(ctx, clock, "introduksjonsprogram", settled, born=date(1996, 7, 8), settled=settled,
                      kommune="Askim", gender="female", norwegian_oral="B1", norwegian_written="A2",
                      education_track="spor3", has_upper_secondary=True)
    walk.income("introduksjonsstonad", date(2025, 2, 3), date(2025, 8, 1))
    walk.record("fullfort", date(2025, 1, 13))
    walk.record("kartlegging_fullfort", date(2025, 1, 24))
    walk.record("vedtak_fattet", date(2025, 1, 27), programstart_dato="2025-02-03")
    # With upper secondary and sluttmål higher education the band is 3–6 months
    with pytest.raises(ServiceError, match="utenfor varighetsbåndet"):
        walk.record("plan_og_kontrakt_signert", date(2025, 2, 10), sluttmal="hoyere_utdanning",
                    planlagt_slutt="2026-02-02")
    walk.record("plan_og_kontrakt_signert", date(2025, 2, 10), sluttmal="hoyere_utdanning", planlagt_slutt="2025-08-01")
    assert walk.steps == {"program_kort"}
    deadlines = dues(walk)
    assert deadlines["nav_dialog_frist"] == (date(2025, 5, 1), "open")
    assert deadlines["programslutt"] == (date(2025, 8, 1), "open")

    walk.record("hoyere_utdanning_forkurs_startet", date(2025, 2, 17))
    (course,) = walk.history[-1].new_cases
    state = cases.stored_state(ctx, course)
    assert (state.pathway_id, state.steps, state.start_date) == ("hoyere_utdanning_forkurs", ["inntak"],
                                                                 date(2025, 2, 17))
    assert walk.steps == {"program_kort"}


def _periods(ctx: Context, participant: int) -> list[IncomePeriod]:
    with ctx.transaction() as session:
        return livelihood.periods_of(session, participant)
