"""PAI renhold (Ringsaker): an introduction-programme participant admitted in June, through the 10.5-month
course that follows the school year (August–June) to the kursbevis, whose introduksjonsstønad ends
before the June test (gap trigger 1) and who leaves the course for økonomisk sosialhjelp (IG-9)."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.income.gaps import fallback_spans
from pathways.services import livelihood
from pathways.services.context import ServiceError
from tests.scenarios.walk import Walk

COURSE_START = date(2025, 8, 4)  # the adult-education centre starts early in August
COURSE_END = date(2026, 6, 19)  # 4 August + 10 months 15 days: the last school day in June


def admitted(ctx, clock) -> Walk:
    """A second-year introduction participant admitted in June who starts the course on 4 August."""
    walk = Walk.start(ctx, clock, "pai_renhold", date(2025, 6, 2), born=date(1986, 3, 14), settled=date(2023, 9, 4),
                      kommune="Ringsaker", norwegian_oral="A2", norwegian_written="A1", gender="female",
                      education_track="spor1")
    # a two-year programme from 2 October 2023, extended to 30 April 2026
    walk.income("introduksjonsstonad", date(2023, 10, 2), date(2026, 4, 30))
    walk.record("opptak_vurdert", date(2025, 6, 12), opptaksvurdering="tatt_opp",
                inntaksgruppe="introduksjonsprogram")
    walk.record("fullfort", COURSE_START, step="venter_kursstart")
    return walk


def test_from_admission_in_june_to_kursbevis_and_social_assistance(ctx, clock):
    walk = Walk.start(ctx, clock, "pai_renhold", date(2025, 6, 2), born=date(1986, 3, 14), settled=date(2023, 9, 4),
                      kommune="Ringsaker", norwegian_oral="A2", norwegian_written="A1", gender="female",
                      education_track="spor1")
    walk.income("introduksjonsstonad", date(2023, 10, 2), date(2026, 4, 30))
    assert walk.steps == {"opptak"}
    assert walk.deadlines() == {}

    # admitted at the June interview; the course (and its clock) starts only in August
    walk.record("opptak_vurdert", date(2025, 6, 12), opptaksvurdering="tatt_opp",
                inntaksgruppe="introduksjonsprogram")
    assert walk.steps == {"venter_kursstart"}
    assert walk.deadlines() == {}

    walk.record("fullfort", COURSE_START)
    assert walk.steps == {"intensiv_norsk"}
    deadlines = walk.deadlines()
    assert (deadlines["kursslutt"].due, deadlines["kursslutt"].kind) == (COURSE_END, "reminder")
    assert (deadlines["praksisavtale_frist"].due, deadlines["praksisavtale_frist"].kind) == (
        date(2025, 11, 4), "breach")
    # the transition plan, the test registration and the test open with the placement (their while_in)
    assert not {"overgangsplan_frist", "norskprove_pamelding", "norskprove_avlagt_frist"} & set(deadlines)
    assert {d.status for d in deadlines.values()} == {"open"}
    assert walk.gaps() == []  # the introduction benefit runs beyond the 90-day horizon

    walk.record("kortkurs_fullfort", date(2025, 8, 27), kortkurs="forstehjelp")
    assert walk.steps == {"intensiv_norsk"}
    walk.record("fullfort", date(2025, 9, 15))  # six weeks of intensive Norwegian
    assert walk.steps == {"fagkurs_renhold"}
    # without a placement agreement by 4 November, the three-month rule is breached
    assert walk.deadlines(date(2025, 11, 4))["praksisavtale_frist"].status == "open"
    assert walk.deadlines(date(2025, 11, 5))["praksisavtale_frist"].status == "breached"

    # the placement and the buddy are matched during the cleaning course
    walk.record("praksisavtale_signert", date(2025, 10, 24), praksissted="Ringsaker kommune, renhold Moelv skole",
                fadder="Renholdsleder ved Moelv skole", praksisstart="2025-11-03")
    assert walk.steps == {"fagkurs_renhold"}
    agreement = walk.deadlines()["praksisavtale_frist"]
    assert (agreement.status, agreement.met_on) == ("met", date(2025, 10, 24))

    walk.record("fagkurs_fullfort", date(2025, 10, 31), fagkurstimer=175)  # 5 weeks × 35 hours
    assert walk.steps == {"praksis"}
    deadlines = walk.deadlines()
    assert deadlines["praksisavtale_frist"].status == "met"
    visit = deadlines["praksisbesok"]
    assert visit.recurring and visit.due == date(2025, 12, 12)  # every six weeks from the placement step

    walk.record("praksisbesok_gjennomfort", date(2025, 12, 3), besoksdato="2025-12-03")
    assert walk.deadlines()["praksisbesok"].due == date(2026, 1, 14)
    walk.record("praksistimer_registrert", date(2025, 12, 31), praksistimer_periode=84)
    walk.record("praksisbesok_gjennomfort", date(2026, 1, 14), besoksdato="2026-01-14")
    walk.record("praksistimer_registrert", date(2026, 1, 30), praksistimer_periode=84)
    assert walk.state.counters == {"praksisbesok": 2, "praksistimer": 168}
    assert walk.deadlines()["praksisbesok"].due == date(2026, 2, 25)

    # the benefit ends 30 April, seven weeks before the June test: a projected gap from 1 May
    gaps = walk.gaps(date(2026, 3, 10), horizon=90)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2026, 5, 1), date(2026, 6, 8), "projected")]
    assert "Introduksjonsstønad slutter 30.04.2026" in gaps[0].reason

    # NAV agrees the transition plan: job search, with social assistance until a job is found
    walk.record("overgangsplan_avtalt", date(2026, 3, 10), planlagt_overgang="arbeid", livsopphold_etter="sosialhjelp")
    social = walk.income("sosialhjelp", date(2026, 5, 1), date(2026, 6, 30), planned=True)
    assert walk.gaps(date(2026, 3, 10), horizon=90) == []  # social assistance counts as coverage ...
    with ctx.transaction() as session:
        periods = livelihood.periods_of(session, walk.participant)
    warning = fallback_spans(periods, active_from=date(2025, 6, 2), active_to=None, as_of=date(2026, 3, 10),
                             horizon_days=90)
    # ... but living on it alone is the warning sign of IG-9
    assert [(s.start, s.end, s.kind) for s in warning] == [(date(2026, 5, 1), date(2026, 6, 8), "projected")]

    # registering for the June test is possible from the placement (the reminder is open there)
    walk.record("oppmeldt_norskprove", date(2026, 4, 8), provedato="2026-06-03")
    assert walk.steps == {"praksis"}

    walk.record("fullfort", date(2026, 4, 17))  # 5.5 months of placement, 3 November – mid-April
    assert walk.steps == {"norsk_fram_til_prove"}
    assert "praksisbesok" not in walk.deadlines()
    assert walk.deadlines()["kursslutt"].status == "open"

    # 4 May: the social-assistance decision is not yet made; the days since 1 May are a current gap
    gaps = walk.gaps(date(2026, 5, 4), horizon=30)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2026, 5, 1), date(2026, 5, 4), "current")]
    assert "bare planlagt" in gaps[0].reason
    livelihood.end_income(ctx, social, date(2026, 6, 30), planned=False)  # NAV's decision is confirmed
    assert walk.gaps(date(2026, 5, 4), horizon=30) == []

    walk.record("norskprove_avlagt", date(2026, 6, 3), provedato="2026-06-03", resultat_muntlig="A2",
                resultat_skriftlig="A2")
    assert walk.state.counters["norskprover"] == 1
    assert walk.deadlines(date(2026, 6, 19))["norskprove_avlagt_frist"].due == COURSE_END

    walk.record("fullfort", COURSE_END)
    assert walk.steps == {"kursbevis"}
    with pytest.raises(ServiceError, match="cannot be recorded in the current step"):
        walk.record("overgang_registrert", COURSE_END, overgang="arbeid")  # no transition before the kursbevis
    walk.record("kursbevis_utstedt", COURSE_END, kursbevis_dato="2026-06-19", praksis_maneder=5.5)
    assert walk.steps == {"videre_lop"}
    end = walk.deadlines()["kursslutt"]
    assert (end.status, end.met_on) == ("met", COURSE_END)
    # social assistance is planned to stop 30 June: a projected gap while the transition is open
    gaps = walk.gaps(date(2026, 6, 19), horizon=30)
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2026, 7, 1), date(2026, 7, 19), "projected")]

    # no job: the participant goes on social assistance (IG-9)
    walk.record("overgang_registrert", date(2026, 6, 22), overgang="sosialhjelp", livsopphold_etter="sosialhjelp")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "sosialhjelp", date(2026, 6, 22))
    assert walk.steps == set()
    assert walk.deadlines()["kursslutt"].status == "met"
    assert walk.gaps(date(2026, 6, 22)) == []  # no active case: no gaps to watch
    assert walk.allowed() == set()


def test_the_course_clock_starts_on_the_first_course_day_not_at_admission(ctx, clock):
    walk = admitted(ctx, clock)
    assert walk.state.entered["venter_kursstart"] == date(2025, 6, 12)
    assert walk.deadlines()["kursslutt"].anchor_date == COURSE_START
    assert walk.deadlines()["kursslutt"].due == COURSE_END


def test_plans_registration_and_test_before_the_course_ends_meet_their_deadlines(ctx, clock):
    """A deadline counted back from the course end (kursslutt − 3 months, − 2 months, and the end
    itself) is met by its event recorded before it falls due."""
    walk = admitted(ctx, clock)
    walk.record("fullfort", date(2025, 9, 15))
    walk.record("praksisavtale_signert", date(2025, 10, 24), praksissted="Moelv skole", fadder="Renholdsleder",
                praksisstart="2025-11-03")
    walk.record("fagkurs_fullfort", date(2025, 10, 31), fagkurstimer=175)
    walk.record("overgangsplan_avtalt", date(2026, 3, 10), planlagt_overgang="arbeid", livsopphold_etter="sosialhjelp")
    walk.record("oppmeldt_norskprove", date(2026, 4, 8), provedato="2026-06-03")
    walk.record("fullfort", date(2026, 4, 17))
    walk.record("norskprove_avlagt", date(2026, 6, 3), provedato="2026-06-03", resultat_muntlig="B1",
                resultat_skriftlig="A2")
    deadlines = walk.deadlines()
    assert (deadlines["overgangsplan_frist"].status, deadlines["overgangsplan_frist"].met_on) == (
        "met", date(2026, 3, 10))
    assert (deadlines["norskprove_pamelding"].status, deadlines["norskprove_pamelding"].met_on) == (
        "met", date(2026, 4, 8))
    assert (deadlines["norskprove_avlagt_frist"].status, deadlines["norskprove_avlagt_frist"].met_on) == (
        "met", date(2026, 6, 3))


def test_the_twice_yearly_trekantsamtale_is_not_reset_by_each_new_step(ctx, clock):
    """Twice a year (every 6 months) from the course start while the course runs: the move from
    intensive Norwegian to the cleaning course to the placement does not restart the interval."""
    walk = admitted(ctx, clock)
    assert walk.deadlines()["trekantsamtale"].due == date(2026, 2, 4)
    walk.record("fullfort", date(2025, 9, 15))
    walk.record("fagkurs_fullfort", date(2025, 10, 31), fagkurstimer=175)
    assert walk.deadlines()["trekantsamtale"].due == date(2026, 2, 4)
    walk.record("trekantsamtale_gjennomfort", date(2026, 1, 28))
    assert walk.deadlines()["trekantsamtale"].due == date(2026, 7, 28)


def test_benefit_ending_before_the_june_test_is_a_stipend_gap(ctx, clock):
    """Gap trigger 1: the introduction benefit ends (30 April) before the course the participant is on
    ends (19 June), even when the step running on 30 April is the placement, expected to end mid-April."""
    walk = admitted(ctx, clock)
    walk.record("fullfort", date(2025, 9, 15))
    walk.record("fagkurs_fullfort", date(2025, 10, 31), fagkurstimer=175)
    gaps = walk.gaps(date(2026, 3, 10), horizon=90)
    assert [(g.start, g.trigger) for g in gaps] == [(date(2026, 5, 1), "stipend_ends_before_course")]
