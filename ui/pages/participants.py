"""Participants: the list, the form, and enrolment on a pathway."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.services import cases as case_service
from pathways.services import innsyn
from pathways.services import innsyn_document as document
from pathways.services.access import Forbidden
from pathways.services.accounts import Account
from pathways.services.context import NotFound, ServiceError
from pathways.services.dashboard import PAGE_SIZE, published_pathways
from pathways.services.participants import (
    FACT_FIELDS,
    FieldErrors,
    add_participant,
    find_participants,
    may_change,
    read_participant,
    update_participant,
)
from ui.boundary import Id
from ui.messages import norsk
from ui.pages.common import Posted, SignedIn, changer, date_field, int_field, reader, writer
from ui.pages.export import attachment, download
from ui.rendering import PageError, context, error_text, forbidden, one_read, render

router = APIRouter(include_in_schema=False)


PARTICIPANTS_REFUSED = "Rollen din gir ikke tilgang til deltakere."


@router.get("/deltakere")
@one_read
def participants_page(request: Request, account: SignedIn) -> Response:
    """Participants are casework: veileder (their own and the intake) and leder (read); not administrator."""
    reader(account, PARTICIPANTS_REFUSED)
    q = request.query_params.get("q") or None
    errors: dict[str, str] = {}
    page = int_field(request.query_params.get("side"), "side", errors, low=1) or 1
    if q and len(q) > 100:
        errors["q"] = "søket er for langt (høyst 100 tegn)"
        q = None
    found = find_participants(context(request, account), q, page, PAGE_SIZE)
    return render(request, "participants.html", {"rows": found.rows, "total": found.total, "page": page,
                                                 "q": q or "", "pages": found.pages, "errors": errors})


def _participant_form(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {k: str(form.get(k, "")).strip() for k in FACT_FIELDS if str(form.get(k, "")).strip()}
    basics = {"name": str(form.get("name", "")), "born": str(form.get("born", "")).strip(),
              "settled": str(form.get("settled", "")).strip() or None}
    return basics, fields


def _errors(exc: ServiceError) -> dict[str, str]:
    """Every field's problem, each shown beside its field."""
    if isinstance(exc, FieldErrors):
        return {field: norsk(message) for field, message in exc.errors.items()}
    return {exc.field or "form": error_text(exc)}


@router.get("/deltakere/ny")
def participant_new(request: Request, account: SignedIn) -> Response:
    writer(account, "deltakere")
    return render(request, "participant_form.html", {"p": None, "values": {}, "errors": {}, "fields": FACT_FIELDS})


@router.post("/deltakere/ny")
def participant_create(request: Request, account: SignedIn, form: Posted) -> Response:
    writer(account, "deltakere")
    basics, fields = _participant_form(form)
    try:
        pid = add_participant(context(request, account), name=basics["name"], born=basics["born"],
                              settled=basics["settled"], kommune=account.kommune, fields=fields)
    except ServiceError as exc:
        return render(request, "participant_form.html", {"p": None, "values": form, "fields": FACT_FIELDS,
                                                         "errors": _errors(exc)}, status=422)
    request.session["melding"] = "Deltakeren er lagt til."
    return RedirectResponse(f"/deltakere/{pid}", status_code=303)


def _participant(request: Request, account: Account, pid: int) -> tuple[Any, dict[str, Any]]:
    """The participant (404 outside the user's scope) and what every participant page shows of them."""
    try:
        row, cases = read_participant(context(request, account), pid)
    except NotFound:
        raise PageError(404, f"Fant ingen deltaker {pid}.") from None
    return row, {"p": row, "fields": FACT_FIELDS, "cases": cases, "pathways": published_pathways(context(request)),
                 "editable": may_change(context(request, account), pid),
                 "innsyn": innsyn.may_export(context(request, account), pid)}


@router.get("/deltakere/{pid}")
@one_read
def participant_page(request: Request, pid: Id, account: SignedIn) -> Response:
    reader(account, PARTICIPANTS_REFUSED)
    row, shown = _participant(request, account, pid)
    return render(request, "participant_form.html", {**shown, "values": row.model_dump(), "errors": {}})


@router.get("/deltakere/{pid}/innsyn.{fmt}")
def participant_innsyn(request: Request, pid: Id, fmt: str, account: SignedIn) -> Response:
    """Everything kept about the participant, for their right of access: a PDF document in bokmål or JSON, as
    a download (for the leder of their kommune and the veileder of their cases; the export is recorded in the
    audit trail). A plain ``def``: laying out the document takes CPU time, in the thread pool."""
    reader(account, PARTICIPANTS_REFUSED)
    if fmt not in innsyn.FORMATS:
        raise PageError(404, "Velg .pdf eller .json.")
    try:
        found = innsyn.export(context(request, account), pid, fmt)
    except NotFound:
        raise PageError(404, f"Fant ingen deltaker {pid}.") from None
    except Forbidden as exc:  # sees the person (the intake, a case handed to their unit) but is neither
        raise forbidden(exc) from None
    name = document.filename(found)
    if fmt == "json":
        return download([], (), name, fmt, found.as_json())
    return Response(document.pdf(found), media_type="application/pdf", headers=attachment(name, fmt))


@router.post("/deltakere/{pid}")
def participant_update(request: Request, pid: Id, account: SignedIn, form: Posted) -> Response:
    changer(account, "deltakere")
    _, shown = _participant(request, account, pid)
    basics, fields = _participant_form(form)
    errors: dict[str, str] = {}
    version = int_field(str(form.get("version", "")), "form", errors)
    try:
        if errors:
            raise ServiceError(errors["form"], "form")
        update_participant(context(request, account), pid, name=basics["name"], born=basics["born"],
                           settled=basics["settled"], fields=fields, expected_version=version)
    except NotFound:
        raise PageError(404, f"Fant ingen deltaker {pid}.") from None
    except Forbidden as exc:  # their case handed over, or not yet taken over
        raise forbidden(exc) from None
    except ServiceError as exc:
        return render(request, "participant_form.html", {**shown, "values": form, "errors": _errors(exc)}, status=422)
    request.session["melding"] = "Endringene er lagret."
    return RedirectResponse(f"/deltakere/{pid}", status_code=303)


@router.post("/deltakere/{pid}/innmelding")
def participant_enrol(request: Request, pid: Id, account: SignedIn, form: Posted) -> Response:
    writer(account)
    row, shown = _participant(request, account, pid)
    errors: dict[str, str] = {}
    start = date_field(str(form.get("start", "")), "start", errors)
    if start is not None:
        try:
            case_id = case_service.enrol(context(request, account), pid, str(form.get("pathway", "")), start,
                                         account.username)
            request.session["melding"] = "Deltakeren er meldt inn."
            return RedirectResponse(f"/saker/{case_id}", status_code=303)
        except NotFound as exc:
            if exc.field == "participant":
                raise PageError(404, f"Fant ingen deltaker {pid}.") from None
            errors["pathway"] = error_text(exc)
        except ServiceError as exc:
            errors[exc.field if exc.field in ("start", "pathway") else "enrol"] = error_text(exc)
    return render(request, "participant_form.html", {
        **shown, "values": row.model_dump(), "errors": errors, "enrol_values": form}, status=422)
