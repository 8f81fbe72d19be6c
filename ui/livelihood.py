"""The livelihood timeline of the case page: one row of bars per income source, one row of gaps, a line
for today. Positions are percentages of a window from the case start (or the first period) to half a
year ahead; the page shows the same facts as a table, so nothing depends on colour or on seeing bars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pathways.income.absence import month_end
from pathways.income.gaps import LABELS
from ui.rendering import kroner

AHEAD = timedelta(days=183)


@dataclass(frozen=True)
class Bar:
    left: float
    width: float
    start: date
    end: date | None
    label: str
    style: str  # planned | confirmed | gap-current | gap-projected | fallback | deduction
    text: str = ""  # the days in words, when the bar is a gap ("fra 06.02.2027, minst 29 dager" if open-ended)


@dataclass(frozen=True)
class Timeline:
    start: date
    end: date
    today_left: float
    rows: list[tuple[str, list[Bar]]]
    months: list[tuple[float, str]]


MONTHS = ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"]


def timeline(periods: list[Any], gaps: list[Any], fallbacks: list[Any], case_start: date, today: date,
             absences: Sequence[Any] = ()) -> Timeline:
    first = min([case_start, *[p.start for p in periods]])
    start = max(first, today - timedelta(days=3 * 365))
    end = today + AHEAD
    span = (end - start).days + 1

    def bar(a: date, b: date | None, label: str, style: str, text: str = "") -> Bar | None:
        left_day, right_day = max(a, start), min(b or end, end)
        if right_day < start or left_day > end:
            return None
        left = 100 * (left_day - start).days / span
        width = max(0.6, 100 * ((right_day - left_day).days + 1) / span)
        return Bar(round(left, 2), round(min(width, 100 - left), 2), a, b, label, style, text)

    rows: dict[str, list[Bar]] = {}
    for period in periods:
        title = LABELS.get(period.source, period.source).capitalize()
        made = bar(period.start, period.end, title + (" (planlagt)" if period.planned else ""),
                   "planned" if period.planned else "confirmed")
        if made:
            rows.setdefault(title, []).append(made)
    gap_bars = [b for g in gaps if (b := bar(g.start, g.end, "Gap nå" if g.kind == "current" else "Gap kommer",
                                              "gap-current" if g.kind == "current" else "gap-projected", g.span()))]
    gap_bars += [b for g in fallbacks if (b := bar(g.start, g.end, "Bare sosialhjelp", "fallback", g.span()))]
    ordered = sorted(rows.items())
    ordered.append(("Inntektsgap", gap_bars))
    deducted = [b for m in absences if m.deducted > 0
                and (b := bar(m.month, month_end(m.month), "Trekk for fravær", "deduction", f"−{kroner(m.deducted)}"))]
    if deducted:  # the months whose benefit absence not approved reduces
        ordered.append(("Trekk for fravær", deducted))
    months = []
    cursor = date(start.year, start.month, 1)
    step = 1 if span < 400 else 3
    while cursor <= end:
        if cursor >= start:
            months.append((round(100 * (cursor - start).days / span, 2),
                           f"{MONTHS[cursor.month - 1]} {cursor.year % 100:02d}"))
        month = cursor.month - 1 + step
        cursor = date(cursor.year + month // 12, month % 12 + 1, 1)
    return Timeline(start, end, round(100 * (today - start).days / span, 2), ordered, months)
