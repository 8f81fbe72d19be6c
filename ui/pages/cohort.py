"""The cohort: how many cases stand in each step of a published pathway."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from pathways.services.context import Context
from pathways.services.dashboard import cohort, largest_pathway, published_pathways, published_version
from pathways.services.results import Results, chart_svg, results
from ui.pages.common import SignedIn
from ui.pages.export import attachment, download
from ui.rendering import PageError, context, diagram_inline, diagram_svg, render

router = APIRouter(include_in_schema=False)


@router.get("/kohort")
def cohort_page(request: Request, account: SignedIn) -> Response:
    ctx = context(request, account)
    available = published_pathways(ctx)
    chosen = request.query_params.get("lop") or largest_pathway(ctx)  # the kommune's largest, not the first
    if chosen is not None and chosen not in dict(available):
        raise PageError(404, f"Løpet «{chosen}» er ikke publisert.")
    found = cohort(ctx, chosen) if chosen else None
    svg = _inline(ctx, found) if found else None
    after = results(ctx, chosen) if chosen else None
    chart = _chart(after, found.title) if after is not None and found is not None and after.years else None
    return render(request, "cohort.html", {"pathways": available, "chosen": chosen, "c": found, "diagram": svg,
                                           "results": after, "chart": chart})


def _chart(found: Results, title: str) -> Markup:
    """The results chart inline: the SVG element alone, named for screen readers (the table beside it has
    the numbers)."""
    svg = chart_svg(found, f"{title}: ett år etter avslutning")
    svg = svg[svg.index("<svg"):]
    svg = svg.replace("<svg ", '<svg role="img" aria-label="Andel i arbeid, utdanning, NAV-tiltak, sosialhjelp, '
                      'annen inntekt og ukjent ett år etter avslutning, per sluttår; tallene står i tabellen" ', 1)
    return Markup(svg)


@router.get("/kohort/{pathway_id}/resultater.{fmt}")
def results_download(request: Request, pathway_id: str, fmt: str, account: SignedIn) -> Response:
    """The results one year after exit as CSV, JSON or the chart (SVG), with the same suppression."""
    ctx = context(request, account)
    available = dict(published_pathways(ctx))
    if pathway_id not in available or fmt not in ("csv", "json", "svg"):
        raise PageError(404, "Ukjent løp eller format (velg .csv, .json eller .svg).")
    found = results(ctx, pathway_id)
    name = f"resultater-{pathway_id}-{found.as_of.isoformat()}"
    if fmt == "svg":
        return Response(chart_svg(found, f"{available[pathway_id]}: ett år etter avslutning"),
                        media_type="image/svg+xml", headers=attachment(name, fmt))
    return download(found.table(), found.headers(), name, fmt, found.as_json() if fmt == "json" else None)


def _inline(ctx: Context, found: Any) -> Markup:
    """The pathway inline with the number of active cases in each step (cached per version and counts)."""
    row = published_version(ctx, found.version_id)
    definition = row.definition
    return diagram_inline(definition, row.content_hash, f"Diagram over {found.title} med antall aktive saker i hvert "
                          "steg; tallene står også i tabellen under diagrammet", (),
                          tuple(sorted(found.per_step.items())))


@router.get("/kohort/{pathway_id}/diagram")
def cohort_diagram_page(request: Request, pathway_id: str, account: SignedIn) -> Response:
    """The cohort's diagram in full size, inside the page layout, with the way back."""
    ctx = context(request, account)
    if pathway_id not in dict(published_pathways(ctx)):
        raise PageError(404, "Ukjent løp.")
    found = cohort(ctx, pathway_id)
    return render(request, "diagram_page.html", {
        "heading": f"Kohort: {found.title}", "svg": _inline(ctx, found),
        "lead": f"{found.active} aktive saker; tallet i hver boks er antall saker i steget nå.",
        "caption": f"Løpet {found.title} med antall aktive saker per steg.", "focus": None,
        "back_url": f"/kohort?{urlencode({'lop': pathway_id})}", "back_text": "Tilbake til kohorten"})


@router.get("/kohort/{pathway_id}.svg")
def cohort_diagram(request: Request, pathway_id: str, account: SignedIn) -> Response:
    ctx = context(request, account)
    if pathway_id not in dict(published_pathways(ctx)):
        raise PageError(404, "Ukjent løp.")
    found = cohort(ctx, pathway_id)
    row = published_version(ctx, found.version_id)
    svg = diagram_svg(row.definition, row.content_hash, (), tuple(sorted(found.per_step.items())))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
