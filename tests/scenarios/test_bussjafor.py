"""Bussjåfør (Bærum): an introduction-programme participant through the training period (vocational
course, two driving-school courses side by side, Norwegian to B1 and practice at a bus depot), who
retakes both the theory test and the driving test and is hired before the introduction benefit
ends; and a NAV jobseeker who uses up the driving-test attempts and is handed over to Supported
Employment."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services import cases
from pathways.services.context import ServiceError
from tests.scenarios.walk import Walk

TRAINING = {"opplaeringsperiode"}


def test_theory_and_driving_test_retaken_to_a_bus_job(ctx, clock):
    walk = Walk.start(ctx, clock, "bussjafor", date(2025, 1, 6), born=date(1990, 9, 12), settled=date(2022, 11, 1),
                      norwegian_oral="A2", norwegian_written="A2", gender="male", kommune="Bærum")
    walk.income("introduksjonsstonad", date(2023, 1, 15), date(2025, 12, 31))  # the programme ends New Year's Eve
    assert walk.steps == {"opptak"}
    assert walk.deadlines() == {}

    # a bus licence (class D) needs a class B licence first
    with pytest.raises(ServiceError, match=r"førerkort klasse B.*har_forerkort_klasse_b=False"):
        walk.record("opptak_vurdert", date(2025, 1, 13), opptaksvurdering="tatt_opp",
                    malgruppe="introduksjonsprogram", har_forerkort_klasse_b="nei")
    assert walk.steps == {"opptak"}
    walk.record("opptak_vurdert", date(2025, 1, 13), opptaksvurdering="tatt_opp", malgruppe="introduksjonsprogram",
                har_forerkort_klasse_b="ja")
    assert walk.steps == TRAINING | {"forberedende_fagkurs", "norskopplaering", "arbeidspraksis"}
    deadlines = walk.deadlines()
    assert (deadlines["opplaeringsperiode_slutt"].kind, deadlines["opplaeringsperiode_slutt"].due) == (
        "reminder", date(2025, 8, 13))  # seven months
    assert deadlines["praksisoppfolging"].due == date(2025, 2, 13)
    assert deadlines["trekantsamtale"].due == date(2025, 7, 13)
    assert walk.gaps(horizon=90) == []

    walk.record("praksisavtale_signert", date(2025, 1, 20), praksissted="Nobina, Fornebu bussdepot")
    walk.record("praksisoppfolging_gjennomfort", date(2025, 2, 12))
    assert walk.deadlines()["praksisoppfolging"].due == date(2025, 3, 12)
    assert walk.deadlines(date(2025, 3, 13))["praksisoppfolging"].status == "open"  # a reminder, never breached

    # the vocational course is done; both driving-school courses start the same Monday
    walk.record("fullfort", date(2025, 4, 11), step="forberedende_fagkurs")
    assert walk.steps == TRAINING | {"kjoreskole", "norskopplaering", "arbeidspraksis"}
    walk.record("modul_startet", date(2025, 4, 14), modul="forerkortopplaering_buss")
    walk.record("modul_startet", date(2025, 4, 14), modul="yrkessjaforopplaering")
    assert walk.state.compounds["kjoreskole"].modules == {"forerkortopplaering_buss": "started",
                                                          "yrkessjaforopplaering": "started"}

    # B1 oral but not written: the Norwegian teaching goes on towards the next test
    walk.record("norskprove_avlagt", date(2025, 5, 20), provedato="2025-05-20", norsk_muntlig="B1",
                norsk_skriftlig="A2")
    assert walk.history[-1].moved == (("norskopplaering", "norskopplaering"),)
    assert "norskopplaering" in walk.steps
    walk.record("fullfort", date(2025, 5, 30), step="arbeidspraksis")
    walk.record("modul_fullfort", date(2025, 6, 6), modul="yrkessjaforopplaering")
    assert walk.state.certificates == {"yrkessjaforopplaering": date(2025, 6, 6)}
    walk.record("modul_fullfort", date(2025, 6, 13), modul="forerkortopplaering_buss")
    assert walk.steps == TRAINING | {"kurs_fullfort", "norskopplaering", "praksis_fullfort"}
    assert walk.deadlines()["opplaeringsperiode_slutt"].status == "open"

    walk.record("norskprove_avlagt", date(2025, 6, 17), provedato="2025-06-17", norsk_muntlig="B1",
                norsk_skriftlig="B1")
    assert walk.steps == {"teoriprove"}  # all three regions final: joined
    assert ("opplaeringsperiode", "teoriprove") in walk.history[-1].moved
    done = walk.deadlines()["opplaeringsperiode_slutt"]
    assert (done.status, done.met_on) == ("met", date(2025, 6, 17))

    # theory test: failed, then passed
    walk.record("teoriprove_avlagt", date(2025, 7, 1), teoriprovedato="2025-07-01", teoriresultat="ikke_bestatt")
    assert walk.steps == {"teoriprove"}
    assert walk.state.counters["teoriforsok"] == 1
    walk.record("teoriprove_avlagt", date(2025, 8, 5), teoriprovedato="2025-08-05", teoriresultat="bestatt")
    assert walk.steps == {"oppkjoring"}
    assert walk.state.counters["teoriforsok"] == 2
    validity = walk.deadlines()["teoriprove_gyldig"]
    assert (validity.kind, validity.due, validity.status) == ("breach", date(2028, 8, 5), "open")

    # driving test: failed on Wednesday 10 September, rebooked within five working days
    walk.record("oppkjoring_bestilt", date(2025, 8, 8), bestilt_provedato="2025-09-10")
    walk.record("oppkjoring_avlagt", date(2025, 9, 10), oppkjoringsdato="2025-09-10", kjoreresultat="ikke_bestatt")
    assert walk.steps == {"oppkjoring"}
    assert walk.state.counters["oppkjoringsforsok"] == 1
    rebook = walk.deadlines()["ny_oppkjoring"]
    assert (rebook.kind, rebook.due) == ("reminder", date(2025, 9, 17))
    # (that the booking of 8 August does not count: test_a_booking_before_a_failed_driving_test_is_no_rebooking)
    walk.record("oppkjoring_bestilt", date(2025, 9, 12), bestilt_provedato="2025-10-08")
    assert walk.deadlines()["ny_oppkjoring"].status == "met"

    walk.record("oppkjoring_avlagt", date(2025, 10, 8), oppkjoringsdato="2025-10-08", kjoreresultat="bestatt")
    assert walk.steps == {"jobbsoking"}
    assert walk.state.counters == {"teoriforsok": 2, "oppkjoringsforsok": 2}
    deadlines = walk.deadlines()
    assert (deadlines["teoriprove_gyldig"].status, deadlines["teoriprove_gyldig"].met_on) == (
        "met", date(2025, 10, 8))
    assert (deadlines["jobbsoking_frist"].kind, deadlines["jobbsoking_frist"].due,
            deadlines["jobbsoking_frist"].status) == ("breach", date(2026, 4, 8), "open")
    assert deadlines["jobbsoking_oppfolging"].due == date(2025, 10, 22)  # every two weeks
    # the introduction benefit ends 31 December: a projected gap unless a job comes first
    gaps = walk.gaps(horizon=90)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2026, 1, 1), date(2026, 1, 6), "projected")]
    assert "Introduksjonsstønad slutter 31.12.2025" in gaps[0].reason

    walk.record("jobbsoking_oppfolgt", date(2025, 10, 20))
    assert walk.deadlines()["jobbsoking_oppfolging"].due == date(2025, 11, 3)
    walk.income("lonn", date(2025, 12, 1), planned=True)
    assert walk.gaps(date(2025, 11, 3), horizon=90) == []
    walk.record("ansatt", date(2025, 11, 3), arbeidsgiver="Vy Buss", stillingstype="fast",
                ansettelsesdato="2025-12-01", stillingsprosent="100")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "ansatt_busselskap", date(2025, 11, 3))
    frist = walk.deadlines()["jobbsoking_frist"]
    assert (frist.status, frist.met_on) == ("met", date(2025, 11, 3))
    assert walk.gaps(date(2025, 11, 4)) == []


def _to_theory_test(walk: Walk) -> None:
    """Admitted 13 January 2025; course, driving-school courses, practice and Norwegian done by 17 June."""
    walk.record("opptak_vurdert", date(2025, 1, 13), opptaksvurdering="tatt_opp", malgruppe="arbeidssoker_nav",
                har_forerkort_klasse_b="ja")
    walk.record("fullfort", date(2025, 4, 11), step="forberedende_fagkurs")
    for module in ("forerkortopplaering_buss", "yrkessjaforopplaering"):
        walk.record("modul_startet", date(2025, 4, 14), modul=module)
    for module in ("forerkortopplaering_buss", "yrkessjaforopplaering"):
        walk.record("modul_fullfort", date(2025, 6, 13), modul=module)
    walk.record("fullfort", date(2025, 6, 13), step="arbeidspraksis")
    walk.record("norskopplaering_avsluttet", date(2025, 6, 17), notat="B1 muntlig, A2 skriftlig")
    assert walk.steps == {"teoriprove"}


def test_driving_test_attempts_used_up_hands_over_to_supported_employment(ctx, clock):
    walk = Walk.start(ctx, clock, "bussjafor", date(2025, 1, 6), born=date(1985, 3, 30), settled=date(2016, 4, 4),
                      norwegian_oral="B1", norwegian_written="A2", registered_with_nav=True, kommune="Bærum")
    walk.income("sosialhjelp", date(2024, 10, 1), date(2025, 1, 12))
    walk.income("tiltakspenger", date(2025, 1, 13), date(2025, 12, 31))  # from the first day of the course
    _to_theory_test(walk)

    # the third and last theory attempt passes
    for attempt, day in enumerate((date(2025, 7, 1), date(2025, 8, 5)), start=1):
        walk.record("teoriprove_avlagt", day, teoriprovedato=day.isoformat(), teoriresultat="ikke_bestatt")
        assert walk.steps == {"teoriprove"}
        assert walk.state.counters["teoriforsok"] == attempt
    walk.record("teoriprove_avlagt", date(2025, 9, 2), teoriprovedato="2025-09-02", teoriresultat="bestatt")
    assert walk.steps == {"oppkjoring"}
    assert walk.state.counters["teoriforsok"] == 3

    # three failed driving tests: the pathway's attempts are used up
    retakes = [(date(2025, 10, 1), date(2025, 10, 3), date(2025, 11, 5)),
               (date(2025, 11, 5), date(2025, 11, 7), date(2025, 12, 10))]
    for attempt, (day, booked_on, next_test) in enumerate(retakes, start=1):
        walk.record("oppkjoring_avlagt", day, oppkjoringsdato=day.isoformat(), kjoreresultat="ikke_bestatt")
        assert walk.steps == {"oppkjoring"}
        assert walk.state.counters["oppkjoringsforsok"] == attempt
        walk.record("oppkjoring_bestilt", booked_on, bestilt_provedato=next_test.isoformat())
    walk.record("oppkjoring_avlagt", date(2025, 12, 10), oppkjoringsdato="2025-12-10", kjoreresultat="ikke_bestatt")
    assert walk.steps == {"avklaring"}
    assert walk.state.counters["oppkjoringsforsok"] == 3
    # the tiltakspenger end with the year: a gap is projected while the next step is decided
    gaps = walk.gaps(horizon=30)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2026, 1, 1), date(2026, 1, 9), "projected")]

    result = walk.record("overgang_registrert", date(2025, 12, 15), overgang="supported_employment")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == (
        "transferred", "overfort_supported_employment", date(2025, 12, 15))
    assert len(result.new_cases) == 1
    new = cases.show(ctx, result.new_cases[0], date(2025, 12, 15))
    assert (new.pathway_id, new.participant_id, new.status, new.start_date) == (
        "supported_employment", walk.participant, "active", date(2025, 12, 15))
    assert [s["id"] for s in new.steps] == ["innledende_kontakt"]
    # the new case watches the income now: the gap from New Year is still there
    assert [(g.start, g.kind) for g in new.gaps] == [(date(2026, 1, 1), "projected")]


def test_not_admitted(ctx, clock):
    walk = Walk.start(ctx, clock, "bussjafor", date(2025, 1, 6), born=date(2001, 5, 5), settled=date(2023, 2, 1),
                      norwegian_oral="A1", norwegian_written="A1", kommune="Bærum")
    walk.record("opptak_vurdert", date(2025, 1, 13), opptaksvurdering="ikke_tatt_opp", malgruppe="rett_og_plikt_norsk",
                har_forerkort_klasse_b="nei", notat="Norsk for svakt for kjøreskolen")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("discontinued", "ikke_tatt_opp", date(2025, 1, 13))
    assert walk.deadlines() == {}


def test_too_young_for_a_bus_licence_is_refused_at_enrolment(ctx, clock):
    with pytest.raises(ServiceError, match=r"minstealder.*age=20"):
        Walk.start(ctx, clock, "bussjafor", date(2025, 1, 6), born=date(2004, 6, 1), settled=date(2023, 2, 1),
                   kommune="Bærum")


def test_the_validity_deadline_waits_for_the_driving_test_step(ctx, clock):
    """teoriprove_gyldig is 'while_in: [oppkjoring]': a failed theory attempt must not open it."""
    walk = Walk.start(ctx, clock, "bussjafor", date(2025, 1, 6), born=date(1985, 3, 30), kommune="Bærum")
    _to_theory_test(walk)
    walk.record("teoriprove_avlagt", date(2025, 7, 1), teoriprovedato="2025-07-01", teoriresultat="ikke_bestatt")
    assert walk.steps == {"teoriprove"}
    validity = walk.deadlines().get("teoriprove_gyldig")
    assert validity is None or validity.status != "open", validity


def test_a_booking_before_a_failed_driving_test_is_no_rebooking(ctx, clock):
    """ny_oppkjoring is anchored on the date of the failed test: only a booking after it meets it."""
    walk = Walk.start(ctx, clock, "bussjafor", date(2025, 1, 6), born=date(1985, 3, 30), kommune="Bærum")
    _to_theory_test(walk)
    walk.record("teoriprove_avlagt", date(2025, 7, 1), teoriprovedato="2025-07-01", teoriresultat="bestatt")
    walk.record("oppkjoring_bestilt", date(2025, 7, 3), bestilt_provedato="2025-08-20")
    walk.record("oppkjoring_avlagt", date(2025, 8, 20), oppkjoringsdato="2025-08-20", kjoreresultat="ikke_bestatt")
    rebook = walk.deadlines()["ny_oppkjoring"]
    # Wednesday 20 August + 5 working days = Wednesday 27 August; the July booking was for the failed test
    assert (rebook.due, rebook.status, rebook.met_on) == (date(2025, 8, 27), "open", None)
    walk.record("oppkjoring_bestilt", date(2025, 8, 22), bestilt_provedato="2025-09-24")
    rebook = walk.deadlines()["ny_oppkjoring"]
    assert (rebook.status, rebook.met_on) == ("met", date(2025, 8, 22))
    walk.record("oppkjoring_avlagt", date(2025, 9, 24), oppkjoringsdato="2025-09-24", kjoreresultat="ikke_bestatt")
    rebook = walk.deadlines()["ny_oppkjoring"]
    assert (rebook.due, rebook.status) == (date(2025, 10, 1), "open")  # a new failure: book again
    walk.record("oppkjoring_bestilt", date(2025, 9, 26), bestilt_provedato="2025-10-29")
    walk.record("oppkjoring_avlagt", date(2025, 10, 29), oppkjoringsdato="2025-10-29", kjoreresultat="ikke_bestatt")
    assert walk.steps == {"avklaring"}
    assert walk.deadlines()["ny_oppkjoring"].status == "waived"  # the third failure: nothing more to book
