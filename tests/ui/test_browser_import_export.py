"""Issue 13, items 7 and 8 in a real browser: import an .xlsx of three people with Norwegian headers and
dates (preview, confirm, links to them), download the caseload, print the case page on one A4 sheet; axe
finds no WCAG 2.1 A/AA violation on the import pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook

from tests.ui import test_browser as e2e
from tests.ui.test_browser import AXE, CHROMIUM, shoot, sign_in

live, chromium, page = e2e.live, e2e.chromium, e2e.page  # the same server and browser fixtures

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


def all_violations(tab) -> list[dict]:
    """Every WCAG 2.1 A/AA violation axe finds, whatever its impact."""
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


def three_people(path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Navn", "Fødselsdato", "Bosatt", "Kjønn"], ["Hana Yusuf", "14.02.1991", "01.09.2026", "kvinne"],
                ["Samir Haddad", "30.11.1985", "01.09.2026", "mann"], ["Tigist Bekele", "1999-07-03", "", ""]):
        sheet.append(row)
    book.save(path)


def test_import_an_xlsx_of_three_people_preview_confirm_and_open_them(live, page, tmp_path):
    base, _world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/deltakere-import")
    assert all_violations(page) == []
    file = tmp_path / "nye.xlsx"
    three_people(file)
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(file))
    page.get_by_role("button", name="Last opp og kontroller").click()
    page.get_by_text("3 deltakere kan importeres").wait_for()
    preview = page.locator("table", has_text="De første radene")
    assert "Hana Yusuf" in preview.inner_text() and "14.02.1991" in preview.inner_text()
    assert "30.11.1985" in preview.inner_text()
    assert all_violations(page) == []
    shoot(page, "31-import-forhandsvisning")
    page.get_by_role("button", name="Importer 3 deltakere").click()
    page.get_by_text("3 deltakere importert").wait_for()
    assert all_violations(page) == []
    links = page.locator("ul.imported a")
    assert links.all_inner_texts() == ["Hana Yusuf", "Samir Haddad", "Tigist Bekele"]
    links.first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Hana Yusuf"
    assert page.get_by_label("Fødselsdato").input_value() == "1991-02-14"


def test_an_import_with_a_bad_row_shows_it_and_offers_no_confirmation(live, page, tmp_path):
    base, _world = live
    sign_in(page, base, "kari")
    file = tmp_path / "feil.csv"
    file.write_bytes("navn;fødselsdato\nGod Rad;01.01.1990\nDårlig Dato;31.02.1990\n".encode("cp1252"))
    page.goto(f"{base}/deltakere-import")
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(file))
    page.get_by_role("button", name="Last opp og kontroller").click()
    errors = page.locator("table", has_text="Feil i filen")
    errors.wait_for()
    assert re.search(r"3\s+fødselsdato\s+«31\.02\.1990» er ikke en dato som finnes", errors.inner_text())
    assert page.get_by_role("button", name=re.compile("^Importer")).count() == 0
    assert all_violations(page) == []


def test_download_the_caseload_as_csv(live, page):
    base, _world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Last ned CSV").click()
    download = caught.value
    assert download.suggested_filename == "saksliste-2026-11-22.csv"
    with open(download.path(), "rb") as stream:
        content = stream.read()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Sak", "Deltaker", "Løp"] and [r[1] for r in rows[1:]] == ["Amina Ali"]
    with page.expect_download() as caught:
        page.get_by_role("link", name="Last ned Excel").click()
    assert caught.value.suggested_filename == "saksliste-2026-11-22.xlsx"


def test_the_case_page_prints_as_one_a4_summary(live, page):
    base, world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}")
    page.wait_for_load_state("networkidle")
    assert page.locator("header.top nav").is_visible()
    assert page.locator("main form:visible").count() > 0 and page.locator("button:visible").count() > 0
    page.emulate_media(media="print")
    assert not page.locator("header.top nav").is_visible()
    assert page.locator("form:visible").count() == 0 and page.locator("button:visible").count() == 0
    for heading in ("Deltaker", "Flagg på saken", "Frister", "Livsopphold"):
        assert page.get_by_role("heading", name=heading, level=2).is_visible(), heading
    assert page.get_by_role("heading", level=1).is_visible()
    shoot(page, "32-sak-utskrift")
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one sheet
