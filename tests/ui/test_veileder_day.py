"""Issue 13, "Tests": the whole day of a veileder in a real browser (Playwright + Chromium + axe).

Ola signs in and lands on «I dag»; its top item is an income gap (Yonas's introduksjonsstønad ended on
15.11.2026 and nothing was registered after it). He opens it, registers the missing period in the livelihood
form, sees the gap box turn green and the item leave the worklist; he enrols Fatima, records an event the
guard refuses, reads why in bokmål, fixes the facts on the participant form, records the event and reads
its values in the timeline; he downloads his caseload and imports an .xlsx of three people. Then the
worklist and the case page at 390 px. axe-core finds no WCAG 2.1 A/AA violation on any page visited.

The module has its own server and world (``live`` is module-scoped): the tests run in order.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import Workbook
from sqlmodel import Session

from pathways.services import livelihood
from pathways.store.tables import Enrolment
from tests.ui.test_browser import CHROMIUM, axe_violations, shoot, sign_in
from tests.ui.test_browser import chromium as chromium  # the fixtures, shared with the main browser tests
from tests.ui.test_browser import live as live
from tests.ui.test_browser import page as page

# the tests run in order on one server (the phone test reads what the day left): make test runs them on one
# xdist worker (--dist loadfile)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")

GAP_START = date(2026, 11, 16)  # the day after Yonas's introduksjonsstønad ends


def no_violations(tab, where: str) -> None:
    found = axe_violations(tab)
    assert found == [], f"axe finds violations on {where}: {found}"


def yonas_pid(world) -> int:
    with Session(world.ctx.engine) as session:
        case = session.get(Enrolment, world.yonas)
        assert case is not None
        return case.participant_id


def seed_the_gap(world) -> int:
    """Yonas's introduksjonsstønad ran 01.10.–15.11.2026 and nothing follows it: a gap now, since 16.11."""
    pid = yonas_pid(world)
    livelihood.add_income(world.ctx, pid, "introduksjonsstonad", date(2026, 10, 1), date(2026, 11, 15))
    return pid


def three_people(path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Navn", "Fødselsdato", "Bosatt", "Kjønn"],
                ["Hana Yusuf", "14.02.1991", "01.09.2026", "kvinne"],
                ["Samir Haddad", "30.11.1985", "01.09.2026", "mann"],
                ["Tigist Bekele", "03.07.1999", "15.10.2026", "kvinne"]):
        sheet.append(row)
    book.save(path)


def _open_event(tab, title: str):
    tab.locator("details.event summary", has_text=title).click()
    return tab.locator("details.event[open] form")


def _fill_candidate(form) -> None:
    form.get_by_label(re.compile("^Fagbrevløp")).select_option("helsefagarbeider")
    form.get_by_role("group", name=re.compile("Motivert og personlig egnet")).get_by_label("Ja").check()
    form.get_by_role("group", name=re.compile("Norsknivå svært nær B1")).get_by_label("Nei").check()
    form.get_by_role("button", name=re.compile("Registrer")).click()


def test_a_veileder_day_from_the_worklist_to_the_import(live, page, tmp_path):
    base, world = live
    pid = seed_the_gap(world)
    gap_key = f"gap-{pid}-{GAP_START.isoformat()}"

    # sign in: «I dag» is the home page
    page.goto(f"{base}/logg-inn")
    no_violations(page, "/logg-inn")
    sign_in(page, base, "ola")
    assert page.url.endswith("/i-dag"), f"after signing in the browser is on {page.url}, not /i-dag"
    assert page.get_by_role("heading", level=1).inner_text() == "I dag"
    rows = page.locator("li.work-item")
    assert rows.count() >= 1, "ola's worklist is empty; it should hold Yonas's income gap"
    top = rows.first
    assert top.get_attribute("id") == gap_key, f"the top item is {top.get_attribute('id')}, not the income gap"
    line = top.locator(".work-line").inner_text()
    assert "Ingen inntekt registrert siden 16.11.2026" in line, line
    assert "Introduksjonsstønad slutter 15.11.2026" in line, line
    assert "registrer inntekten" in line, line
    assert "Yonas Haile" in top.inner_text()
    count_before = int(page.locator("#i-dag-antall").inner_text())
    no_violations(page, "/i-dag")
    shoot(page, "40-dag-i-dag")

    # open the top item: the case page, its livelihood section with the form open and filled in
    top.locator("a.action").click()
    page.wait_for_load_state("networkidle")
    assert f"/saker/{world.yonas}" in page.url, page.url
    assert page.url.endswith("#inntekt"), page.url
    section = page.locator("#inntekt")
    box = section.locator(".gap-box")
    assert "Inntektsgap" in box.inner_text() and "16.11.2026" in box.inner_text(), box.inner_text()
    assert "ok" not in (box.get_attribute("class") or "").split()
    form = section.locator("#registrer-inntekt")
    assert form.get_attribute("open") is not None, "the worklist's link does not open the income form"
    assert form.get_by_label("Kilde").input_value() == "introduksjonsstonad"
    assert form.get_by_label("Fra").input_value() == GAP_START.isoformat()
    no_violations(page, f"/saker/{world.yonas} (gap)")
    case_url = page.url

    # register the missing period: the gap box turns green, in place
    form.get_by_label(re.compile("^Til")).fill("2027-09-30")
    form.get_by_label("Bekreftet").check()
    form.get_by_role("button", name="Registrer inntekt").click()
    page.locator("#inntekt .notice.ok[role=status]", has_text="Inntekten er registrert").wait_for()
    box = page.locator("#inntekt .gap-box")
    assert "Ingen inntektsgap" in box.inner_text(), box.inner_text()
    assert "ok" in (box.get_attribute("class") or "").split()
    colour = box.evaluate("e => getComputedStyle(e).backgroundColor")
    red, green, blue = (int(c) for c in re.findall(r"\d+", colour)[:3])
    assert green > red and green > blue, f"the covered gap box is not green: {colour}"
    assert page.url == case_url  # swapped in place, no reload
    no_violations(page, f"/saker/{world.yonas} (covered)")
    shoot(page, "41-dag-gap-dekket")

    # the item has left the worklist, and the header's count went down
    page.goto(f"{base}/i-dag")
    assert page.locator(f"li.work-item[id='{gap_key}']").count() == 0, "the covered gap is still on the worklist"
    assert "Yonas Haile" not in page.locator("main").inner_text()
    assert int(page.locator("#i-dag-antall").inner_text()) == count_before - 1

    # enrol Fatima and record an event the guard refuses: the reasons in bokmål
    page.goto(f"{base}/deltakere/{world.fatima_pid}")
    no_violations(page, f"/deltakere/{world.fatima_pid}")
    page.get_by_label("Løp", exact=True).select_option("praksiskandidat")
    page.get_by_role("button", name=re.compile("Meld inn")).click()
    page.wait_for_load_state("networkidle")
    assert "Deltakeren er meldt inn" in page.locator("main").inner_text()
    _fill_candidate(_open_event(page, "Kandidat meldt til fagbrevløpet"))
    page.wait_for_load_state("networkidle")
    refused = page.locator("#refused").inner_text()
    assert "Registrert hos NAV er ikke registrert; må være ja" in refused, refused
    assert "norsk muntlig og norsk skriftlig er ikke registrert; må være B1 eller høyere" in refused, refused
    assert "registered_with_nav" not in refused and "None" not in refused, refused
    no_violations(page, "the case page with a refused event")
    shoot(page, "42-dag-avvist")

    # fix the facts on the participant form
    page.locator("#refused").get_by_role("link", name="deltakeropplysningene").click()
    page.wait_for_load_state("networkidle")
    assert f"/deltakere/{world.fatima_pid}" in page.url, page.url
    page.get_by_role("group", name="Registrert hos NAV").get_by_label("Ja").check()
    page.get_by_label("Norsk muntlig").select_option("B1")
    page.get_by_label("Norsk skriftlig").select_option("B2")
    page.get_by_role("button", name="Lagre endringer").click()
    page.wait_for_load_state("networkidle")
    assert "Endringene er lagret" in page.locator("main").inner_text()
    no_violations(page, f"/deltakere/{world.fatima_pid} (saved)")

    # record the event: its values in words in the timeline
    page.locator("#saker-h + ul").get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    _fill_candidate(_open_event(page, "Kandidat meldt til fagbrevløpet"))
    page.wait_for_load_state("networkidle")
    main = page.locator("main").inner_text()
    assert "Hendelsen er registrert" in main, main[:500]
    event = page.locator("li.story-event").first.inner_text()
    assert "Kandidat meldt til fagbrevløpet" in event, event
    assert re.search(r"Motivert og personlig egnet \(veileders vurdering\)\s*ja", event), event
    assert re.search(r"Fagbrevløp\s*helsefagarbeider", event), event
    assert "Registrert av Ola Nordmann" in event, event
    no_violations(page, "the case page with the recorded event")
    shoot(page, "43-dag-tidslinje")

    # export the caseload: the file holds both of ola's cases
    page.goto(f"{base}/saker")
    no_violations(page, "/saker")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Last ned CSV").click()
    download = caught.value
    assert download.suggested_filename == "saksliste-2026-11-22.csv"
    with open(download.path(), "rb") as stream:
        rows_out = list(csv.reader(io.StringIO(stream.read().decode("utf-8-sig")), delimiter=";"))
    assert rows_out[0][:3] == ["Sak", "Deltaker", "Løp"], rows_out[0]
    assert sorted(r[1] for r in rows_out[1:]) == ["Fatima Hassan", "Yonas Haile"], rows_out
    assert str(world.yonas) in [r[0] for r in rows_out[1:]], rows_out

    # import an .xlsx of three people with Norwegian headers and dates: preview, confirm, links to them
    page.goto(f"{base}/deltakere-import")
    no_violations(page, "/deltakere-import")
    file = tmp_path / "nye-deltakere.xlsx"
    three_people(file)
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(file))
    page.get_by_role("button", name="Last opp og kontroller").click()
    page.get_by_text("3 deltakere kan importeres").wait_for()
    preview = page.locator("table", has_text="De første radene").inner_text()
    for expected in ("Hana Yusuf", "14.02.1991", "Samir Haddad", "30.11.1985", "Tigist Bekele", "03.07.1999"):
        assert expected in preview, f"{expected} is not in the preview: {preview}"
    no_violations(page, "the import preview")
    page.get_by_role("button", name="Importer 3 deltakere").click()
    page.get_by_text("3 deltakere importert").wait_for()
    no_violations(page, "the import result")
    shoot(page, "44-dag-importert")
    links = page.locator("ul.imported a")
    assert links.all_inner_texts() == ["Hana Yusuf", "Samir Haddad", "Tigist Bekele"]
    links.nth(2).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Tigist Bekele"
    assert page.get_by_label("Fødselsdato").input_value() == "1999-07-03"
    no_violations(page, "an imported participant")


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("() => document.documentElement.scrollWidth <= 390")


def inside(tab, locator, what: str) -> None:
    assert locator.is_visible(), f"{what} is not visible at 390 px"
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{what} is outside: {box}"


def test_at_390_px_the_worklist_and_the_case_page_fit_and_show_the_status(live, chromium):
    base, world = live
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO", bypass_csp=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        sign_in(phone, base, "ola")
        assert phone.url.endswith("/i-dag"), phone.url
        assert no_sideways_scroll(phone), "the worklist scrolls sideways at 390 px"
        inside(phone, phone.get_by_role("heading", level=1), "the worklist's heading")
        inside(phone, phone.locator("#i-dag-antall"), "the worklist's count in the header")
        items = phone.locator("li.work-item")  # what is left: Fatima's new case has no income yet
        assert items.count() == 1, items.all_inner_texts()
        assert "Fatima Hassan" in items.first.inner_text()
        inside(phone, items.first.locator(".work-line"), "the top item's line")
        inside(phone, items.first.locator("a.action"), "the top item's action")
        no_violations(phone, "/i-dag at 390 px")
        shoot(phone, "45-dag-i-dag-390")

        phone.goto(f"{base}/saker/{world.yonas}")
        assert no_sideways_scroll(phone), "the case page scrolls sideways at 390 px"
        inside(phone, phone.get_by_role("heading", level=1), "the case's heading")
        status = phone.locator("main p.lead strong").first
        inside(phone, status, "the case's status")
        assert status.inner_text() == "Aktiv"
        phone.locator("#inntekt .gap-box").scroll_into_view_if_needed()
        inside(phone, phone.locator("#inntekt .gap-box"), "the income status")
        assert "Ingen inntektsgap" in phone.locator("#inntekt .gap-box").inner_text()
        no_violations(phone, f"/saker/{world.yonas} at 390 px")
        shoot(phone, "46-dag-sak-390")
    finally:
        context.close()
