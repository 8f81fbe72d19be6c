"""Forecast (prognose): a synthetic cohort run through a pathway definition before it is published.

An administrator changes a rule or a duration and wants to see the consequence before publishing:
how long the cohort takes to each outcome, and where it would be without income. ``forecast``
walks ``cohort`` synthetic participants through the definition, seeded so that the same definition
and seed always give the same figures. It needs no database and no participant data.

What the forecast assumes:

- **Durations** are drawn from each step's declared range, triangular between ``min``,
  ``expected`` (the mode) and ``max``. A bound that is not declared falls back to ``expected``: a
  step with only ``expected`` always takes exactly that, one with no ``max`` never takes longer.
  Steps without a duration (most milestones and decisions) are points in time. A step takes its
  drawn time whichever way it is left.
- **Branches**: from each step the participant goes to one of the distinct steps its ``next`` and
  ``on`` transitions lead to, each equally likely (guards are not evaluated: there are no
  participant facts). The figures are therefore structural: a decision with two exits sends half
  the cohort each way.
- **Loops** (a retake, a new job search) end: the choice is only among the exits to steps the
  participant has entered fewer than ``MAX_VISITS`` times. When none is left, the participant takes
  the exit nearest to an outcome (or, in a region, to a ``final`` step).
- **Compound steps** are treated as :mod:`pathways.definition.describe` treats them. A parallel
  step walks each region to a ``final`` step and lasts as long as its slowest region. A module set
  takes the required modules (with ``join.at_least``: that many modules, the named ones and a random
  choice of the rest), at most ``max_concurrent`` at a time, each module on the first free place; it
  lasts until the last module is done. A compound step with its own ``duration`` uses that instead.
- **Case-wide events** (``lifecycle.discontinue``, ``transfer``) can happen from any step; they are
  not part of the forecast, so the outcomes only they lead to are listed as not reached.
- **Income** follows the livelihood each step expects (its own, else its parallel step's, else the
  pathway's). A day is an income-securing gap (inntektssikringsgap) when no step the participant is
  in expects a source other than ``ingen``: a step with ``livelihood: []`` or ``[ingen]``. Inside a
  parallel step the regions still running cover one another; a region that has finished does not.
  Days when only ``sosialhjelp`` is expected count as covered but are reported apart, as the income
  checks do: the sources treat social assistance as a failure (DOMAIN.md).
"""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import IntEnum
from itertools import pairwise
from statistics import median

from pathways.definition.loader import Definition
from pathways.definition.periods import describe_days
from pathways.definition.schema import Duration, Livelihood, Step, StepKind

MAX_VISITS = 2
"""How often a participant may choose to enter the same step (the first time and one retake)."""


class Cover(IntEnum):
    """What the livelihood a step expects gives; ordered so that the best of concurrent steps wins."""

    none = 0  # no source, or only ``ingen``: a gap
    fallback = 1  # only ``sosialhjelp``: covered, but a warning sign
    income = 2


def cover(sources: tuple[str, ...]) -> Cover:
    paid = set(sources) - {Livelihood.ingen.value}
    if not paid:
        return Cover.none
    return Cover.fallback if paid == {Livelihood.sosialhjelp.value} else Cover.income


# -- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeForecast:
    """How much of the cohort ends in one outcome step, and after how many days from the start."""

    id: str
    title: str
    outcome: str
    share: float
    p10_days: float
    median_days: float
    p90_days: float
    livelihood: tuple[str, ...]
    """The livelihood expected after the outcome (empty or ``ingen``: the case ends without income)."""

    def line(self) -> str:
        after = " – uten livsopphold etterpå" if cover(self.livelihood) == Cover.none else ""
        return (f"{self.title}: {_percent(self.share)} av kohorten, median {describe_days(self.median_days)} "
                f"(p10 {describe_days(self.p10_days)} – p90 {describe_days(self.p90_days)}){after}")


@dataclass(frozen=True)
class StepGap:
    """One step where part of the cohort is without (or only on social assistance for) some days."""

    id: str
    title: str
    share: float
    median_days: float
    """Among the participants who meet it."""

    def line(self) -> str:
        return f"{self.title} ({self.id}): {_percent(self.share)} av kohorten, median {describe_days(self.median_days)}"


@dataclass(frozen=True)
class GapSummary:
    """Days of one kind (gap, or social assistance only) over the cohort: how many meet them, where."""

    share: float
    median_days: float | None
    """Median of a participant's total such days, among the participants who have any."""
    steps: tuple[StepGap, ...]

    def as_json(self) -> dict[str, object]:
        return {"share": round(self.share, 4), "median_days": _days(self.median_days),
                "steps": [{"id": s.id, "title": s.title, "share": round(s.share, 4),
                           "median_days": _days(s.median_days)} for s in self.steps]}

    def lines(self, heading: str) -> list[str]:
        if not self.share:
            return [f"{heading}: ingen i kohorten"]
        assert self.median_days is not None
        return [f"{heading}: {_percent(self.share)} av kohorten, median {describe_days(self.median_days)} i alt",
                *(f"  {s.line()}" for s in self.steps)]


@dataclass
class Forecast:
    pathway_id: str
    version: int
    title: str
    cohort: int
    seed: int
    outcomes: list[OutcomeForecast] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)
    """Outcome steps no synthetic participant reached (for example those only case-wide events lead to)."""
    gaps: GapSummary = GapSummary(0.0, None, ())
    fallback: GapSummary = GapSummary(0.0, None, ())

    def as_json(self) -> dict[str, object]:
        return {
            "pathway": self.pathway_id, "version": self.version, "title": self.title,
            "cohort": self.cohort, "seed": self.seed,
            "outcomes": [{"id": o.id, "title": o.title, "outcome": o.outcome, "share": round(o.share, 4),
                          "p10_days": _days(o.p10_days), "median_days": _days(o.median_days),
                          "p90_days": _days(o.p90_days), "livelihood": list(o.livelihood)}
                         for o in self.outcomes],
            "unreached": self.unreached,
            "gaps": self.gaps.as_json(),
            "social_assistance_only": self.fallback.as_json(),
        }

    def lines(self) -> list[str]:
        out = [f"Prognose for {self.title} ({self.pathway_id}, versjon {self.version}): "
               f"{self.cohort} syntetiske deltakere (frø {self.seed})",
               "Tid fra start til utfall:"]
        out += [f"  {o.line()}" for o in self.outcomes]
        if self.unreached:
            out.append("  Ikke nådd: " + ", ".join(self.unreached))
        out += self.gaps.lines("Inntektsgap (dager uten livsopphold)")
        out += self.fallback.lines("Bare økonomisk sosialhjelp")
        out.append(f"Forutsetninger: varighet trekkes trekantfordelt mellom min, forventet og maks; like "
                   f"sannsynlige valg mellom stegenes utganger; et steg høyst {MAX_VISITS} ganger; avbrudd og "
                   "overføring fra alle steg er ikke med.")
        return out


# -- the definition, prepared once ---------------------------------------------------------------


@dataclass(frozen=True)
class _Range:
    low: float
    mode: float
    high: float

    def draw(self, rng: random.Random) -> float:
        if self.low == self.high:
            return self.low
        return rng.triangular(self.low, self.high, self.mode)


def _range(duration: Duration | None) -> _Range:
    if duration is None:
        return _Range(0.0, 0.0, 0.0)
    mode = duration.expected.approx_days
    return _Range(duration.min.approx_days if duration.min else mode, mode,
                  duration.max.approx_days if duration.max else mode)


@dataclass(frozen=True)
class _Modules:
    spans: tuple[_Range, ...]
    always: tuple[int, ...]  # indices of the modules every participant takes
    optional: tuple[int, ...]  # indices to choose ``extra`` more from
    extra: int
    places: int | None  # max_concurrent

    def draw(self, rng: random.Random) -> float:
        chosen = [*self.always, *rng.sample(self.optional, self.extra)] if self.extra else self.always
        days = [self.spans[i].draw(rng) for i in chosen]
        if not self.places or self.places >= len(days):
            return max(days, default=0.0)
        free = [0.0] * self.places  # when each place is free again; a module takes the first free one
        for length in days:
            heapq.heappush(free, heapq.heappop(free) + length)
        return max(free)


def _modules(step: Step) -> _Modules:
    named = set(step.join.modules) if step.join else set()
    at_least = step.join.at_least if step.join else None
    always = tuple(i for i, m in enumerate(step.modules) if m.id in named or (not at_least and m.required))
    optional = tuple(i for i in range(len(step.modules)) if i not in always)
    extra = min(max(0, at_least - len(always)), len(optional)) if at_least else 0
    return _Modules(tuple(_range(m.duration) for m in step.modules), always, optional, extra, step.max_concurrent)


@dataclass
class _Node:
    id: str
    span: _Range | None  # None: a compound step timed by its regions or modules
    cover: Cover
    targets: tuple[str, ...]
    exit: bool  # an outcome (top level) or a final step (in a region): the walk of the scope ends here
    regions: tuple[_Scope, ...] = ()
    modules: _Modules | None = None
    distance: float = float("inf")  # steps to the nearest exit, for leaving a loop


@dataclass
class _Scope:
    """The steps of the top level or of one region, with where a walk starts."""

    start: str
    nodes: dict[str, _Node]


def _scope(definition: Definition, steps: tuple[Step, ...], start: str) -> _Scope:
    nodes: dict[str, _Node] = {}
    for step in steps:
        exit_ = step.final or step.kind == StepKind.outcome
        compound = step.duration is None and step.kind in (StepKind.parallel, StepKind.modules)
        targets = tuple(dict.fromkeys(t for t in (step.next, *(t.to for t in step.on)) if t))
        nodes[step.id] = _Node(
            step.id, None if compound else _range(step.duration),
            cover(definition.graph.expected_livelihood(step.id)), () if exit_ else targets, exit_,
            regions=tuple(_scope(definition, r.steps, r.start) for r in step.regions) if compound else (),
            modules=_modules(step) if compound and step.kind == StepKind.modules else None)
    # distances to an exit, breadth first against the transitions
    sources: dict[str, list[str]] = defaultdict(list)
    for node in nodes.values():
        for target in node.targets:
            sources[target].append(node.id)
    frontier = [sid for sid, node in nodes.items() if node.exit]
    for sid in frontier:
        nodes[sid].distance = 0
    while frontier:
        reached = []
        for sid in frontier:
            for before in sources[sid]:
                if nodes[before].distance == float("inf"):
                    nodes[before].distance = nodes[sid].distance + 1
                    reached.append(before)
        frontier = reached
    return _Scope(start, nodes)


# -- one participant -----------------------------------------------------------------------------

Piece = tuple[float, Cover, tuple[str, ...]]
"""Days in a row with the same cover, and the steps that give it (or, for a gap, where it is)."""


def _walk(scope: _Scope, rng: random.Random, visits: Counter[str], timeline: list[Piece]) -> tuple[str, float]:
    """Walk ``scope`` from its start to an exit, adding the time spent to ``timeline``: (exit, days)."""
    sid, total = scope.start, 0.0
    while True:
        node = scope.nodes[sid]
        visits[sid] += 1
        total += _spend(node, rng, visits, timeline)
        if node.exit or not node.targets:
            return sid, total
        free = [t for t in node.targets if visits[t] < MAX_VISITS]
        # a forced move goes strictly nearer an exit, so the walk ends
        sid = rng.choice(free) if free else min(node.targets, key=lambda t: scope.nodes[t].distance)


def _spend(node: _Node, rng: random.Random, visits: Counter[str], timeline: list[Piece]) -> float:
    if node.regions:
        return _side_by_side([_region(region, rng, visits) for region in node.regions], timeline)
    days = node.modules.draw(rng) if node.modules else node.span.draw(rng) if node.span else 0.0
    if days > 0:
        timeline.append((days, node.cover, (node.id,)))
    return days


def _region(region: _Scope, rng: random.Random, visits: Counter[str]) -> list[Piece]:
    pieces: list[Piece] = []
    _walk(region, rng, visits, pieces)
    return pieces


def _side_by_side(regions: list[list[Piece]], timeline: list[Piece]) -> float:
    """Regions running at once: each stretch of time gets the best cover of the regions still running."""
    runs: list[tuple[float, float, Cover, tuple[str, ...]]] = []
    for pieces in regions:
        at = 0.0
        for days, kind, steps in pieces:
            runs.append((at, at + days, kind, steps))
            at += days
    points = sorted({0.0, *(end for _, end, _, _ in runs)})
    for start, end in pairwise(points):
        running = [r for r in runs if r[0] <= start < r[1]]
        best = max(r[2] for r in running)
        steps = tuple(dict.fromkeys(s for r in running if r[2] == best for s in r[3]))
        timeline.append((end - start, best, steps))
    return points[-1]


# -- the cohort ----------------------------------------------------------------------------------


def forecast(definition: Definition, cohort: int = 1000, seed: int = 1) -> Forecast:
    """Run ``cohort`` synthetic participants through ``definition`` (see the module docstring)."""
    if cohort < 1:
        raise ValueError(f"a forecast needs a cohort of at least 1 participant, got {cohort}")
    pathway = definition.pathway
    top = _scope(definition, pathway.steps, pathway.start)
    rng = random.Random(seed)
    reached: dict[str, list[float]] = defaultdict(list)
    per_step: dict[Cover, dict[str, list[float]]] = {Cover.none: defaultdict(list), Cover.fallback: defaultdict(list)}
    totals: dict[Cover, list[float]] = {Cover.none: [], Cover.fallback: []}
    for _ in range(cohort):
        timeline: list[Piece] = []
        end, days = _walk(top, rng, Counter(), timeline)
        reached[end].append(days)
        for kind, by_step in per_step.items():
            total = 0.0
            where: defaultdict[str, float] = defaultdict(float)
            for length, piece_kind, sids in timeline:
                if piece_kind == kind:
                    total += length
                    for sid in sids:
                        where[sid] += length
            if total:
                totals[kind].append(total)
            for sid, length in where.items():
                by_step[sid].append(length)

    steps = pathway.all_steps()
    result = Forecast(pathway.id, pathway.version, pathway.title, cohort, seed)
    order = {sid: index for index, sid in enumerate(steps)}
    for sid in sorted(reached, key=lambda s: (-len(reached[s]), order[s])):
        sample = sorted(reached[sid])
        step = steps[sid]
        result.outcomes.append(OutcomeForecast(
            sid, step.title, step.outcome.value if step.outcome else step.kind.value, len(sample) / cohort,
            _quantile(sample, 0.1), _quantile(sample, 0.5), _quantile(sample, 0.9),
            definition.graph.expected_livelihood(sid)))
    result.unreached = [s.id for s in pathway.steps if s.kind == StepKind.outcome and s.id not in reached]
    result.gaps, result.fallback = (GapSummary(
        len(totals[kind]) / cohort, median(totals[kind]) if totals[kind] else None,
        tuple(StepGap(sid, steps[sid].title, len(days) / cohort, median(days))
              for sid, days in sorted(per_step[kind].items(), key=lambda item: (-len(item[1]), order[item[0]]))))
        for kind in (Cover.none, Cover.fallback))
    return result


def _quantile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolating between the two nearest ranks."""
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _percent(share: float) -> str:
    return "under 1 %" if 0 < share < 0.005 else f"{round(share * 100)} %"


def _days(days: float | None) -> float | None:
    return None if days is None else round(days, 1)
