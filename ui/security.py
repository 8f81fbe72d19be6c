"""Sign-in, sessions, CSRF and login throttling for the dashboard; bearer tokens for the API.

- Sessions: kept in the store (:func:`pathways.services.accounts.start_session`), so that signing out, a
  password change or reset and deactivation end them at once, in every worker process. The cookie is
  Starlette's signed session cookie (itsdangerous), HttpOnly, SameSite=Lax, Secure when served over https
  (``PATHWAYS_SECURE_COOKIES``), eight hours; it holds the random session id and nothing else of the user.
- CSRF: a synchronizer token bound to the session, signed and dated by ``itsdangerous``
  (``URLSafeTimedSerializer``): it carries a digest of the session id (before sign-in, of a random id
  kept in the session cookie, replaced at sign-in), so a token from one session is worthless in another,
  a tampered one fails its signature and one older than a session lasts is refused. Every form carries
  it, htmx sends it as the ``X-CSRF-Token`` header. The API uses bearer tokens and no cookies, so it
  needs none.
- Throttling: failed sign-ins counted in the store over moving windows, per username and per client
  address (``limits`` keeps its counts in memory or Redis; the dashboard runs several worker processes).
  A locked username is refused even with the right password; the page says so, and an administrator
  can lift the lock.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import Request
from itsdangerous import BadData, URLSafeTimedSerializer

from pathways.calendar import OSLO, Clock, SystemClock
from pathways.home import var_dir
from pathways.services.accounts import SESSION_SECONDS, Account, account_for_token, sign_in_key
from pathways.services.accounts import session_account as account_of_session
from pathways.services.background import SignInFailures, sign_in_failures
from pathways.services.context import Context, Engine

SESSION_COOKIE = "pathways_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


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


class Csrf:
    """The session's token: the digest of the session id (before sign-in, of a random id in the session),
    signed and dated; valid in that session for as long as a session lasts."""

    def __init__(self, secret: str, max_age: int = SESSION_SECONDS):
        self.signer = URLSafeTimedSerializer(secret, salt="pathways-csrf")
        self.max_age = max_age

    @staticmethod
    def _digest(binding: str) -> str:
        """What the token names: a digest, so that the page never shows the session id itself."""
        return hashlib.sha256(f"csrf:{binding}".encode()).hexdigest()[:32]

    def token_for(self, request: Request) -> str:
        binding = request.session.get("sid") or request.session.get("anon")
        if not isinstance(binding, str):
            binding = request.session["anon"] = secrets.token_urlsafe(24)
        return self.signer.dumps(self._digest(binding))

    async def check(self, request: Request) -> bool:
        binding = request.session.get("sid") or request.session.get("anon")
        form = await request.form()
        given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
        if not isinstance(binding, str) or not isinstance(given, str) or not given:
            return False
        try:
            named = self.signer.loads(given, max_age=self.max_age)
        except BadData:  # tampered, made with another key, or too old
            return False
        return named == self._digest(binding)


class Throttled(Exception):
    """Too many failed sign-ins: ``kind`` is ``user`` (the username is locked) or ``addr``; ``minutes`` until
    the lock lifts by itself."""

    def __init__(self, kind: str, minutes: int):
        super().__init__(kind)
        self.kind, self.minutes = kind, minutes


class Throttle:
    """At most 5 failed sign-ins a minute and 30 an hour per username, and 20 a minute per address,
    counted in the store (``SignInFailure``) so that every dashboard worker process sees every failure.
    Keys are SHA-256 digests: no username or address is stored."""

    PER_USER = ((timedelta(minutes=1), 5), (timedelta(hours=1), 30))
    PER_ADDRESS = ((timedelta(minutes=1), 20),)

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine, self.clock = engine, clock or SystemClock()

    def _limits(self, username: str, address: str | None) -> list[tuple[str, str, timedelta, int]]:
        user = sign_in_key("user", username)
        limits = [("user", user, window, most) for window, most in self.PER_USER]
        if address is not None:
            addr = sign_in_key("addr", address)
            limits += [("addr", addr, window, most) for window, most in self.PER_ADDRESS]
        return limits

    @staticmethod
    def _refusal(failures: SignInFailures, limits: list[tuple[str, str, timedelta, int]], now: datetime
                 ) -> Throttled | None:
        """The limit reached, with the minutes until enough failures fall out of its window; else None."""
        for kind, key, window, most in limits:
            times = failures.since(key, now - window, most)
            if len(times) >= most:
                oldest = times[-1] if times[-1].tzinfo else times[-1].replace(tzinfo=OSLO)
                return Throttled(kind, max(1, math.ceil((oldest + window - now).total_seconds() / 60)))
        return None

    def attempt(self, username: str, address: str) -> list[int]:
        """Before the password is checked: raises :class:`Throttled` when a limit is reached, else counts the
        attempt as a failure (its row ids, for :meth:`succeeded`). Counting first closes the window in
        which parallel attempts could all pass the check while the slow password hash runs."""
        now = self.clock.now()
        with sign_in_failures(self.engine, write=True) as failures:
            refusal = self._refusal(failures, self._limits(username, address), now)
            if refusal is not None:
                raise refusal
            return failures.add(sorted({key for _, key, _, _ in self._limits(username, address)}), now,
                                now - timedelta(hours=1))

    def succeeded(self, attempt: list[int]) -> None:
        """The password was right: the attempt was no failure."""
        with sign_in_failures(self.engine, write=True) as failures:
            failures.delete(attempt)

    def locked(self, username: str) -> int | None:
        """Minutes until a username's lock lifts by itself, or None when it is not locked."""
        with sign_in_failures(self.engine) as failures:
            refusal = self._refusal(failures, self._limits(username, None), self.clock.now())
        return refusal.minutes if refusal is not None else None


def session_account(request: Request, ctx: Context) -> Account | None:
    """The account of the request's session; an ended or expired session is cleared from the cookie."""
    session_id = request.session.get("sid")
    if not isinstance(session_id, str):
        return None
    found = account_of_session(ctx, session_id)
    if found is None:
        request.session.clear()
    return found


def bearer_account(request: Request, ctx: Context) -> Account | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return account_for_token(ctx, token.strip())
