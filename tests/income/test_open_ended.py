"""Gaps the look-ahead horizon cuts are open-ended: their end is not known, only that they last at least
the days up to the horizon. A gap that closes on the horizon, or with the case, is not open-ended."""

from __future__ import annotations

from datetime import date

from pathways.income.gaps import IncomePeriod, StepSpan, fallback_spans, income_gaps, step_mismatches

AS_OF = date(2026, 12, 7)  # + 90 days = 7 March 2027
HORIZON_END = date(2027, 3, 7)
WINDOW = {"active_from": date(2026, 8, 1), "as_of": AS_OF, "horizon_days": 90}
BENEFIT = IncomePeriod("introduksjonsstonad", date(2026, 8, 1), date(2027, 2, 6))


def test_a_gap_running_past_the_horizon_is_open_ended_and_says_so() -> None:
    [gap] = income_gaps([BENEFIT], active_to=None, **WINDOW)
    assert (gap.start, gap.end, gap.days, gap.open_ended) == (date(2027, 2, 7), HORIZON_END, 29, True)
    assert gap.span() == "fra 07.02.2027, minst 29 dager"


def test_a_gap_that_ends_on_the_horizon_or_with_the_case_is_closed() -> None:
    wages = IncomePeriod("lonn", HORIZON_END.replace(day=8), None, planned=True)
    [gap] = income_gaps([BENEFIT, wages], active_to=None, **WINDOW)
    assert (gap.end, gap.open_ended) == (HORIZON_END, False)
    assert gap.span() == "07.02.2027 – 07.03.2027 (29 dager)"
    [ends] = income_gaps([BENEFIT], active_to=date(2027, 2, 20), **WINDOW)
    assert (ends.end, ends.open_ended) == (date(2027, 2, 20), False)
    [case_ends_on_the_horizon] = income_gaps([BENEFIT], active_to=HORIZON_END, **WINDOW)
    assert not case_ends_on_the_horizon.open_ended
    [one] = income_gaps([BENEFIT, IncomePeriod("lonn", date(2027, 2, 8), None, planned=True)], active_to=None, **WINDOW)
    assert one.span() == "07.02.2027 – 07.02.2027 (1 dag)"


def test_social_assistance_only_past_the_horizon_is_open_ended() -> None:
    social = IncomePeriod("sosialhjelp", date(2027, 2, 7), None, planned=True)
    [span] = fallback_spans([BENEFIT, social], active_to=None, **WINDOW)
    assert (span.start, span.end, span.open_ended) == (date(2027, 2, 7), HORIZON_END, True)
    social_ends = IncomePeriod("sosialhjelp", date(2027, 2, 7), HORIZON_END, planned=True)
    [closed] = fallback_spans([BENEFIT, social_ends], active_to=None, **WINDOW)
    assert not closed.open_ended
    wages = IncomePeriod("lonn", date(2027, 3, 8), None, planned=True)
    [taken_over] = fallback_spans([BENEFIT, social, wages], active_to=None, **WINDOW)
    assert not taken_over.open_ended


def test_a_step_without_its_livelihood_past_the_horizon_is_open_ended() -> None:
    course = StepSpan("kurs", "Kurs", date(2026, 8, 1), None, ("introduksjonsstonad",))
    [missing] = step_mismatches([BENEFIT], [course], as_of=AS_OF, horizon_days=90)
    assert (missing.start, missing.end, missing.open_ended) == (date(2027, 2, 7), HORIZON_END, True)
    assert missing.reason.endswith("(fra 07.02.2027, minst 29 dager)")
    short = StepSpan("kurs", "Kurs", date(2026, 8, 1), date(2027, 2, 20), ("introduksjonsstonad",))
    [closed] = step_mismatches([BENEFIT], [short], as_of=AS_OF, horizon_days=90)
    assert not closed.open_ended and closed.reason.endswith("(07.02.2027–20.02.2027)")
