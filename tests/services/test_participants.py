"""Participants: added with their rule facts, imported all or nothing, bad input refused with the field."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services import participants
from pathways.services.context import ServiceError
from pathways.services.participants import ImportRejected
from tests.conftest import table_counts


def test_add_participant_creates_the_kommune_once(ctx):
    first = participants.add_participant(ctx, name="Amina", born="1990-01-02", settled="2025-03-01",
                                         kommune="Asker", fields={"norwegian_oral": "B1", "dependants": "2"})
    second = participants.add_participant(ctx, name="Yonas", born=date(2001, 5, 6), settled=None, kommune="Asker")
    assert second == first + 1
    counts = table_counts(ctx)
    assert counts["participant"] == 2 and counts["kommune"] == 1


@pytest.mark.parametrize("kwargs, field", [
    ({"name": " "}, "name"),
    ({"born": "1990-13-01"}, "born"),
    ({"settled": "1980-01-01"}, "settled"),
    ({"kommune": ""}, "kommune"),
    ({"fields": {"norwegian_oral": "B3"}}, "norwegian_oral"),
    ({"fields": {"favourite_colour": "blå"}}, "favourite_colour"),
    ({"fields": {"dependants": "-1"}}, "dependants"),
    ({"fields": {"legal_regime": "utlendingsloven"}}, "legal_regime"),
    # implausible dates (issue 11): born 1900 to today, settled 1950 to a year ahead
    ({"born": "1899-12-31"}, "born"),
    ({"born": "2026-11-23", "settled": None}, "born"),
    ({"settled": "9999-12-31"}, "settled"),
    ({"settled": "2027-11-24"}, "settled"),
    ({"born": "1900-01-01", "settled": "1949-12-31"}, "settled"),
    ({"fields": {"dependants": str(2**31)}}, "dependants"),
    ({"name": "Amina\x00"}, "name"),
    ({"name": "Amina\ud800"}, "name"),
    ({"kommune": "Asker\x00"}, "kommune"),
    ({"kommune": "A" * 101}, "kommune"),
])
def test_bad_participant_input_names_the_field_and_writes_nothing(ctx, kwargs, field):
    before = table_counts(ctx)
    args = {"name": "Amina", "born": "1990-01-02", "settled": "2025-03-01", "kommune": "Asker", **kwargs}
    with pytest.raises(ServiceError) as caught:
        participants.add_participant(ctx, **args)
    assert caught.value.field == field
    assert table_counts(ctx) == before


@pytest.mark.parametrize("born, settled", [("1900-01-01", "1950-01-01"), ("2026-11-22", "2027-11-23")])
def test_the_edges_of_the_plausible_ranges_are_accepted(ctx, born, settled):
    participants.add_participant(ctx, name="Amina", born=born, settled=settled, kommune="Asker")


def test_import_is_all_or_nothing_with_line_numbers(ctx, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("name,born,settled,kommune,norwegian_oral\nAmina,1990-01-02,2025-03-01,Asker,B1\n"
                    "Yonas,2001-05-06,,Bærum,\n", encoding="utf-8")
    ids = participants.import_participants(ctx, good)
    assert len(ids) == 2
    before = table_counts(ctx)
    bad = tmp_path / "bad.csv"
    bad.write_text("name;born;settled;kommune\nOk Person;1990-01-02;2025-03-01;Asker\n;1990-01-02;;Asker\n"
                   "Feil Dato;1990-02-30;;Asker\nSent;2000-01-01;1999-01-01;Asker\nMange;2000-01-01;;Asker;x\n",
                   encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        participants.import_participants(ctx, bad)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "name"), (4, "born"), (5, "settled"), (6, "row")]
    assert "nothing was imported" in str(caught.value)
    assert table_counts(ctx) == before


@pytest.mark.parametrize("content, message", [
    (b"born,kommune\nA,1990-01-01,Asker\n", "column missing"),
    (b"", "the file is empty"),
    (b"name,born,kommune,shoe_size\nA,1990-01-01,Asker,42\n", "unknown column"),
    (b"name,born,kommune\n", "no participants"),
    (b"name,born,kommune\n\x81\x8d,1990-01-01,Asker\n", "neither UTF-8 nor Windows-1252"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel file"),
    (b"PK\x03\x04broken", "not an Excel file"),
    (b"name,born,kommune\n" + b"a" * 200_000 + b",1990-01-01,Asker\n", "not CSV: field larger than field limit"),
])
def test_broken_import_files_are_refused(ctx, tmp_path, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match=message):
        participants.import_participants(ctx, path)
    assert table_counts(ctx) == before


def test_the_g_table_is_seeded_once_and_read_back(ctx):
    from pathways.income.grunnbelop import DEFAULT_G
    from pathways.services.grunnbelop import g_table, seed_g_table

    assert seed_g_table(ctx) == len(DEFAULT_G.entries)
    assert seed_g_table(ctx) == 0
    assert g_table(ctx).g_on(date(2019, 6, 1)) == DEFAULT_G.g_on(date(2019, 6, 1))


def test_an_import_reports_implausible_dates_and_duplicate_rows_and_writes_nothing(ctx, tmp_path):
    """Issue 11: a settlement in year 9999 is refused like any bad value; a row with the same name and
    birth date as an earlier row of the file is reported (with both lines), not imported twice."""
    path = tmp_path / "x.csv"
    path.write_text("name,born,settled,kommune\nAmina Ali,1990-01-02,2025-03-01,Asker\n"
                    "Yonas,2001-05-06,9999-12-31,Asker\namina  ali,1990-01-02,,Bærum\n"
                    "Amina Ali,1990-01-03,,Asker\nNul\x00,1990-01-03,,Asker\n", encoding="utf-8")
    before = table_counts(ctx)
    with pytest.raises(ImportRejected) as caught:
        participants.import_participants(ctx, path)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "settled"), (4, "row"), (6, "name")]
    assert "the same name and birth date as line 2" in caught.value.errors[1].message
    assert table_counts(ctx) == before


def test_a_large_import_is_written_in_chunks_and_keeps_the_row_order(ctx, tmp_path):
    path = tmp_path / "many.csv"
    rows = participants.WRITE_CHUNK * 2 + 7
    path.write_text("name;born;kommune\n" + "".join(f"Person {i};1990-01-01;Asker\n" for i in range(rows)),
                    encoding="utf-8")
    ids = participants.import_participants(ctx, path)
    assert len(ids) == rows and ids == sorted(ids)
    with ctx.transaction() as session:
        assert participants.get_participant(session, ids[-1]).name == f"Person {rows - 1}"


def test_an_import_with_very_many_bad_rows_keeps_the_first_thousand_and_counts_the_rest(ctx, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,born,kommune\n" + "x,1990-13-01,Asker\n" * 1500, encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"^1500 error") as caught:
        participants.import_participants(ctx, path)
    assert len(caught.value.errors) == participants.MAX_REPORTED
