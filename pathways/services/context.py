"""What every service needs: the database engine, a clock, and who is acting; plus the errors they raise."""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine as Engine  # re-exported: the dashboard names the type without importing sqlalchemy
from sqlmodel import Session

from pathways.bounds import EARLIEST, LATEST, date_problem, text_problem
from pathways.calendar import Clock, SystemClock
from pathways.definition.loader import Definition, load_text
from pathways.messages import message
from pathways.store.tables import PathwayVersion


class ServiceError(ValueError):
    """A request a user can correct; ``field`` names the input when there is one.

    Raised with a message code and its parameters (``ServiceError("no_case", "case", id=7)``, the codes in
    :mod:`pathways.messages`): ``str()`` is the English text, ``text`` the :class:`~pathways.messages.Text`
    the dashboard renders in bokmål. A Text made elsewhere (an engine error's) may be passed instead of a code."""

    def __init__(self, code: str, field: str | None = None, **params: Any):
        self.text = message(code, **params)
        self.code = getattr(self.text, "code", None) or None
        super().__init__(self.text)
        self.field = field


class NotFound(ServiceError):
    pass


def checked_date(day: date, where: str, low: date = EARLIEST, high: date = LATEST) -> date:
    """``day`` when it is a plausible date a person typed (see :mod:`pathways.bounds`), else a
    ServiceError naming ``where`` and the range."""
    problem = date_problem(day, low, high)
    if problem:
        raise ServiceError(problem, where)
    return day


def checked_text(value: Any, where: str) -> Any:
    """``value`` unless it is text no database can store (a NUL, half a surrogate pair): ServiceError."""
    problem = text_problem(value) if isinstance(value, str) else None
    if problem:
        raise ServiceError(problem, where)
    return value


class Conflict(ServiceError):
    """Someone else changed the case first: reload and try again."""


REFUGEE_SERVICE = "flyktningtjeneste"  # the unit kind whose users work the kommune's caseload
SYSTEM = "system"  # the role of a program acting for every kommune: the CLI, the nightly checks


@dataclass(frozen=True)
class Actor:
    """Who is acting, and so what they may see and change (the rule itself: :mod:`pathways.services.access`).

    ``name`` is recorded as the author of what they do. A user acts for one kommune (``kommune_id``,
    ``kommune`` its name); a veileder only on their own cases (``own_cases_only``) and those of a colleague
    they cover for (a vikar, until a date). A system actor (the CLI, the nightly checks) acts for every
    kommune; an anonymous one (not signed in) may see nothing.

    An actor acts on a day: the :class:`Context` hands it its ``clock``, so that the access rule can tell
    which covers are in force today (a cover ends by itself when its date has passed).

    A user of a unit outside the refugee service (``unit_kind`` NAV, a school …) is *unit-scoped*: they see
    only the cases handed to their unit (:mod:`pathways.services.handoffs`), read-only."""

    name: str
    role: str | None  # veileder | leder | administrator | system; None: not signed in
    kommune_id: int | None = None  # None: every kommune (system only)
    kommune: str | None = None
    user_id: int | None = None
    own_cases_only: bool = False
    unit_id: int | None = None
    unit_kind: str | None = None  # the kind of the user's unit (pathways.services.units.KINDS)
    elsewhere: bool = False  # their refugee service receives a case of another kommune (access.receives)
    clock: Clock | None = field(default=None, compare=False, repr=False)

    def today(self) -> date:
        """The day the actor acts on: their context's clock (outside a context, the system clock's)."""
        return (self.clock or SystemClock()).today()

    @classmethod
    def system(cls, name: str = SYSTEM) -> Actor:
        """A program acting for every kommune, under ``name`` (``cli``, ``system``, who ran ``pathways publish``)."""
        return cls(name[:100], SYSTEM)

    @classmethod
    def user(cls, user_id: int, username: str, role: str, kommune_id: int, kommune: str,
             unit_id: int | None = None, unit_kind: str | None = None, elsewhere: bool = False) -> Actor:
        scoped = unit_kind not in (None, REFUGEE_SERVICE)
        return cls(username, role, kommune_id, kommune, user_id, own_cases_only=role == "veileder" or scoped,
                   unit_id=unit_id, unit_kind=unit_kind, elsewhere=elsewhere and not scoped)

    @classmethod
    def anonymous(cls, name: str = "web") -> Actor:
        return cls(name, None)

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM

    @property
    def reads_cases(self) -> bool:
        return self.role in ("veileder", "leder", SYSTEM)

    @property
    def unit_scoped(self) -> bool:
        """A user of a unit outside the refugee service: sees the cases handed to their unit only."""
        return self.unit_kind not in (None, REFUGEE_SERVICE) and not self.is_system

    @property
    def writes_cases(self) -> bool:
        return self.role in ("veileder", SYSTEM) and not self.unit_scoped

    @property
    def administers(self) -> bool:
        """Publishes and migrates pathways, reads the audit trail."""
        return self.role in ("administrator", SYSTEM)


class Reads:
    """One session for everything a page reads: its case, story, livelihood, caseworker and header counts
    share one connection and one transaction, instead of a transaction (and on PostgreSQL a pool check-out
    with its ping) for each service call. Opened at the first read; at the end committed, or rolled back
    when a service call inside raised (a page that shows "not found" leaves nothing behind). For pages
    that only read (GET): a service that writes inside it commits with the page, not on its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session: Session | None = None
        self.failed = False

    def open(self) -> Session:
        if self.session is None:
            self.session = Session(self.engine, expire_on_commit=False, info={"reads": True, "cases": {}})
            self.session.begin()
        return self.session

    def close(self, failed: bool = False) -> None:
        session, self.session = self.session, None
        if session is None:
            return
        try:
            if failed or self.failed:
                session.rollback()
            else:
                session.commit()
        finally:
            session.close()


@dataclass
class Context:
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    actor: Actor = field(default_factory=Actor.system)
    reads: Reads | None = field(default=None, compare=False, repr=False)
    channel: str = "cli"  # how the actor reaches the services, for the read log: side (pages), api, cli

    def __setattr__(self, name: str, value: Any) -> None:
        """The actor acts on the context's clock, however either was set (see :class:`Actor`)."""
        super().__setattr__(name, value)
        if name in ("actor", "clock") and "actor" in self.__dict__ and "clock" in self.__dict__ \
                and self.actor.clock is not self.clock:
            super().__setattr__("actor", replace(self.actor, clock=self.clock))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error. Inside a page's
        :class:`Reads`, its one session (see there)."""
        if self.reads is not None and self.reads.engine is self.engine:
            session = self.reads.open()
            try:
                yield session
            except BaseException:
                self.reads.failed = True
                raise
            return
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def today(self) -> date:
        return self.clock.today()

    def now(self) -> datetime:
        """The current instant from the context's clock: every timestamp a service writes comes from here."""
        return self.clock.now()


def open_engine(url: str | None = None) -> Engine:
    """An engine on the store (``url``, else PATHWAYS_DATABASE_URL, else the SQLite file under var/): how
    the dashboard and other callers outside the store get one."""
    from pathways.store.database import make_engine

    return make_engine(url)


_BY_HASH: dict[str, Definition] = {}
_BY_ENGINE: weakref.WeakKeyDictionary[Engine, dict[int, Definition]] = weakref.WeakKeyDictionary()


def definition_of(session: Session, version_id: int) -> Definition:
    """The loaded definition of a published version. Published text never changes, so it is cached per
    database (engine) and version id, and parsed once per content hash."""
    per_engine = _BY_ENGINE.setdefault(session.get_bind(), {})
    found = per_engine.get(version_id)
    if found is not None:
        return found
    row = session.get(PathwayVersion, version_id)
    if row is None:
        raise NotFound("no_pathway_version", id=version_id)
    found = _BY_HASH.get(row.content_hash)
    if found is None:
        found = _BY_HASH[row.content_hash] = load_text(row.document, f"{row.pathway_id}@{row.version}")
    per_engine[version_id] = found
    return found


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")
