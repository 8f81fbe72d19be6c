"""Property tests: the checks against a day-by-day reference (a set of covered days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.definition.schema import Livelihood
from pathways.income.gaps import IncomePeriod, StepSpan, fallback_spans, income_gaps, step_mismatches

BASE = date(2026, 1, 1)
ONE = timedelta(days=1)
CODES = [item.value for item in Livelihood]


def d(offset: int) -> date:
    return BASE + timedelta(days=offset)


periods_strategy = st.lists(
    st.builds(
        lambda source, start, length, planned: IncomePeriod(source, d(start), None if length is None else
                                                            d(start + length), planned=planned),
        st.sampled_from(CODES), st.integers(0, 90), st.one_of(st.none(), st.integers(0, 40)), st.booleans(),
    ),
    max_size=10,
)


@dataclass
class Case:
    periods: list[IncomePeriod]
    active_from: date
    active_to: date | None
    as_of: date
    horizon_days: int


case_strategy = st.builds(
    lambda periods, start, length, as_of, horizon: Case(periods, d(start), None if length is None else
                                                        d(start + length), d(as_of), horizon),
    periods_strategy, st.integers(0, 40), st.one_of(st.none(), st.integers(0, 90)), st.integers(0, 100),
    st.integers(0, 60),
)


def sources_on(periods: list[IncomePeriod], day: date, as_of: date | None) -> set[str]:
    """The reference: which sources count on ``day`` (planned ones only after ``as_of``)."""
    return {p.source for p in periods
            if p.start <= day and (p.end is None or day <= p.end)
            and (not p.planned or as_of is None or day > as_of)}


def runs(days: list[date], as_of: date | None) -> list[tuple[date, date, int, str]]:
    """Maximal runs of consecutive days, with the kind of the run's first day."""
    out: list[tuple[date, date, int, str]] = []
    for day in days:
        if out and out[-1][1] + ONE == day:
            start = out[-1][0]
            out[-1] = (start, day, (day - start).days + 1, out[-1][3])
        else:
            out.append((day, day, 1, "current" if as_of is not None and day <= as_of else "projected"))
    return out


def window(case: Case) -> list[date]:
    last = case.as_of + timedelta(days=case.horizon_days)
    if case.active_to is not None and case.active_to < last:
        last = case.active_to
    n = (last - case.active_from).days + 1
    return [case.active_from + timedelta(days=i) for i in range(max(n, 0))]


def kwargs(case: Case) -> dict:
    return {"active_from": case.active_from, "active_to": case.active_to, "as_of": case.as_of,
            "horizon_days": case.horizon_days}


@settings(max_examples=400, deadline=None)
@given(case_strategy)
def test_income_gaps_match_the_day_by_day_reference(case: Case) -> None:
    expected = runs([day for day in window(case) if not sources_on(case.periods, day, case.as_of) - {"ingen"}],
                    case.as_of)
    gaps = income_gaps(case.periods, **kwargs(case))
    assert [(g.start, g.end, g.days, g.kind) for g in gaps] == expected
    assert all(g.reason and g.reason[0].isupper() for g in gaps)


@settings(max_examples=400, deadline=None)
@given(case_strategy)
def test_fallback_spans_match_the_day_by_day_reference(case: Case) -> None:
    expected = runs([day for day in window(case)
                     if sources_on(case.periods, day, case.as_of) - {"ingen"} == {"sosialhjelp"}], case.as_of)
    spans = fallback_spans(case.periods, **kwargs(case))
    assert [(s.start, s.end, s.days, s.kind) for s in spans] == expected


@settings(max_examples=200, deadline=None)
@given(case_strategy)
def test_gaps_and_fallback_never_overlap_and_steps_do_not_change_the_days(case: Case) -> None:
    steps = [StepSpan("a", "A", d(0), d(30), ("introduksjonsstonad",)),
             StepSpan("b", "B", d(20), None, ("ingen",)),
             StepSpan("p", "P", d(50), d(60), ("ingen",), pause=True)]
    plain = income_gaps(case.periods, **kwargs(case))
    with_steps = income_gaps(case.periods, **kwargs(case), steps=steps)
    assert [(g.start, g.end) for g in plain] == [(g.start, g.end) for g in with_steps]
    gap_days = {g.start + timedelta(days=i) for g in plain for i in range(g.days)}
    fallback_days = {s.start + timedelta(days=i) for s in fallback_spans(case.periods, **kwargs(case))
                     for i in range(s.days)}
    assert not gap_days & fallback_days


step_strategy = st.builds(
    lambda start, length, expected: StepSpan("s", "Steg", d(start), d(start + length), tuple(expected)),
    st.integers(0, 60), st.integers(0, 40),
    st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True),
)


@settings(max_examples=300, deadline=None)
@given(periods_strategy, step_strategy, st.one_of(st.none(), st.integers(0, 100)), st.integers(0, 60))
def test_step_mismatches_match_the_day_by_day_reference(periods: list[IncomePeriod], step: StepSpan,
                                                        as_of_offset: int | None, horizon: int) -> None:
    as_of = None if as_of_offset is None else d(as_of_offset)
    found = step_mismatches(periods, [step], as_of=as_of, horizon_days=horizon)
    if "ingen" in step.expected:
        assert found == []
        return
    assert step.end is not None
    last = step.end if as_of is None else min(step.end, as_of + timedelta(days=horizon))
    expected: list[tuple[date, date, tuple[str, ...]]] = []
    day = step.start
    while day <= last:
        present = sources_on(periods, day, as_of) - {"ingen"}
        if not present & set(step.expected):
            key = tuple(sorted(present))
            if expected and expected[-1][1] + ONE == day and expected[-1][2] == key:
                expected[-1] = (expected[-1][0], day, key)
            else:
                expected.append((day, day, key))
        day += ONE
    assert [(m.start, m.end, m.present) for m in found] == expected
    assert all(m.days == (m.end - m.start).days + 1 for m in found)
