"""«I dag» over HTTP: the home page after sign-in, its rows, the acknowledge/snooze actions with the header's
counts out of band, the flag texts without a repeated kind, and GET /api/i-dag with its access rules."""

from __future__ import annotations

import re

from tests.ui.conftest import TODAY


def count_in(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}"[^>]*>(\d+)<', html)
    assert found, f"no #{element_id} with a number"
    return int(found.group(1))


def test_the_worklist_is_the_home_page_of_those_who_read_cases(browser, world):
    kari = browser("kari")
    assert kari.get("/").headers["location"] == "/i-dag"
    assert browser("lise").get("/").headers["location"] == "/i-dag"
    assert browser("anne").get("/").headers["location"] == "/admin/brukere"
    assert browser("anne").get("/i-dag").status_code == 403
    anonymous = browser().get("/i-dag")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/logg-inn")


def test_rows_say_what_why_and_what_to_do_with_the_action_on_the_right_case(browser, world):
    html = browser("kari").get("/i-dag").text
    assert "<h1>I dag</h1>" in html and count_in(html, "i-dag-antall") == 2
    assert ("Frist passert 01.08.2026</strong>: <span class=\"why\">Vedtak om introduksjonsprogram senest 3 måneder "
            "etter bosetting</span> — <span class=\"todo\">registrer «Vedtak om introduksjonsprogram fattet (§ 12)»"
            in html)
    assert f'href="/saker/{world.amina}?hendelse=vedtak_fattet#hendelse"' in html
    assert f'href="/saker/{world.amina}?inntekt=ny&amp;fra=2026-08-01#inntekt"' in html
    assert "Yonas" not in html and "Olena" not in html
    # the header's count on another page is loaded after it, from /i-dag/antall
    assert 'hx-get="/i-dag/antall"' in browser("kari").get("/saker").text
    assert count_in(browser("kari").get("/i-dag/antall").text, "i-dag-antall") == 2


def test_acknowledging_removes_the_item_and_sends_the_counts_out_of_band(browser, world):
    kari = browser("kari")
    flag_id = re.search(r'/i-dag/flagg/(\d+)/kvitter', kari.get("/i-dag").text).group(1)
    answer = kari.post(f"/i-dag/flagg/{flag_id}/kvitter", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert 'id="i-dag-antall" class="count" hx-swap-oob="true"' in answer.text
    assert count_in(answer.text, "i-dag-antall") == 1
    assert 'id="flagg-antall" hx-swap-oob="true"' in answer.text
    assert "Frist passert" not in kari.get("/i-dag").text


def test_a_snooze_needs_a_later_date_and_says_so_beside_the_row(browser, world):
    kari = browser("kari")
    flag_id = re.search(r'/i-dag/flagg/(\d+)/utsett', kari.get("/i-dag").text).group(1)
    refused = kari.post(f"/i-dag/flagg/{flag_id}/utsett", {"until": TODAY.isoformat()}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert count_in(kari.get("/i-dag").text, "i-dag-antall") == 2  # nothing changed
    done = kari.post(f"/i-dag/flagg/{flag_id}/utsett", {"until": "2026-12-01"})
    assert done.status_code == 303 and done.headers["location"] == "/i-dag"
    assert count_in(kari.get("/i-dag").text, "i-dag-antall") == 1
    assert browser("lise").post(f"/i-dag/flagg/{flag_id}/kvitter").status_code == 403  # a leder reads only


def test_flag_texts_do_not_repeat_their_kind(browser, world):
    kari = browser("kari")
    for html in (kari.get(f"/saker/{world.amina}").text, kari.get("/flagg").text):
        text = re.sub(r"<[^>]+>", "", html)
        assert "Frist passert" in text
        assert not re.search(r"Frist passert:?\s*Frist passert", text)
        assert not re.search(r"Inntektsgap:?\s*Inntektsgap", text)


def test_api_worklist_typed_scoped_and_refused_for_other_roles(browser, world):
    client = browser().client
    kari = client.get("/api/i-dag", headers={"Authorization": f"Bearer {world.tokens['kari']}"})
    assert kari.status_code == 200
    body = kari.json()
    assert body["total"] == 2 and body["cap"] == 25 and body["capped"] is False
    first = body["items"][0]
    assert first["rank"] == "brudd" and first["kind"] == "frist_brudd" and first["on"] == "2026-08-01"
    assert first["line"].startswith("Frist passert 01.08.2026: Vedtak om introduksjonsprogram")
    assert first["case_id"] == world.amina and first["name"] == "Amina Ali" and first["flag_id"]
    lise = client.get("/api/i-dag?alle=true", headers={"Authorization": f"Bearer {world.tokens['lise']}"}).json()
    assert {i["case_id"] for i in lise["items"]} == {world.amina, world.yonas}
    per = client.get("/api/i-dag", headers={"Authorization": f"Bearer {world.tokens['per']}"}).json()
    assert {i["case_id"] for i in per["items"]} == {world.olena}
    assert client.get("/api/i-dag", headers={"Authorization": f"Bearer {world.tokens['anne']}"}).status_code == 403
    assert client.get("/api/i-dag").status_code == 401
    assert client.get("/api/i-dag?alle=kanskje",
                      headers={"Authorization": f"Bearer {world.tokens['kari']}"}).status_code == 422
    spec = client.get("/api/openapi.json").json()["paths"]["/api/i-dag"]["get"]
    assert {"200", "401", "403", "422"} <= set(spec["responses"])
    assert spec["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("WorklistOut")


def test_vis_alle_is_paged_with_links_to_the_next_and_previous_page(browser, world, monkeypatch):
    import pathways.services.worklist as service
    monkeypatch.setattr(service, "ALL_PAGE", 1)
    lise = browser("lise")
    first = lise.get("/i-dag?alle=1").text  # three items in Asker, one a page
    assert "Side 1 av 3" in first and 'href="/i-dag?alle=1&amp;side=2">Neste side' in first
    assert "Forrige side" not in first
    last = lise.get("/i-dag?alle=1&side=3").text
    assert "Side 3 av 3" in last and 'href="/i-dag?alle=1&amp;side=2">Forrige side' in last
    assert "Neste side" not in last
    assert lise.get("/i-dag?alle=1&side=x").status_code == 200  # not a number: the first page
    api = lise.client.get("/api/i-dag?alle=true&side=2", headers={"Authorization": f"Bearer {world.tokens['lise']}"})
    assert api.status_code == 200 and api.json()["page"] == 2 and len(api.json()["items"]) == 1
