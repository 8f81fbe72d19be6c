"""A period added to a date: the fast arithmetic of ``Period.add_to`` against dateutil's ``relativedelta``,
which it replaced on the nightly check's hot path (every step of every case)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.definition.periods import Period

DATES = st.one_of(st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29),
                                                date(2026, 1, 31), date(2026, 3, 31)]))


def _outcome(call):  # the date, or the kind of error
    try:
        return call()
    except (ValueError, OverflowError) as exc:
        return type(exc).__name__ if isinstance(exc, OverflowError) else "ValueError"


@settings(max_examples=3000, deadline=None)
@given(start=DATES, years=st.integers(-30, 30), months=st.integers(-400, 400), days=st.integers(-5000, 5000))
def test_add_to_equals_relativedelta_for_any_period_and_date(start, years, months, days):
    period = Period(years, months, days, text="P")
    assert _outcome(lambda: period.add_to(start)) == _outcome(
        lambda: start + relativedelta(years=years, months=months, days=days))


def test_the_month_end_is_kept_as_relativedelta_keeps_it():
    assert Period(0, 1, 0, text="P1M").add_to(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Period(1, 0, 0, text="P1Y").add_to(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Period(0, -1, 3, text="-P1M3D").add_to(date(2026, 3, 31)) == date(2026, 3, 3)
