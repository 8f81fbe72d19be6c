"""The administrator's pages for pathway authoring: versions with their running cases, the editor (Ace,
vendored) with validation as you type and a live diagram, drafts, publishing, the diff between versions
with the changes coloured, and the migration of running cases (dry run, then a job with progress).

Pathway documents are shared by every kommune in the store; the running cases shown and moved are
the administrator's own kommune's (the services act as the administrator: :mod:`pathways.services.access`).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from pathways.bounds import MAX_ID
from pathways.definition.problems import DefinitionError
from pathways.definition.render import render as draw
from pathways.definition.render import render_diff
from pathways.engine.migration import StepMapping
from pathways.services import authoring
from pathways.services.accounts import Account
from pathways.services.context import Conflict, NotFound, ServiceError
from pathways.services.dashboard import PublishedVersion, published_version
from ui.messages import norsk
from ui.pages.common import Posted, SignedIn, admin
from ui.rendering import PageError, context, diagram_inline, error_text, inline_svg, not_found, render

router = APIRouter(include_in_schema=False)
MAX_DOCUMENT = 500_000  # characters


def _latest(request: Request, pathway_id: str) -> PublishedVersion:
    try:
        return published_version(context(request), pathway_id=pathway_id)
    except NotFound as exc:
        raise not_found(exc) from None


@router.get("/admin/lop")
def versions_page(request: Request, account: SignedIn) -> Response:
    admin(account)
    found = authoring.versions(context(request, account))
    by_pathway: dict[str, list[Any]] = {}
    for v in found:
        by_pathway.setdefault(v.pathway_id, []).append(v)
    return render(request, "authoring/versions.html", {"by_pathway": by_pathway})


def _editor(request: Request, account: Account, pathway_id: str, text: str, base: int, *, problems: Any = (),
            errors: dict[str, str] | None = None, note: str = "", status: int = 200, saved: bool = False,
            latest: int | None = None) -> Response:
    preview = None
    if not problems:  # the draft's diagram, also without JavaScript (editor.js redraws it as you type)
        definition, _ = authoring.validate(text, f"{pathway_id}.yaml")
        if definition is not None:
            preview = diagram_inline(definition, "utkast:" + hashlib.sha256(text.encode()).hexdigest(),
                                     "Diagram over utkastet")
    return render(request, "authoring/editor.html", {
        "pathway_id": pathway_id, "text": text, "base": base, "problems": list(problems), "errors": errors or {},
        "note": note, "saved": saved, "title": _latest(request, pathway_id).title, "latest": latest,
        "preview_svg": preview}, status=status)


@router.get("/admin/lop/{pathway_id}/rediger")
def editor_page(request: Request, pathway_id: str, account: SignedIn) -> Response:
    admin(account)
    latest = _latest(request, pathway_id)
    draft = authoring.draft_of(context(request, account), pathway_id)
    if draft is not None and request.query_params.get("ny") != "1":
        # the author's draft, also when someone has published since: shown with a warning, never dropped
        _, problems = authoring.validate(draft.document, f"{pathway_id}.yaml")
        errors = {} if draft.base_version == latest.version else {"form": (
            f"Utkastet ditt bygger på versjon {draft.base_version}, men versjon {latest.version} er publisert "
            "siden. Det kan ikke publiseres slik: før endringene dine inn i den nyeste versjonen "
            f"(åpne den med lenken «Start fra versjon {latest.version}»).")}
        return _editor(request, account, pathway_id, draft.document, draft.base_version or latest.version,
                       problems=problems, saved=not errors, errors=errors, latest=latest.version)
    text = authoring.next_version_text(latest.document, latest.version + 1)
    _, problems = authoring.validate(text, f"{pathway_id}.yaml")
    return _editor(request, account, pathway_id, text, latest.version, problems=problems)


def _document(form: dict[str, Any]) -> str:
    text = str(form.get("document", ""))
    if len(text) > MAX_DOCUMENT:
        raise PageError(413, f"Dokumentet er lengre enn {MAX_DOCUMENT} tegn.")
    return text.replace("\r\n", "\n")


@router.post("/admin/lop/{pathway_id}/sjekk")
def check(request: Request, pathway_id: str, account: SignedIn, form: Posted) -> Response:
    """Validation as you type: the problems (line, column, message) and the diagram of a valid draft."""
    admin(account)
    started = time.perf_counter()
    text = _document(form)
    definition, problems = authoring.validate(text, f"{pathway_id}.yaml")
    if definition is not None and definition.pathway.id != pathway_id:
        other = f"dokumentet har id «{definition.pathway.id}», men dette er editoren for «{pathway_id}»"
        return JSONResponse({"problems": [{"line": 1, "column": 1, "message": other}], "svg": None, "ms": 0})
    svg = draw(definition, "svg").decode() if definition is not None else None
    return JSONResponse({
        "problems": [{"line": p.line, "column": p.column, "message": norsk(p.message)} for p in problems],
        "svg": svg, "ms": round((time.perf_counter() - started) * 1000, 1)})


@router.post("/admin/lop/{pathway_id}/utkast")
def save(request: Request, pathway_id: str, account: SignedIn, form: Posted) -> Response:
    admin(account)
    text, base = _document(form), _int(form.get("base"))
    problems = authoring.save_draft(context(request, account), pathway_id, text, base)
    return _editor(request, account, pathway_id, text, base or 0, problems=problems,
                   note=str(form.get("note", "")), saved=True)


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_ID else None  # a version; beyond the store's integers is none


@router.post("/admin/lop/{pathway_id}/publiser")
def publish(request: Request, pathway_id: str, account: SignedIn, form: Posted) -> Response:
    admin(account)
    text, base, note = _document(form), _int(form.get("base")), str(form.get("note", ""))
    ctx = context(request, account)
    try:
        definition, problems = authoring.validate(text, f"{pathway_id}.yaml")
        if definition is not None and definition.pathway.id != pathway_id:
            raise ServiceError("document_id_differs", "document", found=definition.pathway.id, expected=pathway_id)
        published = authoring.publish(ctx, text, note, f"{pathway_id}.yaml", expected_latest=base)
    except DefinitionError as exc:
        return _editor(request, account, pathway_id, text, base or 0, problems=exc.problems, note=note, status=422,
                       errors={"document": "Utkastet har feil og kan ikke publiseres. Rett feilene først."})
    except Conflict as exc:
        return _editor(request, account, pathway_id, text, base or 0, problems=problems, note=note, status=409,
                       errors={"form": error_text(exc)})
    except ServiceError as exc:
        return _editor(request, account, pathway_id, text, base or 0, problems=problems, note=note, status=422,
                       errors={exc.field or "form": error_text(exc)})
    request.session["melding"] = f"Publisert som versjon {published.version}."
    return RedirectResponse(f"/admin/lop/{pathway_id}/endringer?fra={published.version - 1}&til={published.version}",
                            status_code=303)


def _versions(request: Request) -> tuple[int, int]:
    q = request.query_params
    old, new = _int(q.get("fra")), _int(q.get("til"))
    if old is None or new is None:
        raise PageError(422, "Velg to versjoner (fra og til).")
    return old, new


@router.get("/admin/lop/{pathway_id}/endringer")
def diff_page(request: Request, pathway_id: str, account: SignedIn) -> Response:
    admin(account)
    old, new = _versions(request)
    try:
        found = authoring.diff(context(request, account), pathway_id, old, new)
    except NotFound as exc:
        raise not_found(exc) from None
    svg = inline_svg(_diff_drawing(request, pathway_id, old, new),
                     f"Diagram over versjon {new} med endringene fra versjon {old} merket")
    return render(request, "authoring/diff.html", {"pathway_id": pathway_id, "diff": found,
                                                   "title": _latest(request, pathway_id).title, "svg": svg})


@router.get("/admin/lop/{pathway_id}/endringer.svg")
def diff_svg(request: Request, pathway_id: str, account: SignedIn) -> Response:
    admin(account)
    old, new = _versions(request)
    return Response(_diff_drawing(request, pathway_id, old, new), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})


def _diff_drawing(request: Request, pathway_id: str, old: int, new: int) -> bytes:
    """Version ``new`` drawn with its changes from ``old`` marked (NY, ENDRET, FJERNET)."""
    ctx = context(request)
    try:
        a, b = authoring.definitions(ctx, pathway_id, old, new)
    except NotFound as exc:
        raise not_found(exc) from None
    steps = a.pathway.all_steps()
    changed = authoring.Diff(pathway_id, old, new, authoring.diff_definitions(a, b)).changed_steps  # no case query
    removed = {k: steps[k].title for k, v in changed.items() if v == "removed" and k in steps}
    return render_diff(b, changed, removed)


@router.post("/admin/lop/{pathway_id}/prognose")
def forecast_fragment(request: Request, pathway_id: str, account: SignedIn, form: Posted) -> Response:
    """The draft's forecast beside the newest published version's: what the change does to the cohort (two
    CPU-bound simulations: a plain ``def``, so they run in the thread pool, not on the event loop)."""
    from pathways.definition.forecast import forecast
    admin(account)
    draft, problems = authoring.validate(_document(form), f"{pathway_id}.yaml")
    latest = _latest(request, pathway_id)
    published = latest.definition
    if draft is None:
        return render(request, "authoring/forecast.html", {"problems": problems, "rows": [], "draft": None})
    a, b = forecast(published, 1000, 1), forecast(draft, 1000, 1)
    before = {o.id: o for o in a.outcomes}
    after = {o.id: o for o in b.outcomes}
    rows = [(after.get(k) or before[k], before.get(k), after.get(k)) for k in [*after, *(k for k in before
                                                                                          if k not in after)]]
    return render(request, "authoring/forecast.html", {"problems": [], "rows": rows, "draft": b, "published": a,
                                                       "version": latest.version})


# -- migration -----------------------------------------------------------------------------------------


def _migration_data(request: Request, account: Account, pathway_id: str, old: int, new: int) -> dict[str, Any]:
    ctx = context(request, account)
    try:
        found = authoring.diff(ctx, pathway_id, old, new)
        a, b = authoring.definitions(ctx, pathway_id, old, new)
    except NotFound as exc:
        raise not_found(exc) from None
    new_steps = b.pathway.all_steps()
    missing = [s for s in found.cases_by_step if s not in new_steps]
    deadlines = sorted({d.id for d in a.pathway.deadlines} & {d.id for d in b.pathway.deadlines})
    changed_deadlines = {c.id for c in found.changes if c.area == "deadline" and c.change == "changed"}
    return {"pathway_id": pathway_id, "old": old, "new": new, "diff": found, "missing": missing,
            "new_steps": [(k, s.title) for k, s in new_steps.items()], "deadlines": deadlines,
            "changed_deadlines": changed_deadlines, "report": None, "errors": {}, "values": {}}


@router.get("/admin/lop/{pathway_id}/flytt")
def migration_page(request: Request, pathway_id: str, account: SignedIn) -> Response:
    admin(account)
    old, new = _versions(request)
    return render(request, "authoring/migrate.html", _migration_data(request, account, pathway_id, old, new))


def _mapping(form: dict[str, Any], missing: list[str]) -> StepMapping:
    steps = {s: str(form.get(f"steg_{s}", "")).strip() for s in missing if str(form.get(f"steg_{s}", "")).strip()}
    recompute = frozenset(k.removeprefix("beregn_") for k in form if k.startswith("beregn_"))
    return StepMapping(steps, recompute)


@router.post("/admin/lop/{pathway_id}/flytt")
def migration_run(request: Request, pathway_id: str, account: SignedIn, form: Posted) -> Response:
    admin(account)
    old, new = _int(form.get("fra")), _int(form.get("til"))
    if old is None or new is None:
        raise PageError(422, "Velg to versjoner (fra og til).")
    data = _migration_data(request, account, pathway_id, old, new)
    mapping = _mapping(form, data["missing"])
    data["values"] = form
    ctx = context(request, account)
    if form.get("handling") != "flytt":
        try:
            data["report"] = authoring.migrate(ctx, pathway_id, old, new, mapping, dry_run=True)
        except ServiceError as exc:
            data["errors"] = {"mapping": error_text(exc)}
            return render(request, "authoring/migrate.html", data, status=422)
        return render(request, "authoring/migrate.html", data)

    def work(job: Any) -> dict[str, int]:
        report = authoring.migrate(ctx, pathway_id, old, new, mapping, progress=job.progress)
        if report.refused:
            job.progress(job.done, message="; ".join(f"sak {c}: {norsk(why)}" for c, why in report.refused[:5]))
        return {"saker flyttet": len(report.moved), "kan ikke flyttes": len(report.refused)}

    try:  # the mapping is checked before the job starts: a bad one is refused here, nothing moved
        authoring.check_migration(ctx, pathway_id, old, new, mapping)
    except ServiceError as exc:
        data["errors"] = {"mapping": error_text(exc)}
        return render(request, "authoring/migrate.html", data, status=422)
    job = request.app.state.jobs.start(f"Flytting av saker til {pathway_id} versjon {new}", account.actor, work)
    return RedirectResponse(f"/jobber/{job.id}", status_code=303)
