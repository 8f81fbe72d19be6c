"""Income-securing gaps: inputs, the coverage rule, fallback to social assistance, step mismatches,
and one test per gap trigger of DOMAIN.md recreating the situation the sources describe."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pathways.definition.schema import Livelihood
from pathways.income.gaps import (
    LABELS,
    Gap,
    IncomePeriod,
    StepSpan,
    Trigger,
    fallback_spans,
    income_changes,
    income_gaps,
    step_mismatches,
)

INTRO = "introduksjonsstonad"


def gap(start: date, end: date, kind: str = "projected") -> tuple[date, date, int, str]:
    return (start, end, (end - start).days + 1, kind)


def shape(gaps: list[Gap]) -> list[tuple[date, date, int, str]]:
    return [(g.start, g.end, g.days, g.kind) for g in gaps]


# --- inputs ------------------------------------------------------------------------------------


def test_income_period_end_before_start_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"income period \(lonn\): end 2026-01-01 is before start 2026-02-01"):
        IncomePeriod("lonn", date(2026, 2, 1), date(2026, 1, 1))


def test_unknown_source_code_is_rejected_with_the_known_codes() -> None:
    with pytest.raises(ValueError, match=r"unknown livelihood source 'stipend'.*introduksjonsstonad"):
        IncomePeriod("stipend", date(2026, 1, 1), None)
    with pytest.raises(ValueError, match=r"step span 'kurs': unknown livelihood source 'lønn'"):
        StepSpan("kurs", "Kurs", date(2026, 1, 1), None, ("lønn",))


def test_enum_members_are_accepted_and_stored_as_codes() -> None:
    period = IncomePeriod(Livelihood.lonn, date(2026, 1, 1), None)  # type: ignore[arg-type]
    assert period.source == "lonn" and type(period.source) is str
    step = StepSpan("s", "S", date(2026, 1, 1), None, [Livelihood.ingen])  # type: ignore[arg-type]
    assert step.expected == ("ingen",)


def test_dates_must_be_dates() -> None:
    with pytest.raises(ValueError, match="must be a date"):
        IncomePeriod("lonn", datetime(2026, 1, 1, 8, 0), None)
    with pytest.raises(ValueError, match="step span 'x': end 2026-01-01 is before start"):
        StepSpan("x", "X", date(2026, 2, 1), date(2026, 1, 1), ())


def test_every_livelihood_code_has_a_norwegian_label() -> None:
    assert set(LABELS) == {item.value for item in Livelihood}


def test_window_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="active_to 2026-01-01 is before active_from 2026-02-01"):
        income_gaps([], active_from=date(2026, 2, 1), active_to=date(2026, 1, 1), as_of=date(2026, 2, 1))
    with pytest.raises(ValueError, match="horizon_days must be 0 or more"):
        income_gaps([], active_from=date(2026, 2, 1), active_to=None, as_of=date(2026, 2, 1), horizon_days=-1)


# --- the coverage rule -------------------------------------------------------------------------


def test_no_income_at_all_is_one_current_gap_to_the_horizon() -> None:
    gaps = income_gaps([], active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 1, 10), horizon_days=20)
    assert shape(gaps) == [gap(date(2026, 1, 1), date(2026, 1, 30), "current")]
    assert gaps[0].reason == "Ingen inntekt er registrert fra 01.01.2026"
    assert gaps[0].trigger is None


def test_gap_before_as_of_is_current_and_after_is_projected() -> None:
    periods = [IncomePeriod("lonn", date(2026, 1, 10), date(2026, 1, 31)),
               IncomePeriod("lonn", date(2026, 3, 1), None)]
    gaps = income_gaps(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 1, 20))
    assert shape(gaps) == [gap(date(2026, 1, 1), date(2026, 1, 9), "current"),
                           gap(date(2026, 2, 1), date(2026, 2, 28), "projected")]


def test_a_gap_running_through_as_of_stays_one_current_gap() -> None:
    periods = [IncomePeriod("lonn", date(2026, 1, 1), date(2026, 1, 31))]
    gaps = income_gaps(periods, active_from=date(2026, 1, 1), active_to=date(2026, 3, 31), as_of=date(2026, 2, 10))
    assert shape(gaps) == [gap(date(2026, 2, 1), date(2026, 3, 31), "current")]


def test_window_ends_at_active_to_or_the_horizon_whichever_is_first() -> None:
    periods = [IncomePeriod("lonn", date(2026, 1, 1), date(2026, 1, 31))]
    common = {"active_from": date(2026, 1, 1), "as_of": date(2026, 1, 15)}
    assert shape(income_gaps(periods, active_to=date(2026, 2, 5), **common)) == [
        gap(date(2026, 2, 1), date(2026, 2, 5))]
    assert shape(income_gaps(periods, active_to=None, horizon_days=30, **common)) == [
        gap(date(2026, 2, 1), date(2026, 2, 14))]
    # a case that starts after the horizon has nothing to report yet
    assert income_gaps(periods, active_from=date(2026, 6, 1), active_to=None, as_of=date(2026, 1, 1)) == []


def test_open_period_covers_to_the_horizon() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), None)]
    assert income_gaps(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 5, 1)) == []


def test_ingen_is_not_coverage() -> None:
    periods = [IncomePeriod("ingen", date(2026, 1, 1), date(2026, 1, 31))]
    gaps = income_gaps(periods, active_from=date(2026, 1, 1), active_to=date(2026, 1, 31), as_of=date(2026, 1, 1))
    assert shape(gaps) == [gap(date(2026, 1, 1), date(2026, 1, 31), "current")]


def test_planned_coverage_counts_only_for_projection() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 2, 28)),
               IncomePeriod("tiltakspenger", date(2026, 3, 1), date(2026, 6, 30), planned=True)]
    common = {"active_from": date(2026, 1, 1), "active_to": date(2026, 6, 30)}
    # Before 1 March the planned tiltakspenger lie in the future: they cover.
    assert income_gaps(periods, as_of=date(2026, 2, 15), **common) == []
    # On 10 March they should have started but are still not confirmed: a current gap to as_of.
    gaps = income_gaps(periods, as_of=date(2026, 3, 10), **common)
    assert shape(gaps) == [gap(date(2026, 3, 1), date(2026, 3, 10), "current")]
    assert gaps[0].reason == ("Introduksjonsstønad slutter 28.02.2026 og ingen ny inntekt er registrert; "
                              "tiltakspenger fra 01.03.2026 er bare planlagt, ikke bekreftet")


def test_reason_says_when_the_income_before_a_gap_is_only_planned() -> None:
    periods = [IncomePeriod(INTRO, date(2025, 8, 1), date(2026, 7, 31), planned=True)]
    gaps = income_gaps(periods, active_from=date(2025, 8, 1), active_to=None, as_of=date(2025, 7, 20),
                       horizon_days=400)
    assert len(gaps) == 1
    assert gaps[0].reason == "Introduksjonsstønad slutter 31.07.2026 (planlagt) og ingen ny inntekt er registrert"


def test_social_assistance_is_coverage_but_reported_as_fallback() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 3, 31)),
               IncomePeriod("sosialhjelp", date(2026, 2, 1), date(2026, 5, 31))]
    common = {"active_from": date(2026, 1, 1), "active_to": date(2026, 5, 31), "as_of": date(2026, 3, 15)}
    assert income_gaps(periods, **common) == []
    spans = fallback_spans(periods, **common)
    assert shape(spans) == [gap(date(2026, 4, 1), date(2026, 5, 31))]
    assert spans[0].reason == "Introduksjonsstønad slutter 31.03.2026 og bare økonomisk sosialhjelp er registrert"
    assert spans[0].trigger == Trigger.measure_ends_without_job


def test_no_social_assistance_no_fallback() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), None)]
    assert fallback_spans(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 2, 1)) == []


def test_gap_codes_are_stable_strings() -> None:
    assert Trigger.summer_break == "summer_break"
    assert {t.value for t in Trigger} == {
        "stipend_ends_before_course", "measure_ends_without_job", "nav_measure_lower_income",
        "no_livelihood_step", "waiting_first_payment", "contract_lapsed", "summer_break", "leave"}


# --- step mismatches ---------------------------------------------------------------------------


def test_step_expecting_the_benefit_covered_only_by_social_assistance() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 3, 31)),
               IncomePeriod("sosialhjelp", date(2026, 4, 1), date(2026, 4, 30))]
    steps = [StepSpan("kurs", "Norskkurs", date(2026, 1, 1), date(2026, 5, 31), (INTRO,))]
    found = step_mismatches(periods, steps, as_of=date(2026, 4, 10))
    assert [(m.start, m.end, m.days, m.kind, m.present) for m in found] == [
        (date(2026, 4, 1), date(2026, 4, 30), 30, "current", ("sosialhjelp",)),
        (date(2026, 5, 1), date(2026, 5, 31), 31, "projected", ()),
    ]
    assert found[0].reason == ("Steg «Norskkurs» forventer introduksjonsstønad, men bare økonomisk sosialhjelp er "
                               "registrert (01.04.2026–30.04.2026)")
    assert found[1].reason.endswith("men ingen inntekt er registrert (01.05.2026–31.05.2026)")
    assert found[0].step_id == "kurs" and found[0].expected == (INTRO,)


def test_any_expected_source_satisfies_the_step() -> None:
    periods = [IncomePeriod("lonnstilskudd", date(2026, 1, 1), date(2026, 6, 30))]
    steps = [StepSpan("jobb", "Jobb", date(2026, 1, 1), date(2026, 6, 30), ("lonn", "lonnstilskudd"))]
    assert step_mismatches(periods, steps) == []


def test_steps_without_expectation_or_allowing_none_are_skipped() -> None:
    steps = [StepSpan("ut", "Utfall", date(2026, 1, 1), None, ()),
             StepSpan("prak", "Ulønnet praksis", date(2026, 1, 1), None, ("ingen",))]
    assert step_mismatches([], steps) == []


def test_open_step_needs_as_of_and_is_bounded_by_the_horizon() -> None:
    steps = [StepSpan("kurs", "Kurs", date(2026, 1, 1), None, (INTRO,))]
    with pytest.raises(ValueError, match="'kurs' has no end date; pass as_of"):
        step_mismatches([], steps)
    found = step_mismatches([], steps, as_of=date(2026, 1, 1), horizon_days=9)
    assert [(m.start, m.end) for m in found] == [(date(2026, 1, 1), date(2026, 1, 10))]


def test_without_as_of_periods_are_read_as_a_plan() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 1, 31), planned=True)]
    steps = [StepSpan("kurs", "Kurs", date(2026, 1, 1), date(2026, 2, 10), (INTRO,))]
    found = step_mismatches(periods, steps)
    assert [(m.start, m.end, m.kind) for m in found] == [(date(2026, 2, 1), date(2026, 2, 10), "projected")]
    with pytest.raises(ValueError, match="horizon_days"):
        step_mismatches(periods, steps, horizon_days=-1)


# --- one test per trigger ----------------------------------------------------------------------


def test_trigger_1_stipend_ends_before_the_course_or_exam() -> None:
    """Seed 002 IS-22 (Stranna), IS-5 (Omlandet): the stipend runs out before the course ends."""
    periods = [IncomePeriod(INTRO, date(2025, 8, 1), date(2026, 5, 31))]
    steps = [StepSpan("teori", "Teorikurs og eksamen", date(2026, 1, 5), date(2026, 6, 20), (INTRO, "tiltakspenger"))]
    gaps = income_gaps(periods, active_from=date(2025, 8, 1), active_to=date(2026, 6, 30), as_of=date(2026, 5, 1),
                       steps=steps)
    assert shape(gaps) == [gap(date(2026, 6, 1), date(2026, 6, 30))]
    assert gaps[0].trigger == "stipend_ends_before_course"
    assert gaps[0].reason == ("Introduksjonsstønad slutter 31.05.2026, men steg «Teorikurs og eksamen» varer til "
                              "20.06.2026; ingen ny inntekt er registrert")


def test_trigger_2_measure_ends_without_a_job() -> None:
    """Seed 002 IS-18 (Skjærbyen): the project ends without a job, social assistance next."""
    periods = [IncomePeriod("tiltakspenger", date(2026, 1, 1), date(2026, 6, 30))]
    common = {"active_from": date(2026, 1, 1), "active_to": None, "as_of": date(2026, 6, 15), "horizon_days": 30}
    gaps = income_gaps(periods, **common)
    assert shape(gaps) == [gap(date(2026, 7, 1), date(2026, 7, 15))]
    assert gaps[0].trigger == "measure_ends_without_job"
    assert gaps[0].reason == "Tiltakspenger slutter 30.06.2026 og ingen ny inntekt er registrert"
    # ... and once social assistance is granted, the same situation is a fallback span
    periods.append(IncomePeriod("sosialhjelp", date(2026, 7, 1), None))
    assert income_gaps(periods, **common) == []
    spans = fallback_spans(periods, **common)
    assert [(s.start, s.trigger) for s in spans] == [(date(2026, 7, 1), "measure_ends_without_job")]


def test_trigger_3_nav_measure_gives_lower_income_and_does_not_combine_with_apprentice_pay() -> None:
    """Seed 002 IS-9 (Omlandet): a move to a NAV measure gives much lower income and cannot be
    combined with apprentice pay. No day is uncovered, so this is a change, not a gap."""
    periods = [IncomePeriod(INTRO, date(2025, 8, 1), date(2026, 7, 31)),
               IncomePeriod("tiltakspenger", date(2026, 8, 1), date(2026, 12, 31), planned=True),
               IncomePeriod("laerlinglonn", date(2026, 10, 1), None, planned=True)]
    common = {"active_from": date(2025, 8, 1), "active_to": None, "as_of": date(2026, 6, 1), "horizon_days": 180}
    assert income_gaps(periods, **common) == []
    changes = income_changes(periods, **common)
    assert [(c.on, c.kind, c.before, c.after, c.trigger) for c in changes] == [
        (date(2026, 8, 1), "projected", (INTRO,), ("tiltakspenger",), "nav_measure_lower_income"),
        (date(2026, 10, 1), "projected", ("tiltakspenger",), ("laerlinglonn", "tiltakspenger"),
         "nav_measure_lower_income"),
    ]
    assert changes[0].reason == ("Overgang fra introduksjonsstønad til tiltakspenger 01.08.2026 gir vanligvis "
                                 "betydelig lavere inntekt")
    assert changes[1].reason.startswith("Tiltakspenger og lærlinglønn overlapper fra 01.10.2026")
    # a lærling step covered by tiltakspenger only is a step mismatch with the same trigger
    steps = [StepSpan("laere", "Læretid", date(2026, 8, 1), date(2026, 9, 30), ("laerlinglonn",))]
    mismatch = step_mismatches(periods, steps, as_of=date(2026, 6, 1), horizon_days=180)
    assert [(m.present, m.trigger) for m in mismatch] == [(("tiltakspenger",), "nav_measure_lower_income")]


def test_trigger_3_also_seen_across_a_gap() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 5, 31)),
               IncomePeriod("tiltakspenger", date(2026, 8, 1), None, planned=True)]
    changes = income_changes(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 4, 1),
                             horizon_days=180)
    assert [(c.on, c.before, c.after) for c in changes] == [(date(2026, 8, 1), (INTRO,), ("tiltakspenger",))]


def test_no_income_change_warning_for_ordinary_transitions() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 5, 31)),
               IncomePeriod("lonn", date(2026, 6, 1), None)]
    assert income_changes(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 4, 1)) == []


def test_trigger_4_step_without_right_to_livelihood() -> None:
    """Seed 002 IS-21 (pri-kurs), IS-25 (unpaid trial): the step itself gives no livelihood."""
    periods = [IncomePeriod(INTRO, date(2025, 8, 1), date(2026, 7, 31)),
               IncomePeriod("lonn", date(2026, 11, 1), None, planned=True)]
    steps = [StepSpan("praksis", "Ulønnet praksis", date(2026, 8, 1), date(2026, 10, 31), ("ingen",))]
    gaps = income_gaps(periods, active_from=date(2025, 8, 1), active_to=None, as_of=date(2026, 7, 1),
                       horizon_days=180, steps=steps)
    assert shape(gaps) == [gap(date(2026, 8, 1), date(2026, 10, 31))]
    assert gaps[0].trigger == "no_livelihood_step"
    assert gaps[0].reason == ("Steg «Ulønnet praksis» gir ikke rett til livsopphold (introduksjonsstønad slutter "
                              "31.07.2026)")


def test_trigger_4_registered_period_without_livelihood() -> None:
    periods = [IncomePeriod("ingen", date(2026, 3, 1), date(2026, 3, 31), planned=True),
               IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 2, 28))]
    gaps = income_gaps(periods, active_from=date(2026, 1, 1), active_to=date(2026, 3, 31), as_of=date(2026, 2, 1))
    assert [(g.start, g.trigger) for g in gaps] == [(date(2026, 3, 1), "no_livelihood_step")]
    assert gaps[0].reason.startswith("Perioden fra 01.03.2026 er registrert uten livsopphold")


def test_trigger_5_waiting_for_the_first_payment_at_settlement() -> None:
    """Seed 003 IG-1 (Hamar): social assistance at settlement while the benefit is not yet paid."""
    periods = [IncomePeriod(INTRO, date(2026, 4, 1), None, planned=True)]
    common = {"active_from": date(2026, 3, 1), "active_to": None, "as_of": date(2026, 3, 10)}
    gaps = income_gaps(periods, **common)
    assert shape(gaps) == [gap(date(2026, 3, 1), date(2026, 3, 31), "current")]
    assert gaps[0].trigger == "waiting_first_payment"
    assert gaps[0].reason == ("Venter på første utbetaling: introduksjonsstønad starter 01.04.2026 (planlagt); "
                              "ingen inntekt er registrert fra 01.03.2026")
    periods.append(IncomePeriod("sosialhjelp", date(2026, 3, 1), date(2026, 3, 31)))
    assert income_gaps(periods, **common) == []
    spans = fallback_spans(periods, **common)
    assert [(s.start, s.end, s.trigger) for s in spans] == [
        (date(2026, 3, 1), date(2026, 3, 31), "waiting_first_payment")]
    assert "bare økonomisk sosialhjelp er registrert fra 01.03.2026" in spans[0].reason


def test_trigger_6_fagbrev_pa_jobb_contract_lapses_with_the_employment() -> None:
    """domain_rules § 5.2 item 7: the contract is cancelled when the candidate leaves the company."""
    periods = [IncomePeriod("lonn", date(2025, 9, 1), date(2026, 2, 28))]
    steps = [StepSpan("moduler", "Fagbrev på jobb – moduler", date(2025, 9, 1), date(2027, 6, 30), ("lonn",))]
    gaps = income_gaps(periods, active_from=date(2025, 9, 1), active_to=None, as_of=date(2026, 3, 2), steps=steps)
    assert [(g.start, g.kind, g.trigger) for g in gaps] == [(date(2026, 3, 1), "current", "contract_lapsed")]
    assert gaps[0].reason == ("Lønn slutter 28.02.2026, og kontrakten i steg «Fagbrev på jobb – moduler» faller bort "
                              "når arbeidsforholdet slutter; ingen ny inntekt er registrert")


def test_trigger_6_also_when_step_and_wages_stop_together() -> None:
    periods = [IncomePeriod("lonn", date(2025, 9, 1), date(2026, 2, 28))]
    steps = [StepSpan("moduler", "Moduler", date(2025, 9, 1), date(2026, 2, 28), ("lonn",))]
    gaps = income_gaps(periods, active_from=date(2025, 9, 1), active_to=None, as_of=date(2026, 2, 1), steps=steps)
    assert [g.trigger for g in gaps] == ["contract_lapsed"]


def test_trigger_7_programme_follows_the_school_calendar_in_summer() -> None:
    """domain_rules § 1.5 / § 5.2 item 2: the programme must run all year (at most 5 weeks off)."""
    periods = [IncomePeriod(INTRO, date(2025, 8, 15), date(2026, 6, 19)),
               IncomePeriod(INTRO, date(2026, 8, 17), date(2027, 6, 18), planned=True)]
    gaps = income_gaps(periods, active_from=date(2025, 8, 15), active_to=None, as_of=date(2026, 6, 1),
                       horizon_days=120)
    assert shape(gaps) == [gap(date(2026, 6, 20), date(2026, 8, 16))]
    assert gaps[0].trigger == "summer_break"
    assert gaps[0].reason == ("Introduksjonsstønad slutter 19.06.2026 og ingen ny inntekt er registrert i "
                              "sommerferien før introduksjonsstønad starter 17.08.2026 (planlagt); programmet skal "
                              "gå hele året")


def test_trigger_8_leave_inside_a_time_limited_track() -> None:
    """Seed 002 IS-7 (Omlandet): after pregnancy leave continuation cannot be guaranteed."""
    periods = [IncomePeriod(INTRO, date(2025, 8, 1), date(2026, 3, 31))]
    steps = [StepSpan("kurs", "Fagbrevkurs", date(2025, 8, 1), None, (INTRO,)),
             StepSpan("permisjon", "Svangerskapspermisjon", date(2026, 4, 1), date(2026, 9, 30), ("ingen",),
                      pause=True)]
    gaps = income_gaps(periods, active_from=date(2025, 8, 1), active_to=None, as_of=date(2026, 3, 15), steps=steps)
    assert [(g.start, g.trigger) for g in gaps] == [(date(2026, 4, 1), "leave")]
    assert gaps[0].reason == ("Permisjon («Svangerskapspermisjon») fra 01.04.2026: ingen ny inntekt er registrert, "
                              "og videre løp etter permisjonen er ikke sikret")


def test_trigger_8_leave_benefit_ends() -> None:
    periods = [IncomePeriod("foreldrepenger", date(2026, 1, 1), date(2026, 4, 30))]
    gaps = income_gaps(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 4, 1))
    assert [g.trigger for g in gaps] == ["leave"]
    assert gaps[0].reason == ("Foreldrepenger slutter 30.04.2026 og ingen ny inntekt er registrert; videre løp etter "
                              "permisjonen er ikke sikret")


def test_pause_expecting_a_leave_benefit_is_a_step_mismatch_with_trigger_leave() -> None:
    steps = [StepSpan("permisjon", "Sykdom", date(2026, 4, 1), date(2026, 4, 30), ("sykepenger",), pause=True)]
    found = step_mismatches([], steps)
    assert [(m.trigger, m.reason.split(" forventer")[0]) for m in found] == [("leave", "Permisjon «Sykdom»")]


def test_wages_ending_without_a_contract_step_has_no_trigger() -> None:
    periods = [IncomePeriod("lonn", date(2026, 1, 1), date(2026, 1, 31))]
    gaps = income_gaps(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 1, 15))
    assert [(g.trigger, g.reason) for g in gaps] == [
        (None, "Lønn slutter 31.01.2026 og ingen ny inntekt er registrert")]


def test_reasons_carry_no_personal_data() -> None:
    periods = [IncomePeriod(INTRO, date(2026, 1, 1), date(2026, 1, 31), id=4711)]
    steps = [StepSpan("kurs", "Kurs", date(2026, 1, 1), date(2026, 3, 1), (INTRO,))]
    gaps = income_gaps(periods, active_from=date(2026, 1, 1), active_to=None, as_of=date(2026, 1, 15), steps=steps)
    assert gaps and all("4711" not in g.reason for g in gaps)
