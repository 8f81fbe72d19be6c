"""«Innstillinger»: every signed-in user chooses their own summary by e-mail (off, daily, weekly) and
address; a bad choice is shown beside its field with nothing written. «Oppsummeringer» (linked from
«Brukere»): an administrator sees per user of their kommune how a day's summaries went, without personal
data; another role gets 403, another kommune's users are never listed.

World: tests/ui/conftest.py (Asker: kari, ola, lise, anne; Bærum: per)."""

from __future__ import annotations

from aiosmtpd.controller import Controller

from pathways.services.context import Actor, Context
from pathways.services.digest import Mailer, my_choice, send_digests
from tests.conftest import table_counts
from tests.services.test_digest import Inbox
from tests.services.test_worklist import as_user
from tests.ui.conftest import TODAY


def test_a_user_chooses_their_summary_on_their_own_settings_page(browser, world):
    kari = browser("kari")
    page = kari.get("/innstillinger")
    assert page.status_code == 200 and "Oppsummering på e-post" in page.text
    assert 'id="digest-off" name="digest" value="off" checked' in page.text
    assert '<a href="/innstillinger"' in kari.get("/i-dag").text  # reachable from every page's header
    saved = kari.post("/innstillinger", {"digest": "weekly", "email": "kari@asker.kommune.no"})
    assert saved.status_code == 303
    assert "Innstillingene er lagret." in kari.get("/innstillinger").text
    choice = my_choice(as_user(world, "kari"))
    assert (choice.digest, choice.email) == ("weekly", "kari@asker.kommune.no")
    assert my_choice(as_user(world, "ola")).digest == "off"  # only one's own


def test_a_bad_choice_is_shown_beside_its_field_and_nothing_is_written(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    refused = kari.post("/innstillinger", {"digest": "daily", "email": ""})
    assert refused.status_code == 422
    assert 'id="email-error">⚠ en e-postadresse trengs for å få oppsummeringen' in refused.text
    refused = kari.post("/innstillinger", {"digest": "hourly", "email": "kari@asker.kommune.no"})
    assert refused.status_code == 422 and 'id="digest-error">⚠ «hourly» er ikke et valg' in refused.text
    assert 'value="kari@asker.kommune.no"' in refused.text  # what was typed stays
    assert table_counts(world.ctx) == before


def test_administrators_see_how_the_summaries_went_in_their_kommune_only(browser, world, free_port):
    for username in ("kari", "ola"):
        browser(username).post("/innstillinger", {"digest": "daily", "email": f"{username}@asker.kommune.no"})
    browser("per").post("/innstillinger", {"digest": "daily", "email": "per@baerum.kommune.no"})
    inbox, port = Inbox(refuse={"ola@asker.kommune.no"}), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        send_digests(Context(world.ctx.engine, world.clock, Actor.system("test")), TODAY,
                     Mailer.parse(f"smtp://127.0.0.1:{port}", "pathways@asker.kommune.no"))
    finally:
        controller.stop()
    anne = browser("anne")
    assert '<a href="/admin/oppsummering">' in anne.get("/admin/brukere").text
    page = anne.get(f"/admin/oppsummering?dato={TODAY.isoformat()}")
    assert page.status_code == 200
    kari_row = page.text[page.text.index('id="oppsummering-kari"'):].split("</tr>")[0]
    ola_row = page.text[page.text.index('id="oppsummering-ola"'):].split("</tr>")[0]
    assert "✓ sendt" in kari_row and "⚠ feilet" in ola_row and "SMTPRecipientsRefused 550" in ola_row
    assert "ola@asker.kommune.no" not in page.text
    assert 'id="oppsummering-per"' not in page.text
    assert browser("kari").get("/admin/oppsummering").status_code == 403
