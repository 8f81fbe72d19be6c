"""The guard language: what it computes, what it refuses when loaded, and what it never reaches."""

from __future__ import annotations

import re
from datetime import date

import pytest

from pathways.guards import BOOL, CEFR, DATE, NUMBER, TEXT, Cefr, Guard, GuardError, GuardUnknown, enum_type

VOCABULARY = {
    "age": NUMBER, "norwegian_oral": CEFR, "settlement_date": DATE, "today": DATE, "praksistimer": NUMBER,
    "resultat": enum_type(("bestatt", "ikke_bestatt")), "navn": TEXT, "registered_with_nav": BOOL,
}
VALUES = {
    "age": 24, "norwegian_oral": "B1", "settlement_date": date(2024, 1, 15), "today": date(2025, 11, 1),
    "praksistimer": 8700, "resultat": "bestatt", "navn": "x", "registered_with_nav": True,
}


def evaluate(source: str, **overrides: object) -> bool:
    return Guard(source, VOCABULARY).evaluate({**VALUES, **overrides})


class TestSemantics:
    """Guards compute comparisons, logic, arithmetic, dates, durations, CEFR order and membership."""

    @pytest.mark.parametrize("source, expected", [
        ("age < 25", True),
        ("age >= 25 or registered_with_nav", True),
        ("not registered_with_nav", False),
        ("18 <= age <= 55", True),
        ("age * 2 + 1 == 49", True),
        ("age / 4 == 6 and age % 5 == 4", True),
        ("norwegian_oral >= B1", True),
        ("norwegian_oral > B1", False),
        ("norwegian_oral in [B1, B2]", True),
        ("resultat == 'bestatt'", True),
        ("resultat in ['ikke_bestatt']", False),
        ("today - settlement_date < years(2)", True),
        ("today - settlement_date > months(21)", True),
        ("settlement_date + months(3) < today", True),
        ("settlement_date + days(10) == date('2024-01-25')", True),
        ("years_between(settlement_date, today) == 1", True),
        ("praksistimer >= max(8700, 1) and min(age, 30) == 24", True),
        ("(age if registered_with_nav else 0) == 24", True),
        ("abs(-3) == 3 and -age == -24", True),
        ("true and not false", True),
    ])
    def test_evaluates(self, source, expected):
        assert evaluate(source) is expected

    def test_names_read_are_listed(self):
        assert Guard("age > 3 and norwegian_oral >= A2", VOCABULARY).names == {"age", "norwegian_oral"}

    def test_missing_value_is_unknown_not_false(self):
        with pytest.raises(GuardUnknown) as caught:
            evaluate("praksistimer > 10", praksistimer=None)
        assert caught.value.name == "praksistimer"

    def test_cefr_values_may_arrive_as_members(self):
        assert evaluate("norwegian_oral == B2", norwegian_oral=Cefr.B2)

    def test_division_by_zero_is_a_guard_error(self):
        with pytest.raises(GuardError, match="division by zero"):
            evaluate("age / (age - 24) > 1")


class TestLoadTimeErrors:
    """Unknown names and type errors are found when the document is loaded, with a column."""

    @pytest.mark.parametrize("source, message", [
        ("alder > 3", "unknown name 'alder'"),
        ("age >= B1", "cannot compare number with cefr"),
        ("resultat == 'bestått'", "'bestått' is not one of enum(bestatt, ikke_bestatt)"),
        ("resultat > 'bestatt'", "only be compared with == and !="),
        ("age + today", "cannot compute number + date"),
        ("age", "must be true or false"),
        ("navn < 'b'", "can only be compared with == and !="),
        ("age in 3", "'in' needs a list"),
        ("[1, 'a'] == [1]", "one type"),
        ("days(1.5) > days(1)", "whole number"),
        ("date('2025-13-01') < today", "is not a date"),
        ("years_between(today) > 1", "takes (date, date)"),
        ("max() > 1", "one or more"),
        ("age >", "not a valid expression"),
        ("age > 1 if true else 'x'", "both branches"),
    ])
    def test_refused(self, source, message):
        with pytest.raises(GuardError, match=re.escape(message)):
            Guard(source, VOCABULARY)

    def test_column_points_at_the_problem(self):
        with pytest.raises(GuardError) as caught:
            Guard("age > 3 and alder < 2", VOCABULARY)
        assert caught.value.column == 13


class TestSecurity:
    """No way out of the sandbox: no eval, no dunders, no attributes, no calls outside the whitelist."""

    @pytest.mark.parametrize("source", [
        "__import__('os').system('true')",
        "__import__ == 1",
        "age.__class__ == 1",
        "().__class__.__bases__[0].__subclasses__()",
        "globals() == 1",
        "locals() == 1",
        "eval('1') == 1",
        "exec('x=1') == 1",
        "open('/etc/passwd') == 1",
        "getattr(age, 'real') == 1",
        "(lambda: 1)() == 1",
        "[x for x in [1]] == [1]",
        "{x for x in [1]} == 1",
        "sum(x for x in [1]) == 1",
        "{'a': 1} == 1",
        "9 ** 9 ** 9 ** 9 > 1",
        "age ** 2 > 1",
        "(x := 1) == 1",
        "f'{age}' == '24'",
        "navn[0] == 'x'",
        "_private == 1",
        "age.real > 1",
        "[*[1]] == [1]",
    ])
    def test_refused_at_load(self, source):
        with pytest.raises(GuardError):
            Guard(source, VOCABULARY)

    def test_huge_numbers_are_refused(self):
        with pytest.raises(GuardError, match="too large"):
            Guard("age > 99999999999999999999", VOCABULARY)
        with pytest.raises(GuardError, match="grew beyond"):
            evaluate("age * 1000000 * 1000000 * 1000000 > 1")

    def test_deep_nesting_and_long_input_are_refused(self):
        with pytest.raises(GuardError):
            Guard("(" * 5000 + "age" + ")" * 5000 + " > 1", VOCABULARY)
        with pytest.raises(GuardError, match="limit"):
            Guard("age > 1 and " * 200 + "true", VOCABULARY)

    def test_null_bytes_and_non_text_are_refused(self):
        with pytest.raises(GuardError):
            Guard("age > 1\x00", VOCABULARY)
        with pytest.raises(GuardError):
            Guard(42, VOCABULARY)  # type: ignore[arg-type]


class TestCalendarOverflow:
    """Date arithmetic never leaves the calendar with a crash: constants that could are refused when the
    document is loaded, and a value that does at run time is a guard error like any other bad value."""

    @pytest.mark.parametrize("source, message", [
        ("settlement_date + years(999999) > today", "years(999999) is too long"),
        ("settlement_date - days(999999999) < today", "days(999999999) is too long"),
        ("settlement_date + months(99999) > today", "months(99999) is too long"),
        ("settlement_date + years(600) + years(600) > today", "add up to more than 1000 years"),
        ("date('9999-12-31') > today", "outside the years 1900–2199"),
    ])
    def test_constants_that_can_overflow_are_refused_at_load(self, source, message):
        with pytest.raises(GuardError, match=re.escape(message)):
            Guard(source, VOCABULARY)

    def test_long_but_safe_constants_still_load(self):
        assert evaluate("settlement_date + years(1000) > today")

    def test_a_value_far_in_the_future_is_a_guard_error(self):
        with pytest.raises(GuardError, match="outside the calendar"):
            evaluate("settlement_date + years(900) > today", settlement_date=date(9998, 6, 1))
        with pytest.raises(GuardError, match="outside the calendar"):
            evaluate("settlement_date - days(10) < today", settlement_date=date(1, 1, 2))

    def test_a_duration_from_a_huge_value_is_a_guard_error(self):
        with pytest.raises(GuardError, match="too long"):
            evaluate("settlement_date + years(praksistimer) > today", praksistimer=999999)
