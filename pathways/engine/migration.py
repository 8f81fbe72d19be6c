"""Moving a running case from one version of its pathway to another: pure, on the case state.

A :class:`StepMapping` says where each old step goes (``steps``, and ``regions`` for the steps of one
parallel region, which read more naturally there); a step that is not mapped keeps its id and must
exist in the new version. :func:`check_mapping` refuses a mapping that names a step the old version
does not have or sends one to a step the new version does not have, before any case is looked at.

:func:`migrate_state` moves one case: its active steps, module sets and the dates it entered and left
steps are renamed; values, counters, pauses and the event history are kept. Deadlines keep their due
dates by default ("keep the timer", the lesson of Camunda's process instance migration): every deadline
of the old version that the new version also has, and that is still to be met, is pinned to the due date
it had (as long as its anchor does not change); ``recompute`` lists the deadlines (or ``all``) that take
the new version's rule instead. A case that has ended, or whose steps do not exist in the new version, or
whose module set lost a module it has started, cannot move: :class:`CannotMove` says why.

The move is recorded as an event (:data:`MIGRATION_EVENT`) whose values hold everything needed to
replay it, so a case rebuilt from its events passes through both versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pathways.calendar import due_date
from pathways.definition.loader import Definition
from pathways.definition.schema import StepKind
from pathways.engine.deadlines import DueItem, case_deadlines
from pathways.engine.state import CaseState, Participant
from pathways.messages import Text

MIGRATION_EVENT = "versjonsbytte"


class MappingError(ValueError):
    """The mapping itself is wrong (names a missing step, maps one step two ways); nothing is moved."""

    def __init__(self, problems: list[str]):
        super().__init__(Text.joined(*[part for p in problems for part in ("; ", p)][1:]))
        self.problems = problems


class CannotMove(ValueError):
    """This case cannot move with this mapping; the message says why."""


@dataclass(frozen=True)
class StepMapping:
    steps: dict[str, str] = field(default_factory=dict)
    recompute: frozenset[str] | None = frozenset()  # deadline ids to recompute; None = all

    @classmethod
    def from_data(cls, data: Any, where: str = "mapping") -> StepMapping:
        """From the mapping document: ``steps: {old: new}``, ``regions: {region: {old: new}}``,
        ``recompute: [deadline, ...] | all``. Raises MappingError naming what is wrong."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise MappingError([Text("mapping_shape", where=where)])
        problems: list[str] = [Text("mapping_unknown_key", where=where, key=k)
                               for k in data if k not in ("steps", "regions", "recompute")]
        steps: dict[str, str] = {}

        def add(pairs: Any, at: str) -> None:
            if pairs is None:
                return
            if not isinstance(pairs, dict):
                problems.append(Text("mapping_pairs", where=at))
                return
            for old, new in pairs.items():
                if not isinstance(old, str) or not isinstance(new, str):
                    problems.append(Text("mapping_ids_text", where=f"{at}.{old}"))
                elif old in steps and steps[old] != new:
                    problems.append(Text("mapping_twice", where=f"{at}.{old}", first=steps[old], second=new))
                else:
                    steps[old] = new

        add(data.get("steps"), f"{where}.steps")
        regions = data.get("regions") or {}
        if not isinstance(regions, dict):
            problems.append(Text("mapping_regions", where=f"{where}.regions"))
        else:
            for region, pairs in regions.items():
                add(pairs, f"{where}.regions.{region}")
        raw = data.get("recompute", [])
        recompute: frozenset[str] | None
        if raw == "all":
            recompute = None
        elif isinstance(raw, list) and all(isinstance(x, str) for x in raw):
            recompute = frozenset(raw)
        else:
            problems.append(Text("mapping_recompute", where=f"{where}.recompute"))
            recompute = frozenset()
        if problems:
            raise MappingError(problems)
        return cls(steps, recompute)

    def as_json(self) -> dict[str, Any]:
        return {"steps": dict(sorted(self.steps.items())),
                "recompute": "all" if self.recompute is None else sorted(self.recompute)}


def check_mapping(old: Definition, new: Definition, mapping: StepMapping) -> None:
    """Refuse a mapping from a step the old version lacks or to a step the new version lacks."""
    old_steps, new_steps = old.pathway.all_steps(), new.pathway.all_steps()
    problems: list[str] = []
    for source, target in sorted(mapping.steps.items()):
        if source not in old_steps:
            problems.append(Text("maps_from_missing", step=source, version=f"{old.pathway.id}@{old.pathway.version}"))
        if target not in new_steps:
            problems.append(Text("maps_to_missing", step=source, target=target,
                                 version=f"{new.pathway.id}@{new.pathway.version}"))
        elif source in old_steps and _shape(old_steps[source].kind) != _shape(new_steps[target].kind):
            problems.append(Text("maps_kind_changes", step=source, before=old_steps[source].kind, target=target,
                                 after=new_steps[target].kind))
    deadlines = {d.id for d in old.pathway.deadlines} | {d.id for d in new.pathway.deadlines}
    for name in sorted(mapping.recompute or ()):
        if name not in deadlines:
            problems.append(Text("recompute_unknown", name=name))
    if problems:
        raise MappingError(problems)


def _shape(kind: StepKind) -> str:
    return kind.value if kind in (StepKind.parallel, StepKind.modules) else "simple"


@dataclass(frozen=True)
class Moved:
    state: CaseState
    steps: dict[str, str]  # old active step → new
    kept: dict[str, date]  # deadline → the due date kept
    recomputed: dict[str, tuple[date, date]]  # deadline → (old due, new due) where the new rule moved it
    values: dict[str, Any]  # the migration event's values (enough to replay it)
    deadlines: list[DueItem]  # the case's deadlines on the new version, as of the migration date


def migrate_state(old: Definition, new: Definition, state: CaseState, participant: Participant,
                  mapping: StepMapping, on: date, old_version_id: int = 0, new_version_id: int = 0) -> Moved:
    """The case moved to ``new`` on ``on``; raises CannotMove. ``state`` is not changed."""
    if state.ended:
        raise CannotMove(Text("migrate_ended", status=state.status, on=state.ended_on))
    if on < state.last_event_on:
        raise CannotMove(Text("migrate_later_event", last=state.last_event_on, on=on))
    old_steps, new_steps = old.pathway.all_steps(), new.pathway.all_steps()

    def target(step: str) -> str:
        found = mapping.steps.get(step, step)
        if found not in new_steps:
            raise CannotMove(Text("migrate_step_missing", step=step, version=f"{new.pathway.id}@{new.pathway.version}"))
        before, after = old_steps.get(step), new_steps[found]
        if before is not None and _shape(before.kind) != _shape(after.kind):
            raise CannotMove(Text("migrate_kind_changes", step=step, before=before.kind, found=found, after=after.kind,
                                  version=new.pathway.version))
        return found

    active = list(state.steps) + list(state.compounds)
    moved_steps = {s: target(s) for s in active}
    for compound, progress in state.compounds.items():
        step = new_steps[moved_steps[compound]]
        if step.kind == StepKind.modules:
            known = {m.id for m in step.modules}
            lost = sorted(m for m in progress.modules if m not in known)
            if lost:
                raise CannotMove(Text("migrate_modules_lost", compound=compound, modules=list(lost), step=step.id,
                                      version=new.pathway.version))
    before = {i.id: i for i in case_deadlines(old, state, participant, on) if not i.recurring}
    kept: dict[str, date] = {}
    pinned: dict[str, list[str]] = dict(state.kept_due)
    new_deadlines = {d.id: d for d in new.pathway.deadlines}
    recompute_all = mapping.recompute is None
    for key, item in before.items():
        if key not in new_deadlines or item.status not in ("open", "breached"):
            continue
        if recompute_all or key in (mapping.recompute or ()):
            pinned.pop(key, None)
            continue
        rule = next(d for d in old.pathway.deadlines if d.id == key)
        period = old.pathway.period(rule.offset)
        assert period is not None
        base = due_date(item.anchor_date, period, rule.days.value)  # before permisjon moves it
        if key in state.kept_due and state.kept_due[key][0] == item.anchor_date.isoformat():
            base = date.fromisoformat(state.kept_due[key][1])  # kept through an earlier migration
        pinned[key] = [item.anchor_date.isoformat(), base.isoformat()]
        kept[key] = item.due
    renamed = _moved(state, new, mapping.steps, {k: v for k, v in pinned.items() if k in new_deadlines}, on,
                     state.sequence + 1)
    items = case_deadlines(new, renamed, participant, on)
    after = {i.id: i for i in items if not i.recurring}
    kept = {k: d for k, d in kept.items() if k in after and after[k].due == d}  # a pin whose anchor moved is not
    recomputed = {k: (before[k].due, after[k].due) for k in before
                  if k in after and k not in kept and before[k].due != after[k].due
                  and before[k].status in ("open", "breached")}
    values = {"from_version": old.pathway.version, "to_version": new.pathway.version,
              "from_version_id": old_version_id, "to_version_id": new_version_id,
              "steps": moved_steps, "kept_due": renamed.kept_due, "mapping": mapping.as_json()}
    return Moved(renamed, moved_steps, kept, recomputed, values, items)


def replay_migration(state: CaseState, new: Definition, values: dict[str, Any], on: date, sequence: int) -> CaseState:
    """Apply a recorded migration event to a rebuilt state (see :func:`pathways.services.cases.rebuild`)."""
    return _moved(state, new, values["mapping"]["steps"], values.get("kept_due", {}), on, sequence)


def _moved(state: CaseState, new: Definition, steps: dict[str, str], kept_due: dict[str, list[str]], on: date,
           sequence: int) -> CaseState:
    """The state under the new version's step ids, with its pinned deadlines and the migration event.
    ``last_event_on`` stays: staff may still record what happened before the migration."""
    moved = state.copy_for_update()
    moved.version = new.pathway.version
    moved.steps = list(dict.fromkeys(steps.get(s, s) for s in state.steps))
    moved.compounds = {steps.get(k, k): v for k, v in moved.compounds.items()}
    moved.entered = _renamed(state.entered, steps)
    moved.left = _renamed(state.left, steps)
    moved.kept_due = {k: list(v) for k, v in kept_due.items()}
    moved.sequence = sequence
    moved.events = {**moved.events, MIGRATION_EVENT: [*moved.events.get(MIGRATION_EVENT, []), (on, sequence)]}
    return moved


def _renamed(dates: dict[str, date], steps: dict[str, str]) -> dict[str, date]:
    """Step dates under the new ids; where two old steps become one, the later date wins."""
    out: dict[str, date] = {}
    for step, day in dates.items():
        name = steps.get(step, step)
        out[name] = max(day, out[name]) if name in out else day
    return out
