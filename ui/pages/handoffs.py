"""Hand-offs on the dashboard: the form on the case page (receiving unit, planned date, message, the
checklist with ticks and notes), cancelling one that waits, and the receiving unit's «Overføringer til oss»
with accept (choosing who is responsible) and return (with a reason). The rules are the service's
(:mod:`pathways.services.handoffs`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.services import handoffs as service
from pathways.services.access import Forbidden
from pathways.services.accounts import Account
from pathways.services.context import Conflict, NotFound, ServiceError
from ui.boundary import Id
from ui.pages.common import Posted, SignedIn, date_field, int_field, reader, writer
from ui.rendering import context, error_text, forbidden, not_found, one_read, render

router = APIRouter(include_in_schema=False)


def case_section(request: Request, account: Account, case_id: int, running: bool) -> dict[str, Any]:
    """What the case page shows of hand-offs: the case's, and for its veileder, while the case runs and
    none waits, the form to send one."""
    ctx = context(request, account)
    handed = service.of_case(ctx, case_id)
    waiting = next((h for h in handed if h.status == "pending"), None)
    form = account.writes_cases and running and waiting is None
    return {"handoffs": handed, "handoff_waiting": waiting,
            "handoff_units": service.receivers(ctx) if form else [],
            "handoff_items": service.checklist(ctx, case_id) if form else []}


def _done(request: Request, message: str, to: str) -> Response:
    request.session["melding"] = message
    return RedirectResponse(to, status_code=303)


@router.post("/saker/{case_id}/overforing")
def send_handoff(request: Request, case_id: Id, account: SignedIn, form: Posted) -> Response:
    writer(account)
    errors: dict[str, str] = {}
    to = int_field(str(form.get("til", "")), "handoff-to", errors, low=1)
    if to is None and "handoff-to" not in errors:
        errors["handoff-to"] = "velg enheten som skal ta imot"
    on = date_field(str(form.get("dato", "")), "handoff-on", errors)
    ticks = [k.removeprefix("kryss_") for k in form if k.startswith("kryss_")]
    notes = {k.removeprefix("notat_"): str(v) for k, v in form.items() if k.startswith("notat_") and str(v).strip()}
    if not errors and to is not None and on is not None:
        try:
            service.send(context(request, account), case_id, to_unit=to, on=on, message=str(form.get("melding", "")),
                         ticks=ticks, notes=notes)
        except NotFound as exc:
            raise not_found(exc) from None
        except ServiceError as exc:
            errors[{"to": "handoff-to", "on": "handoff-on", "items": "handoff-items",
                    "message": "handoff-message"}.get(exc.field or "", "handoff-form")] = error_text(exc)
        else:
            return _done(request, "Overføringen er sendt. Mottakeren ser den under «Overføringer til oss».",
                         f"/saker/{case_id}#overforing")
    from ui.pages.cases import case_data
    data = case_data(request, account, case_id)
    data.update(errors=errors, values={"handoff": {"til": str(form.get("til", "")), "dato": str(form.get("dato", "")),
                                                   "melding": str(form.get("melding", "")), "kryss": ticks,
                                                   "notat": notes}})
    return render(request, "case.html", data, status=422)


@router.post("/overforinger/{handoff_id}/tilbaketrekking")
def cancel_handoff(request: Request, handoff_id: Id, account: SignedIn, _form: Posted) -> Response:
    writer(account)
    try:
        view = service.cancel(context(request, account), handoff_id)
    except NotFound as exc:
        raise not_found(exc) from None
    except Forbidden as exc:
        raise forbidden(exc) from None
    except Conflict as exc:
        return _done(request, error_text(exc), "/overforinger")
    return _done(request, "Overføringen er trukket tilbake.", f"/saker/{view.case_id}#overforing")


def _inbox(request: Request, account: Account, errors: dict[str, str] | None = None,
           values: dict[str, str] | None = None, status: int = 200) -> Response:
    ctx = context(request, account)
    received = service.inbox(ctx)
    by_unit: dict[int, list[tuple[str, str]]] = {}  # who may be made responsible: read once per receiving unit
    for h in received:
        if h.status == "pending" and h.to_unit_id not in by_unit:
            by_unit[h.to_unit_id] = service.members(ctx, h.id)
    return render(request, "handoffs.html", {
        "received": received, "sent": service.outbox(ctx),
        "members": {h.id: by_unit[h.to_unit_id] for h in received if h.status == "pending"},
        "errors": errors or {}, "values": values or {}}, status=status)


@router.get("/overforinger")
@one_read
def inbox_page(request: Request, account: SignedIn) -> Response:
    reader(account)
    return _inbox(request, account)


def _decide(request: Request, handoff_id: int, account: Account, form: dict[str, Any], field: str, key: str,
            decide: Callable[[Any, int, str], service.HandoffView],
            done: Callable[[service.HandoffView], tuple[str, str]]) -> Response:
    """The receiving unit's decision (accept or return) with the form's ``field``; its refusal said beside
    the hand-off's form ``key`` in the inbox, else the message and the page ``done`` gives."""
    reader(account)
    typed = str(form.get(field, ""))
    try:
        view = decide(context(request, account), handoff_id, typed)
    except NotFound as exc:
        raise not_found(exc) from None
    except Forbidden as exc:
        raise forbidden(exc) from None
    except ServiceError as exc:
        return _inbox(request, account, {f"{key}-{handoff_id}": error_text(exc)}, {f"{key}-{handoff_id}": typed},
                      409 if isinstance(exc, Conflict) else 422)
    return _done(request, *done(view))


@router.post("/overforinger/{handoff_id}/mottak")
def accept_handoff(request: Request, handoff_id: Id, account: SignedIn, form: Posted) -> Response:
    return _decide(request, handoff_id, account, form, "ansvarlig", "mottak", service.accept, lambda view: (
        f"Overføringen er mottatt. Ansvarlig fra {view.planned_on:%d.%m.%Y}: {view.responsible}.",
        f"/saker/{view.case_id}"))


@router.post("/overforinger/{handoff_id}/retur")
def return_handoff(request: Request, handoff_id: Id, account: SignedIn, form: Posted) -> Response:
    return _decide(request, handoff_id, account, form, "arsak", "retur", service.give_back, lambda _view: (
        "Overføringen er returnert til avsenderen.", "/overforinger"))
