"""What changed between two versions of a pathway: steps, events, guards, deadlines, parameters, expected
livelihood and follow-ups added, removed or changed (compared as the engine reads them: a deadline whose
offset names a parameter changes when the parameter does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pathways.definition.loader import Definition
from pathways.definition.schema import Pathway, Step


@dataclass(frozen=True)
class Change:
    area: str  # step | event | guard | deadline | parameter | livelihood | followup
    id: str
    change: str  # added | removed | changed
    before: str | None = None
    after: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"area": self.area, "id": self.id, "change": self.change, "before": self.before, "after": self.after}

    def __str__(self) -> str:
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.change]
        if self.change == "changed":
            return f"{sign} {self.area} {self.id}: {self.before} → {self.after}"
        shown = self.after or self.before
        return f"{sign} {self.area} {self.id}" + (f": {shown}" if shown else "")


def changed_steps(changes: list[Change]) -> dict[str, str]:
    """Step id → added | removed | changed (for colouring the diagram)."""
    found = {c.id: c.change for c in changes if c.area == "step"}
    for c in changes:
        if c.area in ("event", "guard", "livelihood") and c.id.split(":")[0] not in found:
            found[c.id.split(":")[0]] = "changed"
    return found


def _step_summary(step: Step) -> dict[str, str]:
    duration = step.duration
    return {"kind": step.kind.value, "title": step.title, "owner": step.owner or "",
            "duration": "" if duration is None else "/".join(
                str(getattr(duration, k) or "–") for k in ("min", "expected", "max")),
            "next": step.next or "", "outcome": step.outcome.value if step.outcome else "",
            "modules": ",".join(m.id for m in step.modules)}


def _transitions(pathway: Pathway) -> dict[str, str]:
    """'step:event→target' → guard text (empty when unguarded); duplicate keys numbered."""
    found: dict[str, str] = {}
    for step in pathway.all_steps().values():
        for t in step.on:
            key = f"{step.id}:{t.event}→{t.to or '(blir)'}"
            n = 2
            while key in found:
                key, n = f"{step.id}:{t.event}→{t.to or '(blir)'}#{n}", n + 1
            found[key] = " ".join((t.guard or "").split())
    return found


def _resolved_offset(pathway: Pathway, offset: str) -> str:
    """The offset with a parameter's value: a changed parameter changes the deadline."""
    bare = offset.lstrip("-")
    if bare in pathway.parameters:
        return f"{offset} (= {'-' if offset.startswith('-') else ''}{pathway.parameters[bare].default})"
    return offset


def diff_definitions(old: Definition, new: Definition) -> list[Change]:
    """The changes from ``old`` to ``new``, by area, each area sorted by id."""
    a, b = old.pathway, new.pathway
    changes: list[Change] = []

    def keyed(area: str, before: dict[str, Any], after: dict[str, Any], show: Any = str) -> None:
        for key in sorted(before.keys() - after.keys()):
            changes.append(Change(area, key, "removed", show(before[key]), None))
        for key in sorted(after.keys() - before.keys()):
            changes.append(Change(area, key, "added", None, show(after[key])))
        for key in sorted(before.keys() & after.keys()):
            if before[key] != after[key]:
                x, y = before[key], after[key]
                if isinstance(x, dict):
                    fields = [f for f in x if x.get(f) != y.get(f)]
                    changes.append(Change(area, key, "changed", "; ".join(f"{f}={x[f]}" for f in fields),
                                          "; ".join(f"{f}={y.get(f)}" for f in fields)))
                else:
                    changes.append(Change(area, key, "changed", show(x), show(y)))

    steps_a, steps_b = a.all_steps(), b.all_steps()
    keyed("step", {k: _step_summary(s) for k, s in steps_a.items()},
          {k: _step_summary(s) for k, s in steps_b.items()}, show=lambda s: s["title"])
    ta, tb = _transitions(a), _transitions(b)
    for key in sorted(ta.keys() - tb.keys()):
        changes.append(Change("event", key, "removed", ta[key] or None, None))
    for key in sorted(tb.keys() - ta.keys()):
        changes.append(Change("event", key, "added", None, tb[key] or None))
    for key in sorted(ta.keys() & tb.keys()):
        if ta[key] != tb[key]:
            changes.append(Change("guard", key, "changed", ta[key] or "(ingen)", tb[key] or "(ingen)"))
    keyed("deadline",
          {d.id: {"anchor": d.anchor, "offset": _resolved_offset(a, d.offset), "days": d.days.value,
                  "kind": d.kind.value, "while_in": ",".join(d.while_in), "met_by": ",".join(d.met_by)}
           for d in a.deadlines},
          {d.id: {"anchor": d.anchor, "offset": _resolved_offset(b, d.offset), "days": d.days.value,
                  "kind": d.kind.value, "while_in": ",".join(d.while_in), "met_by": ",".join(d.met_by)}
           for d in b.deadlines}, show=lambda d: f"{d['anchor']} + {d['offset']}")
    keyed("parameter", {k: p.default for k, p in a.parameters.items()},
          {k: p.default for k, p in b.parameters.items()})
    keyed("livelihood", {k: ",".join(_sources(s)) for k, s in steps_a.items() if k in steps_b},
          {k: ",".join(_sources(s)) for k, s in steps_b.items() if k in steps_a})
    keyed("followup", {f.id: f"{f.every} i {','.join(f.while_in)}" for f in a.followups},
          {f.id: f"{f.every} i {','.join(f.while_in)}" for f in b.followups})
    return changes


def _sources(step: Step) -> list[str]:
    return [getattr(item, "source", str(item)) for item in (step.livelihood or ())]
