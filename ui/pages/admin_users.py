"""Administration: users, their API tokens, and a participant's audit trail."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.services.accounts import (
    ROLES,
    Account,
    add_user,
    find_user,
    kommune_names,
    password_sign_in,
    reset_password,
    revoke_token,
    set_active,
    set_password_sign_in,
    set_role,
    tokens_of,
    unlock,
    users_in,
)
from pathways.services.audit import participant_trail, user_trail
from pathways.services.context import NotFound, ServiceError
from pathways.services.dashboard import published_pathways
from pathways.services.units import KINDS, add_unit, list_units, set_unit
from ui.pages.common import Posted, SignedIn, admin, int_field
from ui.rendering import PageError, context, error_text, not_found, render

router = APIRouter(include_in_schema=False)


def _users_page(request: Request, account: Account, errors: dict[str, str], values: Any,
                created: tuple[str, str, str] | None, status: int = 200) -> Response:
    ctx = context(request)
    users = users_in(ctx, account.kommune_id)
    units = list_units(context(request, account))
    throttle = request.app.state.throttle
    return render(request, "users.html", {"users": users, "roles": ROLES, "errors": errors, "values": values,
                                          "units": units, "unit_names": {u.id: u.name for u in units},
                                          "created": created, "pathways": published_pathways(ctx),
                                          "kommuner": kommune_names(context(request, account)),
                                          "locked": {u.username: throttle.locked(u.username) for u in users},
                                          "oidc": request.app.state.oidc is not None,
                                          "passwords": password_sign_in(ctx, account.kommune_id)},
                  status=status)


@router.post("/admin/innlogging")
def sign_in_methods(request: Request, account: SignedIn, form: Posted) -> Response:
    """An administrator lets the kommune's users sign in with a local password or not (only offered while
    sign-in through the kommune's identity provider is set up, so nobody is locked out)."""
    admin(account)
    allowed = form.get("passord") == "på"
    if not allowed and request.app.state.oidc is None:
        raise PageError(409, "Innlogging med passord kan bare slås av når innlogging med kommunens konto er satt opp.")
    set_password_sign_in(context(request, account), allowed)
    request.session["melding"] = ("Brukerne kan logge inn med passord igjen." if allowed else
                                  "Innlogging med passord er slått av: brukerne logger inn med kommunens konto.")
    return RedirectResponse("/admin/brukere", status_code=303)


@router.get("/admin/brukere")
def users_page(request: Request, account: SignedIn) -> Response:
    admin(account)
    return _users_page(request, account, {}, {}, None)


@router.post("/admin/brukere")
def users_create(request: Request, account: SignedIn, form: Posted) -> Response:
    admin(account)
    created, errors = None, {}
    try:
        _, password = add_user(context(request, account), username=str(form.get("username", "")),
                               name=str(form.get("name", "")), role=str(form.get("role", "")),
                               kommune=str(form.get("kommune", "")).strip() or account.kommune,
                               unit=str(form.get("unit", "")).strip() or None)
        created = (str(form.get("username", "")).strip().lower(), password,
                   str(form.get("kommune", "")).strip() or account.kommune)
    except ServiceError as exc:
        errors[exc.field or "form"] = error_text(exc)
    return _users_page(request, account, errors, {} if created else form, created, 422 if errors else 200)


def _user_page(request: Request, account: Account, username: str, **extra: Any) -> Response:
    ctx = context(request)
    try:
        user = find_user(ctx, username, account.kommune_id)
        tokens = tokens_of(ctx, username, account.kommune_id)
        trail = user_trail(ctx, account.kommune_id, user.id or 0)
    except NotFound as exc:
        raise not_found(exc) from None
    units = list_units(context(request, account))
    return render(request, "user.html", {"user": user, "tokens": tokens, "trail": trail, "roles": ROLES,
                                         "units": units, "unit_names": {u.id: u.name for u in units},
                                         "locked": request.app.state.throttle.locked(user.username),
                                         "new_password": None, "error": None, **extra},
                  status=422 if extra.get("error") else 200)


@router.get("/admin/brukere/{username}")
def user_page(request: Request, username: str, account: SignedIn) -> Response:
    admin(account)
    return _user_page(request, account, username)


USER_ACTIONS = {"deaktiver": "Brukeren er deaktivert; alle øktene er avsluttet og API-tokenene virker ikke lenger.",
                "aktiver": "Brukeren er aktivert igjen.", "rolle": "Rollen er endret.",
                "opphev-sperre": "Innloggingssperren er opphevet.", "enhet": "Enheten er endret."}


@router.post("/admin/brukere/{username}/{action}")
def user_action(request: Request, username: str, action: str, account: SignedIn, form: Posted) -> Response:
    """Deactivate, activate, change the role, lift the sign-in lock, or reset the password (shown once)."""
    admin(account)
    if action not in (*USER_ACTIONS, "nytt-passord"):
        raise PageError(404, "Ukjent handling.")
    ctx, kommune_id = context(request, account), account.kommune_id
    try:
        if action == "nytt-passord":
            password = reset_password(ctx, username, kommune_id)
            return _user_page(request, account, username, new_password=password)
        if action in ("deaktiver", "aktiver"):
            set_active(ctx, username, action == "aktiver", kommune_id)
        elif action == "rolle":
            set_role(ctx, username, str(form.get("role", "")), kommune_id)
        elif action == "enhet":
            problems: dict[str, str] = {}
            unit_id = int_field(str(form.get("unit", "")), "unit", problems, low=1)
            if unit_id is None:
                return _user_page(request, account, username, error=problems.get("unit", "Velg en enhet."))
            set_unit(ctx, username, unit_id)
        else:
            unlock(ctx, username, kommune_id)
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:
        return _user_page(request, account, username, error=error_text(exc))
    request.session["melding"] = USER_ACTIONS[action]
    return RedirectResponse(f"/admin/brukere/{quote(username)}", status_code=303)


def _units_page(request: Request, account: Account, errors: dict[str, str], values: Any,
                status: int = 200) -> Response:
    return render(request, "units.html", {"units": list_units(context(request, account)), "kinds": KINDS,
                                          "errors": errors, "values": values}, status=status)


@router.get("/admin/enheter")
def units_page(request: Request, account: SignedIn) -> Response:
    """The kommune's units (enheter), with a form to add one."""
    admin(account)
    return _units_page(request, account, {}, {})


@router.post("/admin/enheter")
def units_create(request: Request, account: SignedIn, form: Posted) -> Response:
    admin(account)
    try:
        add_unit(context(request, account), kind=str(form.get("kind", "")), name=str(form.get("name", "")))
    except ServiceError as exc:
        return _units_page(request, account, {exc.field or "form": error_text(exc)}, form, 422)
    request.session["melding"] = f"Enheten «{' '.join(str(form.get('name', '')).split())}» er lagt til."
    return RedirectResponse("/admin/enheter", status_code=303)


@router.post("/admin/tokens/{token_id}/trekk-tilbake")
def token_revoke(request: Request, token_id: int, account: SignedIn, _form: Posted) -> Response:
    admin(account)
    try:
        owner = revoke_token(context(request, account), token_id, account.kommune_id)
    except NotFound as exc:
        raise not_found(exc) from None
    request.session["melding"] = f"API-token {token_id} er trukket tilbake og virker ikke lenger."
    return RedirectResponse(f"/admin/brukere/{quote(owner)}", status_code=303)


@router.get("/admin/revisjon/deltaker")
def participant_audit(request: Request, account: SignedIn, nr: str = "") -> Response:
    """A participant's audit trail (who did what and when; no personal data), by participant number."""
    admin(account)
    errors: dict[str, str] = {}
    pid = int_field(nr, "nr", errors, low=1) if nr else None
    trail = None
    if pid is not None:
        try:
            trail = participant_trail(context(request, account), pid)
        except NotFound as exc:
            errors["nr"] = error_text(exc)
    return render(request, "audit.html", {"nr": nr, "pid": pid, "trail": trail, "errors": errors},
                  status=422 if errors else 200)
