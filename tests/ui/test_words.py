"""Every page speaks bokmål (issue 12): each page, and each refusal a page shows (bad filters, bad event
input, a refused event, a broken draft in the editor, row errors of an import, unknown ids), is rendered
and its visible text searched for English words the old translation table let through."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.services.test_authoring import law_2025
from tests.ui.test_routes import wait_for_job

PID = "introduksjonsprogram"
ENGLISH = re.compile(r"\b(error|unknown|invalid|must be|did you mean|is not|should be)\b", re.IGNORECASE)
"""Words of the services' and the engine's English that must not reach a page."""


class _Visible(HTMLParser):
    """The text a person reads: element text (not scripts, styles or the document being edited) and the
    attributes read out or shown (title, alt, aria-label, placeholder)."""

    HIDDEN = frozenset({"script", "style", "textarea"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in ("title", "alt", "aria-label", "placeholder") and v]

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_in(text: str) -> list[str]:
    return [text[max(0, m.start() - 60):m.end() + 60] for m in ENGLISH.finditer(text)]


def test_the_check_finds_english():
    assert english_in(visible("<p>unknown step 'x' — did you mean 'y'?</p><script>unknown</script>"))
    assert not english_in(visible("<p>ukjent steg «x» – mente du «y»?</p><textarea>unknown: 1</textarea>"))


PAGES = [  # (user, path)
    (None, "/logg-inn"),
    ("kari", "/saker"), ("kari", "/saker/{amina}"), ("kari", "/flagg"), ("kari", "/deltakere"),
    ("kari", "/deltakere/ny"), ("kari", "/deltakere/{amina_pid}"), ("kari", "/deltakere-import"),
    ("kari", "/passord"), ("lise", "/saker"), ("lise", "/kohort?lop=introduksjonsprogram"), ("lise", "/flagg"),
    ("anne", "/admin/brukere"), ("anne", "/admin/brukere/kari"), ("anne", "/admin/enheter"), ("anne", "/admin/lop"),
    ("anne", f"/admin/lop/{PID}/rediger"), ("anne", f"/admin/lop/{PID}/endringer?fra=1&til=1"),
    ("anne", "/admin/revisjon/deltaker?id={amina_pid}"),
    # refusals
    ("lise", "/saker?sort=alder"), ("lise", "/saker?flagg=tull"), ("lise", "/saker?side=0"),
    ("lise", "/saker?frist_innen=abc"), ("lise", "/saker?q=" + "x" * 101), ("lise", "/flagg?tilstand=tull"),
    ("kari", "/saker/999999"), ("kari", "/deltakere/999999"), ("kari", "/saker/{olena}"),
    ("kari", "/admin/lop"), ("kari", "/jobber/finnes-ikke"),
]


def test_pages_have_no_english(browser, world):
    """One world for all the pages (building it is the slow part)."""
    clients = {user: browser(user) for user in {u for u, _ in PAGES}}
    found = {}
    for user, path in PAGES:
        response = clients[user].get(path.format(amina=world.amina, amina_pid=world.amina_pid, olena=world.olena))
        assert response.status_code < 500, path
        if english_in(visible(response.text)):
            found[path] = english_in(visible(response.text))
    assert not found, found


EVENT_FORMS = [
    {"on": "2026-13-40"}, {"on": "2027-01-01"}, {"on": "1800-01-01"}, {"f_programstart_dato": "i morgen"},
    {"f_programstart_dato": ""}, {"event": "finnes_ikke"}, {"event": "vedtak_fatet"}, {"case_version": "1"},
    {"event": "plan_og_kontrakt_signert", "f_sluttmal": "arbeid", "f_planlagt_slutt": "2028-01-01"},
    {"event": "permisjon"}, {"event": "gjenoppta"}, {"f_finnes_ikke": "1"},
]


def test_refused_events_are_explained_in_bokmal(browser, world):
    kari, found = browser("kari"), {}
    for form in EVENT_FORMS:
        data = {"event": "vedtak_fattet", "on": "2026-11-20", "case_version": "3",
                "f_programstart_dato": "2026-12-01", **form}
        response = kari.post(f"/saker/{world.amina}/hendelse", data)
        assert response.status_code in (409, 422), (form, response.status_code)
        if english_in(visible(response.text)):
            found[str(form)] = english_in(visible(response.text))
    assert not found, found


def test_participant_form_errors_are_in_bokmal(browser, world):
    kari = browser("kari")
    for form in ({"name": "Ny Person", "born": "2026-02-30"}, {"name": "", "born": "1990-01-01"},
                 {"name": "Ny Person", "born": "1850-01-01"}, {"name": "Ny Person", "born": "1990-01-01",
                                                                "settled": "1980-01-01"},
                 {"name": "Ny Person", "born": "1990-01-01", "dependants": "-1"},
                 {"name": "Ny Person", "born": "1990-01-01", "norwegian_oral": "Z9"}):
        response = kari.post("/deltakere/ny", form)
        assert response.status_code == 422, form
        assert not english_in(visible(response.text)), (form, english_in(visible(response.text)))


def test_the_editor_shows_a_broken_drafts_problems_in_bokmal(browser, world):
    anne = browser("anne")
    broken = law_2025().replace("to: program_videregaende", "to: program_videregaend", 1).replace(
        "version: 2", "version: 2\nnxt: x", 1)
    saved = anne.post(f"/admin/lop/{PID}/utkast", {"document": broken, "base": "1"})
    assert saved.status_code in (200, 422)
    page = visible(anne.get(f"/admin/lop/{PID}/rediger").text)
    assert "ukjent steg «program_videregaend» – mente du «program_videregaende»?" in page
    assert not english_in(page), english_in(page)
    live = anne.post(f"/admin/lop/{PID}/sjekk", {"document": broken}).json()
    texts = " ".join(p["message"] for p in live["problems"])
    assert texts and not english_in(texts), english_in(texts)
    for document in ("steps: [", "- a\n- b\n", "", law_2025().replace("kind: outcome", "kind: utfall", 1)):
        answer = anne.post(f"/admin/lop/{PID}/sjekk", {"document": document}).json()
        texts = " ".join(p["message"] for p in answer["problems"])
        assert texts and not english_in(texts), (document[:40], english_in(texts))
    refused = anne.post(f"/admin/lop/{PID}/publiser", {"document": broken, "base": "1", "note": "2025"})
    assert refused.status_code == 422 and not english_in(visible(refused.text))
    no_note = anne.post(f"/admin/lop/{PID}/publiser", {"document": law_2025(), "base": "1", "note": " "})
    assert no_note.status_code == 422 and not english_in(visible(no_note.text))


def test_import_row_errors_are_in_bokmal(browser, world):
    kari = browser("kari")
    bad = ("name,born,kommune,shoe_size\nGod Rad,1990-01-01,\nUten Dato,,\nFeil Kommune,1991-01-01,Bærum\n"
           "Dårlig,1990-02-30,\n")
    started = kari.post("/deltakere-import", files={"file": ("liste.csv", bad.encode(), "text/csv")})
    html = visible(wait_for_job(kari, started.headers["location"]))
    assert "Feil i filen" in html and not english_in(html), english_in(html)
    rows = "name,born\nGod Rad,1990-01-01,ekstra\nUten Dato,1990-02-30\nGod Rad,1990-01-01\n"
    started = kari.post("/deltakere-import", files={"file": ("liste.csv", rows.encode(), "text/csv")})
    html = visible(wait_for_job(kari, started.headers["location"]))
    assert "Feil i filen" in html and not english_in(html), english_in(html)


def test_the_api_speaks_english(browser, world):
    from fastapi.testclient import TestClient

    client: TestClient = browser("kari").client
    headers = {"Authorization": f"Bearer {world.tokens['kari']}"}
    missing = client.get("/api/saker/999999", headers=headers)
    assert missing.status_code == 404 and missing.json()["detail"] == "no case 999999"
