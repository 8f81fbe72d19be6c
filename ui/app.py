"""The dashboard: FastAPI + Jinja2 + htmx, server-rendered, bokmål. ``create_app`` builds it for an
engine and a clock; ``pathways serve`` and ``pathways run`` serve it with uvicorn.

Every route gets the signed-in :class:`~pathways.services.accounts.Account` and calls the services with a
context acting as that user (:func:`context`); the services decide what the user sees
(:mod:`pathways.services.access`), and a case outside it is a 404 whatever the URL says.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from secure import (
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware.asgi import SecureASGIMiddleware
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as AsgiScope

from pathways.calendar import Clock, SystemClock
from pathways.services.access import Forbidden
from pathways.services.accounts import ROLE_TITLES, SESSION_SECONDS, Account
from pathways.services.context import Actor, Context, NotFound, ServiceError
from pathways.services.dashboard import FLAG_KINDS, FLAG_STATES, SEVERITY, STATUS, flag_counts
from ui.boundary import plain_request, refusal
from ui.jobs import Jobs
from ui.messages import norsk
from ui.security import SESSION_COOKIE, Csrf, Throttle, secret_key

HERE = Path(__file__).parent


def _switch(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


@dataclass
class Settings:
    secret: str
    secure_cookies: bool = False  # set behind https (PATHWAYS_SECURE_COOKIES=1); also sends HSTS
    api_docs: bool = False  # Swagger UI at /api/docs (PATHWAYS_API_DOCS=1); it loads from a CDN

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(secret_key(), _switch("PATHWAYS_SECURE_COOKIES"), _switch("PATHWAYS_API_DOCS"))


SWAGGER_CDN = "https://cdn.jsdelivr.net"


def security_headers(https: bool, cdn: str | None = None) -> Secure:
    """The response headers of every page: scripts and styles from this site only (the vendored htmx
    and Ace; inline style attributes are allowed, inline script is not), no framing, no referrer to other
    sites (URLs carry search terms), no sniffing; HSTS behind https. Images may be ``blob:`` URLs (the
    editor's preview diagram). ``cdn`` and inline script are
    allowed only for Swagger UI's page when it is switched on."""
    scripts = ["'self'", cdn, "'unsafe-inline'"] if cdn else ["'self'"]
    csp = (ContentSecurityPolicy().default_src("'self'").script_src(*scripts)
           .style_src("'self'", "'unsafe-inline'", *([cdn] if cdn else [])).img_src("'self'", "data:", "blob:")
           .object_src("'none'").base_uri("'self'").form_action("'self'").frame_ancestors("'none'"))
    return Secure(csp=csp, xcto=XContentTypeOptions().nosniff(), referrer=ReferrerPolicy().same_origin(),
                  xfo=XFrameOptions().deny(), coop=CrossOriginOpenerPolicy().same_origin(),
                  permissions=PermissionsPolicy().geolocation().camera().microphone(),
                  hsts=StrictTransportSecurity().max_age(63072000).include_subdomains() if https else None)


class SecurityHeaders:
    """``secure``'s ASGI middleware, with Swagger UI's own (looser) policy on its one page."""

    def __init__(self, app: ASGIApp, https: bool, docs_path: str | None) -> None:
        self.pages = SecureASGIMiddleware(app, secure=security_headers(https))
        self.docs = SecureASGIMiddleware(app, secure=security_headers(https, SWAGGER_CDN)) if docs_path else None
        self.docs_path = docs_path

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        chosen = self.docs if self.docs is not None and scope.get("path") == self.docs_path else self.pages
        await chosen(scope, receive, send)  # type: ignore[arg-type]  # secure's Send takes `object` messages


class SignInRequired(Exception):
    """Not signed in (or must change the one-time password first): go to ``to``."""

    def __init__(self, to: str | None = None):
        super().__init__(to)
        self.to = to


class PageError(Exception):
    """Shown as an error page with a status code (403, 404)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def date_no(value: Any) -> str:
    """dd.mm.åååå, the Norwegian way (a date, or ISO text from a JSON view)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y") if value is not None else "–"


def create_app(engine: Engine, clock: Clock | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_environment()
    clock = clock or SystemClock()
    docs = "/api/docs" if settings.api_docs else None
    app = FastAPI(title="pathways", description="Kvalifiseringsløp for flyktninger og innvandrere: saker, frister, "
                  "flagg og inntektsgap. API-et bruker tokens (Authorization: Bearer …).",
                  docs_url=docs, redoc_url=None, openapi_url="/api/openapi.json",
                  dependencies=[Depends(plain_request)])
    app.add_middleware(SessionMiddleware, secret_key=settings.secret, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_SECONDS, same_site="lax", https_only=settings.secure_cookies)
    app.add_middleware(SecurityHeaders, https=settings.secure_cookies, docs_path=docs)  # outermost: every answer
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.auto_reload = False  # no stat() of every template on every page; restart to see edits
    templates.env.filters["dato"] = date_no
    templates.env.filters["norsk"] = norsk
    templates.env.globals.update(FLAG_KINDS=FLAG_KINDS, SEVERITY=SEVERITY, FLAG_STATES=FLAG_STATES, STATUS=STATUS,
                                 ROLE_TITLES=ROLE_TITLES)
    state = app.state
    state.engine, state.clock, state.settings = engine, clock, settings
    state.templates, state.csrf = templates, Csrf(settings.secret)
    # in the store: shared by worker processes
    state.throttle, state.jobs = Throttle(engine, clock), Jobs(engine, clock)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        to = exc.to or "/logg-inn?" + urlencode({"neste": request.url.path})
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": to})
        return RedirectResponse(to, status_code=303)

    @app.exception_handler(RequestValidationError)
    async def _refused(request: Request, exc: RequestValidationError) -> Response:
        return refusal(request, exc, lambda status, message: render(
            request, "error.html", {"message": message, "status": status}, status=status))

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        """A service refused the role (pages check first for their own words; this is the rule's answer)."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": norsk(str(exc))}, status_code=403)
        return await _page_error(request, forbidden(exc))

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", {"message": str(exc), "status": exc.status}, status=exc.status)

    from ui import api, authoring, web
    app.include_router(web.router)
    app.include_router(authoring.router)
    app.include_router(api.router)
    return app


# -- helpers the routes share --------------------------------------------------------------------


def context(request: Request, account: Account | None = None) -> Context:
    """The services' context acting as ``account``; without one, as nobody (no participant or case is seen)."""
    actor = account.actor if account is not None else Actor.anonymous("web")
    return Context(request.app.state.engine, request.app.state.clock, actor=actor)


def render(request: Request, template: str, data: dict[str, Any], status: int = 200,
           account: Account | None = None) -> HTMLResponse:
    state = request.app.state
    token = state.csrf.token_for(request)
    account = account or getattr(request.state, "account", None)
    counts: dict[str, int] = {}
    if account is not None and account.reads_cases:
        counts = flag_counts(context(request, account))
    flash = {"melding": request.session.pop("melding", None), "feil": request.session.pop("feil", None)}
    response = state.templates.TemplateResponse(request, template, {
        "account": account, "csrf_token": token, "flag_counts": counts, "today": state.clock.today(),
        "flash": flash, **data},
        status_code=status)
    response.headers["Cache-Control"] = "no-store"  # pages carry personal data
    return response


def forbidden(exc: Forbidden) -> PageError:
    """The error page of a role the services refused, in a sentence."""
    text = norsk(str(exc))
    return PageError(403, text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))


def error_text(exc: ServiceError) -> str:
    return norsk(str(exc))


def not_found(exc: NotFound) -> PageError:
    return PageError(404, norsk(str(exc)))


_DEFINITIONS: dict[str, Any] = {}


def diagram_svg(definition: Any, content_hash: str, highlight: tuple[str, ...] = (),
                counts: tuple[tuple[str, int], ...] = ()) -> bytes:
    """A pathway diagram, cached by content: graphviz takes tens of milliseconds, the case page must not."""
    _DEFINITIONS.setdefault(content_hash, definition)
    return _cached_svg(content_hash, highlight, counts)


@lru_cache(maxsize=1024)
def _cached_svg(content_hash: str, highlight: tuple[str, ...], counts: tuple[tuple[str, int], ...]) -> bytes:
    from pathways.definition.render import render as draw
    return draw(_DEFINITIONS[content_hash], "svg", highlight, dict(counts) if counts else None)
