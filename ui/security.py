"""Sign-in, sessions, CSRF and login throttling for the dashboard; bearer tokens for the API.

- Sessions: Starlette's signed cookie (itsdangerous), HttpOnly, SameSite=Lax, Secure when served over
  https (``PATHWAYS_SECURE_COOKIES``), eight hours. It holds only the user id.
- CSRF: fastapi-csrf-protect's double-submit cookie; every form carries the token, htmx sends it as the
  ``X-CSRF-Token`` header. The API uses bearer tokens and no cookies, so it needs none.
- Throttling: ``limits``' moving window, per username and per client address.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import Request
from fastapi_csrf_protect.exceptions import CsrfProtectError
from fastapi_csrf_protect.flexible import CsrfProtect
from itsdangerous import BadData, URLSafeTimedSerializer
from limits import RateLimitItemPerHour, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from pathways.services.accounts import Account, account, account_for_token
from pathways.services.context import Context

SESSION_COOKIE = "pathways_session"
CSRF_COOKIE = "pathways_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 8 * 3600
_CSRF_SALT = "fastapi-csrf-token"  # the salt fastapi-csrf-protect signs its cookie with


def secret_key(path: Path = Path("var/secret_key")) -> str:
    """PATHWAYS_SECRET_KEY, else a key made once and kept in var/secret_key (readable by the owner only)."""
    if key := os.environ.get("PATHWAYS_SECRET_KEY"):
        return key
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
    """At most 5 failed sign-ins a minute and 30 an hour per username, and 20 a minute per address."""

    def __init__(self) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.per_user = (RateLimitItemPerMinute(5), RateLimitItemPerHour(30))
        self.per_address = (RateLimitItemPerMinute(20),)

    def _keys(self, username: str, address: str) -> list[tuple[object, str]]:
        return ([(item, "user:" + username.strip().lower()) for item in self.per_user]
                + [(item, "addr:" + address) for item in self.per_address])

    def allowed(self, username: str, address: str) -> bool:
        return all(self.limiter.test(item, key) for item, key in self._keys(username, address))  # type: ignore[arg-type]

    def failed(self, username: str, address: str) -> None:
        for item, key in self._keys(username, address):
            self.limiter.hit(item, key)  # type: ignore[arg-type]

    def reset(self) -> None:
        self.limiter.storage.reset()


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
