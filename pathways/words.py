"""Values in words, the way a Norwegian case worker reads them: ``31.12.2026``, ``ja``/``nei``,
``1 234,50 kr``, ``1,5 mnd``, ``Kvinne`` for ``female``, and the bokmål titles of the participant facts.

One place for the presentation of a value: the dashboard's template filters, the timeline's event values
and the explanation of a refused guard (:mod:`pathways.explain`) all call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from pathways.definition.periods import Period, describe_days
from pathways.definition.schema import FieldType, InputField

NBSP = "\u00a0"  # between digit groups and before a unit: a number never breaks over two lines

FACT_TITLES: Mapping[str, str] = {
    "birth_date": "Fødselsdato", "settlement_date": "Bosettingsdato", "age": "Alder",
    "gender": "Kjønn", "norwegian_oral": "Norsk muntlig", "norwegian_written": "Norsk skriftlig",
    "education_track": "Opplæringsløp", "has_primary_school": "Har fullført grunnskole",
    "has_upper_secondary": "Har fullført videregående", "legal_regime": "Regelverk",
    "lives_with_parents": "Bor med foreldre", "dependants": "Forsørger antall barn",
    "registered_with_nav": "Registrert hos NAV",
    # facts about the case itself
    "today": "Hendelsesdatoen", "start_date": "Sakens startdato", "days_in_step": "Dager i steget",
    "days_paused": "Dager med permisjon",
}
"""The bokmål title of every participant and case fact a guard or a form may show."""

FACT_CHOICES: Mapping[str, Mapping[str, str]] = {
    "gender": {"female": "Kvinne", "male": "Mann", "unspecified": "Uoppgitt"},
    "education_track": {"spor1": "Spor 1", "spor2": "Spor 2", "spor3": "Spor 3"},
    "legal_regime": {"introduksjonsloven": "Introduksjonsloven (før 2021)", "integreringsloven": "Integreringsloven",
                     "integreringsloven_6a": "Integreringsloven, kapittel 6A"},
}
"""The bokmål labels of the participant facts that hold one of a few ids."""

OUTCOMES: Mapping[str, str] = {"work": "Arbeid", "education": "Utdanning", "nav_measure": "NAV-tiltak",
                               "social_assistance": "Sosialhjelp", "discontinued": "Avbrutt",
                               "transferred": "Overført til et annet løp"}
"""The bokmål of a case's outcome (:class:`pathways.definition.schema.Outcome`)."""

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")

_WORDS = {"bestatt": "bestått", "ikke_bestatt": "ikke bestått", "arsak": "årsak", "pa": "på", "na": "nå",
          "forerkort": "førerkort", "sprak": "språk", "hoyere": "høyere", "ovrig": "øvrig",
          "ar": "år", "forste": "første", "maal": "mål", "sluttmal": "sluttmål", "modul": "modul",
          "fullfore": "fullføre", "vgo": "videregående", "grunnskole": "grunnskole"}


def number_no(value: float | int | Decimal, decimals: int | None = None) -> str:
    """``1 234,5`` (``decimals`` fixes the digits after the comma; without, as few as the value needs)."""
    if decimals is None:
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{int(value):,}"
    else:
        text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def money_no(value: Any) -> str:
    """``260 320,00 kr`` from a number or its text (``'260320.00'``); text that is no number as it is."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number_no(amount, 2)}{NBSP}kr"


def months_no(value: float) -> str:
    """``1,5 mnd`` (one decimal, dropped when it is 0)."""
    return f"{number_no(round(value, 1))}{NBSP}mnd"


def date_no(value: Any) -> str:
    """dd.mm.åååå (a date, a datetime, or ISO text); ``–`` for none."""
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y")


def datetime_no(value: datetime) -> str:
    """``31.12.2026 kl. 14.05``."""
    return value.strftime("%d.%m.%Y kl. %H.%M")


def yes_no(value: Any) -> str:
    return "ja" if value else "nei"


def choice_no(value: str, choices: Mapping[str, str] | None = None) -> str:
    """A choice id in words: its label where one is known, else the id with spaces (``ikke_bestatt`` →
    ``ikke bestått``)."""
    if choices and value in choices:
        return choices[value]
    return _WORDS.get(value) or " ".join(_WORDS.get(w, w) for w in value.split("_"))


def fact_value_no(name: str, value: Any) -> str:
    """A participant fact's value in words: Kvinne, ja/nei, B1, 31.12.2026, ``ikke registrert``."""
    if value is None or value == "":
        return "ikke registrert"
    return value_no(value, FACT_CHOICES.get(name))


def value_no(value: Any, choices: Mapping[str, str] | None = None) -> str:
    """Any value a guard or a field holds, in words."""
    if value is None:
        return "ikke registrert"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, Enum):  # a CEFR level
        return value.name
    if isinstance(value, date):
        return date_no(value)
    if isinstance(value, Period):  # a difference of two dates is days: said in months or years when long
        return describe_days(value.days) if not (value.years or value.months) and value.days >= 60 \
            else value.norwegian()
    if isinstance(value, int | float | Decimal):
        return number_no(value)
    if isinstance(value, list | tuple):
        return ", ".join(value_no(v, choices) for v in value)
    text = str(value)
    if choices is not None or (text.replace("_", "").isalnum() and text.islower()):
        return choice_no(text, choices)
    return text


def field_value_no(spec: InputField, value: Any) -> str:
    """A recorded event value (JSON-native, as stored) in words, by the type of its field."""
    if value is None or value == "":
        return "ikke registrert"
    if spec.type == FieldType.date:
        return date_no(value)
    if spec.type == FieldType.boolean:
        return yes_no(value)
    if spec.type == FieldType.number:
        try:
            shown = number_no(float(value))
        except (TypeError, ValueError):
            return str(value)
        return f"{shown}{NBSP}{spec.unit}" if spec.unit else shown
    if spec.type == FieldType.enum:
        return choice_no(str(value))
    return str(value)
