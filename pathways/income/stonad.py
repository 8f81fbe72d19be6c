"""Introduksjonsstønad (the introduction benefit): the yearly rate and wage reduction, on the G table of
:mod:`pathways.income.grunnbelop`.

Rules (domain_rules.md § 1.6, marked [V] there; IMDi, "Introduksjonsstønad"):

- the full rate is **2G a year** (two times folketrygdens grunnbeløp on the day in question);
- under 25 years of age:
  - introduksjonsloven (cases before 2021): **2/3** for everyone under 25;
  - integreringsloven: **2/3** when not living with parents, **1/3** when living with one or both;
- the rate changes on the 25th birthday (DOMAIN.md, "Rules with time in them");
- wages from paid work in the programme, **including lærlinglønn**, reduce the benefit
  (integreringsloven § 23 second paragraph; Prop. 81 L (2024–2025) ch. 7.1);
- the benefit ends with the programme.

Amounts are :class:`~decimal.Decimal` kroner rounded to øre (half up); the sources give no rounding
rule (an open question for the client). Nothing here reads the clock: every function takes its dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from pathways.income.gaps import IncomePeriod
from pathways.income.grunnbelop import DEFAULT_G, GTable, check_date
from pathways.income.intervals import DateSet

ORE = Decimal("0.01")
MONTHS_PER_YEAR = 12
LEGAL_REGIMES = ("introduksjonsloven", "integreringsloven", "integreringsloven_6a")
"""The codes of the participant field ``legal_regime`` (pathways.definition.vocabulary)."""


def _check_regime(legal_regime: str) -> str:
    if legal_regime not in LEGAL_REGIMES:
        raise ValueError(f"unknown legal regime {legal_regime!r}; expected one of: {', '.join(LEGAL_REGIMES)}")
    return legal_regime


def birthday(birth_date: date, years: int) -> date:
    """The day a person born on ``birth_date`` turns ``years``. Born 29 February: 1 March in a year
    without 29 February (an assumption: the sources do not say)."""
    check_date(birth_date, "birth_date")
    day = birth_date + relativedelta(years=years)  # 29 February lands on 28 February in a year without it
    return day + timedelta(days=1) if day.day != birth_date.day else day


def twenty_fifth_birthday(birth_date: date) -> date:
    return birthday(birth_date, 25)


def under_25(on: date, birth_date: date) -> bool:
    """True on the days before the 25th birthday; the full rate applies from the birthday itself."""
    return on < twenty_fifth_birthday(birth_date)


def rate_share(on: date, *, birth_date: date, legal_regime: str, lives_with_parents: bool) -> Fraction:
    """The share of 2G that applies on ``on``: 1, 2/3 or 1/3.

    ``integreringsloven_6a`` (temporary chapter 6A) is treated like integreringsloven: the reference
    files give no separate rate (domain_rules § 1.6 mentions a proposed reduction for people with
    collective protection, not verified).
    """
    _check_regime(legal_regime)
    check_date(on, "on")
    if not under_25(on, birth_date):
        return Fraction(1)
    if legal_regime == "introduksjonsloven" or not lives_with_parents:
        return Fraction(2, 3)
    return Fraction(1, 3)


def yearly_rate(on: date, *, birth_date: date, legal_regime: str, lives_with_parents: bool,
                g: GTable = DEFAULT_G) -> Decimal:
    """The yearly introduksjonsstønad on ``on`` in kroner (øre precision): 2G × the age share."""
    share = rate_share(on, birth_date=birth_date, legal_regime=legal_regime, lives_with_parents=lives_with_parents)
    full = Decimal(2 * g.g_on(on))
    return (full * share.numerator / share.denominator).quantize(ORE, rounding=ROUND_HALF_UP)


def monthly_amount(on: date, *, birth_date: date, legal_regime: str, lives_with_parents: bool,
                   g: GTable = DEFAULT_G) -> Decimal:
    """The full monthly introduksjonsstønad at the rate in force on ``on``: 2G × the age share / 12.

    No proration inside a month when the rate changes (25th birthday, new G on 1 May) and no
    deduction for absence or wages: apply :func:`reduced_for_wages` for the latter.
    """
    share = rate_share(on, birth_date=birth_date, legal_regime=legal_regime, lives_with_parents=lives_with_parents)
    full = Decimal(2 * g.g_on(on))
    return (full * share.numerator / (share.denominator * MONTHS_PER_YEAR)).quantize(ORE, rounding=ROUND_HALF_UP)


def rate_changes(start: date, end: date | None, birth_date: date, *, g: GTable | None = None) -> list[date]:
    """The days after ``start`` and up to ``end`` (inclusive; ``None``: open) on which the rate changes:
    the 25th birthday and, when ``g`` is given, each new G. A check flags a 25th birthday inside
    a programme with ``twenty_fifth_birthday(birth_date) in rate_changes(start, end, birth_date)``."""
    check_date(start, "start")
    if end is not None:
        check_date(end, "end")
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    days: set[date] = set()
    turning = twenty_fifth_birthday(birth_date)
    if start < turning and (end is None or turning <= end):
        days.add(turning)
    if g is not None:
        days.update(g.changes(start, end))
    return sorted(days)


def reduced_for_wages(benefit_month: Decimal, wages_month: Decimal) -> Decimal:
    """The month's benefit after wages: reduced krone for krone, never below 0.

    Integreringsloven § 23 second paragraph: wages from paid work that is part of the programme
    reduce the benefit, and this includes lærlinglønn (domain_rules.md § 1.6 [V], Prop. 81 L
    (2024–2025) ch. 7.1). Simplified here: gross wages of the same month, one krone for one krone,
    whether or not the work is part of the programme, without holiday pay or the arrears timing of
    payments. The exact reduction rule (share, basis, month) is an open question for the client.
    """
    benefit, wages = Decimal(benefit_month), Decimal(wages_month)
    if benefit < 0 or wages < 0:
        raise ValueError(f"benefit and wages must be 0 or more, got benefit {benefit} and wages {wages}")
    return max(Decimal(0), benefit - wages).quantize(ORE, rounding=ROUND_HALF_UP)


def programme_benefit(start: date, end: date | None, *, planned: bool = False, id: int | None = None) -> IncomePeriod:
    """The introduksjonsstønad period of a programme: it runs, and ends, with the programme."""
    return IncomePeriod(source="introduksjonsstonad", start=start, end=end, planned=planned, id=id)


def benefit_periods(start: date, end: date | None, *, unpaid: Iterable[tuple[date, date | None]] = (),
                    planned: bool = False) -> list[IncomePeriod]:
    """The introduksjonsstønad periods of a programme from ``start`` to ``end``, leaving out spans
    without benefit (``unpaid``: leave without benefit, midlertidig stans), each inclusive."""
    if end is not None and end < start:
        raise ValueError(f"programme end {end.isoformat()} is before its start {start.isoformat()}")
    paid = DateSet.of(start, end) - DateSet(unpaid)
    return [programme_benefit(s, e, planned=planned) for s, e in paid.ranges()]
