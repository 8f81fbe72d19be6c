"""«I dag» in a real browser (Playwright + Chromium + axe): the home page after sign-in, rows that say what,
why and what to do, the action link to the right form on the right case, acknowledge and snooze in place
with the header's count updated without a reload; the worklist, the caseload and the case page at phone
width (390 px) without sideways scrolling."""

from __future__ import annotations

import itertools
import re

import pytest

from tests.ui.test_browser import CHROMIUM, axe_violations, chromium, live, page, shoot, sign_in

__all__ = ["chromium", "live", "page"]  # the fixtures, shared with the main browser tests
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= 390")


def test_at_390_px_worklist_caseload_and_case_page_need_no_sideways_scrolling(live, chromium):
    base, world = live
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO", bypass_csp=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        sign_in(phone, base, "lise")
        assert phone.url.endswith("/i-dag")
        assert phone.locator("li.work-item").count() >= 2
        assert no_sideways_scroll(phone), "the worklist scrolls sideways at 390 px"
        first = phone.locator("li.work-item").first
        box = first.locator("a.action").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390
        assert axe_violations(phone) == []
        shoot(phone, "20-i-dag-390")
        phone.goto(f"{base}/saker")
        assert no_sideways_scroll(phone), "the caseload scrolls sideways at 390 px"
        card = phone.locator("table.cases tbody tr", has_text="Amina Ali")
        for label in ("Neste frist", "Åpne flagg", "Inntekt"):
            cell = card.locator(f'td[data-label="{label}"]')
            assert cell.is_visible(), label
            cell_box = cell.bounding_box()
            assert cell_box is not None and cell_box["x"] >= 0 and cell_box["x"] + cell_box["width"] <= 390, label
        assert "passert" in card.locator('td[data-label="Neste frist"]').inner_text()
        assert "Gap nå" in card.locator('td[data-label="Inntekt"]').inner_text()
        assert axe_violations(phone) == []
        shoot(phone, "21-saksliste-390")
        phone.goto(f"{base}/saker/{world.amina}")
        assert no_sideways_scroll(phone), "the case page scrolls sideways at 390 px"
        labels = phone.evaluate("""() => [...document.querySelectorAll('.months span')]
            .filter(s => s.offsetParent !== null).map(s => { const r = s.getBoundingClientRect();
            return [r.left, r.right]; })""")
        assert labels, "no month labels shown"
        for (_, right), (left, _) in itertools.pairwise(labels):
            assert right <= left, f"month labels overlap: {labels}"
        shoot(phone, "22-sak-390")
    finally:
        context.close()


def test_veileder_day_starts_on_the_worklist_and_acts_on_it_in_place(live, page):
    base, world = live
    sign_in(page, base, "kari")
    assert page.url.endswith("/i-dag")
    assert page.get_by_role("heading", level=1).inner_text() == "I dag"
    header_count = page.locator("#i-dag-antall")
    assert header_count.inner_text() == "2"
    rows = page.locator("li.work-item")
    assert rows.count() == 2
    top = rows.first.locator(".work-line").inner_text()
    assert re.match(r"Frist passert 01\.08\.2026: Vedtak om introduksjonsprogram senest 3 måneder etter bosetting"
                    r" — registrer «Vedtak om introduksjonsprogram fattet \(§ 12\)»", top), top
    assert " — registrer inntekten" in rows.nth(1).locator(".work-line").inner_text()
    assert axe_violations(page) == []
    shoot(page, "23-i-dag")

    rows.first.locator("a.action").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/saker/{world.amina}?hendelse=vedtak_fattet#hendelse")
    assert "Amina Ali" in page.locator("main").inner_text()
    page.go_back()
    page.wait_for_load_state("networkidle")

    page.evaluate("() => { window.notReloaded = true; }")
    rows.first.get_by_role("button", name=re.compile("^Kvitter")).click()
    page.wait_for_function("() => document.querySelectorAll('li.work-item').length === 1")
    assert header_count.inner_text() == "1"
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
    remaining = page.locator("li.work-item").first
    remaining.get_by_label("Utsett til").fill("2026-12-01")
    remaining.get_by_role("button", name=re.compile("^Utsett")).click()
    page.wait_for_function("() => document.querySelectorAll('li.work-item').length === 0")
    assert header_count.inner_text() == "0"
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
    page.reload()
    assert "Ingenting å følge opp i dag" in page.locator("main").inner_text()
    assert page.locator("#i-dag-antall").inner_text() == "0"
