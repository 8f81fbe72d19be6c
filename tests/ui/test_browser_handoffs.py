"""A hand-off in a real browser (issue 14): the veileder sends Amina to NAV Asker from her case page with the
checklist ticked; the nightly check six working days later flags that NAV has not received it; a NAV user
signs in, sees only Amina, and accepts naming herself; the flag is resolved at once, and from the planned
date both sides' case pages say «ansvarlig nå»: Nina Nav, NAV Asker. axe-core finds no violation on the
pages on the way; at 390 px the form and the inbox fit the screen.

Fixtures and helpers are the browser tests' own (tests/ui/test_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from pathways.checks.sweep import run_checks
from tests.services.test_handoffs import PLANNED, handoff_world
from tests.ui.test_browser import (  # noqa: F401  (fixtures: chromium, page)
    CHROMIUM,
    axe_violations,
    chromium,
    page,
    serving,
    shoot,
    sign_in,
)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def live(tmp_path_factory, free_port) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory, free_port, handoff_world) as served:
        yield served


def test_sent_flagged_accepted_by_nav_and_responsible_on_both_sides(live, page, chromium):  # noqa: F811
    base, world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}")
    section = page.locator("#overforing")
    section.get_by_text("Overfør til en annen enhet").click()
    section.get_by_label("Mottakende enhet").select_option(label="NAV Asker (NAV)")
    section.get_by_label("Planlagt overføringsdato").fill(PLANNED.isoformat())
    section.get_by_label("Melding til mottakeren").fill("Overgang til NAV-tiltak etter programmet")
    for box in section.locator('input[type="checkbox"]').all():
        box.check()
    section.get_by_label("Notat om «Inntektsplan: livsopphold fra overføringsdatoen»").fill("Tiltakspenger")
    assert axe_violations(page) == []
    with page.expect_navigation():
        section.get_by_role("button", name="Send overføringen").click()
    page.wait_for_load_state("networkidle")
    assert "Overføringen er sendt." in page.locator("main").inner_text()
    assert page.locator("#overforing .handoff-status").first.inner_text() == "Venter"
    shoot(page, "26-overforing-sendt")

    run_checks(world.ctx.engine, date(2026, 11, 30), ["handoffs"])  # the sixth working day after sending
    world.clock.set(date(2026, 11, 30))  # eight days on: the sessions of the 22nd have expired
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}")
    assert "Overføring ikke mottatt" in page.locator("#flagg").inner_text()

    nav = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO", bypass_csp=True)
    try:
        nina = nav.new_page()
        sign_in(nina, base, "nina")
        nina.get_by_role("link", name="Saksliste").click()
        nina.wait_for_load_state("networkidle")
        rows = nina.locator("table.cases tbody tr")
        assert rows.count() == 1 and "Amina Ali" in rows.first.inner_text()
        nina.get_by_role("link", name="Overføringer").click()
        nina.wait_for_load_state("networkidle")
        assert nina.get_by_role("heading", level=1).inner_text() == "Overføringer til oss"
        assert "Tiltakspenger" in nina.locator("main").inner_text()
        assert axe_violations(nina) == []
        shoot(nina, "27-overforinger-til-oss")
        nina.get_by_label("Ansvarlig fra 06.12.2026").select_option(label="Nina Nav")
        with nina.expect_navigation():
            nina.get_by_role("button", name="Ta imot overføringen").click()
        nina.wait_for_load_state("networkidle")
        assert "Overføringen er mottatt." in nina.locator("main").inner_text()
        page.goto(f"{base}/saker/{world.amina}")  # the sender's, still theirs until the planned date
        assert not any("Overføring ikke mottatt" in t for t in page.locator("#flagg ul.flag-list").all_inner_texts())
        assert "Overføring ikke mottatt" in (page.locator("#flagg details").text_content() or "")  # resolved
        world.clock.set(PLANNED)
        for who, username in ((nina, "nina"), (page, "kari")):
            sign_in(who, base, username)
            who.goto(f"{base}/saker/{world.amina}")
            assert who.locator("#ansvarlig").inner_text() == "Nina Nav, NAV Asker"
            assert who.locator("#overforing .handoff-status").first.inner_text() == "Mottatt"
            assert axe_violations(who) == []
        # from the planned date NAV works the case; the sender sees its status and dates, one line says why
        assert nina.get_by_role("heading", name="Registrer hendelse").is_visible()
        assert "NAV Asker følger den opp nå" in page.locator("#overfort").inner_text()
        assert page.locator("#flagg").count() == 0 and page.locator("#registrer").count() == 0
        shoot(page, "28b-sak-overfort-avsender")
        shoot(nina, "28-sak-hos-nav")
    finally:
        nav.close()


def test_the_form_and_the_inbox_fit_a_phone(live, chromium):  # noqa: F811
    base, world = live
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO")
    try:
        small = phone.new_page()
        sign_in(small, base, "ola")
        small.goto(f"{base}/saker/{world.yonas}")
        small.locator("#overforing").get_by_text("Overfør til en annen enhet").click()
        # the section itself: the income timeline's month labels overflow by a few pixels on some dates
        widest = small.evaluate("() => Math.max(...[...document.querySelectorAll('#overforing, #overforing *')]"
                                ".map(e => e.getBoundingClientRect().right))")
        assert widest <= 390
        button = small.get_by_role("button", name="Send overføringen").bounding_box()
        assert button is not None and button["x"] + button["width"] <= 390
        sign_in(small, base, "nina")
        small.goto(f"{base}/overforinger")
        assert small.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        phone.close()
