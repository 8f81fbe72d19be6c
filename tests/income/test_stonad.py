"""Introduksjonsstønad: the G table, the yearly rate by age and law, wages, the programme period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from pathways.income.gaps import IncomePeriod, income_gaps
from pathways.income.grunnbelop import DEFAULT_G, G_2019_AVERAGE, GTable
from pathways.income.stonad import (
    benefit_periods,
    birthday,
    monthly_amount,
    programme_benefit,
    rate_changes,
    rate_share,
    reduced_for_wages,
    twenty_fifth_birthday,
    yearly_rate,
)

ADULT = date(1990, 3, 15)
YOUNG = date(2003, 9, 10)  # turns 25 on 10 September 2028
TABLE = GTable([(date(2020, 5, 1), 100_000), (date(2019, 5, 1), 90_000)])


# --- G table -----------------------------------------------------------------------------------


def test_g_on_picks_the_entry_in_force() -> None:
    assert TABLE.entries == ((date(2019, 5, 1), 90_000), (date(2020, 5, 1), 100_000))
    assert TABLE.g_on(date(2019, 5, 1)) == 90_000
    assert TABLE.g_on(date(2020, 4, 30)) == 90_000
    assert TABLE.g_on(date(2020, 5, 1)) == 100_000
    assert TABLE.g_on(date(2031, 1, 1)) == 100_000


def test_g_before_the_first_entry_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"starts 2019-05-01; it has no value for 2019-04-30"):
        TABLE.g_on(date(2019, 4, 30))


def test_g_table_rejects_bad_entries() -> None:
    with pytest.raises(ValueError, match="at least one"):
        GTable([])
    with pytest.raises(ValueError, match="two entries from 2020-05-01"):
        GTable([(date(2020, 5, 1), 1), (date(2020, 5, 1), 2)])
    with pytest.raises(ValueError, match="positive whole number"):
        GTable([(date(2020, 5, 1), -5)])
    with pytest.raises(ValueError, match="must be a date"):
        GTable([("2020-05-01", 5)])  # type: ignore[list-item]


def test_default_table_holds_the_sourced_values() -> None:
    # seed 002 L1865 calls 98 866 "1G"; that is the 2019 average, G from 1 May 2019 is 99 858.
    assert DEFAULT_G.g_on(date(2019, 5, 1)) == 99_858
    assert DEFAULT_G.g_on(date(2019, 4, 30)) == 96_883
    assert DEFAULT_G.g_on(date(2019, 4, 30)) * 4 + 99_858 * 8 == G_2019_AVERAGE * 12 + 4  # average, rounded
    # seed 003 L1224-1226: 2G = kr 15 012 a month in 2015
    assert abs(monthly_amount(date(2015, 6, 1), birth_date=ADULT, legal_regime="introduksjonsloven",
                              lives_with_parents=False) - Decimal(15_012)) < 1
    days = [day for day, _ in DEFAULT_G.entries]
    assert all(day.month == 5 and day.day == 1 for day in days) and days == sorted(days)


def test_g_changes_between_two_dates() -> None:
    assert TABLE.changes(date(2019, 5, 1), date(2020, 5, 1)) == [date(2020, 5, 1)]
    assert TABLE.changes(date(2020, 5, 1), None) == []


# --- the rate ----------------------------------------------------------------------------------


def test_full_rate_is_2g() -> None:
    on = date(2020, 6, 1)
    for regime in ("introduksjonsloven", "integreringsloven", "integreringsloven_6a"):
        for with_parents in (False, True):
            assert yearly_rate(on, birth_date=ADULT, legal_regime=regime, lives_with_parents=with_parents,
                               g=TABLE) == Decimal("200000.00")


def test_under_25_rates_by_law_and_household() -> None:
    on = date(2025, 6, 1)
    rate = {
        (regime, parents): yearly_rate(on, birth_date=YOUNG, legal_regime=regime, lives_with_parents=parents, g=TABLE)
        for regime in ("introduksjonsloven", "integreringsloven") for parents in (False, True)
    }
    assert rate[("introduksjonsloven", False)] == rate[("introduksjonsloven", True)] == Decimal("133333.33")
    assert rate[("integreringsloven", False)] == Decimal("133333.33")
    assert rate[("integreringsloven", True)] == Decimal("66666.67")
    assert rate_share(on, birth_date=YOUNG, legal_regime="integreringsloven", lives_with_parents=True) == Fraction(1, 3)


def test_rate_changes_on_the_25th_birthday() -> None:
    kwargs = {"birth_date": YOUNG, "legal_regime": "integreringsloven", "lives_with_parents": True, "g": TABLE}
    assert yearly_rate(date(2028, 9, 9), **kwargs) == Decimal("66666.67")
    assert yearly_rate(date(2028, 9, 10), **kwargs) == Decimal("200000.00")
    assert monthly_amount(date(2028, 9, 9), **kwargs) == Decimal("5555.56")
    assert monthly_amount(date(2028, 9, 10), **kwargs) == Decimal("16666.67")


def test_rate_changes_lists_the_birthday_inside_a_programme() -> None:
    assert twenty_fifth_birthday(YOUNG) == date(2028, 9, 10)
    assert rate_changes(date(2027, 1, 1), date(2028, 12, 31), YOUNG) == [date(2028, 9, 10)]
    assert rate_changes(date(2027, 1, 1), date(2028, 9, 9), YOUNG) == []
    assert rate_changes(date(2028, 9, 10), None, YOUNG) == []  # already 25 at the start
    assert rate_changes(date(2027, 1, 1), None, YOUNG) == [date(2028, 9, 10)]
    assert rate_changes(date(2027, 1, 1), date(2028, 12, 31), YOUNG, g=DEFAULT_G) == [date(2028, 9, 10)]
    assert rate_changes(date(2019, 1, 1), date(2020, 12, 31), ADULT, g=TABLE) == [date(2019, 5, 1), date(2020, 5, 1)]
    with pytest.raises(ValueError, match="before start"):
        rate_changes(date(2027, 1, 1), date(2026, 1, 1), YOUNG)


def test_born_29_february_turns_25_on_1_march_in_ordinary_years() -> None:
    assert birthday(date(2004, 2, 29), 25) == date(2029, 3, 1)
    assert birthday(date(2004, 2, 29), 24) == date(2028, 2, 29)


def test_unknown_legal_regime_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown legal regime 'integrering'"):
        yearly_rate(date(2020, 6, 1), birth_date=ADULT, legal_regime="integrering", lives_with_parents=False, g=TABLE)


def test_rate_before_the_g_table_is_an_error() -> None:
    with pytest.raises(ValueError, match="no value for 2010-01-01"):
        monthly_amount(date(2010, 1, 1), birth_date=ADULT, legal_regime="introduksjonsloven",
                       lives_with_parents=False)


# --- wages -------------------------------------------------------------------------------------


def test_wages_reduce_krone_for_krone_never_below_zero() -> None:
    assert reduced_for_wages(Decimal("20000"), Decimal("6500.50")) == Decimal("13499.50")
    assert reduced_for_wages(Decimal("20000"), Decimal("25000")) == Decimal("0.00")
    assert reduced_for_wages(Decimal("20000"), Decimal("0")) == Decimal("20000.00")
    with pytest.raises(ValueError, match="0 or more"):
        reduced_for_wages(Decimal("20000"), Decimal("-1"))


# --- the benefit ends with the programme ------------------------------------------------------


def test_programme_period_becomes_a_benefit_period() -> None:
    period = programme_benefit(date(2025, 8, 1), date(2027, 7, 31), planned=True, id=7)
    assert period == IncomePeriod("introduksjonsstonad", date(2025, 8, 1), date(2027, 7, 31), planned=True, id=7)
    # the benefit stops the day the programme ends: a gap follows unless something else is planned
    confirmed = programme_benefit(date(2025, 8, 1), date(2027, 7, 31))
    gaps = income_gaps([confirmed], active_from=date(2025, 8, 1), active_to=None, as_of=date(2027, 6, 1))
    assert [(g.start, g.trigger) for g in gaps] == [(date(2027, 8, 1), "measure_ends_without_job")]
    assert gaps[0].reason == "Introduksjonsstønad slutter 31.07.2027 og ingen ny inntekt er registrert"
    # a programme still only planned once it should have started is no income yet
    gaps = income_gaps([period], active_from=date(2025, 8, 1), active_to=None, as_of=date(2025, 8, 10))
    assert [(g.start, g.end, g.kind) for g in gaps] == [(date(2025, 8, 1), date(2025, 8, 10), "current")]
    assert gaps[0].reason == ("Ingen inntekt er registrert fra 01.08.2025; introduksjonsstønad fra 01.08.2025 er "
                              "bare planlagt, ikke bekreftet")


def test_leave_without_benefit_is_cut_out_of_the_programme() -> None:
    periods = benefit_periods(date(2026, 1, 1), None, unpaid=[(date(2026, 3, 1), date(2026, 3, 31))])
    assert [(p.start, p.end) for p in periods] == [(date(2026, 1, 1), date(2026, 2, 28)), (date(2026, 4, 1), None)]
    with pytest.raises(ValueError, match="before its start"):
        benefit_periods(date(2026, 1, 1), date(2025, 1, 1))
