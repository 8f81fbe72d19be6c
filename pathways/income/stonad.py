"""Introduksjonsstønad (the introduction benefit): the G table, the yearly rate and wage reduction.

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

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from pathways.income.gaps import IncomePeriod
from pathways.income.intervals import DateSet

ORE = Decimal("0.01")
MONTHS_PER_YEAR = 12
LEGAL_REGIMES = ("introduksjonsloven", "integreringsloven", "integreringsloven_6a")
"""The codes of the participant field ``legal_regime`` (pathways.definition.vocabulary)."""

G_HISTORY: tuple[tuple[date, int], ...] = (
    # (effective from, 1G in kroner). Every value takes effect on 1 May and is set by Stortinget
    # after the trygdeoppgjør. Administrators append the new value every year.
    #
    # Cited from the reference files:
    #   - 2015: 90 068 is consistent with seed 003 L1224-1226 ("2G = kr 15 012 pr. måned i 2015",
    #     2 × 90 068 / 12 = 15 011.33); the value itself is the official NAV figure.
    #   - 2019: seed 002 L1865 quotes "1G ... tilsvarer 98 866 kr". That figure is the *average* G for
    #     2019 (stored page langsethservices.no: "Gjennomsnittlig grunnbeløp for 2019 blir dermed
    #     kr 98 866"); G from 1 May 2019 is 99 858 (uio.no, hrmagasinet.no, negotiamagasin.no).
    #     DOMAIN.md's "98 866 from 1 May 2019" is therefore not used as a dated value.
    # Well-known official figures (NAV's table "Grunnbeløpet i folketrygden"), each confirmed in a
    # stored public page except 2025:
    (date(2015, 5, 1), 90_068),  # negotiamagasin.no, regnskapnorge.no
    (date(2016, 5, 1), 92_576),  # regnskapnorge.no, negotiamagasin.no
    (date(2017, 5, 1), 93_634),  # vernepleier.no, negotiamagasin.no
    (date(2018, 5, 1), 96_883),  # nav.no (captured 2018), hrmagasinet.no
    (date(2019, 5, 1), 99_858),  # uio.no, hrmagasinet.no; see the note on 98 866 above
    (date(2020, 5, 1), 101_351),  # verdtavite.kpmg.no (set in September 2020, effective 1 May)
    (date(2021, 5, 1), 106_399),  # verdtavite.kpmg.no
    (date(2022, 5, 1), 111_477),  # pensjonskasser.no
    (date(2023, 5, 1), 118_620),  # tkp.no
    (date(2024, 5, 1), 124_028),  # a university page mirror (mislabelled "1. mai 2023")
    (date(2025, 5, 1), 130_160),  # official figure, not found in a stored page: verify on nav.no
)
G_2019_AVERAGE = 98_866
"""The figure seed 002 calls 1G: the 2019 *average* of G, kept for reference only."""


def _check_date(value: object, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{what} must be a date (not a datetime), got {value!r}")
    return value


@dataclass(frozen=True)
class GTable:
    """A dated table of the basic amount G: each entry holds from its date until the next one."""

    entries: tuple[tuple[date, int], ...]
    _days: tuple[date, ...] = field(repr=False, compare=False)

    def __init__(self, entries: Iterable[tuple[date, int]]) -> None:
        rows = sorted((_check_date(day, "G table date"), amount) for day, amount in entries)
        if not rows:
            raise ValueError("the G table needs at least one (effective_from, amount) entry")
        for (day, amount), (next_day, _) in zip(rows, [*rows[1:], (None, 0)], strict=True):
            if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
                raise ValueError(f"G from {day.isoformat()}: amount must be a positive whole number of kroner, "
                                 f"got {amount!r}")
            if next_day == day:
                raise ValueError(f"the G table has two entries from {day.isoformat()}")
        object.__setattr__(self, "entries", tuple(rows))
        object.__setattr__(self, "_days", tuple(day for day, _ in rows))

    def g_on(self, day: date) -> int:
        """1G in kroner on ``day``. ValueError before the first entry."""
        _check_date(day, "day")
        index = bisect.bisect_right(self._days, day) - 1
        if index < 0:
            raise ValueError(f"the G table starts {self.entries[0][0].isoformat()}; it has no value for "
                             f"{day.isoformat()} (add the older value to the table)")
        return self.entries[index][1]

    def changes(self, start: date, end: date | None) -> list[date]:
        """The dates after ``start`` and up to ``end`` (inclusive; ``None``: no end) when G changes."""
        return [day for day, _ in self.entries if start < day and (end is None or day <= end)]


DEFAULT_G = GTable(G_HISTORY)


def _check_regime(legal_regime: str) -> str:
    if legal_regime not in LEGAL_REGIMES:
        raise ValueError(f"unknown legal regime {legal_regime!r}; expected one of: {', '.join(LEGAL_REGIMES)}")
    return legal_regime


def birthday(birth_date: date, years: int) -> date:
    """The day a person born on ``birth_date`` turns ``years``. Born 29 February: 1 March in a year
    without 29 February (an assumption: the sources do not say)."""
    _check_date(birth_date, "birth_date")
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
    _check_date(on, "on")
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
    _check_date(start, "start")
    if end is not None:
        _check_date(end, "end")
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
