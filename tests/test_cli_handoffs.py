"""The hand-off commands of the CLI (issue 14): send with ticks (prints the id, or JSON), list the waiting
ones, accept naming the responsible user, return with a reason; a refusal is one line naming the field,
exit 1."""

from __future__ import annotations

import json
from datetime import timedelta

from pathways.calendar import SystemClock
from tests.test_cli_users import cli  # noqa: F401  (the fixture)


def day(offset: int) -> str:
    """A date counted from today: the commands work on the system clock."""
    return (SystemClock().today() + timedelta(days=offset)).isoformat()


def world(cli) -> tuple[int, int]:  # noqa: F811
    """A case in Asker, NAV Asker with its user nina; returns (case, unit)."""
    cli("users", "add", "kari", "--name", "Kari Nordmann", "--role", "veileder", "--kommune", "Asker")
    unit = int(cli("units", "add", "--kommune", "Asker", "--kind", "nav", "--name", "NAV Asker").strip())
    cli("users", "add", "nina", "--name", "Nina Nav", "--role", "veileder", "--kommune", "Asker",
        "--unit", "NAV Asker")
    pid = int(cli("participants", "add", "--name", "Amina Ali", "--born", "1990-03-04", "--settled",
                  day(-30), "--kommune", "Asker").strip())
    case = int(cli("enrol", pid, "introduksjonsprogram", "--start", day(0),
                   "--caseworker", "kari").strip())
    return case, unit


def test_send_list_accept(cli):  # noqa: F811
    case, unit = world(cli)
    planned = day(10)
    sent = json.loads(cli("handoff", "send", case, "--to", unit, "--on", planned, "--message", "Til NAV",
                          "--tick", "samtykke", "--json"))
    assert (sent["status"], sent["to_unit"], sent["planned_on"]) == ("pending", "NAV Asker", planned)
    assert [(i["key"], i["ticked"]) for i in sent["items"]] == [("samtykke", True)]
    listed = json.loads(cli("handoff", "list", "--pending", "--json"))
    assert [h["id"] for h in listed] == [sent["id"]]
    line = cli("handoff", "accept", sent["id"], "--by", "nina")
    assert line.strip().endswith("accepted\tnina")
    assert cli("handoff", "list", "--pending").strip() == "no hand-offs"


def test_return_and_refusals(cli):  # noqa: F811
    case, unit = world(cli)
    planned = day(10)
    refused = cli("handoff", "send", case, "--to", unit, "--on", planned, ok=False)
    assert "items: " in refused and "must be ticked" in refused
    assert "on: the planned date" in cli("handoff", "send", case, "--to", unit, "--on", "2020-01-01",
                                         "--tick", "samtykke", ok=False)
    assert "to: no unit 999" in cli("handoff", "send", case, "--to", 999, "--on", planned, ok=False)
    number = cli("handoff", "send", case, "--to", unit, "--on", planned, "--tick", "samtykke").strip()
    assert "responsible: 'kari' is not an active user of 'NAV Asker'" in cli(
        "handoff", "accept", number, "--by", "kari", ok=False)
    assert cli("handoff", "return", number, "--reason", "Feil kontor").strip().endswith("returned")
    assert "is returned already" in cli("handoff", "accept", number, "--by", "nina", ok=False)
