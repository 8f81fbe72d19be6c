"""Background runs with progress: the participant import and a manual run of the checks."""

from __future__ import annotations

import tempfile
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.checks.breach import KIND as BREACH_KIND
from pathways.checks.sweep import FAMILIES, run_checks
from pathways.messages import Text
from pathways.services.participants import MAX_IMPORT_BYTES, import_csv
from ui.messages import field_word, norsk
from ui.pages.common import SignedIn, form_of, writer
from ui.rendering import PageError, context, render

router = APIRouter(include_in_schema=False)


@router.get("/deltakere-import")
def import_page(request: Request, account: SignedIn) -> Response:
    writer(account, "deltakere")
    return render(request, "import.html", {"job": None, "errors": {}})


@router.post("/deltakere-import")
async def import_start(request: Request, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account, "deltakere")
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read") or not getattr(upload, "filename", ""):
        return render(request, "import.html", {"job": None, "errors": {"file": "velg en CSV-fil"}}, status=422)
    # the job reads the file twice, row by row, never all of it in memory; it closes (deletes) the copy
    spooled = tempfile.TemporaryFile()  # noqa: SIM115
    while chunk := await upload.read(1 << 20):
        spooled.write(chunk)
        if spooled.tell() > MAX_IMPORT_BYTES:
            spooled.close()
            too_large = norsk(Text("file_too_large", path=upload.filename, limit=f"{MAX_IMPORT_BYTES:,}"))
            return render(request, "import.html", {"job": None, "errors": {"file": too_large}}, status=422)
    ctx = context(request, account)

    def work(job: Any) -> list[int]:
        with spooled:
            return import_csv(ctx, spooled, upload.filename, progress=job.progress)  # into the user's kommune

    job = request.app.state.jobs.start("Import av deltakere", account.actor, work)
    return RedirectResponse(f"/jobber/{job.id}", status_code=303)


@router.post("/kontroll")
async def check_start(request: Request, account: SignedIn) -> Response:
    await form_of(request)
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
    errors = [(line, field_word(name), norsk(message)) for line, name, message in job.errors]
    template = "job_status.html" if request.headers.get("hx-request") else "job.html"
    return render(request, template, {"job": job, "row_errors": errors, "message": norsk(job.message)})
