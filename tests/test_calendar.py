"""Norwegian working days, due dates and clocks (pathways.calendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    OSLO,
    Clock,
    FixedClock,
    SystemClock,
    add_working_days,
    due_date,
    is_working_day,
    public_holidays,
    working_days_between,
)
from pathways.definition.periods import Period
from pathways.definition.schema import DayCount

D = date


# ------------------------------------------------------------------------------- reference (slow)


def ref_add(start: date, n: int) -> date:
    one = timedelta(days=1)
    if n == 0:
        d = start
        while not is_working_day(d):
            d += one
        return d
    step = one if n > 0 else -one
    d, left = start, abs(n)
    while left:
        d += step
        if is_working_day(d):
            left -= 1
    return d


def ref_between(a: date, b: date) -> int:
    if b < a:
        return -ref_between(b, a)
    return sum(is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


# ----------------------------------------------------------------------------------- holidays


@pytest.mark.parametrize("year, expected", [
    (2025, [D(2025, 1, 1), D(2025, 4, 17), D(2025, 4, 18), D(2025, 4, 20), D(2025, 4, 21), D(2025, 5, 1),
            D(2025, 5, 17), D(2025, 5, 29), D(2025, 6, 8), D(2025, 6, 9), D(2025, 12, 25), D(2025, 12, 26)]),
    (2026, [D(2026, 1, 1), D(2026, 4, 2), D(2026, 4, 3), D(2026, 4, 5), D(2026, 4, 6), D(2026, 5, 1),
            D(2026, 5, 14), D(2026, 5, 17), D(2026, 5, 24), D(2026, 5, 25), D(2026, 12, 25), D(2026, 12, 26)]),
])
def test_public_holidays_are_the_twelve_and_no_plain_sundays(year: int, expected: list[date]) -> None:
    table = public_holidays(year)
    assert list(table) == expected
    assert table[D(year, 5, 17)] == "Grunnlovsdag"


def test_constitution_day_on_a_weekend_is_not_moved() -> None:
    # 17 May 2025 is a Saturday and 17 May 2026 a Sunday: nothing moves to the Friday or Monday.
    assert not is_working_day(D(2025, 5, 17))
    assert is_working_day(D(2025, 5, 16))
    assert is_working_day(D(2025, 5, 19))
    assert is_working_day(D(2026, 5, 18))
    assert not is_working_day(D(2024, 5, 17))  # a Friday
    assert add_working_days(D(2025, 5, 16), 1) == D(2025, 5, 19)
    assert add_working_days(D(2024, 5, 16), 1) == D(2024, 5, 21)  # Fri 17 May, weekend, Mon 20 = 2. pinsedag


@pytest.mark.parametrize("day", [
    D(2025, 4, 17), D(2025, 4, 18), D(2025, 4, 21),  # skjærtorsdag, langfredag, 2. påskedag 2025
    D(2026, 4, 2), D(2026, 4, 3), D(2026, 4, 6),  # the same in 2026
    D(2025, 5, 1), D(2026, 5, 1),  # 1. mai
    D(2025, 5, 29), D(2026, 5, 14),  # Kristi himmelfartsdag
    D(2025, 6, 9), D(2026, 5, 25),  # 2. pinsedag
    D(2025, 12, 25), D(2025, 12, 26), D(2026, 1, 1), D(2026, 12, 25),  # jul og nyttår
])
def test_weekday_public_holidays_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5
    assert not is_working_day(day)


@pytest.mark.parametrize("day", [
    D(2025, 4, 16),  # onsdag før påske
    D(2025, 4, 22),  # tirsdag etter påske
    D(2025, 12, 24), D(2025, 12, 31),  # julaften, nyttårsaften: not public holidays
    D(2026, 4, 1), D(2026, 4, 7), D(2026, 5, 15), D(2026, 5, 26),
])
def test_ordinary_weekdays_around_holidays_are_working_days(day: date) -> None:
    assert is_working_day(day)


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(D(2026, 3, 7))  # Saturday
    assert not is_working_day(D(2026, 3, 8))  # Sunday
    assert is_working_day(D(2026, 3, 9))


def test_years_the_holidays_package_does_not_cover_are_refused() -> None:
    assert (FIRST_YEAR, LAST_YEAR) == (1901, 2100)
    with pytest.raises(ValueError, match="1901"):
        is_working_day(D(1900, 1, 2))
    with pytest.raises(ValueError):
        add_working_days(D(2100, 12, 30), 5)
    with pytest.raises(ValueError):
        working_days_between(D(2026, 1, 1), D(2101, 1, 3))


# ------------------------------------------------------------------------------- working days


def test_ten_working_days_across_easter_2025() -> None:
    # Monday 14 April 2025: Tue–Wed (2), skjærtorsdag, langfredag, weekend, 2. påskedag skipped,
    # Tue 22 – Fri 25 (6), Mon 28 – Wed 30 (9), 1 May skipped, Fri 2 May (10).
    assert add_working_days(D(2025, 4, 14), 10) == D(2025, 5, 2)
    assert working_days_between(D(2025, 4, 14), D(2025, 5, 2)) == 10
    assert add_working_days(D(2025, 5, 2), -10) == D(2025, 4, 14)


def test_ten_working_days_across_easter_2026() -> None:
    # Monday 30 March 2026: Tue 31, Wed 1 (2), Easter Thu 2 – Mon 6 skipped, Tue 7 – Fri 10 (6),
    # Mon 13 – Thu 16 (10).
    assert add_working_days(D(2026, 3, 30), 10) == D(2026, 4, 16)
    assert add_working_days(D(2026, 3, 30), 2) == D(2026, 4, 1)
    assert add_working_days(D(2026, 3, 30), 3) == D(2026, 4, 7)


def test_christmas_and_new_year() -> None:
    # Tue 23 Dec 2025 + 1 = Wed 24 (julaften counts); + 2 = Mon 29; + 5 = Fri 2 Jan 2026.
    assert add_working_days(D(2025, 12, 23), 1) == D(2025, 12, 24)
    assert add_working_days(D(2025, 12, 23), 2) == D(2025, 12, 29)
    assert add_working_days(D(2025, 12, 23), 5) == D(2026, 1, 2)
    assert working_days_between(D(2025, 12, 23), D(2026, 1, 2)) == 5


def test_ascension_and_whit_monday_2026() -> None:
    # Wed 13 May 2026 + 1 = Fri 15 (Kristi himmelfartsdag Thu 14 skipped);
    # Fri 22 May + 1 = Tue 26 (2. pinsedag Mon 25 skipped).
    assert add_working_days(D(2026, 5, 13), 1) == D(2026, 5, 15)
    assert add_working_days(D(2026, 5, 22), 1) == D(2026, 5, 26)
    assert add_working_days(D(2026, 5, 26), -1) == D(2026, 5, 22)


def test_negative_counts() -> None:
    assert add_working_days(D(2026, 3, 9), -1) == D(2026, 3, 6)  # Monday → previous Friday
    assert add_working_days(D(2026, 3, 8), -1) == D(2026, 3, 6)  # Sunday → Friday
    assert add_working_days(D(2025, 4, 22), -1) == D(2025, 4, 16)  # Tuesday after Easter → Wednesday before
    assert add_working_days(D(2026, 1, 2), -1) == D(2025, 12, 31)
    assert working_days_between(D(2025, 5, 2), D(2025, 4, 14)) == -10


def test_zero_on_a_saturday_is_the_next_monday() -> None:
    assert add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 9)
    assert add_working_days(D(2026, 3, 9), 0) == D(2026, 3, 9)
    assert add_working_days(D(2025, 4, 17), 0) == D(2025, 4, 22)  # skjærtorsdag → Tuesday after Easter


def test_between_is_half_open() -> None:
    friday, monday = D(2026, 3, 6), D(2026, 3, 9)
    assert working_days_between(friday, friday) == 0
    assert working_days_between(friday, monday) == 1
    assert working_days_between(D(2026, 3, 7), D(2026, 3, 8)) == 0


def test_large_counts_are_exact() -> None:
    start = D(1905, 6, 2)  # the day after Kristi himmelfartsdag 1905
    assert is_working_day(start) and not is_working_day(D(1905, 6, 1))
    end = add_working_days(start, 40_000)
    assert working_days_between(start, end) == 40_000
    assert is_working_day(end)
    assert add_working_days(end, -40_000) == start


dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31))
counts = st.integers(min_value=-400, max_value=400)


@settings(max_examples=300, deadline=None)
@given(dates, counts)
def test_add_working_days_matches_day_by_day_loop(start: date, n: int) -> None:
    result = add_working_days(start, n)
    assert result == ref_add(start, n)
    assert is_working_day(result)


@settings(max_examples=300, deadline=None)
@given(dates, dates)
def test_working_days_between_matches_day_by_day_loop(a: date, b: date) -> None:
    assert working_days_between(a, b) == ref_between(a, b)
    assert working_days_between(a, b) == -working_days_between(b, a)


@settings(max_examples=300, deadline=None)
@given(dates, dates)
def test_add_of_between_round_trips_to_a_working_day(d: date, e: date) -> None:
    e = add_working_days(e, 0)  # e on a working day
    if e >= d or is_working_day(d):
        assert add_working_days(d, working_days_between(d, e)) == e


def test_round_trip_backwards_from_a_non_working_day_is_off_by_one() -> None:
    # working_days_between counts (e, d] and the Saturday itself is not a working day, while a
    # negative add_working_days counts back from the day before: the two conventions only agree
    # backwards when d is a working day.
    saturday, thursday = D(2026, 3, 7), D(2026, 3, 5)
    assert working_days_between(saturday, thursday) == -1
    assert add_working_days(saturday, -1) == D(2026, 3, 6)
    assert add_working_days(saturday, -2) == thursday


@settings(max_examples=300, deadline=None)
@given(dates, counts)
def test_between_of_add_gives_back_the_count(start: date, n: int) -> None:
    end = add_working_days(start, n)
    # From a non-working day, counting forwards skips the start anyway; counting back (or n = 0)
    # lands one working day further than (end, start] holds.
    expected = n if n > 0 or is_working_day(start) else n + 1
    assert working_days_between(start, end) == expected


# --------------------------------------------------------------------------------------- due dates


@pytest.mark.parametrize("anchor, text, expected", [
    (D(2026, 1, 31), "P3M", D(2026, 4, 30)),
    (D(2024, 2, 29), "P1Y", D(2025, 2, 28)),
    (D(2026, 3, 1), "P10D", D(2026, 3, 11)),
    (D(2026, 3, 1), "-P3M", D(2025, 12, 1)),
    (D(2026, 3, 1), "P2W", D(2026, 3, 15)),
])
def test_due_date_calendar(anchor: date, text: str, expected: date) -> None:
    assert due_date(anchor, Period.parse(text), "calendar") == expected
    assert due_date(anchor, Period.parse(text), DayCount.calendar) == expected


def test_due_date_working() -> None:
    assert due_date(D(2025, 4, 14), Period.parse("P10D"), "working") == D(2025, 5, 2)
    # P2W in working days is 14 working days, not two calendar weeks.
    assert due_date(D(2025, 4, 14), Period.parse("P2W"), DayCount.working) == D(2025, 5, 8)
    assert due_date(D(2025, 5, 2), Period.parse("-P10D"), "working") == D(2025, 4, 14)
    assert due_date(D(2026, 3, 7), Period.parse("P0D"), "working") == D(2026, 3, 9)


def test_due_date_working_refuses_months_and_unknown_day_counts() -> None:
    with pytest.raises(ValueError, match="days"):
        due_date(D(2026, 3, 2), Period.parse("P3M"), "working")
    with pytest.raises(ValueError, match="day count"):
        due_date(D(2026, 3, 2), Period.parse("P3D"), "bank")


periods = st.builds(Period, years=st.integers(-3, 3), months=st.integers(-40, 40), days=st.integers(-400, 400))


@settings(max_examples=300)
@given(dates, periods)
def test_due_date_calendar_is_relativedelta(anchor: date, period: Period) -> None:
    expected = anchor + relativedelta(years=period.years, months=period.months, days=period.days)
    assert due_date(anchor, period, "calendar") == expected


@settings(max_examples=200, deadline=None)
@given(dates, counts)
def test_due_date_working_is_add_working_days(anchor: date, n: int) -> None:
    assert due_date(anchor, Period(days=n), "working") == ref_add(anchor, n)


# ------------------------------------------------------------------------------------------ clocks


def test_fixed_clock_stands_still_and_moves() -> None:
    clock = FixedClock(D(2026, 3, 2))
    assert isinstance(clock, Clock)
    assert clock.today() == D(2026, 3, 2)
    assert clock.now() == datetime(2026, 3, 2, 0, 0, tzinfo=OSLO)
    assert clock.now() == clock.now()
    clock.advance(days=3)
    assert clock.today() == D(2026, 3, 5)
    clock.advance(weeks=1)
    assert clock.today() == D(2026, 3, 12)
    clock.advance(days=-12)
    assert clock.today() == D(2026, 2, 28)
    assert clock.set(D(2027, 1, 1)) == datetime(2027, 1, 1, tzinfo=OSLO)
    assert clock.today() == D(2027, 1, 1)
    clock.set(datetime(2026, 6, 1, 9, 30))  # naive: Oslo wall time
    assert clock.now() == datetime(2026, 6, 1, 9, 30, tzinfo=OSLO)
    clock.set(datetime(2026, 6, 1, 22, 30, tzinfo=UTC))  # aware: converted to Oslo
    assert clock.today() == D(2026, 6, 2)
    assert clock.now().tzinfo is OSLO


def test_fixed_clock_across_summer_time() -> None:
    # Summer time starts 29 March 2026 at 02:00 (clocks go to 03:00).
    clock = FixedClock(datetime(2026, 3, 28, 12, 0))
    clock.advance(days=1)  # wall clock: noon stays noon, 23 hours elapsed
    assert clock.now() == datetime(2026, 3, 29, 12, 0, tzinfo=OSLO)
    assert clock.now().utcoffset() == timedelta(hours=2)
    clock.set(datetime(2026, 3, 29, 1, 30))
    clock.advance(hours=1)  # elapsed time: 01:30 CET + 1 h = 03:30 CEST
    assert clock.now().replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    clock.set(datetime(2026, 3, 28, 2, 30))
    clock.advance(days=1)  # 02:30 does not exist on the 29th; resolved to a real instant
    assert clock.now().replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_fixed_clock_refuses_non_dates() -> None:
    with pytest.raises(TypeError):
        FixedClock("2026-03-02")  # type: ignore[arg-type]


def test_system_clock_is_aware_and_in_oslo() -> None:
    clock = SystemClock()
    assert isinstance(clock, Clock)
    now = clock.now()
    assert now.tzinfo is OSLO
    assert now.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
    assert clock.today() in (now.date(), now.date() + timedelta(days=1))
