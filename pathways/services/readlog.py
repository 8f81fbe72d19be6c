"""The read-access log (tilgangslogg): who read which participant's data, when, through which view.

The services that show a participant's data (the participant, a case, the livelihood, the absence, the
innsyn export) call :func:`note` with the view's name; the context says the channel (``side``, ``api``,
``cli``). Writing may not slow the pages: an entry goes into a buffer in this process, and a background
thread writes the buffer in one statement per store at most every :data:`FLUSH_SECONDS` (or at
:data:`FLUSH_SIZE` entries, and when the process exits). A page that only reads so stays a read (on
SQLite, no turn at the writers' lock). A process killed with SIGKILL loses at most the last 5 seconds.
Measured with ``bench/dashboard.py`` (SQLite, 100 000 participants, 10 clients): a flush every second cost
about a tenth of the pages per second (every small write grows the WAL the readers must look through);
every 5 seconds it is within the noise.

The table is append-only (triggers, migration 0021); :func:`purge` deletes what is older than the
retention (the retention policy's ``read_log``, default 5 years) inside the one transaction the triggers let through.
A leder or administrator lists the reads of a participant of their kommune (:func:`reads_of_participant`)
and the reads by a user of it (:func:`reads_by_user`); the innsyn export shows the participant who has
read their data by role and unit (:func:`readers_for_innsyn`).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection, Engine, delete, insert, select
from sqlmodel import Session, col

from pathways.calendar import OSLO
from pathways.services import access
from pathways.services.context import Context, NotFound
from pathways.services.retention_policy import load_policy
from pathways.store.tables import Participant, ReadAccess, ReadLogPurge, Unit, User

log = logging.getLogger(__name__)

VIEWS = {"deltaker": "deltakeropplysninger", "sak": "sak", "inntekt": "inntektskilder", "fravaer": "fravær",
         "innsyn": "innsyn (eksport)"}
CHANNELS = {"side": "dashbord", "api": "API", "cli": "kommandolinje"}
ROLES = {"veileder": "veileder", "leder": "leder", "administrator": "administrator", "system": "system"}
FLUSH_SECONDS = 5.0  # see the module: each write costs the SQLite readers, so few and large
WRITER_THREAD = "tilgangslogg"  # the name of the thread that writes the buffer
FLUSH_SIZE = 2000
LIST_LIMIT = 500


def retention_years() -> int:
    """The years an entry is kept: the retention policy's ``read_log`` (:mod:`retention_policy`)."""
    return load_policy().years("read_log")


class _Buffer:
    """Entries waiting to be written, per store, and the thread that writes them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[Engine, list[dict[str, Any]]] = {}
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def add(self, engine: Engine, row: dict[str, Any]) -> None:
        with self.lock:
            rows = self.pending.setdefault(engine, [])
            rows.append(row)
            full = len(rows) >= FLUSH_SIZE
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name=WRITER_THREAD, daemon=True)
                self.thread.start()
        if full:
            self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait(FLUSH_SECONDS)
            self.wake.clear()
            self.flush()

    def flush(self) -> int:
        with self.lock:
            taken, self.pending = self.pending, {}
        written = 0
        for engine, rows in taken.items():
            try:
                with engine.begin() as connection:
                    connection.execute(insert(ReadAccess), rows)
                written += len(rows)
            except Exception as exc:  # a store gone away: say how many, never whose
                log.error("read log: %d entries not written (%s)", len(rows), type(exc).__name__)
        return written

    def after_fork(self) -> None:
        self.lock = threading.Lock()
        self.pending, self.thread = {}, None
        self.wake = threading.Event()


_buffer = _Buffer()
atexit.register(_buffer.flush)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_buffer.after_fork)


def flush() -> int:
    """Write what is buffered now (tests, and before a listing, so a reader sees their own reads)."""
    return _buffer.flush()


def note(ctx: Context, participant_id: int, participant_kommune_id: int, view: str) -> None:
    """Log that the actor of ``ctx`` read ``view`` of a participant (cheap: buffered, see the module)."""
    assert view in VIEWS, view
    actor = ctx.actor
    if actor.role is None:
        return  # nobody signed in sees nothing
    _buffer.add(ctx.engine, {"at": ctx.now(), "actor": actor.name,
                             "role": actor.role, "kommune_id": actor.kommune_id, "unit_id": actor.unit_id,
                             "participant_id": participant_id, "participant_kommune_id": participant_kommune_id,
                             "view": view, "channel": ctx.channel})


@dataclass(frozen=True)
class Read:
    at: datetime
    actor: str
    name: str | None  # the reader's full name, when the username is an account
    role: str | None
    unit: str | None
    participant_id: int
    view: str
    channel: str

    @property
    def view_text(self) -> str:
        return VIEWS.get(self.view, self.view)

    @property
    def channel_text(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "actor": self.actor, "name": self.name, "role": self.role,
                "unit": self.unit, "participant": self.participant_id, "view": self.view, "channel": self.channel}


def _reads(session: Session, *conditions: Any) -> list[Read]:
    rows = session.exec(select(ReadAccess, User.name, Unit.name)
                        .outerjoin(User, User.username == ReadAccess.actor)
                        .outerjoin(Unit, Unit.id == ReadAccess.unit_id)
                        .where(*conditions).order_by(col(ReadAccess.at).desc(), col(ReadAccess.id).desc())
                        .limit(LIST_LIMIT)).all()
    return [Read(r.at, r.actor, name, r.role, unit, r.participant_id, r.view, r.channel) for r, name, unit in rows]


def reads_of_participant(ctx: Context, participant_id: int) -> list[Read]:
    """Who read a participant's data, newest first (at most :data:`LIST_LIMIT`): for a leder or an
    administrator of the participant's kommune (another kommune's participant is not found)."""
    access.leading(ctx.actor)
    flush()
    with ctx.transaction() as session:
        row = session.get(Participant, participant_id)
        if row is None or not access.in_kommune(ctx.actor, row.kommune_id):
            raise NotFound("no_participant", "participant", id=participant_id)
        return _reads(session, ReadAccess.participant_id == participant_id)


def reads_by_user(ctx: Context, username: str) -> list[Read]:
    """What a user of the kommune read of the kommune's participants, newest first: for a leder or an
    administrator of that kommune (another kommune's user is not found)."""
    access.leading(ctx.actor)
    flush()
    with ctx.transaction() as session:
        user = session.exec(select(User).where(User.username == username.strip())).scalars().first()
        if user is None or not access.in_kommune(ctx.actor, user.kommune_id):
            raise NotFound("no_user", "user", username=username.strip()[:100])
        return _reads(session, ReadAccess.actor == user.username,
                      *access.kommune(ctx.actor, ReadAccess.participant_kommune_id))


def readers_for_innsyn(session: Session, participant_id: int, persons: bool | None = None) -> list[dict[str, Any]]:
    """Who has read the participant's data, for their own export: by role and unit (and by name when
    ``PATHWAYS_INNSYN_READERS=personer``), each with the day and the view."""
    flush()
    if persons is None:
        persons = os.environ.get("PATHWAYS_INNSYN_READERS", "").strip().lower() in ("personer", "persons")
    return [{"at": r.at.isoformat(), "role": ROLES.get(r.role or "", r.role), "unit": r.unit,
             "view": r.view_text, "channel": r.channel_text, **({"name": r.name or r.actor} if persons else {})}
            for r in _reads(session, ReadAccess.participant_id == participant_id)]


def cutoff(today: date, years: int) -> datetime:
    """The instant before which an entry is past ``years`` of retention on ``today``."""
    return datetime.combine(today - relativedelta(years=years), time.min, tzinfo=OSLO)


def delete_entries(connection: Connection, *conditions: Any) -> int:
    """Delete the entries matching ``conditions`` in the caller's transaction, which this marks for the
    triggers (migration 0021) and unmarks before returning: the one way rows leave the table."""
    marker = connection.execute(insert(ReadLogPurge).returning(ReadLogPurge.id)).scalar_one()
    gone = connection.execute(delete(ReadAccess).where(*conditions)).rowcount
    connection.execute(delete(ReadLogPurge).where(col(ReadLogPurge.id) == marker))
    return int(gone or 0)


def purge(engine: Engine, today: date, years: int | None = None) -> int:
    """Delete the entries older than the retention (``years``, default :func:`retention_years`); returns how
    many."""
    with engine.begin() as connection:
        return delete_entries(connection, col(ReadAccess.at) < cutoff(today, years or retention_years()))
