"""The participant's right of access (innsyn, GDPR article 15): everything the store keeps about one person,
for them to read.

:func:`export` gathers it in one transaction, so the parts agree with each other: the participant's facts
(every column of the participant row), each case with its pathway, status, dates, outcome, current steps
and caseworker, and on each case its events (their values as recorded and in words, the facts the rules
saw), deadlines, notes, hand-offs with their checklists, tasks and absence; the livelihood periods, the
flags and the audit trail's entries about the person. Who recorded what is given as the username and,
where it is an account, the person's full name. The events are told in words by the timeline's own code
(:func:`pathways.services.story.event_entries`), with the titles of the pathway definition they were
recorded under.

The result (:class:`Innsyn`) is machine-readable JSON (:meth:`Innsyn.as_json`, ISO dates, a format name
and version) and a document in bokmål (:mod:`pathways.services.innsyn_document`: HTML rendered to PDF).

Who may export: a leder of the participant's kommune, the veileder of one of their cases (or a colleague
covering for that veileder), and the system actor (the CLI); built from the rules of
:mod:`pathways.services.access`, so that someone outside their scope is told "not found" as everywhere
else, and someone who sees the person without being one of these (a veileder with them in the intake, a
unit the case was handed to) is refused. The export is itself recorded in the audit trail
(``participant.exported``, its format as the detail, no personal data) in the same transaction as the
reads: an entry means the data was read out.

Who has read the person's data (the read-access log) is a section of its own, ``reads``: by role and unit
(:func:`pathways.services.readlog.readers_for_innsyn`, persons named with ``PATHWAYS_INNSYN_READERS=personer``),
or what the ``readers`` hook of :func:`export` gives. The export is itself a read in that log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from pathways.income.gaps import LABELS as SOURCE_TITLES
from pathways.services import access, audit, readlog
from pathways.services.context import Actor, Context, NotFound, ServiceError, definition_of
from pathways.services.story import event_entries, full_names, local
from pathways.store.queries import innsyn as rows
from pathways.store.tables import Enrolment, Kommune, Participant, Task

FORMAT = "pathways-innsyn"
FORMAT_VERSION = 1
"""The JSON's name and version: raise the version when a key changes meaning or goes away."""
FORMATS = ("json", "pdf")

Readers = Callable[[Session, int], list[dict[str, Any]]]
"""The read-access log's hook: (the export's session, the participant's id) → one dict per read of their
data (e.g. ``at`` ISO text, ``role``, ``unit``, ``view``, ``channel``, and ``name`` where persons are named),
newest first. What it gives is the export's ``reads`` section as it is; the document shows those keys."""


@dataclass
class Innsyn:
    """What the store keeps about one participant (see the module). Every section is a list of plain dicts
    of dates, instants (Norwegian time), numbers and text, the same for the JSON and the document."""

    generated: datetime  # when the export was made, Norwegian time
    participant: dict[str, Any]
    cases: list[dict[str, Any]] = field(default_factory=list)
    livelihood: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)  # the read-access log's hook (Readers)

    @property
    def participant_id(self) -> int:
        return int(self.participant["id"])

    def as_json(self) -> dict[str, Any]:
        """The export as JSON-ready data: dates as ``ÅÅÅÅ-MM-DD``, instants ISO 8601 with their offset."""
        return _plain({"format": FORMAT, "format_version": FORMAT_VERSION, "generated": self.generated,
                       "participant": self.participant, "cases": self.cases, "livelihood": self.livelihood,
                       "flags": self.flags, "audit": self.audit, "reads": self.reads})

    def dumps(self) -> str:
        """:meth:`as_json` as text (UTF-8 as it is, indented: a person may open the file too)."""
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):  # a datetime too
        return value.isoformat()
    return value


# -- who may ----------------------------------------------------------------------------------------------


def _allowed(session: Session, actor: Actor, participant_id: int) -> Participant:
    """The participant when the actor may export what is kept about them (see the module); NotFound outside
    the actor's scope (:func:`access.participant`), Forbidden for a role that reads no participants and for
    those who see the person without being their leder or the veileder of one of their cases."""
    row = access.participant(session, access.reading(actor), participant_id)
    if actor.is_system:
        return row
    if not actor.unit_scoped:
        if actor.role == "leder" and access.in_kommune(actor, row.kommune_id):
            return row
        if actor.role == "veileder" and session.exec(select(Enrolment.id).where(
                Enrolment.participant_id == participant_id, *access.kommune(actor, Enrolment.kommune_id),
                col(Enrolment.caseworker).in_(access.caseworkers(actor)))).first() is not None:
            return row
    raise access.Forbidden("innsyn_not_allowed", "participant")


def may_export(ctx: Context, participant_id: int) -> bool:
    """Whether the actor may export the participant's data (the participant page shows the buttons)."""
    with ctx.transaction() as session:
        try:
            _allowed(session, ctx.actor, participant_id)
        except (access.Forbidden, NotFound):
            return False
        return True


# -- what is kept -----------------------------------------------------------------------------------------


def export(ctx: Context, participant_id: int, fmt: str = "json", *, readers: Readers | None = None) -> Innsyn:
    """Everything kept about the participant (see the module), for the actor when they may export it; the
    export is recorded in the audit trail in the same transaction, with ``fmt`` (``json`` or ``pdf``, what
    the caller makes of it) as its detail. ``readers``: the read-access log's hook (:data:`Readers`)."""
    if fmt not in FORMATS:
        raise ServiceError("innsyn_format", "format", value=fmt)
    with ctx.transaction() as session:
        row = _allowed(session, ctx.actor, participant_id)
        found = rows.kept(session, participant_id, row.kommune_id)
        kommune = session.get(Kommune, row.kommune_id)
        colleagues = rows.usernames(session, [t.assignee_user_id for t in found.tasks])
        names = _accounts(full_names(session, [*_usernames(found), *colleagues.values()]))
        units = rows.unit_names(session, [u for h in found.handoffs for u in (h.from_unit_id, h.to_unit_id)]
                                + [t.assignee_unit_id for t in found.tasks])
        innsyn = Innsyn(generated=local(ctx.now()),
                        participant={**_participant(row), "kommune": kommune.name if kommune else None})
        innsyn.cases = _cases(session, found, names, units, colleagues)
        innsyn.livelihood = [_period(p) for p in found.periods]
        innsyn.flags = [_flag(f, names) for f in found.flags]
        innsyn.audit = [_entry(a, names) for a in found.audit]
        innsyn.reads = list((readers or readlog.readers_for_innsyn)(session, participant_id))
        readlog.note(ctx, participant_id, row.kommune_id, "innsyn")
        audit.record(session, ctx, "participant.exported", kommune_id=row.kommune_id, participant_id=participant_id,
                     detail=fmt)
    return innsyn


def _usernames(found: rows.Kept) -> Iterable[str]:
    """Every username that recorded, wrote, decided or is responsible for something kept about the person."""
    yield from (c.caseworker for c in found.cases if c.caseworker)
    yield from (e.recorded_by for e in found.events)
    yield from (n.author for n in found.notes)
    for h in found.handoffs:
        yield from (u for u in (h.created_by, h.decided_by, h.responsible) if u)
    for t in found.tasks:
        yield from (u for u in (t.created_by, t.done_by) if u)
    yield from (a.recorded_by for a in found.absence)
    yield from (f.resolved_by for f in found.flags if f.resolved_by)
    yield from (a.actor for a in found.audit)


def _accounts(names: dict[str, str]) -> dict[str, str]:
    """Of :func:`full_names`, the usernames that are accounts: a ``*_name`` key is null for ``system``, ``cli``."""
    return {username: name for username, name in names.items() if name != username}


def _when(moment: datetime | None) -> datetime | None:
    return local(moment) if moment is not None else None


def _participant(row: Participant) -> dict[str, Any]:
    """Every column of the participant row (a column added later is exported without a change here)."""
    data = {column.name: getattr(row, column.name) for column in Participant.__table__.columns}
    return {k: _when(v) if isinstance(v, datetime) else v for k, v in data.items()}


def _cases(session: Session, found: rows.Kept, names: dict[str, str], units: dict[int, str],
           colleagues: dict[int, str]) -> list[dict[str, Any]]:
    per_case: dict[int, dict[str, list[Any]]] = {c.id or 0: {"events": [], "deadlines": [], "notes": [],
                                                             "handoffs": [], "tasks": [], "absence": []}
                                                 for c in found.cases}
    sections: tuple[tuple[str, list[Any]], ...] = (
        ("events", found.events), ("deadlines", found.deadlines), ("notes", found.notes),
        ("handoffs", found.handoffs), ("tasks", found.tasks), ("absence", found.absence))
    for kind, section in sections:
        for row in section:
            per_case[row.enrolment_id or 0][kind].append(row)
    items: dict[int, list[Any]] = {}
    for item in found.items:
        items.setdefault(item.handoff_id, []).append(item)
    made = []
    for case in found.cases:
        kept = per_case[case.id or 0]
        definition = definition_of(session, case.pathway_version_id)
        steps = definition.pathway.all_steps()
        outcome = steps.get(case.outcome) if case.outcome else None
        made.append({
            "id": case.id, "pathway": case.pathway_id, "pathway_title": definition.pathway.title,
            "pathway_version": definition.pathway.version, "status": case.status, "start_date": case.start_date,
            "ended_on": case.ended_on, "outcome": case.outcome, "outcome_title": outcome.title if outcome else None,
            "outcome_kind": outcome.outcome.value if outcome and outcome.outcome else None,
            "current_steps": [{"id": s, "title": steps[s].title if s in steps else s}
                              for s in case.current_steps.split(",") if s],
            "caseworker": case.caseworker, "caseworker_name": names.get(case.caseworker or ""),
            "parent_case": case.parent_id, "next_due": case.next_due,
            "income_gap": {"from": case.gap_from, "to": case.gap_to} if case.gap_from else None,
            "case_version": case.version, "updated_at": _when(case.updated_at),
            "state": json.loads(case.state or "{}"),
            "events": _events(definition, kept["events"], names),
            "deadlines": [{"key": d.key, "title": d.title, "kind": d.kind, "recurring": d.recurring,
                           "anchor_date": d.anchor_date, "due": d.due, "status": d.status, "met_on": d.met_on}
                          for d in kept["deadlines"]],
            "notes": [{"id": n.id, "text": n.text, "written_by": n.author, "written_by_name": names.get(n.author),
                       "written_at": _when(n.created_at), "edited_at": _when(n.edited_at)} for n in kept["notes"]],
            "handoffs": [_handoff(h, items.get(h.id or 0, []), names, units) for h in kept["handoffs"]],
            "tasks": [_task(t, names, units, colleagues) for t in kept["tasks"]],
            "absence": [{"month": a.month, "approved": a.approved, "hours": a.hours_x100 / 100, "note": a.note,
                         "recorded_by": a.recorded_by, "recorded_by_name": names.get(a.recorded_by),
                         "recorded_at": _when(a.recorded_at)} for a in kept["absence"]],
        })
    return made


def _events(definition: Any, events: list[Any], names: dict[str, str]) -> list[dict[str, Any]]:
    """Each event as recorded (its values and the facts the rules saw, as stored) and in words (the
    timeline's: titles from the definition, the values by their fields)."""
    told = event_entries(definition, events, names)
    return [{"sequence": e.sequence, "name": e.name, "title": entry.title, "effective_on": e.effective_on,
             "step": e.step, "step_title": entry.step, "values": json.loads(e.values or "{}"),
             "values_text": [{"field": title, "value": words} for title, words in entry.values],
             "facts": json.loads(e.facts or "{}"), "recorded_at": entry.at, "recorded_by": e.recorded_by,
             "recorded_by_name": names.get(e.recorded_by)}
            for e, entry in zip(events, told, strict=True)]


def _handoff(h: Any, items: list[Any], names: dict[str, str], units: dict[int, str]) -> dict[str, Any]:
    return {"id": h.id, "from_unit": units.get(h.from_unit_id), "to_unit": units.get(h.to_unit_id),
            "planned_on": h.planned_on, "sent_on": h.sent_on, "message": h.message, "status": h.status,
            "created_by": h.created_by, "created_by_name": names.get(h.created_by), "created_at": _when(h.created_at),
            "decided_by": h.decided_by, "decided_by_name": names.get(h.decided_by or ""),
            "decided_at": _when(h.decided_at), "responsible": h.responsible,
            "responsible_name": names.get(h.responsible or ""), "return_reason": h.return_reason,
            "items": [{"key": i.key, "label": i.label, "required": i.required, "ticked": i.ticked, "note": i.note}
                      for i in items]}


def _task(t: Task, names: dict[str, str], units: dict[int, str], colleagues: dict[int, str]) -> dict[str, Any]:
    user = colleagues.get(t.assignee_user_id or 0)
    return {"id": t.id, "title": t.title, "due": t.due,
            "assignee": names.get(user, user) if user else units.get(t.assignee_unit_id or 0),
            "assignee_kind": "user" if t.assignee_user_id else "unit",
            "created_by": t.created_by, "created_by_name": names.get(t.created_by), "created_at": _when(t.created_at),
            "done_at": _when(t.done_at), "done_by": t.done_by, "done_by_name": names.get(t.done_by or ""),
            "done_note": t.done_note}


def _period(p: Any) -> dict[str, Any]:
    return {"id": p.id, "source": p.source, "source_title": SOURCE_TITLES.get(p.source, p.source), "start": p.start,
            "end": p.end, "planned": p.planned, "amount": None if p.amount_ore is None else p.amount_ore / 100,
            "amount_basis": p.amount_basis, "note": p.note, "created_at": _when(p.created_at)}


def _flag(f: Any, names: dict[str, str]) -> dict[str, Any]:
    return {"id": f.id, "case": f.enrolment_id, "kind": f.kind, "severity": f.severity, "due": f.due,
            "message": f.message, "state": f.state, "snoozed_until": f.snoozed_until,
            "resolved_at": _when(f.resolved_at), "resolved_by": f.resolved_by,
            "resolved_by_name": names.get(f.resolved_by or ""), "resolution": f.resolution,
            "created_at": _when(f.created_at), "updated_at": _when(f.updated_at)}


def _entry(a: Any, names: dict[str, str]) -> dict[str, Any]:
    return {"at": _when(a.at), "actor": a.actor, "actor_name": names.get(a.actor), "action": a.action,
            "action_text": audit.ACTIONS.get(a.action, a.action), "detail": a.detail}
