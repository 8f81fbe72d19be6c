"""Pathway diagrams: definition → diagram model → graphviz DOT → SVG or PNG.

The model (:func:`diagram`) says what to draw in domain terms: steps with their Norwegian titles and
durations, regions and module sets as clusters, outcomes by type, which steps to highlight (a
case's position) and the counts per step (a cohort). :func:`to_dot` decides how it looks. Meaning is
never carried by colour alone: a highlighted step also says «NÅ», outcomes say what they are.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

import graphviz

from pathways.definition.graph import JOIN
from pathways.definition.loader import Definition
from pathways.definition.schema import Outcome, Pathway, Step, StepKind
from pathways.definition.vocabulary import BUILTIN_EVENTS, BUILTIN_ROLES

OUTCOME_WORDS = {
    Outcome.work: "Arbeid", Outcome.education: "Utdanning", Outcome.nav_measure: "NAV-tiltak",
    Outcome.social_assistance: "Sosialhjelp", Outcome.discontinued: "Avbrutt",
    Outcome.transferred: "Overført",
}


@dataclass
class Node:
    id: str
    title: str
    style: str  # activity, decision, milestone, outcome:<type>, bar, module, note
    details: list[str] = field(default_factory=list)
    highlighted: bool = False
    count: int | None = None
    change: str | None = None  # added | changed | removed (a diff between versions)


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    style: str = "normal"  # normal, loop, handoff, internal, anytime


@dataclass
class Cluster:
    id: str
    title: str
    style: str  # parallel, region, modules
    nodes: list[str] = field(default_factory=list)
    children: list[Cluster] = field(default_factory=list)


@dataclass
class Diagram:
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)  # one per parallel or module step
    top: list[str] = field(default_factory=list)


def _event_title(pathway: Pathway, event: str) -> str:
    declared = pathway.events.get(event)
    return declared.title if declared else BUILTIN_EVENTS.get(event, event)


def role_title(pathway: Pathway, role: str) -> str:
    """A role's short Norwegian title: 'Programrådgiver', 'NAV-veileder'."""
    title = pathway.roles[role].title if role in pathway.roles else BUILTIN_ROLES.get(role, role)
    return title.split(" (")[0]


def _duration_text(step: Step) -> str | None:
    if step.duration is None:
        return None
    text = "≈ " + step.duration.expected.norwegian()
    if step.duration.max is not None:
        text += f" (maks {step.duration.max.norwegian()})"
    return text


def diagram(definition: Definition, highlight: Iterable[str] = (), counts: Mapping[str, int] | None = None,
            english: bool = False) -> Diagram:
    """The diagram model of a definition; ``highlight`` and ``counts`` refer to step or module ids. The
    boxes are in Norwegian; ``english`` adds each step's English subtitle (``title_en``) under its title,
    for readers of the catalogue outside the kommune (the CLI's ``render``), never on the staff pages."""
    pathway = definition.pathway
    marked, counts = set(highlight), dict(counts or {})
    unknown = marked - set(definition.graph.placed) - {m.id for s in definition.graph.placed.values()
                                                       for m in s.step.modules}
    if unknown:
        raise KeyError(f"cannot highlight unknown step(s): {', '.join(sorted(unknown))}")
    result = Diagram(pathway.title)

    def add_step(step: Step, into: list[str]) -> None:
        details = []
        if english and step.title_en:
            details.append(step.title_en)
        if (text := _duration_text(step)) is not None:
            details.append(text)
        if step.owner:
            details.append(role_title(pathway, step.owner))
        if step.kind == StepKind.outcome:
            assert step.outcome is not None
            style = f"outcome:{step.outcome.value}"
            details.insert(0, f"Utfall: {OUTCOME_WORDS[step.outcome]}")
        else:
            style = step.kind.value
        if step.kind in (StepKind.parallel, StepKind.modules):
            cluster = Cluster(step.id, step.title, step.kind.value)
            result.clusters.append(cluster)
            into.append(CLUSTER + step.id)
            fork, join = step.id, step.id + JOIN
            result.nodes[fork] = Node(fork, "", "bar", highlighted=step.id in marked, count=counts.get(step.id))
            result.nodes[join] = Node(join, "", "bar")
            cluster.nodes += [fork, join]
            if step.kind == StepKind.parallel:
                for region in step.regions:
                    sub = Cluster(f"{step.id}__{region.id}", region.title, "region")
                    cluster.children.append(sub)
                    for inner in region.steps:
                        add_step(inner, sub.nodes)
                        if inner.final:
                            result.edges.append(Edge(inner.id, join, style="internal"))
                    result.edges.append(Edge(fork, region.start, style="internal"))
            else:
                for module in step.modules:
                    lines = [module.title_en] if english and module.title_en else []
                    if module.duration:
                        lines.append("≈ " + module.duration.expected.norwegian())
                    if module.certificate:
                        lines.append(f"gir {module.certificate}")
                    if not module.required:
                        lines.append("valgfri")
                    result.nodes[module.id] = Node(module.id, module.title, "module", lines,
                                                   module.id in marked, counts.get(module.id))
                    cluster.nodes.append(module.id)
                    result.edges += [Edge(fork, module.id, style="internal"), Edge(module.id, join, style="internal")]
            _wire(pathway, step, join, result)
            if step.duration:
                cluster.title += f" · {_duration_text(step)}"
            return
        result.nodes[step.id] = Node(step.id, step.title, style, details, step.id in marked, counts.get(step.id))
        into.append(step.id)
        _wire(pathway, step, step.id, result)

    for step in pathway.steps:
        add_step(step, result.top)
    lifecycle = pathway.lifecycle
    anytime = [(BUILTIN_EVENTS["avbrudd"], lifecycle.discontinue), (BUILTIN_EVENTS["overforing"], lifecycle.transfer)]
    if any(target for _, target in anytime):
        result.nodes["__anytime"] = Node("__anytime", "Fra alle steg", "note")
        result.top.append("__anytime")
        result.edges += [Edge("__anytime", target, label, "anytime") for label, target in anytime if target]
    return result


def _wire(pathway: Pathway, step: Step, source: str, result: Diagram) -> None:
    if step.next:
        result.edges.append(Edge(source, step.next))
    for transition in step.on:
        if transition.to is None:
            continue
        label = _wrap(_event_title(pathway, transition.event), 2)
        condition = transition.guard_message or transition.guard
        if condition:
            label += "\n" + _wrap(f"[{' '.join(condition.split())}]", 3)
        style = "loop" if transition.to == step.id else "normal"
        if transition.handoff:
            label += f"\n→ løp: {transition.handoff.pathway}"
            style = "handoff"
        result.edges.append(Edge(source, transition.to, label, style))


def _wrap(text: str, lines: int, width: int = 34) -> str:
    """Edge labels stay narrow so a long condition does not stretch the whole diagram."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1:]), width, placeholder=" …")]
    return "\n".join(wrapped)


# -- how it looks -----------------------------------------------------------------------------

FONT = "DejaVu Sans"
CLUSTER = "cluster:"  # marks a compound step's place in a list of node ids
NODE_ID = "steg-"  # the SVG id of a step's box: steg-<step id>; a highlighted one has the class "naa"
_FILL = {"activity": "#e8f1fb", "decision": "#fdf3d8", "milestone": "#eef7ee", "module": "#f3ecfa",
         "note": "#ffffff"}
_OUTCOME_FILL = {"work": "#cfe9d2", "education": "#cfe3f5", "nav_measure": "#d6efef",
                 "social_assistance": "#fbe3cf", "discontinued": "#e6e6e6", "transferred": "#e8def5"}
_CLUSTER_FILL = {"parallel": "#f7f9fc", "region": "#ffffff", "modules": "#fbf8fe"}


_CHANGE = {"added": ("NY", "#1a7f37", "#d3f5dc"), "changed": ("ENDRET", "#7d4e00", "#fff3c4"),
           "removed": ("FJERNET", "#a40e26", "#f6f6f6")}  # word, line and text colour, fill


def _label(node: Node) -> str:
    rows = []
    if node.change:
        word, colour, _ = _CHANGE[node.change]
        rows.append(f'<TR><TD><B><FONT POINT-SIZE="10" COLOR="{colour}">{word}</FONT></B></TD></TR>')
    if node.highlighted:
        rows.append('<TR><TD><B><FONT POINT-SIZE="10" COLOR="#7a4a00">● NÅ</FONT></B></TD></TR>')
    rows.append(f"<TR><TD><B>{html.escape(node.title)}</B></TD></TR>")
    for line in node.details:
        rows.append(f'<TR><TD><FONT POINT-SIZE="9" COLOR="#44546a">{html.escape(line)}</FONT></TD></TR>')
    if node.count is not None:
        rows.append(f'<TR><TD BGCOLOR="#1f4e79"><FONT POINT-SIZE="10" COLOR="#ffffff"><B>{node.count} '
                    f'deltaker{"e" if node.count != 1 else ""}</B></FONT></TD></TR>')
    return "<<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"1\" CELLPADDING=\"1\">" + "".join(rows) + "</TABLE>>"


def to_dot(model: Diagram) -> graphviz.Digraph:
    dot = graphviz.Digraph(model.title)
    dot.attr(rankdir="TB", fontname=FONT, labelloc="t", fontsize="18", nodesep="0.35", ranksep="0.45",
             label=f"<<B>{html.escape(model.title)}</B>>", bgcolor="white", newrank="true", compound="true")
    dot.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06", color="#3d4f66", penwidth="1.2")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#5b6b80", fontcolor="#2b3a4d", arrowsize="0.7")

    def node(graph: graphviz.Digraph, node_id: str) -> None:
        n = model.nodes[node_id]
        attrs: dict[str, str] = {}
        if n.style == "bar":
            attrs = {"shape": "box", "label": "", "height": "0.06", "width": "1.6", "style": "filled",
                     "fillcolor": "#3d4f66", "fixedsize": "true"}
            if n.highlighted:
                attrs.update(fillcolor="#f2a900", height="0.12")
        elif n.style == "note":
            attrs = {"shape": "note", "label": _label(n), "style": "filled,dashed", "fillcolor": _FILL["note"]}
        else:
            outcome = n.style.removeprefix("outcome:") if n.style.startswith("outcome:") else None
            attrs = {"shape": "box", "label": _label(n), "style": "rounded,filled",
                     "fillcolor": _OUTCOME_FILL[outcome] if outcome else _FILL.get(n.style, "#ffffff")}
            if n.style == "decision":
                attrs.update(shape="hexagon", style="filled")
            if n.style == "milestone":
                attrs.update(penwidth="2")
            if outcome:
                attrs.update(peripheries="2")
            if n.highlighted:
                attrs.update(penwidth="3.5", color="#b36b00", fillcolor="#ffe08a")
            if n.change:
                _, colour, fill = _CHANGE[n.change]
                attrs.update(penwidth="3", color=colour, fillcolor=fill)
                if n.change == "removed":
                    attrs.update(style="rounded,filled,dashed", fontcolor="#555555")
        attrs["id"] = NODE_ID + node_id  # the page's script finds (and centres) a step by it
        if n.highlighted:
            attrs["class"] = "naa"
        graph.node(node_id, **attrs)

    def cluster(graph: graphviz.Digraph, c: Cluster) -> None:
        with graph.subgraph(name=f"cluster_{c.id}") as sub:
            prefix = {"parallel": "Parallelt: ", "modules": "Moduler i valgfri rekkefølge: ", "region": ""}[c.style]
            sub.attr(label=f"<<B>{html.escape(prefix + c.title)}</B>>", style="rounded,filled" if c.style != "region"
                     else "rounded,dashed", fillcolor=_CLUSTER_FILL[c.style], color="#8a9bb0", fontsize="12")
            for node_id in c.nodes:
                place(sub, node_id)
            for child in c.children:
                cluster(sub, child)

    compound = {CLUSTER + c.id: c for c in model.clusters}

    def place(graph: graphviz.Digraph, node_id: str) -> None:
        if node_id in compound:
            cluster(graph, compound[node_id])
        else:
            node(graph, node_id)

    for node_id in model.top:
        place(dot, node_id)
    for edge in model.edges:
        attrs = {"label": edge.label} if edge.label else {}
        if edge.style == "loop":
            attrs.update(style="dashed", color="#8a5a00", fontcolor="#8a5a00")
        elif edge.style == "handoff":
            attrs.update(style="bold", color="#5b3a8a", fontcolor="#5b3a8a")
        elif edge.style == "internal":
            attrs.update(color="#8a9bb0", arrowsize="0.5")
        elif edge.style == "anytime":
            attrs.update(style="dashed", color="#888888", fontcolor="#555555")
        dot.edge(edge.source, edge.target, **attrs)
    return dot


FORMATS = ("svg", "png", "dot")


def render(definition: Definition, fmt: str = "svg", highlight: Iterable[str] = (),
           counts: Mapping[str, int] | None = None, english: bool = False) -> bytes:
    """The diagram as SVG, PNG or DOT source (bytes); ``english``: with the English subtitles."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}': choose one of {', '.join(FORMATS)}")
    dot = to_dot(diagram(definition, highlight, counts, english))
    if fmt == "dot":
        return cast(str, dot.source).encode()
    return cast(bytes, dot.pipe(format=fmt))


def render_diff(new: Definition, changes: Mapping[str, str], removed_titles: Mapping[str, str], fmt: str = "svg"
                ) -> bytes:
    """The new version's diagram with its changes coloured and labelled (NY, ENDRET) and the steps the
    old version had and the new one lacks shown dashed beside it (FJERNET). ``changes``: step id →
    added | changed | removed; ``removed_titles``: removed step id → its title in the old version."""
    model = diagram(new)
    for step_id, change in changes.items():
        if change != "removed" and step_id in model.nodes:  # a compound step: its fork bar
            model.nodes[step_id].change = change
    for step_id, title in removed_titles.items():
        node_id = f"__fjernet_{step_id}"
        model.nodes[node_id] = Node(node_id, title, "activity", [step_id], change="removed")
        model.top.append(node_id)
    dot = to_dot(model)
    if fmt == "dot":
        return cast(str, dot.source).encode()
    return cast(bytes, dot.pipe(format=fmt))
