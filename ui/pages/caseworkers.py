"""The leder's «Veiledere» page: each veileder of the kommune with their workload, moving their cases to a
colleague, covers (vikar) for an absent one and ending them; and moving one case from the case page.
The rules are the service's (:mod:`pathways.services.caseworkers`): a leder or an administrator."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.services import access
from pathways.services import caseworkers as service
from pathways.services.accounts import Account
from pathways.services.context import NotFound, ServiceError
from ui.boundary import Id
from ui.pages.common import Posted, SignedIn, date_field, int_field
from ui.rendering import PageError, context, error_text, not_found, render

router = APIRouter(include_in_schema=False)


def leader(account: Account) -> None:
    """403 unless the user decides who works which cases (the rule: :func:`access.leading`)."""
    try:
        access.leading(account.actor)
    except access.Forbidden:
        raise PageError(403, "Bare leder og administrator kan fordele saker og sette vikar.") from None


def _page(request: Request, account: Account, errors: dict[str, str] | None = None,
          values: dict[str, str] | None = None, open_form: str | None = None, status: int = 200) -> Response:
    ctx = context(request, account)
    today = ctx.today()
    return render(request, "caseworkers.html", {
        "rows": service.workload(ctx), "veiledere": service.veiledere(ctx), "covers": service.covers(ctx),
        "errors": errors or {}, "values": values or {}, "open_form": open_form,
        "latest": today + service.MAX_COVER}, status=status)


@router.get("/veiledere")
def caseworkers_page(request: Request, account: SignedIn) -> Response:
    leader(account)
    return _page(request, account)


def _done(request: Request, message: str, to: str = "/veiledere") -> Response:
    request.session["melding"] = message
    return RedirectResponse(to, status_code=303)


def _name(request: Request, account: Account, user_id: int) -> str:
    return service.colleague(context(request, account), user_id).name


@router.post("/veiledere/{user_id}/flytt")
def move_all(request: Request, user_id: Id, account: SignedIn, form: Posted) -> Response:
    leader(account)
    key = f"flytt-{user_id}-til"
    errors: dict[str, str] = {}
    to = int_field(str(form.get("til", "")), key, errors, low=1)
    if to is None and not errors:
        errors[key] = "velg veilederen som skal ha sakene"
    if not errors and to is not None:
        try:
            moved = service.reassign_all(context(request, account), user_id, to)
        except NotFound as exc:
            raise not_found(exc) from None
        except ServiceError as exc:
            errors[key] = error_text(exc)
        else:
            if moved == 0:
                return _done(request, f"{_name(request, account, user_id)} har ingen aktive saker å flytte.")
            return _done(request, f"{moved} {'sak' if moved == 1 else 'saker'} flyttet fra "
                                  f"{_name(request, account, user_id)} til {_name(request, account, to)}.")
    return _page(request, account, errors, {key: str(form.get("til", ""))}, f"flytt-{user_id}", 422)


@router.post("/veiledere/{user_id}/vikar")
def cover(request: Request, user_id: Id, account: SignedIn, form: Posted) -> Response:
    leader(account)
    who, until_key = f"vikar-{user_id}-hvem", f"vikar-{user_id}-til"
    errors: dict[str, str] = {}
    covering = int_field(str(form.get("vikar", "")), who, errors, low=1)
    if covering is None and who not in errors:
        errors[who] = "velg hvem som er vikar"
    until = date_field(str(form.get("til", "")), until_key, errors) if form.get("til") else None
    if until is None and until_key not in errors:
        errors[until_key] = "velg siste dag vikaren gjelder"
    if not errors and covering is not None and until is not None:
        try:
            service.set_cover(context(request, account), user_id, covering, until)
        except NotFound as exc:
            raise not_found(exc) from None
        except ServiceError as exc:
            errors[until_key if exc.field == "until" else who] = error_text(exc)
        else:
            return _done(request, f"{_name(request, account, covering)} er vikar for "
                                  f"{_name(request, account, user_id)} til og med {until:%d.%m.%Y}.")
    values = {who: str(form.get("vikar", "")), until_key: str(form.get("til", ""))}
    return _page(request, account, errors, values, f"vikar-{user_id}", 422)


@router.post("/vikarer/{cover_id}/avslutt")
def end_cover(request: Request, cover_id: Id, account: SignedIn, _form: Posted) -> Response:
    leader(account)
    try:
        ended = service.end_cover(context(request, account), cover_id)
    except NotFound as exc:
        raise not_found(exc) from None
    return _done(request, f"Vikaren er avsluttet: sakene til {ended.absent.name} følges ikke lenger opp av "
                          f"{ended.covering.name}.")


@router.post("/saker/{case_id}/veileder")
def move_case(request: Request, case_id: Id, account: SignedIn, form: Posted) -> Response:
    leader(account)
    errors: dict[str, str] = {}
    to = int_field(str(form.get("til", "")), "til", errors, low=1)
    version = int_field(str(form.get("case_version", "")), "case_version", errors, low=1)
    back = f"/saker/{case_id}"
    if to is None or errors:
        request.session["feil"] = "Velg veilederen som skal ha saken."
        return RedirectResponse(back, status_code=303)
    try:
        moved_to = service.reassign_case(context(request, account), case_id, to, version)
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:  # a stale version (Conflict), a veileder no longer active
        request.session["feil"] = error_text(exc)[:1].upper() + error_text(exc)[1:] + "."
        return RedirectResponse(back, status_code=303)
    return _done(request, f"Saken er flyttet til {moved_to.name}.", back)


def case_caseworker(request: Request, account: Account, case_id: int) -> dict[str, Any]:
    """What the case page shows about its veileder: who, who covers for them now, and for a leder the
    veiledere the case can be moved to."""
    ctx = context(request, account)
    who, covered_by = service.caseworker_of(ctx, case_id)
    choices = []
    if account.actor.role in ("leder", "administrator"):
        choices = [v for v in service.veiledere(ctx) if who is None or v.id != who.id]
    return {"who": who, "covered_by": covered_by, "choices": choices}
