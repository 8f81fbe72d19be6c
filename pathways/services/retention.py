"""Retention and deletion (issue 17): what falls due under the retention policy
(:mod:`pathways.services.retention_policy`), listed by :func:`plan`, and carried out by :func:`apply` only for
the participants a leder (or the operator, ``pathways retention apply``) confirmed, never silently.

A participant falls due for a data class when all their cases have ended and the class's years have passed
since the last ended (a participant with no case: since they were registered), and they still have data of
that class. For each participant confirmed, :func:`apply` first writes their whole export (the innsyn
export, JSON and PDF) to the archive folder when a class due says ``archive``, then, in one transaction,
deletes the rows of the classes due. ``case_history`` removes the person: their facts, events, deadlines,
flags, notes, livelihood, absence, hand-offs, tasks, audit and read-log entries go; their cases stay as
counts under a new participant row with a random pseudonym (gender, legal regime and the years of birth and
settlement), so cohort figures stay correct. The audit trail records that the policy was applied, with the
classes and the kommune, not who.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection, case, delete, func, select, update
from sqlmodel import Session, col

from pathways.calendar import OSLO
from pathways.engine.state import ACTIVE, CaseState
from pathways.home import var_dir
from pathways.services import access, audit, readlog
from pathways.services.context import Context
from pathways.services.retention_policy import TITLES, Policy, load_policy
from pathways.store.tables import (
    Absence,
    AuditEntry,
    Deadline,
    Enrolment,
    Event,
    Flag,
    Handoff,
    HandoffItem,
    LivelihoodPeriod,
    Note,
    Participant,
    ReadAccess,
    Task,
)

PER_PARTICIPANT = ("case_history", "notes", "livelihood", "flags")  # read_log goes by each entry's date
FEW = 2000  # candidates looked up by id; more: one pass over each table


def archive_dir() -> Path:
    """Where archived exports go: ``PATHWAYS_ARCHIVE_DIR``, else ``var/arkiv``."""
    configured = os.environ.get("PATHWAYS_ARCHIVE_DIR", "").strip()
    return Path(configured) if configured else var_dir() / "arkiv"


@dataclass(frozen=True)
class Due:
    participant_id: int
    kommune_id: int
    since: date  # the day the last case ended (or the participant was registered)
    classes: tuple[str, ...]  # the data classes due, in the policy's order

    def archive(self, policy: Policy) -> bool:
        return any(policy.archives(c) for c in self.classes)

    @property
    def removes_person(self) -> bool:
        return "case_history" in self.classes

    def titles(self) -> list[str]:
        return [TITLES[c] for c in self.classes]

    def as_json(self, policy: Policy) -> dict[str, Any]:
        return {"participant": self.participant_id, "kommune_id": self.kommune_id, "since": self.since.isoformat(),
                "classes": list(self.classes), "archive": self.archive(policy)}


@dataclass
class Plan:
    on: date
    policy: Policy
    due: list[Due] = field(default_factory=list)
    read_log_entries: int = 0  # entries older than the read log's retention, for everyone

    def counts(self) -> dict[str, int]:
        return {c: sum(1 for d in self.due if c in d.classes) for c in PER_PARTICIPANT}

    def as_json(self) -> dict[str, Any]:
        return {"date": self.on.isoformat(), "participants": len(self.due), "counts": self.counts(),
                "read_log_entries": self.read_log_entries, "due": [d.as_json(self.policy) for d in self.due]}


def _before(on: date, years: int) -> date:
    return on - relativedelta(years=years)


def plan(ctx: Context, policy: Policy | None = None, only: Iterable[int] | None = None) -> Plan:
    """What falls due today in the actor's kommune (a system actor: every kommune), oldest first; ``only``
    restricts it to those participants (the confirmed list, planned again when it is carried out)."""
    access.leading(ctx.actor)
    policy = policy or load_policy()
    on = ctx.today()
    found = Plan(on, policy)
    cutoffs = {c: _before(on, policy.years(c)) for c in PER_PARTICIPANT}  # due when the last ended by then
    latest = max(cutoffs.values())
    chosen = sorted(set(only)) if only is not None else None
    with ctx.transaction() as session:
        conn = session.connection()
        last = func.max(Enrolment.ended_on)
        running = func.sum(case((col(Enrolment.status).in_(ACTIVE), 1), else_=0))
        query = (select(Participant.id, Participant.kommune_id, Participant.created_at, last,
                        func.count(Enrolment.id), running)
                 .outerjoin(Enrolment, Enrolment.participant_id == Participant.id)
                 .where(col(Participant.pseudonymised_on).is_(None), *access.kommune(ctx.actor, Participant.kommune_id))
                 .group_by(Participant.id, Participant.kommune_id, Participant.created_at))
        if chosen is not None:
            query = query.where(col(Participant.id).in_(chosen or [-1]))
        candidates: dict[int, tuple[int, date]] = {}
        for pid, kommune, created, ended, count, active in conn.execute(query):
            if active:
                continue
            since = ended if count else created.astimezone(OSLO).date()
            if since is not None and since <= latest:
                candidates[pid] = (kommune, since)
        holding = _holders(conn, set(candidates)) if candidates else {}
        for pid, (kommune, since) in sorted(candidates.items(), key=lambda item: (item[1][1], item[0])):
            classes = tuple(c for c in PER_PARTICIPANT if since <= cutoffs[c]
                            and (c == "case_history" or pid in holding.get(c, set())))
            if classes:
                found.due.append(Due(pid, kommune, since, classes))
        found.read_log_entries = conn.execute(select(func.count()).select_from(ReadAccess).where(
            col(ReadAccess.at) < readlog.cutoff(on, policy.years("read_log")),
            *access.kommune(ctx.actor, ReadAccess.participant_kommune_id))).scalar_one()
    return found


def _holders(conn: Connection, candidates: set[int]) -> dict[str, set[int]]:
    """Which candidates still have notes, livelihood (periods or absence) and flags: for a few, looked up by
    their ids; for many (a first run, a nightly plan of every kommune), one pass over each table, which is
    cheaper than thousands of lookups in tables without a participant index."""
    queries = {
        "notes": [select(Enrolment.participant_id).join(Note, Note.enrolment_id == Enrolment.id)],
        "livelihood": [select(LivelihoodPeriod.participant_id), select(Absence.participant_id)],
        "flags": [select(Flag.participant_id)],
    }
    found: dict[str, set[int]] = {name: set() for name in queries}
    if len(candidates) > FEW:
        for name, selects in queries.items():
            for query in selects:
                found[name] |= set(conn.execute(query.distinct()).scalars()) & candidates
        return found
    ids = sorted(candidates)
    for name, selects in queries.items():
        for query in selects:
            column = query.selected_columns[0]
            found[name] |= set(conn.execute(query.where(column.in_(ids)).distinct()).scalars())
    return found


@dataclass
class Applied:
    participants: int = 0
    archived: list[str] = field(default_factory=list)  # file names written
    removed: int = 0  # persons replaced by a pseudonym
    skipped: int = 0  # no longer due (or not theirs)
    read_log_entries: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"participants": self.participants, "archived": self.archived, "removed": self.removed,
                "skipped": self.skipped, "read_log_entries": self.read_log_entries}


Archiver = Callable[[Context, int, Path], list[Path]]  # (ctx, participant, folder) → the files written


def apply(ctx: Context, confirmed: Iterable[int], archiver: Archiver | None,
          progress: Callable[[int, int], None] = lambda _done, _total: None, policy: Policy | None = None,
          folder: Path | None = None, dry_run: bool = False) -> Applied:
    """Carry out the plan for the ``confirmed`` participants still due (planned again now: one no longer due
    is skipped), each in its own transaction after its archive is written; then the read log's old
    entries. ``dry_run``: plan and count only."""
    policy = policy or load_policy()
    ids = sorted(set(confirmed))
    current = {d.participant_id: d for d in plan(ctx, policy, only=ids).due}
    done = Applied(skipped=len(ids) - len(current))
    folder = folder or archive_dir()
    for number, due in enumerate(current.values(), start=1):
        if dry_run:
            done.participants += 1
            continue
        if due.archive(policy):
            if archiver is None:
                raise ValueError("the policy archives, and no archiver was given")
            folder.mkdir(parents=True, exist_ok=True)
            done.archived += [p.name for p in archiver(ctx, due.participant_id, folder)]
        with ctx.transaction() as session:
            _delete(session, due)
            if due.removes_person:
                _pseudonymise(session, due, ctx.today())
                done.removed += 1
            audit.record(session, ctx, "retention.applied", kommune_id=due.kommune_id,
                         detail=", ".join(due.titles()))
        done.participants += 1
        progress(number, len(current))
    if not dry_run and ctx.actor.is_system and ctx.actor.kommune_id is None:
        done.read_log_entries = readlog.purge(ctx.engine, ctx.today(), policy.years("read_log"))
    return done


def _delete(session: Session, due: Due) -> None:
    pid = due.participant_id
    cases = select(Enrolment.id).where(Enrolment.participant_id == pid).scalar_subquery()
    if "notes" in due.classes or due.removes_person:
        session.execute(delete(Note).where(col(Note.enrolment_id).in_(cases)))
    if "livelihood" in due.classes or due.removes_person:
        session.execute(delete(LivelihoodPeriod).where(LivelihoodPeriod.participant_id == pid))
        session.execute(delete(Absence).where(Absence.participant_id == pid))
    if "flags" in due.classes or due.removes_person:
        session.execute(update(AuditEntry).where(col(AuditEntry.flag_id).in_(
            select(Flag.id).where(Flag.participant_id == pid))).values(flag_id=None))
        session.execute(delete(Flag).where((Flag.participant_id == pid) | col(Flag.enrolment_id).in_(cases)))


def _pseudonymise(session: Session, due: Due, today: date) -> None:
    """The person replaced by a random pseudonym: a new participant row with what statistics need (gender,
    legal regime, the years of birth and settlement), their cases moved to it and reduced to how they ended,
    and everything else about them deleted."""
    pid = due.participant_id
    person = session.get(Participant, pid)
    assert person is not None
    cases = select(Enrolment.id).where(Enrolment.participant_id == pid).scalar_subquery()
    handoffs = select(Handoff.id).where(col(Handoff.enrolment_id).in_(cases)).scalar_subquery()
    session.execute(delete(HandoffItem).where(col(HandoffItem.handoff_id).in_(handoffs)))
    session.execute(delete(Handoff).where(col(Handoff.enrolment_id).in_(cases)))
    session.execute(delete(Task).where(col(Task.enrolment_id).in_(cases)))
    session.execute(delete(Deadline).where(col(Deadline.enrolment_id).in_(cases)))
    session.execute(delete(Event).where(col(Event.enrolment_id).in_(cases)))
    session.execute(delete(AuditEntry).where(AuditEntry.participant_id == pid))
    readlog.delete_entries(session.connection(), ReadAccess.participant_id == pid)
    pseudonym = Participant(
        kommune_id=person.kommune_id, name=f"Anonymisert {secrets.token_hex(4)}",
        birth_date=date(person.birth_date.year, 1, 1),
        settlement_date=date(person.settlement_date.year, 1, 1) if person.settlement_date else None,
        gender=person.gender, legal_regime=person.legal_regime, created_at=person.created_at,
        pseudonymised_on=today)
    session.add(pseudonym)
    session.flush()
    for row in session.exec(select(Enrolment).where(Enrolment.participant_id == pid)).scalars():
        state = CaseState.model_validate_json(row.state)
        kept = CaseState(pathway_id=state.pathway_id, version=state.version, status=state.status,
                         start_date=state.start_date, last_event_on=state.ended_on or state.last_event_on,
                         outcome=state.outcome, ended_on=state.ended_on)
        row.participant_id = pseudonym.id or 0
        row.state = kept.model_dump_json()
        row.caseworker = None
        row.current_steps = ""
        row.next_due = row.gap_from = row.gap_to = None
        session.add(row)
    session.flush()
    session.delete(person)




def archive_participant(ctx: Context, participant_id: int, folder: Path) -> list[Path]:
    """The participant's whole export, JSON and PDF (as the innsyn export), written to ``folder`` readable by
    its owner only: the self-contained record an archive keeps after the store deleted it."""
    from pathways.services import innsyn
    from pathways.services.innsyn_document import pdf

    found = innsyn.export(ctx, participant_id, "json")
    stem = folder / f"deltaker-{participant_id}-{ctx.today().isoformat()}"
    written = []
    for path, data in ((stem.with_suffix(".json"), found.dumps().encode()), (stem.with_suffix(".pdf"), pdf(found))):
        partial = path.with_name("." + path.name + ".part")
        partial.write_bytes(data)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
        written.append(path)
    return written
