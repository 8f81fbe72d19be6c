"""DateSet: inclusive day ranges with open ends, merged, combined and clipped."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.income.intervals import DateSet, from_ranges, union

D = date(2026, 1, 1)


def d(offset: int) -> date:
    return D + timedelta(days=offset)


def test_adjacent_and_overlapping_ranges_merge_in_any_order() -> None:
    s = DateSet([(d(10), d(12)), (d(0), d(4)), (d(5), d(7)), (d(3), d(6))])
    assert s.ranges() == [(d(0), d(7)), (d(10), d(12))]


def test_a_single_day_is_a_range() -> None:
    s = DateSet.of(d(3), d(3))
    assert s.ranges() == [(d(3), d(3))]
    assert s.days() == 1
    assert d(3) in s and d(4) not in s


def test_end_before_start_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"ends \(2026-01-01\) before it starts \(2026-01-02\)"):
        DateSet.of(d(1), d(0))
    with pytest.raises(ValueError, match="before it starts"):
        DateSet([(d(0), d(3)), (d(5), d(4))])


def test_open_end_stays_open_until_bounded_by_a_horizon() -> None:
    s = DateSet([(d(0), d(4)), (d(10), None)])
    assert s.is_open
    assert s.ranges() == [(d(0), d(4)), (d(10), None)]
    assert s.pairs(d(20)) == [(d(0), d(4)), (d(10), d(20))]
    assert s.pairs(d(2)) == [(d(0), d(2))]
    assert s.days(d(20)) == 5 + 11
    with pytest.raises(ValueError, match="pass a horizon"):
        s.days()


def test_open_range_swallows_later_ranges() -> None:
    assert DateSet([(d(0), None), (d(5), d(9)), (d(40), d(41))]).ranges() == [(d(0), None)]


def test_date_max_is_treated_as_open() -> None:
    assert DateSet.of(d(0), date.max).ranges() == [(d(0), None)]


def test_union_intersection_difference() -> None:
    a = DateSet.of(d(0), d(9))
    b = DateSet([(d(5), d(14)), (d(20), None)])
    assert (a | b).ranges() == [(d(0), d(14)), (d(20), None)]
    assert (a & b).ranges() == [(d(5), d(9))]
    assert (a - b).ranges() == [(d(0), d(4))]
    assert (b - a).ranges() == [(d(10), d(14)), (d(20), None)]
    assert a.union(b, DateSet.of(d(15), d(19))).ranges() == [(d(0), None)]
    assert union([a, DateSet.of(d(10), d(10))]).ranges() == [(d(0), d(10))]


def test_difference_keeps_whole_days() -> None:
    # Removing one day leaves the days on both sides, not a half-open sliver.
    s = DateSet.of(d(0), d(4)) - DateSet.of(d(2), d(2))
    assert s.ranges() == [(d(0), d(1)), (d(3), d(4))]
    assert s.days() == 4


def test_clip() -> None:
    s = DateSet([(d(0), d(4)), (d(10), None)])
    assert s.clip(d(3), d(12)).ranges() == [(d(3), d(4)), (d(10), d(12))]
    assert s.clip(d(11)).ranges() == [(d(11), None)]
    assert not s.clip(d(5), d(9))
    assert not s.clip(d(5), d(4))


def test_empty_set() -> None:
    e = DateSet.empty()
    assert not e and e.ranges() == [] and e.days() == 0 and not e.is_open
    assert (e | DateSet.of(d(1), d(2))).ranges() == [(d(1), d(2))]
    assert from_ranges([]) == e


def test_holes_are_the_window_minus_the_set() -> None:
    s = DateSet([(d(2), d(4)), (d(8), d(9))])
    assert s.holes(d(0), d(12)) == [(d(0), d(1)), (d(5), d(7)), (d(10), d(12))]
    assert s.holes(d(3), d(8)) == [(d(5), d(7))]
    assert DateSet.of(d(0), None).holes(d(3), d(8)) == []
    assert DateSet.empty().holes(d(3), d(4)) == [(d(3), d(4))]
    assert s.holes(d(5), d(4)) == []


def test_equality_and_hash_ignore_how_the_set_was_built() -> None:
    built = DateSet([(d(0), d(3)), (d(4), d(6))])
    computed = DateSet.of(d(0), d(10)) - DateSet.of(d(7), d(10))
    assert built == computed and hash(built) == hash(computed)
    assert repr(built) == "DateSet([2026-01-01..2026-01-07])"
    assert "x" not in built


ranges_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 20))), max_size=8
).map(lambda rows: [(d(s), None if n is None else d(s + n)) for s, n in rows])


def days_of(ranges: list[tuple[date, date | None]], horizon: date) -> set[date]:
    out: set[date] = set()
    for start, end in ranges:
        day = start
        while day <= (horizon if end is None else min(end, horizon)):
            out.add(day)
            day += timedelta(days=1)
    return out


HORIZON = d(100)


@settings(max_examples=300, deadline=None)
@given(ranges_strategy, ranges_strategy, st.integers(0, 90), st.integers(0, 90))
def test_set_algebra_matches_sets_of_days(a_rows: list, b_rows: list, lo: int, hi: int) -> None:
    a, b = DateSet(a_rows), DateSet(b_rows)
    da, db = days_of(a_rows, HORIZON), days_of(b_rows, HORIZON)
    assert days_of(a.ranges(), HORIZON) == da
    assert days_of((a | b).ranges(), HORIZON) == da | db
    assert days_of((a & b).ranges(), HORIZON) == da & db
    assert days_of((a - b).ranges(), HORIZON) == da - db
    window = days_of([(d(lo), d(hi))], HORIZON) if lo <= hi else set()
    assert days_of(a.clip(d(lo), d(hi)).ranges(), HORIZON) == da & window
    # the fast sweep agrees with portion's difference
    if lo <= hi:
        assert a.holes(d(lo), d(hi)) == (DateSet.of(d(lo), d(hi)) - a).pairs(d(hi))
    # ranges come out sorted, disjoint and not adjacent
    out = (a | b).ranges()
    for (_, end), (start, _) in pairwise(out):
        assert end is not None and start > end + timedelta(days=1)
