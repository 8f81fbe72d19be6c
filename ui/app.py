"""The dashboard: FastAPI + Jinja2 + htmx, server-rendered, bokmål. ``create_app`` builds it for an
engine and a clock, including the page routers (:mod:`ui.pages`), the authoring pages and the API;
``pathways serve`` and ``pathways run`` serve it with uvicorn.

Every route gets the signed-in :class:`~pathways.services.accounts.Account` and calls the services with a
context acting as that user (:func:`ui.rendering.context`); the services decide what the user sees
(:mod:`pathways.services.access`), and a case outside it is a 404 whatever the URL says.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
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
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as AsgiScope

from pathways.calendar import Clock, SystemClock
from pathways.i18n import DASHBOARD, translations
from pathways.services.access import Forbidden
from pathways.services.accounts import ROLE_TITLES, SESSION_SECONDS, session_seconds
from pathways.services.context import Engine
from pathways.services.dashboard import FLAG_KINDS, FLAG_STATES, SEVERITY, STATUS
from pathways.services.flags import latest_snooze
from pathways.services.worklist import flag_parts
from pathways.words import (
    CEFR_LEVELS,
    FACT_CHOICES,
    FACT_TITLES,
    OUTCOMES,
    choice_no,
    date_no,
    datetime_no,
    fact_value_no,
    money_no,
    months_no,
    number_no,
)
from ui import api, api_caseworkers, api_handoffs, api_innsyn, api_livelihood, api_tasks, api_units, authoring
from ui.boundary import plain_request, refusal
from ui.jobs import Jobs
from ui.messages import norsk
from ui.oidc import OidcSettings, provider
from ui.pages import (
    admin_users,
    case_livelihood,
    caseload,
    cases,
    caseworkers,
    cohort,
    export,
    flags,
    handoffs,
    jobs,
    kommune_signin,
    participants,
    readlog,
    reports,
    retention,
    settings,
    signin,
    worklist,
)
from ui.rendering import PageError, SignInRequired, forbidden, kroner, render
from ui.security import SESSION_COOKIE, Csrf, Throttle, secret_key

HERE = Path(__file__).parent

# in this order: a path two routers could both match goes to the first
ROUTERS = (signin.router, kommune_signin.router, worklist.router, caseload.router, cases.router, handoffs.router,
           case_livelihood.router, flags.router, cohort.router, participants.router, jobs.router, admin_users.router,
           caseworkers.router, authoring.router, settings.router, reports.router,
           api.router, api_caseworkers.router, api_livelihood.router, api_units.router, api_handoffs.router,
           api_tasks.router, api_innsyn.router, export.router, readlog.router, retention.router)


def _switch(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


@dataclass
class Settings:
    secret: str
    secure_cookies: bool = False  # set behind https (PATHWAYS_SECURE_COOKIES=1); also sends HSTS
    api_docs: bool = False  # Swagger UI at /api/docs (PATHWAYS_API_DOCS=1); it loads from a CDN
    oidc: OidcSettings | None = None  # sign-in with the kommune's identity provider (ui/oidc.py)
    session_seconds: int = SESSION_SECONDS  # PATHWAYS_SESSION_HOURS

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(secret_key(), _switch("PATHWAYS_SECURE_COOKIES"), _switch("PATHWAYS_API_DOCS"),
                   OidcSettings.from_environment(), session_seconds())


SWAGGER_CDN = "https://cdn.jsdelivr.net"


def security_headers(https: bool, cdn: str | None = None, provider: str | None = None) -> Secure:
    """The response headers of every page: scripts and styles from this site only (the vendored htmx
    and Ace; inline style attributes are allowed, inline script is not), no framing, no referrer to other
    sites (URLs carry search terms), no sniffing; HSTS behind https. Images may be ``blob:`` URLs (the
    editor's preview diagram). ``cdn`` and inline script are
    allowed only for Swagger UI's page when it is switched on. ``provider``: the origin of the kommune's
    identity provider, where the sign-out form is sent on to (browsers hold redirects to form-action)."""
    scripts = ["'self'", cdn, "'unsafe-inline'"] if cdn else ["'self'"]
    csp = (ContentSecurityPolicy().default_src("'self'").script_src(*scripts)
           .style_src("'self'", "'unsafe-inline'", *([cdn] if cdn else [])).img_src("'self'", "data:", "blob:")
           .object_src("'none'").base_uri("'self'").form_action("'self'", *([provider] if provider else []))
           .frame_ancestors("'none'"))
    return Secure(csp=csp, xcto=XContentTypeOptions().nosniff(), referrer=ReferrerPolicy().same_origin(),
                  xfo=XFrameOptions().deny(), coop=CrossOriginOpenerPolicy().same_origin(),
                  permissions=PermissionsPolicy().geolocation().camera().microphone(),
                  hsts=StrictTransportSecurity().max_age(63072000).include_subdomains() if https else None)


class SecurityHeaders:
    """``secure``'s ASGI middleware, with Swagger UI's own (looser) policy on its one page."""

    def __init__(self, app: ASGIApp, https: bool, docs_path: str | None, provider: str | None = None) -> None:
        self.pages = SecureASGIMiddleware(app, secure=security_headers(https, provider=provider))
        self.docs = SecureASGIMiddleware(app, secure=security_headers(https, SWAGGER_CDN)) if docs_path else None
        self.docs_path = docs_path

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        chosen = self.docs if self.docs is not None and scope.get("path") == self.docs_path else self.pages
        await chosen(scope, receive, send)  # type: ignore[arg-type]  # secure's Send takes `object` messages


def create_app(engine: Engine, clock: Clock | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_environment()
    clock = clock or SystemClock()
    docs = "/api/docs" if settings.api_docs else None
    app = FastAPI(title="pathways", description="Kvalifiseringsløp for flyktninger og innvandrere: saker, frister, "
                  "flagg og inntektsgap. API-et bruker tokens (Authorization: Bearer …).",
                  docs_url=docs, redoc_url=None, openapi_url="/api/openapi.json",
                  dependencies=[Depends(plain_request)])
    app.add_middleware(SessionMiddleware, secret_key=settings.secret, session_cookie=SESSION_COOKIE,
                       max_age=settings.session_seconds, same_site="lax", https_only=settings.secure_cookies)
    app.add_middleware(SecurityHeaders, https=settings.secure_cookies, docs_path=docs,
                       provider=settings.oidc.origin if settings.oidc else None)  # outermost: every answer
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.auto_reload = False  # no stat() of every template on every page; restart to see edits
    templates.env.filters.update(dato=date_no, kr=money_no, mnd=months_no, tall=number_no, valg=choice_no,
                                 fakta=fact_value_no, tidspunkt=datetime_no)
    templates.env.globals.update(FACT_TITLES=FACT_TITLES, FACT_CHOICES=FACT_CHOICES, CEFR_LEVELS=CEFR_LEVELS,
                                 OUTCOMES=OUTCOMES)
    templates.env.filters["norsk"] = norsk  # a message (code and parameters) from the catalogue, in bokmål
    templates.env.add_extension("jinja2.ext.i18n")  # _() in templates: the same catalogue (make messages)
    templates.env.install_gettext_translations(translations(DASHBOARD), newstyle=True)  # type: ignore[attr-defined]
    templates.env.globals.update(flag_parts=flag_parts)  # a flag's kind and the rest of its line, said once
    templates.env.filters["kroner"] = kroner
    templates.env.globals["latest_snooze"] = latest_snooze
    templates.env.globals["MONTH_NAMES"] = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                                            "september", "oktober", "november", "desember")
    templates.env.globals.update(FLAG_KINDS=FLAG_KINDS, SEVERITY=SEVERITY, FLAG_STATES=FLAG_STATES, STATUS=STATUS,
                                 ROLE_TITLES=ROLE_TITLES)
    state = app.state
    state.engine, state.clock, state.settings = engine, clock, settings
    state.oidc = provider(settings.oidc, engine) if settings.oidc else None
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
            return JSONResponse({"detail": str(exc)}, status_code=403)  # the API speaks English
        return await _page_error(request, forbidden(exc))

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", {"message": str(exc), "status": exc.status}, status=exc.status)

    for router in ROUTERS:
        app.include_router(router)
    return app

