"""«Oppbevaring og sletting» (issue 17): a leder sees what falls due in their kommune and confirms it; the
job archives and deletes exactly that list; nobody else may, and a tampered list is refused."""

from __future__ import annotations

import time
from datetime import date

from pathways.services import cases, participants


def _old(world) -> int:
    """A participant of Asker whose only case ended in 2013."""
    clock, ctx = world.clock, world.ctx
    today = clock.today()
    clock.set(date(2012, 4, 1))
    pid = participants.add_participant(ctx, name="Gammel Sak", born="1980-06-15", settled="2012-03-01",
                                       kommune="Asker")
    case = cases.enrol(ctx, pid, "introduksjonsprogram", date(2012, 4, 1), "kari")
    clock.set(date(2013, 2, 1))
    cases.discontinue(ctx, case, date(2013, 2, 1))
    clock.set(today)
    return pid


def test_a_leder_confirms_the_list_and_the_job_archives_and_deletes_it(world, browser, monkeypatch, tmp_path):
    monkeypatch.setenv("PATHWAYS_ARCHIVE_DIR", str(tmp_path / "arkiv"))
    pid = _old(world)
    lise = browser("lise")
    page = lise.get("/oppbevaring")
    assert page.status_code == 200
    assert "1 deltaker har opplysninger som har passert oppbevaringstiden" in page.text
    assert f'href="/deltakere/{pid}"' in page.text and "01.02.2013" in page.text
    assert f'name="ids" value="{pid}"' in page.text
    started = lise.post("/oppbevaring", {"ids": str(pid)})
    assert started.status_code == 303 and started.headers["location"].startswith("/jobber/")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = lise.get(started.headers["location"])
        if "erstattet med pseudonym" in job.text:
            break
        time.sleep(0.2)
    assert "erstattet med pseudonym" in job.text
    assert sorted(p.suffix for p in (tmp_path / "arkiv").iterdir()) == [".json", ".pdf"]
    assert lise.get(f"/deltakere/{pid}").status_code == 404
    assert "Ingen opplysninger har passert oppbevaringstiden" in lise.get("/oppbevaring").text


def test_only_a_leder_and_only_a_valid_list(world, browser):
    _old(world)
    assert browser("kari").get("/oppbevaring").status_code == 403
    assert browser("anne").get("/oppbevaring").status_code == 403
    lise = browser("lise")
    assert lise.post("/oppbevaring", {"ids": "1;DROP TABLE"}).status_code == 422
    assert lise.post("/oppbevaring", {"ids": ""}).status_code == 422
    assert browser("per").get("/oppbevaring").status_code == 403
