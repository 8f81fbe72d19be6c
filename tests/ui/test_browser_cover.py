"""The leder's cover flow in a real browser (issue 13, item 9): the leder opens «Veiledere», sets Ola as
vikar for Kari until a date; Ola signs in and finds Kari's case in his caseload and can open it; the day
after the date (the clock moved) it is gone from his list and still in Kari's. axe-core finds no
violation on the new page, and it fits a 390 px phone without sideways scrolling.

Fixtures and helpers are the browser tests' own (tests/ui/test_browser.py)."""

from __future__ import annotations

from datetime import date

from tests.ui.test_browser import (  # noqa: F401  (fixtures: live, chromium, page)
    CHROMIUM_ARGS,
    axe_violations,
    chromium,
    live,
    page,
    shoot,
    sign_in,
)


def test_a_leder_sets_a_cover_the_colleague_works_the_cases_until_the_date(live, page, chromium):  # noqa: F811
    base, world = live
    sign_in(page, base, "lise")
    page.get_by_role("link", name="Veiledere").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Veiledere i Asker"
    assert axe_violations(page) == []
    kari = page.locator("section.card", has=page.get_by_role("heading", name="Kari Nordmann"))
    assert kari.locator("dt", has_text="Aktive saker").locator("xpath=..").locator("dd").inner_text() == "1"
    kari.locator("summary", has_text="Sett vikar").click()
    kari.get_by_label("Vikar for Kari Nordmann").select_option(label="Ola Nordmann")
    kari.get_by_label("Til og med").fill("2026-12-31")
    kari.get_by_role("button", name="Sett vikar").click()
    page.wait_for_load_state("networkidle")
    assert "Ola Nordmann er vikar for Kari Nordmann til og med 31.12.2026." in page.locator("main").inner_text()
    covers = page.locator("section", has=page.get_by_role("heading", name="Vikarer nå"))
    assert "Kari Nordmann" in covers.inner_text() and "31.12.2026" in covers.inner_text()
    assert axe_violations(page) == []
    shoot(page, "10-veiledere")

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO")
    small = phone.new_page()
    sign_in(small, base, "lise")
    small.goto(f"{base}/veiledere")
    assert small.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.close()

    ola = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    try:
        covering = ola.new_page()
        sign_in(covering, base, "ola")
        assert "Du er vikar for Kari Nordmann til og med 31.12.2026" in covering.locator("main").inner_text()  # I dag
        covering.goto(f"{base}/saker")
        assert "Du er vikar for Kari Nordmann til og med 31.12.2026" in covering.locator("main").inner_text()
        row = covering.locator("table.cases tbody tr", has_text="Amina Ali")
        assert "Kari Nordmann" in row.inner_text()  # whose case it is, in the veileder column
        row.get_by_role("link", name="Amina Ali").click()
        covering.wait_for_load_state("networkidle")
        assert covering.get_by_role("heading", level=1).inner_text() == "Amina Ali"
        assert "vikar nå: Ola Nordmann" in covering.locator("main").inner_text()

        world.clock.set(date(2027, 1, 1))  # the day after the cover's last day (the session ends too)
        sign_in(covering, base, "ola")
        assert "Du er vikar" not in covering.locator("main").inner_text()  # I dag
        covering.goto(f"{base}/saker")
        assert "Amina Ali" not in covering.locator("main").inner_text()
        assert "Yonas Haile" in covering.locator("main").inner_text()
        sign_in(covering, base, "kari")
        covering.goto(f"{base}/saker")
        assert "Amina Ali" in covering.locator("table.cases").inner_text()
    finally:
        world.clock.set(date(2026, 11, 22))
        ola.close()
