"""Tasks and the summary by e-mail in a real browser: the veileder gives a task about a case to her unit
with the keyboard alone, it is in her «I dag», and she completes it there with a note (the row leaves the
list in the same answer); she chooses a daily summary on «Innstillinger»; the administrator reads how the
summaries went. axe-core finds no violation on any of these pages, and at 390 px they fit the screen.

Fixtures and helpers are the browser tests' own (tests/ui/test_browser.py)."""

from __future__ import annotations

from tests.ui.test_browser import (  # noqa: F401  (fixtures: live, chromium, page)
    axe_violations,
    chromium,
    live,
    page,
    sign_in,
)


def test_a_task_is_given_by_keyboard_listed_in_i_dag_and_completed_with_a_note(live, page):  # noqa: F811
    base, world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Oppgaver").is_visible()
    summary = page.locator("#oppgaver summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens «Gi en oppgave»
    page.keyboard.press("Tab")
    page.keyboard.type("Bestill tolk til kartleggingen")
    page.get_by_label("Frist", exact=True).and_(page.locator("input")).fill("2026-11-24")
    page.get_by_label("Gi den til").select_option(label="Flyktningtjenesten")
    page.get_by_label("Gi den til").focus()
    page.keyboard.press("Tab")  # to «Gi oppgaven»
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "Oppgaven er gitt." in page.locator("main").inner_text()
    assert "Bestill tolk til kartleggingen" in page.locator("#oppgaver").inner_text()
    assert axe_violations(page) == []

    page.goto(f"{base}/i-dag?alle=1")
    page.wait_for_load_state("networkidle")
    row = page.locator("li.work-item", has_text="Bestill tolk til kartleggingen")
    assert "Oppgave med frist 24.11.2026" in row.inner_text()
    assert axe_violations(page) == []
    row.get_by_label("Notat").fill("Tolk bestilt")
    row.get_by_role("button", name="Merk som utført").click()
    page.wait_for_function("() => !document.body.innerText.includes('Bestill tolk til kartleggingen')")
    assert "Oppgaven er utført" in page.locator("#i-dag-status").inner_text()
    page.goto(f"{base}/saker/{world.amina}")
    assert "Tolk bestilt" in page.locator("#oppgaver").inner_text()


def test_settings_and_the_summaries_page_at_390_px(live, chromium):  # noqa: F811
    base, _world = live
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO", bypass_csp=True)
    try:
        small = phone.new_page()
        sign_in(small, base, "kari")
        small.get_by_role("link", name="Innstillinger").click()
        small.wait_for_load_state("networkidle")
        assert small.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert axe_violations(small) == []
        small.get_by_label("Hver morgen").check()
        small.get_by_label("E-postadresse på jobb").fill("kari@asker.kommune.no")
        with small.expect_navigation():
            small.get_by_role("button", name="Lagre innstillingene").click()
        assert "Innstillingene er lagret." in small.locator("main").inner_text()
        assert small.get_by_label("Hver morgen").is_checked()
        sign_in(small, base, "anne")
        small.goto(f"{base}/admin/oppsummering")
        small.wait_for_load_state("networkidle")
        assert small.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert "ikke sendt" in small.locator("#oppsummering-kari").inner_text()
        assert axe_violations(small) == []
    finally:
        phone.close()
