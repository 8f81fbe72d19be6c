"""Results one year after exit: where the participants of a pathway were one year after their case ended (work,
education, a NAV measure, social assistance, other income, or unknown), per exit year, in the actor's kommune
(counts only: every role of the kommune sees them, as the cohort). IMDi measures the introduction programme
this way; the cohort page's outcome at exit is the other half.

Which record puts a participant in which group is configuration (``pathways/checks/results.yaml``): on the
day one year after the exit, a livelihood period covering it (confirmed ones only, by default) of one of the
group's sources, or a case of one of its pathways running that day; the first group that applies. No record
that day is «ukjent», shown as such and never guessed.

Small counts are suppressed as public statistics do: a count under ``smallest_cell`` (5) is shown «<5», and
when a year has exactly one such count, its next smallest is hidden too (else the year's total would give it
away). The chart shows a year's shares only when nothing in it is hidden.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pathways.checks.nir import ResultsConfig, load_results
from pathways.services import access
from pathways.services.context import Context
from pathways.services.units import kommune_named
from pathways.store.queries import nir as rows
from pathways.store.tables import Enrolment

UNKNOWN = "ukjent"
COLOURS = {"arbeid": "#1b6e3a", "utdanning": "#1f5fa8", "nav_tiltak": "#8a5a00", "sosialhjelp": "#a4121b",
           "annet": "#5b2a86", UNKNOWN: "#8c8c8c"}  # each with text contrast ≥ 4.5:1 on white


@dataclass(frozen=True)
class YearRow:
    year: int
    total: int
    counts: dict[str, int]  # group → count (every group, 0 included)
    hidden: frozenset[str]  # groups whose count is suppressed
    smallest: int  # the smallest count shown

    def shown(self, group: str) -> str:
        return f"<{self.smallest}" if group in self.hidden else str(self.counts[group])

    def share(self, group: str) -> float | None:
        if self.hidden or not self.total:
            return None
        return self.counts[group] / self.total


@dataclass(frozen=True)
class Results:
    pathway: str
    kommune: str
    as_of: date
    groups: list[tuple[str, str]]  # (key, title), «ukjent» last
    years: list[YearRow]
    after_days: int

    def headers(self) -> list[str]:
        return ["Sluttår", "Antall", *[title for _k, title in self.groups]]

    def table(self) -> list[list[Any]]:
        return [[y.year, y.total if y.total >= y.smallest else f"<{y.smallest}",
                 *[y.shown(k) for k, _t in self.groups]] for y in self.years]

    def as_json(self) -> dict[str, Any]:
        return {"pathway": self.pathway, "kommune": self.kommune, "as_of": self.as_of.isoformat(),
                "after_days": self.after_days, "groups": [{"key": k, "title": t} for k, t in self.groups],
                "years": [{"year": y.year, "total": y.total if y.total >= y.smallest else None,
                           "counts": {k: (None if k in y.hidden else y.counts[k]) for k, _t in self.groups},
                           "suppressed": sorted(y.hidden)} for y in self.years]}


def results(ctx: Context, pathway: str, config: ResultsConfig | None = None, kommune: str | None = None) -> Results:
    """The results of ``pathway`` in the actor's kommune (the system: every kommune, or ``kommune``), one row
    per exit year whose day one year after has come."""
    config = config or load_results()
    as_of = ctx.today()
    ended_by = as_of - timedelta(days=config.after_days)
    conditions = access.kommune(ctx.actor, Enrolment.kommune_id)
    place = ctx.actor.kommune or "alle kommuner"
    sources = sorted({s for g in config.groups.values() for s in g.sources})
    pathways = sorted({p for g in config.groups.values() for p in g.pathways})
    with ctx.transaction() as session:
        if kommune and ctx.actor.is_system:
            found = kommune_named(session, ctx.actor, kommune)
            conditions, place = [*conditions, Enrolment.kommune_id == found.id], found.name
        conn = session.connection()
        exited = rows.exits(conn, pathway, ended_by, conditions)
        periods: dict[int, list[Any]] = defaultdict(list)
        for pid, source, start, end in rows.exit_periods(conn, pathway, ended_by, conditions, sources,
                                                          config.confirmed_only):
            periods[pid].append((source, start, end))
        later: dict[int, list[Any]] = defaultdict(list)
        if pathways:
            for pid, other, start, ended_on in rows.exit_cases(conn, pathway, ended_by, conditions, pathways):
                later[pid].append((other, start, ended_on))
    per_year: dict[int, Counter[str]] = defaultdict(Counter)
    for _case, pid, ended_on in exited:
        day = ended_on + timedelta(days=config.after_days)
        per_year[ended_on.year][_group(config, day, periods.get(pid, ()), later.get(pid, ()))] += 1
    keys = [*config.groups, UNKNOWN]
    years = [_suppressed(year, {k: counts.get(k, 0) for k in keys}, config.smallest_cell)
             for year, counts in sorted(per_year.items())]
    return Results(pathway, place, as_of,
                   [*[(k, g.title) for k, g in config.groups.items()], (UNKNOWN, "Ukjent")], years, config.after_days)


def _group(config: ResultsConfig, day: date, periods: Any, later: Any) -> str:
    covering = {source for source, start, end in periods if start <= day and (end is None or day <= end)}
    running = {other for other, start, ended_on in later if start <= day and (ended_on is None or day <= ended_on)}
    for key, group in config.groups.items():
        if covering.intersection(group.sources) or running.intersection(group.pathways):
            return key
    return UNKNOWN


def _suppressed(year: int, counts: dict[str, int], smallest: int) -> YearRow:
    hidden = {k for k, n in counts.items() if 0 < n < smallest}
    if len(hidden) == 1:  # the total would give it away: hide the next smallest count too
        others = sorted((n, k) for k, n in counts.items() if k not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    return YearRow(year, sum(counts.values()), counts, frozenset(hidden), smallest)


def chart_svg(found: Results, title: str) -> str:
    """The shares per exit year as horizontal stacked bars (matplotlib, SVG with its text as text). A year
    with a hidden count has no bar: the table says «<5»."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib import rcParams
    rcParams["svg.fonttype"] = "none"  # text stays text: found by search and read by screen readers
    rcParams["svg.hashsalt"] = "pathways"  # the same chart, the same file
    rcParams["font.family"] = "DejaVu Sans"
    shown = [y for y in found.years if y.share(found.groups[0][0]) is not None]
    height = 1.6 + 0.45 * max(1, len(shown))
    figure, axes = plt.subplots(figsize=(8.5, height), dpi=100)
    try:
        labels = [str(y.year) for y in shown]
        left = [0.0] * len(shown)
        for key, group_title in found.groups:
            shares = [100 * (y.share(key) or 0) for y in shown]
            axes.barh(labels, shares, left=left, color=COLOURS.get(key, "#444444"), label=group_title, height=0.6)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        axes.set_xlim(0, 100)
        axes.set_xlabel("Andel ett år etter avslutning (%)")
        axes.set_title(title, fontsize=11, loc="left")
        axes.invert_yaxis()
        if not shown:
            axes.text(50, 0, "For få avsluttede til å vise andeler", ha="center", va="center")
            axes.set_yticks([])
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
        return out.getvalue()
    finally:
        plt.close(figure)
