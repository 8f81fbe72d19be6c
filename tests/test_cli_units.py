"""The units commands of the CLI: add (prints the id, or JSON), list (one kommune or all), and a user
added into a named unit or, by default, the kommune's refugee service; a refusal is one line, exit 1."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from pathways.store.database import make_engine
from pathways.store.tables import Unit, User
from tests.test_cli_users import cli  # noqa: F401  (the fixture)


def test_units_add_list_and_users_add_with_a_unit(cli, tmp_path):  # noqa: F811
    cli("users", "add", "kari", "--name", "Kari Nordmann", "--role", "veileder", "--kommune", "Asker")
    unit_id = int(cli("units", "add", "--kommune", "Asker", "--kind", "nav", "--name", "NAV Asker").strip())
    as_json = json.loads(cli("units", "add", "--kommune", "Asker", "--kind", "videregaende_skole",
                             "--name", "Nesbru vgs", "--json"))
    assert set(as_json) == {"id"}
    listed = json.loads(cli("units", "list", "--kommune", "Asker", "--json"))
    assert [(u["kind"], u["name"]) for u in listed] == [
        ("flyktningtjeneste", "Flyktningtjenesten"), ("nav", "NAV Asker"), ("videregaende_skole", "Nesbru vgs")]
    assert f"{unit_id}\tAsker\tnav\tNAV Asker" in cli("units", "list")
    cli("users", "add", "nina", "--name", "Nina Nav", "--role", "veileder", "--kommune", "Asker",
        "--unit", "NAV Asker")
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        units = {u.id: u.name for u in session.exec(select(Unit))}
        placed = {u.username: units[u.unit_id] for u in session.exec(select(User))}
    assert placed == {"kari": "Flyktningtjenesten", "nina": "NAV Asker"}


def test_refusals_are_one_line(cli):  # noqa: F811
    cli("users", "add", "kari", "--name", "Kari Nordmann", "--role", "veileder", "--kommune", "Asker")
    assert "did you mean 'nav'" in cli("units", "add", "--kommune", "Asker", "--kind", "navv", "--name", "X", ok=False)
    cli("units", "add", "--kommune", "Asker", "--kind", "nav", "--name", "NAV Asker")
    assert "already has a unit" in cli("units", "add", "--kommune", "Asker", "--kind", "nav", "--name", "nav asker",
                                       ok=False)
    assert "no kommune" in cli("units", "add", "--kommune", "Atlantis", "--kind", "nav", "--name", "X", ok=False)
    assert "unit: no unit called 'NAV Vest'" in cli("users", "add", "ola", "--name", "Ola N", "--role", "veileder",
                                                    "--kommune", "Asker", "--unit", "NAV Vest", ok=False)
