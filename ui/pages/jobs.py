"""Background runs with progress: the participant import and a manual run of the checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.checks.breach import KIND as BREACH_KIND
from pathways.checks.sweep import FAMILIES, run_checks
from pathways.messages import FIELD_LABELS, Text
from pathways.services.accounts import Account
from pathways.services.context import ServiceError
from pathways.services.participants import MAX_IMPORT_BYTES, check_import, import_csv, imported_names
from pathways.services.tabular import MAX_XLSX_ROWS, NORWEGIAN
from ui import uploads
from ui.messages import field_word, norsk
from ui.pages.common import Posted, SignedIn, form_of, writer
from ui.rendering import PageError, context, render

router = APIRouter(include_in_schema=False)


PREVIEW_TITLE, IMPORT_TITLE = "Kontroll av importfil", "Import av deltakere"


@router.get("/deltakere-import")
def import_page(request: Request, account: SignedIn) -> Response:
    writer(account, "deltakere")
    return render(request, "import.html", {"job": None, "errors": {}, "max_rows": MAX_XLSX_ROWS})


@router.post("/deltakere-import")
async def import_start(request: Request, account: SignedIn) -> Response:
    """Keep the upload on the server (:mod:`ui.uploads`) and check it in a job: the preview. Nothing is written
    until the user confirms it."""
    form = await form_of(request)
    writer(account, "deltakere")
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read") or not getattr(upload, "filename", ""):
        return render(request, "import.html", {"job": None, "errors": {"file": "velg en CSV- eller Excel-fil"},
                                               "max_rows": MAX_XLSX_ROWS}, status=422)
    previous = request.session.pop("import", None)
    if previous:
        uploads.delete(previous)  # one pending import per session
    token, stored = uploads.create()
    too_large = False
    with stored:  # the job reads the file row by row, never all of it in memory
        while chunk := await upload.read(1 << 20):
            stored.write(chunk)
            if stored.tell() > MAX_IMPORT_BYTES:
                too_large = True
                break
    if too_large:
        uploads.delete(token)
        refusal = norsk(Text("file_too_large", path=upload.filename, limit=f"{MAX_IMPORT_BYTES:,}"))
        return render(request, "import.html", {"job": None, "errors": {"file": refusal},
                                               "max_rows": MAX_XLSX_ROWS}, status=422)
    ctx, name = context(request, account), str(upload.filename)

    def work(job: Any) -> dict[str, Any]:
        path = uploads.path_of(token)
        if path is None:
            raise ServiceError("upload_gone", "file")
        try:
            with path.open("rb") as stream:  # into the user's kommune
                checked = check_import(ctx, stream, name, progress=job.progress)
        except ServiceError:
            uploads.delete(token)
            raise
        if checked.failed:  # nothing to confirm: the file is not kept
            uploads.delete(token)
        # the job's result is stored as JSON and read on the dashboard: each row's problem kept in bokmål
        return {"token": token, "filename": name, **checked.as_json(),
                "errors": [[e.line, e.field, norsk(e.message)] for e in checked.errors]}

    request.session["import"] = token
    job = request.app.state.jobs.start(PREVIEW_TITLE, account.actor, work)
    return RedirectResponse(f"/deltakere-import/{job.id}", status_code=303)


def _import_job(request: Request, account: Account, job_id: str) -> Any:
    job = request.app.state.jobs.get(job_id, account.actor)
    if job is None or job.title not in (PREVIEW_TITLE, IMPORT_TITLE):
        raise PageError(404, "Fant ikke importen (den kan være eldre enn en time). Last opp filen på nytt.")
    return job


@router.get("/deltakere-import/{job_id}")
def import_job_page(request: Request, job_id: str, account: SignedIn) -> Response:
    """The preview (rows, errors per line, the confirm button) or the result (links to those imported)."""
    writer(account, "deltakere")
    job = _import_job(request, account, job_id)
    result = job.result if isinstance(job.result, dict) else {}
    preview = job.title == PREVIEW_TITLE
    errors = [(line, _column_word(name), norsk(message)) for line, name, message in
              (job.errors or result.get("errors") or [])]
    pending = preview and job.state == "finished" and not result.get("failed") \
        and request.session.get("import") == result.get("token") and uploads.path_of(result.get("token", ""))
    imported = imported_names(context(request, account), result.get("ids", [])) \
        if not preview and job.state == "finished" else []
    template = "import_status.html" if request.headers.get("hx-request") else "import.html"
    return render(request, template, {"job": job, "preview": preview, "result": result, "row_errors": errors,
                                      "message": norsk(job.message), "pending": pending, "imported": imported,
                                      "errors": {}, "max_rows": MAX_XLSX_ROWS})


@router.post("/deltakere-import/{job_id}/bekreft")
def import_confirm(request: Request, job_id: str, account: SignedIn, _form: Posted) -> Response:
    """Import the previewed file: all rows in one transaction, or none."""
    writer(account, "deltakere")
    job = _import_job(request, account, job_id)
    result = job.result if isinstance(job.result, dict) else {}
    token = str(result.get("token", ""))
    path = uploads.path_of(token)
    if job.title != PREVIEW_TITLE or job.state != "finished" or result.get("failed") or path is None \
            or request.session.get("import") != token:
        request.session["feil"] = "Importen kan ikke bekreftes (den er allerede kjørt, avbrutt eller utløpt). " \
                                  "Last opp filen på nytt."
        return RedirectResponse("/deltakere-import", status_code=303)
    request.session.pop("import", None)
    ctx, name = context(request, account), str(result.get("filename", "filen"))

    def work(job: Any) -> dict[str, Any]:
        try:
            with path.open("rb") as stream:
                return {"ids": import_csv(ctx, stream, name, progress=job.progress)}
        finally:
            uploads.delete(token)

    started = request.app.state.jobs.start(IMPORT_TITLE, account.actor, work)
    return RedirectResponse(f"/deltakere-import/{started.id}", status_code=303)


@router.post("/deltakere-import/{job_id}/avbryt")
def import_cancel(request: Request, job_id: str, account: SignedIn, _form: Posted) -> Response:
    writer(account, "deltakere")
    job = _import_job(request, account, job_id)
    token = str((job.result or {}).get("token", "")) if isinstance(job.result, dict) else ""
    if token and request.session.get("import") == token:
        request.session.pop("import", None)
        uploads.delete(token)
    request.session["melding"] = "Importen er avbrutt. Ingenting er lagret."
    return RedirectResponse("/deltakere-import", status_code=303)


def _column_word(name: str | None) -> str | None:
    """A column as the import page names it: in bokmål where it is one the import knows."""
    word = field_word(name)
    if name in NORWEGIAN and name not in FIELD_LABELS:  # not a field the catalogue names
        return NORWEGIAN[name]
    return word


@router.post("/kontroll")
def check_start(request: Request, account: SignedIn, _form: Posted) -> Response:
    if account.role not in ("leder", "administrator"):
        raise PageError(403, "Bare leder og administrator kan starte kontrollene.")
    engine, clock = request.app.state.engine, request.app.state.clock
    on = clock.today()

    def work(job: Any) -> dict[str, int]:
        job.progress(0, len(FAMILIES))
        totals: dict[str, int] = {"nye flagg": 0, "løste flagg": 0, "saker flyttet ved fristbrudd": 0}
        for done, family in enumerate(FAMILIES, start=1):
            report = run_checks(engine, on, [family], clock=clock)
            for kind, counts in report.counts.items():
                if kind == BREACH_KIND:  # cases moved by on_breach, not flags
                    totals["saker flyttet ved fristbrudd"] += counts["new"]
                    continue
                totals["nye flagg"] += counts["new"]
                totals["løste flagg"] += counts["resolved"]
            job.progress(done, message=f"Ferdig med {done} av {len(FAMILIES)} regelgrupper")
        return totals

    job = request.app.state.jobs.start("Kontroll kjørt manuelt", account.actor, work)
    return RedirectResponse(f"/jobber/{job.id}", status_code=303)


@router.get("/jobber/{job_id}")
def job_page(request: Request, job_id: str, account: SignedIn) -> Response:
    job = request.app.state.jobs.get(job_id, account.actor)
    if job is None:
        raise PageError(404, "Fant ikke jobben (den kan være eldre enn en time).")
    if job.title in (PREVIEW_TITLE, IMPORT_TITLE):  # an import has its own page (preview, confirm, result)
        return RedirectResponse(f"/deltakere-import/{job.id}", status_code=303)
    errors = [(line, field_word(name), norsk(message)) for line, name, message in job.errors]
    template = "job_status.html" if request.headers.get("hx-request") else "job.html"
    return render(request, template, {"job": job, "row_errors": errors, "message": norsk(job.message)})
