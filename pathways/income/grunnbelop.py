"""The G table: folketrygdens grunnbeløp (the basic amount G) by the date it took effect.

The benefit rules read G on a day (:mod:`pathways.income.stonad`). The amounts known when this was
written are built in (:data:`DEFAULT_G`); the store keeps the table administrators extend every 1 May,
and until it has rows the built-in amounts are the table (:func:`stored_or_default`). Nothing here reads
the clock or the store.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

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


def check_date(value: object, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{what} must be a date (not a datetime), got {value!r}")
    return value


@dataclass(frozen=True)
class GTable:
    """A dated table of the basic amount G: each entry holds from its date until the next one."""

    entries: tuple[tuple[date, int], ...]
    _days: tuple[date, ...] = field(repr=False, compare=False)

    def __init__(self, entries: Iterable[tuple[date, int]]) -> None:
        rows = sorted((check_date(day, "G table date"), amount) for day, amount in entries)
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
        check_date(day, "day")
        index = bisect.bisect_right(self._days, day) - 1
        if index < 0:
            raise ValueError(f"the G table starts {self.entries[0][0].isoformat()}; it has no value for "
                             f"{day.isoformat()} (add the older value to the table)")
        return self.entries[index][1]

    def changes(self, start: date, end: date | None) -> list[date]:
        """The dates after ``start`` and up to ``end`` (inclusive; ``None``: no end) when G changes."""
        return [day for day, _ in self.entries if start < day and (end is None or day <= end)]


DEFAULT_G = GTable(G_HISTORY)


def stored_or_default(rows: Iterable[tuple[date, int]]) -> GTable:
    """The G table of the stored ``rows`` (effective from, amount), or the built-in amounts when there are none."""
    entries = list(rows)
    return GTable(entries) if entries else DEFAULT_G
