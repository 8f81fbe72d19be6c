"""The G table's home: the built-in amounts until the store has its own."""

from __future__ import annotations

from datetime import date

from pathways.income.grunnbelop import DEFAULT_G, stored_or_default


def test_the_stored_rows_are_the_table_and_none_stored_is_the_built_in_table():
    assert stored_or_default([]) is DEFAULT_G
    stored = stored_or_default(iter([(date(2026, 5, 1), 135_000), (date(2025, 5, 1), 130_160)]))
    assert stored.g_on(date(2026, 6, 1)) == 135_000 and stored.g_on(date(2026, 4, 30)) == 130_160
