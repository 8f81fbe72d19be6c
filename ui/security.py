"""Sign-in, sessions, CSRF and login throttling for the dashboard; bearer tokens for the API.

- Sessions: Starlette's signed cookie (itsdangerous), HttpOnly, SameSite=Lax, Secure when served over
  https (``PATHWAYS_SECURE_COOKIES``), eight hours. It holds only the user id.
- CSRF: fastapi-csrf-protect's double-submit cookie; every form carries the token, htmx sends it as the
  ``X-CSRF-Token`` header. The API uses bearer tokens and no cookies, so it needs none.
- Throttling: failed sign-ins counted in the store over moving windows, per username and per client
  address (``limits`` keeps its counts in memory or Redis; the dashboard runs several worker processes).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import Request
from fastapi_csrf_protect.exceptions import CsrfProtectError
from fastapi_csrf_protect.flexible import CsrfProtect
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, func, select
from sqlmodel import Session, col

from pathways.calendar import OSLO
from pathways.home import var_dir
from pathways.services.accounts import Account, account, account_for_token
from pathways.services.context import Context
from pathways.store.tables import SignInFailure

SESSION_COOKIE = "pathways_session"
CSRF_COOKIE = "pathways_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 8 * 3600
_CSRF_SALT = "fastapi-csrf-token"  # the salt fastapi-csrf-protect signs its cookie with


def secret_key(path: Path | None = None) -> str:
    """PATHWAYS_SECRET_KEY, else a key made once and kept in var/secret_key of PATHWAYS_HOME (readable by the
    owner only)."""
    if key := os.environ.get("PATHWAYS_SECRET_KEY"):
        return key
    path = path or var_dir() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


def configure_csrf(secret: str, secure: bool) -> None:
    """fastapi-csrf-protect keeps its settings on the class (one configuration per process)."""

    @CsrfProtect.load_config
    def _settings() -> list[tuple[str, object]]:
        return [("secret_key", secret), ("cookie_key", CSRF_COOKIE), ("token_key", CSRF_FIELD),
                ("cookie_samesite", "strict"), ("cookie_secure", secure), ("max_age", SESSION_SECONDS),
                ("header_name", "X-CSRF-Token")]


class Csrf:
    """The token for a page: reuse the one in the browser's cookie while it is valid, else make a new one."""

    def __init__(self, secret: str):
        self.secret = secret
        self.protect = CsrfProtect()

    def token_for(self, request: Request) -> tuple[str, str | None]:
        """(token to put in forms, signed cookie to set or None when the browser's cookie is still good)."""
        signed = request.cookies.get(CSRF_COOKIE)
        if signed:
            try:
                return URLSafeTimedSerializer(self.secret, salt=_CSRF_SALT).loads(
                    signed, max_age=SESSION_SECONDS - 600), None
            except BadData:
                pass
        token, signed = self.protect.generate_csrf_tokens(self.secret)
        return token, signed

    async def check(self, request: Request) -> bool:
        await request.form()  # the library reads the parsed form from the request
        try:
            await self.protect.validate_csrf(request, secret_key=self.secret)
        except CsrfProtectError:
            return False
        return True


class Throttle:
    """At most 5 failed sign-ins a minute and 30 an hour per username, and 20 a minute per address,
    counted in the store (``SignInFailure``) so that every dashboard worker process sees every failure.
    Keys are SHA-256 digests: no username or address is stored."""

    PER_USER = ((timedelta(minutes=1), 5), (timedelta(hours=1), 30))
    PER_ADDRESS = ((timedelta(minutes=1), 20),)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _key(kind: str, value: str) -> str:
        return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()

    def _limits(self, username: str, address: str) -> list[tuple[str, timedelta, int]]:
        user, addr = self._key("user", username.strip().lower()), self._key("addr", address)
        return ([(user, window, most) for window, most in self.PER_USER]
                + [(addr, window, most) for window, most in self.PER_ADDRESS])

    def attempt(self, username: str, address: str) -> list[int] | None:
        """Before the password is checked: None when throttled, else the attempt counted as a failure
        (its row ids, for :meth:`succeeded`). Counting first closes the window in which parallel
        attempts could all pass the check while the slow password hash runs."""
        now = datetime.now(OSLO)
        with Session(self.engine) as session, session.begin():
            if not all(session.execute(select(func.count()).select_from(SignInFailure).where(
                    SignInFailure.key == key, SignInFailure.at > now - window)).scalar_one() < most
                    for key, window, most in self._limits(username, address)):
                return None
            session.execute(delete(SignInFailure).where(SignInFailure.at < now - timedelta(hours=1)))
            rows = [SignInFailure(key=key, at=now) for key in {key for key, _, _ in self._limits(username, address)}]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows if row.id is not None]

    def succeeded(self, attempt: list[int]) -> None:
        """The password was right: the attempt was no failure."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(SignInFailure).where(col(SignInFailure.id).in_(attempt)))

    def reset(self) -> None:
        with Session(self.engine) as session:
            session.execute(delete(SignInFailure))
            session.commit()


def session_account(request: Request, ctx: Context) -> Account | None:
    user_id = request.session.get("uid")
    if not isinstance(user_id, int):
        return None
    found = account(ctx, user_id)
    if found is None:
        request.session.clear()
    return found


def bearer_account(request: Request, ctx: Context) -> Account | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return account_for_token(ctx, token.strip())
