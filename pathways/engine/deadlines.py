"""Deadlines (frister) and recurring follow-ups of one case, derived from its state.

Pure: ``case_deadlines(definition, state, participant, as_of)`` gives every deadline the case has
now, with its due date and status (open, met, breached, waived). The store materialises the result
whenever a case changes; the nightly checks read the stored rows.

- The due date is the anchor plus the offset, in calendar days or Norwegian working days
  (:mod:`pathways.calendar`); with ``shifts_with_pause`` the days of permisjon move it later.
- A deadline exists once its anchor does (the step entered, the date field recorded, ...).
- It is *met* when one of ``met_by`` was recorded on or after its anchor, or, without ``met_by``,
  when the case has left its ``while_in`` steps; *waived* when the case ended or left the steps
  without meeting it; *breached* when a breach deadline is past due and still open.
- A deadline whose ``on_breach`` was performed (the event ``frist_brudd:ID``) stays *breached*.
- A follow-up is due ``every`` after the later of entering its step and the last ``done_by`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from pathways.calendar import due_date
from pathways.definition.loader import Definition
from pathways.definition.periods import Period
from pathways.definition.schema import Deadline, DeadlineKind, Pathway
from pathways.definition.validation import BREACH_PREFIX
from pathways.engine.state import CaseState, Participant

DeadlineStatus = Literal["open", "met", "breached", "waived"]


@dataclass(frozen=True)
class DueItem:
    """A deadline or the next occurrence of a follow-up, for one case."""

    id: str
    title: str
    kind: str  # reminder | breach
    recurring: bool
    anchor_date: date
    due: date
    status: DeadlineStatus
    met_on: date | None = None
    legal_basis: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "kind": self.kind, "recurring": self.recurring,
                "anchor": self.anchor_date.isoformat(), "due": self.due.isoformat(), "status": self.status,
                "met_on": self.met_on.isoformat() if self.met_on else None}


def _period(pathway: Pathway, text: str) -> Period:
    period = pathway.period(text)
    assert period is not None, f"'{text}' was checked when the definition was loaded"
    return period


def _in_any(state: CaseState, steps: tuple[str, ...]) -> bool:
    return any(state.is_in(s) for s in steps)


def next_due(items: list[DueItem]) -> date | None:
    """The earliest due date among the deadlines still to meet (open or breached): the caseload's sort key."""
    return min((i.due for i in items if i.status in ("open", "breached")), default=None)


def case_deadlines(definition: Definition, state: CaseState, participant: Participant, as_of: date) -> list[DueItem]:
    """Every deadline and follow-up of the case as of ``as_of``."""
    pathway = definition.pathway
    items: list[DueItem] = []
    due_by_id: dict[str, date] = {}
    bounds: dict[str, tuple[date, int]] = {}
    pending = list(pathway.deadlines)
    # Anchors on other deadlines are acyclic (checked at load): resolve in as many passes as needed.
    for _ in range(len(pending) + 1):
        waiting = []
        for deadline in pending:
            anchor = _anchor(deadline, state, participant, due_by_id)
            if anchor is _WAIT:
                waiting.append(deadline)
            elif anchor is not None:
                item = _deadline(pathway, deadline, state, anchor, as_of, bounds)
                due_by_id[deadline.id] = due_date(anchor, _period(pathway, deadline.offset), deadline.days.value) \
                    if item is None else item.due
                if item is None:
                    continue
                if item.due >= state.start_date:  # a date before the case began is not this case's deadline
                    items.append(item)
        if not waiting or len(waiting) == len(pending):
            break
        pending = waiting
    if not state.ended:
        items += _followups(pathway, state, as_of)
    return items


_WAIT = date.min  # the anchor is another deadline not resolved yet


def _anchor(deadline: Deadline, state: CaseState, participant: Participant, resolved: dict[str, date]) -> date | None:
    kind, _, name = deadline.anchor.partition(":")
    if kind == "start":
        return state.start_date
    if kind == "step":
        return state.entered.get(name)
    if kind == "participant":
        value = getattr(participant, name, None)
        return value if isinstance(value, date) else None
    if kind == "field":
        value = state.values.get(name)
        return date.fromisoformat(value) if isinstance(value, str) else None
    return resolved.get(name, _WAIT)


def _bound(deadline: Deadline, state: CaseState, anchor: date, bounds: dict[str, tuple[date, int]]
           ) -> tuple[date, int]:
    """From when events count towards a deadline: from entering its anchor step; for a recorded date,
    from the event after the one that recorded it (a new contract end is not met by the extension
    that set it); else from the case's start, or from entering its ``while_in`` steps (a plan made
    early meets a deadline counted back from a future date)."""
    kind, _, name = deadline.anchor.partition(":")
    if kind == "step":
        return anchor, 0
    if kind == "field":
        return state.start_date, state.value_set.get(name, 0)
    if kind == "deadline":
        return bounds.get(name, (state.start_date, 0))  # as the deadline it is counted from
    # the case start or a participant date: from this stay in its steps (a new round of a loop is new)
    return state.stays.get(f"deadline:{deadline.id}", state.start_date), 0


def _deadline(pathway: Pathway, deadline: Deadline, state: CaseState, anchor: date, as_of: date,
              bounds: dict[str, tuple[date, int]]) -> DueItem | None:
    kept = state.kept_due.get(deadline.id)
    if kept is not None and kept[0] == anchor.isoformat():  # pinned by a migration: the old version's date
        due = date.fromisoformat(kept[1])
    else:
        due = due_date(anchor, _period(pathway, deadline.offset), deadline.days.value)
    since, after = bounds[deadline.id] = _bound(deadline, state, anchor, bounds)
    if deadline.while_in and not any(s in state.entered for s in deadline.while_in):
        return None  # open only while in its steps, and the case has not been there yet
    met_dates = state.recorded(deadline.met_by, since, after)
    met_on = met_dates[0] if met_dates else None
    left_steps = bool(deadline.while_in) and not _in_any(state, deadline.while_in) and \
        any(s in state.entered for s in deadline.while_in)
    # its on_breach performed (pathways.checks.breach) for this round of its anchor
    forced = met_on is None and bool(deadline.on_breach and state.recorded((BREACH_PREFIX + deadline.id,), anchor))
    waived = False
    if met_on is None and left_steps and not forced:  # without met_by, completing the steps meets the deadline
        left = max((state.left[s] for s in deadline.while_in if s in state.left), default=None)
        broken_off = state.status in ("discontinued", "transferred") and left == state.ended_on
        if deadline.met_by or broken_off:
            waived = True
        else:
            met_on = left
    if deadline.shifts_with_pause and not deadline.anchor.startswith("deadline:"):  # that one moved already
        due = _shifted(due, since, met_on, state, as_of)
    status: DeadlineStatus
    if met_on is not None:
        status = "met"
    elif forced:  # its on_breach was performed: it stays breached, whatever the move did
        status = "breached"
    elif waived or state.ended:
        status = "waived"
    elif deadline.kind == DeadlineKind.breach and as_of > due:
        status = "breached"
    else:
        status = "open"
    return DueItem(deadline.id, deadline.title, deadline.kind.value, False, anchor, due, status, met_on,
                   deadline.legal_basis)


def _shifted(due: date, since: date, met_on: date | None, state: CaseState, as_of: date) -> date:
    """Permisjon moves a deadline by the paused days between ``since`` and the deadline (and before it was
    met); a pause that starts after the deadline, or after it was met, moves nothing."""
    for pause in sorted(state.pauses, key=lambda p: p.start):
        if pause.start >= due or (met_on is not None and pause.start >= met_on):
            break
        start, end = max(pause.start, since), pause.end or max(as_of, pause.start)
        if end > start:
            due += timedelta(days=(end - start).days)
    return due


def _followups(pathway: Pathway, state: CaseState, as_of: date) -> list[DueItem]:
    items = []
    for followup in pathway.followups:
        active = [s for s in followup.while_in if state.is_in(s)]
        if not active:
            continue
        since = state.stays.get(f"followup:{followup.id}") or max(state.entered[s] for s in active)
        done = state.recorded(followup.done_by, since)
        anchor = done[-1] if done else since
        due = _period(pathway, followup.every).add_to(anchor)
        overdue = followup.kind == DeadlineKind.breach and as_of > due
        items.append(DueItem(followup.id, followup.title, followup.kind.value, True, anchor, due,
                             "breached" if overdue else "open"))
    return items
