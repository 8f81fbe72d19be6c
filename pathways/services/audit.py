"""The audit trail: who did what and when.

Writes that leave a row with its author (events, notes, published versions, migration runs) are read
from those rows; every other write adds an :class:`~pathways.store.tables.AuditEntry` in its own
transaction through :func:`record`. An administrator reads the trail of a participant or of a user
(:func:`participant_trail`, :func:`user_trail`). No entry holds personal data: fields are named,
their values are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from pathways.calendar import OSLO
from pathways.services import access
from pathways.services.context import Context, NotFound
from pathways.store.tables import AuditEntry, Enrolment, Event, MigrationRun, Note, Participant, PathwayVersion, User

ACTIONS = {  # action: what the trail says (bokmål, it is read in the dashboard)
    "participant.created": "deltaker opprettet", "participant.imported": "deltaker importert",
    "participant.changed": "deltaker endret", "flag.acknowledged": "flagg kvittert", "flag.snoozed": "flagg utsatt",
    "flag.resolved": "flagg løst", "user.created": "bruker opprettet", "user.deactivated": "bruker deaktivert",
    "user.activated": "bruker aktivert", "user.role": "rolle endret", "user.password_reset": "passord tilbakestilt",
    "user.password_changed": "passord byttet", "user.unlocked": "innloggingssperre opphevet",
    "token.created": "API-token opprettet", "token.revoked": "API-token trukket tilbake",
    "event": "hendelse registrert", "note": "notat skrevet", "note.edited": "notat endret",
    "published": "løp publisert",
    "migration": "saker flyttet til ny versjon", "case.reassigned": "sak flyttet til en annen veileder",
    "cover.set": "vikar satt", "cover.ended": "vikar avsluttet",
    "income.created": "inntekt registrert", "income.confirmed": "inntekt bekreftet",
    "income.extended": "inntekt forlenget", "income.ended": "inntekt avsluttet", "income.corrected": "inntekt rettet",
    "income.deleted": "inntekt slettet", "unit.created": "enhet opprettet", "user.unit": "enhet endret",
    "task.created": "oppgave gitt", "task.completed": "oppgave utført", "user.digest": "oppsummering valgt",
    "kommune.passwords": "innlogging med passord slått på eller av",
    "absence.recorded": "fravær registrert", "participant.exported": "innsyn eksportert",
    "retention.applied": "oppbevaringstiden ute: data arkivert eller slettet",
}
TRAIL_LIMIT = 500


def record(session: Session, ctx: Context, action: str, *, kommune_id: int | None = None,
           participant_id: int | None = None, user_id: int | None = None, flag_id: int | None = None,
           token_id: int | None = None, detail: str = "") -> None:
    """Add an entry in the caller's transaction: it is written with the change or not at all."""
    assert action in ACTIONS, action
    session.add(AuditEntry(at=ctx.now(), actor=ctx.actor.name, action=action, kommune_id=kommune_id,
                           participant_id=participant_id, user_id=user_id, flag_id=flag_id, token_id=token_id,
                           detail=detail[:500]))


def imported_rows(ctx: Context, participants: list[tuple[int, int]]) -> list[dict[str, object]]:
    """The audit rows of a bulk import, for one insert: (kommune id, participant id) each."""
    at = ctx.now()
    return [{"at": at, "actor": ctx.actor.name, "action": "participant.imported", "kommune_id": kommune_id,
             "participant_id": participant_id, "detail": ""} for kommune_id, participant_id in participants]


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    actor: str
    action: str  # a key of ACTIONS
    detail: str = ""

    @property
    def text(self) -> str:
        return ACTIONS[self.action]


def _entry(row: AuditEntry) -> TrailEntry:
    subject = [f"{kind} {value}" for kind, value in (("deltaker", row.participant_id), ("bruker", row.user_id),
                                                      ("flagg", row.flag_id), ("token", row.token_id)) if value]
    return TrailEntry(row.at, row.actor, row.action, ", ".join(filter(None, [*subject, row.detail])))


def _newest_first(entries: list[TrailEntry]) -> list[TrailEntry]:
    return sorted(entries, key=lambda e: e.at.astimezone(OSLO) if e.at.tzinfo else e.at.replace(tzinfo=OSLO),
                  reverse=True)[:TRAIL_LIMIT]


def participant_trail(ctx: Context, participant_id: int) -> list[TrailEntry]:
    """Everything done to a participant and their cases, newest first; for an administrator (a participant
    of another kommune is not found)."""
    access.administering(ctx.actor)
    with ctx.transaction() as session:
        row = session.get(Participant, participant_id)
        if row is None or not access.in_kommune(ctx.actor, row.kommune_id):
            raise NotFound("no_participant", "participant", id=participant_id)
        entries = [_entry(a) for a in session.exec(select(AuditEntry).where(
            AuditEntry.participant_id == participant_id).order_by(col(AuditEntry.at).desc()).limit(TRAIL_LIMIT))]
        cases = select(Enrolment.id).where(Enrolment.participant_id == participant_id)
        for event in session.exec(select(Event).where(col(Event.enrolment_id).in_(cases))
                                  .order_by(col(Event.recorded_at).desc()).limit(TRAIL_LIMIT)):
            entries.append(TrailEntry(event.recorded_at, event.recorded_by, "event",
                                      f"sak {event.enrolment_id}: {event.name} ({event.effective_on.isoformat()})"))
        for note in session.exec(select(Note).where(col(Note.enrolment_id).in_(cases))
                                 .order_by(col(Note.created_at).desc()).limit(TRAIL_LIMIT)):
            entries.append(TrailEntry(note.created_at, note.author, "note", f"sak {note.enrolment_id}"))
    return _newest_first(entries)


def user_trail(ctx: Context, kommune_id: int, user_id: int) -> list[TrailEntry]:
    """What a user did and what was done to their account, newest first (another kommune's user is not
    found)."""
    with ctx.transaction() as session:
        user = session.get(User, user_id)
        if user is None or user.kommune_id != kommune_id:
            raise NotFound("no_user_id", "user", id=user_id)
        name = user.username
        entries = [_entry(a) for a in session.exec(select(AuditEntry).where(
            or_(AuditEntry.actor == name, AuditEntry.user_id == user_id)).order_by(col(AuditEntry.at).desc())
            .limit(TRAIL_LIMIT))]
        entries += [TrailEntry(e.recorded_at, name, "event", f"sak {e.enrolment_id}: {e.name}")
                    for e in session.exec(select(Event).where(Event.recorded_by == name)
                                          .order_by(col(Event.recorded_at).desc()).limit(TRAIL_LIMIT))]
        entries += [TrailEntry(n.created_at, name, "note", f"sak {n.enrolment_id}")
                    for n in session.exec(select(Note).where(Note.author == name)
                                          .order_by(col(Note.created_at).desc()).limit(TRAIL_LIMIT))]
        entries += [TrailEntry(v.published_at, name, "published", f"{v.pathway_id} versjon {v.version}")
                    for v in session.exec(select(PathwayVersion).where(PathwayVersion.published_by == name))]
        entries += [TrailEntry(m.started_at, name, "migration",
                               f"{m.pathway_id} {m.from_version} → {m.to_version}: {m.moved} flyttet")
                    for m in session.exec(select(MigrationRun).where(MigrationRun.started_by == name))]
    return _newest_first(entries)
