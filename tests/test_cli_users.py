"""The account commands of the CLI: deactivate, activate, reset a password, change a role, lift a sign-in
lock, list and revoke API tokens; each recorded in the audit trail."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from pathways.calendar import SystemClock
from pathways.cli import main
from pathways.services.accounts import account_for_token, authenticate
from pathways.services.context import Context
from pathways.store.database import make_engine
from pathways.store.tables import AuditEntry
from tests.conftest import DEFINITIONS


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> str:
        result = runner.invoke(main, [str(a) for a in args])
        assert (result.exit_code == 0) == ok, result.output + result.stderr
        return result.stdout if ok else result.stderr

    run("init", "--definitions", DEFINITIONS)
    return run


def test_users_deactivate_activate_reset_role_and_tokens(cli, tmp_path):
    ctx = Context(make_engine(f"sqlite:///{tmp_path / 'cli.db'}"), SystemClock())
    cli("users", "add", "kari", "--name", "Kari Nordmann", "--role", "veileder", "--kommune", "Asker")
    token = cli("users", "token", "kari", "--label", "fagsystem").strip()
    assert account_for_token(ctx, token) is not None
    listed = json.loads(cli("users", "tokens", "kari", "--json"))
    assert [(t["label"], t["revoked"]) for t in listed] == [("fagsystem", False)]
    assert token not in cli("users", "tokens", "kari")  # only its hash is stored

    cli("users", "deactivate", "kari")
    assert account_for_token(ctx, token) is None  # a deactivated user's tokens stop working
    cli("users", "activate", "kari")
    assert account_for_token(ctx, token) is not None
    assert "revoked token" in cli("users", "revoke-token", listed[0]["id"])
    assert account_for_token(ctx, token) is None
    assert json.loads(cli("users", "tokens", "kari", "--json"))[0]["revoked"] is True

    password = cli("users", "reset-password", "kari").rsplit(": ", 1)[1].strip()
    signed_in = authenticate(ctx, "kari", password)
    assert signed_in is not None and signed_in.must_change_password
    cli("users", "role", "kari", "leder")
    assert authenticate(ctx, "kari", password).role == "leder"
    cli("users", "unlock", "kari")
    with Session(ctx.engine) as session:
        actions = [(a.actor, a.action) for a in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [("cli", a) for a in ("user.created", "token.created", "user.deactivated", "user.activated",
                                            "token.revoked", "user.password_reset", "user.role", "user.unlocked")]


def test_users_commands_name_what_is_wrong(cli):
    assert "no user 'nobody'" in cli("users", "deactivate", "nobody", ok=False)  # the CLI speaks English
    assert "no API token 99" in cli("users", "revoke-token", "99", ok=False)
    assert "no user 'nobody'" in cli("users", "tokens", "nobody", ok=False)


def test_a_leder_reassigns_cases_and_covers_for_an_absent_veileder(cli, tmp_path):
    """The leder's view from the command line: one case, every case of a veileder, a cover until a date
    (the covering veileder then reads the absent one's cases) and its early end."""
    from datetime import timedelta

    from pathways.services import cases
    from pathways.services.accounts import find_user
    from pathways.services.context import Actor, NotFound
    from pathways.store.tables import Enrolment
    ctx = Context(make_engine(f"sqlite:///{tmp_path / 'cli.db'}"), SystemClock())
    for username in ("kari", "ola"):
        cli("users", "add", username, "--name", f"{username.capitalize()} Nordmann", "--role", "veileder",
            "--kommune", "Asker")
    ids = []
    for name in ("A", "B"):
        pid = json.loads(cli("participants", "add", "--name", name, "--born", "1990-01-01", "--kommune", "Asker",
                             "--settled", SystemClock().today().isoformat(), "--json"))["id"]
        ids.append(json.loads(cli("enrol", pid, "introduksjonsprogram", "--start", SystemClock().today().isoformat(),
                                  "--caseworker", "kari", "--json"))["case"])

    def caseworkers() -> list[str | None]:
        with Session(ctx.engine) as session:
            return [session.get(Enrolment, i).caseworker for i in ids]

    assert "case " + str(ids[0]) + ": ola" in cli("caseworkers", "reassign", "--case", ids[0], "--to", "ola")
    assert caseworkers() == ["ola", "kari"]
    assert "1 case(s) from kari to ola" in cli("caseworkers", "reassign", "--from", "kari", "--to", "ola")
    assert caseworkers() == ["ola", "ola"]
    assert "give --case or --from" in cli("caseworkers", "reassign", "--to", "ola", ok=False)
    assert "no user" in cli("caseworkers", "reassign", "--case", ids[0], "--to", "nobody", ok=False).lower()
    until = (SystemClock().today() + timedelta(days=14)).isoformat()
    cover = int(cli("caseworkers", "cover", "ola", "kari", "--until", until))
    listed = json.loads(cli("caseworkers", "covers", "--json"))
    assert [(c["id"], c["absent"]["username"], c["covering"]["username"], c["until"]) for c in listed] == \
        [(cover, "ola", "kari", until)]
    user = find_user(ctx, "kari")
    kari = Context(ctx.engine, ctx.clock, actor=Actor.user(user.id or 0, user.username, user.role,
                                                           user.kommune_id, "Asker"))
    assert cases.show(kari, ids[0]).id == ids[0]  # kari covers: she reads ola's case
    too_far = (SystemClock().today() + timedelta(days=400)).isoformat()
    assert cli("caseworkers", "cover", "ola", "kari", "--until", too_far, ok=False).startswith("Error: until:")
    assert "ended" in cli("caseworkers", "end-cover", cover)
    assert "no covers in force" in cli("caseworkers", "covers")
    with pytest.raises(NotFound):
        cases.show(kari, ids[0])
