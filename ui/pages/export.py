"""Downloads: the caseload and the flag list as CSV (Norwegian Excel's kind) or Excel .xlsx, with the
page's filters and in the user's scope (:mod:`pathways.services.export`)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from pathways.services import export
from pathways.services.context import ServiceError
from pathways.services.dashboard import CaseloadFilter
from ui.pages.common import SignedIn, int_field, reader
from ui.rendering import PageError, context, error_text

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str, fmt: str) -> dict[str, str]:
    """The headers of a download: saved as ``name.fmt``, never cached (it carries personal data)."""
    return {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "no-store"}


def download(rows: Iterable[list[Any]], headers: Sequence[str], name: str, fmt: str, data: Any = None) -> Response:
    """``rows`` under ``headers`` as CSV (Norwegian Excel's kind) or xlsx; ``data`` as JSON for ``json``."""
    disposition = attachment(name, fmt)
    if fmt == "json":
        return Response(json.dumps(data, ensure_ascii=False), media_type="application/json", headers=disposition)
    if fmt == "csv":
        return StreamingResponse(export.as_csv(headers, rows), media_type="text/csv; charset=utf-8",
                                 headers=disposition)
    return Response(export.as_xlsx(name, headers, rows), media_type=XLSX, headers=disposition)


def _started(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """The rows, with the first page read now: a bad filter is a 422 page, not a broken download."""
    try:
        first = next(rows, None)
    except ServiceError as exc:
        raise PageError(422, f"Kan ikke laste ned: {error_text(exc)}") from None
    return itertools.chain([] if first is None else [first], rows)


def _format(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        raise PageError(404, "Velg .csv eller .xlsx.")
    return fmt


@router.get("/eksport/saker.{fmt}")
def caseloaddownload(request: Request, fmt: str, account: SignedIn) -> Response:
    """The caseload with the filters of /saker (every page of it, not just the one shown)."""
    reader(account)
    fmt = _format(fmt)
    q = request.query_params
    errors: dict[str, str] = {}
    wanted = CaseloadFilter(pathway=q.get("lop") or None, step=q.get("steg") or None, flag_kind=q.get("flagg") or None,
                            due_within=int_field(q.get("frist_innen"), "frist_innen", errors, high=3650),
                            q=q.get("q") or None, status=q.get("status") or "aktive",
                            sort=q.get("sort") or "frist", descending=q.get("synkende") == "1")
    if errors:
        raise PageError(422, f"Kan ikke laste ned: {'; '.join(errors.values())}")
    ctx = context(request, account)
    rows = _started(export.caseload_rows(ctx, wanted))
    return download(rows, export.CASELOAD_HEADERS, f"saksliste-{ctx.today().isoformat()}", fmt)


@router.get("/eksport/flagg.{fmt}")
def flagdownload(request: Request, fmt: str, account: SignedIn) -> Response:
    """The flag list with the filters of /flagg."""
    reader(account)
    fmt = _format(fmt)
    q = request.query_params
    ctx = context(request, account)
    rows = export.flag_rows(ctx, q.get("tilstand") or "aktive", q.get("type") or None, q.get("alvor") or None)
    return download(_started(rows), export.FLAG_HEADERS, f"flagg-{ctx.today().isoformat()}", fmt)
