"""Signing in and out, the password change, and the start page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pathways.services.accounts import authenticate, change_password, end_session, start_session
from pathways.services.context import ServiceError
from ui.pages.common import Posted, SignedIn, form_of, safe_next
from ui.pages.kommune_signin import provider_sign_out
from ui.rendering import context, error_text, render
from ui.security import Throttled

router = APIRouter(include_in_schema=False)


@router.get("/logg-inn", name="login_page")
def login_page(request: Request, neste: str = "/") -> Response:
    return render(request, "login.html", _page(request, safe_next(neste)), account=None)


def _page(request: Request, going: str, username: str = "", **errors: str) -> dict[str, object]:
    """The sign-in page's data: with the kommune's identity provider set up, its button first."""
    kommune = f"/logg-inn/kommune?{urlencode({'neste': going})}" if request.app.state.oidc is not None else None
    return {"next": going, "username": username, "errors": errors, "kommune_url": kommune}


@router.post("/logg-inn")
def login(request: Request, form: Posted) -> Response:
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    address = request.client.host if request.client else "?"
    throttle = request.app.state.throttle
    going = safe_next(str(form.get("next", "/")))
    try:
        attempt = throttle.attempt(username, address)
    except Throttled as exc:
        return render(request, "login.html", _page(request, going, username, form=_throttled(exc)), status=429)
    try:
        account = authenticate(context(request), username, password)
    except ServiceError as exc:  # the kommune signs in through its identity provider only
        return render(request, "login.html", _page(request, going, username, form=error_text(exc)), status=403)
    if account is None:
        return render(request, "login.html", _page(request, going, username, form="Feil brukernavn eller passord."),
                      status=401)
    throttle.succeeded(attempt)
    request.session.clear()  # a new session: the anonymous one's CSRF token is worthless from here on
    request.session["sid"] = start_session(context(request), account.id)
    return RedirectResponse("/passord" if account.must_change_password else going, status_code=303)


def _throttled(exc: Throttled) -> str:
    minutes = f"{exc.minutes} minutt{'er' if exc.minutes > 1 else ''}"
    if exc.kind == "user":
        return (f"For mange mislykkede innlogginger: brukeren er sperret i {minutes}, og så lenge avvises også "
                "riktig passord. Vent, eller be en administrator oppheve sperren under Brukere.")
    return f"For mange mislykkede innlogginger fra denne adressen. Vent {minutes} og prøv igjen."


@router.post("/logg-ut")
async def logout(request: Request) -> Response:
    await form_of(request)
    session_id = request.session.get("sid")
    if isinstance(session_id, str):  # the store's work off the event loop (the route awaits the provider)
        await run_in_threadpool(end_session, context(request), session_id)
    through_provider = bool(request.session.get("oidc"))
    request.session.clear()
    onwards = await provider_sign_out(request) if through_provider else None
    return onwards or RedirectResponse("/logg-inn", status_code=303)


@router.get("/passord")
def password_page(request: Request, account: SignedIn) -> Response:
    return render(request, "password.html", {"errors": {}})


@router.post("/passord")
def password_change(request: Request, account: SignedIn, form: Posted) -> Response:
    errors: dict[str, str] = {}
    if form.get("password") != form.get("repeat"):
        errors["repeat"] = "passordene er ikke like"
    else:
        try:
            change_password(context(request, account), account.id, str(form.get("current", "")),
                            str(form.get("password", "")), keep_session=request.session.get("sid"))
            return RedirectResponse("/", status_code=303)
        except ServiceError as exc:
            errors[exc.field or "form"] = error_text(exc)
    return render(request, "password.html", {"errors": errors}, status=422)


@router.get("/")
def home(account: SignedIn) -> Response:
    return RedirectResponse("/admin/brukere" if account.is_admin else "/i-dag" if account.reads_cases else "/kohort",
                            status_code=303)
