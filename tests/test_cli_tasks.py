"""The tasks commands of the CLI: add to a user or a unit (prints the id, or JSON), list by user, unit or
all (open first, done with --done), done with a note; a refusal (a due date in the past, a user of
another kommune than the case) is one line naming the field, exit 1, nothing written."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, func, select

from pathways.calendar import SystemClock
from pathways.store.database import make_engine
from pathways.store.tables import Task
from tests.test_cli_users import cli  # noqa: F401  (the fixture)


def test_tasks_add_list_and_done(cli):  # noqa: F811
    cli("users", "add", "kari", "--name", "Kari Nordmann", "--role", "veileder", "--kommune", "Asker")
    unit_id = json.loads(cli("units", "list", "--kommune", "Asker", "--json"))[0]["id"]
    due = (SystemClock().today() + timedelta(days=5)).isoformat()
    first = int(cli("tasks", "add", "--to", "kari", "--title", "Bestill tolk", "--due", due).strip())
    second = json.loads(cli("tasks", "add", "--to-unit", unit_id, "--title", "Meld opp til fagprøve", "--due", due,
                            "--json"))["id"]
    assert [t["id"] for t in json.loads(cli("tasks", "list", "--user", "kari", "--json"))] == [first]
    assert [t["id"] for t in json.loads(cli("tasks", "list", "--unit", unit_id, "--json"))] == [second]
    assert f"{first}\t{due}\tKari Nordmann\t\topen\tBestill tolk" in cli("tasks", "list", "--all")
    assert cli("tasks", "done", first, "--note", "Tolk bestilt").strip() == f"task {first} done"
    assert json.loads(cli("tasks", "list", "--user", "kari", "--json")) == []
    done = json.loads(cli("tasks", "list", "--user", "kari", "--done", "--json"))
    assert [(t["done_by"], t["done_note"]) for t in done] == [("cli", "Tolk bestilt")]
    assert "task: task" in cli("tasks", "done", first, ok=False)


def test_refusals_are_one_line_naming_the_field_and_write_nothing(cli, tmp_path):  # noqa: F811
    cli("users", "add", "kari", "--name", "Kari Nordmann", "--role", "veileder", "--kommune", "Asker")
    past = (SystemClock().today() - timedelta(days=1)).isoformat()
    refused = cli("tasks", "add", "--to", "kari", "--title", "Bestill tolk", "--due", past, ok=False)
    assert refused.strip().startswith("Error: due: the due date") and "is before today" in refused
    assert "assignee: no user 'ingen'" in cli("tasks", "add", "--to", "ingen", "--title", "x", "--due",
                                             SystemClock().today().isoformat(), ok=False)
    assert "assignee: give the task" in cli("tasks", "add", "--title", "x", "--due", SystemClock().today().isoformat(),
                                            ok=False)
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        assert session.exec(select(func.count()).select_from(Task)).one() == 0
