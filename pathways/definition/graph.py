"""The intermediate graph of a pathway: one networkx graph that checks, ``describe`` and diagrams share.

Nodes are step ids. A parallel step ``P`` forks to the start of each region; the ``final`` steps of
its regions lead to a synthetic join node ``P#join``, which carries ``P``'s ``next``; ``P``'s ``on``
transitions interrupt the regions and leave from ``P`` itself. A
module set is a single node (its modules are drawn inside it). Case-wide events (discontinue,
transfer, a breached deadline's ``on_breach``) are not edges: they are listed in ``lifecycle_targets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from pathways.definition.schema import Pathway, Region, Step, StepKind

Path = tuple[str | int, ...]
JOIN = "#join"


@dataclass(frozen=True)
class Placed:
    """A step with where it sits: its document path and its region (None at the top level)."""

    step: Step
    path: Path
    parallel: str | None = None
    region: str | None = None


@dataclass
class PathwayGraph:
    pathway: Pathway
    graph: nx.MultiDiGraph[str]
    placed: dict[str, Placed]
    lifecycle_targets: set[str] = field(default_factory=set)

    def expected_livelihood(self, sid: str) -> tuple[str, ...]:
        """The livelihood sources expected in a step: its own, else its parallel step's, else the pathway's."""
        step_id: str | None = sid
        while step_id is not None:
            where = self.placed[step_id]
            if where.step.livelihood is not None:
                return tuple(s.value for s in where.step.livelihood)
            step_id = where.parallel
        return tuple(s.value for s in self.pathway.livelihood)


def place_steps(pathway: Pathway) -> tuple[dict[str, Placed], list[tuple[str, Path, Path]]]:
    """Index every step by id with its path; also return duplicates as (id, path, first path)."""
    placed: dict[str, Placed] = {}
    duplicates: list[tuple[str, Path, Path]] = []

    def visit(steps: tuple[Step, ...], base: Path, parallel: str | None, region: Region | None) -> None:
        for index, step in enumerate(steps):
            path = (*base, index)
            if step.id in placed:
                duplicates.append((step.id, path, placed[step.id].path))
            else:
                placed[step.id] = Placed(step, path, parallel, region.id if region else None)
            for r_index, inner in enumerate(step.regions):
                visit(inner.steps, (*path, "regions", r_index, "steps"), step.id, inner)

    visit(pathway.steps, ("steps",), None, None)
    return placed, duplicates


def build(pathway: Pathway) -> PathwayGraph:
    """Compile ``pathway`` into its graph. Assumes ids are unique (the checks report when not)."""
    placed, _ = place_steps(pathway)
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for sid, where in placed.items():
        graph.add_node(sid, kind=where.step.kind.value, parallel=where.parallel, region=where.region)
    for sid, where in placed.items():
        step = where.step
        source = sid
        if step.kind == StepKind.parallel:
            source = sid + JOIN
            graph.add_node(source, kind="join", parallel=where.parallel, region=where.region)
            for region in step.regions:
                if region.start in placed:
                    graph.add_edge(sid, region.start, event=None, role="fork", guard=None)
                for inner in region.steps:
                    if inner.final:
                        graph.add_edge(inner.id, source, event=None, role="join", guard=None)
        if step.next in placed:
            graph.add_edge(source, step.next, event="fullfort", role="next", guard=None)
        for transition in step.on:  # on a parallel step: interrupting, from the step itself
            target = transition.to
            if target in placed:
                graph.add_edge(sid, target, event=transition.event, role="on", guard=transition.guard,
                               handoff=transition.handoff.pathway if transition.handoff else None)
    lifecycle = {t for t in (pathway.lifecycle.discontinue, pathway.lifecycle.transfer) if t} | \
        {d.on_breach for d in pathway.deadlines if d.on_breach}
    return PathwayGraph(pathway, graph, placed, lifecycle)
