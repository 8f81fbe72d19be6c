"""Plausible input: the range a date a person types may fall in, the largest id and count, and text a
database can store.

Checked where input enters (the services for the CLI, the API and the pages; the engine for the date
fields of events), so that a mistyped year or a stray control character is refused with a message
naming the field, instead of failing later in a nightly rule or in the database.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pathways.messages import Text

EARLIEST = date(1950, 1, 1)  # periods, events, date fields, snoozes
LATEST = date(2100, 12, 31)
EARLIEST_BIRTH = date(1900, 1, 1)
SETTLED_AHEAD = timedelta(days=366)  # a settlement may be planned up to a year ahead
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the store
MAX_DEPENDANTS = 30

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def date_problem(value: date, low: date = EARLIEST, high: date = LATEST) -> Text | None:
    """Why ``value`` is not a plausible date (English, the range said), or None when it is."""
    if low <= value <= high:
        return None
    return Text("date_out_of_range", value=value, low=low, high=high)


def birth_range(today: date) -> tuple[date, date]:
    return EARLIEST_BIRTH, today


def settlement_range(today: date) -> tuple[date, date]:
    return EARLIEST, today + SETTLED_AHEAD


def text_problem(value: str) -> Text | None:
    """Why ``value`` cannot be stored as text (a NUL character or half of a surrogate pair), or None."""
    if _UNSTORABLE.search(value) is None:
        return None
    return Text("not_storable_text")
