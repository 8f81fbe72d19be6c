"""What a pathway looks like in numbers: steps, roles, expected time to each outcome, livelihood per step.

Durations are summed along the graph with each step's ``expected`` duration. A parallel step takes
as long as its slowest region; a module set as long as its longest module when modules run side by
side (the shortest case) and as the sum of its modules when they run one after another (the longest
case). Loops (a retake) are counted once: these are plans, not worst cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from pathways.definition.loader import Definition
from pathways.definition.periods import describe_days
from pathways.definition.schema import Module, Pathway, Step, StepKind


@dataclass(frozen=True)
class Span:
    shortest: float
    longest: float

    def __str__(self) -> str:
        if round(self.shortest) == round(self.longest):
            return describe_days(self.shortest)
        return f"{describe_days(self.shortest)} – {describe_days(self.longest)}"


@dataclass(frozen=True)
class StepSummary:
    id: str
    kind: str
    title: str
    owner: str | None
    expected_days: float | None
    livelihood: tuple[str, ...]
    depth: int


@dataclass
class Description:
    id: str
    title: str
    steps: list[StepSummary] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    outcomes: dict[str, Span] = field(default_factory=dict)
    anytime_outcomes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id, "title": self.title, "roles": self.roles,
            "steps": [s.__dict__ for s in self.steps],
            "outcomes": {k: {"shortest_days": round(v.shortest, 1), "longest_days": round(v.longest, 1),
                             "text": str(v)} for k, v in self.outcomes.items()},
            "anytime_outcomes": self.anytime_outcomes,
        }


def describe(definition: Definition) -> Description:
    pathway = definition.pathway
    result = Description(pathway.id, pathway.title)
    roles: set[str] = set()

    def visit(steps: tuple[Step, ...], depth: int) -> None:
        for step in steps:
            expected = step.duration.expected.approx_days if step.duration else None
            result.steps.append(StepSummary(step.id, step.kind.value, step.title, step.owner, expected,
                                            definition.graph.expected_livelihood(step.id), depth))
            if step.owner:
                roles.add(step.owner)
            for region in step.regions:
                visit(region.steps, depth + 1)

    visit(pathway.steps, 0)
    result.roles = sorted(roles)
    spans = _spans(pathway, pathway.steps, pathway.start)
    for step in pathway.steps:
        if step.kind == StepKind.outcome:
            if step.id in spans:
                result.outcomes[step.id] = spans[step.id]
            else:
                result.anytime_outcomes.append(step.id)
    return result


def _weight(step: Step, pathway: Pathway) -> Span:
    """How long one step takes, compound steps included."""
    if step.duration is not None:
        expected = step.duration.expected.approx_days
        return Span(expected, expected)
    if step.kind == StepKind.parallel:
        regions = []
        for region in step.regions:
            spans = _spans(pathway, region.steps, region.start)
            finals = [spans[s.id] for s in region.steps if s.final and s.id in spans]
            regions.append(Span(min(f.shortest for f in finals), max(f.longest for f in finals))
                           if finals else Span(0, 0))
        return Span(max(r.shortest for r in regions), max(r.longest for r in regions))
    if step.kind == StepKind.modules:
        def days(modules: list[Module]) -> list[float]:
            return sorted(m.duration.expected.approx_days if m.duration else 0.0 for m in modules)

        if step.join and step.join.at_least:  # any N modules: the quickest N, or the slowest N
            every = days(list(step.modules))
            needed = min(step.join.at_least, len(every))
            fastest, slowest = every[:needed], every[-needed:]
        else:  # every required module
            fastest = slowest = days([m for m in step.modules if m.required]) or [0.0]
        side_by_side = max(fastest) if not step.max_concurrent else \
            max(max(fastest), sum(fastest) / step.max_concurrent)
        return Span(side_by_side, sum(slowest))
    return Span(0, 0)


def _spans(pathway: Pathway, steps: tuple[Step, ...], start: str) -> dict[str, Span]:
    """Shortest and longest expected time from entering ``start`` to leaving each step of one scope."""
    by_id = {s.id: s for s in steps}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(by_id)
    for step in steps:
        for target in [step.next, *(t.to for t in step.on)]:
            if target in by_id and target != step.id:
                graph.add_edge(step.id, target)
    weights = {sid: _weight(step, pathway) for sid, step in by_id.items()}
    if start not in by_id:
        return {}
    # Drop the edges that close loops (a retake goes back), keeping the forward plan.
    dag = graph.subgraph(nx.descendants(graph, start) | {start}).copy()
    dag.remove_edges_from(_back_edges(graph, start))
    order = list(nx.topological_sort(dag))
    shortest: dict[str, float] = {start: weights[start].shortest}
    longest: dict[str, float] = {start: weights[start].longest}
    for node in order:
        if node == start:
            continue
        preds = [p for p in dag.predecessors(node) if p in shortest]
        if not preds:
            continue
        shortest[node] = min(shortest[p] for p in preds) + weights[node].shortest
        longest[node] = max(longest[p] for p in preds) + weights[node].longest
    return {n: Span(shortest[n], longest[n]) for n in shortest}


def _back_edges(graph: nx.DiGraph[str], start: str) -> list[tuple[str, str]]:
    """Edges that lead back to a step still on the depth-first path from ``start`` (loops)."""
    on_path, back = {start}, []
    for u, v, label in nx.dfs_labeled_edges(graph, start):
        if label == "forward" and u != v:
            on_path.add(v)
        elif label == "reverse" and u != v:
            on_path.discard(v)
        elif label == "nontree" and v in on_path:
            back.append((u, v))
    return back
