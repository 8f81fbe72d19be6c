"""Praksiskandidat credit rules for ``rule: practice_hours`` counters.

A recorded practice period counts as full time when the position is at least the counter's
``full_time_percentage`` (80 %), in proportion below it; no calendar year gives more than
``max_months_per_year`` (12) full-time months, across all periods recorded (two half positions in one
year make one year, not two); a full year is ``hours_per_year`` hours (8 700 h over five years).
Sources: Udir on praksiskandidatordningen; seed 002 (Omlandet).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

from pathways.definition.schema import Counter


class PracticeError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def credit_practice(counter: Counter, values: Mapping[str, Any], months_by_year: dict[str, float]) -> float:
    """Hours to credit for the period in ``values``; updates ``months_by_year`` (full-time months per year)."""
    assert counter.period is not None and counter.percentage is not None
    first, last = counter.period
    start, end, percentage = values.get(first), values.get(last), values.get(counter.percentage)
    for name, value in ((first, start), (last, end), (counter.percentage, percentage)):
        if value is None:
            raise PracticeError(f"'{name}' is needed to credit practice", name)
    if end < start:
        raise PracticeError(f"the practice period ends ({end}) before it starts ({start})", last)
    factor = 1.0 if percentage >= counter.full_time_percentage else percentage / 100
    hours = 0.0
    for year in range(start.year, end.year + 1):
        days = (min(end, date(year, 12, 31)) - max(start, date(year, 1, 1))).days + 1
        months = days / (366 if calendar.isleap(year) else 365) * 12 * factor
        used = months_by_year.get(str(year), 0.0)
        credited = max(0.0, min(months, counter.max_months_per_year - used))
        months_by_year[str(year)] = used + credited
        hours += credited * counter.hours_per_year / 12
    return round(hours, 2)
