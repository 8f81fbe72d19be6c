"""Staff accounts: add users, check passwords (argon2), integration tokens, the first administrator.

Passwords are hashed with argon2id (argon2-cffi); a new account gets a one-time password that must be
changed at first sign-in. API tokens are shown once and stored only as their SHA-256.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from pathways.calendar import OSLO
from pathways.services.context import Conflict, Context, NotFound, ServiceError
from pathways.services.participants import kommune_row
from pathways.store.tables import ApiToken, Kommune, User

ROLES = ("veileder", "leder", "administrator")
ROLE_TITLES = {"veileder": "Veileder", "leder": "Leder", "administrator": "Administrator"}
MIN_PASSWORD = 12
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

    @property
    def writes_cases(self) -> bool:
        return self.role == "veileder"

    @property
    def reads_all_cases(self) -> bool:
        return self.role == "leder"

    @property
    def reads_cases(self) -> bool:
        return self.role in ("veileder", "leder")

    @property
    def is_admin(self) -> bool:
        return self.role == "administrator"


def one_time_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"passordet må ha minst {MIN_PASSWORD} tegn", "password")
    if len(password) > 200:
        raise ServiceError("passordet kan ha høyst 200 tegn", "password")


def add_user(ctx: Context, *, username: str, name: str, role: str, kommune: str,
             password: str | None = None) -> tuple[int, str]:
    """Create an account; returns its id and the (one-time) password. Without ``password`` one is made
    and must be changed at first sign-in."""
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        raise ServiceError("brukernavnet kan bare ha små bokstaver a–å, sifre, punktum, bindestrek og understrek "
                           "(2–100 tegn)", "username")
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ServiceError("navn må fylles ut (høyst 200 tegn)", "name")
    if role not in ROLES:
        raise ServiceError(f"ukjent rolle '{role}' (velg {', '.join(ROLES)})", "role")
    chosen = password is not None
    password = password if chosen else one_time_password()
    check_password_rules(password)
    with ctx.transaction() as session:
        if session.exec(select(User.id).where(User.username == username)).first() is not None:
            raise Conflict(f"brukernavnet '{username}' er tatt", "username")
        row = User(username=username, name=name, role=role, kommune_id=kommune_row(session, kommune).id,
                   password_hash=_HASHER.hash(password), must_change_password=not chosen,
                   created_at=datetime.now(OSLO))
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id, password


def _account(session: Session, user: User) -> Account:
    kommune = session.get(Kommune, user.kommune_id)
    return Account(user.id or 0, user.username, user.name, user.role, user.kommune_id,
                   kommune.name if kommune else "?", user.must_change_password)


def authenticate(ctx: Context, username: str, password: str) -> Account | None:
    """The account for a correct username and password, else None (the same work either way)."""
    with ctx.transaction() as session:
        user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.active:
            return None
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
        return _account(session, user)


def account(ctx: Context, user_id: int) -> Account | None:
    with ctx.transaction() as session:
        user = session.get(User, user_id)
        return _account(session, user) if user is not None and user.active else None


def change_password(ctx: Context, user_id: int, current: str, new: str) -> None:
    check_password_rules(new)
    with ctx.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("ukjent bruker", "user")
        try:
            _HASHER.verify(user.password_hash, current or "")
        except (VerificationError, InvalidHashError):
            raise ServiceError("nåværende passord er feil", "current") from None
        if new == current:
            raise ServiceError("det nye passordet må være et annet enn det gamle", "password")
        user.password_hash, user.must_change_password = _HASHER.hash(new), False


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
        user = session.exec(select(User).where(User.username == username.strip().lower())).first()
        if user is None:
            raise NotFound(f"ingen bruker '{username}'", "username")
        session.add(ApiToken(user_id=user.id or 0, token_hash=_token_hash(token), label=label[:100],
                             created_at=datetime.now(OSLO)))
    return token


def account_for_token(ctx: Context, token: str) -> Account | None:
    with ctx.transaction() as session:
        found = session.exec(select(User).join(ApiToken, col(ApiToken.user_id) == col(User.id))
                             .where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked == False,  # noqa: E712
                                    User.active == True)).first()  # noqa: E712
        return _account(session, found) if found is not None else None
