"""Oppbevaring og sletting for a leder: what falls due under the retention policy in their kommune, and
carrying it out once they confirm the list, as a job with progress (:mod:`pathways.services.retention`).
Nothing is archived or deleted without that confirmation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.services.context import Context
from pathways.services.retention import apply, archive_participant, plan
from pathways.services.retention_policy import TITLES
from ui.pages.common import Posted, SignedIn
from ui.rendering import PageError, context, render

router = APIRouter(include_in_schema=False)
TITLE = "Oppbevaringstiden ute: arkivering og sletting"
SHOWN = 500  # rows listed on the page; the confirmation covers every one planned


def _leder(account: Any) -> None:
    if account.role != "leder" or account.unit_scoped:
        raise PageError(403, "Bare leder kan gå gjennom og bekrefte arkivering og sletting.")


@router.get("/oppbevaring")
def retention_page(request: Request, account: SignedIn) -> Response:
    _leder(account)
    found = plan(context(request, account))
    return render(request, "retention.html", {
        "plan": found, "rows": found.due[:SHOWN], "titles": TITLES,
        "ids": ",".join(str(d.participant_id) for d in found.due),
        "years": {c: r.years for c, r in found.policy.classes.items()},
        "then": {c: r.then for c, r in found.policy.classes.items()}})


@router.post("/oppbevaring")
def retention_apply(request: Request, account: SignedIn, form: Posted) -> Response:
    """Carry out the list the leder saw (its ids, planned again: one no longer due is left alone)."""
    _leder(account)
    raw = str(form.get("ids", ""))
    parts = [p for p in raw.split(",") if p.strip()]
    if not parts or not all(p.strip().isdigit() for p in parts) or len(parts) > 1_000_000:
        raise PageError(422, "Listen som skulle bekreftes mangler eller er ugyldig. Åpne siden på nytt.")
    ids = [int(p) for p in parts]
    engine, clock = request.app.state.engine, request.app.state.clock
    actor = account.actor

    def work(job: Any) -> dict[str, Any]:
        ctx = Context(engine, clock, actor=actor, channel="side")
        job.progress(0, len(ids), "Arkiverer og sletter")
        done = apply(ctx, ids, archive_participant,
                     progress=lambda n, total: job.progress(n, total, f"Ferdig med {n} av {total} deltakere"))
        return {"deltakere": done.participants, "erstattet med pseudonym": done.removed,
                "arkivfiler": len(done.archived), "ikke lenger til forfall": done.skipped}

    job = request.app.state.jobs.start(TITLE, actor, work)
    return RedirectResponse(f"/jobber/{job.id}", status_code=303)
