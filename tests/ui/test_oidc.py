"""Sign-in with the kommune's identity provider (issue 15), against a real OpenID provider on loopback
(``oidc-provider-mock``: discovery, an authorization page, a token endpoint that signs ID tokens, end of
session). The dashboard runs in a TestClient; the provider's pages are answered over HTTP as a browser
would (the form posts the user's ``sub``), so every check of the code flow is the real one: state, nonce,
PKCE parameters, the code's single use, the ID token's expiry.

The mapping: Asker's «veiledere» group gives veileder in the refugee service, «ledere» leder in NAV Asker,
«admin» administrator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import httpx
import oidc_provider_mock
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.services.accounts import start_session
from pathways.services.context import Actor, Context
from pathways.services.identity import MappingFileError, load_mapping
from pathways.services.units import add_unit
from pathways.store.tables import AuditEntry, Unit, User, UserSession
from tests.ui.conftest import PASSWORD, csrf_of
from ui.app import Settings, create_app
from ui.oidc import OidcSettings

# the provider's own library warns about its use of authlib's older server API
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib")

MAPPING = """\
# the provider's groups: what they give here
claim: groups
groups:
  - group: asker-veiledere
    role: veileder
    kommune: Asker
  - group: asker-ledere
    role: leder
    kommune: Asker
    unit: NAV Asker
  - group: asker-admin
    role: administrator
    kommune: Asker
"""


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def stale_provider() -> Iterator[str]:
    """A provider whose ID tokens expired an hour before they were issued (beyond authlib's 2 minutes' leeway)."""
    with oidc_provider_mock.run_server_in_thread(access_token_max_age=timedelta(hours=-1)) as server:
        yield f"http://localhost:{server.server_port}"


def _settings(issuer: str, tmp_path: Path) -> Settings:
    path = tmp_path / "innlogging.yaml"
    path.write_text(MAPPING, "utf-8")
    oidc = OidcSettings(issuer, "pathways", "hemmelig", load_mapping(path))
    return Settings("test-secret-" + "x" * 32, oidc=oidc)


def _nav_asker(world) -> None:
    add_unit(Context(world.ctx.engine, world.clock, actor=Actor.system("test")), kind="nav", name="NAV Asker",
             kommune="Asker")


@pytest.fixture
def oidc_app(world, provider, tmp_path):
    _nav_asker(world)
    return create_app(world.ctx.engine, world.clock, _settings(provider, tmp_path))


def _user(world, sub: str) -> User | None:
    with Session(world.ctx.engine) as session:
        return session.exec(select(User).where(User.oidc_subject == sub)).first()


def _claims(provider: str, sub: str, groups: list[str], name: str = "Kari Kommune",
            username: str = "kari.kommune@asker.kommune.no") -> None:
    response = httpx.put(f"{provider}/users/{quote(sub)}",
                         json={"name": name, "preferred_username": username, "groups": groups})
    assert response.status_code == 204


def _start(client: TestClient, going: str = "/saker") -> str:
    """Our sign-in start: the provider's authorization URL."""
    response = client.get("/logg-inn/kommune?" + urlencode({"neste": going}))
    assert response.status_code == 302, response.text
    return response.headers["location"]


def _authorize(authorization_url: str, sub: str) -> str:
    """The user signs in at the provider (its form posts the subject): our callback URL, with code and state."""
    response = httpx.post(authorization_url, data={"sub": sub})
    assert response.status_code in (302, 303), response.text
    return response.headers["location"]


def _answer(client: TestClient, callback: str):
    parts = urlsplit(callback)
    return client.get(urlunsplit(("", "", parts.path, parts.query, "")))


def _sign_in(client: TestClient, sub: str, going: str = "/saker"):
    return _answer(client, _authorize(_start(client, going), sub))


def _signed_in(client: TestClient) -> bool:
    return client.get("/saker").status_code == 200


def _replace_query(url: str, **values: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    query.update({k: [v] for k, v in values.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, doseq=True), ""))


def test_the_first_sign_in_makes_the_account_the_mapping_gives(world, oidc_app, provider):
    _claims(provider, "sub-kari-1", ["asker-veiledere", "some-other-group"])
    client = TestClient(oidc_app, follow_redirects=False)
    authorization = _start(client)
    query = parse_qs(urlsplit(authorization).query)
    assert authorization.startswith(provider + "/oauth2/authorize")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid profile email"]
    assert query["redirect_uri"] == ["http://testserver/logg-inn/kommune/svar"]

    response = _answer(client, _authorize(authorization, "sub-kari-1"))
    assert response.status_code == 303 and response.headers["location"] == "/saker"
    user = _user(world, "sub-kari-1")
    assert user is not None and user.active and not user.must_change_password
    assert (user.username, user.name, user.role) == ("kari.kommune-asker.kommune.no", "Kari Kommune", "veileder")
    assert user.password_hash == "!oidc"
    page = client.get("/saker")
    assert page.status_code == 200 and "Kari Kommune" in page.text
    with Session(world.ctx.engine) as session:
        unit = session.get(Unit, user.unit_id)
        assert unit is not None and unit.kind == "flyktningtjeneste" and unit.kommune_id == user.kommune_id
        trail = session.exec(select(AuditEntry.action, AuditEntry.actor).where(AuditEntry.user_id == user.id)).all()
    assert ("user.created", "identitetstjenesten") in trail


def test_the_password_form_still_works_and_the_provider_button_is_offered(world, oidc_app):
    client = TestClient(oidc_app, follow_redirects=False)
    page = client.get("/logg-inn?neste=/flagg")
    assert 'href="/logg-inn/kommune?neste=%2Fflagg"' in page.text and "Logg inn med kommunens konto" in page.text
    response = client.post("/logg-inn", data={"csrf_token": csrf_of(page.text), "username": "kari",
                                              "password": PASSWORD, "next": "/"})
    assert response.status_code == 303


def test_a_user_moved_between_groups_gets_the_new_role_and_unit_at_the_next_sign_in(world, oidc_app, provider):
    _claims(provider, "sub-moved", ["asker-veiledere"], username="moved")
    assert _sign_in(TestClient(oidc_app, follow_redirects=False), "sub-moved").status_code == 303
    before = _user(world, "sub-moved")
    _claims(provider, "sub-moved", ["asker-veiledere", "asker-ledere"], name="Moved Leder", username="renamed")
    client = TestClient(oidc_app, follow_redirects=False)
    assert _sign_in(client, "sub-moved").status_code == 303
    after = _user(world, "sub-moved")
    assert after.id == before.id and after.username == "moved"  # the same account, whatever the username becomes
    assert (after.role, after.name) == ("leder", "Moved Leder")  # the highest role of their groups
    with Session(world.ctx.engine) as session:
        assert session.get(Unit, after.unit_id).name == "NAV Asker"
        actions = set(session.exec(select(AuditEntry.action).where(AuditEntry.user_id == after.id)))
    assert {"user.created", "user.role", "user.unit"} <= actions
    assert "Moved Leder" in client.get("/saker").text


def test_a_user_in_no_mapped_group_gets_no_account_and_is_told_whom_to_ask(world, oidc_app, provider):
    _claims(provider, "sub-stranger", ["hr-avdelingen"], username="stranger")
    client = TestClient(oidc_app, follow_redirects=False)
    response = _sign_in(client, "sub-stranger")
    assert response.status_code == 403
    assert "Ingen tilgang — kontakt administrator" in response.text
    assert "ikke med i en gruppe" in response.text
    assert _user(world, "sub-stranger") is None
    with Session(world.ctx.engine) as session:
        assert session.exec(select(User).where(User.username == "stranger")).first() is None
    assert not _signed_in(client)


def test_removal_from_the_group_removes_access_at_the_next_sign_in(world, oidc_app, provider):
    _claims(provider, "sub-leaving", ["asker-veiledere"], username="leaving")
    earlier = TestClient(oidc_app, follow_redirects=False)
    assert _sign_in(earlier, "sub-leaving").status_code == 303 and _signed_in(earlier)
    _claims(provider, "sub-leaving", [], username="leaving")
    response = _sign_in(TestClient(oidc_app, follow_redirects=False), "sub-leaving")
    assert response.status_code == 403
    user = _user(world, "sub-leaving")
    assert user is not None and not user.active
    assert not _signed_in(earlier)  # the session opened before ended with the access
    with Session(world.ctx.engine) as session:
        assert session.exec(select(UserSession).where(UserSession.user_id == user.id)).first() is None
    _claims(provider, "sub-leaving", ["asker-veiledere"], username="leaving")  # back in the group
    again = TestClient(oidc_app, follow_redirects=False)
    assert _sign_in(again, "sub-leaving").status_code == 303 and _signed_in(again)
    assert _user(world, "sub-leaving").active


def test_a_tampered_state_is_refused_and_nobody_is_signed_in(world, oidc_app, provider):
    _claims(provider, "sub-state", ["asker-veiledere"], username="state")
    client = TestClient(oidc_app, follow_redirects=False)
    callback = _authorize(_start(client), "sub-state")
    response = _answer(client, _replace_query(callback, state="forfalsket-tilstand"))
    assert response.status_code == 400
    assert "hører ikke til en innlogging som ble startet her" in response.text
    assert _user(world, "sub-state") is None and not _signed_in(client)


def test_a_replayed_code_is_refused(world, oidc_app, provider):
    _claims(provider, "sub-replay", ["asker-veiledere"], username="replay")
    first = TestClient(oidc_app, follow_redirects=False)
    callback = _authorize(_start(first), "sub-replay")
    assert _answer(first, callback).status_code == 303
    # the same answer again: its state was used up with it
    assert _answer(TestClient(oidc_app, follow_redirects=False), callback).status_code == 400
    # the used code under a fresh sign-in's state: the provider refuses the code itself
    other = TestClient(oidc_app, follow_redirects=False)
    fresh_state = parse_qs(urlsplit(_start(other)).query)["state"][0]
    response = _answer(other, _replace_query(callback, state=fresh_state))
    assert response.status_code == 400
    assert "koden er brukt eller utløpt" in response.text
    assert not _signed_in(other)


def test_an_id_token_with_another_nonce_is_refused(world, oidc_app, provider):
    _claims(provider, "sub-nonce", ["asker-veiledere"], username="nonce")
    client = TestClient(oidc_app, follow_redirects=False)
    authorization = _replace_query(_start(client), nonce="en-annen-nonce")  # the provider signs this one in
    response = _answer(client, _authorize(authorization, "sub-nonce"))
    assert response.status_code == 401
    assert "ugyldig eller utløpt ID-token" in response.text
    assert _user(world, "sub-nonce") is None and not _signed_in(client)


def test_an_expired_id_token_is_refused(world, stale_provider, tmp_path):
    _nav_asker(world)
    app = create_app(world.ctx.engine, world.clock, _settings(stale_provider, tmp_path))
    _claims(stale_provider, "sub-stale", ["asker-veiledere"], username="stale")
    client = TestClient(app, follow_redirects=False)
    response = _sign_in(client, "sub-stale")
    assert response.status_code == 401
    assert "ugyldig eller utløpt ID-token" in response.text
    assert _user(world, "sub-stale") is None and not _signed_in(client)


def test_an_error_from_the_provider_signs_nobody_in(world, oidc_app):
    client = TestClient(oidc_app, follow_redirects=False)
    _start(client)
    response = client.get("/logg-inn/kommune/svar?error=access_denied&state=x")
    assert response.status_code == 401 and "avbrutt hos identitetstjenesten" in response.text


def test_sign_out_ends_our_session_and_the_providers(world, oidc_app, provider):
    _claims(provider, "sub-out", ["asker-veiledere"], username="out")
    client = TestClient(oidc_app, follow_redirects=False)
    assert _sign_in(client, "sub-out").status_code == 303
    page = client.get("/saker")
    assert f"form-action 'self' {provider}" in page.headers["content-security-policy"]
    response = client.post("/logg-ut", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(provider + "/oauth2/end_session?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == ["pathways"]
    assert query["post_logout_redirect_uri"] == ["http://testserver/logg-inn"]
    assert httpx.get(location).status_code == 200  # the provider's own sign-out page
    assert not _signed_in(client)
    with Session(world.ctx.engine) as session:
        user = _user(world, "sub-out")
        assert session.exec(select(UserSession).where(UserSession.user_id == user.id)).first() is None


def test_a_password_user_signs_out_here_only(world, oidc_app, browser):
    client = TestClient(oidc_app, follow_redirects=False)
    page = client.get("/logg-inn")
    client.post("/logg-inn", data={"csrf_token": csrf_of(page.text), "username": "kari", "password": PASSWORD})
    response = client.post("/logg-ut", data={"csrf_token": csrf_of(client.get("/saker").text)})
    assert response.status_code == 303 and response.headers["location"] == "/logg-inn"


def test_an_administrator_turns_passwords_off_and_on(world, oidc_app):
    admin = TestClient(oidc_app, follow_redirects=False)
    page = admin.get("/logg-inn")
    admin.post("/logg-inn", data={"csrf_token": csrf_of(page.text), "username": "anne", "password": PASSWORD})
    users = admin.get("/admin/brukere")
    assert "Slå av innlogging med passord" in users.text
    assert admin.post("/admin/innlogging", data={"csrf_token": csrf_of(users.text), "passord": "av"}
                      ).status_code == 303
    kari = TestClient(oidc_app, follow_redirects=False)
    login = kari.get("/logg-inn")
    refused = kari.post("/logg-inn", data={"csrf_token": csrf_of(login.text), "username": "kari",
                                           "password": PASSWORD})
    assert refused.status_code == 403
    assert "kommunen din logger inn gjennom identitetstjenesten" in refused.text.lower() or \
        "kommunens konto" in refused.text
    assert not _signed_in(kari)
    # Bærum keeps its passwords: the switch is the kommune's
    per = TestClient(oidc_app, follow_redirects=False)
    login = per.get("/logg-inn")
    assert per.post("/logg-inn", data={"csrf_token": csrf_of(login.text), "username": "per",
                                       "password": PASSWORD}).status_code == 303
    users = admin.get("/admin/brukere")
    assert "Innlogging med passord er slått av" in users.text
    admin.post("/admin/innlogging", data={"csrf_token": csrf_of(users.text), "passord": "på"})
    login = kari.get("/logg-inn")
    assert kari.post("/logg-inn", data={"csrf_token": csrf_of(login.text), "username": "kari",
                                        "password": PASSWORD}).status_code == 303
    with Session(world.ctx.engine) as session:
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "kommune.passwords")).all()) == 2


def test_without_a_provider_passwords_cannot_be_turned_off(world, browser):
    anne = browser("anne")
    users = anne.get("/admin/brukere")
    assert "Slå av innlogging med passord" not in users.text
    assert anne.post("/admin/innlogging", {"passord": "av"}).status_code == 409
    assert anne.get("/logg-inn/kommune").status_code == 404
    assert "kommunens konto" not in anne.get("/logg-inn").text


def test_a_session_lasts_the_configured_hours(world, monkeypatch):
    monkeypatch.setenv("PATHWAYS_SESSION_HOURS", "2")
    start_session(world.ctx, 1)
    with Session(world.ctx.engine) as session:
        newest = session.exec(select(UserSession).order_by(UserSession.created_at.desc(),  # type: ignore[attr-defined]
                                                           UserSession.expires_at.desc())).first()
    assert newest.expires_at - newest.created_at == timedelta(hours=2)
    monkeypatch.setenv("PATHWAYS_SESSION_HOURS", "30")
    with pytest.raises(ValueError, match="at most 24"):
        start_session(world.ctx, 1)
    monkeypatch.delenv("PATHWAYS_SESSION_HOURS")
    start_session(world.ctx, 1)
    with Session(world.ctx.engine) as session:
        spans = {s.expires_at - s.created_at for s in session.exec(select(UserSession))}
    assert timedelta(hours=10) in spans


def test_the_mapping_file_is_checked_with_line_and_column(tmp_path):
    path = tmp_path / "innlogging.yaml"
    path.write_text("claim: groups\ngroups:\n  - group: a\n    role: sjef\n    kommune: Asker\n    enhet: NAV\n",
                    "utf-8")
    with pytest.raises(MappingFileError) as caught:
        load_mapping(path)
    text = str(caught.value)
    assert f"{path}:4:11: groups.0.role:" in text  # the bad role, where it stands
    assert f"{path}:6:5: groups.0.enhet:" in text  # the unknown key
    path.write_text("groups: [\n", "utf-8")
    with pytest.raises(MappingFileError, match=r"innlogging\.yaml:\d+:\d+"):
        load_mapping(path)
    with pytest.raises(MappingFileError, match="cannot read"):
        load_mapping(tmp_path / "mangler.yaml")


def test_a_mapping_naming_an_unknown_kommune_or_unit_stops_the_start(world, provider, tmp_path):
    path = tmp_path / "innlogging.yaml"
    path.write_text("groups:\n  - group: a\n    role: leder\n    kommune: Asker\n    unit: NAV Askr\n", "utf-8")
    settings = Settings("test-secret-" + "x" * 32, oidc=OidcSettings(provider, "p", "s", load_mapping(path)))
    with pytest.raises(MappingFileError, match=r"groups\[0\] \(a\).*NAV Askr"):
        create_app(world.ctx.engine, world.clock, settings)


def test_the_settings_come_from_the_environment_all_or_none(monkeypatch, tmp_path):
    for name in ("PATHWAYS_OIDC_ISSUER", "PATHWAYS_OIDC_CLIENT_ID", "PATHWAYS_OIDC_CLIENT_SECRET",
                 "PATHWAYS_OIDC_MAPPING", "PATHWAYS_OIDC_SCOPE"):
        monkeypatch.delenv(name, raising=False)
    assert OidcSettings.from_environment() is None
    monkeypatch.setenv("PATHWAYS_OIDC_ISSUER", "https://login.microsoftonline.com/tenant/v2.0/")
    with pytest.raises(ValueError, match="PATHWAYS_OIDC_CLIENT_ID, PATHWAYS_OIDC_CLIENT_SECRET, PATHWAYS_OIDC_MAPPING"):
        OidcSettings.from_environment()
    path = tmp_path / "m.yaml"
    path.write_text(MAPPING, "utf-8")
    monkeypatch.setenv("PATHWAYS_OIDC_CLIENT_ID", "id")
    monkeypatch.setenv("PATHWAYS_OIDC_CLIENT_SECRET", "secret")
    monkeypatch.setenv("PATHWAYS_OIDC_MAPPING", os.fspath(path))
    found = OidcSettings.from_environment()
    assert found is not None and found.issuer == "https://login.microsoftonline.com/tenant/v2.0"
    assert found.origin == "https://login.microsoftonline.com" and len(found.mapping.groups) == 3
    monkeypatch.setenv("PATHWAYS_OIDC_ISSUER", "http://idp.example.no")
    with pytest.raises(ValueError, match="https"):
        OidcSettings.from_environment()
