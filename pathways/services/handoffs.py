"""Hand-offs (overføringer): a case handed from the refugee service to NAV, adult education, a school or
another kommune, acknowledged by the receiver, so that nobody falls between two chairs.

The case's veileder sends a hand-off to a unit with a planned date, a message and a checklist taken from
the pathway definition (the ``handoffs:`` of the steps the case is in; consent, ``samtykke``, is required
whenever the receiving unit is outside the kommune's refugee service). Every required item must be ticked
to send. A user of the receiving unit accepts it, naming who is responsible from the planned date, or
returns it with a reason; the sender may cancel it, or tick more items, while it waits. Until it is
accepted the sender stays responsible (:func:`pathways.services.cases.responsible_now`).

A unit of another kommune is a receiver only by agreement: the sending kommune has a unit of kind
``annen_kommune`` named after that kommune (choosing that unit hands the case to the other kommune's refugee
service).

Every step is an event in the case's history (``overforing_sendt``, ``overforing_endret``,
``overforing_akseptert``, ``overforing_returnert``, ``overforing_kansellert``: they move no step), and the
hand-off's row is a projection of them: :func:`rebuilt` makes it again from the events alone. The events
are the audit trail of a hand-off (:func:`pathways.services.audit.participant_trail` reads them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from pathways.definition.problems import did_you_mean
from pathways.definition.vocabulary import HANDOFF_EVENTS
from pathways.engine.state import ACTIVE, CaseState
from pathways.i18n import localise
from pathways.messages import Text
from pathways.services import access
from pathways.services.cases import events_of, record_handoff_step
from pathways.services.context import (
    Actor,
    Conflict,
    Context,
    NotFound,
    ServiceError,
    checked_date,
    checked_text,
    definition_of,
)
from pathways.services.units import KINDS
from pathways.store.queries import handoffs as rows
from pathways.store.queries import units as unit_rows
from pathways.store.tables import Enrolment, Flag, Handoff, HandoffItem, Kommune, Participant, Unit

SENT, CHANGED, ACCEPTED, RETURNED, CANCELLED = HANDOFF_EVENTS
STATUS_TEXTS = {"pending": "handoff_pending", "accepted": "handoff_accepted", "returned": "handoff_returned",
                "cancelled": "handoff_cancelled"}
"""A hand-off's status → its message code (waiting, accepted, returned, cancelled)."""
CONSENT = "samtykke"
AGREEMENT = "annen_kommune"  # the unit kind that stands for another kommune the kommune hands over to
REFUGEE_SERVICE = unit_rows.DEFAULT_KIND
MESSAGE_LIMIT = 2000
NOTE_LIMIT = 500
REASON_LIMIT = 500
AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class Item:
    """One item of a checklist: what must pass, whether it must be ticked to send, ticked, a note."""

    key: str
    label: str
    required: bool
    ticked: bool = False
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "required": self.required, "ticked": self.ticked,
                "note": self.note}


@dataclass(frozen=True)
class HandoffView:
    """A hand-off as pages, the API and the CLI show it. ``shared``: the receiver's view of the case."""

    id: int
    case_id: int
    participant_id: int
    participant_name: str
    pathway_id: str
    kommune_id: int
    from_unit: str
    to_unit_id: int
    to_unit: str
    to_unit_kind: str
    planned_on: date
    message: str
    status: str
    created_by: str
    sent_on: date
    decided_by: str | None
    decided_at: datetime | None
    responsible: str | None
    return_reason: str | None
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def status_label(self) -> str:
        return localise(Text(STATUS_TEXTS[self.status]))

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "case": self.case_id, "participant": self.participant_id,
                "participant_name": self.participant_name, "pathway": self.pathway_id, "from_unit": self.from_unit,
                "to_unit_id": self.to_unit_id, "to_unit": self.to_unit, "to_unit_kind": self.to_unit_kind,
                "planned_on": self.planned_on.isoformat(), "message": self.message, "status": self.status,
                "created_by": self.created_by, "sent_on": self.sent_on.isoformat(), "decided_by": self.decided_by,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "responsible": self.responsible, "return_reason": self.return_reason,
                "items": [i.as_json() for i in self.items]}


# -- the checklist ----------------------------------------------------------------------------------


def consent_needed(case_kommune: int, unit: Unit) -> bool:
    """Whether personal data leaves the kommune's refugee service: any other kind of unit, or another
    kommune."""
    return unit.kind != REFUGEE_SERVICE or unit.kommune_id != case_kommune


def _checklist(session: Session, case: Enrolment, unit: Unit | None) -> list[Item]:
    """The items the definition lists for the steps the case is in (each key once, in step order), consent
    made required (and added when missing) where it is needed."""
    definition = definition_of(session, case.pathway_version_id)
    state = CaseState.model_validate_json(case.state)
    steps = definition.pathway.all_steps()
    found: dict[str, Item] = {}
    for sid in [*state.steps, *state.compounds]:
        for spec in steps[sid].handoffs if sid in steps else ():
            found.setdefault(spec.key, Item(spec.key, spec.label, spec.required))
    label = found[CONSENT].label if CONSENT in found else localise(Text("handoff_consent_label"))
    if unit is not None and consent_needed(case.kommune_id, unit):
        found[CONSENT] = Item(CONSENT, label, True)
    elif unit is None and CONSENT not in found:  # the form, before a unit is chosen: it may be needed
        found[CONSENT] = Item(CONSENT, label, False)
    return list(found.values())


def checklist(ctx: Context, case_id: int, to_unit: int | None = None) -> list[Item]:
    """The checklist a hand-off of the case to ``to_unit`` would carry; for the form, before a unit is
    chosen (None), with consent listed whether the definition lists it or not (it is required as the unit
    decides)."""
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        unit = _receiver(session, case, to_unit) if to_unit is not None else None
        return _checklist(session, case, unit)


def _ticked(items: list[Item], ticks: Iterable[str], notes: Mapping[str, str | None]) -> list[Item]:
    """``items`` with ``ticks`` ticked and ``notes`` written; an unknown key names the items there are."""
    keys = [i.key for i in items]
    ticks = [str(checked_text(t, "items")).strip() for t in ticks]
    for key in [*ticks, *notes]:
        if key not in keys:
            raise ServiceError("handoff_unknown_item", "items", key=key,
                               hint=did_you_mean(key, keys) or Text("handoff_items_are", items=keys or ["–"]))
    made = []
    for item in items:
        note = " ".join(str(checked_text(notes.get(item.key) or "", "items")).split()) or None
        if note is not None and len(note) > NOTE_LIMIT:
            raise ServiceError("text_too_long", "items", length=len(note), limit=NOTE_LIMIT)
        made.append(Item(item.key, item.label, item.required, item.key in ticks or item.ticked, note or item.note))
    return made


def _complete(items: list[Item]) -> None:
    missing = next((i for i in items if i.required and not i.ticked), None)
    if missing is not None:
        raise ServiceError("handoff_item_required", "items", label=missing.label)


# -- the receiving unit ---------------------------------------------------------------------------


def _kommune_named(session: Session, name: str) -> Kommune | None:
    wanted = name.strip().casefold()
    return next((k for k in session.exec(select(Kommune)) if k.name.casefold() == wanted), None)


def _receiver(session: Session, case: Enrolment, unit_id: int) -> Unit:
    """The unit a hand-off of ``case`` goes to when the sender chooses ``unit_id``: a unit of the case's
    kommune; for its ``annen_kommune`` unit, the refugee service of the kommune it is named after; a unit
    of another kommune only with such an agreement. Else a ServiceError naming ``to``."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise ServiceError("handoff_no_unit", "to", id=unit_id)
    if unit.kommune_id == case.kommune_id:
        if unit.kind != AGREEMENT:
            return unit
        other = _kommune_named(session, unit.name)
        if other is None or other.id == case.kommune_id:
            raise ServiceError("handoff_agreement_unknown", "to", unit=unit.name)
        found = session.get(Unit, unit_rows.default_unit(session, other.id or 0))
        assert found is not None
        return found
    other = session.get(Kommune, unit.kommune_id)
    agreed = other is not None and any(
        u.name.casefold() == other.name.casefold()
        for u in unit_rows.units(session, [Unit.kommune_id == case.kommune_id, Unit.kind == AGREEMENT]))
    if not agreed:
        raise ServiceError("handoff_no_agreement", "to", unit=unit.name, kommune=other.name if other else "?")
    return unit


def receivers(ctx: Context) -> list[tuple[int, str]]:
    """(id, «name (kind)») of the units the actor may hand a case to: their kommune's, but their own."""
    actor = access.writing(ctx.actor)
    with ctx.transaction() as session:
        units = unit_rows.units(session, access.kommune(actor, Unit.kommune_id))
    return [(u.id or 0, f"{u.name} ({KINDS.get(u.kind, u.kind)})") for u in units if u.id != actor.unit_id]


# -- sending ----------------------------------------------------------------------------------------


def _items_json(items: Sequence[Item]) -> list[dict[str, Any]]:
    return [i.as_json() for i in items]


def send(ctx: Context, case_id: int, *, to_unit: int, on: date, message: str = "", ticks: Iterable[str] = (),
         notes: Mapping[str, str | None] | None = None) -> int:
    """Hand a case the actor works over to ``to_unit`` from ``on``; returns the hand-off's id. Refused, with
    nothing written, for an unknown unit or one of another kommune without an agreement, a planned date
    before today or more than a year ahead, a required item not ticked, an ended case, or a hand-off of the
    case still waiting."""
    actor = access.writing(ctx.actor)
    today = ctx.today()
    checked_date(on, "on")
    if on < today:
        raise ServiceError("handoff_planned_past", "on", on=on, today=today)
    if on > today + AHEAD:
        raise ServiceError("handoff_planned_far", "on", on=on, latest=today + AHEAD)
    message = str(checked_text(message or "", "message")).strip()
    if len(message) > MESSAGE_LIMIT:
        raise ServiceError("text_too_long", "message", length=len(message), limit=MESSAGE_LIMIT)
    try:
        with ctx.transaction() as session:
            case = access.worked_case(session, actor, case_id)
            if case.status not in ACTIVE:
                raise ServiceError("handoff_case_ended", "case", id=case_id)
            unit = _receiver(session, case, to_unit)
            waiting = rows.pending_of(session, case_id)
            if waiting is not None:
                there = session.get(Unit, waiting.to_unit_id)
                raise Conflict("handoff_pending_exists", "case", id=case_id, unit=there.name if there else "?")
            from_unit = actor.unit_id if actor.unit_id is not None and not actor.is_system else \
                unit_rows.default_unit(session, case.kommune_id)
            if unit.id == from_unit:
                raise ServiceError("handoff_same_unit", "to", unit=unit.name)
            items = _ticked(_checklist(session, case, unit), ticks, notes or {})
            _complete(items)
            now = ctx.now()
            row = Handoff(enrolment_id=case_id, kommune_id=case.kommune_id, from_unit_id=from_unit,
                          to_unit_id=unit.id or 0, planned_on=on, message=message, status="pending",
                          created_by=actor.name, created_at=now, sent_on=today)
            session.add(row)
            session.flush()
            session.add_all([HandoffItem(handoff_id=row.id or 0, **i.as_json()) for i in items])
            record_handoff_step(ctx, session, case, SENT, {
                "handoff": row.id, "from_unit": from_unit, "to_unit": unit.id, "to_unit_name": unit.name,
                "planned_on": on.isoformat(), "message": message, "items": _items_json(items)})
            return row.id or 0
    except IntegrityError:
        raise Conflict("case_changed_meanwhile", id=case_id) from None


# -- the hand-off, for whom -----------------------------------------------------------------------


def _visible(actor: Any) -> list[Any]:
    """The condition on Handoff: to the actor's unit, or of a case the actor sees."""
    if actor.unit_scoped:  # the cases they see are those handed to their unit: these hand-offs say which
        return [Handoff.to_unit_id == actor.unit_id]
    seen = col(Handoff.enrolment_id).in_(select(Enrolment.id).where(*access.cases(actor)))
    if actor.unit_id is not None and not actor.is_system:
        return [or_(col(Handoff.to_unit_id) == actor.unit_id, seen)]
    return [seen]


def _handoff(session: Session, ctx: Context, handoff_id: int) -> tuple[Handoff, Enrolment]:
    """The hand-off and its case when the actor sees it (their unit receives it, or they see the case),
    else NotFound."""
    access.reading(ctx.actor)
    found = session.exec(select(Handoff, Enrolment).join(Enrolment, col(Enrolment.id) == col(Handoff.enrolment_id))
                         .where(Handoff.id == handoff_id, *_visible(ctx.actor))).first()
    if found is None:
        raise NotFound("no_handoff", "handoff", id=handoff_id)
    return found


def _receiving(session: Session, ctx: Context, handoff_id: int) -> tuple[Handoff, Enrolment, Unit]:
    """The hand-off, pending, when the actor is of its receiving unit (or the system)."""
    handoff, case = _handoff(session, ctx, handoff_id)
    unit = session.get(Unit, handoff.to_unit_id)
    assert unit is not None
    if not ctx.actor.is_system and ctx.actor.unit_id != handoff.to_unit_id:
        raise access.Forbidden("handoff_wrong_unit", "unit", unit=unit.name)
    _still_pending(handoff)
    return handoff, case, unit


def _sending(session: Session, ctx: Context, handoff_id: int) -> tuple[Handoff, Enrolment]:
    """The hand-off, pending, when the actor works its case (the sender's side)."""
    handoff, case = _handoff(session, ctx, handoff_id)
    if not ctx.actor.writes_cases or session.exec(select(Enrolment.id).where(
            Enrolment.id == case.id, *access.cases(ctx.actor))).first() is None:
        raise access.Forbidden("handoff_not_sender", "handoff")
    _still_pending(handoff)
    return handoff, case


def _still_pending(handoff: Handoff) -> None:
    if handoff.status != "pending":
        raise Conflict("handoff_decided", "handoff", id=handoff.id, status=Text(STATUS_TEXTS[handoff.status]))


NOT_RECEIVED = "overforing_ikke_mottatt"  # the nightly check's flag kind (pathways.checks.rules.handoffs)


def _decided(session: Session, ctx: Context, handoff: Handoff, status: str) -> None:
    """Set the decision, and resolve at once the flag saying it waits (the nightly check would too; the
    sender should see it now)."""
    now = ctx.now()
    handoff.status, handoff.decided_by, handoff.decided_at = status, ctx.actor.name, now
    session.execute(update(Flag).where(col(Flag.natural_key) == f"{NOT_RECEIVED}:{handoff.id}",
                                       col(Flag.state) != "resolved").values(
        state="resolved", resolved_at=now, resolved_by=ctx.actor.name, updated_at=now,
        resolution=localise(Text(STATUS_TEXTS[status]))))


def _write(ctx: Context, handoff_id: int, step: Any) -> HandoffView:
    """Run ``step`` (which checks that the actor may) and answer the hand-off as it is now, in one
    transaction."""
    try:
        with ctx.transaction() as session:
            step(session)
            session.flush()
            return _views(session, rows.listed(session, [Handoff.id == handoff_id]), ctx.actor)[0]
    except IntegrityError:
        raise Conflict("handoff_decided_meanwhile", "handoff", id=handoff_id) from None


def tick(ctx: Context, handoff_id: int, ticks: Iterable[str] = (), notes: Mapping[str, str | None] | None = None
         ) -> HandoffView:
    """Tick more items of a waiting hand-off, or write their notes (the sender's side)."""
    def step(session: Session) -> None:
        _handoff, case = _sending(session, ctx, handoff_id)
        stored = rows.items(session, [handoff_id])[handoff_id]
        items = _ticked([Item(i.key, i.label, i.required, i.ticked, i.note) for i in stored], ticks, notes or {})
        for row, item in zip(stored, items, strict=True):
            row.ticked, row.note = item.ticked, item.note
        record_handoff_step(ctx, session, case, CHANGED, {"handoff": handoff_id, "items": _items_json(items)})
    return _write(ctx, handoff_id, step)


def accept(ctx: Context, handoff_id: int, responsible: str) -> HandoffView:
    """Accept a hand-off to the actor's unit, naming the user of the unit responsible from its planned date.
    Accepting one decided already (twice), or as a user of another unit, is refused."""
    def step(session: Session) -> None:
        handoff, case, unit = _receiving(session, ctx, handoff_id)
        username = str(checked_text(responsible or "", "responsible")).strip().lower()
        if not username:
            raise ServiceError("handoff_responsible_required", "responsible")
        if username not in {u.username for u in rows.members(session, unit.id or 0)}:
            raise ServiceError("handoff_responsible_not_in_unit", "responsible", username=username, unit=unit.name)
        _decided(session, ctx, handoff, "accepted")
        handoff.responsible = username
        record_handoff_step(ctx, session, case, ACCEPTED, {"handoff": handoff_id, "responsible": username,
                                                           "planned_on": handoff.planned_on.isoformat()})
    return _write(ctx, handoff_id, step)


def give_back(ctx: Context, handoff_id: int, reason: str) -> HandoffView:
    """Return a hand-off to the sender with a reason (the receiving unit's side): the case stays theirs."""
    def step(session: Session) -> None:
        handoff, case, _unit = _receiving(session, ctx, handoff_id)
        why = " ".join(str(checked_text(reason or "", "reason")).split())
        if not why or len(why) > REASON_LIMIT:
            raise ServiceError("handoff_reason_required", "reason", limit=REASON_LIMIT)
        _decided(session, ctx, handoff, "returned")
        handoff.return_reason = why
        record_handoff_step(ctx, session, case, RETURNED, {"handoff": handoff_id, "reason": why})
    return _write(ctx, handoff_id, step)


def cancel(ctx: Context, handoff_id: int) -> HandoffView:
    """Take back a hand-off still waiting (the sender's side)."""
    def step(session: Session) -> None:
        handoff, case = _sending(session, ctx, handoff_id)
        _decided(session, ctx, handoff, "cancelled")
        record_handoff_step(ctx, session, case, CANCELLED, {"handoff": handoff_id})
    return _write(ctx, handoff_id, step)


# -- reading ----------------------------------------------------------------------------------------


def _views(session: Session, found: list[tuple[Handoff, Unit, Unit, Enrolment, Participant]], actor: Actor
           ) -> list[HandoffView]:
    """The views of hand-offs; to a receiving unit, one returned or cancelled no longer names the participant
    (the case is not theirs to see any more: access.HANDED)."""
    items = rows.items(session, [h.id or 0 for h, *_ in found])
    return [HandoffView(h.id or 0, e.id or 0, p.id or 0,
                        p.name if h.status in access.HANDED or not actor.unit_scoped else "", e.pathway_id,
                        h.kommune_id, a.name, b.id or 0, b.name, b.kind, h.planned_on, h.message, h.status,
                        h.created_by, h.sent_on, h.decided_by, h.decided_at, h.responsible, h.return_reason,
                        tuple(Item(i.key, i.label, i.required, i.ticked, i.note) for i in items[h.id or 0]))
            for h, a, b, e, p in found]


def show(ctx: Context, handoff_id: int) -> HandoffView:
    """One hand-off the actor sees (their unit receives it, or they see its case), else NotFound."""
    with ctx.transaction() as session:
        access.reading(ctx.actor)
        found = rows.listed(session, [Handoff.id == handoff_id, *_visible(ctx.actor)])
        if not found:
            raise NotFound("no_handoff", "handoff", id=handoff_id)
        return _views(session, found, ctx.actor)[0]


def inbox(ctx: Context, pending_only: bool = False) -> list[HandoffView]:
    """«Overføringer til oss»: the hand-offs to the actor's unit, the newest first (every unit's for the
    system actor)."""
    actor = access.reading(ctx.actor)
    conditions: list[Any] = [] if actor.is_system else [Handoff.to_unit_id == (actor.unit_id or -1)]
    if pending_only:
        conditions.append(Handoff.status == "pending")
    with ctx.transaction() as session:
        return _views(session, rows.listed(session, conditions), actor)


def pending_count(ctx: Context) -> int:
    """How many hand-offs to the actor's unit wait for someone there to accept or return them (the daily
    summary's «overføringer venter»; every unit's for the system actor)."""
    actor = access.reading(ctx.actor)
    conditions: list[Any] = [] if actor.is_system else [Handoff.to_unit_id == (actor.unit_id or -1)]
    with ctx.transaction() as session:
        return session.execute(select(func.count()).select_from(Handoff)
                               .where(Handoff.status == "pending", *conditions)).scalar_one()


def outbox(ctx: Context, pending_only: bool = False) -> list[HandoffView]:
    """The hand-offs of the cases the actor sees (sent by their side), the newest first."""
    actor = access.reading(ctx.actor)
    conditions: list[Any] = [col(Handoff.enrolment_id).in_(select(Enrolment.id).where(*access.cases(actor)))]
    if actor.unit_id is not None and not actor.is_system:
        conditions.append(Handoff.to_unit_id != actor.unit_id)
    if pending_only:
        conditions.append(Handoff.status == "pending")
    with ctx.transaction() as session:
        return _views(session, rows.listed(session, conditions), actor)


def of_case(ctx: Context, case_id: int) -> list[HandoffView]:
    """The hand-offs of a case the actor sees, the newest first."""
    with ctx.transaction() as session:
        access.case(session, ctx.actor, case_id)
        if ctx.actor.unit_scoped:  # a receiver: theirs only
            found = rows.listed(session, [Handoff.enrolment_id == case_id, Handoff.to_unit_id == ctx.actor.unit_id])
        else:
            found = rows.of_case(session, case_id)
        return _views(session, found, ctx.actor) if found else []


def members(ctx: Context, handoff_id: int) -> list[tuple[str, str]]:
    """(username, name) of the active users of a hand-off's receiving unit: who may be made responsible."""
    with ctx.transaction() as session:
        handoff, _case = _handoff(session, ctx, handoff_id)
        return [(u.username, u.name) for u in rows.members(session, handoff.to_unit_id)]


# -- the projection, from the events ---------------------------------------------------------------


def _record(handoff: Handoff, items: Sequence[Any]) -> dict[str, Any]:
    return {"from_unit": handoff.from_unit_id, "to_unit": handoff.to_unit_id, "planned_on": handoff.planned_on,
            "message": handoff.message, "status": handoff.status, "created_by": handoff.created_by,
            "sent_on": handoff.sent_on, "decided_by": handoff.decided_by, "responsible": handoff.responsible,
            "return_reason": handoff.return_reason,
            "items": [(i.key, i.label, i.required, i.ticked, i.note) for i in items]}


def stored(ctx: Context, case_id: int) -> dict[int, dict[str, Any]]:
    """The case's hand-off rows, as :func:`rebuilt` makes them."""
    with ctx.transaction() as session:
        access.case(session, ctx.actor, case_id)
        handoffs = list(session.exec(select(Handoff).where(Handoff.enrolment_id == case_id)))
        items = rows.items(session, [h.id or 0 for h in handoffs])
        return {h.id or 0: _record(h, items[h.id or 0]) for h in handoffs}


def replay(events: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """The hand-offs of a case made again from its events alone (oldest first): pure."""
    made: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.name not in HANDOFF_EVENTS:
            continue
        values = json.loads(event.values)
        number = int(values["handoff"])
        items = [(i["key"], i["label"], i["required"], i["ticked"], i["note"]) for i in values.get("items", ())]
        if event.name == SENT:
            made[number] = {"from_unit": values["from_unit"], "to_unit": values["to_unit"],
                            "planned_on": date.fromisoformat(values["planned_on"]), "message": values["message"],
                            "status": "pending", "created_by": event.recorded_by, "sent_on": event.effective_on,
                            "decided_by": None, "responsible": None, "return_reason": None, "items": items}
            continue
        row = made[number]
        if event.name == CHANGED:
            row["items"] = items
            continue
        row["status"] = {ACCEPTED: "accepted", RETURNED: "returned", CANCELLED: "cancelled"}[event.name]
        row["decided_by"] = event.recorded_by
        row["responsible"] = values.get("responsible")
        row["return_reason"] = values.get("reason")
    return made


def rebuilt(ctx: Context, case_id: int) -> dict[int, dict[str, Any]]:
    """The case's hand-offs rebuilt from its events (compare with :func:`stored`)."""
    with ctx.transaction() as session:
        access.case(session, ctx.actor, case_id)
        return replay(events_of(session, case_id))
