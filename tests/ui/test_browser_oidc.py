"""Sign-in through the kommune's identity provider in a real browser (issue 15): Chromium, with the
dashboard's Content-Security-Policy in force, goes from the sign-in page to a real OpenID provider on
loopback, signs in on its page, comes back signed in, and signs out at both ends. axe-core checks the
sign-in page with the provider's button and the «ingen tilgang» page.

Fixtures and helpers are the browser tests' own (tests/ui/test_browser.py)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from pathways.services.identity import load_mapping
from tests.ui.test_browser import (  # noqa: F401  (fixtures: chromium, page)
    axe_violations,
    chromium,
    page,
    serving,
    shoot,
)
from ui.app import Settings
from ui.oidc import OidcSettings

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def live_oidc(tmp_path_factory, free_port, provider) -> Iterator[tuple[str, object]]:
    path = tmp_path_factory.mktemp("oidc") / "innlogging.yaml"
    path.write_text("groups:\n  - group: asker-veiledere\n    role: veileder\n    kommune: Asker\n", "utf-8")
    settings = Settings("e2e-secret-" + "y" * 32, oidc=OidcSettings(provider, "pathways", "hemmelig",
                                                                     load_mapping(path)))
    with serving(tmp_path_factory, free_port, settings=settings) as served:
        yield served


def _user(provider: str, sub: str, groups: list[str]) -> None:
    response = httpx.put(f"{provider}/users/{quote(sub)}",
                         json={"name": "Sara Solberg", "preferred_username": "sara.solberg", "groups": groups})
    assert response.status_code == 204


def test_a_veileder_signs_in_and_out_through_the_kommunes_provider(live_oidc, provider, chromium):  # noqa: F811
    base, _world = live_oidc
    _user(provider, "sara@asker", ["asker-veiledere"])
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")  # the CSP in force
    try:
        browser = context.new_page()
        browser.set_default_timeout(15_000)
        browser.goto(f"{base}/saker")  # signed out: to the sign-in page, which remembers where they were going
        browser.get_by_role("link", name="Logg inn med kommunens konto").click()
        browser.wait_for_url(f"{provider}/oauth2/authorize*")
        browser.get_by_placeholder("sub").fill("sara@asker")
        browser.get_by_role("button", name="Authorize").click()
        browser.wait_for_url(f"{base}/saker")
        browser.wait_for_load_state("networkidle")
        assert "Sara Solberg" in browser.locator("header").inner_text()
        assert browser.get_by_role("heading", level=1).is_visible()
        browser.get_by_role("button", name="Logg ut").click()  # a form: sent on to the provider's sign-out
        browser.wait_for_url(f"{provider}/oauth2/end_session*")
        browser.get_by_role("button", name="End session").click()
        browser.wait_for_url(f"{base}/logg-inn*")
        browser.goto(f"{base}/saker")
        assert "/logg-inn" in browser.url  # signed out here too
    finally:
        context.close()


def test_the_sign_in_and_no_access_pages_pass_axe(live_oidc, provider, page):  # noqa: F811
    base, _world = live_oidc
    page.goto(f"{base}/logg-inn")
    assert page.get_by_role("link", name="Logg inn med kommunens konto").is_visible()
    assert axe_violations(page) == []
    shoot(page, "30-logg-inn-kommunens-konto")
    _user(provider, "stranger@asker", ["hr"])
    page.get_by_role("link", name="Logg inn med kommunens konto").click()
    page.get_by_placeholder("sub").fill("stranger@asker")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Ingen tilgang — kontakt administrator"
    assert axe_violations(page) == []
