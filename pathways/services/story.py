"""The story of a case: its events with their values in words and its notes, each with who wrote it (full
name) and when; and editing a note.

A note is append-only except for a short while: its author may edit it within :data:`NOTE_EDIT_WINDOW` of
writing it (time from the context's clock). Each edit is kept in the audit trail (``note.edited``, without
the text: the trail holds no personal data), and the note shows when it was last edited.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from pathways.calendar import OSLO
from pathways.definition.loader import Definition
from pathways.definition.schema import FieldType, InputField
from pathways.definition.vocabulary import HANDOFF_EVENTS
from pathways.engine import machine
from pathways.services import access, audit
from pathways.services.context import Conflict, Context, NotFound, ServiceError, definition_of
from pathways.services.dashboard import _event_title
from pathways.store.queries import cases as case_rows
from pathways.store.tables import Event, Note, User
from pathways.words import date_no, datetime_no, field_value_no

NOTE_EDIT_WINDOW = timedelta(hours=24)
NOTE_LIMIT = 5000
KINDS = ("alle", "hendelser", "notater")
"""The timeline's filters: everything, only events, only notes."""

_BUILTIN_FIELDS = {"modul": InputField(type=FieldType.text, title="Modul"),
                   "arsak": InputField(type=FieldType.enum, title="Årsak", values=("x",))}


@dataclass(frozen=True)
class Entry:
    """One line of the story: an event (``on`` its date, ``values`` its fields in words) or a note."""

    kind: Literal["hendelse", "notat"]
    at: datetime  # when it was written, Norwegian time
    title: str
    by: str  # the author's full name
    on: date | None = None
    step: str | None = None  # the step's title, when the event named one
    values: tuple[tuple[str, str], ...] = ()  # (the field's title, its value in words)
    text: str = ""
    note_id: int | None = None
    editable: bool = False  # the actor wrote this note and the 24 hours have not passed
    edited_at: datetime | None = None

    @property
    def when(self) -> str:
        return datetime_no(self.at)


def local(moment: datetime) -> datetime:
    """A stored instant in Norwegian time (SQLite gives it back without a zone: it was written in UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(OSLO)


_FULL_NAMES = select(User.username, User.name).where(col(User.username).in_(bindparam("names", expanding=True)))


def full_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Usernames → the users' full names (a name that is no user, like ``system``, stays as it is)."""
    wanted = set(usernames)
    found = {u: n for u, n in session.execute(_FULL_NAMES, {"names": sorted(wanted)})} if wanted else {}
    return {u: found.get(u, u) for u in wanted}


def story(ctx: Context, case_id: int, kind: str = "alle") -> list[Entry]:
    """The case's events and notes, newest first (``kind``: one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ServiceError("choose_kind", "vis", choices=list(KINDS))
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        # what the hand-offs share, not the notes: a receiving unit before it takes the case over, the sending
        # side after
        working = access.works(session, ctx.actor, case_id)
        events = [] if kind == "notater" else case_rows.events(session, case_id)
        if not working:
            events = [e for e in events if e.name in HANDOFF_EVENTS]
        notes = case_rows.notes(session, case_id) if kind != "hendelser" and working else []
        names = full_names(session, [e.recorded_by for e in events] + [n.author for n in notes])
        definition = definition_of(session, case.pathway_version_id) if events else None
    entries = event_entries(definition, events, names) if definition is not None else []
    now = ctx.now()
    for note in notes:
        entries.append(Entry("notat", local(note.created_at), "Notat", names[note.author], text=note.text,
                             note_id=note.id, editable=_may_edit(ctx, note, now),
                             edited_at=local(note.edited_at) if note.edited_at else None))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def event_entries(definition: Definition, events: Sequence[Event], names: Mapping[str, str]) -> list[Entry]:
    """The events in words, one entry each in the order given: the event's and its step's titles from the
    pathway definition, its values by their fields' titles and types, the author's full name (``names``:
    usernames → full names, :func:`full_names`). The timeline and the participant's innsyn export
    (:mod:`pathways.services.innsyn`) both tell events this way."""
    compiled = machine.compiled(definition)
    steps = definition.pathway.all_steps()
    entries: list[Entry] = []
    for event in events:
        recorded = json.loads(event.values or "{}")
        shown = _handoff_values(recorded) if event.name in HANDOFF_EVENTS else []
        for name, value in () if event.name in HANDOFF_EVENTS else recorded.items():
            spec = definition.pathway.fields.get(name) or _BUILTIN_FIELDS.get(name)
            shown.append((spec.title, field_value_no(spec, value)) if spec else
                         (name.replace("_", " ").capitalize(), str(value)))
        step = steps.get(event.step) if event.step else None
        entries.append(Entry("hendelse", local(event.recorded_at), _event_title(compiled, event.name),
                             names.get(event.recorded_by, event.recorded_by), event.effective_on,
                             step.title if step else event.step, tuple(shown)))
    return entries


_HANDOFF_WORDS = {"to_unit_name": "Til", "planned_on": "Planlagt dato", "message": "Melding",
                  "responsible": "Ansvarlig", "reason": "Årsak"}


def _handoff_values(values: dict[str, object]) -> list[tuple[str, str]]:
    """A hand-off step's values in words: to whom, from when, the message, who is responsible, why
    returned, how much of the checklist is ticked."""
    shown = [(label, date_no(date.fromisoformat(str(values[key]))) if key == "planned_on" else str(values[key]))
             for key, label in _HANDOFF_WORDS.items() if values.get(key)]
    items = values.get("items")
    if isinstance(items, list) and items:
        shown.append(("Sjekkliste", f"{sum(1 for i in items if i.get('ticked'))} av {len(items)} krysset av"))
    return shown


def _may_edit(ctx: Context, note: Note, now: datetime) -> bool:
    return ctx.actor.role == "veileder" and note.author == ctx.actor.name and now - _aware(note.created_at) < \
        NOTE_EDIT_WINDOW


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def edit_note(ctx: Context, case_id: int, note_id: int, text: str) -> Note:
    """Change a note's text: only its author, only within 24 hours of writing it (Forbidden for another
    user, Conflict after the 24 hours); the edit is recorded in the audit trail."""
    with ctx.transaction() as session:
        case = access.worked_case(session, ctx.actor, case_id)  # first: out of scope is not found, whatever the text
        note = session.get(Note, note_id)
        if note is None or note.enrolment_id != case_id:
            raise NotFound("no_note", "note", id=note_id, case=case_id)
        if note.author != ctx.actor.name:
            raise access.Forbidden("author_only", "note")
        now = ctx.now()
        if now - _aware(note.created_at) >= NOTE_EDIT_WINDOW:
            raise Conflict("note_too_old", "note", id=note_id)
        text = (text or "").strip()
        if not text:
            raise ServiceError("note_empty", "text")
        if len(text) > NOTE_LIMIT:
            raise ServiceError("note_too_long", "text", length=len(text), limit=NOTE_LIMIT)
        note.text, note.edited_at = text, now
        session.add(note)
        audit.record(session, ctx, "note.edited", kommune_id=case.kommune_id, participant_id=case.participant_id,
                     detail=f"case {case_id}, note {note_id}")
        session.flush()
        session.refresh(note)
        return note

