"""Each rule of the nightly checks with an injected date: it fires when it should, stays quiet
otherwise, and its flag is resolved (with the reason kept) when the condition goes away."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from pathways.checks.sweep import AUTO_RESOLUTION, run_checks
from pathways.services import cases, livelihood, participants
from pathways.store.tables import Flag
from tests.scenarios.walk import Walk


def flags(ctx, kind: str | None = None) -> dict[str, Flag]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(Flag).where(Flag.kind == kind) if kind else select(Flag)).all()
    return {f.natural_key: f for f in rows}


def open_flags(ctx, kind: str) -> list[Flag]:
    return [f for f in flags(ctx, kind).values() if f.state == "open"]


def check(ctx, on: date, family: str):
    return run_checks(ctx.engine, on, [family])


def se_walk(ctx, clock, start=date(2025, 9, 1)) -> Walk:
    return Walk.start(ctx, clock, "supported_employment", start, born=date(1994, 2, 10), settled=date(2022, 8, 1),
                      norwegian_oral="A2", gender="female")


def test_deadline_reminder_comes_due_then_is_met(ctx, clock):
    walk = se_walk(ctx, clock)
    check(ctx, date(2025, 9, 10), "deadlines")
    assert open_flags(ctx, "frist_paminnelse") == []  # due 1 October: more than 14 days ahead
    report = check(ctx, date(2025, 9, 20), "deadlines")
    [reminder] = open_flags(ctx, "frist_paminnelse")
    assert reminder.due == date(2025, 10, 1) and "Første arbeidsgiverkontakt" in reminder.message
    assert report.counts["frist_paminnelse"] == {"new": 1, "open": 1, "resolved": 0}
    walk.record("samarbeidsavtale_signert", date(2025, 9, 22), avtaledato="2025-09-22", programslutt_dato="2026-07-31")
    walk.record("karriereplan_utarbeidet", date(2025, 9, 24), karriereveiledning_gjennomfort="ja")
    assert len(open_flags(ctx, "frist_paminnelse")) == 1  # events that do not meet the deadline leave it
    walk.record("arbeidsgiverkontakt", date(2025, 9, 25), step="finne_jobb", kontaktdato="2025-09-25",
                arbeidsgiver="Kiwi", kontakttype="jobbsnekring")
    # the event that meets the deadline resolves its flag at once, in the same transaction
    [resolved] = flags(ctx, "frist_paminnelse").values()
    assert (resolved.state, resolved.resolved_by) == ("resolved", "test")
    assert "oppfylt" in resolved.resolution
    report = check(ctx, date(2025, 9, 26), "deadlines")
    assert open_flags(ctx, "frist_paminnelse") == []
    assert report.counts["frist_paminnelse"] == {"new": 0, "open": 0, "resolved": 0}


def test_the_nightly_check_resolves_a_deadline_flag_whose_condition_went_away(ctx, clock):
    se_walk(ctx, clock)
    check(ctx, date(2025, 9, 20), "deadlines")
    [reminder] = open_flags(ctx, "frist_paminnelse")
    check(ctx, date(2025, 10, 3), "deadlines")  # the reminder's day has passed
    resolved = flags(ctx, "frist_paminnelse")[reminder.natural_key]
    assert (resolved.state, resolved.resolved_by, resolved.resolution) == ("resolved", "system", AUTO_RESOLUTION)


def test_a_reminder_whose_day_passed_is_not_flagged_again_but_a_breach_is(ctx, clock):
    se_walk(ctx, clock)
    check(ctx, date(2025, 9, 20), "deadlines")
    assert len(open_flags(ctx, "frist_paminnelse")) == 1
    check(ctx, date(2025, 10, 3), "deadlines")  # the reminder's day has passed: it has done its job
    assert open_flags(ctx, "frist_paminnelse") == [] and open_flags(ctx, "frist_brudd") == []


def test_breach_deadline_coming_due_then_passed(ctx, clock):
    walk = se_walk(ctx, clock)
    walk.record("samarbeidsavtale_signert", date(2025, 9, 10), avtaledato="2025-09-10", programslutt_dato="2026-07-31")
    check(ctx, date(2026, 7, 20), "deadlines")  # programslutt_uten_inntekt is a breach deadline on 31 July
    assert [f.kind for f in open_flags(ctx, "frist_nar")] == ["frist_nar"]
    check(ctx, date(2026, 8, 2), "deadlines")
    assert open_flags(ctx, "frist_nar") == [] and [f.due for f in open_flags(ctx, "frist_brudd")] == [
        date(2026, 7, 31)]


def test_programme_end_horizons_and_nav_dialogue(ctx, clock):
    walk = se_walk(ctx, clock)
    walk.record("samarbeidsavtale_signert", date(2025, 9, 10), avtaledato="2025-09-10", programslutt_dato="2026-07-31")
    walk.record("karriereplan_utarbeidet", date(2025, 10, 1), karriereveiledning_gjennomfort="ja")
    check(ctx, date(2026, 3, 1), "programme_end")
    assert flags(ctx) == {}  # 152 days ahead: quiet
    check(ctx, date(2026, 5, 15), "programme_end")  # 77 days: the 90-day horizon, and within 3 months
    assert {f.kind for f in open_flags(ctx, "programslutt")} == {"programslutt"}
    assert "om 77 dager" in open_flags(ctx, "programslutt")[0].message
    assert len(open_flags(ctx, "nav_dialog")) == 1
    check(ctx, date(2026, 7, 10), "programme_end")  # 21 days: the 30-day horizon replaces the 90-day one
    assert [f.natural_key.rsplit(":", 1)[1] for f in open_flags(ctx, "programslutt")] == ["30"]
    walk.record("inntektsplan_registrert", date(2026, 7, 10), neste_inntektskilde="lonn", fra_dato="2026-08-01")
    check(ctx, date(2026, 7, 11), "programme_end")
    assert open_flags(ctx, "nav_dialog") == []


def test_programme_end_as_of_a_past_date_uses_the_state_of_that_date(ctx, clock):
    """The stored status of cases and deadlines is the one of the last write (the real clock): a check as
    of an earlier date reads past what happened since."""
    planned = {"avtaledato": "2025-09-10", "programslutt_dato": "2026-07-31"}
    met_later = se_walk(ctx, clock)
    met_later.record("samarbeidsavtale_signert", date(2025, 9, 10), **planned)
    breached_later = se_walk(ctx, clock)
    breached_later.record("samarbeidsavtale_signert", date(2025, 9, 10), **planned)
    breached_later.record("karriereplan_utarbeidet", date(2025, 10, 1), karriereveiledning_gjennomfort="ja")
    started_later = se_walk(ctx, clock, start=date(2026, 6, 1))
    started_later.record("samarbeidsavtale_signert", date(2026, 6, 5), **planned)
    # the plan for life after the programme meets the deadline on 10 July, and counts as the NAV dialogue
    met_later.record("inntektsplan_registrert", date(2026, 7, 10), neste_inntektskilde="lonn", fra_dato="2026-08-01")
    breached_later.record("arbeidsgiverkontakt", date(2026, 8, 5), step="finne_jobb", kontaktdato="2026-08-05",
                          arbeidsgiver="Kiwi", kontakttype="jobbsnekring")  # the deadline is stored breached
    clock.set(date(2026, 9, 1))
    cases.discontinue(ctx, breached_later.case, date(2026, 8, 10))  # and then waived: the case ended

    check(ctx, date(2026, 5, 15), "programme_end")  # 77 days before the end; the third case had not started
    ending = {f.enrolment_id: f.natural_key.rsplit(":", 1)[1] for f in open_flags(ctx, "programslutt")}
    assert ending == {met_later.case: "90", breached_later.case: "90"}
    assert {f.enrolment_id for f in open_flags(ctx, "nav_dialog")} == {met_later.case, breached_later.case}
    check(ctx, date(2026, 7, 20), "programme_end")  # the plan of 10 July met the deadline from then on
    ending = {f.enrolment_id: f.natural_key.rsplit(":", 1)[1] for f in open_flags(ctx, "programslutt")}
    assert ending == {breached_later.case: "30", started_later.case: "30"}
    assert {f.enrolment_id for f in open_flags(ctx, "nav_dialog")} == {breached_later.case, started_later.case}
    check(ctx, date(2026, 9, 1), "programme_end")  # today: the end has passed
    assert open_flags(ctx, "programslutt") == [] and open_flags(ctx, "nav_dialog") == []


def test_income_gap_projected_then_closed(ctx, clock):
    walk = se_walk(ctx, clock)
    walk.income("introduksjonsstonad", date(2025, 9, 1), date(2026, 7, 31))
    check(ctx, date(2026, 3, 1), "income_gaps")
    assert flags(ctx, "inntektsgap") == {}  # the end is beyond the 90-day horizon
    check(ctx, date(2026, 6, 1), "income_gaps")
    [gap] = open_flags(ctx, "inntektsgap")
    assert gap.due == date(2026, 8, 1) and gap.severity == "medium" and "Introduksjonsstønad slutter" in gap.message
    walk.income("lonn", date(2026, 8, 1))
    check(ctx, date(2026, 6, 2), "income_gaps")
    assert open_flags(ctx, "inntektsgap") == []


def test_the_25th_birthday_during_the_introduction_programme(ctx, clock):
    walk = Walk.start(ctx, clock, "introduksjonsprogram", date(2026, 9, 1), born=date(2001, 12, 1),
                      settled=date(2026, 8, 20), norwegian_oral="A1")
    check(ctx, date(2026, 9, 15), "birthday")
    assert flags(ctx, "fyller_25") == {}  # 77 days ahead: beyond the 60-day window
    check(ctx, date(2026, 11, 1), "birthday")
    [flag] = open_flags(ctx, "fyller_25")
    assert flag.due == date(2026, 12, 1) and "fyller 25 år 01.12.2026" in flag.message
    walk.record("avbrudd", date(2026, 11, 2))
    check(ctx, date(2026, 11, 3), "birthday")
    assert open_flags(ctx, "fyller_25") == []


def test_settlement_without_a_decision(ctx, clock):
    pid = participants.add_participant(ctx, name="Yonas", born="1990-05-06", settled="2026-06-01", kommune="Asker")
    check(ctx, date(2026, 8, 1), "settlement")
    assert flags(ctx) == {}  # within the 3 months
    check(ctx, date(2026, 9, 15), "settlement")
    [flag] = open_flags(ctx, "vedtak_mangler")
    assert flag.participant_id == pid and flag.due == date(2026, 9, 1)
    case = cases.enrol(ctx, pid, "introduksjonsprogram", date(2026, 9, 16))
    clock.set(date(2026, 9, 30))
    cases.advance(ctx, case, "fullfort", date(2026, 9, 20))
    cases.advance(ctx, case, "kartlegging_fullfort", date(2026, 9, 25))
    check(ctx, date(2026, 9, 26), "settlement")
    assert len(open_flags(ctx, "vedtak_mangler")) == 1  # enrolled, but still waiting for the decision
    cases.advance(ctx, case, "vedtak_fattet", date(2026, 9, 28), {"programstart_dato": "2026-10-05"})
    check(ctx, date(2026, 9, 29), "settlement")
    assert open_flags(ctx, "vedtak_mangler") == []


def test_two_years_since_settlement_without_a_decision(ctx, clock):
    participants.add_participant(ctx, name="Nour", born="1985-01-01", settled="2024-12-01", kommune="Asker")
    check(ctx, date(2026, 8, 1), "settlement")
    assert open_flags(ctx, "botid_2_ar") == []  # the window closes 1 December: more than 90 days ahead
    check(ctx, date(2026, 9, 15), "settlement")
    assert [f.due for f in open_flags(ctx, "botid_2_ar")] == [date(2026, 12, 1)]


def test_caseload_per_jobbspesialist(ctx, clock):
    clock.set(date(2026, 1, 1))
    made = []
    for n in range(21):
        pid = participants.add_participant(ctx, name=f"D{n}", born="1990-01-01", settled="2024-01-01",
                                           kommune="Lørenskog")
        made.append(cases.enrol(ctx, pid, "supported_employment", date(2025, 12, 1), caseworker="Kari Jobbspesialist"))
    check(ctx, date(2026, 1, 2), "caseload")
    [flag] = open_flags(ctx, "saksmengde")
    assert "Kari Jobbspesialist har 21 aktive saker" in flag.message and flag.enrolment_id is None
    clock.set(date(2026, 1, 3))
    cases.discontinue(ctx, made[0], date(2026, 1, 2))
    check(ctx, date(2026, 1, 3), "caseload")
    assert open_flags(ctx, "saksmengde") == []


def test_unpaid_practice_that_lasts(ctx, clock):
    walk = se_walk(ctx, clock)
    walk.record("samarbeidsavtale_signert", date(2025, 9, 10), avtaledato="2025-09-10", programslutt_dato="2026-07-31")
    walk.record("karriereplan_utarbeidet", date(2025, 10, 1), karriereveiledning_gjennomfort="ja")
    walk.record("praksis_startet", date(2025, 11, 3), praksis_startdato="2025-11-03", arbeidsgiver="Rema 1000",
                ansettelse_pa_sikt="ja")
    check(ctx, date(2026, 1, 20), "unpaid_practice")
    assert flags(ctx) == {}  # 11 weeks
    check(ctx, date(2026, 2, 10), "unpaid_practice")
    [flag] = open_flags(ctx, "ulonnet_praksis")
    assert "Ulønnet praksis siden 03.11.2025" in flag.message
    walk.record("ansatt", date(2026, 2, 12), startdato="2026-02-12", arbeidsgiver="Rema 1000", ansettelsesform="fast",
                stillingsprosent="80", lonnstilskudd="nei")
    check(ctx, date(2026, 2, 13), "unpaid_practice")
    assert open_flags(ctx, "ulonnet_praksis") == []


def test_fagbrev_pa_jobb_contract_without_employment(ctx, clock):
    walk = Walk.start(ctx, clock, "fagbrev_pa_jobb", date(2025, 1, 6), born=date(1986, 4, 20),
                      settled=date(2017, 10, 1), norwegian_oral="B1", norwegian_written="B1",
                      has_primary_school=True, gender="female")
    wages = walk.income("lonn", date(2022, 8, 15))
    walk.record("opptakskrav_vurdert", date(2025, 1, 27), laerefag="barne_og_ungdomsarbeider", stillingsprosent="100",
                godkjent_laerebedrift="ja", praksis_ar="2,5", arbeidsgiver="Skårer barnehage")
    walk.record("realkompetanse_vurdert", date(2025, 2, 24), kontraktslengde_mnd="18")
    walk.record("kontrakt_signert", date(2025, 3, 10), kontrakt_start="2025-03-10", kontrakt_slutt="2026-09-09",
                kontraktslengde_mnd="18")
    check(ctx, date(2025, 6, 1), "contract_employment")
    assert flags(ctx) == {}
    livelihood.end_income(ctx, wages, date(2025, 10, 31))
    check(ctx, date(2025, 11, 5), "contract_employment")
    [flag] = open_flags(ctx, "kontrakt_uten_arbeid")
    assert flag.severity == "high"
    walk.income("lonn", date(2025, 11, 10))
    check(ctx, date(2025, 11, 12), "contract_employment")
    assert open_flags(ctx, "kontrakt_uten_arbeid") == []


def test_unknown_family_is_refused(ctx):
    with pytest.raises(ValueError, match="unknown rule family 'birthdays'"):
        run_checks(ctx.engine, date(2026, 1, 1), ["birthdays"])
