"""Time rules for deadlines: the clock, Norwegian working days and due dates.

Everything in the engine that needs "now" or "today" gets a :class:`Clock` injected; nothing reads
the system clock itself (ARCHITECTURE.md decisions 2 and 8). Production code uses
:class:`SystemClock`; tests use :class:`FixedClock` and move it with ``advance`` or ``set``.

Dates are :class:`datetime.date`; instants are aware :class:`datetime.datetime` in Europe/Oslo
(:data:`OSLO`).

A Norwegian working day is Monday to Friday and not a public holiday (helligdag or lovbestemt
høytidsdag: nyttårsdag, skjærtorsdag, langfredag, 2. påskedag, 1. mai, 17. mai, Kristi
himmelfartsdag, 2. pinsedag, 1. og 2. juledag). The holidays come from the ``holidays`` package,
never from a list written here. The package can count every Sunday as a holiday
(``include_sundays``); we always ask for it to be off, so the holiday table holds only the real
public holidays, and weekends are handled by the weekday rule. Christmas Eve and New Year's Eve are
not public holidays and so count as working days.

Counting is arithmetic, not a day-by-day loop: weekdays between two dates follow from their
ordinals, and the public holidays that fall on weekdays are subtracted per year from a cached,
sorted table. ``add_working_days`` with a large ``n`` therefore costs a few bisections per year
spanned.

The ``holidays`` package only knows Norway for the years 1901–2100 and silently returns no holidays
outside that range; asking this module about a date outside it raises :class:`ValueError` instead
of giving a quietly wrong answer.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import holidays

from pathways.definition.periods import Period
from pathways.definition.schema import DayCount

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "OSLO",
    "Clock",
    "FixedClock",
    "SystemClock",
    "add_working_days",
    "due_date",
    "is_working_day",
    "public_holidays",
    "working_days_between",
]

OSLO = ZoneInfo("Europe/Oslo")

_COUNTRY = "NO"
_range = holidays.country_holidays(_COUNTRY, include_sundays=False)
FIRST_YEAR: int = _range.start_year
"""First year the ``holidays`` package has Norwegian public holidays for."""
LAST_YEAR: int = _range.end_year
"""Last year the ``holidays`` package has Norwegian public holidays for."""
del _range


# --------------------------------------------------------------------------------------------- clock


@runtime_checkable
class Clock(Protocol):
    """Where services get the current date and instant from."""

    def today(self) -> date:
        """The current date in Europe/Oslo."""
        ...

    def now(self) -> datetime:
        """The current instant, aware, in Europe/Oslo."""
        ...


class SystemClock:
    """The real clock, in Europe/Oslo."""

    def now(self) -> datetime:
        return datetime.now(OSLO)

    def today(self) -> date:
        return self.now().date()

    def __repr__(self) -> str:
        return "SystemClock()"


def _as_oslo(when: date | datetime) -> datetime:
    """A date becomes midnight in Oslo; a naive datetime is read as Oslo wall time."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            return _normalise(when.replace(tzinfo=OSLO))
        return when.astimezone(OSLO)
    if isinstance(when, date):
        return datetime.combine(when, time(0, 0), tzinfo=OSLO)
    raise TypeError(f"expected a date or datetime, got {type(when).__name__}")


def _normalise(moment: datetime) -> datetime:
    """Resolve a wall time that does not exist (spring forward) or is ambiguous to a real instant."""
    return moment.astimezone(UTC).astimezone(OSLO)


class FixedClock:
    """A clock that stands still until a test moves it.

    ``FixedClock(date(2026, 3, 2))`` stands at midnight Oslo time on that day; a naive datetime is
    read as Oslo wall time; an aware one is converted to Oslo.
    """

    def __init__(self, when: date | datetime) -> None:
        self._now = _as_oslo(when)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, when: date | datetime) -> datetime:
        """Move the clock to ``when`` (forwards or backwards); returns the new instant."""
        self._now = _as_oslo(when)
        return self._now

    def advance(self, days: int = 0, *, weeks: int = 0, hours: float = 0, minutes: float = 0,
                seconds: float = 0) -> datetime:
        """Move the clock on (negative values move it back); returns the new instant.

        Days and weeks move the wall clock (noon stays noon across a change to or from summer
        time); hours, minutes and seconds are elapsed time.
        """
        moved = _normalise(self._now + timedelta(days=days, weeks=weeks))
        elapsed = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if elapsed:
            moved = (moved.astimezone(UTC) + elapsed).astimezone(OSLO)
        self._now = moved
        return moved

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()})"


# ------------------------------------------------------------------------------------ public holidays


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"no Norwegian public holidays known for {year} (the holidays package covers {FIRST_YEAR}–{LAST_YEAR})")


@functools.cache
def _holidays_of(year: int) -> dict[date, str]:
    _check_year(year)
    table = holidays.country_holidays(_COUNTRY, years=year, include_sundays=False, language="no")
    return dict(sorted(table.items()))


@functools.cache
def _weekday_holidays(year: int) -> tuple[int, ...]:
    """Ordinals of the public holidays of ``year`` that fall on Monday–Friday, sorted."""
    return tuple(d.toordinal() for d in _holidays_of(year) if d.weekday() < 5)


@functools.cache
def _weekday_holiday_set(year: int) -> frozenset[int]:
    return frozenset(_weekday_holidays(year))


def public_holidays(year: int) -> dict[date, str]:
    """The Norwegian public holidays of ``year`` with their names in bokmål, in date order.

    Holidays on a weekend are included (17 May on a Saturday is still Grunnlovsdag); Sundays as
    such are not. Names of two holidays on the same day are joined with '; '.
    """
    return dict(_holidays_of(year))


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a Norwegian public holiday."""
    return d.weekday() < 5 and d.toordinal() not in _weekday_holiday_set(d.year)


# ----------------------------------------------------------------------------------- working days
#
# Ordinal 1 (0001-01-01) is a Monday, so the number of weekdays with ordinal 1..x is
# 5 * (x // 7) + min(x % 7, 5), and its inverse gives the x-th weekday.


def _weekdays_upto(x: int) -> int:
    """Number of Monday–Friday days with ordinal in 1..x."""
    weeks, rest = divmod(x, 7)
    return 5 * weeks + min(rest, 5)


def _nth_weekday(t: int) -> int:
    """Ordinal of the t-th weekday counted from ordinal 1 (t ≥ 1), i.e. the x with _weekdays_upto(x) == t
    that is itself a weekday."""
    weeks, rest = divmod(t - 1, 5)
    return 7 * weeks + rest + 1


def _holidays_in(lo: int, hi: int) -> int:
    """Number of weekday public holidays with ordinal in lo < x <= hi (lo <= hi)."""
    if hi <= lo:
        return 0
    first, last = date.fromordinal(lo + 1).year, date.fromordinal(hi).year
    count = 0
    for year in range(first, last + 1):
        table = _weekday_holidays(year)
        count += bisect_right(table, hi) - bisect_right(table, lo)
    return count


def _check_range(*days: date) -> None:
    for d in days:
        _check_year(d.year)


def working_days_between(a: date, b: date) -> int:
    """Number of working days d with a < d <= b; negative (minus the count for b < d <= a) if b < a.

    ``working_days_between(d, d) == 0``; from a Friday to the next Monday is 1 on ordinary weeks.
    """
    if b < a:
        return -working_days_between(b, a)
    _check_range(a, b)
    lo, hi = a.toordinal(), b.toordinal()
    return _weekdays_upto(hi) - _weekdays_upto(lo) - _holidays_in(lo, hi)


def add_working_days(start: date, n: int) -> date:
    """Count ``n`` Norwegian working days from ``start``.

    n > 0: the n-th working day after ``start`` (``start`` itself does not count).
    n = 0: ``start`` if it is a working day, else the next working day.
    n < 0: the |n|-th working day before ``start``.
    """
    _check_range(start)
    if n == 0:
        return start if is_working_day(start) else add_working_days(start, 1)
    if n > 0:
        # Jump to the n-th weekday after start, then once more for each holiday jumped over.
        cur, remaining = start.toordinal(), n
        while True:
            cand = _nth_weekday(_weekdays_upto(cur) + remaining)
            remaining = _holidays_in(cur, cand)
            if remaining == 0:
                return _checked(cand)
            cur = cand
    # Backwards: the largest weekday x before `end` with exactly `remaining` weekdays in [x, end).
    end, remaining = start.toordinal(), -n
    while True:
        cand = _nth_weekday(_weekdays_upto(end - 1) - remaining + 1)
        remaining = _holidays_in(cand - 1, end - 1)
        if remaining == 0:
            return _checked(cand)
        end = cand


def _checked(ordinal: int) -> date:
    if ordinal < 1:
        raise ValueError("date out of range")
    result = date.fromordinal(ordinal)
    _check_year(result.year)
    return result


# --------------------------------------------------------------------------------------- due dates


def due_date(anchor: date, period: Period, day_count: DayCount | str = DayCount.calendar) -> date:
    """When a deadline of ``period`` from ``anchor`` falls due.

    ``day_count`` "calendar": calendar arithmetic (three months after 31 January is 30 April).
    ``day_count`` "working": the period must be in days only (P10D, P2W) and counts Norwegian
    working days with :func:`add_working_days` (P0D means ``anchor`` or the next working day).
    """
    try:
        kind = DayCount(day_count)
    except ValueError:
        choices = ", ".join(repr(k.value) for k in DayCount)
        raise ValueError(f"unknown day count {day_count!r}; expected one of {choices}") from None
    if kind is DayCount.calendar:
        return period.add_to(anchor)
    if not period.only_days:
        raise ValueError(f"a deadline in working days must be given in days or weeks, not {period}")
    return add_working_days(anchor, period.days)
