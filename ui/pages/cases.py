"""The case page: its state, events, notes and the pathway diagram."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from pathways.engine.inputs import InputError
from pathways.engine.machine import Refused
from pathways.engine.state import ACTIVE
from pathways.i18n import localise
from pathways.messages import Text
from pathways.services import cases as case_service
from pathways.services.absence import case_absence
from pathways.services.access import Forbidden
from pathways.services.accounts import Account
from pathways.services.context import Conflict, Context, NotFound, ServiceError
from pathways.services.dashboard import add_note, case_extras, published_version
from pathways.services.livelihood import CaseLivelihood
from pathways.services.story import KINDS, edit_note, story
from pathways.services.tasks import add_task, assignees, list_tasks
from ui.boundary import Id
from ui.messages import norsk
from ui.pages.case_livelihood import prefill as livelihood_prefill
from ui.pages.case_livelihood import section as livelihood_section
from ui.pages.caseworkers import case_caseworker
from ui.pages.common import Posted, SignedIn, changer, date_field, int_field, reader, writer
from ui.pages.handoffs import case_section as handoff_section
from ui.rendering import (
    PageError,
    context,
    diagram_inline,
    diagram_svg,
    error_text,
    forbidden,
    not_found,
    one_read,
    render,
)

router = APIRouter(include_in_schema=False)


def case_data(request: Request, account: Account, case_id: int) -> dict[str, Any]:
    reader(account)
    ctx = context(request, account)
    shown = request.query_params.get("vis") or "alle"
    shown = shown if shown in KINDS else "alle"
    try:
        extras = case_extras(ctx, case_id, timeline=False)
        view = case_service.show(ctx, case_id)
        entries = story(ctx, case_id, shown)
    except NotFound as exc:
        raise not_found(exc) from None
    open_form, values = livelihood_prefill(request.query_params)
    found = CaseLivelihood(view.id, view.participant_id, view.start_date, extras.periods, view.gaps, view.fallbacks,
                           [] if view.status_only else case_absence(ctx, case_id))
    handoffs = handoff_section(request, account, case_id, view.status in ACTIVE and not view.status_only)
    return {"view": view, "x": extras, "can_write": account.changes_cases and not view.status_only,
            "handed_over": _handed_over(handoffs["handoffs"], account, ctx.today()) if view.status_only else None,
            "cw": case_caseworker(request, account, case_id),  # the veileder; a leder moves the case
            **livelihood_section(found, ctx.today(), open_form=open_form, values=values),
            "diagram_url": f"/diagram/{extras.version_id}.svg?" + urlencode([("nå", s) for s in extras.highlight]),
            "diagram": _case_diagram(ctx, extras, view),
            "errors": {}, "values": {}, "refused": None, "story": entries, "vis": shown,
            "open_event": request.query_params.get("hendelse"),  # a link from the worklist opens that form
            **handoffs,
            "case_tasks": list_tasks(ctx, "all", include_done=True, case_id=case_id),
            "task_form": assignees(ctx) if account.writes_cases else None, "task_errors": {}, "task_values": {}}


def _handed_over(handoffs: list[Any], account: Account, today: Any) -> Any:
    """The hand-off in force that took the case from the user's side (they see its status and dates only),
    or None (they are the receiving unit, before it takes the case over)."""
    return next((h for h in handoffs if h.status == "accepted" and h.planned_on <= today
                 and h.to_unit_id != account.unit_id), None)


def _case_diagram(ctx: Context, extras: Any, view: Any) -> Markup:
    """The case's pathway inline, its current steps highlighted (cached per version and steps)."""
    row = published_version(ctx, extras.version_id)
    definition = row.definition
    now = ", ".join(s["title"] for s in view.steps) or "saken er avsluttet"
    return diagram_inline(definition, row.content_hash, f"Diagram over {extras.pathway_title}; steget saken er i nå "
                          f"er uthevet og merket NÅ: {now}", tuple(sorted(set(extras.highlight))))


@router.get("/saker/{case_id}/diagram")
@one_read
def case_diagram_page(request: Request, case_id: Id, account: SignedIn) -> Response:
    """The case's diagram in full size, inside the page layout, with the way back to the case."""
    reader(account)
    ctx = context(request, account)
    try:
        extras = case_extras(ctx, case_id, timeline=False)
        view = case_service.show(ctx, case_id)
    except NotFound as exc:
        raise not_found(exc) from None
    now = ", ".join(s["title"] for s in view.steps)
    return render(request, "diagram_page.html", {
        "heading": f"{extras.pathway_title}: {extras.participant.name}", "svg": _case_diagram(ctx, extras, view),
        "lead": f"Steget saken er i nå er uthevet og merket NÅ: {now}." if now else "Saken er avsluttet.",
        "caption": f"Løpet {extras.pathway_title}, versjon {view.pathway_version}.", "focus": "now",
        "back_url": f"/saker/{case_id}", "back_text": "Tilbake til saken"})


@router.get("/saker/{case_id}")
@one_read
def case_page(request: Request, case_id: Id, account: SignedIn) -> Response:
    return render(request, "case.html", case_data(request, account, case_id))


@router.post("/saker/{case_id}/hendelse")
def record_event(request: Request, case_id: Id, account: SignedIn, form: Posted) -> Response:
    changer(account)
    ctx = context(request, account)
    event = str(form.pop("event", ""))
    errors: dict[str, str] = {}
    on = date_field(str(form.pop("on", "")), "on", errors)
    version = int_field(str(form.pop("case_version", "")), "case_version", errors)
    step = str(form.pop("step", "")) or None
    values = {k.removeprefix("f_"): v for k, v in form.items() if k.startswith("f_") and v != ""}
    refused = None
    if not errors and on is not None:
        try:
            result = case_service.advance(ctx, case_id, event, on, values, step=step, expected_version=version)
            moved = ", ".join(f"{a} → {b}" for a, b in result.moved_titles)
            request.session["melding"] = "Hendelsen er registrert." + (f" Flyttet: {moved}." if moved else "")
            return RedirectResponse(f"/saker/{case_id}#hendelser", status_code=303)
        except NotFound as exc:
            raise not_found(exc) from None
        except Forbidden as exc:  # a case handed over, or not yet taken over
            raise forbidden(exc) from None
        except Conflict as exc:
            errors["form"] = error_text(exc)
        except ServiceError as exc:
            cause = exc.__cause__
            if isinstance(cause, Refused) and cause.reports:
                refused = {"message": norsk(cause.summary), "reports": cause.reports}
            else:  # every field's problem at once, each beside its field
                problems = cause.errors if isinstance(cause, InputError) and cause.errors else \
                    {exc.field or "form": exc.text}
                for name, message in problems.items():
                    errors[_error_key(name)] = norsk(message)
    data = case_data(request, account, case_id)
    data.update(errors=errors, values={"on": str(on or ""), **values}, refused=refused, open_event=event)
    return render(request, "case.html", data, status=422)


def _error_key(field: str | None) -> str:
    """Where a field's problem is shown on the form: ``on`` beside the date, ``f_NAME`` beside a field."""
    if not field or field in ("event", "form"):
        return "form"
    return field if field == "on" else "f_" + field


@router.post("/saker/{case_id}/notat")
def note(request: Request, case_id: Id, account: SignedIn, form: Posted) -> Response:
    changer(account)
    try:
        add_note(context(request, account), case_id, str(form.get("text", "")))
    except NotFound as exc:
        raise not_found(exc) from None
    except Forbidden as exc:  # a case handed over, or not yet taken over
        raise forbidden(exc) from None
    except ServiceError as exc:
        data = case_data(request, account, case_id)
        data.update(errors={"note": error_text(exc)}, values={"note": str(form.get("text", ""))})
        return render(request, "case.html", data, status=422)
    request.session["melding"] = "Notatet er lagret."
    return RedirectResponse(f"/saker/{case_id}#notater", status_code=303)


TASK_FIELDS = {"title": "task-title", "due": "task-due", "assignee": "task-to"}


@router.post("/saker/{case_id}/oppgave")
def give_task(request: Request, case_id: Id, account: SignedIn, form: Posted) -> Response:
    """Give a task about the case to a colleague or a unit («user:USERNAME» or «unit:ID»)."""
    writer(account)
    values = {k: str(form.get(k, "")) for k in ("title", "due", "to")}
    errors: dict[str, str] = {}
    due = date_field(values["due"], "task-due", errors)
    kind, _, who = values["to"].partition(":")
    to_user = who if kind == "user" and who else None
    to_unit = int(who) if kind == "unit" and who.isdigit() and len(who) < 10 else None
    if not errors and due is not None:
        try:
            add_task(context(request, account), title=values["title"], due=due, to_user=to_user, to_unit=to_unit,
                     case_id=case_id)
            request.session["melding"] = localise(Text("task_given"))
            return RedirectResponse(f"/saker/{case_id}#oppgaver", status_code=303)
        except NotFound as exc:
            if exc.field == "case":
                raise not_found(exc) from None
            errors["task-to"] = error_text(exc)
        except ServiceError as exc:
            errors[TASK_FIELDS.get(exc.field or "", "task-form")] = error_text(exc)
    data = case_data(request, account, case_id)
    data.update(task_errors=errors, task_values=values)
    return render(request, "case.html", data, status=422)


@router.get("/diagram/{version_id}.svg")
def diagram(request: Request, version_id: Id, account: SignedIn) -> Response:
    """A published pathway's diagram (no personal data), the steps in ``nå`` highlighted."""
    highlight = tuple(sorted(set(request.query_params.getlist("nå"))))
    try:
        row = published_version(context(request), version_id)
    except NotFound:
        raise PageError(404, f"Fant ingen publisert versjon {version_id}.") from None
    try:
        svg = diagram_svg(row.definition, row.content_hash, highlight)
    except KeyError as exc:
        raise PageError(404, f"Ukjent steg i uthevingen: {exc.args[0]}") from None
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@router.post("/saker/{case_id}/notat/{note_id}")
def note_edit(request: Request, case_id: Id, note_id: Id, account: SignedIn, form: Posted) -> Response:
    """The author edits a note within 24 hours of writing it; after that it is kept as written."""
    changer(account)
    text = str(form.get("text", ""))
    try:
        edit_note(context(request, account), case_id, note_id, text)
    except NotFound as exc:
        raise not_found(exc) from None
    except Forbidden as exc:
        raise forbidden(exc) from None
    except ServiceError as exc:
        data = case_data(request, account, case_id)
        data.update(errors={f"note-{note_id}": error_text(exc)}, values={f"note-{note_id}": text})
        return render(request, "case.html", data, status=409 if isinstance(exc, Conflict) else 422)
    request.session["melding"] = "Notatet er endret."
    return RedirectResponse(f"/saker/{case_id}#notat-{note_id}", status_code=303)
