"""Helsehuset (Lillehammer): a second-year introduction participant selected in November, through the
January care course, the placement two days a week from Easter and five days a week from the autumn,
whose introduksjonsstønad ends during the placement (IG-10); below B1 on the first Norwegian test, B1
on the retake, refused fagbrev på jobb for too little employment, and handed over to praksiskandidat."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services import cases, livelihood
from pathways.services.context import ServiceError
from tests.scenarios.walk import Walk

INTRO_END = date(2026, 9, 30)  # two years from the programme start on 1 October 2024


def selected(ctx, clock) -> Walk:
    """Selected after the autumn handlingsplansamtale, interviewed and admitted in December."""
    walk = Walk.start(ctx, clock, "helsehuset", date(2025, 11, 17), born=date(1990, 2, 17), settled=date(2024, 8, 15),
                      kommune="Lillehammer", norwegian_oral="A2", norwegian_written="A2", gender="female",
                      education_track="spor2", has_primary_school=True, registered_with_nav=True)
    walk.income("introduksjonsstonad", date(2024, 10, 1), INTRO_END)
    walk.record("intervju_gjennomfort", date(2025, 12, 3), intervjudato="2025-12-03", onsker_helsekarriere="ja",
                tatt_opp="ja", introprogram_slutt=INTRO_END.isoformat(), planlagt_praksisstart="2026-04-13",
                introar=2)
    return walk


def in_placement(ctx, clock) -> Walk:
    walk = selected(ctx, clock)
    walk.record("kurs_fullfort", date(2026, 2, 5), kursdato="2026-02-05")
    walk.record("kartlegging_og_praksisstart", date(2026, 4, 13), kartleggingsdato="2026-04-09", skolegang_ar=9,
                arbeidserfaring_ar=6, praksisstart="2026-04-13", avdeling="Langtidsavdelingen")
    return walk


def test_from_selection_to_praksiskandidat_with_income_secured(ctx, clock):
    walk = Walk.start(ctx, clock, "helsehuset", date(2025, 11, 17), born=date(1990, 2, 17), settled=date(2024, 8, 15),
                      kommune="Lillehammer", norwegian_oral="A2", norwegian_written="A2", gender="female",
                      education_track="spor2", has_primary_school=True, registered_with_nav=True)
    walk.income("introduksjonsstonad", date(2024, 10, 1), INTRO_END)
    assert walk.steps == {"utvelgelse"}
    review = walk.deadlines()["handlingsplansamtale_halvaarlig"]
    assert review.recurring and review.due == date(2026, 5, 17)  # twice a year
    assert walk.gaps() == []

    # admitted: she wants a health career with fagbrev as the goal, and the panel takes her
    walk.record("intervju_gjennomfort", date(2025, 12, 3), intervjudato="2025-12-03", onsker_helsekarriere="ja",
                tatt_opp="ja", introprogram_slutt=INTRO_END.isoformat(), planlagt_praksisstart="2026-04-13",
                introar=2)
    assert walk.steps == {"pleie_og_omsorgskurs"}
    deadlines = walk.deadlines()
    assert (deadlines["praksisstart_etter_paske"].due, deadlines["praksisstart_etter_paske"].kind) == (
        date(2026, 4, 13), "reminder")
    assert deadlines["nav_dialog_for_introslutt"].due == date(2026, 6, 30)  # 3 months before the programme ends
    assert (deadlines["introslutt_uten_inntektsplan"].due, deadlines["introslutt_uten_inntektsplan"].kind) == (
        INTRO_END, "breach")
    assert {d.status for d in deadlines.values()} == {"open"}

    walk.record("kurs_fullfort", date(2026, 2, 5), kursdato="2026-02-05")  # January, two hours a week
    assert walk.steps == {"kartlegging"}  # ordinary Norwegian until the placement after Easter

    walk.record("kartlegging_og_praksisstart", date(2026, 4, 13), kartleggingsdato="2026-04-09", skolegang_ar=9,
                arbeidserfaring_ar=6, praksisstart="2026-04-13", avdeling="Langtidsavdelingen")
    assert walk.steps == {"praksis_to_dager"}
    deadlines = walk.deadlines()
    start = deadlines["praksisstart_etter_paske"]
    assert (start.status, start.met_on) == ("met", date(2026, 4, 13))
    assert deadlines["mentormote_jevnlig"].recurring and deadlines["mentormote_jevnlig"].due == date(2026, 5, 13)

    walk.record("mentormote", date(2026, 5, 6), samtaledato="2026-05-06")
    walk.record("handlingsplansamtale", date(2026, 5, 12), samtaledato="2026-05-12")
    deadlines = walk.deadlines()
    assert deadlines["mentormote_jevnlig"].due == date(2026, 6, 6)
    assert deadlines["handlingsplansamtale_halvaarlig"].due == date(2026, 11, 12)

    # summer holiday from 19 June; a summer temp job on the ward in July
    walk.record("fullfort", date(2026, 6, 19))
    assert walk.steps == {"sommerperiode"}
    walk.income("lonn", date(2026, 7, 1), date(2026, 7, 31))
    summer = walk.deadlines()["sommerpause_for_lang"]
    assert (summer.due, summer.kind) == (date(2026, 7, 24), "reminder")  # at most five weeks
    assert "mentormote_jevnlig" not in walk.deadlines()
    # on 1 August the school holiday still runs: the reminder is past due, the NAV dialogue not started
    as_of_august = walk.deadlines(date(2026, 8, 1))
    assert as_of_august["sommerpause_for_lang"].status == "open"
    assert as_of_august["nav_dialog_for_introslutt"].status == "open"
    assert walk.gaps(date(2026, 8, 1), horizon=30) == []

    walk.record("fullfort", date(2026, 8, 17))  # five days a week with daily Norwegian from the autumn
    assert walk.steps == {"praksis_fem_dager"}
    assert walk.deadlines()["mentormote_jevnlig"].due == date(2026, 9, 17)  # a new placement period
    # IG-10: the introduction benefit ends 30 September, in the middle of the placement
    gaps = walk.gaps(date(2026, 8, 17), horizon=90)
    assert [(g.start, g.end, g.days, g.kind, g.trigger) for g in gaps] == [
        (date(2026, 10, 1), date(2026, 11, 15), 46, "projected", "stipend_ends_before_course")]
    assert "Introduksjonsstønad slutter 30.09.2026" in gaps[0].reason
    # without an income plan the programme end is a breach
    assert walk.deadlines(INTRO_END)["introslutt_uten_inntektsplan"].status == "open"
    assert walk.deadlines(date(2026, 10, 1))["introslutt_uten_inntektsplan"].status == "breached"

    # NAV plans tiltakspenger as the bridge from 1 October (Lillehammer's practice)
    walk.record("inntektsplan_registrert", date(2026, 8, 24), neste_inntektskilde="tiltakspenger",
                fra_dato="2026-10-01")
    assert walk.steps == {"praksis_fem_dager"}
    bridge = walk.income("tiltakspenger", date(2026, 10, 1), date(2028, 6, 30), planned=True)
    assert walk.gaps(date(2026, 8, 24), horizon=90) == []
    # 5 October: the first payment is not confirmed; the days since 1 October are a current gap
    gaps = walk.gaps(date(2026, 10, 5), horizon=90)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2026, 10, 1), date(2026, 10, 5), "current")]
    livelihood.end_income(ctx, bridge, date(2028, 6, 30), planned=False)
    assert walk.gaps(date(2026, 10, 5), horizon=90) == []

    walk.record("oppmeldt_norskprove", date(2027, 4, 20), provedato="2027-05-27")
    assert walk.steps == {"norskprove"}
    # the first test: B1 oral, A2 written; below B1 there is no fagbrev route, Norwegian goes on
    walk.record("norskprove_resultat", date(2027, 6, 15), provedato="2027-05-27", norsk_muntlig="B1",
                norsk_skriftlig="A2")
    assert walk.steps == {"norsk_videre"}
    assert walk.state.counters == {"norskprove_forsok": 1}
    with pytest.raises(ServiceError, match=r"cannot be recorded in the current step \(Videre praksis og norsk"):
        walk.record("over_til_praksiskandidat", date(2027, 6, 21), startdato="2027-08-16")
    assert walk.steps == {"norsk_videre"}

    # the retake in the autumn window
    walk.record("oppmeldt_norskprove", date(2027, 9, 1), provedato="2027-11-25")
    assert walk.steps == {"norskprove"}
    walk.record("norskprove_resultat", date(2027, 12, 14), provedato="2027-11-25", norsk_muntlig="B1",
                norsk_skriftlig="B1")
    assert walk.steps == {"videre_lop"}
    assert walk.state.counters == {"norskprove_forsok": 2}
    assert "mentormote_jevnlig" not in walk.deadlines()

    # fagbrev på arbeidsplassen needs a year in a full-time position; weekend shifts are not enough
    with pytest.raises(ServiceError, match="ett år i 100 prosent stilling") as refused:
        walk.record("over_til_fagbrev_pa_jobb", date(2028, 1, 10), startdato="2028-01-10", mnd_i_stilling=8,
                    stillingsprosent=40)
    assert "mnd_i_stilling=8.0" in str(refused.value) and "stillingsprosent=40.0" in str(refused.value)
    assert walk.steps == {"videre_lop"}

    # hand-off: the practice-candidate route, a new case from the same day
    moved = walk.record("over_til_praksiskandidat", date(2028, 1, 10), startdato="2028-01-10")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("transferred", "overfort_praksiskandidat",
                                                             date(2028, 1, 10))
    assert len(moved.new_cases) == 1
    new_case = moved.new_cases[-1]
    view = cases.show(ctx, new_case)
    assert (view.pathway_id, view.status, view.start_date) == ("praksiskandidat", "active", date(2028, 1, 10))
    assert view.participant_id == walk.participant
    assert [s["id"] for s in view.steps] == ["rekruttering"]
    assert cases.rebuild(ctx, new_case) == cases.stored_state(ctx, new_case)
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("handlingsplansamtale", date(2028, 1, 11), samtaledato="2028-01-11")
    deadlines = walk.deadlines()
    assert deadlines["praksisstart_etter_paske"].status == "met"
    assert not any(d.recurring for d in deadlines.values())  # no follow-ups on an ended case
    # IG-10 again on the new, five-year route: tiltakspenger end 30 June 2028
    gaps = walk.gaps(date(2028, 1, 10), horizon=365)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2028, 7, 1), date(2029, 1, 9), "projected")]


def test_not_admitted_without_a_health_career_goal(ctx, clock):
    walk = Walk.start(ctx, clock, "helsehuset", date(2025, 11, 17), born=date(1987, 9, 2), settled=date(2024, 6, 3),
                      kommune="Lillehammer", norwegian_oral="A2", norwegian_written="A1", gender="male")
    walk.record("intervju_gjennomfort", date(2025, 12, 3), intervjudato="2025-12-03", onsker_helsekarriere="nei",
                tatt_opp="nei", introprogram_slutt="2026-06-02", planlagt_praksisstart="2026-04-13")
    state = walk.state
    assert (state.status, state.outcome) == ("discontinued", "ikke_tatt_opp")
    # nothing is left open: deadlines of steps the case never reached do not apply
    assert {d.status for d in walk.deadlines().values()} <= {"waived"}


def test_an_income_plan_before_the_programme_ends_meets_the_income_deadlines(ctx, clock):
    """IG-10: the NAV dialogue (due 3 months before the programme ends) and the income plan (due when
    it ends) are met by events recorded before those dates; the programme end is then no breach."""
    walk = in_placement(ctx, clock)
    walk.record("nav_dialog_startet", date(2026, 6, 10), samtaledato="2026-06-10")
    dialogue = walk.deadlines()["nav_dialog_for_introslutt"]
    assert (dialogue.status, dialogue.met_on) == ("met", date(2026, 6, 10))
    walk.record("fullfort", date(2026, 6, 19))
    walk.record("fullfort", date(2026, 8, 17))
    walk.record("inntektsplan_registrert", date(2026, 8, 24), neste_inntektskilde="tiltakspenger",
                fra_dato="2026-10-01")
    plan = walk.deadlines(date(2026, 10, 1))["introslutt_uten_inntektsplan"]
    assert (plan.status, plan.met_on) == ("met", date(2026, 8, 24))


def test_the_twice_yearly_handlingsplansamtale_is_not_reset_by_each_new_step(ctx, clock):
    """Twice a year from the start or the last samtale while the participant is on the track: the care
    course, the mapping and the placement starting do not restart the six months."""
    walk = selected(ctx, clock)
    walk.record("kurs_fullfort", date(2026, 2, 5), kursdato="2026-02-05")
    walk.record("kartlegging_og_praksisstart", date(2026, 4, 13), kartleggingsdato="2026-04-09", skolegang_ar=9,
                arbeidserfaring_ar=6, praksisstart="2026-04-13", avdeling="Langtidsavdelingen")
    assert walk.deadlines()["handlingsplansamtale_halvaarlig"].due == date(2026, 5, 17)
    walk.record("handlingsplansamtale", date(2026, 5, 12), samtaledato="2026-05-12")
    walk.record("fullfort", date(2026, 6, 19))
    walk.record("fullfort", date(2026, 8, 17))
    assert walk.deadlines()["handlingsplansamtale_halvaarlig"].due == date(2026, 11, 12)


def test_the_b1_result_follows_the_participant_into_praksiskandidat(ctx, clock):
    """The B1 test passed on Helsehuset is the evidence praksiskandidat's admission guard asks for
    (B1 oral and written): the handed-over participant is not refused for the A2 registered at the start."""
    walk = in_placement(ctx, clock)
    walk.record("fullfort", date(2026, 6, 19))
    walk.record("fullfort", date(2026, 8, 17))
    walk.record("oppmeldt_norskprove", date(2027, 4, 20), provedato="2027-05-27")
    walk.record("norskprove_resultat", date(2027, 6, 15), provedato="2027-05-27", norsk_muntlig="B1",
                norsk_skriftlig="B1")
    new_case = walk.record("over_til_praksiskandidat", date(2027, 6, 21), startdato="2027-08-16").new_cases[-1]
    nominated = cases.advance(ctx, new_case, "kandidat_meldt", date(2027, 6, 21),
                              {"fagbrevlop": "helsefagarbeider", "motivert_egnet": "ja", "naer_b1": "nei"})
    assert nominated.state.steps == ["vurderingssamtale"]
