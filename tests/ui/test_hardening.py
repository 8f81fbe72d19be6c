"""Hardening of the dashboard (issue 11): sessions that end, account administration, the audit trail,
security headers, forwarded addresses, password strength and the sign-in lock, CSRF bound to the session."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.store.tables import AuditEntry, Participant
from tests.conftest import table_counts
from tests.ui.conftest import PASSWORD, Browser, csrf_of
from ui.__main__ import proxy_options
from ui.app import Settings, create_app

SECRET = "test-secret-" + "x" * 32


def copy_of(browser: Browser, app) -> TestClient:
    """Another client holding the same cookies: an attacker who copied them, or a second tab."""
    return TestClient(app, follow_redirects=False, cookies=dict(browser.client.cookies))


def is_signed_out(response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/logg-inn")


# -- sessions end (item 6) --------------------------------------------------------------------------


class TestSessionsEnd:
    """Signing out, a password change, a reset and deactivation end the sessions concerned at once."""

    def test_a_cookie_kept_from_before_signing_out_is_worthless(self, app, browser, world):
        kari = browser("kari")
        kept = copy_of(kari, app)
        assert kept.get(f"/saker/{world.amina}").status_code == 200
        assert kari.post("/logg-ut").status_code == 303
        assert is_signed_out(kept.get(f"/saker/{world.amina}"))

    def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(self, app, browser, world):
        here, elsewhere = browser("kari"), browser("kari")
        changed = here.post("/passord", {"current": PASSWORD, "password": "blå-fjord-kaffekopp-9",
                                         "repeat": "blå-fjord-kaffekopp-9"})
        assert changed.status_code == 303
        assert here.get(f"/saker/{world.amina}").status_code == 200
        assert is_signed_out(elsewhere.get(f"/saker/{world.amina}"))

    def test_a_reset_or_a_deactivation_ends_every_session_and_deactivation_stops_the_tokens(self, browser, world):
        anne, kari, ola = browser("anne"), browser("kari"), browser("ola")
        token = {"Authorization": f"Bearer {world.tokens['ola']}"}
        assert browser(None).client.get("/api/saker", headers=token).status_code == 200
        reset = anne.post("/admin/brukere/kari/nytt-passord")
        assert reset.status_code == 200 and "Nytt engangspassord" in reset.text
        assert is_signed_out(kari.get("/saker"))
        assert anne.post("/admin/brukere/ola/deaktiver").status_code == 303
        assert is_signed_out(ola.get("/saker"))
        assert browser(None).client.get("/api/saker", headers=token).status_code == 401
        assert "deaktivert" in anne.get("/admin/brukere").text


# -- account administration (item 7) ----------------------------------------------------------------


def test_administrator_deactivates_activates_changes_roles_and_revokes_tokens(browser, world):
    anne = browser("anne")
    page = anne.get("/admin/brukere/kari")
    assert page.status_code == 200 and "API-tokens" in page.text and "Trekk tilbake" in page.text
    assert anne.post("/admin/brukere/kari/deaktiver").status_code == 303
    refused = browser(None).post("/logg-inn", {"username": "kari", "password": PASSWORD})
    assert refused.status_code == 401
    assert anne.post("/admin/brukere/kari/aktiver").status_code == 303
    assert browser("kari").get("/saker").status_code == 200
    assert anne.post("/admin/brukere/ola/rolle", {"role": "leder"}).status_code == 303
    assert browser("ola").get(f"/saker/{world.amina}").status_code == 200  # a leder reads every case
    token_id = int(anne.get("/admin/brukere/kari").text.split("/admin/tokens/")[1].split("/")[0])
    assert anne.post(f"/admin/tokens/{token_id}/trekk-tilbake").status_code == 303
    assert browser(None).client.get("/api/saker", headers={"Authorization": f"Bearer {world.tokens['kari']}"}
                                    ).status_code == 401
    assert "trukket tilbake" in anne.get("/admin/brukere/kari").text


def test_account_administration_is_for_the_kommunes_administrator_only(browser, world):
    anne = browser("anne")
    assert anne.get("/admin/brukere/per").status_code == 404  # Bærum's veileder
    assert anne.post("/admin/brukere/per/deaktiver").status_code == 404
    yourself = anne.post("/admin/brukere/anne/deaktiver")
    assert yourself.status_code == 422 and "kan ikke deaktivere deg selv" in yourself.text
    assert browser("lise").post("/admin/brukere/kari/deaktiver").status_code == 403
    assert browser("kari").get("/admin/brukere/kari").status_code == 403
    assert browser("per").get("/saker").status_code == 200  # nothing happened to per


# -- the audit trail (item 8) -----------------------------------------------------------------------


def test_every_write_records_who_and_when_and_the_administrator_reads_the_trail(browser, world):
    kari, anne = browser("kari"), browser("anne")
    flags = [f.id for f in world.flags(world.amina) if f.state == "open"]
    assert kari.post(f"/flagg/{flags[0]}/kvitter").status_code == 303
    assert kari.post(f"/flagg/{flags[1]}/utsett", {"until": "2026-12-01"}).status_code == 303
    with Session(world.ctx.engine) as session:
        version = session.get(Participant, world.amina_pid).version
    edited = kari.post(f"/deltakere/{world.amina_pid}", {"name": "Amina Ali", "born": "1990-03-04",
                                                         "settled": "2026-05-01", "norwegian_oral": "B1",
                                                         "version": str(version)})
    assert edited.status_code == 303
    assert anne.post("/admin/brukere", {"username": "siv", "name": "Siv Veileder", "role": "veileder"}
                     ).status_code == 200
    assert anne.post("/admin/brukere/siv/rolle", {"role": "leder"}).status_code == 303
    with Session(world.ctx.engine) as session:
        rows = {(a.actor, a.action) for a in session.exec(select(AuditEntry))}
        details = [a.detail for a in session.exec(select(AuditEntry).where(AuditEntry.action == "participant.changed"))]
    assert {("kari", "flag.acknowledged"), ("kari", "flag.snoozed"), ("kari", "participant.changed"),
            ("anne", "user.created"), ("anne", "user.role")} <= rows
    assert details == ["norwegian_oral"]  # the field, never its value
    trail = anne.get(f"/admin/revisjon/deltaker?nr={world.amina_pid}")
    assert trail.status_code == 200
    for seen in ("flagg kvittert", "flagg utsatt", "deltaker endret", "hendelse registrert", "kari"):
        assert seen in trail.text, seen
    # the page's CSRF token is random base64 and may hold «B1» by chance: the page without it
    shown = re.sub(r'(name="csrf_token" value="|"X-CSRF-Token": ")[^"]+"', "", trail.text)
    assert "Amina" not in shown and "B1" not in shown
    own = anne.get("/admin/brukere/siv").text
    assert "bruker opprettet" in own and "rolle endret" in own and "veileder → leder" in own
    assert "flagg kvittert" in anne.get("/admin/brukere/kari").text
    assert anne.get(f"/admin/revisjon/deltaker?nr={world.olena_pid}").status_code == 422  # Bærum's
    assert browser("lise").get(f"/admin/revisjon/deltaker?nr={world.amina_pid}").status_code == 403


# -- response headers (item 11) ---------------------------------------------------------------------


def test_every_answer_carries_the_security_headers_and_api_docs_are_off(browser, world):
    guest, kari = browser(None), browser("kari")
    for response in (guest.get("/logg-inn"), kari.get("/saker"), guest.get("/static/app.js"),
                     guest.client.get("/api/saker"), kari.get("/diagram/1.svg")):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline'" not in \
            csp.split("script-src")[1].split(";")[0]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in response.headers  # plain http here
    assert kari.get("/saker").headers["cache-control"] == "no-store"  # a page's own header is kept
    assert guest.get("/api/docs").status_code == 404


def test_https_sends_hsts_and_the_docs_switch_serves_swagger_under_its_own_policy(world):
    client = TestClient(create_app(world.ctx.engine, world.clock, Settings(SECRET, secure_cookies=True,
                                                                           api_docs=True)))
    page = client.get("/logg-inn")
    assert page.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert "cdn" not in page.headers["content-security-policy"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


# -- forwarded addresses (item 12) ------------------------------------------------------------------


async def _failed_sign_ins(app, forwarded_for: list[str]) -> list[int]:
    """Failed sign-ins from 127.0.0.1 through uvicorn's app stack, each with another X-Forwarded-For."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = csrf_of((await client.get("/logg-inn")).text)
        codes = []
        for n, address in enumerate(forwarded_for):
            response = await client.post("/logg-inn", headers={"X-Forwarded-For": address}, data={
                "csrf_token": token, "username": f"ukjent{n}", "password": "galt-galt-galt"})
            codes.append(response.status_code)
        return codes


def _served(world, environ: dict[str, str]):
    config = uvicorn.Config(create_app(world.ctx.engine, world.clock, Settings(SECRET)), **proxy_options(environ))
    config.load()
    return config.loaded_app


def test_a_rotated_forwarded_for_does_not_escape_the_per_address_limit(world):
    addresses = [f"203.0.113.{n}" for n in range(21)]
    assert asyncio.run(_failed_sign_ins(_served(world, {}), addresses)) == [401] * 20 + [429]


def test_forwarded_for_is_believed_only_from_the_listed_proxies(world):
    addresses = [f"203.0.113.{n}" for n in range(21)]
    trusted = _served(world, {"PATHWAYS_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    assert asyncio.run(_failed_sign_ins(trusted, addresses)) == [401] * 21
    with pytest.raises(SystemExit, match=r"'proxy\.local' is not an IP address"):
        proxy_options({"PATHWAYS_FORWARDED_ALLOW_IPS": "10.0.0.1, proxy.local"})


# -- passwords and the sign-in lock (item 13) -------------------------------------------------------


@pytest.mark.parametrize("weak, reason", [
    ("aaaaaaaaaaaa", "gjentar tegn"), (" " * 12, "gjentar tegn"), ("kari.nordmann", "ligner brukernavnet"),
    ("kari-nordmann-1", "ligner brukernavnet eller navnet"), ("123456789012", "vanlig passord"),
    ("qwertyuiopasdf", "vanlig passord")])
def test_weak_passwords_are_refused_with_the_reason(browser, world, weak, reason):
    kari = browser("kari")
    refused = kari.post("/passord", {"current": PASSWORD, "password": weak, "repeat": weak})
    assert refused.status_code == 422 and "for lett å gjette" in refused.text and reason in refused.text
    assert browser("kari").get("/saker").status_code == 200  # the old password still works


def test_a_locked_user_is_told_so_and_the_administrator_lifts_the_lock(browser, world):
    guest = browser(None)
    token = guest.token()
    for _ in range(5):
        guest.client.post("/logg-inn", data={"csrf_token": token, "username": "ola", "password": "galt-" * 3})
    locked = guest.client.post("/logg-inn", data={"csrf_token": token, "username": "ola", "password": PASSWORD})
    assert locked.status_code == 429
    assert "brukeren er sperret" in locked.text and "også riktig passord" in locked.text
    assert "oppheve sperren" in locked.text
    anne = browser("anne")
    assert "innlogging sperret" in anne.get("/admin/brukere").text
    assert anne.post("/admin/brukere/ola/opphev-sperre").status_code == 303
    assert "innlogging sperret" not in anne.get("/admin/brukere").text
    assert browser("ola").get("/saker").status_code == 200


# -- CSRF bound to the session (item 14) ------------------------------------------------------------


def test_a_token_from_another_session_is_refused(app, browser, world):
    """An anonymous visitor's token and cookies, planted in kari's browser, do not pass; nor does the token
    of kari's own other session."""
    visitor = TestClient(app, follow_redirects=False)
    visitor_token = csrf_of(visitor.get("/logg-inn").text)
    kari = browser("kari")
    for name, value in visitor.cookies.items():
        if name != "pathways_session":
            kari.client.cookies.set(name, value)
    before = table_counts(world.ctx)
    planted = kari.client.post(f"/saker/{world.amina}/notat", data={"text": "plantet", "csrf_token": visitor_token})
    assert planted.status_code == 403
    other_token = browser("kari").token()
    assert kari.client.post(f"/saker/{world.amina}/notat", data={"text": "annen økt", "csrf_token": other_token}
                            ).status_code == 403
    assert table_counts(world.ctx) == before
    assert kari.post(f"/saker/{world.amina}/notat", {"text": "riktig"}).status_code == 303


def test_a_tampered_or_outdated_token_is_refused(browser, world, monkeypatch):
    """The token is signed and dated (itsdangerous): one whose payload or signature was changed, and one made
    longer ago than a session lasts, do not pass; nothing is written."""
    from itsdangerous import TimestampSigner

    kari = browser("kari")
    token = kari.token()
    payload, stamp, signature = token.rsplit(".", 2)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]  # the first character: every bit counts
    before = table_counts(world.ctx)
    for forged in (f"{payload}x.{stamp}.{signature}", f"{payload}.{stamp}.{flipped}", token[:-4]):
        assert kari.client.post(f"/saker/{world.amina}/notat", data={"text": "falsk", "csrf_token": forged}
                                ).status_code == 403
    stamp_now, cookies = TimestampSigner.get_timestamp, dict(kari.client.cookies)
    with monkeypatch.context() as m:  # a token made nine hours ago (a session lasts eight)
        m.setattr(TimestampSigner, "get_timestamp", lambda self: stamp_now(self) - 9 * 3600)
        old = kari.token()
    kari.client.cookies.clear()  # the session cookie (signed the same way) as it was, still valid
    for name, value in cookies.items():
        kari.client.cookies.set(name, value)
    assert kari.client.post(f"/saker/{world.amina}/notat", data={"text": "gammel", "csrf_token": old}
                            ).status_code == 403
    assert table_counts(world.ctx) == before
    assert kari.post(f"/saker/{world.amina}/notat", {"text": "riktig"}).status_code == 303


def test_administrator_chooses_the_kommune_of_a_new_user_but_not_another_kommunes_staff(browser, world, ctx):
    """Issue 13 item 12: a kommune field on Brukere; own kommune prefilled, a kommune without users (the
    demo's) allowed, a kommune with its own staff (Bærum) refused with the field named, nothing written."""
    from sqlmodel import Session, func, select

    from pathways.store.tables import Kommune, User
    anne = browser("anne")
    page = anne.get("/admin/brukere").text
    assert 'id="kommune" name="kommune"' in page and 'value="Asker"' in page
    own = anne.post("/admin/brukere", {"username": "siri", "name": "Siri Dahl", "role": "veileder", "kommune": ""})
    assert own.status_code == 200 and "siri" in own.text  # blank: the administrator's own kommune
    new = anne.post("/admin/brukere", {"username": "demo.leder", "name": "Demo Leder", "role": "leder",
                                       "kommune": "Lørenskog"})
    assert new.status_code == 200 and "hører til Lørenskog" in new.text
    with Session(ctx.engine) as session:
        count = session.exec(select(func.count()).select_from(User)).one()
    refused = anne.post("/admin/brukere", {"username": "inntrenger", "name": "Inn Trenger", "role": "leder",
                                           "kommune": "Bærum"})
    assert refused.status_code == 422 and 'id="kommune-error"' in refused.text and "Bærum har egne" in refused.text
    with Session(ctx.engine) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == count
        rows = session.exec(select(User.username, User.kommune_id)).all()
        names = {k.id: k.name for k in session.exec(select(Kommune)).all()}
    placed = {username: names[kommune] for username, kommune in rows}
    assert placed["siri"] == "Asker" and placed["demo.leder"] == "Lørenskog"
