"""Accounts: weak passwords are refused with the reason and nothing written; every write leaves its author
in the audit trail, also when participants come in by CSV import."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from pathways.i18n import localise
from pathways.services.accounts import add_user, end_session, session_account, set_active, start_session
from pathways.services.audit import participant_trail, user_trail
from pathways.services.context import Actor, Context, ServiceError
from pathways.services.participants import import_csv
from pathways.store.tables import AuditEntry
from tests.conftest import table_counts


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaaaa", "gjentar tegn"), ("            ", "gjentar tegn"), ("siv.hansen12", "ligner brukernavnet"),
    ("123456789012", "vanlig passord"), ("hansen-siv-2026", "navnet ditt"), ("kort", "minst 12 tegn")])
def test_a_weak_password_is_refused_with_the_reason_and_nothing_is_written(ctx, password, reason):
    before = table_counts(ctx)
    with pytest.raises(ServiceError) as refused:
        add_user(ctx, username="siv", name="Siv Hansen", role="veileder", kommune="Asker", password=password)
    assert refused.value.field == "password"
    assert reason in localise(refused.value)  # the dashboard's words; str() is the CLI's English
    assert table_counts(ctx) == before


def test_a_session_lives_until_it_is_ended_or_its_user_deactivated(ctx):
    user_id, _ = add_user(ctx, username="siv", name="Siv Hansen", role="veileder", kommune="Asker")
    first, second = start_session(ctx, user_id), start_session(ctx, user_id)
    assert session_account(ctx, first).username == "siv"
    end_session(ctx, first)
    assert session_account(ctx, first) is None and session_account(ctx, second) is not None
    set_active(ctx, "siv", False)
    assert session_account(ctx, second) is None
    set_active(ctx, "siv", True)
    assert session_account(ctx, second) is None  # activating again does not revive an ended session


def test_imported_participants_and_new_users_are_in_the_trail_with_their_author(ctx):
    importer = Context(ctx.engine, ctx.clock, actor=Actor.system("kari"))
    ids = import_csv(importer, b"name,born\nLeyla Omar,1993-04-05\nAli Omar,1990-01-01\n", only_kommune="Asker")
    admin = Context(ctx.engine, ctx.clock, actor=Actor.system("anne"))
    user_id, _ = add_user(admin, username="siv", name="Siv Hansen", role="veileder", kommune="Asker")
    with Session(ctx.engine) as session:
        kommune_id = session.exec(select(AuditEntry.kommune_id)).first()
    trail = participant_trail(ctx, ids[0])
    assert [(e.actor, e.action) for e in trail] == [("kari", "participant.imported")]
    assert "Leyla" not in trail[0].detail
    assert [(e.actor, e.action) for e in user_trail(ctx, kommune_id, user_id)] == [("anne", "user.created")]
