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
from pathways.messages import Text

Finding = tuple[Path, str, str]
BREACH_PREFIX = "frist_brudd:"  # the event that performs a deadline's on_breach (pathways.engine.machine)


CHECKS = ("ids and names", "references", "guards", "deadlines", "reachability, dead ends, loops and joins")
"""The structural checks, as an author reads them (a document whose shape is wrong is told how many wait)."""


def check(pathway: Pathway) -> tuple[PathwayGraph, list[Finding]]:
    """Run every structural check; return the compiled graph and the findings."""
    placed, duplicates = place_steps(pathway)
    findings: list[Finding] = [
        (path, Text("duplicate_step_id", id=sid, first="/".join(map(str, first))), "duplicate-id")
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
                code = "duplicate_deadline_id" if key == "deadlines" else "duplicate_followup_id"
                yield (key, index, "id"), Text(code, id=item.id), "duplicate-id"
            seen.add(item.id)
    clash = {d.id for d in pathway.deadlines} & {f.id for f in pathway.followups}
    for index, item in enumerate(pathway.followups):
        if item.id in clash:
            yield ("followups", index, "id"), Text("deadline_and_followup", id=item.id), "duplicate-id"
    builtin = set(PARTICIPANT_FIELDS) | set(CASE_FIELDS)
    owners: dict[str, str] = {}
    for group in ("parameters", "fields", "counters"):
        for name in getattr(pathway, group):
            if name in builtin:
                yield (group, name), Text("reserved_field_name", name=name), "duplicate-id"
            elif name in owners:
                yield (group, name), Text("already_declared", name=name, owner=owners[name]), "duplicate-id"
            owners.setdefault(name, group)


def _unknown(name: str, code: str, known: list[str] | set[str]) -> Text:
    """``unknown step 'x' — did you mean 'y'?``: ``code`` says what kind of name is unknown."""
    return Text(code, name=name, hint=did_you_mean(name, sorted(known)))


def _references(pathway: Pathway, placed: dict[str, Placed]) -> Iterator[Finding]:
    """Every id a document mentions must exist, in the right scope."""
    steps = set(placed)
    events = set(pathway.events) | set(BUILTIN_EVENTS)
    roles = set(BUILTIN_ROLES) | set(pathway.roles)

    def step_ref(target: str, path: Path, scope: tuple[str | None, str | None]) -> Iterator[Finding]:
        if target not in placed:
            yield path, _unknown(target, "unknown_step", steps), "unknown-step"
            return
        there = placed[target]
        if (there.parallel, there.region) != scope:
            yield path, (Text("step_in_region", step=target, region=there.region, parallel=there.parallel)
                         if there.region else Text("step_at_top", step=target)), "scope"

    if pathway.start in placed:
        yield from step_ref(pathway.start, ("start",), (None, None))
    else:
        yield ("start",), _unknown(pathway.start, "unknown_start_step", steps), "unknown-step"

    for sid, where in placed.items():
        step, path, scope = where.step, where.path, (where.parallel, where.region)
        if step.owner and step.owner not in roles:
            yield (*path, "owner"), _unknown(step.owner, "unknown_role_declare", roles), "unknown-role"
        if step.next:
            yield from step_ref(step.next, (*path, "next"), scope)
        if step.final and where.region is None:
            yield (*path, "final"), Text("final_outside_region"), "scope"
        if step.kind == StepKind.outcome and where.region is not None:
            yield (*path, "kind"), Text("outcome_in_region"), "scope"
        used_events: dict[str, bool] = {"fullfort": False} if step.next else {}
        for t_index, transition in enumerate(step.on):
            t_path = (*path, "on", t_index)
            if transition.event not in events:
                yield (*t_path, "event"), _unknown(transition.event, "unknown_event_declare", events), "unknown-event"
            if used_events.get(transition.event) is False:
                yield (*t_path, "event"), Text("shadowed", event=transition.event), "shadowed"
            used_events[transition.event] = used_events.get(transition.event, True) and bool(transition.guard)
            if transition.to is not None:
                yield from step_ref(transition.to, (*t_path, "to"), scope)
            for e_index, effect in enumerate(transition.effects):
                if effect.counter not in pathway.counters:
                    yield (*t_path, "effects", e_index, "counter"), \
                        _unknown(effect.counter, "unknown_counter", set(pathway.counters)), "unknown-counter"
            if transition.handoff and transition.handoff.mode == "transfer":
                target = placed.get(transition.to or "")
                if target is None or target.step.kind != StepKind.outcome:
                    yield (*t_path, "handoff"), Text("transfer_not_outcome"), "handoff"
        for r_index, region in enumerate(step.regions):
            r_path = (*path, "regions", r_index)
            yield from step_ref(region.start, (*r_path, "start"), (sid, region.id))
            if len({r.id for r in step.regions}) != len(step.regions) and \
                    [r.id for r in step.regions].index(region.id) != r_index:
                yield (*r_path, "id"), Text("duplicate_region_id", id=region.id), "duplicate-id"
        module_ids = [m.id for m in step.modules]
        for m_index, module in enumerate(step.modules):
            if module_ids.index(module.id) != m_index:
                yield (*path, "modules", m_index, "id"), Text("duplicate_module_id", id=module.id), "duplicate-id"
        item_keys = [i.key for i in step.handoffs]
        for i_index, item in enumerate(step.handoffs):
            if item_keys.index(item.key) != i_index:
                yield (*path, "handoffs", i_index, "key"), Text("duplicate_handoff_item", key=item.key), \
                    "duplicate-id"
        if step.join:
            for j_index, module_id in enumerate(step.join.modules):
                if module_id not in module_ids:
                    yield (*path, "join", "modules", j_index), _unknown(module_id, "unknown_module", module_ids), \
                        "unknown-step"

    for name, spec in pathway.fields.items():
        if spec.updates is not None:
            fact, mine = PARTICIPANT_FIELDS[spec.updates], field_type(spec)
            if fact.name != mine.name or (fact.values is not None and mine.values is not None and
                                          not mine.values <= fact.values):
                yield ("fields", name, "updates"), Text("field_updates_type", mine=mine, fact=spec.updates,
                                                        kind=fact), "wrong-type"

    for name, counter in pathway.counters.items():
        wanted = [*(zip(("period", "period"), counter.period or (), strict=False)), ("percentage", counter.percentage)]
        for index, (key, field_name) in enumerate(wanted):
            if field_name is None:
                continue
            declared = pathway.fields.get(field_name)
            kind = "date" if key == "period" else "number"
            if declared is None or declared.type.value != kind:
                path = ("counters", name, key, index) if key == "period" else ("counters", name, key)
                code = "unknown_date_field_ref" if kind == "date" else "unknown_number_field_ref"
                same_type = {n for n, f in pathway.fields.items() if f.type.value == kind}
                yield path, _unknown(field_name, code, same_type), "unknown-field"

    for name, event in pathway.events.items():
        for key in ("fields", "optional_fields"):
            for index, field_name in enumerate(getattr(event, key)):
                if field_name not in pathway.fields:
                    yield ("events", name, key, index), _unknown(field_name, "unknown_field_declare",
                                                                 set(pathway.fields)), "unknown-field"
        if event.role and event.role not in roles:
            yield ("events", name, "role"), _unknown(event.role, "unknown_role_ref", roles), "unknown-role"

    lifecycle = pathway.lifecycle
    for key in ("discontinue", "transfer"):
        target = getattr(lifecycle, key)
        if target is None:
            continue
        if target not in placed:
            yield ("lifecycle", key), _unknown(target, "unknown_step", steps), "unknown-step"
        elif placed[target].step.kind != StepKind.outcome:
            yield ("lifecycle", key), Text("lifecycle_not_outcome", key=key, target=target,
                                           kind=placed[target].step.kind.value), "lifecycle"

    taken = {t.event for where in placed.values() for t in where.step.on} | {"fullfort"} | \
        {"permisjon", "gjenoppta", "midlertidig_stans", "avbrudd", "overforing"} | \
        ({"modul_startet", "modul_fullfort"} if any(p.step.modules for p in placed.values()) else set())
    for group in ("deadlines", "followups"):
        key = "met_by" if group == "deadlines" else "done_by"
        for index, item in enumerate(getattr(pathway, group)):
            for e_index, event in enumerate(getattr(item, key)):
                if event in events and event not in taken:
                    yield (group, index, key, e_index), Text("event_never_taken", event=event, item=item.id), \
                        "unknown-event"
            for s_index, sid in enumerate(item.while_in):
                if sid not in placed:
                    yield (group, index, "while_in", s_index), _unknown(sid, "unknown_step", steps), "unknown-step"
            for e_index, event in enumerate(getattr(item, "met_by", getattr(item, "done_by", ()))):
                if event not in events:
                    key = "met_by" if group == "deadlines" else "done_by"
                    yield (group, index, key, e_index), _unknown(event, "unknown_event_ref", events), "unknown-event"
            if group == "followups" and item.owner and item.owner not in roles:
                yield (group, index, "owner"), _unknown(item.owner, "unknown_role_ref", roles), "unknown-role"
    for index, deadline in enumerate(pathway.deadlines):
        if not deadline.on_breach:
            continue
        path = ("deadlines", index, "on_breach")
        if deadline.on_breach not in placed:
            yield path, _unknown(deadline.on_breach, "unknown_step", steps), "unknown-step"
        elif placed[deadline.on_breach].parallel is not None:
            yield path, Text("breach_in_region", step=deadline.on_breach), "scope"
        if deadline.kind == DeadlineKind.reminder:
            yield path, Text("reminder_on_breach"), "deadline"
        if len(BREACH_PREFIX + deadline.id) > 64:
            yield ("deadlines", index, "id"), Text("breach_id_too_long", limit=64 - len(BREACH_PREFIX),
                                                   event=f"{BREACH_PREFIX}{deadline.id}"), "deadline"


def _guards(pathway: Pathway, placed: dict[str, Placed]) -> Iterator[Finding]:
    """Every guard, eligibility rule and effect expression type-checks against the vocabulary."""
    names = vocabulary(pathway)

    def compile_at(source: str, path: Path, expect: Type | None = None) -> Iterator[Finding]:
        try:
            Guard(source, names, expect=expect)
        except GuardError as exc:
            yield path, (Text("guard_error_at", message=exc.message, column=exc.column, source=source)
                         if exc.column > 1 else Text("guard_error", message=exc.message, source=source)), "guard"

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
            yield (*path, "anchor"), _unknown(name, "unknown_step", set(placed)), "unknown-step"
        elif (kind == "participant" and names.get(name) != DATE) or (kind == "participant" and \
                name not in PARTICIPANT_FIELDS):
            dates = {n for n, t in PARTICIPANT_FIELDS.items() if t == DATE}
            yield (*path, "anchor"), _unknown(name, "unknown_participant_date", dates), "unknown-field"
        elif kind == "field" and (name not in pathway.fields or names.get(name) != DATE):
            dates = {n for n in pathway.fields if names.get(n) == DATE}
            yield (*path, "anchor"), _unknown(name, "unknown_date_field_ref", dates), "unknown-field"
        elif kind == "deadline":
            if name not in ids:
                yield (*path, "anchor"), _unknown(name, "unknown_deadline", ids), "unknown-step"
            else:
                anchors.add_edge(deadline.id, name)
        offset = deadline.offset.strip()
        period = pathway.period(offset)
        if period is None:
            yield (*path, "offset"), Text("offset_not_duration", offset=offset, hint=did_you_mean(
                offset.removeprefix("-"), _duration_parameters(pathway))), "unknown-parameter"
            continue
        if deadline.days == DayCount.working and not period.only_days:
            yield (*path, "offset"), Text("working_days_offset", offset=offset), "deadline"
    for index, followup in enumerate(pathway.followups):
        if pathway.period(followup.every, negative=False) is None:
            yield ("followups", index, "every"), Text("every_not_duration", every=followup.every, hint=did_you_mean(
                followup.every, _duration_parameters(pathway))), "unknown-parameter"
    for cycle in nx.simple_cycles(anchors):
        first = min(cycle)
        index = next(i for i, d in enumerate(pathway.deadlines) if d.id == first)
        yield ("deadlines", index, "anchor"), Text("deadline_loop", cycle=" → ".join([*cycle, cycle[0]])), "deadline"
    if nx.is_directed_acyclic_graph(anchors):  # a chain of offsets must not carry a date out of the calendar
        by_id = {d.id: d for d in pathway.deadlines}
        for index, deadline in enumerate(pathway.deadlines):
            if deadline.id not in anchors:
                continue
            chain = list(nx.dfs_preorder_nodes(anchors, deadline.id))
            periods = [pathway.period(by_id[n].offset.strip()) for n in chain if n in by_id]
            if len(chain) > 1 and sum(abs(p.approx_days) for p in periods if p) > MAX_PERIOD_YEARS * DAYS_PER_YEAR:
                yield ("deadlines", index, "offset"), Text("offsets_too_long", deadline=deadline.id,
                                                           years=MAX_PERIOD_YEARS), "deadline"


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
            yield (*where.path, "id"), Text("unreachable", step=sid), "unreachable"

    for sid, where in placed.items():
        step = where.step
        if step.kind == StepKind.outcome or step.final:
            continue
        compound = step.kind in (StepKind.parallel, StepKind.modules)
        leads_somewhere = step.next if compound else step.next or any(t.to for t in step.on)
        if not leads_somewhere:  # unknown targets are reported above
            yield (*where.path, "id"), Text("dead_end_compound" if compound else "dead_end", step=sid), "dead-end"

    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            node = next(iter(component))
            if not graph.has_edge(node, node):
                continue
        leaves = any(target not in component for node in component for target in graph.successors(node))
        if not leaves:
            members = sorted(n for n in component if n in placed)
            first = min(members, key=lambda n: placed[n].path)
            yield (*placed[first].path, "id"), Text("loop_no_exit", steps=members), "no-exit-cycle"

    for sid, where in placed.items():
        step = where.step
        for r_index, region in enumerate(step.regions):
            r_path = (*where.path, "regions", r_index)
            finals = [s.id for s in region.steps if s.final]
            if not finals:
                yield (*r_path, "id"), Text("region_no_final", region=region.id, step=sid), "join"
            elif region.start in placed and not set(finals) & (nx.descendants(graph, region.start) |
                                                                {region.start}):
                yield (*r_path, "id"), Text("region_final_unreachable", region=region.id, start=region.start,
                                            step=sid), "join"
        if step.kind == StepKind.modules:
            modules = step.modules
            join = step.join
            needed = join.at_least if join and join.at_least else sum(m.required for m in modules)
            if join and join.at_least and join.at_least > len(modules):
                yield (*where.path, "join", "at_least"), Text("join_too_many", needed=join.at_least,
                                                              count=len(modules)), "join"
            if needed == 0:
                yield (*where.path, "modules"), Text("join_nothing_required"), "join"
            if step.max_concurrent and step.max_concurrent > len(modules):
                yield (*where.path, "max_concurrent"), Text("max_concurrent_too_big", limit=step.max_concurrent,
                                                            count=len(modules)), "join"
