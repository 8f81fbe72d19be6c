"""Issue 13 item 12: the first start of an empty store. The administrator gets the kommune given
(PATHWAYS_KOMMUNE / --kommune), PATHWAYS_DEMO=N loads a demo cohort of N into that kommune once, with a
leder there to see it; a restart adds nothing."""

from __future__ import annotations

import click
import pytest
from sqlmodel import Session, func, select

from pathways.calendar import FixedClock
from pathways.cli.server import DEMO_LEDER, first_run
from pathways.services.accounts import authenticate
from pathways.services.context import Actor, Context
from pathways.services.publishing import publish_folder
from pathways.store.database import make_engine, migrate
from pathways.store.tables import Enrolment, Kommune, Participant, User
from tests.conftest import DEFINITIONS
from tests.test_demo import TODAY


@pytest.fixture
def ctx(tmp_path) -> Context:
    engine = make_engine(f"sqlite:///{tmp_path / 'first.db'}")
    migrate(engine)
    ctx = Context(engine, FixedClock(TODAY), actor=Actor.system("cli"))
    publish_folder(ctx, DEFINITIONS)
    return ctx


def _counts(ctx: Context) -> tuple[int, int, set[str]]:
    with Session(ctx.engine) as session:
        people = session.exec(select(func.count()).select_from(Participant)).one()
        cases = session.exec(select(func.count()).select_from(Enrolment)).one()
        places = set(session.exec(select(Kommune.name).join(Participant, Participant.kommune_id == Kommune.id)))
    return people, cases, places


def test_demo_is_loaded_once_into_the_administrators_kommune(ctx, capsys):
    first_run(ctx, "Drammen", "25")
    out = capsys.readouterr().out
    assert "first administrator: username 'admin' in Drammen" in out and "25 participants" in out
    assert _counts(ctx) == (25, 25, {"Drammen"})
    with Session(ctx.engine) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        leder = session.exec(select(User).where(User.username == DEMO_LEDER)).one()
        assert session.get(Kommune, admin.kommune_id).name == "Drammen"
        assert leder.role == "leder" and leder.kommune_id == admin.kommune_id
    password = out.split(f"'{DEMO_LEDER}'")[1].split("one-time password: ")[1].split(",")[0]
    assert authenticate(ctx, DEMO_LEDER, password) is not None  # the line printed lets one sign in

    first_run(ctx, None, "25")  # a restart: nothing more
    out = capsys.readouterr().out
    assert "no demo cohort added" in out and "first administrator" not in out
    assert _counts(ctx) == (25, 25, {"Drammen"})


def test_without_demo_the_store_stays_empty_and_the_kommune_has_a_default(ctx, capsys):
    first_run(ctx, None, "")
    assert "in Lørenskog" in capsys.readouterr().out  # not "Demo kommune"
    assert _counts(ctx) == (0, 0, set())


def test_a_bad_pathways_demo_is_one_clear_line(ctx):
    with pytest.raises(click.ClickException, match="PATHWAYS_DEMO must be a number"):
        first_run(ctx, "Asker", "mange")
    assert _counts(ctx) == (0, 0, set())
