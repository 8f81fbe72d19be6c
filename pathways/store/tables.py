"""The tables (SQLModel). Alembic migrations in ``pathways/store/migrations`` create and change them.

Every row that concerns a participant carries ``kommune_id`` so that every query can be scoped to the
user's kommune. Events are append-only; the enrolment row is a projection of its events, guarded by
``version`` (optimistic locking). Only what the work needs is stored about a person.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Kommune(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    number: str | None = Field(default=None, max_length=4)  # kommunenummer, e.g. 3201 (Bærum)
    password_sign_in: bool = True  # off: the kommune's users sign in through its identity provider only


class Participant(SQLModel, table=True):
    """A deltaker. The rule facts mirror :class:`pathways.engine.state.Participant`."""

    __table_args__ = (Index("ix_participant_kommune_name", "kommune_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    kommune_id: int = Field(foreign_key="kommune.id", index=True)
    name: str = Field(max_length=200)
    birth_date: date
    settlement_date: date | None = None
    gender: str = Field(default="unspecified", max_length=12)
    norwegian_oral: str | None = Field(default=None, max_length=2)
    norwegian_written: str | None = Field(default=None, max_length=2)
    education_track: str | None = Field(default=None, max_length=5)
    has_primary_school: bool | None = None
    has_upper_secondary: bool | None = None
    legal_regime: str = Field(default="integreringsloven", max_length=24)
    lives_with_parents: bool = False
    dependants: int = 0
    registered_with_nav: bool | None = None
    created_at: datetime
    version: int = 1
    pseudonymised_on: date | None = None  # the retention policy removed the person; their cases are counts only


class PathwayVersion(SQLModel, table=True):
    """A published pathway document. Immutable: a change is a new version."""

    __table_args__ = (UniqueConstraint("pathway_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    pathway_id: str = Field(max_length=64, index=True)
    version: int
    title: str = Field(max_length=300)
    document: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    published_at: datetime
    published_by: str = Field(default="system", max_length=100)
    change_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # why: required to publish


class PathwayDraft(SQLModel, table=True):
    """An administrator's unpublished edit of a pathway (one per pathway and author); validated on save,
    published as a new version."""

    __table_args__ = (UniqueConstraint("pathway_id", "author"),)
    id: int | None = Field(default=None, primary_key=True)
    pathway_id: str = Field(max_length=64)
    base_version: int | None = None  # the published version the draft started from
    document: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=100)
    updated_at: datetime


class MigrationRun(SQLModel, table=True):
    """A migration of running cases from one version to another: the mapping, who, when, and the report.
    Cases move one transaction each; a run interrupted is resumed by running it again."""

    id: int | None = Field(default=None, primary_key=True)
    pathway_id: str = Field(max_length=64, index=True)
    from_version: int
    to_version: int
    mapping: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    started_by: str = Field(max_length=100)
    started_at: datetime
    finished_at: datetime | None = None
    moved: int = 0
    refused: int = 0
    report: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON: the cases refused


class Enrolment(SQLModel, table=True):
    """A case: one participant on one pathway version. ``state`` is the engine's CaseState as JSON."""

    __table_args__ = (Index("ix_enrolment_kommune_status", "kommune_id", "status"),
                      Index("ix_enrolment_kommune_caseworker_status", "kommune_id", "caseworker", "status"),
                      # the caseload's sort keys with the id, covering: a kommune's page is an index-only scan
                      Index("ix_enrolment_kommune_status_next_due", "kommune_id", "status", "next_due", "id"),
                      Index("ix_enrolment_kommune_status_start", "kommune_id", "status", "start_date", "id"),
                      Index("ix_enrolment_kommune_status_steps", "kommune_id", "status", "current_steps", "id"),
                      Index("ix_enrolment_kommune_status_gap", "kommune_id", "status", "gap_from"))  # «I dag»
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    kommune_id: int = Field(foreign_key="kommune.id")
    pathway_version_id: int = Field(foreign_key="pathwayversion.id", index=True)
    pathway_id: str = Field(max_length=64, index=True)
    status: str = Field(max_length=16)
    start_date: date
    current_steps: str = Field(default="", max_length=1000)  # comma-separated, for lists and filters
    outcome: str | None = Field(default=None, max_length=64)
    ended_on: date | None = None
    state: str = Field(sa_column=Column(Text, nullable=False))
    parent_id: int | None = Field(default=None, foreign_key="enrolment.id")  # the case that handed off
    caseworker: str | None = Field(default=None, max_length=100, index=True)  # veileder / jobbspesialist
    next_due: date | None = None  # the earliest open or breached deadline (projection, for the caseload)
    # the participant's live income (projection, for the caseload): the first gap not over when last computed,
    # from–to (to None: past the look-ahead), written with every change of periods or case, refreshed nightly
    gap_from: date | None = None
    gap_to: date | None = None
    version: int = 1
    updated_at: datetime


class Event(SQLModel, table=True):
    """Something that happened on a case (append-only). ``sequence`` 0 is the enrolment itself."""

    __table_args__ = (UniqueConstraint("enrolment_id", "sequence"),
                      Index("ix_event_recorded_by_at", "recorded_by", "recorded_at"),  # a user's audit trail
                      Index("ix_event_name_enrolment", "name", "enrolment_id"))  # the NIR check: cases with an event
    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    sequence: int
    name: str = Field(max_length=64)
    effective_on: date
    step: str | None = Field(default=None, max_length=64)
    values: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    facts: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))  # guard inputs seen
    recorded_at: datetime
    recorded_by: str = Field(default="system", max_length=100)


class Deadline(SQLModel, table=True):
    """A materialised deadline or follow-up occurrence; rewritten whenever its case changes."""

    __table_args__ = (UniqueConstraint("enrolment_id", "key"), Index("ix_deadline_status_due", "status", "due"),
                      # a kommune's listed deadlines, read from the index alone, and those met late («I dag»)
                      Index("ix_deadline_kommune_status_due_listed", "kommune_id", "status", "due", "kind",
                            "recurring", "enrolment_id", "key"),
                      Index("ix_deadline_kommune_status_met_on", "kommune_id", "status", "met_on"))
    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    kommune_id: int = Field(foreign_key="kommune.id", index=True)
    key: str = Field(max_length=64)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=10)  # reminder | breach
    recurring: bool = False
    anchor_date: date
    due: date
    status: str = Field(max_length=10)  # open | met | breached | waived
    met_on: date | None = None


class LivelihoodPeriod(SQLModel, table=True):
    """One livelihood source for a participant over a period (inntektskilde)."""

    __table_args__ = (Index("ix_livelihood_participant_start", "participant_id", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id")
    kommune_id: int = Field(foreign_key="kommune.id", index=True)
    source: str = Field(max_length=24)
    start: date
    end: date | None = Field(default=None, index=True)
    planned: bool = False
    amount_basis: str | None = Field(default=None, max_length=200)  # e.g. "2G", "lønn 80 %"
    amount_ore: int | None = Field(default=None, sa_type=BigInteger)  # kroner per month × 100, when known
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime


class Absence(SQLModel, table=True):
    """Absence (fravær) hours of a case's participant in one month, approved or not (one row each): hours
    not approved reduce introduksjonsstønad (:mod:`pathways.income.absence`)."""

    __table_args__ = (UniqueConstraint("enrolment_id", "month", "approved"),
                      CheckConstraint("hours_x100 > 0", name="ck_absence_hours_positive"))
    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    participant_id: int = Field(foreign_key="participant.id", index=True)
    kommune_id: int = Field(foreign_key="kommune.id", index=True)
    month: date  # its first day
    approved: bool
    hours_x100: int  # hours × 100 (two decimals)
    note: str | None = Field(default=None, max_length=300)
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime


class Flag(SQLModel, table=True):
    """What a scheduled check raises. ``natural_key`` makes a re-run update instead of duplicating."""

    __table_args__ = (Index("ix_flag_kommune_state", "kommune_id", "state"),
                      Index("ix_flag_kommune_state_severity", "kommune_id", "state", "severity"),
                      Index("ix_flag_enrolment_state", "enrolment_id", "state", "severity"),  # per case, index-only
                      Index("ix_flag_kommune_kind_state", "kommune_id", "kind", "state", "enrolment_id"))  # by kind
    id: int | None = Field(default=None, primary_key=True)
    natural_key: str = Field(max_length=200, unique=True)
    kommune_id: int = Field(foreign_key="kommune.id")
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id")
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    kind: str = Field(max_length=40)
    severity: str = Field(max_length=10)
    due: date | None = None
    message: str = Field(max_length=500)
    state: str = Field(default="open", max_length=12)  # open | acknowledged | snoozed | resolved
    snoozed_until: date | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=100)
    resolution: str | None = Field(default=None, max_length=500)
    created_at: datetime
    updated_at: datetime


class GAmount(SQLModel, table=True):
    """The basic amount G (grunnbeløpet), dated; administrators add a row every 1 May."""

    id: int | None = Field(default=None, primary_key=True)
    effective_from: date = Field(unique=True)
    amount: int


class Unit(SQLModel, table=True):
    """An organisational unit (enhet) of a kommune: its refugee service, a NAV office, adult education, an
    upper secondary school, an employer, another kommune. Every user belongs to one; every kommune has a
    ``flyktningtjeneste`` unit from the day it is created (:mod:`pathways.services.units`)."""

    __table_args__ = (UniqueConstraint("kommune_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    kommune_id: int = Field(foreign_key="kommune.id", index=True)
    kind: str = Field(max_length=24)
    name: str = Field(max_length=100)


class User(SQLModel, table=True):
    """A staff account. ``role`` is veileder, leder or administrator; every query is scoped to ``kommune_id``.
    ``username`` is what ``Enrolment.caseworker`` holds for a veileder's own cases; ``unit_id`` the unit
    they work in (of the same kommune)."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    kommune_id: int = Field(foreign_key="kommune.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    password_hash: str = Field(max_length=200)
    must_change_password: bool = True
    active: bool = True
    created_at: datetime
    digest: str = Field(default="off", max_length=8)  # the summary by e-mail: off | daily | weekly
    email: str | None = Field(default=None, max_length=254)  # where the summary goes (staff's work address)
    # the user's ``sub`` at the kommune's identity provider (OpenID Connect); None: a local account
    oidc_subject: str | None = Field(default=None, max_length=255, unique=True, index=True)


class ApiToken(SQLModel, table=True):
    """A token for integrations (``Authorization: Bearer …``). Only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=100)
    created_at: datetime
    revoked: bool = False


class Note(SQLModel, table=True):
    """A case note (notat) written by staff."""

    __table_args__ = (Index("ix_note_author_created_at", "author", "created_at"),)  # a user's audit trail
    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    kommune_id: int = Field(foreign_key="kommune.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=100)
    created_at: datetime
    edited_at: datetime | None = None  # the author may edit within 24 hours; each edit is in the audit trail


class BackgroundJob(SQLModel, table=True):
    """Long-running work started from the dashboard (an import, a manual check run): its progress, kept
    in the store so that every dashboard worker process can show it. Kept for an hour."""

    id: str = Field(primary_key=True, max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(max_length=200)
    state: str = Field(default="running", max_length=16)  # running | finished | failed
    done: int = 0
    total: int = 1
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    errors: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON [[line, field, message]]
    started_at: datetime = Field(index=True)
    updated_at: datetime


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, for throttling across dashboard worker processes. ``key`` is a SHA-256 of the
    username or the address (no names or addresses stored); rows older than an hour are deleted."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    at: datetime

    __table_args__ = (Index("ix_signinfailure_key_at", "key", "at"),)


class UserSession(SQLModel, table=True):
    """A signed-in dashboard session, kept in the store so that it can be ended: signing out ends it, a
    password change ends the user's other sessions, a reset or deactivation ends them all. The cookie
    holds a random id; only its SHA-256 is stored."""

    key: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime
    expires_at: datetime


class AuditEntry(SQLModel, table=True):
    """Who did what and when, for the writes that leave no row of their own (events, notes and published
    versions carry their author already). ``detail`` names fields or roles, never personal data."""

    __table_args__ = (Index("ix_auditentry_participant_at", "participant_id", "at"),
                      Index("ix_auditentry_user_at", "user_id", "at"),
                      Index("ix_auditentry_actor_at", "actor", "at"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(max_length=100)
    action: str = Field(max_length=40)
    kommune_id: int | None = Field(default=None, foreign_key="kommune.id")
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")  # the account acted on
    flag_id: int | None = Field(default=None, foreign_key="flag.id")
    token_id: int | None = Field(default=None, foreign_key="apitoken.id")
    detail: str = Field(default="", max_length=500)


class Cover(SQLModel, table=True):
    """A colleague covering for an absent veileder (vikar) until a date, inclusive: while it is in force
    the covering veileder sees and works the absent one's cases, who stays their caseworker. It ends by
    itself when the date has passed (the access rule compares it with today) or early when a leder ends
    it (``ended_at``); the row is kept."""

    __table_args__ = (Index("ix_cover_covering_until", "covering_user_id", "until"),
                      Index("ix_cover_kommune_until", "kommune_id", "until"))
    id: int | None = Field(default=None, primary_key=True)
    kommune_id: int = Field(foreign_key="kommune.id")
    absent_user_id: int = Field(foreign_key="user.id", index=True)
    covering_user_id: int = Field(foreign_key="user.id")
    start: date  # the day it was set
    until: date  # the last day it is in force
    created_by: str = Field(max_length=100)
    created_at: datetime
    ended_at: datetime | None = None
    ended_by: str | None = Field(default=None, max_length=100)


class Handoff(SQLModel, table=True):
    """A hand-off (overføring) of a case from one unit to another: sent by the case's veileder with a
    planned date, a message and a checklist (:class:`HandoffItem`); the receiving unit accepts it, naming who
    is responsible from the planned date, or returns it with a reason; the sender may cancel it while it is
    pending. Each step is also an event of the case (``overforing_sendt`` …), from which this row can be
    rebuilt. ``kommune_id`` is the case's kommune (the receiving unit may be of another, by agreement)."""

    __table_args__ = (Index("ix_handoff_enrolment_status", "enrolment_id", "status"),
                      Index("ix_handoff_to_unit_status", "to_unit_id", "status", "enrolment_id"),  # the inbox, scope
                      Index("ix_handoff_kommune_status", "kommune_id", "status"))
    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    kommune_id: int = Field(foreign_key="kommune.id")
    from_unit_id: int = Field(foreign_key="unit.id")
    to_unit_id: int = Field(foreign_key="unit.id")
    planned_on: date
    message: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    status: str = Field(max_length=12)  # pending | accepted | returned | cancelled
    created_by: str = Field(max_length=100)
    created_at: datetime
    sent_on: date  # the day it was sent (the working days without acceptance count from here)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = None
    responsible: str | None = Field(default=None, max_length=100)  # the username named on acceptance
    return_reason: str | None = Field(default=None, max_length=500)


class HandoffItem(SQLModel, table=True):
    """One item of a hand-off's checklist (what must pass: kartleggingsresultat, samtykke …)."""

    __table_args__ = (UniqueConstraint("handoff_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id")
    key: str = Field(max_length=64)
    label: str = Field(max_length=200)
    required: bool = True
    ticked: bool = False
    note: str | None = Field(default=None, max_length=500)
class Task(SQLModel, table=True):
    """A task (oppgave) a veileder gives a colleague or a unit of their kommune, with a due date («bestill
    tolk»), optionally about a case. Exactly one of ``assignee_user_id`` and ``assignee_unit_id`` is set;
    done when ``done_at`` is (with who and a note)."""

    __tablename__ = "task"
    __table_args__ = (CheckConstraint("(assignee_user_id IS NULL) <> (assignee_unit_id IS NULL)",
                                      name="ck_task_one_assignee"),
                      Index("ix_task_kommune_done_due", "kommune_id", "done_at", "due"),
                      Index("ix_task_assignee_user_done", "assignee_user_id", "done_at", "due"),
                      Index("ix_task_assignee_unit_done", "assignee_unit_id", "done_at", "due"))
    id: int | None = Field(default=None, primary_key=True)
    kommune_id: int = Field(foreign_key="kommune.id")
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id", index=True)
    assignee_user_id: int | None = Field(default=None, foreign_key="user.id")
    assignee_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    title: str = Field(max_length=200)
    due: date
    created_by: str = Field(max_length=100)
    created_at: datetime
    done_at: datetime | None = None
    done_by: str | None = Field(default=None, max_length=100)
    done_note: str | None = Field(default=None, max_length=500)


class DigestSent(SQLModel, table=True):
    """A user's summary (oppsummering) of a day: sent, or failed after ``attempts`` tries (``error`` says
    why, never with personal data). The natural key (user, day) makes a re-run send nothing twice and
    retry only what failed."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_digest_sent_user_day"),
                      Index("ix_digest_sent_kommune_day", "kommune_id", "day"))
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kommune_id: int = Field(foreign_key="kommune.id")
    day: date
    outcome: str = Field(max_length=8)  # sending | sent | failed
    attempts: int = 0
    error: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = None
    updated_at: datetime


class ReadAccess(SQLModel, table=True):
    """One read of a participant's data (tilgangslogg): who (username, role, unit, kommune), when, whose
    data and through which view and channel (side, api, cli). Append-only: triggers refuse an update, and
    a delete unless the retention purge marks its own transaction (:class:`ReadLogPurge`); no page or route
    changes it. ``participant_kommune_id`` scopes the listing to the participant's kommune."""

    __tablename__ = "readlog"
    __table_args__ = (Index("ix_readlog_participant_at", "participant_id", "at"),
                      Index("ix_readlog_kommune_actor_at", "participant_kommune_id", "actor", "at"),
                      Index("ix_readlog_at", "at"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(max_length=100)
    role: str | None = Field(default=None, max_length=20)
    kommune_id: int | None = None  # the reader's kommune (none: a system actor, the CLI)
    unit_id: int | None = None  # the reader's unit
    participant_id: int  # no foreign key: the log outlives a deleted participant until its own retention
    participant_kommune_id: int
    view: str = Field(max_length=20)  # deltaker | sak | inntekt | fravaer | innsyn
    channel: str = Field(max_length=8)  # side | api | cli


class ReadLogPurge(SQLModel, table=True):
    """A row here, inside a transaction, lets that transaction delete read-log rows (the retention purge);
    it is removed before the transaction commits, so nothing else ever may."""

    __tablename__ = "readlogpurge"
    id: int | None = Field(default=None, primary_key=True)
