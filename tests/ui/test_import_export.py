"""Issue 13, items 7 and 8 through the dashboard: an import is previewed, then confirmed (all or nothing)
and its result links to the people imported; the caseload and the flag list download as CSV for
Norwegian Excel and as .xlsx, scoped like the pages, with formulas neutralised."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, select

from pathways.services import cases
from pathways.services.export import CASELOAD_HEADERS, FLAG_HEADERS, safe_cell
from pathways.services.participants import add_participant
from pathways.store.tables import Participant
from tests.conftest import table_counts
from tests.ui.test_routes import wait_for_job
from ui import uploads


@pytest.fixture(autouse=True)
def private_uploads(tmp_path, monkeypatch):
    monkeypatch.setenv("PATHWAYS_UPLOADS", str(tmp_path / "uploads"))


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


THREE = xlsx([["Navn", "Fødselsdato", "Bosatt", "Kommune"],
              ["Leyla Omar", "05.04.1993", "01.10.2026", "Asker"],
              ["Dawit Tesfay", datetime(1989, 9, 9), None, None],
              ["Ånund Øyen", "1979-01-31", "10.10.2026", "asker"]])  # a kommune in other case: not Asker
SENT = ("liste.xlsx", THREE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_an_xlsx_is_previewed_then_imported_and_the_result_links_to_each_person(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    started = kari.post("/deltakere-import", files={"file": SENT})
    assert started.status_code == 303 and started.headers["location"].startswith("/deltakere-import/")
    html = wait_for_job(kari, started.headers["location"])
    # the third row's kommune «asker» is not Asker: the preview names line 4 and the column; nothing to confirm
    assert re.search(r'<td class="num">4</td><td>kommune</td><td>«asker» er ikke din kommune', html)
    assert "/bekreft" not in html and "Ingenting er lagret" in html
    assert table_counts(world.ctx) == before
    assert not list(uploads.folder().iterdir())  # the refused file is not kept

    fixed = xlsx([["NAVN", "fødselsdato", "bosatt"], ["Leyla Omar", "05.04.1993", "01.10.2026"],
                  ["Dawit Tesfay", datetime(1989, 9, 9), None], ["Ånund Øyen", "1979-01-31", "10.10.2026"]])
    started = kari.post("/deltakere-import", files={"file": ("liste.xlsx", fixed, SENT[2])})
    html = wait_for_job(kari, started.headers["location"])
    assert "3 deltakere kan importeres" in html
    assert "<td>Dawit Tesfay</td><td>09.09.1989</td><td>–</td>" in html
    assert table_counts(world.ctx) == before  # the preview wrote nothing
    [kept] = list(uploads.folder().iterdir())
    assert kept.stat().st_mode & 0o077 == 0  # only the server reads it

    assert browser("ola").post(started.headers["location"] + "/bekreft").status_code == 404  # not ola's import
    confirmed = kari.post(started.headers["location"] + "/bekreft")
    assert confirmed.status_code == 303
    html = wait_for_job(kari, confirmed.headers["location"])
    assert "3 deltakere importert" in html
    with Session(world.ctx.engine) as session:
        people = {p.name: p.id for p in session.exec(select(Participant).where(Participant.id > world.olena_pid))}
    assert set(people) == {"Leyla Omar", "Dawit Tesfay", "Ånund Øyen"}
    for name, pid in people.items():
        assert f'<a href="/deltakere/{pid}">{name}</a>' in html
    assert not kept.exists()  # deleted once imported
    again = kari.post(started.headers["location"] + "/bekreft")  # a second confirm imports nothing
    assert again.status_code == 303 and again.headers["location"] == "/deltakere-import"
    assert table_counts(world.ctx)["participant"] == before["participant"] + 3


def test_only_the_session_that_uploaded_can_confirm_and_cancel_deletes_the_file(app, browser, world):
    kari = browser("kari")
    started = kari.post("/deltakere-import", files={"file": ("a.csv", "navn;fødselsdato\nA B;01.02.1990\n".encode(),
                                                             "text/csv")})
    wait_for_job(kari, started.headers["location"])
    other_session = browser("kari")  # kari signed in elsewhere: her job, but not the session that uploaded
    refused = other_session.post(started.headers["location"] + "/bekreft")
    assert refused.status_code == 303 and refused.headers["location"] == "/deltakere-import"
    assert "/bekreft" not in other_session.get(started.headers["location"]).text
    before = table_counts(world.ctx)
    cancelled = kari.post(started.headers["location"] + "/avbryt")
    assert cancelled.status_code == 303
    assert "Importen er avbrutt" in kari.get("/deltakere-import").text
    assert not list(uploads.folder().iterdir())
    assert kari.post(started.headers["location"] + "/bekreft").headers["location"] == "/deltakere-import"
    assert table_counts(world.ctx) == before
    assert browser("lise").get(started.headers["location"]).status_code == 403  # a leder does not import


def test_an_upload_never_confirmed_is_deleted_after_an_hour(tmp_path):
    token, stored = uploads.create()
    with stored:
        stored.write(b"x")
    path = uploads.path_of(token)
    assert path is not None
    uploads.prune(now=path.stat().st_mtime + uploads.KEEP - 1)
    assert path.exists()
    uploads.prune(now=path.stat().st_mtime + uploads.KEEP + 1)
    assert not path.exists() and uploads.path_of(token) is None
    assert uploads.path_of("../../etc/passwd") is None


# -- export -------------------------------------------------------------------------------------------


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Norwegian Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_caseload_downloads_as_csv_scoped_like_the_page(browser, world):
    got = browser("kari").get("/eksport/saker.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == 'attachment; filename="saksliste-2026-11-22.csv"'
    rows = read_csv(got.content)
    assert tuple(rows[0]) == CASELOAD_HEADERS
    assert [r[1] for r in rows[1:]] == ["Amina Ali"]  # kari's only case; not ola's Yonas
    amina = rows[1]
    assert amina[0] == str(world.amina) and amina[8] == "ja"  # the vedtak deadline has passed
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", amina[5]) and re.fullmatch(r"\d\d\.\d\d\.\d{4}", amina[6])
    leder = read_csv(browser("lise").get("/eksport/saker.csv").content)
    assert sorted(r[1] for r in leder[1:]) == ["Amina Ali", "Yonas Haile"]  # the kommune; not Bærum's Olena
    filtered = read_csv(browser("lise").get("/eksport/saker.csv?q=yonas").content)
    assert [r[1] for r in filtered[1:]] == ["Yonas Haile"]
    assert browser("lise").get("/eksport/saker.csv?sort=tull").status_code == 422
    assert browser("anne").get("/eksport/saker.csv").status_code == 403  # an administrator reads no cases
    assert browser().get("/eksport/saker.csv").status_code in (303, 401)


def test_cells_that_would_be_formulas_are_escaped_in_csv_and_xlsx(browser, world):
    pid = add_participant(world.ctx, name="=HYPERLINK(\"http://x\";\"klikk\")", born="1990-01-01",
                          settled="2026-10-01", kommune="Asker")
    cases.enrol(world.ctx, pid, "introduksjonsprogram", date(2026, 10, 1), "kari")
    rows = read_csv(browser("kari").get("/eksport/saker.csv?sort=navn").content)
    assert '\'=HYPERLINK("http://x";"klikk")' in [r[1] for r in rows]
    content = browser("kari").get("/eksport/saker.xlsx?sort=navn").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    names = {c.value: c.data_type for c in sheet["B"][1:]}
    assert names['\'=HYPERLINK("http://x";"klikk")'] == "s"  # text, never a formula
    assert all(not str(c.value).startswith("=") for row in sheet.iter_rows() for c in row if c.value)


@pytest.mark.parametrize("value, expected", [
    ("=1+2", "'=1+2"), ("+47 123", "'+47 123"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Amina", "Amina"), ("a=b", "a=b"), (3, 3), (None, None),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_the_caseload_and_flags_download_as_xlsx_that_openpyxl_reads(browser, world):
    got = browser("kari").get("/eksport/saker.xlsx")
    assert got.status_code == 200 and got.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(got.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == CASELOAD_HEADERS and [r[1] for r in rows[1:]] == ["Amina Ali"]
    assert isinstance(rows[1][5], datetime) and sheet["F2"].number_format == "DD.MM.YYYY"
    flags = load_workbook(io.BytesIO(browser("kari").get("/eksport/flagg.xlsx").content)).worksheets[0]
    frows = list(flags.iter_rows(values_only=True))
    assert frows[0] == FLAG_HEADERS
    assert frows[1:] and {r[4] for r in frows[1:]} <= {"Amina Ali", None}  # kari's case's flags only
    per = read_csv(browser("per").get("/eksport/flagg.csv").content)
    assert per[1:] and {r[4] for r in per[1:]} <= {"Olena Kovalenko", ""}
    assert browser("kari").get("/eksport/flagg.pdf").status_code == 404


def test_the_pages_offer_the_downloads_with_their_filters(browser, world):
    html = browser("lise").get("/saker?q=amina&status=alle").text
    assert 'href="/eksport/saker.csv?q=amina&amp;status=alle"' in html and "Last ned Excel" in html
    html = browser("kari").get("/flagg?alvor=high").text
    assert 'href="/eksport/flagg.xlsx?alvor=high"' in html and "Last ned CSV" in html


# -- the REST API ---------------------------------------------------------------------------------------


def test_the_api_imports_the_same_formats_all_or_nothing(app, world):
    from fastapi.testclient import TestClient

    client = TestClient(app)
    auth = {"Authorization": f"Bearer {world.tokens['kari']}"}
    before = table_counts(world.ctx)
    checked = client.post("/api/deltakere/import?kontroll=true", headers=auth, files={"file": SENT})
    assert checked.status_code == 422  # «asker» on line 4 is not her kommune
    assert checked.json()["detail"] == [{"loc": ["body", "file", 4, "kommune"], "type": "value_error",
                                        "msg": "'asker' is not your kommune (Asker)"}]
    refused = client.post("/api/deltakere/import", headers=auth, files={"file": SENT})
    assert refused.status_code == 422 and table_counts(world.ctx) == before
    good = "Navn;Fødselsdato\r\nLeyla Omar;05.04.1993\r\nDawit Tesfay;1989-09-09\r\n".encode("cp1252")
    checked = client.post("/api/deltakere/import?kontroll=true", headers=auth, files={"file": ("l.csv", good)})
    assert checked.status_code == 200 and checked.json()["count"] == 2
    assert checked.json()["sample"][0]["born"] == "1993-04-05"
    assert table_counts(world.ctx) == before
    done = client.post("/api/deltakere/import", headers=auth, files={"file": ("l.csv", good)})
    assert done.status_code == 201 and done.json()["imported"] == 2
    assert client.post("/api/deltakere/import", headers={"Authorization": f"Bearer {world.tokens['lise']}"},
                       files={"file": ("l.csv", good)}).status_code == 403
    assert client.post("/api/deltakere/import", headers=auth,
                       files={"file": ("x.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 60)}).json()["detail"][0]["loc"] == [
        "body", "file"]
    assert table_counts(world.ctx)["participant"] == before["participant"] + 2


def test_the_generic_job_page_sends_an_import_to_its_own_page(browser, world):
    kari = browser("kari")
    started = kari.post("/deltakere-import", files={"file": ("a.csv", b"name,born\nA B,1990-01-01\n", "text/csv")})
    job_id = started.headers["location"].rsplit("/", 1)[1]
    moved = kari.get(f"/jobber/{job_id}")
    assert moved.status_code == 303 and moved.headers["location"] == f"/deltakere-import/{job_id}"
