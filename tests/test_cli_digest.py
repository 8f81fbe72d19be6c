"""``pathways digest``: with --dry-run it prints what would be sent (counts and links) and records
nothing; without, it sends over the SMTP server of PATHWAYS_SMTP_URL (aiosmtpd on loopback) once, and a
second run sends nothing; without PATHWAYS_SMTP_URL it is refused in one line before anything is
recorded."""

from __future__ import annotations

import json

from aiosmtpd.controller import Controller
from sqlmodel import Session, func, select

from pathways.store.database import make_engine
from pathways.store.tables import DigestSent, User
from tests.services.test_digest import Inbox
from tests.test_cli_users import cli  # noqa: F401  (the fixture)

DAY = "2026-11-23"  # a Monday


def _choose(tmp_path, **choices: str) -> None:
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        for user in session.exec(select(User)):
            user.digest = choices.get(user.username, "off")
            user.email = f"{user.username}@asker.kommune.no"
            session.add(user)
        session.commit()


def _recorded(tmp_path) -> int:
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        return session.exec(select(func.count()).select_from(DigestSent)).one()


def test_dry_run_prints_and_records_nothing_then_a_run_sends_once(cli, tmp_path, monkeypatch, free_port):  # noqa: F811
    cli("users", "add", "kari", "--name", "Kari Nordmann", "--role", "veileder", "--kommune", "Asker")
    cli("users", "add", "ola", "--name", "Ola Nordmann", "--role", "veileder", "--kommune", "Asker")
    _choose(tmp_path, kari="daily", ola="weekly")
    monkeypatch.setenv("PATHWAYS_BASE_URL", "https://pathways.asker.kommune.no/")
    planned = json.loads(cli("digest", "--date", DAY, "--dry-run", "--json"))
    assert [(d["user"], d["to"]) for d in planned] == [("kari", "kari@asker.kommune.no"),
                                                      ("ola", "ola@asker.kommune.no")]
    assert planned[0]["counts"] == {"actions": 0, "handoffs": 0, "gaps": 0, "tasks": 0}
    assert "0 saker trenger handling i dag: https://pathways.asker.kommune.no/i-dag" in planned[0]["body"]
    text = cli("digest", "--date", "2026-11-24", "--dry-run")  # a Tuesday: kari only
    assert "To: kari@asker.kommune.no (kari)" in text and "ola" not in text
    assert _recorded(tmp_path) == 0
    assert "PATHWAYS_SMTP_URL" in cli("digest", "--date", DAY, ok=False)
    assert _recorded(tmp_path) == 0
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("PATHWAYS_SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("PATHWAYS_MAIL_FROM", "pathways@asker.kommune.no")
        sent = json.loads(cli("digest", "--date", DAY, "--json"))
        assert (sent["sent"], sent["failed"], sent["already_sent"]) == (["kari", "ola"], [], 0)
        assert cli("digest", "--date", DAY).strip() == f"{DAY}: 0 sent, 0 failed, 2 sent before"
    finally:
        controller.stop()
    assert sorted(m["To"] for m in inbox.messages) == ["kari@asker.kommune.no", "ola@asker.kommune.no"]
