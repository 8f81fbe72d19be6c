"""Structural checks on a pathway whose shape pydantic has accepted.

Each check yields ``(path, message, kind)``; the loader turns paths into file positions. Checks
never stop at the first problem: a document's author sees everything that is wrong at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from pathways.definition.graph import Path, PathwayGraph, Placed, build, place_steps
from pathways.definition.periods import DAYS_PER_YEAR, MAX_PERIOD_YEARS
from pathways.definition.problems import did_you_mean
from pathways.definition.schema import DayCount, DeadlineKind, Pathway, StepKind
from pathways.definition.vocabulary import (
    BUILTIN_EVENTS,
    BUILTIN_ROLES,
    CASE_FIELDS,
    PARTICIPANT_FIELDS,
    field_type,
    vocabulary,
)
from pathways.guards import DATE, NUMBER, Guard, GuardError, Type

Finding = tuple[Path, str, str]
BREACH_PREFIX = "frist_brudd:"  # the event that performs a deadline's on_breach (pathways.engine.machine)


CHECKS = ("ids and names", "references", "guards", "deadlines", "reachability, dead ends, loops and joins")
"""The structural checks, as an author reads them (a document whose shape is wrong is told how many wait)."""


def check(pathway: Pathway) -> tuple[PathwayGraph, list[Finding]]:
    """Run every structural check; return the compiled graph and the findings."""
    placed, duplicates = place_steps(pathway)
    findings: list[Finding] = [
        (path, f"duplicate step id '{sid}' (first defined at {'/'.join(map(str, first))})", "duplicate-id")
        for sid, path, first in duplicates
    ]
    findings += _names(pathway)
    findings += _references(pathway, placed)
    findings += _guards(pathway, placed)
    findings += _deadlines(pathway, placed)
    graph = build(pathway)
    findings += _structure(graph)
    return graph, findings


def _names(pathway: Pathway) -> Iterator[Finding]:
    """Ids that must be unique, and names that must not hide each other."""
    for key in ("deadlines", "followups"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(pathway, key)):
            if item.id in seen:
                yield (key, index, "id"), f"duplicate {key[:-1]} id '{item.id}'", "duplicate-id"
            seen.add(item.id)
    clash = {d.id for d in pathway.deadlines} & {f.id for f in pathway.followups}
    for index, item in enumerate(pathway.followups):
        if item.id in clash:
            yield ("followups", index, "id"), f"'{item.id}' is both a deadline and a follow-up", "duplicate-id"
    builtin = set(PARTICIPANT_FIELDS) | set(CASE_FIELDS)
    owners: dict[str, str] = {}
    for group in ("parameters", "fields", "counters"):
        for name in getattr(pathway, group):
            if name in builtin:
                yield (group, name), f"'{name}' is a participant or case field; choose another name", \
                    "duplicate-id"
            elif name in owners:
                yield (group, name), f"'{name}' is already declared under '{owners[name]}'", "duplicate-id"
            owners.setdefault(name, group)


def _unknown(name: str, what: str, known: list[str] | set[str]) -> str:
    return f"unknown {what} '{name}'" + did_you_mean(name, sorted(known))


def _references(pathway: Pathway, placed: dict[str, Placed]) -> Iterator[Finding]:
    """Every id a document mentions must exist, in the right scope."""
    steps = set(placed)
    events = set(pathway.events) | set(BUILTIN_EVENTS)
    roles = set(BUILTIN_ROLES) | set(pathway.roles)

    def step_ref(target: str, path: Path, scope: tuple[str | None, str | None]) -> Iterator[Finding]:
        if target not in placed:
            yield path, _unknown(target, "step", steps), "unknown-step"
            return
        there = placed[target]
        if (there.parallel, there.region) != scope:
            where = f"region '{there.region}' of '{there.parallel}'" if there.region else "the top level"
            yield path, (f"step '{target}' is in {where}; a transition can only lead to a step in its own "
                         "region (leave a region through a 'final' step)"), "scope"

    if pathway.start in placed:
        yield from step_ref(pathway.start, ("start",), (None, None))
    else:
        yield ("start",), _unknown(pathway.start, "start step", steps), "unknown-step"

    for sid, where in placed.items():
        step, path, scope = where.step, where.path, (where.parallel, where.region)
        if step.owner and step.owner not in roles:
            yield (*path, "owner"), _unknown(step.owner, "role", roles) + \
                " (declare it under 'roles')", "unknown-role"
        if step.next:
            yield from step_ref(step.next, (*path, "next"), scope)
        if step.final and where.region is None:
            yield (*path, "final"), "'final' marks the end of a region; this step is not in a region", "scope"
        if step.kind == StepKind.outcome and where.region is not None:
            yield (*path, "kind"), "an outcome ends the whole case and cannot sit inside a region", "scope"
        used_events: dict[str, bool] = {"fullfort": False} if step.next else {}
        for t_index, transition in enumerate(step.on):
            t_path = (*path, "on", t_index)
            if transition.event not in events:
                yield (*t_path, "event"), _unknown(transition.event, "event", events) + \
                    " (declare it under 'events')", "unknown-event"
            if used_events.get(transition.event) is False:
                yield (*t_path, "event"), (f"this '{transition.event}' transition can never be taken: an earlier "
                                           "one for the same event has no guard"), "shadowed"
            used_events[transition.event] = used_events.get(transition.event, True) and bool(transition.guard)
            if transition.to is not None:
                yield from step_ref(transition.to, (*t_path, "to"), scope)
            for e_index, effect in enumerate(transition.effects):
                if effect.counter not in pathway.counters:
                    yield (*t_path, "effects", e_index, "counter"), \
                        _unknown(effect.counter, "counter", set(pathway.counters)), "unknown-counter"
            if transition.handoff and transition.handoff.mode == "transfer":
                target = placed.get(transition.to or "")
                if target is None or target.step.kind != StepKind.outcome:
                    yield (*t_path, "handoff"), ("a transfer hand-off ends this case: 'to' must be an outcome "
                                                 "step (use mode: parallel to keep the case running)"), "handoff"
        for r_index, region in enumerate(step.regions):
            r_path = (*path, "regions", r_index)
            yield from step_ref(region.start, (*r_path, "start"), (sid, region.id))
            if len({r.id for r in step.regions}) != len(step.regions) and \
                    [r.id for r in step.regions].index(region.id) != r_index:
                yield (*r_path, "id"), f"duplicate region id '{region.id}'", "duplicate-id"
        module_ids = [m.id for m in step.modules]
        for m_index, module in enumerate(step.modules):
            if module_ids.index(module.id) != m_index:
                yield (*path, "modules", m_index, "id"), f"duplicate module id '{module.id}'", "duplicate-id"
        if step.join:
            for j_index, module_id in enumerate(step.join.modules):
                if module_id not in module_ids:
                    yield (*path, "join", "modules", j_index), _unknown(module_id, "module", module_ids), \
                        "unknown-step"

    for name, spec in pathway.fields.items():
        if spec.updates is not None:
            fact, mine = PARTICIPANT_FIELDS[spec.updates], field_type(spec)
            if fact.name != mine.name or (fact.values is not None and mine.values is not None and
                                          not mine.values <= fact.values):
                yield ("fields", name, "updates"), f"a {mine} field cannot update the participant's " \
                    f"'{spec.updates}', which is a {fact}", "wrong-type"

    for name, counter in pathway.counters.items():
        wanted = [*(zip(("period", "period"), counter.period or (), strict=False)), ("percentage", counter.percentage)]
        for index, (key, field_name) in enumerate(wanted):
            if field_name is None:
                continue
            declared = pathway.fields.get(field_name)
            kind = "date" if key == "period" else "number"
            if declared is None or declared.type.value != kind:
                path = ("counters", name, key, index) if key == "period" else ("counters", name, key)
                yield path, _unknown(field_name, f"{kind} field", {n for n, f in pathway.fields.items()
                                                                     if f.type.value == kind}), "unknown-field"

    for name, event in pathway.events.items():
        for key in ("fields", "optional_fields"):
            for index, field_name in enumerate(getattr(event, key)):
                if field_name not in pathway.fields:
                    yield ("events", name, key, index), _unknown(field_name, "field", set(pathway.fields)) + \
                        " (declare it under 'fields')", "unknown-field"
        if event.role and event.role not in roles:
            yield ("events", name, "role"), _unknown(event.role, "role", roles), "unknown-role"

    lifecycle = pathway.lifecycle
    for key in ("discontinue", "transfer"):
        target = getattr(lifecycle, key)
        if target is None:
            continue
        if target not in placed:
            yield ("lifecycle", key), _unknown(target, "step", steps), "unknown-step"
        elif placed[target].step.kind != StepKind.outcome:
            yield ("lifecycle", key), f"'{key}' must lead to an outcome step; '{target}' is of kind " \
                f"{placed[target].step.kind.value}", "lifecycle"

    taken = {t.event for where in placed.values() for t in where.step.on} | {"fullfort"} | \
        {"permisjon", "gjenoppta", "midlertidig_stans", "avbrudd", "overforing"} | \
        ({"modul_startet", "modul_fullfort"} if any(p.step.modules for p in placed.values()) else set())
    for group in ("deadlines", "followups"):
        key = "met_by" if group == "deadlines" else "done_by"
        for index, item in enumerate(getattr(pathway, group)):
            for e_index, event in enumerate(getattr(item, key)):
                if event in events and event not in taken:
                    yield (group, index, key, e_index), (f"no step takes the event '{event}', so it can never "
                                                         f"count for '{item.id}' (add it to a step's 'on')"), \
                        "unknown-event"
            for s_index, sid in enumerate(item.while_in):
                if sid not in placed:
                    yield (group, index, "while_in", s_index), _unknown(sid, "step", steps), "unknown-step"
            for e_index, event in enumerate(getattr(item, "met_by", getattr(item, "done_by", ()))):
                if event not in events:
                    key = "met_by" if group == "deadlines" else "done_by"
                    yield (group, index, key, e_index), _unknown(event, "event", events), "unknown-event"
            if group == "followups" and item.owner and item.owner not in roles:
                yield (group, index, "owner"), _unknown(item.owner, "role", roles), "unknown-role"
    for index, deadline in enumerate(pathway.deadlines):
        if not deadline.on_breach:
            continue
        path = ("deadlines", index, "on_breach")
        if deadline.on_breach not in placed:
            yield path, _unknown(deadline.on_breach, "step", steps), "unknown-step"
        elif placed[deadline.on_breach].parallel is not None:
            yield path, (f"step '{deadline.on_breach}' is inside a region; a breach moves the whole case, so "
                         "'on_breach' must name a top-level step"), "scope"
        if deadline.kind == DeadlineKind.reminder:
            yield path, "a reminder never changes the case; 'on_breach' needs kind: breach", "deadline"
        if len(BREACH_PREFIX + deadline.id) > 64:
            yield ("deadlines", index, "id"), (f"a deadline with 'on_breach' has an id of at most "
                                               f"{64 - len(BREACH_PREFIX)} characters (its event is "
                                               f"'{BREACH_PREFIX}{deadline.id}')"), "deadline"


def _guards(pathway: Pathway, placed: dict[str, Placed]) -> Iterator[Finding]:
    """Every guard, eligibility rule and effect expression type-checks against the vocabulary."""
    names = vocabulary(pathway)

    def compile_at(source: str, path: Path, expect: Type | None = None) -> Iterator[Finding]:
        try:
            Guard(source, names, expect=expect)
        except GuardError as exc:
            at = f" (at character {exc.column})" if exc.column > 1 else ""
            yield path, f"{exc.message}{at} in '{source}'", "guard"

    for index, rule in enumerate(pathway.eligibility):
        yield from compile_at(rule.rule, ("eligibility", index, "rule"))
    for where in placed.values():
        for t_index, transition in enumerate(where.step.on):
            t_path = (*where.path, "on", t_index)
            if transition.guard is not None:
                yield from compile_at(transition.guard, (*t_path, "guard"))
            for e_index, effect in enumerate(transition.effects):
                for key in ("add", "set"):
                    value = getattr(effect, key)
                    if isinstance(value, str):
                        yield from compile_at(value, (*t_path, "effects", e_index, key), NUMBER)


def _deadlines(pathway: Pathway, placed: dict[str, Placed]) -> Iterator[Finding]:
    """Anchors exist and are dates; offsets are durations; anchors between deadlines do not loop."""
    names = vocabulary(pathway)
    ids = {d.id for d in pathway.deadlines}
    anchors: nx.DiGraph[str] = nx.DiGraph()
    for index, deadline in enumerate(pathway.deadlines):
        path = ("deadlines", index)
        kind, _, name = deadline.anchor.partition(":")
        if kind == "step" and name not in placed:
            yield (*path, "anchor"), _unknown(name, "step", set(placed)), "unknown-step"
        elif (kind == "participant" and names.get(name) != DATE) or (kind == "participant" and \
                name not in PARTICIPANT_FIELDS):
            dates = {n for n, t in PARTICIPANT_FIELDS.items() if t == DATE}
            yield (*path, "anchor"), _unknown(name, "participant date", dates), "unknown-field"
        elif kind == "field" and (name not in pathway.fields or names.get(name) != DATE):
            dates = {n for n in pathway.fields if names.get(n) == DATE}
            yield (*path, "anchor"), _unknown(name, "date field", dates), "unknown-field"
        elif kind == "deadline":
            if name not in ids:
                yield (*path, "anchor"), _unknown(name, "deadline", ids), "unknown-step"
            else:
                anchors.add_edge(deadline.id, name)
        offset = deadline.offset.strip()
        period = pathway.period(offset)
        if period is None:
            yield (*path, "offset"), f"'{offset}' is neither an ISO 8601 duration (P3M, -P10D) nor a duration " \
                "parameter" + did_you_mean(offset.removeprefix("-"), _duration_parameters(pathway)), \
                "unknown-parameter"
            continue
        if deadline.days == DayCount.working and not period.only_days:
            yield (*path, "offset"), f"working days are counted in days: write the offset as days " \
                f"(e.g. P10D), not '{offset}'", "deadline"
    for index, followup in enumerate(pathway.followups):
        if pathway.period(followup.every, negative=False) is None:
            yield ("followups", index, "every"), f"'{followup.every}' is neither an ISO 8601 duration (P1M, P3M) " \
                "nor a duration parameter" + did_you_mean(followup.every, _duration_parameters(pathway)), \
                "unknown-parameter"
    for cycle in nx.simple_cycles(anchors):
        first = min(cycle)
        index = next(i for i, d in enumerate(pathway.deadlines) if d.id == first)
        yield ("deadlines", index, "anchor"), "deadlines anchored on each other in a loop: " + \
            " → ".join([*cycle, cycle[0]]), "deadline"
    if nx.is_directed_acyclic_graph(anchors):  # a chain of offsets must not carry a date out of the calendar
        by_id = {d.id: d for d in pathway.deadlines}
        for index, deadline in enumerate(pathway.deadlines):
            if deadline.id not in anchors:
                continue
            chain = list(nx.dfs_preorder_nodes(anchors, deadline.id))
            periods = [pathway.period(by_id[n].offset.strip()) for n in chain if n in by_id]
            if len(chain) > 1 and sum(abs(p.approx_days) for p in periods if p) > MAX_PERIOD_YEARS * DAYS_PER_YEAR:
                yield ("deadlines", index, "offset"), (f"the offsets of '{deadline.id}' and the deadlines it is "
                                                       f"counted from add up to more than {MAX_PERIOD_YEARS} years"), \
                    "deadline"


def _duration_parameters(pathway: Pathway) -> set[str]:
    return {n for n, p in pathway.parameters.items() if p.type == "duration"}


def _structure(pg: PathwayGraph) -> Iterator[Finding]:
    """Reachability, dead ends, closed cycles and joins, on the compiled graph."""
    pathway, graph, placed = pg.pathway, pg.graph, pg.placed
    if pathway.start not in placed:
        return
    reachable = nx.descendants(graph, pathway.start) | {pathway.start}
    for target in pg.lifecycle_targets & set(placed):
        reachable |= nx.descendants(graph, target) | {target}
    for sid, where in placed.items():
        if sid not in reachable:
            yield (*where.path, "id"), f"step '{sid}' can never be reached from the start", "unreachable"

    for sid, where in placed.items():
        step = where.step
        if step.kind == StepKind.outcome or step.final:
            continue
        compound = step.kind in (StepKind.parallel, StepKind.modules)
        leads_somewhere = step.next if compound else step.next or any(t.to for t in step.on)
        if not leads_somewhere:  # unknown targets are reported above
            what = "nothing follows when it is complete ('next')" if compound else "no transition leads out of it"
            yield (*where.path, "id"), (f"step '{sid}' is a dead end: {what}, and it is not an outcome "
                                        "(add 'next' or 'on', or make it kind: outcome)"), "dead-end"

    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            node = next(iter(component))
            if not graph.has_edge(node, node):
                continue
        leaves = any(target not in component for node in component for target in graph.successors(node))
        if not leaves:
            members = sorted(n for n in component if n in placed)
            first = min(members, key=lambda n: placed[n].path)
            yield (*placed[first].path, "id"), ("these steps loop with no way out: " + ", ".join(members) +
                                                 " (add a transition that leaves the loop)"), "no-exit-cycle"

    for sid, where in placed.items():
        step = where.step
        for r_index, region in enumerate(step.regions):
            r_path = (*where.path, "regions", r_index)
            finals = [s.id for s in region.steps if s.final]
            if not finals:
                yield (*r_path, "id"), (f"region '{region.id}' has no 'final: true' step, so the join of "
                                        f"'{sid}' can never complete"), "join"
            elif region.start in placed and not set(finals) & (nx.descendants(graph, region.start) |
                                                                {region.start}):
                yield (*r_path, "id"), (f"no 'final' step of region '{region.id}' can be reached from its start "
                                        f"'{region.start}', so the join of '{sid}' can never complete"), "join"
        if step.kind == StepKind.modules:
            modules = step.modules
            join = step.join
            needed = join.at_least if join and join.at_least else sum(m.required for m in modules)
            if join and join.at_least and join.at_least > len(modules):
                yield (*where.path, "join", "at_least"), (f"the join needs {join.at_least} modules but the set has "
                                                          f"only {len(modules)}: it can never complete"), "join"
            if needed == 0:
                yield (*where.path, "modules"), ("no module is required and the join sets no 'at_least': "
                                                 "the set would complete before it starts"), "join"
            if step.max_concurrent and step.max_concurrent > len(modules):
                yield (*where.path, "max_concurrent"), (f"max_concurrent {step.max_concurrent} is more than the "
                                                        f"{len(modules)} modules"), "join"
