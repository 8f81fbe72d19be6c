"""The read-access log (tilgangslogg, issue 17): every read of a participant's data through a page, the API or
the service layer is logged with who, when, which view and channel; a leder or administrator lists the reads
of a participant and by a user of their kommune; the table refuses updates and deletes (triggers) except the
retention purge's; nobody else sees it."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from pathways.services import cases, readlog
from pathways.services.access import Forbidden
from pathways.services.context import Actor, Context, NotFound
from pathways.store.tables import ReadAccess, ReadLogPurge


def entries(world) -> list[tuple]:
    readlog.flush()
    with world.ctx.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(ReadAccess.actor, ReadAccess.role, ReadAccess.participant_id, ReadAccess.view, ReadAccess.channel)
            .order_by(ReadAccess.id))]


def test_pages_and_api_reads_are_logged_with_view_and_channel(world, browser):
    readlog.flush()
    assert entries(world) == []
    kari = browser("kari")
    assert kari.get(f"/saker/{world.amina}").status_code == 200
    assert kari.get(f"/deltakere/{world.amina_pid}").status_code == 200
    api = kari.client.get(f"/api/saker/{world.amina}", headers={"Authorization": f"Bearer {world.tokens['kari']}"})
    assert api.status_code == 200
    logged = entries(world)
    assert ("kari", "veileder", world.amina_pid, "sak", "side") in logged
    assert ("kari", "veileder", world.amina_pid, "fravaer", "side") in logged  # the case page's absence section
    assert ("kari", "veileder", world.amina_pid, "deltaker", "side") in logged
    assert ("kari", "veileder", world.amina_pid, "sak", "api") in logged
    assert {e[2] for e in logged} == {world.amina_pid}  # nobody else's data was read


def test_a_refused_read_is_not_logged_as_a_read(world, browser):
    per = browser("per")  # Bærum: Amina is not his
    assert per.get(f"/saker/{world.amina}").status_code == 404
    assert [e for e in entries(world) if e[0] == "per"] == []


def test_the_cli_reads_are_logged_as_cli(world):
    cases.show(world.ctx, world.amina)  # the system actor of the tests, channel cli (the default)
    assert ("test", "system", world.amina_pid, "sak", "cli") in entries(world)


def test_a_leder_lists_reads_of_a_participant_and_by_a_user(world, browser):
    browser("kari").get(f"/saker/{world.amina}")
    browser("ola").get(f"/saker/{world.yonas}")
    lise = browser("lise")
    page = lise.get(f"/tilgangslogg?deltaker={world.amina_pid}")
    assert page.status_code == 200
    assert "Kari Nordmann" in page.text and "veileder" in page.text and "Ola Nordmann" not in page.text
    assert f"Tilgangslogg: deltaker {world.amina_pid}" in page.text
    by_ola = lise.get("/tilgangslogg?bruker=ola")
    assert by_ola.status_code == 200
    assert "Ola Nordmann" in by_ola.text and "Tilgangslogg: bruker ola" in by_ola.text
    assert f'href="/deltakere/{world.amina_pid}"' not in by_ola.text
    # another kommune's participant and user are not found; a veileder may not look
    assert lise.get(f"/tilgangslogg?deltaker={world.olena_pid}").status_code == 422
    assert lise.get("/tilgangslogg?bruker=per").status_code == 422
    assert browser("kari").get(f"/tilgangslogg?deltaker={world.amina_pid}").status_code == 403
    assert browser("anne").get(f"/tilgangslogg?deltaker={world.amina_pid}").status_code == 200
    assert lise.get("/tilgangslogg?deltaker=abc").status_code == 422


def test_the_services_refuse_a_veileder_and_a_foreign_kommune(world):
    kari = Context(world.ctx.engine, world.clock, Actor.user(1, "kari", "veileder", 1, "Asker"))
    with pytest.raises(Forbidden):
        readlog.reads_of_participant(kari, world.amina_pid)
    lise = Context(world.ctx.engine, world.clock, Actor.user(3, "lise", "leder", -5, "Ingen"))
    with pytest.raises(NotFound):
        readlog.reads_of_participant(lise, world.amina_pid)


def test_the_log_refuses_updates_and_deletes_but_the_purge(world, browser):
    browser("kari").get(f"/saker/{world.amina}")
    readlog.flush()
    engine = world.ctx.engine
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(update(ReadAccess).values(actor="mallory"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(delete(ReadAccess))
    kept = len(entries(world))
    assert kept > 0
    # an old entry goes with the purge, the recent ones stay; the marker row is gone after
    with engine.begin() as connection:
        connection.execute(insert(ReadAccess).values(
            at=datetime(2019, 1, 1, 12, tzinfo=UTC), actor="gammel", role="veileder", participant_id=world.amina_pid,
            participant_kommune_id=1, view="sak", channel="side"))
    assert readlog.purge(engine, date(2026, 11, 22)) == 1
    assert len(entries(world)) == kept
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ReadLogPurge)).scalar_one() == 0


def test_reading_the_log_flushes_first_and_innsyn_shows_roles_not_names(world, browser, monkeypatch):
    browser("kari").get(f"/saker/{world.amina}")
    from sqlmodel import Session

    with Session(world.ctx.engine) as session:
        shown = readlog.readers_for_innsyn(session, world.amina_pid)
        assert shown and all("name" not in r for r in shown)
        assert {r["role"] for r in shown} == {"veileder"} and {r["channel"] for r in shown} == {"dashbord"}
        named = readlog.readers_for_innsyn(session, world.amina_pid, persons=True)
        assert {r["name"] for r in named} == {"Kari Nordmann"}


def test_the_retention_comes_from_the_policy(monkeypatch, tmp_path):
    policy = tmp_path / "oppbevaring.yaml"
    policy.write_text("classes:\n  case_history: {years: 10, then: archive}\n  notes: {years: 5, then: archive}\n"
                      "  livelihood: {years: 5, then: delete}\n  flags: {years: 2, then: delete}\n"
                      "  read_log: {years: 3, then: delete}\n")
    monkeypatch.setenv("PATHWAYS_RETENTION_CONFIG", str(policy))
    assert readlog.retention_years() == 3
    policy.write_text(policy.read_text().replace("years: 3", "years: tre"))
    with pytest.raises(ValueError, match=r"oppbevaring.yaml:6"):
        readlog.retention_years()


def test_the_buffer_is_written_by_its_thread_without_a_flush(world, browser):
    readlog.flush()
    browser("kari").get(f"/deltakere/{world.amina_pid}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with world.ctx.engine.connect() as connection:
            if connection.execute(select(func.count()).select_from(ReadAccess)).scalar_one():
                return
        time.sleep(0.1)
    pytest.fail("the background thread wrote nothing in 20 s (it writes every 5 s)")
