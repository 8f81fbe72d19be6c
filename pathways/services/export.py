"""The caseload and the flag list as a spreadsheet: CSV as Norwegian Excel opens it (UTF-8 with a byte
order mark, semicolons) or Excel ``.xlsx``; Norwegian headers and dates.

The rows come from the same services as the pages (:func:`~pathways.services.dashboard.caseload`,
:func:`~pathways.services.dashboard.flags`), so an export holds what the page shows with its filters, in
the actor's scope (a veileder exports only their own cases), a chunk of rows at a time.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read by a
spreadsheet as a formula (CSV/formula injection, OWASP): it gets a leading ``'`` (:func:`safe_cell`).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from pathways.services.context import Context
from pathways.services.dashboard import (
    FLAG_KINDS,
    FLAG_STATES,
    SEVERITY,
    STATUS,
    CaseloadFilter,
    caseload,
    flags,
)

CHUNK = 500  # rows read from the service at a time
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CASELOAD_HEADERS = ("Sak", "Deltaker", "Løp", "Nå", "Status", "Startdato", "Neste frist", "Fristen gjelder",
                    "Frist passert", "Åpne flagg", "Flaggtyper", "Høyeste alvor", "Inntekt", "Veileder")
FLAG_HEADERS = ("Flagg", "Type", "Alvor", "Tilstand", "Deltaker", "Sak", "Frist", "Melding", "Utsatt til",
                "Løsning", "Løst av")
INCOME = {"nå": "Gap nå", "kommer": "Gap kommer", None: "Sikret"}


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, with a leading ``'``; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def caseload_rows(ctx: Context, wanted: CaseloadFilter) -> Iterator[list[Any]]:
    """Every case of the caseload with these filters (all pages), one list of cells each, in the page's order."""
    today = ctx.today()
    page = 1
    while True:
        found = caseload(ctx, replace(wanted, page=page), page_size=CHUNK)
        for r in found.rows:
            yield [r.id, r.name, r.pathway_title, ", ".join(r.steps), STATUS.get(r.status, r.status), r.start_date,
                   r.next_due, r.next_due_title or "", ("ja" if r.next_due < today else "nei") if r.next_due else "",
                   len(r.flags), ", ".join(r.flag_titles), SEVERITY.get(r.worst or "", ""),
                   INCOME.get(r.income_gap, ""), r.caseworker or ""]
        if found.page >= found.pages:
            return
        page += 1


def flag_rows(ctx: Context, state: str = "aktive", kind: str | None = None, severity: str | None = None
              ) -> Iterator[list[Any]]:
    """Every flag of the flag list with these filters (all pages), one list of cells each."""
    page = 1
    while True:
        found = flags(ctx, state, kind, severity, page, page_size=CHUNK)
        for f, name in found.rows:
            yield [f.id, FLAG_KINDS.get(f.kind, f.kind), SEVERITY.get(f.severity, f.severity),
                   FLAG_STATES.get(f.state, f.state), name or "", f.enrolment_id, f.due, f.message,
                   f.snoozed_until, f.resolution or "", f.resolved_by or ""]
        if found.page >= found.pages:
            return
        page += 1


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(safe_cell(value))


def as_csv(headers: Iterable[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """CSV for Norwegian Excel, a chunk of rows at a time: UTF-8 with a byte order mark, semicolons, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(headers)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_text(v) for v in row])
        if number % CHUNK == 0:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue().encode()


def as_xlsx(title: str, headers: Iterable[str], rows: Iterable[list[Any]]) -> bytes:
    """An Excel workbook of one sheet, written as a stream (openpyxl's write-only mode): bold headers, dates
    as date cells shown 31.12.2026, text never a formula."""
    from openpyxl import Workbook  # imported here: only an Excel export needs it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    sheet.freeze_panes = "A2"
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(value, date):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
            cells.append(cell)
        sheet.append(cells)
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        return spool.read()
