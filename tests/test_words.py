"""Values in words as a Norwegian case worker reads them: money, months, dates, yes/no, choices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from pathways.definition.periods import Period
from pathways.definition.schema import FieldType, InputField
from pathways.guards import Cefr
from pathways.words import (
    NBSP,
    choice_no,
    date_no,
    datetime_no,
    fact_value_no,
    field_value_no,
    money_no,
    months_no,
    number_no,
    value_no,
)


@pytest.mark.parametrize("value, expected", [
    ("260320.00", f"260{NBSP}320,00{NBSP}kr"), (Decimal("15012.5"), f"15{NBSP}012,50{NBSP}kr"),
    (0, f"0,00{NBSP}kr"), (1234.5, f"1{NBSP}234,50{NBSP}kr"), ("ukjent", "ukjent"),
])
def test_money_has_space_groups_and_a_decimal_comma(value, expected):
    assert money_no(value) == expected


@pytest.mark.parametrize("value, expected", [(1.5, f"1,5{NBSP}mnd"), (2.0, f"2{NBSP}mnd"), (10.44, f"10,4{NBSP}mnd")])
def test_months_have_a_decimal_comma(value, expected):
    assert months_no(value) == expected


def test_numbers_dates_and_times():
    assert number_no(37.5) == "37,5" and number_no(8700) == f"8{NBSP}700" and number_no(3, 1) == "3,0"
    assert date_no(date(2026, 12, 31)) == "31.12.2026" and date_no("2026-01-02") == "02.01.2026"
    assert date_no(None) == "–"
    assert datetime_no(datetime(2026, 12, 6, 14, 5)) == "06.12.2026 kl. 14.05"


def test_facts_in_words_never_engine_ids():
    assert fact_value_no("gender", "female") == "Kvinne"
    assert fact_value_no("legal_regime", "integreringsloven_6a") == "Integreringsloven, kapittel 6A"
    assert fact_value_no("has_primary_school", True) == "ja"
    assert fact_value_no("lives_with_parents", False) == "nei"
    assert fact_value_no("registered_with_nav", None) == "ikke registrert"


def test_values_of_every_kind():
    assert value_no(Cefr.B1) == "B1" and value_no(Period(years=2)) == "2 år"
    assert value_no(["female", "male"], {"female": "Kvinne", "male": "Mann"}) == "Kvinne, Mann"
    assert choice_no("ikke_bestatt") == "ikke bestått" and choice_no("tredje_ar") == "tredje år"


@pytest.mark.parametrize("spec, value, expected", [
    (InputField(type=FieldType.date, title="d"), "2026-12-01", "01.12.2026"),
    (InputField(type=FieldType.boolean, title="b"), True, "ja"),
    (InputField(type=FieldType.number, title="n", unit="timer"), 37.5, f"37,5{NBSP}timer"),
    (InputField(type=FieldType.enum, title="e", values=("bestatt",)), "bestatt", "bestått"),
    (InputField(type=FieldType.text, title="t"), "fritt", "fritt"),
    (InputField(type=FieldType.text, title="t"), None, "ikke registrert"),
])
def test_recorded_event_values_by_field_type(spec, value, expected):
    assert field_value_no(spec, value) == expected
