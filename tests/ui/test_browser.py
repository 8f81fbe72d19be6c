"""End-to-end in a real browser: Playwright driving Debian's Chromium against the dashboard served by
uvicorn. Screenshots of the main pages go to ``var/test-artifacts/screenshots`` (PATHWAYS_TEST_ARTIFACTS);
axe-core (vendored from the npm registry) checks every main page for WCAG 2.1 A/AA violations."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import ROOT
from tests.ui.conftest import PASSWORD, build_world
from ui.app import Settings, create_app

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(scripts/bootstrap.sh test installs it)")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("PATHWAYS_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts")) / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@contextmanager
def serving(tmp_path_factory, free_port, build: Callable[..., object] = build_world,
            settings: Settings | None = None) -> Iterator[tuple[str, object]]:
    """The dashboard on a real port over a SQLite store with the catalogue and ``build``'s world."""
    from datetime import date

    from pathways.calendar import FixedClock
    from pathways.services.context import Actor, Context
    from pathways.services.publishing import publish_folder
    from pathways.store.database import make_engine, migrate
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}")
    migrate(engine)
    clock = FixedClock(date(2026, 11, 22))
    ctx = Context(engine, clock, actor=Actor.system("test"))
    publish_folder(ctx, ROOT / "definitions")
    world = build(ctx, clock)
    app = create_app(engine, clock, settings or Settings("e2e-secret-" + "y" * 32))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", world
    server.should_exit = True
    thread.join(10)
    engine.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory, free_port) -> Iterator[tuple[str, object]]:
    """The dashboard on a real port, over a SQLite world (module-wide: the tests run in order)."""
    with serving(tmp_path_factory, free_port) as served:
        yield served


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    # axe-core is injected as an inline script, which the Content-Security-Policy forbids: these pages
    # bypass it, and test_the_pages_keep_to_their_content_security_policy checks the policy itself
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/logg-inn")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state("networkidle")


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"the screenshot {path} looks empty"
    return path


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_sign_in_open_a_flagged_case_record_an_event_see_the_flag_resolve_and_the_step_move(live, page):
    base, _world = live
    sign_in(page, base, "kari")
    assert page.get_by_role("heading", level=1).inner_text() == "I dag"  # the worklist is the home page
    page.get_by_role("link", name="Saksliste").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Mine saker"
    row = page.locator("table.cases tbody tr", has_text="Amina Ali")
    assert "Frist passert" in row.inner_text()
    shoot(page, "01-saksliste")
    row.get_by_role("link", name="Amina Ali").click()
    page.wait_for_load_state("networkidle")
    caption = page.locator("figure.diagram figcaption")
    assert "Vedtak om introduksjonsprogram" in caption.inner_text()
    assert page.locator("figure.diagram svg .naa").get_attribute("id") == "steg-vedtak"
    flags_before = page.locator("#flagg .flag-list li").count()
    assert flags_before >= 1 and "Frist passert" in page.locator("#flagg").inner_text()
    assert page.locator("figure.diagram svg.diagram-svg").bounding_box()["width"] > 300, "no pathway diagram"
    shoot(page, "02-sak-for")

    page.locator("details.event summary", has_text="Vedtak om introduksjonsprogram fattet").click()
    form = page.locator("details.event[open] form")
    form.get_by_label("Dato", exact=True).fill("2026-11-20")
    form.get_by_label(re.compile("Programstart")).fill("2026-12-01")
    form.get_by_role("button", name=re.compile("Registrer")).click()
    page.wait_for_load_state("networkidle")

    assert "Hendelsen er registrert" in page.locator("main").inner_text()
    assert "Integreringsplan og integreringskontrakt" in page.locator("figure.diagram figcaption").inner_text()
    assert page.locator("figure.diagram svg .naa").get_attribute("id") == "steg-integreringsplan"
    assert "Frist passert" not in page.locator("#flagg .flag-list").all_inner_texts().__str__()
    page.locator("#flagg details summary").click()
    assert "Frist passert" in page.locator("#flagg details").inner_text()  # now among the resolved flags
    shoot(page, "03-sak-etter")


def test_flag_inbox_resolves_a_flag_in_place_with_htmx(live, page):
    base, _ = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/flagg")
    item = page.locator("li.flag-item").first
    item_id = item.get_attribute("id")
    count_before = int(page.locator("header #flagg-antall .count").inner_text())
    shoot(page, "04-flagg")
    item.get_by_label("Kommentar").fill("Snakket med NAV")
    item.get_by_role("button", name="Løs").click()
    swapped = page.locator(f"#{item_id}")
    swapped.locator(".tag", has_text="Løst").wait_for()
    assert "Snakket med NAV" in swapped.inner_text()
    page.reload()
    assert int(page.locator("header #flagg-antall .count").inner_text()) == count_before - 1


def test_bad_input_in_the_browser_gets_a_message_next_to_the_field(live, page):
    base, _world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/deltakere/ny")
    page.get_by_label("Navn").fill("Testperson")
    page.get_by_label("Fødselsdato").fill("2026-11-21")
    page.get_by_label("Bosettingsdato").fill("2020-01-01")  # before birth
    page.get_by_role("button", name="Legg til deltaker").click()
    page.wait_for_load_state("networkidle")
    message = page.locator("#settled-error")
    assert "bosettingsdatoen er før fødselsdatoen" in message.inner_text()
    assert page.get_by_label("Bosettingsdato").get_attribute("aria-invalid") == "true"
    shoot(page, "05-deltaker-feil")


def test_keyboard_users_reach_the_content_first(live, page):
    base, _ = live
    sign_in(page, base, "lise")
    page.goto(f"{base}/saker")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Hopp til innholdet"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#innhold"


MAIN_PAGES = [  # (user, path, screenshot name)
    (None, "/logg-inn", "10-logg-inn"),
    ("kari", "/saker", "11-saksliste"),
    ("kari", "/saker/{amina}", "12-sak"),
    ("kari", "/flagg", "13-flagg"),
    ("lise", "/kohort?lop=introduksjonsprogram", "14-kohort"),
    ("lise", "/saker", "15-saksliste-leder"),
    ("kari", "/deltakere", "16-deltakere"),
    ("kari", "/deltakere/{amina_pid}", "17-deltaker"),
    ("kari", "/deltakere-import", "18-import"),
    ("anne", "/admin/brukere", "19-brukere"),
    ("anne", "/admin/enheter", "24-enheter"),
    ("anne", "/admin/lop", "21-lop"),
    ("anne", "/admin/lop/introduksjonsprogram/rediger", "22-editor"),
    ("lise", "/tilgangslogg?deltaker={amina_pid}", "25-tilgangslogg"),
    ("lise", "/oppbevaring", "26-oppbevaring"),
]


@pytest.mark.parametrize("user, path, name", MAIN_PAGES, ids=[m[2] for m in MAIN_PAGES])
def test_main_pages_have_no_serious_accessibility_violations(live, page, user, path, name):
    base, world = live
    if user:
        sign_in(page, base, user)
    page.goto(base + path.format(amina=world.amina, amina_pid=world.amina_pid))
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").count() == 1
    assert page.evaluate("() => document.documentElement.lang") == "nb"
    shoot(page, name)
    assert axe_violations(page) == []


def test_pages_work_on_a_tablet(live, chromium):
    base, world = live
    context = chromium.new_context(viewport={"width": 768, "height": 1024}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, base, "lise")
    page.goto(f"{base}/saker/{world.yonas}")
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a tablet screen"
    shoot(page, "20-sak-nettbrett")
    context.close()


def test_edit_a_definition_see_the_error_at_its_line_fix_it_see_the_preview_change_and_publish(live, page):
    base, _world = live
    sign_in(page, base, "anne")
    page.goto(f"{base}/admin/lop/introduksjonsprogram/rediger")
    page.wait_for_function("() => window.pathwaysEditor && document.getElementById('editor-form').dataset.checked")
    assert page.locator("#problems").inner_text().strip() == "✓ Ingen feil"
    text = page.evaluate("() => pathwaysEditor.getValue()")
    assert "\nversion: 2\n" in text  # the draft of the next version
    line = text[:text.index("to: program_vgo\n")].count("\n") + 1
    # a typo: the step the plan leads to does not exist
    page.evaluate(f"() => pathwaysEditor.gotoLine({line}, {len('        to: program_vgo')})")
    page.locator("#ace textarea").focus()
    page.keyboard.type("x")
    page.wait_for_function(f"() => document.getElementById('problems').innerText.includes('linje {line},')")
    assert "program_vgox" in page.locator("#problems").inner_text()
    rows = page.evaluate("() => pathwaysEditor.session.getAnnotations().map(a => a.row)")
    assert line - 1 in rows  # marked in the gutter at its line
    shoot(page, "23-editor-feil")
    page.keyboard.press("Backspace")
    page.wait_for_function("() => document.getElementById('problems').innerText.includes('Ingen feil')")
    # a new title for the upper-secondary band: the preview shows it
    before = page.evaluate("() => document.getElementById('preview').dataset.version")
    title = "inntil 3 år)"
    changed = text.replace(title, "inntil 4 år, 2025)", 1)
    page.evaluate("(t) => pathwaysEditor.setValue(t, -1)", changed)
    page.wait_for_function(f"() => document.getElementById('preview').dataset.version !== '{before}'")
    assert "2025)" in page.locator("#preview svg").text_content()  # inline, zoomable like the case page's
    assert page.get_by_role("button", name="Forstørr").is_visible()
    page.get_by_role("button", name="Vis prognose").click()
    page.wait_for_selector("#forecast table")
    assert "versjon 1 mot utkastet" in page.locator("#forecast").inner_text()
    page.get_by_label("Endringsnotat").fill("Prop. 81 L (2024–2025): ett år mer for sluttmål videregående")
    page.get_by_role("button", name="Publiser versjon 2").click()
    page.wait_for_load_state("networkidle")
    assert "/admin/lop/introduksjonsprogram/endringer?fra=1&til=2" in page.url
    assert "Publisert som versjon 2" in page.locator("main").inner_text()
    assert "program_vgo" in page.locator("main table").first.inner_text()
    shoot(page, "24-endringer")
    assert axe_violations(page) == []


def test_the_pages_keep_to_their_content_security_policy(live, chromium):
    """The policy allows the vendored htmx and Ace and no inline script: the case page, an htmx action and
    the editor with its preview work under it, and the browser reports no violation."""
    base, world = live
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        sign_in(page, base, "kari")
        page.goto(f"{base}/saker/{world.amina}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => Boolean(window.htmx) && !document.querySelector('[data-zoom=in]').hidden"
                             " && document.querySelector('figure.diagram svg').viewBox.baseVal.width > 100")
        page.get_by_role("button", name="Logg ut").click()
        sign_in(page, base, "anne")
        page.goto(f"{base}/admin/lop/introduksjonsprogram/rediger")
        page.wait_for_function("() => window.pathwaysEditor && document.getElementById('preview').dataset.version"
                               " && document.querySelector('#preview svg').viewBox.baseVal.width > 0")
    finally:
        context.close()
    assert violations == []


def _box(svg) -> list[float]:
    return [float(n) for n in svg.get_attribute("viewBox").split()]


def test_diagrams_zoom_by_keyboard_centre_the_current_step_and_open_full_size_with_a_way_back(live, page):
    """Issue 13 item 10: the case's diagram opens at reading size on the step the case is in; + / − /
    Tilpass and the arrow keys change the view; the full-size page keeps the layout and leads back."""
    base, world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}")
    svg = page.locator("figure.diagram svg.diagram-svg")
    full = [float(n) for n in svg.get_attribute("data-full").split()]
    start = _box(svg)
    assert start[2] < full[2] / 1.5, "opens zoomed in to reading size, not the whole drawing at 20 %"
    centre = page.evaluate("""() => { const s = document.querySelector('figure.diagram svg');
        const n = s.querySelector('.naa').getBoundingClientRect(), r = s.getBoundingClientRect();
        return [(n.left + n.width / 2 - r.left) / r.width, (n.top + n.height / 2 - r.top) / r.height]; }""")
    assert all(0.4 < c < 0.6 for c in centre), centre  # the current step in the middle of the view
    page.get_by_role("button", name="Tilpass").focus()
    page.keyboard.press("Enter")
    assert _box(svg) == full and page.locator(".diagram-zoom-level").inner_text() == "100 %"
    page.get_by_role("button", name="Forstørr").focus()
    page.keyboard.press("Enter")
    zoomed = _box(svg)
    assert abs(zoomed[2] - full[2] / 1.5) < 0.1 and page.locator(".diagram-zoom-level").inner_text() == "150 %"
    svg.focus()
    page.keyboard.press("ArrowRight")
    assert _box(svg)[0] > zoomed[0]  # panned
    page.get_by_role("button", name="Forminsk").click()
    assert abs(_box(svg)[2] - full[2]) < 0.1
    page.get_by_role("button", name="Vis steget nå").click()
    assert _box(svg)[2] < full[2] / 1.5
    assert axe_violations(page) == []
    page.get_by_role("link", name="Vis i full størrelse").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/saker/{world.amina}/diagram")
    assert page.get_by_role("navigation", name="Hovedmeny").is_visible()
    assert page.locator("svg.diagram-svg .naa").count() == 1
    shoot(page, "30-diagram-full")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Tilbake til saken").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/saker/{world.amina}")


def test_cohort_diagram_is_inline_and_zoomable(live, page):
    base, _world = live
    sign_in(page, base, "lise")
    page.goto(f"{base}/kohort?lop=introduksjonsprogram")
    svg = page.locator("figure.diagram svg.diagram-svg")
    full = _box(svg)
    assert "deltaker" in svg.text_content()
    page.get_by_role("button", name="Forstørr").click()
    assert _box(svg)[2] < full[2]
    assert axe_violations(page) == []
    page.get_by_role("link", name="Vis i full størrelse").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("navigation", name="Hovedmeny").is_visible()
    page.get_by_role("link", name="Tilbake til kohorten").first.click()
    page.wait_for_load_state("networkidle")
    assert "/kohort?lop=introduksjonsprogram" in page.url
