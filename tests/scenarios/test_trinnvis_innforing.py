"""Trinnvis innføring i praksis (Lørenskog): a Jobbsjansen participant through the førprosess, a
kindergarten placement with a buddy and three phases that advance on the mastery scored at the
trekantsamtaler, with sick leave in phase 2, to a job with wage subsidy; and a participant whose first
placement is broken off and who starts again at a new workplace."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services import livelihood
from pathways.services.context import ServiceError
from tests.scenarios.walk import Walk

PROGRAMME_END = date(2026, 8, 11)  # two years of Jobbsjansen from 12 August 2024


def assessment(on: date, sprak: int, egnethet: int, arbeid: int) -> dict[str, object]:
    """The values of a trekantsamtale: scores 1 (not achieved) to 4 (independent)."""
    return {"samtaledato": on.isoformat(), "sprakutvikling": sprak, "personlig_egnethet": egnethet,
            "arbeidsutforsel": arbeid}


def in_phase_1(ctx, clock) -> Walk:
    walk = Walk.start(ctx, clock, "trinnvis_innforing", date(2025, 9, 1), born=date(1979, 7, 22),
                      settled=date(2022, 6, 20), norwegian_oral="A2", norwegian_written="A1", gender="female",
                      education_track="spor1")
    walk.income("jobbsjansen_stonad", date(2024, 8, 12), PROGRAMME_END)
    walk.record("ressurser_avklart", date(2025, 9, 19), oppfolgingsniva="tett", yrkesomrade="barnehage",
                programslutt_dato=PROGRAMME_END.isoformat())
    walk.record("arbeidslivsinnforing_fullfort", date(2025, 10, 10), kursdato="2025-10-10")
    walk.record("fagkurs_fullfort", date(2025, 10, 31), kursdato="2025-10-31")
    walk.record("praksis_avtalt", date(2025, 11, 7), praksissted="Solheim barnehage", praksis_startdato="2025-11-10",
                hensikt_med_praksis="Språk- og arbeidstrening mot jobb som barnehageassistent", fadder_tildelt="ja",
                opplaeringsplan_tatt_i_bruk="ja")
    return walk


def test_three_phases_on_mastery_to_a_job(ctx, clock):
    walk = Walk.start(ctx, clock, "trinnvis_innforing", date(2025, 9, 1), born=date(1979, 7, 22),
                      settled=date(2022, 6, 20), norwegian_oral="A2", norwegian_written="A1", gender="female",
                      education_track="spor1")
    stipend = walk.income("jobbsjansen_stonad", date(2024, 8, 12), PROGRAMME_END)
    assert walk.steps == {"ressursavklaring"}
    assert walk.deadlines() == {}
    assert walk.gaps() == []

    # førprosess: the follow-up level and the trade are set; the course and the working-life
    # introduction run side by side
    walk.record("ressurser_avklart", date(2025, 9, 19), oppfolgingsniva="tett", yrkesomrade="barnehage",
                programslutt_dato=PROGRAMME_END.isoformat())
    assert walk.steps == {"forberedende_opplaering", "yrkesrettet_fagkurs", "innforing_arbeidsliv"}
    deadlines = walk.deadlines()
    assert (deadlines["nav_dialog_for_programslutt"].due, deadlines["nav_dialog_for_programslutt"].kind) == (
        date(2026, 5, 11), "reminder")  # 3 months before the stipend ends
    assert (deadlines["programslutt_uten_inntekt"].due, deadlines["programslutt_uten_inntekt"].kind) == (
        PROGRAMME_END, "breach")
    assert {d.status for d in deadlines.values()} == {"open"}

    walk.record("arbeidslivsinnforing_fullfort", date(2025, 10, 10), kursdato="2025-10-10")
    assert walk.steps == {"forberedende_opplaering", "yrkesrettet_fagkurs", "arbeidslivsinnforing_ferdig"}
    walk.record("fagkurs_fullfort", date(2025, 10, 31), kursdato="2025-10-31")
    assert walk.steps == {"praksisavklaring"}  # both regions done: joined

    # no placement without a buddy at the workplace
    placement = {"praksissted": "Solheim barnehage", "praksis_startdato": "2025-11-10",
                 "hensikt_med_praksis": "Språk- og arbeidstrening mot jobb som barnehageassistent",
                 "opplaeringsplan_tatt_i_bruk": "ja"}
    with pytest.raises(ServiceError, match="Praksis starter ikke uten en fadder") as refused:
        walk.record("praksis_avtalt", date(2025, 11, 7), fadder_tildelt="nei", **placement)
    assert "fadder_tildelt=False" in str(refused.value)
    assert walk.steps == {"praksisavklaring"}
    walk.record("praksis_avtalt", date(2025, 11, 7), fadder_tildelt="ja", **placement)
    assert walk.steps == {"fase_1"}
    deadlines = walk.deadlines()
    assert deadlines["fase_1_uten_mestring"].due == date(2026, 2, 7)  # 3 months in phase 1
    # ten working days after the first placement day, Monday 10 November
    assert (deadlines["forste_trekantsamtale"].due, deadlines["forste_trekantsamtale"].status) == (
        date(2025, 11, 24), "open")
    assert (deadlines["trekantsamtale_maanedlig"].recurring, deadlines["trekantsamtale_maanedlig"].due) == (
        True, date(2025, 12, 7))
    assert deadlines["kontakt_med_fadder"].due == date(2025, 11, 21)  # every two weeks

    walk.record("fadder_tilbakemelding", date(2025, 11, 19), samtaledato="2025-11-19")
    assert walk.deadlines()["kontakt_med_fadder"].due == date(2025, 12, 3)

    # the first trekantsamtale: personal suitability only partly achieved (2 < 3): phase 1 goes on
    walk.record("trekantsamtale", date(2025, 11, 21), **assessment(date(2025, 11, 21), 2, 2, 3))
    assert walk.steps == {"fase_1"}
    deadlines = walk.deadlines()
    assert (deadlines["forste_trekantsamtale"].status, deadlines["forste_trekantsamtale"].met_on) == (
        "met", date(2025, 11, 21))
    assert deadlines["fase_1_uten_mestring"].status == "open"
    assert deadlines["trekantsamtale_maanedlig"].due == date(2025, 12, 21)
    assert deadlines["kontakt_med_fadder"].due == date(2025, 12, 5)  # the samtale counts as buddy contact

    # a month later: mastery (3, 3, and language 2 ≥ 2): on to phase 2
    walk.record("trekantsamtale", date(2025, 12, 19), **assessment(date(2025, 12, 19), 2, 3, 3))
    assert walk.steps == {"fase_2"}
    deadlines = walk.deadlines()
    assert (deadlines["fase_1_uten_mestring"].status, deadlines["fase_1_uten_mestring"].met_on) == (
        "met", date(2025, 12, 19))
    assert (deadlines["fase_2_uten_mestring"].due, deadlines["fase_2_uten_mestring"].status) == (
        date(2026, 3, 19), "open")
    assert deadlines["trekantsamtale_maanedlig"].due == date(2026, 1, 19)

    # sick leave from 12 January: the phase deadline moves by the paused days
    walk.record("permisjon", date(2026, 1, 12), arsak="sykdom")
    assert walk.state.status == "paused" and walk.steps == {"fase_2"}
    assert walk.allowed() == {"gjenoppta", "avbrudd", "overforing"}
    with pytest.raises(ServiceError, match="paused"):
        walk.record("trekantsamtale", date(2026, 1, 20), **assessment(date(2026, 1, 20), 2, 3, 3))
    assert walk.deadlines(date(2026, 2, 1))["fase_2_uten_mestring"].due == date(2026, 4, 8)  # 20 days so far
    assert walk.gaps(date(2026, 2, 1), horizon=90) == []  # the Jobbsjansen stipend continues

    walk.record("gjenoppta", date(2026, 2, 9))
    assert walk.state.status == "active"
    assert walk.state.days_paused(date(2026, 2, 9)) == 28
    phase_2 = walk.deadlines()["fase_2_uten_mestring"]
    assert (phase_2.due, phase_2.status) == (date(2026, 4, 16), "open")  # 19 March + 28 days

    walk.record("trekantsamtale", date(2026, 3, 2), **assessment(date(2026, 3, 2), 3, 3, 3))
    assert walk.steps == {"fase_3"}
    deadlines = walk.deadlines()
    assert (deadlines["fase_2_uten_mestring"].status, deadlines["fase_2_uten_mestring"].met_on) == (
        "met", date(2026, 3, 2))
    assert deadlines["fase_3_uten_mestring"].due == date(2026, 6, 2)
    assert deadlines["trekantsamtale_maanedlig"].due == date(2026, 4, 2)
    # the stipend ends 11 August with nothing after it
    gaps = walk.gaps(date(2026, 3, 2), horizon=180)
    assert [(g.start, g.end, g.days, g.kind) for g in gaps] == [(date(2026, 8, 12), date(2026, 8, 29), 18, "projected")]
    assert "Stønad i Jobbsjansen slutter 11.08.2026" in gaps[0].reason

    walk.record("trekantsamtale", date(2026, 4, 1), **assessment(date(2026, 4, 1), 3, 2, 3))
    assert walk.steps == {"fase_3"}  # a weaker month: phase 3 goes on
    assert walk.deadlines()["trekantsamtale_maanedlig"].due == date(2026, 5, 1)

    # the kindergarten offers a job from 1 June with wage subsidy; the stipend stops when she starts
    walk.record("inntektsplan_registrert", date(2026, 4, 20), neste_inntektskilde="lonnstilskudd",
                fra_dato="2026-06-01")
    assert walk.steps == {"fase_3"}
    walk.income("lonnstilskudd", date(2026, 6, 1), date(2027, 5, 31), planned=True)
    livelihood.end_income(ctx, stipend, date(2026, 5, 31))
    assert walk.gaps(date(2026, 4, 20), horizon=180) == []

    walk.record("trekantsamtale", date(2026, 5, 4), **assessment(date(2026, 5, 4), 3, 4, 3))
    assert walk.steps == {"avslutning_praksis"}
    deadlines = walk.deadlines()
    assert (deadlines["fase_3_uten_mestring"].status, deadlines["fase_3_uten_mestring"].met_on) == (
        "met", date(2026, 5, 4))
    assert not any(d.recurring for d in deadlines.values())  # follow-ups end with the phases

    walk.record("praksislop_avsluttet", date(2026, 5, 15), sluttdato="2026-05-15", status_etter_praksis="ansatt")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "i_arbeid", date(2026, 5, 15))
    assert walk.steps == set()
    assert walk.deadlines()["forste_trekantsamtale"].status == "met"
    assert walk.gaps(date(2026, 5, 15)) == []
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("trekantsamtale", date(2026, 5, 20), **assessment(date(2026, 5, 20), 3, 4, 3))


def test_a_broken_off_placement_starts_phase_1_again_at_a_new_workplace(ctx, clock):
    walk = Walk.start(ctx, clock, "trinnvis_innforing", date(2025, 8, 18), born=date(1996, 4, 30),
                      settled=date(2024, 1, 15), norwegian_oral="A2", norwegian_written="A2", gender="male")
    walk.income("introduksjonsstonad", date(2024, 3, 4), date(2026, 3, 3))
    walk.record("ressurser_avklart", date(2025, 8, 29), oppfolgingsniva="middels", yrkesomrade="lager",
                programslutt_dato="2026-03-03")
    assert walk.deadlines()["nav_dialog_for_programslutt"].due == date(2025, 12, 3)
    walk.record("fagkurs_fullfort", date(2025, 9, 26), kursdato="2025-09-26")
    walk.record("arbeidslivsinnforing_fullfort", date(2025, 10, 3), kursdato="2025-10-03")
    assert walk.steps == {"praksisavklaring"}
    walk.record("praksis_avtalt", date(2025, 10, 13), praksissted="Lager, Lørenskog", praksis_startdato="2025-10-13",
                hensikt_med_praksis="Arbeidstrening på lager", fadder_tildelt="ja", opplaeringsplan_tatt_i_bruk="ja")
    assert walk.steps == {"fase_1"}
    assert walk.deadlines()["forste_trekantsamtale"].due == date(2025, 10, 27)

    # the workplace did not fit: the placement is broken off before the first trekantsamtale
    walk.record("praksis_avbrutt", date(2025, 10, 22), sluttdato="2025-10-22", arsak_avbrudd="ikke_egnet_praksissted")
    assert walk.steps == {"praksisavklaring"}
    deadlines = walk.deadlines()
    assert deadlines["forste_trekantsamtale"].status == "waived"
    assert "trekantsamtale_maanedlig" not in deadlines

    walk.record("praksis_avtalt", date(2025, 11, 3), praksissted="Byggvarehus, Lørenskog",
                praksis_startdato="2025-11-05", hensikt_med_praksis="Varemottak og butikk", fadder_tildelt="ja",
                opplaeringsplan_tatt_i_bruk="ja")
    assert walk.steps == {"fase_1"}
    deadlines = walk.deadlines()
    # a new phase 1, counted from the new placement: ten working days after Wednesday 5 November
    assert (deadlines["forste_trekantsamtale"].anchor_date, deadlines["forste_trekantsamtale"].due,
            deadlines["forste_trekantsamtale"].status) == (date(2025, 11, 5), date(2025, 11, 19), "open")
    assert (deadlines["fase_1_uten_mestring"].due, deadlines["fase_1_uten_mestring"].status) == (
        date(2026, 2, 3), "open")
    assert deadlines["trekantsamtale_maanedlig"].due == date(2025, 12, 3)
    # the introduction benefit ends 3 March: a projected gap
    gaps = walk.gaps(date(2025, 11, 3), horizon=180)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2026, 3, 4), date(2026, 5, 2), "projected")]

    walk.record("trekantsamtale", date(2025, 11, 18), **assessment(date(2025, 11, 18), 2, 3, 3))
    assert walk.steps == {"fase_2"}
    assert walk.deadlines()["forste_trekantsamtale"].status == "met"
    walk.record("trekantsamtale", date(2026, 1, 13), **assessment(date(2026, 1, 13), 2, 3, 3))
    assert walk.steps == {"fase_3"}

    # a NAV measure with tiltakspenger after the programme
    walk.record("inntektsplan_registrert", date(2026, 1, 20), neste_inntektskilde="tiltakspenger",
                fra_dato="2026-03-04")
    walk.income("tiltakspenger", date(2026, 3, 4), date(2026, 12, 31), planned=True)
    assert walk.gaps(date(2026, 1, 20), horizon=180) == []
    walk.record("trekantsamtale", date(2026, 2, 24), **assessment(date(2026, 2, 24), 2, 3, 3))
    assert walk.steps == {"avslutning_praksis"}
    walk.record("praksislop_avsluttet", date(2026, 2, 27), sluttdato="2026-02-27", status_etter_praksis="nav_tiltak")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "nav_tiltak", date(2026, 2, 27))


def test_an_income_plan_before_the_programme_ends_meets_the_nav_deadlines(ctx, clock):
    """Both deadlines counted from the programme end (the NAV dialogue 3 months before, the income plan
    by the end) are met by an income plan recorded in April, before either falls due."""
    walk = in_phase_1(ctx, clock)
    walk.record("inntektsplan_registrert", date(2026, 4, 20), neste_inntektskilde="lonnstilskudd",
                fra_dato="2026-06-01")
    deadlines = walk.deadlines()
    assert (deadlines["nav_dialog_for_programslutt"].status, deadlines["nav_dialog_for_programslutt"].met_on) == (
        "met", date(2026, 4, 20))
    assert walk.deadlines(date(2026, 8, 12))["programslutt_uten_inntekt"].status == "met"


def test_permisjon_after_a_deadline_was_met_does_not_move_it(ctx, clock):
    """Leave shifts a deadline by the days paused before it falls due; leave taken after the deadline
    was met (or fell due) does not move it."""
    walk = in_phase_1(ctx, clock)
    walk.record("trekantsamtale", date(2025, 11, 21), **assessment(date(2025, 11, 21), 2, 3, 3))
    assert walk.steps == {"fase_2"}
    walk.record("permisjon", date(2026, 1, 12), arsak="sykdom")
    walk.record("gjenoppta", date(2026, 2, 9))
    deadlines = walk.deadlines()
    assert deadlines["forste_trekantsamtale"].due == date(2025, 11, 24)
    assert deadlines["fase_1_uten_mestring"].due == date(2026, 2, 7)
    assert deadlines["fase_2_uten_mestring"].due == date(2026, 2, 21) + (date(2026, 2, 9) - date(2026, 1, 12))


def test_the_first_trekantsamtale_is_met_on_the_first_meeting(ctx, clock):
    """met_on is the day the deadline was met, not the latest time the same event was recorded."""
    walk = in_phase_1(ctx, clock)
    walk.record("trekantsamtale", date(2025, 11, 21), **assessment(date(2025, 11, 21), 2, 2, 3))
    walk.record("trekantsamtale", date(2025, 12, 19), **assessment(date(2025, 12, 19), 2, 2, 3))
    first = walk.deadlines()["forste_trekantsamtale"]
    assert (first.status, first.met_on) == ("met", date(2025, 11, 21))


def test_phase_deadlines_met_by_advancing_stay_met_when_the_case_ends(ctx, clock):
    """A phase left on mastery was met; ending the case later does not turn it into waived."""
    walk = in_phase_1(ctx, clock)
    walk.record("trekantsamtale", date(2025, 12, 19), **assessment(date(2025, 12, 19), 3, 3, 3))
    assert walk.deadlines()["fase_1_uten_mestring"].status == "met"
    walk.record("avbrudd", date(2026, 1, 9))
    assert walk.state.status == "discontinued"
    phase_1 = walk.deadlines()["fase_1_uten_mestring"]
    assert (phase_1.status, phase_1.met_on) == ("met", date(2025, 12, 19))
