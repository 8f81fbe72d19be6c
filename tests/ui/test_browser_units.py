"""Units in a real browser (issue 14, «Organisations and people»): the administrator adds a unit on
«Enheter» with the keyboard alone, then adds a user into it on «Brukere»; axe-core finds no violation on
either page; at 390 px both pages and the caseload's «Ansvarlig nå» (in its card layout) fit the screen.

Fixtures and helpers are the browser tests' own (tests/ui/test_browser.py)."""

from __future__ import annotations

from tests.ui.test_browser import (  # noqa: F401  (fixtures: live, chromium, page)
    axe_violations,
    chromium,
    live,
    page,
    shoot,
    sign_in,
)


def test_an_administrator_adds_a_unit_by_keyboard_and_a_user_into_it(live, page):  # noqa: F811
    base, _world = live
    sign_in(page, base, "anne")
    page.get_by_role("link", name="Enheter").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Enheter i Asker"
    assert axe_violations(page) == []
    page.get_by_label("Type").focus()
    page.keyboard.press("ArrowDown")  # Flyktningtjenesten → NAV
    page.keyboard.press("Tab")
    page.keyboard.type("NAV Asker")
    with page.expect_navigation():  # the form posts and the page comes back with the message
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    main = page.locator("main").inner_text()
    assert "Enheten «NAV Asker» er lagt til." in main
    assert page.locator("table tr", has_text="NAV Asker").locator("td").nth(1).inner_text() == "NAV"
    assert axe_violations(page) == []
    shoot(page, "24-enheter-lagt-til")

    page.get_by_role("link", name="Brukere").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Brukernavn").fill("nina")
    page.get_by_label("Navn", exact=True).fill("Nina Nav")
    page.get_by_label("Enhet").select_option(label="NAV Asker (NAV)")
    with page.expect_navigation():
        page.get_by_role("button", name="Opprett bruker").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table tr", has_text="Nina Nav").locator("td").nth(3).inner_text() == "NAV Asker"
    assert axe_violations(page) == []


def test_units_users_and_the_caseload_fit_a_phone(live, chromium):  # noqa: F811
    base, _world = live
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO")
    try:
        small = phone.new_page()
        sign_in(small, base, "anne")
        for path in ("/admin/enheter", "/admin/brukere"):
            small.goto(base + path)
            assert small.evaluate("() => document.documentElement.scrollWidth") <= 390, path
            button = small.locator("main form button[type=submit]").first.bounding_box()
            assert button is not None and button["x"] + button["width"] <= 390, path
        sign_in(small, base, "lise")
        small.goto(f"{base}/saker")
        assert small.evaluate("() => document.documentElement.scrollWidth") <= 390
        cell = small.locator("table.cases tbody tr", has_text="Amina Ali").locator('td[data-label="Ansvarlig nå"]')
        assert cell.is_visible() and "Kari Nordmann" in cell.inner_text()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        shoot(small, "25-saksliste-ansvarlig-mobil")
    finally:
        phone.close()
