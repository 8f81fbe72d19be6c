"""Issue 13, item 7: the import reads what kommuner have — Excel's semicolon CSV in Windows-1252 or UTF-8
(with or without BOM), comma CSV, and .xlsx — with Norwegian or English headers in any case and dates as
31.12.1990 or 1990-12-31; a check (the preview) writes nothing and reports every problem per line."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlmodel import select

from pathways.services import participants, tabular
from pathways.services.context import ServiceError
from pathways.services.participants import ImportRejected, check_import, import_csv
from pathways.store.tables import Participant
from tests.conftest import table_counts


def xlsx(rows: list[list[object]]) -> bytes:
    """A workbook of one sheet with these rows, written by openpyxl as Excel would save it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored(ctx) -> list[tuple[str, date, date | None, str, bool | None]]:
    with ctx.transaction() as session:
        return [(p.name, p.birth_date, p.settlement_date, p.gender, p.has_primary_school)
                for p in session.exec(select(Participant).order_by(Participant.id))]


NORWEGIAN = ("Navn;Fødselsdato;Bosatt;Kommune;Kjønn;Har grunnskole\r\n"
             "Åse Ødegård;31.12.1990;01.03.2025;Asker;kvinne;ja\r\n")


@pytest.mark.parametrize("raw", [
    NORWEGIAN.encode("utf-8"),
    b"\xef\xbb\xbf" + NORWEGIAN.encode("utf-8"),  # UTF-8 with BOM (Excel's "CSV UTF-8")
    NORWEGIAN.encode("cp1252"),  # Excel's "CSV (semikolonseparert)" on a Norwegian Windows
    NORWEGIAN.replace(";", ",").encode("utf-8"),
    b"NAME,BORN,SETTLED,KOMMUNE,gender,has_primary_school\n\xc3\x85se \xc3\x98deg\xc3\xa5rd,1990-12-31,2025-03-01,"
    b"Asker,female,true\n",
    "navn,født,bosettingsdato,kommune,kjønn,har_grunnskole\nÅse Ødegård,31.12.1990,1.3.2025,,K,Ja\n".encode("cp1252"),
], ids=["semicolon-utf8", "bom", "cp1252", "comma", "english-iso", "aliases-short-dates"])
def test_the_same_person_is_read_from_every_kind_of_csv(ctx, raw):
    ids = import_csv(ctx, raw, only_kommune="Asker")
    assert len(ids) == 1
    assert stored(ctx) == [("Åse Ødegård", date(1990, 12, 31), date(2025, 3, 1), "female", True)]


def test_a_navn_column_is_the_name_not_a_missing_column(ctx):
    """The bug in the issue: a 'navn' column got "navn: kolonnen mangler"."""
    [pid] = import_csv(ctx, "navn,fødselsdato\nLeyla Omar,05.04.1993\n".encode(), only_kommune="Asker")
    assert stored(ctx)[0][:2] == ("Leyla Omar", date(1993, 4, 5))
    assert pid


def test_xlsx_with_norwegian_headers_date_cells_and_text_dates(ctx):
    raw = xlsx([["Navn", "Fødselsdato", "Bosatt", "Kommune", "Forsørger antall", None],
                ["Amina Ali", datetime(1990, 3, 4), "01.05.2026", "Asker", 2, None],
                [None, None, None, None, None, None],  # an empty row in the middle is skipped
                ["Yonas Tesfay", "1988-07-08", None, None, None, None]])
    preview = check_import(ctx, raw, "liste.xlsx", only_kommune="Asker")
    assert (preview.kind, preview.count, preview.failed) == ("xlsx", 2, 0)
    assert [(r["line"], r["name"], r["born"], r["settled"]) for r in preview.sample] == [
        (2, "Amina Ali", "1990-03-04", "2026-05-01"), (4, "Yonas Tesfay", "1988-07-08", None)]
    assert table_counts(ctx).get("participant", 0) == 0  # the check writes nothing
    ids = import_csv(ctx, raw, "liste.xlsx", only_kommune="Asker")
    assert len(ids) == 2
    with ctx.transaction() as session:
        assert session.get(Participant, ids[0]).dependants == 2


def test_the_preview_reports_each_problem_with_line_and_column_and_the_import_writes_nothing(ctx):
    raw = xlsx([["navn", "fødselsdato", "bosatt", "kjønn"],
                ["God Rad", "31.12.1990", None, "mann"],
                ["", "01.01.1991", None, None],
                ["Feil Dato", "31.02.1990", None, None],
                ["Amerikansk", "12/31/1990", None, None],
                ["Ukjent Kjønn", "1990-01-01", None, "annet"],
                ["God Rad", "1990-12-31", None, None]])
    preview = check_import(ctx, raw, "liste.xlsx", only_kommune="Asker")
    assert preview.failed == 5
    assert [(e.line, e.field) for e in preview.errors] == [
        (3, "name"), (4, "born"), (5, "born"), (6, "gender"), (7, "row")]
    assert "31.12.1990 or 1990-12-31" in preview.errors[2].message
    assert "line 2" in preview.errors[4].message
    before = table_counts(ctx)
    with pytest.raises(ImportRejected):
        import_csv(ctx, raw, "liste.xlsx", only_kommune="Asker")
    assert table_counts(ctx) == before


def test_a_bad_row_at_the_end_of_a_long_file_leaves_the_database_unchanged(ctx):
    rows = "".join(f"Person {i};01.01.1990\n" for i in range(participants.WRITE_CHUNK + 5))
    raw = ("navn;fødselsdato\n" + rows + "Siste;1990-13-01\n").encode()
    before = table_counts(ctx)
    with pytest.raises(ImportRejected) as caught:
        import_csv(ctx, raw, only_kommune="Asker")
    assert [(e.line, e.field) for e in caught.value.errors] == [(participants.WRITE_CHUNK + 7, "born")]
    assert table_counts(ctx) == before


@pytest.mark.parametrize("raw, field, message", [
    (b"navn;name;born\nA;A;1990-01-01\n", "name", "appears twice"),
    (b"fornavn;born\nA;1990-01-01\n", "fornavn", "unknown column"),
    (b"fornavn;born\nA;1990-01-01\n", "name", "column missing"),
])
def test_header_problems_are_named(ctx, raw, field, message):
    with pytest.raises(ImportRejected) as caught:
        check_import(ctx, raw, only_kommune="Asker")
    assert any(e.line == 1 and e.field == field and message in e.message for e in caught.value.errors)


def test_an_xlsx_over_the_row_limit_is_refused_with_the_limit(ctx, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_XLSX_ROWS", 3)
    raw = xlsx([["navn", "fødselsdato"], *[[f"P {i}", "01.01.1990"] for i in range(4)]])
    with pytest.raises(ServiceError, match="more than 3 rows, the limit for an Excel file"):
        check_import(ctx, raw, "stor.xlsx", only_kommune="Asker")
    assert table_counts(ctx).get("participant", 0) == 0


def test_an_xlsx_that_unpacks_too_large_is_refused_before_it_is_read(ctx, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED", 1000)
    raw = xlsx([["navn", "fødselsdato"], ["A", "01.01.1990"]])
    with pytest.raises(ServiceError, match="too large an Excel file"):
        check_import(ctx, raw, "bombe.xlsx", only_kommune="Asker")


@pytest.mark.parametrize("text, expected", [
    ("31.12.1990", date(1990, 12, 31)), ("1.2.2001", date(2001, 2, 1)), ("1990-12-31", date(1990, 12, 31)),
    (" 05.04.1993 ", date(1993, 4, 5)), ("", None), (None, None), (datetime(2000, 1, 2, 0, 0), date(2000, 1, 2)),
])
def test_dates_norwegian_iso_and_cells(text, expected):
    assert tabular.parse_date(text, "born") == expected


@pytest.mark.parametrize("text", ["31.12.90", "12/31/1990", "0", "1990-02-30", "32.01.1990", "19901231"])
def test_other_dates_are_refused_naming_the_field(text):
    with pytest.raises(ServiceError) as caught:
        tabular.parse_date(text, "born")
    assert caught.value.field == "born"
