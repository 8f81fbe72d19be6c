"""The livelihood section of the case page in a real browser (Chromium, htmx): a case with a gap gets its
missing period registered and the gap box turns to covered without a reload; a planned period is
confirmed; a period is deleted with a reason; axe finds no violations; at 390 px the form fits the screen."""

from __future__ import annotations

import re

import pytest

from tests.ui.test_browser import CHROMIUM, axe_violations, shoot, sign_in
from tests.ui.test_browser import chromium as chromium  # the fixtures, shared
from tests.ui.test_browser import live as live
from tests.ui.test_browser import page as page

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


def period(page, label: str):
    """The period card whose heading names ``label`` (its folded forms name every source too)."""
    return page.locator("#inntekt li.period").filter(has=page.locator(".period-head", has_text=label))


def register(section, source: str, start: str, end: str = "", confirmed: bool = False) -> None:
    form = section.locator("#registrer-inntekt")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.get_by_label("Kilde").select_option(label=source)
    form.get_by_label("Fra").fill(start)
    form.get_by_label(re.compile("^Til")).fill(end)
    form.get_by_label("Bekreftet" if confirmed else "Planlagt").check()
    form.get_by_role("button", name="Registrer inntekt").click()


def test_register_the_missing_period_confirm_a_planned_one_and_delete_with_a_reason(live, page):
    base, world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}#inntekt")
    section = page.locator("#inntekt")
    box = section.locator(".gap-box")
    assert "Inntektsgap" in box.inner_text() and "Nå:" in box.inner_text()
    url = page.url

    register(section, "Introduksjonsstønad", "2026-08-01", "2027-07-31", confirmed=True)
    page.locator("#inntekt .notice.ok[role=status]", has_text="Inntekten er registrert").wait_for()
    assert "Ingen inntektsgap" in page.locator("#inntekt .gap-box").inner_text()
    assert page.url == url  # swapped in place, no reload
    shoot(page, "30-sak-inntekt-registrert")

    register(page.locator("#inntekt"), "Lønn", "2027-08-01", confirmed=False)
    period(page, "Lønn").wait_for()
    wages = period(page, "Lønn")
    assert "Planlagt" in wages.locator(".period-head").inner_text()
    wages.get_by_role("button", name=re.compile("^Bekreft Lønn")).click()
    page.locator("#inntekt .notice.ok", has_text="Perioden er bekreftet").wait_for()
    assert "Bekreftet" in period(page, "Lønn").locator(".period-head").inner_text()

    wages = period(page, "Lønn")
    wages.locator("summary", has_text="Slett").click()
    wages.get_by_role("button", name="Slett").click()  # no reason: refused beside the field
    page.locator("#inntekt .field-error", has_text="skriv hvorfor perioden slettes").wait_for()
    reason = period(page, "Lønn").get_by_label(re.compile("Hvorfor slettes"))
    assert reason.get_attribute("aria-invalid") == "true"
    reason.fill("Registrert to ganger")
    period(page, "Lønn").get_by_role("button", name="Slett").click()
    page.locator("#inntekt .notice.ok", has_text="Perioden er slettet").wait_for()
    assert period(page, "Lønn").count() == 0

    page.locator("#registrer-inntekt summary").click()
    assert axe_violations(page) == []


def test_the_form_reports_every_problem_beside_its_field(live, page):
    base, world = live
    sign_in(page, base, "ola")
    page.goto(f"{base}/saker/{world.yonas}?inntekt=ny&kilde=lonn&fra=2026-12-01#inntekt")
    form = page.locator("#registrer-inntekt")
    assert form.get_attribute("open") is not None  # the worklist's link opens it filled in
    assert form.get_by_label("Kilde").input_value() == "lonn"
    form.get_by_label(re.compile("^Til")).fill("2026-11-01")
    form.get_by_label(re.compile("^Beløp")).fill("mye")
    form.get_by_role("button", name="Registrer inntekt").click()
    page.locator("#inntekt-to-error").wait_for()
    assert "før den starter" in page.locator("#inntekt-to-error").inner_text()
    assert "er ikke et beløp" in page.locator("#inntekt-amount-error").inner_text()
    assert page.locator("#inntekt-amount").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []


def test_at_phone_width_the_form_fits_and_works(live, chromium):
    base, world = live
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO", bypass_csp=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        sign_in(phone, base, "ola")
        phone.goto(f"{base}/saker/{world.yonas}#inntekt")
        phone.locator("#registrer-inntekt summary").click()
        form = phone.locator("#registrer-inntekt form")
        for control in ("Kilde", "Fra", re.compile("^Til"), re.compile("^Beløp"), re.compile("^Notat")):
            found = form.get_by_label(control)
            found.scroll_into_view_if_needed()
            box = found.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, control
        width = phone.evaluate("() => document.querySelector('#inntekt').scrollWidth")
        assert width <= 390
        register(phone.locator("#inntekt"), "Tiltakspenger", "2026-10-01", "2027-03-31", confirmed=True)
        period(phone, "Tiltakspenger").wait_for()
        shoot(phone, "31-sak-inntekt-mobil")
        assert axe_violations(phone) == []
    finally:
        context.close()


def test_absence_is_recorded_and_the_deduction_shows_in_place_also_at_phone_width(live, chromium):
    """Amina has introduksjonsstønad from the first test: 10 hours not approved in October 2026 take
    1 334,97 kr off 21 693,33 kr, shown without a reload, in the table and as the timeline's row."""
    base, world = live
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO", bypass_csp=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        sign_in(phone, base, "kari")
        phone.goto(f"{base}/saker/{world.amina}#inntekt")
        phone.locator("#registrer-fravaer summary").click()
        form = phone.locator("#registrer-fravaer form")
        form.get_by_label("Måned", exact=True).fill("2026-10")
        form.get_by_label(re.compile("^Timer fravær")).fill("10")
        form.get_by_role("radio", name=re.compile("Ikke godkjent")).check()
        form.get_by_role("button", name="Registrer fravær").click()
        phone.locator("#inntekt .notice.ok", has_text="Fraværet er registrert").wait_for()
        row = phone.locator("#inntekt table.absence tbody tr", has_text="oktober 2026")
        assert "−1\u00a0334,97\u00a0kr" in row.inner_text()
        assert "20\u00a0358,36\u00a0kr av 21\u00a0693,33\u00a0kr" in row.inner_text()
        assert phone.locator("#inntekt .bar.deduction").count() >= 1
        assert phone.evaluate("() => document.querySelector('#inntekt').scrollWidth") <= 390
        shoot(phone, "32-sak-fravaer-mobil")
        assert axe_violations(phone) == []
    finally:
        context.close()
