"""The caseload (saksliste): the cases the user sees, filtered, sorted and paged."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pathways.services.caseworkers import caseload_veiledere, covers_for
from pathways.services.context import ServiceError
from pathways.services.dashboard import FLAG_KINDS, PAGE_SIZE, SORTS, CaseloadFilter, caseload, published_pathways
from ui.pages.common import SignedIn, int_field, reader
from ui.rendering import context, error_text, one_read, render

router = APIRouter(include_in_schema=False)


@router.get("/saker")
@one_read
def caseload_page(request: Request, account: SignedIn) -> Response:
    reader(account)
    q = request.query_params
    errors: dict[str, str] = {}
    wanted = CaseloadFilter(pathway=q.get("lop") or None, step=q.get("steg") or None, flag_kind=q.get("flagg") or None,
                            due_within=int_field(q.get("frist_innen"), "frist_innen", errors, high=3650),
                            q=q.get("q") or None, status=q.get("status") or "aktive",
                            sort=q.get("sort") or "frist", descending=q.get("synkende") == "1",
                            page=int_field(q.get("side"), "side", errors, low=1) or 1,
                            veileder=int_field(q.get("veileder"), "veileder", errors, low=1))
    ctx = context(request, account)
    covering = covers_for(ctx)
    veiledere = caseload_veiledere(ctx, covering)  # a leder's filter; a veileder's while they cover for a colleague
    result = None
    try:
        if not errors:
            result = caseload(context(request, account), wanted)
    except ServiceError as exc:
        errors[exc.field or "form"] = error_text(exc)
    params = {k: v for k, v in q.items() if v and k != "side"}
    data = {"result": result, "wanted": wanted, "errors": errors, "pathways": published_pathways(context(request)),
            "sorts": SORTS, "flag_kinds": FLAG_KINDS, "params": params, "page_size": PAGE_SIZE,
            "query": lambda **extra: urlencode({**params, **extra}),
            "veiledere": veiledere, "names": {v.username: v.name for v in veiledere}, "covering": covering}
    template = "caseload_table.html" if request.headers.get("hx-request") else "caseload.html"
    return render(request, template, data, status=422 if errors else 200)
