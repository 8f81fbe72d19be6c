"""Praksiskandidat credit rules for ``rule: practice_hours`` counters.

Credit is counted in calendar months, the way the counties' practice calculators do: a whole
calendar month at a position of at least the counter's ``full_time_percentage`` (80 %) is one
month, a month at a lower position counts in proportion (50 % is half a month), and a month the
period covers only in part counts by its days (15 of 30 days is half). No calendar year gives more
than ``max_months_per_year`` (12) months across all periods recorded (two half positions in one
year make one year, not two); a full year is ``hours_per_year`` hours (8 700 h over five years).
Only practice that has been done is credited: a period ending after the event's date is refused.
Sources: Udir on praksiskandidatordningen; seed 002 (Omlandet); research/domain_rules.md § 2.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

from pathways.definition.schema import Counter
from pathways.messages import Text

MONTH_DIGITS = 6  # months are kept to a millionth (about 3 seconds): no float noise piles up
HOUR_DIGITS = 2


class PracticeError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def months_by_calendar_year(start: date, end: date, factor: float) -> dict[int, float]:
    """Months of practice from ``start`` to ``end`` (both included) at ``factor`` of full time, per year."""
    found: dict[int, float] = {}
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        length = calendar.monthrange(year, month)[1]
        first = start if (year, month) == (start.year, start.month) else date(year, month, 1)
        last = end if (year, month) == (end.year, end.month) else date(year, month, length)
        found[year] = found.get(year, 0.0) + ((last - first).days + 1) / length * factor
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {y: round(m, MONTH_DIGITS) for y, m in found.items()}


def credit_practice(counter: Counter, values: Mapping[str, Any], months_by_year: dict[str, float],
                    on: date) -> float:
    """Hours to credit for the period in ``values``, recorded on ``on``; updates ``months_by_year``
    (credited months per calendar year)."""
    assert counter.period is not None and counter.percentage is not None
    first, last = counter.period
    # the loop below refuses a missing value, which the type checker cannot follow
    start: Any = values.get(first)
    end: Any = values.get(last)
    percentage: Any = values.get(counter.percentage)
    for name, value in ((first, start), (last, end), (counter.percentage, percentage)):
        if value is None:
            raise PracticeError(Text("practice_field_needed", name=name), name)
    if end < start:
        raise PracticeError(Text("practice_ends_before_start", end=end, start=start), last)
    if end > on:
        raise PracticeError(Text("practice_ends_after_event", end=end, on=on), last)
    factor = 1.0 if percentage >= counter.full_time_percentage else percentage / 100
    months = 0.0
    for year, worked in months_by_calendar_year(start, end, factor).items():
        used = months_by_year.get(str(year), 0.0)
        credited = round(max(0.0, min(worked, counter.max_months_per_year - used)), MONTH_DIGITS)
        months_by_year[str(year)] = round(used + credited, MONTH_DIGITS)
        months += credited
    return round(months * counter.hours_per_year / 12, HOUR_DIGITS)
