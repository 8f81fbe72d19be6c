"""The hand-off family of the nightly checks (issue 14, item 3): a hand-off not accepted after five Norwegian
working days raises ``overforing_ikke_mottatt`` for the sender, resolved the moment it is accepted; one
planned within 30 days with no livelihood from its date raises ``overforing_uten_inntekt`` until income is
planned from then. Both come to the sender's worklist with what to do."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from sqlmodel import Session, select

from pathways.checks.config import load_config
from pathways.checks.sweep import run_checks
from pathways.services import handoffs, livelihood, worklist
from pathways.store.tables import Flag
from tests.services.test_access import as_user
from tests.services.test_handoffs import PLANNED, handoff_world, send
from tests.ui.conftest import World

SENT = date(2026, 11, 22)  # a Sunday: the five working days are Monday 23 to Friday 27 November


@pytest.fixture
def world(ctx, clock) -> World:
    return handoff_world(ctx, clock)


def flags_of(world, kind: str) -> list[Flag]:
    with Session(world.ctx.engine) as session:
        return list(session.exec(select(Flag).where(Flag.kind == kind)))


def test_not_accepted_after_five_working_days_then_accepted(world):
    number = send(world)
    run_checks(world.ctx.engine, date(2026, 11, 27), ["handoffs"])
    assert flags_of(world, "overforing_ikke_mottatt") == []  # the fifth working day: still in time
    run_checks(world.ctx.engine, date(2026, 11, 30), ["handoffs"])  # the sixth
    [flag] = flags_of(world, "overforing_ikke_mottatt")
    assert (flag.state, flag.enrolment_id, flag.due) == ("open", world.amina, date(2026, 11, 27))
    assert flag.message.startswith("Overføringen til NAV Asker sendt 22.11.2026 er ikke mottatt etter 5 arbeidsdager")
    items = worklist.worklist(as_user(world, "kari")).items
    line = next(i for i in items if i.kind == "overforing_ikke_mottatt")
    assert line.rank == "brudd" and "kontakt mottakeren" in line.todo
    world.clock.set(date(2026, 11, 30))
    handoffs.accept(as_user(world, "nina"), number, "nina")
    [flag] = flags_of(world, "overforing_ikke_mottatt")
    assert (flag.state, flag.resolved_by) == ("resolved", "nina")  # at once, not the next night
    run_checks(world.ctx.engine, date(2026, 12, 1), ["handoffs"])
    assert [f.state for f in flags_of(world, "overforing_ikke_mottatt")] == ["resolved"]


def test_holidays_do_not_count_as_working_days(world):
    """Sent the Wednesday before Christmas: 24.12 (Thursday) is a weekday, 25 and 26 are holidays."""
    world.clock.set(date(2026, 12, 23))
    send(world, on=date(2026, 12, 28))
    run_checks(world.ctx.engine, date(2026, 12, 31), ["handoffs"])  # 24, 28, 29, 30, 31: five
    assert flags_of(world, "overforing_ikke_mottatt") == []
    run_checks(world.ctx.engine, date(2027, 1, 4), ["handoffs"])  # 1 January is a holiday: 4 is the sixth
    assert [f.state for f in flags_of(world, "overforing_ikke_mottatt")] == ["open"]


def test_the_working_days_are_configurable(world, tmp_path):
    send(world)
    settings = load_config().model_dump(mode="json")
    settings["handoffs"]["working_days"] = 2
    path = tmp_path / "checks.yaml"
    path.write_text(yaml.safe_dump(settings), "utf-8")
    run_checks(world.ctx.engine, date(2026, 11, 25), ["handoffs"], config=load_config(path))  # the third working day
    assert [f.state for f in flags_of(world, "overforing_ikke_mottatt")] == ["open"]


def test_no_income_from_the_planned_date_until_one_is_planned(world):
    send(world)
    run_checks(world.ctx.engine, SENT, ["handoffs"])
    [flag] = flags_of(world, "overforing_uten_inntekt")
    assert (flag.state, flag.due) == ("open", PLANNED)
    assert "registrer planlagt inntekt" in flag.message
    line = next(i for i in worklist.worklist(as_user(world, "kari")).items if i.kind == "overforing_uten_inntekt")
    assert line.action_url and "tiltakspenger" in line.action_url
    livelihood.add_income(world.ctx, world.amina_pid, "tiltakspenger", PLANNED, planned=True)
    run_checks(world.ctx.engine, SENT, ["handoffs"])
    assert [f.state for f in flags_of(world, "overforing_uten_inntekt")] == ["resolved"]


@pytest.mark.parametrize("on", [date(2026, 10, 1), date(2026, 12, 7)])
def test_a_planned_date_beyond_the_horizon_or_past_raises_nothing(world, on):
    send(world)
    run_checks(world.ctx.engine, on, ["handoffs"])
    assert flags_of(world, "overforing_uten_inntekt") == []
