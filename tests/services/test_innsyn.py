"""The participant's right of access (innsyn, issue 17): the export holds what was recorded about the person,
as JSON and as the document in bokmål; only the leder of their kommune, the veileder of one of their cases
(or a colleague covering for them) and the system actor may export it, anyone else is refused with nothing
written; each export is in the audit trail; the command line gives the same.

The world is the dashboard tests' (tests/ui/conftest.py): in Asker veileder kari has Amina's case and
veileder ola Yonas's, leder lise, administrator anne, Fatima is on no pathway yet (the intake); in Bærum
veileder per has Olena's case.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from sqlmodel import Session, col, select

from pathways.cli import main
from pathways.services import audit, cases, innsyn, livelihood, tasks
from pathways.services import innsyn_document as document
from pathways.services.access import Forbidden
from pathways.services.accounts import add_user, find_user
from pathways.services.caseworkers import set_cover
from pathways.services.context import Context, NotFound, ServiceError
from pathways.services.dashboard import add_note
from pathways.store.tables import AuditEntry, Participant
from tests.conftest import table_counts
from tests.services.test_access import as_user
from tests.ui.conftest import PASSWORD, World, build_world

NOTE = "Ønsker praksis i barnehage; tolk på somali."


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def recorded(world: World) -> Context:
    """Amina's case as kari records it: the vedtak with its date, a leave and its end, a livelihood period, a
    note and a task (the nightly checks flagged the vedtak deadline already)."""
    kari = as_user(world, "kari")
    cases.advance(kari, world.amina, "vedtak_fattet", date(2026, 11, 20), {"programstart_dato": "2026-12-01"})
    cases.pause(kari, world.amina, date(2026, 11, 21), "velferd")
    cases.resume(kari, world.amina, date(2026, 11, 22))
    livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", date(2026, 12, 1), date(2027, 11, 30),
                          amount="15012.50", note="Vedtak om stønad")
    add_note(kari, world.amina, NOTE)
    tasks.add_task(kari, title="Bestill tolk", due=date(2026, 12, 1), to_user="ola", case_id=world.amina)
    return kari


def test_the_export_holds_what_was_recorded(world):
    kari = recorded(world)
    found = innsyn.export(kari, world.amina_pid)
    data = json.loads(json.dumps(found.as_json()))  # plain JSON all through
    assert (data["format"], data["format_version"]) == ("pathways-innsyn", 1)
    assert data["generated"] == "2026-11-22T00:00:00+01:00"  # ctx.now(), Norwegian time
    person = data["participant"]
    assert {c.name for c in Participant.__table__.columns} <= set(person)  # every column
    assert (person["name"], person["birth_date"], person["settlement_date"], person["kommune"]) == (
        "Amina Ali", "1990-03-04", "2026-05-01", "Asker")
    [case] = data["cases"]
    assert (case["id"], case["pathway"], case["pathway_title"], case["status"], case["start_date"]) == (
        world.amina, "introduksjonsprogram", "Introduksjonsprogrammet", "active", "2026-08-01")
    assert (case["caseworker"], case["caseworker_name"]) == ("kari", "Kari Nordmann")
    assert [s["id"] for s in case["current_steps"]] == ["integreringsplan"] and case["current_steps"][0]["title"]
    names = [e["name"] for e in case["events"]]
    assert names == ["innmelding", "fullfort", "kartlegging_fullfort", "vedtak_fattet", "permisjon", "gjenoppta"]
    vedtak = case["events"][3]
    assert vedtak["values"] == {"programstart_dato": "2026-12-01"}
    assert vedtak["values_text"] == [{"field": "Programstart (dato i vedtaket)", "value": "01.12.2026"}]
    assert vedtak["title"] == "Vedtak om introduksjonsprogram fattet (§ 12)" and vedtak["effective_on"] == "2026-11-20"
    assert (vedtak["recorded_by"], vedtak["recorded_by_name"]) == ("kari", "Kari Nordmann")
    assert vedtak["facts"]["birth_date"] == "1990-03-04" and vedtak["recorded_at"].startswith("2026-11-22T")
    assert case["events"][4]["values"] == {"arsak": "velferd"}
    assert case["events"][0]["recorded_by"] == "test" and case["events"][0]["recorded_by_name"] is None
    assert {d["key"] for d in case["deadlines"]} >= {"vedtak_frist"}
    assert [(n["text"], n["written_by_name"]) for n in case["notes"]] == [(NOTE, "Kari Nordmann")]
    assert [(t["title"], t["assignee"], t["created_by_name"]) for t in case["tasks"]] == [
        ("Bestill tolk", "Ola Nordmann", "Kari Nordmann")]
    assert [(p["source"], p["start"], p["end"], p["amount"], p["note"]) for p in data["livelihood"]] == [
        ("introduksjonsstonad", "2026-12-01", "2027-11-30", 15012.5, "Vedtak om stønad")]
    assert any(f["kind"] == "frist_brudd" and f["case"] == world.amina for f in data["flags"])
    assert [a["action"] for a in data["audit"]][:1] == ["participant.created"]
    assert any(a["action"] == "income.created" and a["actor_name"] == "Kari Nordmann" for a in data["audit"])
    assert data["reads"] == []


def test_the_document_says_the_same_in_bokmal(world):
    kari = recorded(world)
    found = innsyn.export(kari, world.amina_pid, "pdf")
    page = document.html(found)
    for text in ("Innsyn: opplysninger som er lagret om deg", "Amina Ali", "født 04.03.1990", "Introduksjonsprogrammet",
                 "Vedtak om introduksjonsprogram fattet (§ 12)", "Programstart (dato i vedtaket): 01.12.2026",
                 "Permisjon", "Årsak: velferd", "Kari Nordmann, 22.11.2026 kl.", "Ønsker praksis i barnehage",
                 "Bestill tolk", "Introduksjonsstønad", "01.12.2026", "30.11.2027", "15\u00a0012,50\u00a0kr",
                 "Frist passert", "Endringslogg", "Deltaker opprettet", "Opplysninger om deg som reglene brukte",
                 "Fødselsdato: 04.03.1990"):
        assert text in page, text
    assert "Hvem som har lest" not in page  # the read log's section only when it has something
    assert "2026-11-20" not in page  # dates the Norwegian way
    made = document.pdf(found)
    assert made.startswith(b"%PDF-")
    try:
        from pypdf import PdfReader
    except ImportError:
        return  # the HTML above is what weasyprint lays out
    import io
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(made)).pages)
    assert "Amina Ali" in text and "Programstart" in text


def test_who_has_read_the_data_comes_from_the_read_logs_hook(world):
    read = {"at": "2026-11-21T09:30:00+01:00", "role": "leder", "unit": "Flyktningtjenesten", "view": "sak",
            "channel": "dashbord"}

    def readers(session, participant_id):
        assert participant_id == world.amina_pid and isinstance(session, Session)
        return [read]

    found = innsyn.export(as_user(world, "lise"), world.amina_pid, readers=readers)
    assert found.as_json()["reads"] == [read]
    page = document.html(found)
    assert "Hvem som har lest opplysningene dine" in page and "21.11.2026 kl. 09.30" in page


def exported(world: World) -> list[AuditEntry]:
    with Session(world.ctx.engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == "participant.exported")
                                 .order_by(col(AuditEntry.id))))


@pytest.mark.parametrize("username", ["kari", "lise"])
def test_the_cases_veileder_and_the_kommunes_leder_may_export_and_each_export_is_in_the_audit_trail(world, username):
    found = innsyn.export(as_user(world, username), world.amina_pid, "pdf")
    assert found.participant["name"] == "Amina Ali"
    [entry] = exported(world)
    assert (entry.actor, entry.participant_id, entry.detail) == (username, world.amina_pid, "pdf")
    assert entry.kommune_id is not None
    trail = audit.participant_trail(Context(world.ctx.engine, world.clock), world.amina_pid)
    assert any(e.action == "participant.exported" and e.text == "innsyn eksportert" for e in trail)
    assert innsyn.may_export(as_user(world, username), world.amina_pid)


def test_a_veileder_covering_for_the_caseworker_may_export(world):
    lise = as_user(world, "lise")
    kari, ola = (find_user(world.ctx, name) for name in ("kari", "ola"))
    assert not innsyn.may_export(as_user(world, "ola"), world.amina_pid)
    set_cover(lise, kari.id, ola.id, date(2026, 12, 31))
    assert innsyn.export(as_user(world, "ola"), world.amina_pid).participant["id"] == world.amina_pid


def test_the_system_actor_may_export_any_kommunes_participant(world):
    assert innsyn.export(world.ctx, world.olena_pid).participant["kommune"] == "Bærum"
    assert exported(world)[0].actor == "test"


def test_everyone_else_is_refused_and_nothing_is_written(world):
    add_user(world.ctx, username="berit", name="Berit Leder", role="leder", kommune="Bærum", password=PASSWORD)
    before = table_counts(world.ctx)
    refusals = [("ola", world.amina_pid, NotFound),  # a veileder without the case: not in their scope
                ("per", world.amina_pid, NotFound),  # another kommune's veileder
                ("berit", world.amina_pid, NotFound),  # another kommune's leder
                ("lise", world.olena_pid, NotFound),
                ("anne", world.amina_pid, Forbidden),  # an administrator reads no participants
                ("kari", world.fatima_pid, Forbidden)]  # in kari's intake, but no case of hers
    for username, pid, refusal in refusals:
        ctx = as_user(world, username)
        with pytest.raises(refusal):
            innsyn.export(ctx, pid)
        assert not innsyn.may_export(ctx, pid), (username, pid)
    with pytest.raises(NotFound):
        innsyn.export(world.ctx, 2**31 - 1)
    with pytest.raises(ServiceError, match="not an export format"):
        innsyn.export(world.ctx, world.amina_pid, "xml")
    assert table_counts(world.ctx) == before


def test_the_command_line_exports_json_and_pdf(world, tmp_path, monkeypatch):
    recorded(world)
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", world.ctx.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    result = runner.invoke(main, ["participants", "export", str(world.amina_pid)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["participant"]["name"] == "Amina Ali" and len(data["cases"][0]["events"]) == 6
    out = tmp_path / "innsyn.pdf"
    result = runner.invoke(main, ["participants", "export", str(world.amina_pid), "--format", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-") and "wrote" in result.stderr
    result = runner.invoke(main, ["participants", "export", str(world.amina_pid), "--format", "pdf"])
    assert result.exit_code == 2 and "--out" in result.stderr
    result = runner.invoke(main, ["participants", "export", "999999"])
    assert result.exit_code == 1 and "no participant 999999" in result.stderr
    assert [(e.actor, e.detail) for e in exported(world)] == [("cli", "json"), ("cli", "pdf")]


def test_instants_are_norwegian_time_in_both_renderings():
    assert document.moment_no("2026-07-01T08:05:00+00:00") == "01.07.2026 kl. 10.05"
    assert document.moment_no(datetime(2026, 1, 1, 8, 5)) == "01.01.2026 kl. 09.05"  # SQLite's: UTC without a zone
    assert document.moment_no(None) == "–"


def test_every_column_of_the_participant_has_a_title_in_the_document():
    """A column added to the participant table is exported as it is; the document needs its title in bokmål."""
    columns = {c.name for c in Participant.__table__.columns} - document.SHOWN_APART
    assert columns <= set(document.COLUMN_TITLES), columns - set(document.COLUMN_TITLES)


def test_a_hand_off_is_exported_and_the_receiving_unit_may_not_export(world):
    """The hand-off with its checklist and who decided is in the export; the receiving unit (NAV) sees the
    person through the case handed to it, but is neither their kommune's leder nor the case's veileder."""
    from pathways.services import handoffs
    from pathways.services.units import add_unit
    from tests.services.test_handoffs import PLANNED, REQUIRED, into_programme

    into_programme(world)
    nav = add_unit(world.ctx, kind="nav", name="NAV Asker", kommune="Asker")
    add_user(world.ctx, username="nina", name="Nina Nav", role="veileder", kommune="Asker", unit="NAV Asker",
             password=PASSWORD)
    number = handoffs.send(as_user(world, "kari"), world.amina, to_unit=nav, on=PLANNED, message="Til NAV-tiltak",
                           ticks=[*REQUIRED, "samtykke"])
    nina = as_user(world, "nina")
    handoffs.accept(nina, number, "nina")
    with pytest.raises(Forbidden):
        innsyn.export(nina, world.amina_pid)
    assert not innsyn.may_export(nina, world.amina_pid)
    [handoff] = innsyn.export(as_user(world, "kari"), world.amina_pid).cases[0]["handoffs"]
    assert (handoff["to_unit"], handoff["status"], handoff["message"], handoff["planned_on"]) == (
        "NAV Asker", "accepted", "Til NAV-tiltak", PLANNED)
    assert (handoff["created_by_name"], handoff["responsible_name"], handoff["decided_by_name"]) == (
        "Kari Nordmann", "Nina Nav", "Nina Nav")
    assert {i["key"] for i in handoff["items"] if i["ticked"]} >= set(REQUIRED)
    page = document.html(innsyn.export(world.ctx, world.amina_pid))
    assert "Overføringer til andre tjenester" in page and "NAV Asker" in page and "☑" in page


def test_what_a_person_typed_is_text_in_the_document(world):
    add_note(as_user(world, "kari"), world.amina, '<img src="http://example.invalid/x.png"> <b>fet</b>')
    page = document.html(innsyn.export(world.ctx, world.amina_pid))
    assert "&lt;img src=" in page and "<b>fet</b>" not in page
    assert document.pdf(innsyn.export(world.ctx, world.amina_pid)).startswith(b"%PDF-")
