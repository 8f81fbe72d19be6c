"""«I dag»: the worklist, the home page of those who read cases, and its actions (acknowledge and snooze
the flag behind an item: the item leaves the list and the header's counts change in the same answer)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pathways.i18n import localise
from pathways.messages import Text
from pathways.services import flags as flag_service
from pathways.services.caseworkers import covers_for
from pathways.services.context import NotFound, ServiceError
from pathways.services.dashboard import flag_counts
from pathways.services.tasks import complete_task
from pathways.services.worklist import RANK_TITLES, count, worklist
from ui.boundary import Id
from ui.pages.common import Posted, SignedIn, changer, date_field, reader
from ui.rendering import PageError, context, error_text, not_found, one_read, render

router = APIRouter(include_in_schema=False)


@router.get("/i-dag")
@one_read
def worklist_page(request: Request, account: SignedIn) -> Response:
    reader(account)
    everything = request.query_params.get("alle") == "1"
    side = request.query_params.get("side", "1")
    ctx = context(request, account)
    result = worklist(ctx, everything=everything, page=int(side) if side.isdigit() and len(side) < 7 else 1)
    return render(request, "worklist.html", {"result": result, "everything": everything, "covering": covers_for(ctx),
                                             "rank_titles": RANK_TITLES, "worklist_total": result.total})


@router.get("/i-dag/antall")
@one_read
def worklist_count(request: Request, account: SignedIn) -> Response:
    """The header's count, loaded after the page (the other pages do not wait for the worklist)."""
    reader(account)
    return render(request, "worklist_count.html", {"worklist_total": count(context(request, account))})


@router.post("/i-dag/flagg/{flag_id}/{action}")
def worklist_action(request: Request, flag_id: Id, action: str, account: SignedIn, form: Posted) -> Response:
    changer(account)
    if action not in ("kvitter", "utsett"):
        raise PageError(404, "Ukjent handling.")
    ctx = context(request, account)
    error = None
    try:
        if action == "kvitter":
            flag_service.acknowledge(ctx, flag_id)
        else:
            errors: dict[str, str] = {}
            until = date_field(str(form.get("until", "")), "until", errors)
            if until is None:
                raise ServiceError(errors["until"], "until")
            flag_service.snooze(ctx, flag_id, until)
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:
        error = error_text(exc)
    if request.headers.get("hx-request"):
        if error:  # the row stays; the message goes to the row's own alert
            return HTMLResponse(f'<p class="field-error" role="alert" id="feil-{flag_id}">⚠ {_escape(error)}</p>',
                                status_code=422, headers={"HX-Retarget": f"#feil-{flag_id}", "HX-Reswap": "outerHTML"})
        # the row is replaced by nothing; the header's counts come along out of band
        return render(request, "worklist_done.html", {"worklist_total": count(ctx), "flag_counts": flag_counts(ctx),
                                                      "done": "kvittert" if action == "kvitter" else "utsatt"})
    if error:
        request.session["feil"] = error
    else:
        request.session["melding"] = "Flagget er kvittert." if action == "kvitter" else "Flagget er utsatt."
    return RedirectResponse("/i-dag", status_code=303)


@router.post("/i-dag/oppgaver/{task_id}/utfort")
def task_done(request: Request, task_id: Id, account: SignedIn, form: Posted) -> Response:
    """Complete a task of the worklist with a note: the row leaves the list (with htmx, in the same answer
    as the header's counts), or a refusal is shown by the row."""
    reader(account)
    ctx = context(request, account)
    error = None
    try:
        complete_task(ctx, task_id, str(form.get("note", "")))
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:
        error = error_text(exc)
    if request.headers.get("hx-request"):
        if error:
            return HTMLResponse(f'<p class="field-error" role="alert" id="feil-oppgave-{task_id}">⚠ {_escape(error)}'
                                "</p>", status_code=422,
                                headers={"HX-Retarget": f"#feil-oppgave-{task_id}", "HX-Reswap": "outerHTML"})
        return render(request, "worklist_done.html", {"worklist_total": count(ctx), "flag_counts": flag_counts(ctx),
                                                      "done": "utført"})
    if error:
        request.session["feil"] = error
    else:
        request.session["melding"] = localise(Text("task_done"))
    return RedirectResponse("/i-dag", status_code=303)


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))
