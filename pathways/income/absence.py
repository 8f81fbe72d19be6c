"""Absence (fravær) in the introduction programme and the deduction it makes in introduksjonsstønad.

Rules (domain_rules.md § 1.7, marked [V] there):

- absence that is not approved (not illness or another compelling welfare reason) **reduces the benefit by
  the length of the absence** (integreringsloven § 17; introduksjonsloven § 12; IMDi, «Fravær og
  permisjoner etter integreringsloven»: https://www.imdi.no/kvalifisering/regelverk/introduksjonsprogrammet/
  fravar-og-permisjoner-etter-integreringsloven/); approved absence reduces nothing;
- the deduction needs a formal decision (vedtak) when it is **at least half of one payment and at least
  1/12 G** (the same source);
- the programme is full time: **37.5 hours a week** all year (integreringsloven § 14 a, domain_rules.md
  § 1.5), so a working day has 7.5 programme hours.

How the deduction is computed here (the sources give the principle, not the arithmetic: an open
question for the client, written down so it can be checked):

- one programme hour is worth the yearly benefit at that day's rate divided by 1 950 hours
  (37.5 hours × 52 weeks): the hour-by-hour reading of «by the length of the absence»;
- absence is recorded in hours per month; the hours are spread evenly over the month's programme days
  (Monday to Friday, not public holidays, inside the programme), and each day's share is deducted at that
  day's rate. A month in which the rate changes (the 25th birthday, a new G on 1 May) is deducted at
  the mean of its days' hourly rates, so no hour is priced at a rate that did not apply;
- amounts are kroner rounded to øre (half up), as the benefit itself (:mod:`pathways.income.stonad`).

Nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pathways.calendar import is_working_day

HOURS_PER_WEEK = Decimal("37.5")
HOURS_PER_DAY = HOURS_PER_WEEK / 5
HOURS_PER_YEAR = HOURS_PER_WEEK * 52  # 1 950
ORE = Decimal("0.01")


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def programme_days(month: date, start: date, end: date | None) -> list[date]:
    """The programme's working days in ``month`` (any day of it): Monday to Friday, not a public
    holiday, from ``start`` to ``end`` (inclusive; None: still running)."""
    first, last = max(month_start(month), start), month_end(month)
    if end is not None:
        last = min(last, end)
    days = []
    day = first
    while day <= last:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def programme_hours(month: date, start: date, end: date | None) -> Decimal:
    """The programme hours of ``month`` inside the programme: 7.5 for each programme day."""
    return HOURS_PER_DAY * len(programme_days(month, start, end))


def deduction(hours: Decimal, days: list[date], yearly_rate: Callable[[date], Decimal]) -> Decimal:
    """What ``hours`` of absence not approved, spread over ``days`` (a month's programme days), take off the
    benefit: each day's share of the hours at that day's hourly rate (``yearly_rate(day)`` / 1 950)."""
    hours = Decimal(hours)
    if hours < 0:
        raise ValueError(f"absence hours must be 0 or more, not {hours}")
    if hours == 0:
        return Decimal("0.00")
    if not days:
        raise ValueError("absence needs at least one programme day in the month")
    mean_yearly = sum((Decimal(yearly_rate(d)) for d in days), Decimal(0)) / len(days)
    return (hours * mean_yearly / HOURS_PER_YEAR).quantize(ORE, rounding=ROUND_HALF_UP)


def needs_decision(deducted: Decimal, payment: Decimal, g: int | Decimal) -> bool:
    """A deduction of at least half of the payment and at least 1/12 G needs a formal decision."""
    return deducted > 0 and deducted * 2 >= payment and deducted * 12 >= Decimal(g)
