"""What the dashboard's pages share: who is signed in (:data:`SignedIn`), the checked form
(:func:`form_of`), the role checks (:func:`reader`, :func:`writer`, :func:`admin`) and the form fields' parsing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request

from pathways.bounds import MAX_ID
from pathways.services import access
from pathways.services.accounts import Account
from ui.boundary import NOT_STORABLE, unstorable
from ui.messages import field_word
from ui.rendering import PageError, SignInRequired, context, forbidden
from ui.security import session_account


def signed_in(request: Request) -> Account:
    account = session_account(request, context(request))
    if account is None:
        raise SignInRequired()
    if account.must_change_password and request.url.path not in ("/passord", "/logg-ut"):
        raise SignInRequired("/passord")
    request.state.account = account
    return account


SignedIn = Annotated[Account, Depends(signed_in)]


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form after its CSRF token checked out (else 403, nothing done)."""
    if not await request.app.state.csrf.check(request):
        raise PageError(403, "Skjemaet er utløpt eller kommer ikke fra denne siden. Last siden på nytt og prøv igjen.")
    form = {k: v for k, v in (await request.form()).multi_items()}
    where = unstorable({k: v for k, v in form.items() if isinstance(v, str)})
    if where is not None:
        raise PageError(422, f"Feltet «{field_word(where)}» {NOT_STORABLE}. Fjern tegnet og prøv igjen.")
    return form


Posted = Annotated[dict[str, Any], Depends(form_of)]
"""The posted form of a route that is a plain ``def``: read and CSRF-checked on the event loop (reading the
body is I/O), and the route's own work (the services, the rendering) in the thread pool, so a CPU-bound
request never holds up the other requests of its worker."""


def reader(account: Account, refusal: str | None = None) -> None:
    """403 unless the user's role reads cases and participants (the rule: :func:`access.reading`); the
    page says ``refusal`` when given."""
    try:
        access.reading(account.actor)
    except access.Forbidden as exc:
        raise (PageError(403, refusal) if refusal else forbidden(exc)) from None


def writer(account: Account, what: str | None = None) -> None:
    """403 unless the user's role changes cases and participants (the rule: :func:`access.writing`); the
    page says the role may not change ``what`` when given."""
    try:
        access.writing(account.actor)
    except access.Forbidden as exc:
        raise (PageError(403, f"Rollen din kan ikke endre {what}.") if what else forbidden(exc)) from None


def changer(account: Account, what: str | None = None) -> None:
    """403 unless the user's role changes the cases they work, of whichever unit (the rule:
    :func:`access.changer`; which cases, the services decide); the page says the role may not change
    ``what`` when given."""
    try:
        access.changer(account.actor)
    except access.Forbidden as exc:
        raise (PageError(403, f"Rollen din kan ikke endre {what}.") if what else forbidden(exc)) from None


def date_field(value: str | None, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        errors[field] = f"«{value or ''}» er ikke en dato (skriv ÅÅÅÅ-MM-DD)"
        return None



def int_field(value: str | None, field: str, errors: dict[str, str], low: int = 0, high: int = MAX_ID) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        errors[field] = f"«{value}» er ikke et heltall"
        return None
    if number < low:
        errors[field] = f"må være {low} eller mer"
        return None
    if number > high:
        errors[field] = f"må være {high} eller mindre"
        return None
    return number


def safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def admin(account: Account) -> None:
    if not account.is_admin:
        raise PageError(403, "Bare administrator har tilgang hit.")
