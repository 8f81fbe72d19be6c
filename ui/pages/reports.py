"""Reports: the NIR overview (``/rapporter/nir``): each participant on a reported pathway in the year, each
field the kommune registers in NIR, its value as the case has it and what is missing; a leder sees the
kommune's cases, a veileder their own. Downloads as CSV, Excel and JSON with the same rows
(:mod:`pathways.services.nir`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pathways.services.context import ServiceError
from pathways.services.nir import STATES, NirReport, report
from ui.pages.common import SignedIn, int_field, reader
from ui.pages.export import download
from ui.rendering import PageError, context, error_text, render

router = APIRouter(include_in_schema=False)
PAGE = 100  # participants per page


def _report(request: Request, account: SignedIn) -> NirReport:
    reader(account)
    ctx = context(request, account)
    errors: dict[str, str] = {}
    year = int_field(request.query_params.get("aar"), "aar", errors, low=2000, high=2100)
    if errors:
        raise PageError(422, f"Ugyldig år: {errors['aar']}. Skriv et år mellom 2000 og 2100.")
    try:
        return report(ctx, year or ctx.today().year)
    except ServiceError as exc:
        raise PageError(422, error_text(exc)) from None


@router.get("/rapporter/nir")
def nir_page(request: Request, account: SignedIn) -> Response:
    found = _report(request, account)
    only_missing = request.query_params.get("vis") != "alle"
    rows = [r for r in found.rows if r.missing] if only_missing else found.rows
    errors: dict[str, str] = {}
    page = int_field(request.query_params.get("side"), "side", errors, low=1, high=10_000) or 1
    pages = max(1, -(-len(rows) // PAGE))
    page = min(page, pages)
    overdue = sum(1 for r in found.rows if r.overdue)
    return render(request, "nir.html", {
        "r": found, "rows": rows[(page - 1) * PAGE:page * PAGE], "page": page, "pages": pages,
        "only_missing": only_missing, "shown": len(rows), "overdue": overdue, "states": STATES,
        "titles": dict(found.fields)})


@router.get("/rapporter/nir.{fmt}")
def nir_download(request: Request, fmt: str, account: SignedIn) -> Response:
    if fmt not in ("csv", "xlsx", "json"):
        raise PageError(404, "Velg .csv, .xlsx eller .json.")
    found = _report(request, account)
    return download(found.table(), found.headers(), f"nir-{found.year}-{found.as_of.isoformat()}", fmt,
                    found.as_json() if fmt == "json" else None)
