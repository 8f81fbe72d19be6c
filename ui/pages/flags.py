"""The flags page and its actions (acknowledge, snooze, resolve)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.services import flags as flag_service
from pathways.services.context import NotFound, ServiceError
from pathways.services.dashboard import flag_in_scope, flags
from ui.boundary import Id
from ui.pages.common import Posted, SignedIn, changer, date_field, int_field, reader, safe_next
from ui.rendering import PageError, context, error_text, not_found, one_read, render

router = APIRouter(include_in_schema=False)


@router.get("/flagg")
@one_read
def flag_page(request: Request, account: SignedIn) -> Response:
    reader(account)
    q = request.query_params
    errors: dict[str, str] = {}
    page = int_field(q.get("side"), "side", errors, low=1) or 1
    result = None
    try:
        if not errors:
            result = flags(context(request, account), q.get("tilstand") or "aktive", q.get("type") or None,
                           q.get("alvor") or None, page)
    except ServiceError as exc:
        errors[exc.field or "form"] = error_text(exc)
    params = {k: v for k, v in q.items() if v and k != "side"}
    return render(request, "flags.html", {"result": result, "errors": errors, "params": params,
                                          "query": lambda **extra: urlencode({**params, **extra})},
                  status=422 if errors else 200)


@router.post("/flagg/{flag_id}/{action}")
def flag_action(request: Request, flag_id: Id, action: str, account: SignedIn, form: Posted) -> Response:
    changer(account)
    ctx = context(request, account)
    if action not in ("kvitter", "utsett", "lukk"):
        raise PageError(404, "Ukjent handling.")
    error = None
    try:
        if action == "kvitter":
            flag_service.acknowledge(ctx, flag_id)
        elif action == "utsett":
            errors: dict[str, str] = {}
            until = date_field(str(form.get("until", "")), "until", errors)
            if until is None:
                raise ServiceError(errors["until"], "until")
            flag_service.snooze(ctx, flag_id, until)
        else:
            flag_service.resolve(ctx, flag_id, str(form.get("comment", "")))
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:
        error = error_text(exc)
    back = safe_next(str(form.get("back", "/flagg")))
    if request.headers.get("hx-request"):
        flag = flag_in_scope(ctx, flag_id)
        return render(request, "flag_row.html", {"flag": flag, "name": form.get("name", ""), "error": error,
                                                 "back": back, "row_error_for": flag_id if error else None},
                      status=422 if error else 200)
    if error:
        request.session["feil"] = f"Flagg {flag_id}: {error}"
    else:
        request.session["melding"] = {"kvitter": "Flagget er kvittert.", "utsett": "Flagget er utsatt.",
                                      "lukk": "Flagget er løst."}[action]
    return RedirectResponse(back, status_code=303)
