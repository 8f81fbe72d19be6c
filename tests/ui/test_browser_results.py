"""The cohort's results one year after exit in a real browser (issue 15): the chart (matplotlib's SVG inline)
and its table pass axe; at 390 px the chart scales to the screen. The world is the dashboard tests' with
exits of 2024 and 2025 added (tests/services/test_results.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.services.test_results import EXIT_2024, EXIT_2025, _exited
from tests.ui.conftest import build_world
from tests.ui.test_browser import (  # noqa: F401  (fixtures: chromium, page)
    axe_violations,
    chromium,
    page,
    serving,
    shoot,
    sign_in,
)


def _with_exits(ctx, clock):
    world = build_world(ctx, clock)
    for ended, record, n in ((EXIT_2025, "lonn", 7), (EXIT_2025, "sosialhjelp", 5), (EXIT_2025, None, 6),
                             (EXIT_2024, "lonn", 2), (EXIT_2024, None, 9)):
        for _ in range(n):
            _exited(world, ended, record)
    return world


@pytest.fixture(scope="module")
def live_results(tmp_path_factory, free_port) -> Iterator[tuple[str, object]]:
    with serving(tmp_path_factory, free_port, build=_with_exits) as served:
        yield served


def test_the_results_chart_and_table_pass_axe_and_fit_a_phone(live_results, page, chromium):  # noqa: F811
    base, _world = live_results
    sign_in(page, base, "lise")
    page.goto(f"{base}/kohort?lop=introduksjonsprogram")
    chart = page.locator(".chart svg[role=img]")
    assert chart.is_visible()
    assert "Andel i arbeid" in chart.get_attribute("aria-label")
    table = page.get_by_role("table", name="Ett år etter avslutning, per sluttår (antall)")
    assert "<5" in table.inner_text() and "2025" in table.inner_text()
    assert axe_violations(page) == []
    shoot(page, "33-kohort-ett-aar-etter")
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO")
    try:
        small = phone.new_page()
        sign_in(small, base, "lise")
        small.goto(f"{base}/kohort?lop=introduksjonsprogram")
        box = small.locator(".chart svg").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    finally:
        phone.close()


def test_the_nir_overview_passes_axe_and_fits_a_phone(live_results, page, chromium):  # noqa: F811
    base, _world = live_results
    sign_in(page, base, "lise")
    page.get_by_role("link", name="NIR", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().startswith("NIR-oversikt")
    row = page.locator("table.nir tbody tr", has_text="Amina Ali")
    assert "⚠ mangler, over fristen for etterregistrering" in row.inner_text()
    assert axe_violations(page) == []
    shoot(page, "34-nir-oversikt")
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO")
    try:
        small = phone.new_page()
        sign_in(small, base, "lise")
        small.goto(f"{base}/rapporter/nir?vis=alle")
        assert small.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        phone.close()
