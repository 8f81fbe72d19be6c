"""The cohort: how many cases stand in each step of a published pathway."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pathways.services.context import definition_of
from pathways.services.dashboard import cohort, largest_pathway, published_pathways
from pathways.store.tables import PathwayVersion
from ui.pages.common import SignedIn
from ui.rendering import PageError, context, diagram_svg, render

router = APIRouter(include_in_schema=False)


@router.get("/kohort")
def cohort_page(request: Request, account: SignedIn) -> Response:
    ctx = context(request, account)
    available = published_pathways(ctx)
    chosen = request.query_params.get("lop") or largest_pathway(ctx)  # the kommune's largest, not the first
    if chosen is not None and chosen not in dict(available):
        raise PageError(404, f"Løpet «{chosen}» er ikke publisert.")
    found = cohort(ctx, chosen) if chosen else None
    return render(request, "cohort.html", {"pathways": available, "chosen": chosen, "c": found})


@router.get("/kohort/{pathway_id}.svg")
def cohort_diagram(request: Request, pathway_id: str, account: SignedIn) -> Response:
    ctx = context(request, account)
    if pathway_id not in dict(published_pathways(ctx)):
        raise PageError(404, "Ukjent løp.")
    found = cohort(ctx, pathway_id)
    with ctx.transaction() as session:
        row = session.get(PathwayVersion, found.version_id)
        definition = definition_of(session, found.version_id)
    assert row is not None
    svg = diagram_svg(definition, row.content_hash, (), tuple(sorted(found.per_step.items())))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
