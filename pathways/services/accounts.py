"""Staff accounts: add users, check passwords (argon2), integration tokens, the first administrator;
dashboard sessions that can be ended; deactivation, password resets and role changes.

Passwords are hashed with argon2id (argon2-cffi) and must be hard to guess (zxcvbn, with the user's name
and username as context); a new or reset account gets a one-time password that must be changed at
first sign-in. API tokens and session ids are shown once and stored only as their SHA-256. Every change
to an account is written to the audit trail (:mod:`pathways.services.audit`).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, func, select
from zxcvbn import zxcvbn

from pathways.messages import Text
from pathways.services import access
from pathways.services.audit import record
from pathways.services.context import Actor, Conflict, Context, NotFound, ServiceError
from pathways.services.participants import kommune_row
from pathways.services.units import unit_for
from pathways.store.queries import handoffs as handoff_rows
from pathways.store.tables import ApiToken, Kommune, SignInFailure, Unit, User, UserSession

ROLES = ("veileder", "leder", "administrator")
ROLE_TITLES = {"veileder": "Veileder", "leder": "Leder", "administrator": "Administrator"}
MIN_PASSWORD = 12
MIN_STRENGTH = 4  # zxcvbn's score 0–4: 4 takes at least 10^10 guesses ("very unguessable")
SESSION_HOURS = 10  # the longest a dashboard session lasts (PATHWAYS_SESSION_HOURS)


def session_seconds() -> int:
    """How long a new dashboard session lasts: ``PATHWAYS_SESSION_HOURS`` (1–24), 10 hours unless set."""
    raw = os.environ.get("PATHWAYS_SESSION_HOURS", "").strip()
    if not raw:
        return SESSION_HOURS * 3600
    try:
        hours = float(raw)
    except ValueError:
        raise ValueError(f"PATHWAYS_SESSION_HOURS must be a number of hours, not {raw!r}") from None
    if not 0 < hours <= 24:
        raise ValueError(f"PATHWAYS_SESSION_HOURS must be more than 0 and at most 24, not {raw}")
    return int(hours * 3600)


SESSION_SECONDS = SESSION_HOURS * 3600
_USERNAME = re.compile(r"^[a-z0-9æøå][a-z0-9æøå._-]{1,99}$")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")  # equal work for unknown usernames


@dataclass(frozen=True)
class Account:
    """The signed-in user as the web layer sees it: who, which kommune, which role."""

    id: int
    username: str
    name: str
    role: str
    kommune_id: int
    kommune: str
    must_change_password: bool = False
    unit_id: int | None = None
    unit_kind: str | None = None
    elsewhere: bool = False  # their unit receives a case of another kommune (pathways.services.access.receives)

    @property
    def actor(self) -> Actor:
        """The user as the services see them: what they may see and change follows from it."""
        return Actor.user(self.id, self.username, self.role, self.kommune_id, self.kommune, self.unit_id,
                          self.unit_kind, self.elsewhere)

    @property
    def unit_scoped(self) -> bool:
        """A user of NAV, a school …: sees only the cases handed to their unit."""
        return self.actor.unit_scoped

    @property
    def writes_cases(self) -> bool:
        return self.role == "veileder" and not self.unit_scoped

    @property
    def changes_cases(self) -> bool:
        """A veileder of any unit: changes the cases they work (a receiving unit's, once taken over)."""
        return self.role == "veileder"

    @property
    def reads_all_cases(self) -> bool:
        return self.role == "leder" and not self.unit_scoped

    @property
    def reads_cases(self) -> bool:
        return self.role in ("veileder", "leder")

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"


def one_time_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


_WEAK_PATTERNS = ("user_inputs", "passwords", "repeat", "sequence", "spatial", "date", "regex", "dictionary")
"""zxcvbn's patterns of the weakest part, in the order a reason is chosen; the reason is message ``weak_<pattern>``."""


def check_password_rules(password: str, user_inputs: tuple[str, ...] = ()) -> None:
    """At least 12 characters and hard to guess: zxcvbn's score, with the user's username and name as words
    an attacker would try first. The reason is a message of its own (``weak_*``), said in the refusal."""
    if len(password) < MIN_PASSWORD:
        raise ServiceError("password_too_short", "password", length=MIN_PASSWORD)
    if len(password) > 200:
        raise ServiceError("password_too_long", "password")
    words = [w for value in user_inputs for w in (value, *re.split(r"[\s._-]+", value)) if len(w) >= 3]
    rest = password.lower()
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word.lower(), "")
    if rest != password.lower() and len(re.sub(r"[\W\d_]+", "", rest)) < 6:  # zxcvbn lets "hansen-siv-2026" by
        raise ServiceError("password_weak", "password", reason=Text("weak_user_inputs"))
    result = zxcvbn(password, user_inputs=words)
    if result["score"] >= MIN_STRENGTH:
        return
    patterns = [m.get("dictionary_name") if m["pattern"] == "dictionary" and m.get("dictionary_name") in
                ("user_inputs", "passwords") else m["pattern"] for m in result["sequence"]]
    reason = next((f"weak_{p}" for p in _WEAK_PATTERNS if p in patterns), "weak_simple")
    raise ServiceError("password_weak_hint", "password", reason=Text(reason))


def add_user(ctx: Context, *, username: str, name: str, role: str, kommune: str,
             password: str | None = None, unit: str | None = None) -> tuple[int, str]:
    """Create an account in the kommune's unit called ``unit`` (its refugee service when None); returns
    its id and the (one-time) password. Without ``password`` one is made and must be changed at first
    sign-in."""
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        raise ServiceError("bad_username", "username")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ServiceError("account_name_required", "name")
    if role not in ROLES:
        raise ServiceError("unknown_role", "role", role=role, roles=ROLES)
    chosen = password is not None
    password = one_time_password() if password is None else password
    check_password_rules(password, (username, name))
    with ctx.transaction() as session:
        if session.exec(select(User.id).where(User.username == username)).first() is not None:
            raise Conflict("username_taken", "username", username=username)
        place = kommune_row(session, kommune)
        _may_add_to(session, ctx.actor, place)
        row = User(username=username, name=name, role=role, kommune_id=place.id,
                   unit_id=unit_for(session, place.id or 0, unit), password_hash=_HASHER.hash(password),
                   must_change_password=not chosen,
                   created_at=ctx.now())
        session.add(row)
        session.flush()
        assert row.id is not None
        record(session, ctx, "user.created", kommune_id=row.kommune_id, user_id=row.id, detail=f"rolle {role}")
        return row.id, password


def kommune_names(ctx: Context) -> list[str]:
    """The kommuner an administrator may add users to (:func:`_may_add_to`): their own and those without users."""
    with ctx.transaction() as session:
        staffed = select(User.kommune_id).distinct()
        rows = session.exec(select(Kommune.id, Kommune.name).order_by(Kommune.name)).all()
        have_users = set(session.exec(staffed).all())
    own = ctx.actor.kommune_id
    return [name for kid, name in rows if ctx.actor.is_system or kid == own or kid not in have_users]


def _may_add_to(session: Session, actor: Actor, kommune: Kommune) -> None:
    """A user acts for one kommune: an administrator adds users to their own, or to a kommune that has no
    user yet (a kommune being set up, such as the demo's); never to another kommune's staff."""
    if actor.is_system or actor.kommune_id is None or kommune.id == actor.kommune_id:
        return
    if session.exec(select(User.id).where(User.kommune_id == kommune.id)).first() is not None:
        from pathways.services.access import Forbidden
        raise Forbidden("kommune_has_admins", "kommune", kommune=kommune.name, yours=actor.kommune)


def _account(session: Session, user: User) -> Account:
    kommune = session.get(Kommune, user.kommune_id)
    unit = session.get(Unit, user.unit_id) if user.unit_id is not None else None
    return Account(user.id or 0, user.username, user.name, user.role, user.kommune_id,
                   kommune.name if kommune else "?", user.must_change_password, user.unit_id,
                   unit.kind if unit else None, handoff_rows.receives_elsewhere(session, user.unit_id, user.kommune_id))


def authenticate(ctx: Context, username: str, password: str) -> Account | None:
    """The account for a correct username and password, else None (the same work either way). A correct
    password of a kommune that signs in through its identity provider only is refused
    (``password_sign_in_off``); an account of the provider has no password."""
    with ctx.transaction() as session:
        user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.active:
            return None
        if not session.exec(select(Kommune.password_sign_in).where(Kommune.id == user.kommune_id)).one():
            raise ServiceError("password_sign_in_off")
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        return _account(session, user)


def _user(session: Session, username: str, kommune_id: int | None = None) -> User:
    """The user by username; with ``kommune_id`` only one of that kommune (an administrator's scope)."""
    user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
    if user is None or (kommune_id is not None and user.kommune_id != kommune_id):
        raise NotFound("no_user", "username", username=username)
    return user


def change_password(ctx: Context, user_id: int, current: str, new: str, keep_session: str | None = None) -> None:
    """The user changes their own password; every other session of theirs ends (``keep_session``, the
    session id the change was made in, stays)."""
    with ctx.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("unknown_user", "user")
        check_password_rules(new, (user.username, user.name))
        try:
            _HASHER.verify(user.password_hash, current or "")
        except (VerificationError, InvalidHashError):
            raise ServiceError("wrong_password", "current") from None
        if new == current:
            raise ServiceError("same_password", "password")
        user.password_hash, user.must_change_password = _HASHER.hash(new), False
        _end_sessions(session, user_id, keep=keep_session)
        record(session, ctx, "user.password_changed", kommune_id=user.kommune_id, user_id=user_id)


def users_in(ctx: Context, kommune_id: int) -> list[User]:
    with ctx.transaction() as session:
        return list(session.exec(select(User).where(User.kommune_id == kommune_id).order_by(col(User.username))))


def ensure_first_admin(ctx: Context, kommune: str = "Demo kommune") -> tuple[str, str] | None:
    """When there are no accounts: create 'admin' with a one-time password and return (username, password)."""
    with ctx.transaction() as session:
        if session.exec(select(func.count()).select_from(User)).one():
            return None
    _, password = add_user(ctx, username="admin", name="Første administrator", role="administrator",
                           kommune=kommune)
    return "admin", password


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(ctx: Context, username: str, label: str) -> str:
    """A new API token for a user; the token is returned once and only its hash is kept."""
    label = (label or "").strip() or "integrasjon"
    token = "pw_" + secrets.token_urlsafe(32)
    with ctx.transaction() as session:
        user = _user(session, username)
        row = ApiToken(user_id=user.id or 0, token_hash=_token_hash(token), label=label[:100],
                       created_at=ctx.now())
        session.add(row)
        session.flush()
        record(session, ctx, "token.created", kommune_id=user.kommune_id, user_id=user.id, token_id=row.id)
    return token


def tokens_of(ctx: Context, username: str, kommune_id: int | None = None) -> list[ApiToken]:
    """A user's API tokens (their hashes, labels and whether revoked), oldest first."""
    with ctx.transaction() as session:
        user = _user(session, username, kommune_id)
        return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))))


def revoke_token(ctx: Context, token_id: int, kommune_id: int | None = None) -> str:
    """Revoke an API token at once; returns its owner's username. Revoking twice is no error."""
    with ctx.transaction() as session:
        row = session.get(ApiToken, token_id)
        user = session.get(User, row.user_id) if row is not None else None
        if row is None or user is None or (kommune_id is not None and user.kommune_id != kommune_id):
            raise NotFound("no_token", "token", id=token_id)
        if not row.revoked:
            row.revoked = True
            record(session, ctx, "token.revoked", kommune_id=user.kommune_id, user_id=user.id, token_id=token_id)
        return user.username


def _not_yourself(ctx: Context, user: User, what: str) -> None:
    if user.username == ctx.actor.name:
        raise ServiceError(what, "username")


def set_active(ctx: Context, username: str, active: bool, kommune_id: int | None = None) -> None:
    """Deactivate (every session ends, every API token stops working) or activate a user again."""
    with ctx.transaction() as session:
        user = _user(session, username, kommune_id)
        if not active:
            _not_yourself(ctx, user, "not_yourself_deactivate")
            _end_sessions(session, user.id or 0)
        if user.active != active:
            user.active = active
            record(session, ctx, "user.activated" if active else "user.deactivated", kommune_id=user.kommune_id,
                   user_id=user.id)


def set_role(ctx: Context, username: str, role: str, kommune_id: int | None = None) -> None:
    if role not in ROLES:
        raise ServiceError("unknown_role", "role", role=role, roles=ROLES)
    with ctx.transaction() as session:
        user = _user(session, username, kommune_id)
        if user.role != role:
            _not_yourself(ctx, user, "not_yourself_role")
            record(session, ctx, "user.role", kommune_id=user.kommune_id, user_id=user.id,
                   detail=f"rolle {user.role} → {role}")
            user.role = role


def reset_password(ctx: Context, username: str, kommune_id: int | None = None) -> str:
    """A new one-time password (returned once, to be changed at first sign-in); every session of the user
    ends and a sign-in lock is lifted."""
    password = one_time_password()
    with ctx.transaction() as session:
        user = _user(session, username, kommune_id)
        user.password_hash, user.must_change_password = _HASHER.hash(password), True
        _end_sessions(session, user.id or 0)
        session.execute(delete(SignInFailure).where(SignInFailure.key == sign_in_key("user", user.username)))
        record(session, ctx, "user.password_reset", kommune_id=user.kommune_id, user_id=user.id)
    return password


# -- sign-in locks and sessions ---------------------------------------------------------------------


def sign_in_key(kind: str, value: str) -> str:
    """The digest failed sign-ins are counted under (``user`` or ``addr``): no name or address is stored."""
    value = value.strip().lower() if kind == "user" else value
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def unlock(ctx: Context, username: str, kommune_id: int | None = None) -> None:
    """Lift a user's sign-in lock (forget their failed sign-ins)."""
    with ctx.transaction() as session:
        user = _user(session, username, kommune_id)
        session.execute(delete(SignInFailure).where(SignInFailure.key == sign_in_key("user", user.username)))
        record(session, ctx, "user.unlocked", kommune_id=user.kommune_id, user_id=user.id)


def _session_key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _end_sessions(session: Session, user_id: int, keep: str | None = None) -> None:
    condition = [UserSession.user_id == user_id]
    if keep:
        condition.append(UserSession.key != _session_key(keep))
    session.execute(delete(UserSession).where(*condition))


def start_session(ctx: Context, user_id: int) -> str:
    """A new dashboard session for a signed-in user; returns its id (for the cookie). Expired sessions
    of anyone are deleted on the way."""
    session_id = secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.transaction() as session:
        session.execute(delete(UserSession).where(col(UserSession.expires_at) < now))
        session.add(UserSession(key=_session_key(session_id), user_id=user_id, created_at=now,
                                expires_at=now + timedelta(seconds=session_seconds())))
    return session_id


def session_account(ctx: Context, session_id: str) -> Account | None:
    """The account of a live session of an active user, else None (ended, expired or deactivated)."""
    with ctx.transaction() as session:  # the columns, not the User entity: read on every request
        found = session.connection().execute(_SESSION_ACCOUNT, {"key": _session_key(session_id),
                                                                "now": ctx.now()}).first()
        if found is None:
            return None
        user_id, username, name, role, kommune_id, must_change, unit_id, kommune, unit_kind, elsewhere = found
        return Account(user_id, username, name, role, kommune_id, kommune, bool(must_change), unit_id, unit_kind,
                       bool(elsewhere))


# made once (read on every page): the user of a live session of an active user, with their kommune's name
_SESSION_ACCOUNT = (select(User.id, User.username, User.name, User.role, User.kommune_id, User.must_change_password,
                           User.unit_id, Kommune.name, Unit.kind,
                           handoff_rows.from_elsewhere(User.unit_id, User.kommune_id))
                    .join(UserSession, col(UserSession.user_id) == col(User.id))
                    .join(Kommune, col(Kommune.id) == col(User.kommune_id))
                    .outerjoin(Unit, col(Unit.id) == col(User.unit_id))
                    .where(UserSession.key == bindparam("key"), col(UserSession.expires_at) > bindparam("now"),
                           User.active == True))  # noqa: E712


def end_session(ctx: Context, session_id: str) -> None:
    with ctx.transaction() as session:
        session.execute(delete(UserSession).where(UserSession.key == _session_key(session_id)))


def account_for_token(ctx: Context, token: str) -> Account | None:
    with ctx.transaction() as session:
        found = session.exec(select(User).join(ApiToken, col(ApiToken.user_id) == col(User.id))
                             .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked == False,  # noqa: E712
                                    User.active == True)).first()  # noqa: E712
        return _account(session, found) if found is not None else None


def set_password_sign_in(ctx: Context, allowed: bool) -> None:
    """An administrator lets the users of their kommune sign in with a local password, or not (when the
    kommune signs in through its identity provider); in the audit trail."""
    actor = access.administering(ctx.actor)
    with ctx.transaction() as session:
        kommune = session.get(Kommune, actor.kommune_id)
        if kommune is None:
            raise NotFound("no_kommune", "kommune", kommune=actor.kommune)
        if kommune.password_sign_in != allowed:
            kommune.password_sign_in = allowed
            record(session, ctx, "kommune.passwords", kommune_id=kommune.id, detail="på" if allowed else "av")


def password_sign_in(ctx: Context, kommune_id: int) -> bool:
    with ctx.transaction() as session:
        return bool(session.exec(select(Kommune.password_sign_in).where(Kommune.id == kommune_id)).one())


def find_user(ctx: Context, username: str, kommune_id: int | None = None) -> User:
    with ctx.transaction() as session:
        return _user(session, username, kommune_id)
