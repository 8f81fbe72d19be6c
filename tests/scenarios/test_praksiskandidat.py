"""Praksiskandidat (Asker, «Omlandet»): a helsefagarbeider candidate in her 4th introduction year whose
stipend runs out before the theory exam, who fails the exam once and passes the retake; a
barne- og ungdomsarbeider candidate whose practice hours are credited by the praksiskandidat rules
until the county approves them and she passes the trade test; and a hand-off to fagbrev på jobb."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services import cases, livelihood
from pathways.services.context import ServiceError
from tests.conftest import table_counts
from tests.scenarios.walk import Walk

MONTH = 1740 / 12  # hours of a calendar month at full time: 8 700 h over five years


def test_stipend_ends_before_the_theory_exam_and_the_exam_is_retaken(ctx, clock):
    # Settled February 2021, introduction programme from 1 May 2021: the 4th year ends 30 April 2025.
    walk = Walk.start(ctx, clock, "praksiskandidat", date(2024, 5, 6), born=date(1988, 11, 2),
                      settled=date(2021, 2, 15), norwegian_oral="B1", norwegian_written="A2",
                      registered_with_nav=True, gender="female", has_primary_school=False, kommune="Asker")
    walk.income("introduksjonsstonad", date(2021, 5, 1), date(2025, 4, 30))
    assert walk.steps == {"rekruttering"}
    assert walk.deadlines() == {}
    assert walk.gaps(date(2024, 5, 6)) == []

    # written Norwegian is A2: nominated without the teacher's "very close to B1" the guard refuses
    with pytest.raises(ServiceError, match=r"norsk på\s+B1-nivå.*naer_b1=False.*norwegian_written='A2'"):
        walk.record("kandidat_meldt", date(2024, 5, 13), fagbrevlop="helsefagarbeider", motivert_egnet="ja",
                    naer_b1="nei")
    assert walk.steps == {"rekruttering"}
    walk.record("kandidat_meldt", date(2024, 5, 13), fagbrevlop="helsefagarbeider", motivert_egnet="ja",
                naer_b1="ja", kursstart="2024-08-19")
    assert walk.steps == {"vurderingssamtale"}
    admission = walk.deadlines()["opptak_for_kursstart"]
    # ten Norwegian working days before Monday 19 August 2024 (no holidays in August): Monday 5 August
    assert (admission.kind, admission.due, admission.status) == ("breach", date(2024, 8, 5), "open")

    # prior documented practice from Eritrea, credited by the rules, not by the hours on the attest
    walk.record("praksis_dokumentert", date(2024, 5, 27), praksistype="tidligere_praksis_utland",
                periode_fra="2015-01-01", periode_til="2015-12-31", stillingsprosent="100", timer="2080",
                arbeidsgiver="Orotta National Referral Hospital")
    assert walk.state.counters["praksistimer"] == 1740  # a full year
    walk.record("praksis_dokumentert", date(2024, 5, 27), praksistype="tidligere_praksis_utland",
                periode_fra="2015-03-01", periode_til="2015-12-31", stillingsprosent="40", timer="700")
    assert walk.state.counters["praksistimer"] == 1740  # a second job in 2015: at most 12 months a year
    walk.record("praksis_dokumentert", date(2024, 5, 27), praksistype="tidligere_praksis_utland",
                periode_fra="2016-01-01", periode_til="2016-12-31", stillingsprosent="50", timer="1000")
    assert walk.state.counters["praksistimer"] == 1740 + 870  # 50 %: half a year
    walk.record("praksis_dokumentert", date(2024, 5, 27), praksistype="tidligere_praksis_utland",
                periode_fra="2017-01-01", periode_til="2017-12-31", stillingsprosent="85,0", timer="1600")
    assert walk.state.counters["praksistimer"] == 1740 + 870 + 1740  # 85 % ≥ 80 %: full time
    assert walk.state.practice_months["praksistimer"] == {"2015": 12, "2016": 6, "2017": 12}

    # admitted; the stipend (4th year) ends 30 April 2025, long before the June exam
    walk.record("opptak_avgjort", date(2024, 6, 10), opptak="tatt_opp", norsktest_niva="B1",
                stonadsperiode_slutt="2025-04-30")
    assert walk.steps == {"opplaering", "kursstart", "bransjenorsk", "arbeidstrening"}
    assert walk.deadlines()["opptak_for_kursstart"].due == date(2024, 8, 5)
    # (that the admission on 10 June meets it: test_deadlines_met_before_their_anchor_date)
    deadlines = walk.deadlines()
    assert (deadlines["inntektsplan_varsel"].kind, deadlines["inntektsplan_varsel"].due) == ("reminder",
                                                                                           date(2025, 1, 30))
    assert (deadlines["stonad_slutt_uten_inntektsplan"].kind,
            deadlines["stonad_slutt_uten_inntektsplan"].due) == ("breach", date(2025, 4, 30))
    assert deadlines["telefon_arbeidstrening"].due == date(2024, 7, 10)  # monthly from the work training
    assert deadlines["besok_arbeidsplass"].due == date(2024, 9, 10)  # workplace visit every 3 months

    walk.record("kurs_startet", date(2024, 8, 19))
    assert walk.steps == {"opplaering", "kurs_fagteori_helse", "bransjenorsk", "arbeidstrening"}
    assert walk.deadlines()["kurs_helsefag_slutt"].due == date(2025, 8, 19)  # two semesters
    walk.record("oppfolging_arbeidsplass", date(2024, 9, 9), notat="Sykehjemmet er fornøyd")
    deadlines = walk.deadlines()
    assert deadlines["telefon_arbeidstrening"].due == date(2024, 10, 9)  # a visit counts as contact too
    assert (deadlines["besok_arbeidsplass"].due, deadlines["besok_arbeidsplass"].status) == (date(2024, 12, 9),
                                                                                           "open")
    # nobody visits the workplace again before the winter: the 3-monthly visit is breached
    assert walk.deadlines(date(2024, 12, 10))["besok_arbeidsplass"].status == "breached"
    walk.record("trekantsamtale", date(2025, 1, 6))
    assert walk.deadlines()["besok_arbeidsplass"].due == date(2025, 4, 6)

    # February: the income-plan reminder is past due and nothing is planned after 30 April
    clock.set(date(2025, 2, 3))
    reminder = walk.deadlines()["inntektsplan_varsel"]
    assert (reminder.due, reminder.status) == (date(2025, 1, 30), "open")  # past due: the nightly check flags it
    gaps = walk.gaps(horizon=90)
    assert [(g.start, g.end, g.kind, g.trigger) for g in gaps] == [
        (date(2025, 5, 1), date(2025, 5, 4), "projected", "stipend_ends_before_course")]
    assert "Introduksjonsstønad slutter 30.04.2025" in gaps[0].reason

    walk.record("eksamen_oppmeldt", date(2025, 3, 3), eksamensdato="2025-06-05")
    assert walk.state.counters["forsok"] == 1
    assert walk.deadlines()["nedtrapping_for_eksamen"].due == date(2025, 4, 24)  # six weeks before 5 June

    # 1 May: the stipend has stopped, the plan is still missing
    deadlines = walk.deadlines(date(2025, 5, 2))
    assert deadlines["stonad_slutt_uten_inntektsplan"].status == "breached"
    assert deadlines["inntektsplan_varsel"].status == "open"
    assert [(g.start, g.end, g.kind) for g in walk.gaps(date(2025, 5, 2), horizon=90)] == [
        (date(2025, 5, 1), date(2025, 7, 31), "current")]

    # NAV makes the plan late: KVP from 19 May
    walk.record("inntektsplan_lagt", date(2025, 5, 12), ny_inntektskilde="kvalifiseringsstonad",
                inntekt_fra="2025-05-19")
    kvp = walk.income("kvalifiseringsstonad", date(2025, 5, 19), date(2026, 5, 18), planned=True)
    deadlines = walk.deadlines()
    assert (deadlines["stonad_slutt_uten_inntektsplan"].status,
            deadlines["stonad_slutt_uten_inntektsplan"].met_on) == ("met", date(2025, 5, 12))
    assert deadlines["inntektsplan_varsel"].status == "met"
    gaps = walk.gaps(horizon=90)
    assert [(g.start, g.end, g.days, g.kind) for g in gaps] == [(date(2025, 5, 1), date(2025, 5, 18), 18, "current")]
    assert "kvalifiseringsstønad starter 19.05.2025 (planlagt)" in gaps[0].reason
    livelihood.end_income(ctx, kvp, date(2026, 5, 18), planned=False)  # the decision is made

    # the three parts end; the join leads to the exam
    walk.record("fullfort", date(2025, 5, 28), step="kurs_fagteori_helse")
    assert walk.steps == {"opplaering", "fagteori_fullfort", "bransjenorsk", "arbeidstrening"}
    course = walk.deadlines()["kurs_helsefag_slutt"]
    assert (course.status, course.met_on) == ("met", date(2025, 5, 28))
    walk.record("bransjenorsk_avsluttet", date(2025, 5, 30), notat="Eksamenslesing")
    walk.record("fullfort", date(2025, 6, 2), step="arbeidstrening")
    assert walk.steps == {"teorieksamen"}
    assert ("opplaering", "teorieksamen") in walk.history[-1].moved
    deadlines = walk.deadlines()
    assert "telefon_arbeidstrening" not in deadlines and "besok_arbeidsplass" not in deadlines
    assert deadlines["kurs_helsefag_slutt"].met_on == date(2025, 5, 28)

    # failed in June: the retake loop, with the 6-monthly NAV follow-up
    walk.record("teorieksamen_avlagt", date(2025, 6, 5), resultat="ikke_bestatt", eksamensdato="2025-06-05")
    assert walk.steps == {"ny_teorieksamen"}
    assert walk.deadlines()["etteroppfolging_nav"].due == date(2025, 12, 5)
    walk.record("eksamen_oppmeldt", date(2025, 9, 1), eksamensdato="2025-11-20")
    assert walk.state.counters["forsok"] == 2
    walk.record("fullfort", date(2025, 11, 10))
    assert walk.steps == {"teorieksamen"}
    walk.record("teorieksamen_avlagt", date(2025, 11, 20), resultat="bestatt", eksamensdato="2025-11-20")
    assert walk.steps == {"sikre_overganger"}
    assert walk.deadlines()["etteroppfolging_nav"].due == date(2026, 5, 20)
    assert walk.state.counters == {"praksistimer": 4350, "forsok": 2}

    # a permanent job from January; KVP ends when the wages start: no gap ahead
    livelihood.end_income(ctx, kvp, date(2026, 1, 4))
    walk.income("lonn", date(2026, 1, 5), planned=True)
    gaps = walk.gaps(horizon=180)
    assert [(g.start, g.end) for g in gaps] == [(date(2025, 5, 1), date(2025, 5, 18))]  # only the May gap, past
    assert walk.state.status == "active"


def _to_after_care(walk: Walk, *, course_start: date, exam: date) -> None:
    """Recruitment, the course and the theory exam passed first time, into after-care."""
    walk.record("kandidat_meldt", course_start.replace(day=1), fagbrevlop="barne_og_ungdomsarbeider",
                motivert_egnet="ja", naer_b1="nei", kursstart=course_start.isoformat())
    walk.record("opptak_avgjort", course_start.replace(day=2), opptak="tatt_opp", norsktest_niva="B1")
    walk.record("kurs_startet", course_start)
    walk.record("eksamen_oppmeldt", exam.replace(month=3, day=1), eksamensdato=exam.isoformat())
    walk.record("fullfort", exam.replace(day=1), step="kurs_fagteori_bua")
    walk.record("fullfort", exam.replace(day=1), step="bransjenorsk")
    walk.record("fullfort", exam.replace(day=1), step="arbeidstrening")
    walk.record("teorieksamen_avlagt", exam, resultat="bestatt", eksamensdato=exam.isoformat())
    assert walk.steps == {"sikre_overganger"}
    walk.record("fullfort", exam.replace(month=exam.month + 1, day=1))
    assert walk.steps == {"etteroppfolging"}


def test_practice_hours_accumulate_until_the_county_approves_them(ctx, clock):
    walk = Walk.start(ctx, clock, "praksiskandidat", date(2023, 1, 9), born=date(1979, 5, 17),
                      settled=date(2019, 8, 20), norwegian_oral="B1", norwegian_written="B1",
                      registered_with_nav=True, gender="female", kommune="Asker")
    walk.income("jobbsjansen_stonad", date(2023, 1, 9), date(2024, 6, 30))
    walk.income("lonn", date(2024, 7, 1))  # assistant in an SFO from July 2024
    _to_after_care(walk, course_start=date(2023, 2, 6), exam=date(2024, 6, 12))
    assert walk.state.entered["etteroppfolging"] == date(2024, 7, 1)
    assert walk.deadlines()["kurs_bua_slutt"].status == "met"  # three semesters, left on 1 June 2024
    # after-care follow-up: every six months from the exam passed (sikre_overganger, 12 June 2024)
    assert walk.deadlines()["etteroppfolging_nav"].due == date(2024, 12, 12)
    assert walk.gaps(horizon=90) == []

    walk.record("etteroppfolging_samtale", date(2024, 12, 16))
    assert walk.deadlines()["etteroppfolging_nav"].due == date(2025, 6, 16)
    # the practice is documented: two years in a kindergarten in Syria, the work training during the
    # course (60 %), the SFO job (exactly 80 %: full time) and weekend shifts beside it (50 %)
    walk.record("praksis_dokumentert", date(2024, 12, 16), praksistype="tidligere_praksis_utland",
                periode_fra="2012-01-01", periode_til="2013-12-31", stillingsprosent="100", timer="4000")
    assert walk.state.counters["praksistimer"] == 2 * 1740
    walk.record("praksis_dokumentert", date(2024, 12, 16), praksistype="arbeidstrening",
                periode_fra="2023-03-01", periode_til="2024-05-31", stillingsprosent="60", timer="1300")
    work_training = (10 + 5) * 0.6 * MONTH  # March–December 2023, January–May 2024: 9 months
    assert walk.state.counters["praksistimer"] == 3480 + work_training == 4785
    # the SFO job and the weekend shifts are documented when the year is over
    walk.record("praksis_dokumentert", date(2025, 1, 6), praksistype="lonnet_arbeid",
                periode_fra="2024-07-01", periode_til="2024-12-31", stillingsprosent="80", timer="800",
                arbeidsgiver="Asker kommune, Hofstad skole SFO")
    assert walk.state.counters["praksistimer"] == 3480 + work_training + 6 * MONTH
    walk.record("praksis_dokumentert", date(2025, 1, 6), praksistype="lonnet_arbeid",
                periode_fra="2024-01-01", periode_til="2024-12-31", stillingsprosent="50", timer="900")
    # 2024 already had 3 + 6 months; the weekend shifts only fill it up to 12 months
    assert walk.state.practice_months["praksistimer"]["2024"] == 12
    after_2024 = 3480 + 6 * MONTH + 1740
    assert walk.state.counters["praksistimer"] == after_2024 == 6090

    walk.record("etteroppfolging_samtale", date(2025, 6, 10))
    walk.record("etteroppfolging_samtale", date(2025, 12, 8))
    walk.record("praksis_dokumentert", date(2026, 1, 12), praksistype="lonnet_arbeid",
                periode_fra="2025-01-01", periode_til="2025-12-31", stillingsprosent="100", timer="1750")
    assert walk.deadlines()["etteroppfolging_nav"].due == date(2026, 6, 8)
    # the next talk is missed in June: the follow-up is breached
    assert walk.deadlines(date(2026, 6, 9))["etteroppfolging_nav"].status == "breached"

    walk.record("praksis_dokumentert", date(2026, 7, 6), praksistype="lonnet_arbeid",
                periode_fra="2026-01-01", periode_til="2026-06-15", stillingsprosent="85", timer="760")
    total = after_2024 + 1740 + 5.5 * MONTH  # five months and half of June
    assert walk.state.counters["praksistimer"] == total == 8627.5  # just short
    walk.record("etteroppfolging_samtale", date(2026, 7, 6))
    walk.record("praksis_soknad_sendt", date(2026, 7, 6))
    assert walk.steps == {"godkjenning_praksis"}
    assert walk.deadlines()["etteroppfolging_nav"].due == date(2027, 1, 6)
    with pytest.raises(ServiceError, match=r"under kravet.*praksiskrav_timer=8700, praksistimer=8627\.5\b"):
        walk.record("praksis_godkjent", date(2026, 8, 10))
    walk.record("praksis_ikke_godkjent", date(2026, 8, 10), notat="Mangler 72,5 timer")
    assert walk.steps == {"etteroppfolging"}

    walk.record("praksis_dokumentert", date(2026, 9, 7), praksistype="lonnet_arbeid",
                periode_fra="2026-06-16", periode_til="2026-08-31", stillingsprosent="85", timer="360")
    total += 2.5 * MONTH
    assert walk.state.counters["praksistimer"] == total == 8990  # ≥ 8 700
    walk.record("praksis_soknad_sendt", date(2026, 9, 7))
    walk.record("praksis_godkjent", date(2026, 9, 28))
    assert walk.steps == {"fagprove"}
    walk.record("fagprove_avlagt", date(2026, 11, 12), resultat="ikke_bestatt", fagprovedato="2026-11-12")
    assert walk.steps == {"fagprove"}
    walk.record("fagprove_avlagt", date(2027, 2, 4), resultat="bestatt", fagprovedato="2027-02-04")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "fagbrev", date(2027, 2, 4))
    assert {d.status for d in walk.deadlines().values()} <= {"met", "waived"}  # nothing left open
    # (that kurs_bua_slutt, met in 2024, stays met: test_a_deadline_met_earlier_stays_met_when_the_case_ends)
    assert walk.gaps(date(2027, 2, 5)) == []


def test_after_care_hands_over_to_fagbrev_pa_jobb(ctx, clock):
    walk = Walk.start(ctx, clock, "praksiskandidat", date(2023, 1, 9), born=date(1985, 9, 30),
                      settled=date(2020, 1, 14), norwegian_oral="B1", norwegian_written="B1",
                      registered_with_nav=True, has_primary_school=True, kommune="Asker")
    walk.income("introduksjonsstonad", date(2020, 4, 1), date(2024, 6, 30))
    walk.income("lonn", date(2024, 7, 1))
    _to_after_care(walk, course_start=date(2023, 2, 6), exam=date(2024, 6, 12))
    result = walk.record("videre_lop_valgt", date(2024, 9, 2), videre_lop="fagbrev_pa_jobb",
                         notat="Fast ansatt 100 % i godkjent lærebedrift")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("transferred", "overfort", date(2024, 9, 2))
    assert len(result.new_cases) == 1
    new = cases.show(ctx, result.new_cases[0], date(2024, 9, 2))
    assert (new.pathway_id, new.participant_id, new.status, new.start_date) == (
        "fagbrev_pa_jobb", walk.participant, "active", date(2024, 9, 2))
    assert [s["id"] for s in new.steps] == ["opptak"]
    assert new.gaps == []  # wages continue


def test_deadlines_met_before_their_anchor_date(ctx, clock):
    """The admission before the course start, the slowdown before the exam and an income plan made
    in time meet their deadlines, although they are recorded before the anchor date."""
    walk = Walk.start(ctx, clock, "praksiskandidat", date(2024, 5, 6), born=date(1990, 1, 20),
                      settled=date(2021, 2, 15), norwegian_oral="B1", norwegian_written="B1",
                      registered_with_nav=True, kommune="Asker")
    walk.income("introduksjonsstonad", date(2021, 5, 1), date(2025, 4, 30))
    walk.record("kandidat_meldt", date(2024, 5, 13), fagbrevlop="helsefagarbeider", motivert_egnet="ja",
                naer_b1="nei", kursstart="2024-08-19")
    walk.record("opptak_avgjort", date(2024, 6, 10), opptak="tatt_opp", norsktest_niva="B1",
                stonadsperiode_slutt="2025-04-30")
    admission = walk.deadlines()["opptak_for_kursstart"]
    assert (admission.status, admission.met_on) == ("met", date(2024, 6, 10))

    walk.record("kurs_startet", date(2024, 8, 19))
    walk.record("inntektsplan_lagt", date(2025, 2, 10), ny_inntektskilde="tiltakspenger", inntekt_fra="2025-05-01")
    walk.income("tiltakspenger", date(2025, 5, 1), date(2025, 12, 31), planned=True)
    walk.record("eksamen_oppmeldt", date(2025, 3, 3), eksamensdato="2025-06-05")
    walk.record("nedtrapping_avtalt", date(2025, 4, 14))
    deadlines = walk.deadlines(date(2025, 5, 5))
    assert (deadlines["inntektsplan_varsel"].status, deadlines["inntektsplan_varsel"].met_on) == (
        "met", date(2025, 2, 10))
    assert (deadlines["stonad_slutt_uten_inntektsplan"].status,
            deadlines["stonad_slutt_uten_inntektsplan"].met_on) == ("met", date(2025, 2, 10))
    assert (deadlines["nedtrapping_for_eksamen"].status, deadlines["nedtrapping_for_eksamen"].met_on) == (
        "met", date(2025, 4, 14))


def test_finishing_work_training_does_not_finish_the_theory_course(ctx, clock):
    walk = Walk.start(ctx, clock, "praksiskandidat", date(2024, 5, 6), born=date(1990, 1, 20),
                      settled=date(2021, 2, 15), norwegian_oral="B1", norwegian_written="B1",
                      registered_with_nav=True, kommune="Asker")
    walk.record("kandidat_meldt", date(2024, 5, 13), fagbrevlop="helsefagarbeider", motivert_egnet="ja",
                naer_b1="nei", kursstart="2024-08-19")
    walk.record("opptak_avgjort", date(2024, 6, 10), opptak="tatt_opp", norsktest_niva="B1")
    walk.record("kurs_startet", date(2024, 8, 19))
    walk.record("fullfort", date(2025, 3, 3), step="arbeidstrening")  # the work training ends early
    assert walk.steps == {"opplaering", "kurs_fagteori_helse", "bransjenorsk", "arbeidstrening_avsluttet"}
    course = walk.deadlines()["kurs_helsefag_slutt"]
    assert (course.due, course.status) == (date(2025, 8, 19), "open")
    walk.record("fullfort", date(2025, 5, 26), step="kurs_fagteori_helse")
    course = walk.deadlines()["kurs_helsefag_slutt"]
    assert (course.status, course.met_on) == ("met", date(2025, 5, 26))


def test_a_deadline_met_earlier_stays_met_when_the_case_ends(ctx, clock):
    """The theory course was finished in May (its deadline met by leaving the step); the participant
    takes a job and breaks off in the autumn: the course deadline was met, not waived."""
    walk = Walk.start(ctx, clock, "praksiskandidat", date(2024, 5, 6), born=date(1990, 1, 20),
                      settled=date(2021, 2, 15), norwegian_oral="B1", norwegian_written="B1",
                      registered_with_nav=True, kommune="Asker")
    walk.record("kandidat_meldt", date(2024, 5, 13), fagbrevlop="helsefagarbeider", motivert_egnet="ja",
                naer_b1="nei", kursstart="2024-08-19")
    walk.record("opptak_avgjort", date(2024, 6, 10), opptak="tatt_opp", norsktest_niva="B1")
    walk.record("kurs_startet", date(2024, 8, 19))
    walk.record("fullfort", date(2025, 5, 26), step="kurs_fagteori_helse")
    assert walk.deadlines()["kurs_helsefag_slutt"].status == "met"
    walk.record("avbrudd", date(2025, 9, 1))
    assert (walk.state.status, walk.state.outcome) == ("discontinued", "avbrutt")
    course = walk.deadlines()["kurs_helsefag_slutt"]
    assert (course.status, course.met_on) == ("met", date(2025, 5, 26))


def test_practice_not_yet_done_is_refused_and_hours_stay_exact(ctx, clock):
    walk = Walk.start(ctx, clock, "praksiskandidat", date(2024, 5, 6), born=date(1988, 11, 2),
                      settled=date(2021, 2, 15), norwegian_oral="B1", norwegian_written="B1",
                      registered_with_nav=True, gender="female", kommune="Asker")
    walk.record("kandidat_meldt", date(2024, 5, 13), fagbrevlop="helsefagarbeider", motivert_egnet="ja",
                naer_b1="ja", kursstart="2024-08-19")
    # a contract that runs to 2030 is not practice done: refused, naming the field, nothing written
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match=r"ends \(2030-06-30\) after the event date \(2024-05-27\)") as caught:
        walk.record("praksis_dokumentert", date(2024, 5, 27), praksistype="lonnet_arbeid",
                    periode_fra="2021-01-01", periode_til="2030-06-30", stillingsprosent="100", timer="9000")
    assert caught.value.field == "periode_til"
    assert table_counts(ctx) == before
    assert "praksistimer" not in walk.state.counters
    # two partial periods whose hours, added as floats, would carry noise (176.81 + 206.27)
    walk.record("praksis_dokumentert", date(2024, 5, 27), praksistype="tidligere_praksis_utland",
                periode_fra="2010-01-02", periode_til="2010-03-02", stillingsprosent="60", timer="300")
    walk.record("praksis_dokumentert", date(2024, 5, 27), praksistype="tidligere_praksis_utland",
                periode_fra="2011-01-02", periode_til="2011-03-02", stillingsprosent="70", timer="350")
    assert repr(walk.state.counters["praksistimer"]) == "383.08"
