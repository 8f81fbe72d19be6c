"""Tasks (oppgaver): a veileder gives a colleague or a unit of their kommune a task with a due date; it is
listed in the receiver's «I dag» ranked with everything else (overdue with the breaches, due within the
reminder window with the reminders), completed with a note, flagged nightly when overdue. Bad input is
refused naming the field with nothing written; everything stays in the actor's kommune (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from pathways.checks.sweep import run_checks
from pathways.services.context import Conflict, NotFound, ServiceError
from pathways.services.tasks import add_task, complete_task, list_tasks
from pathways.services.worklist import RANKS, count, worklist
from pathways.store.tables import AuditEntry, Flag, Kommune, Task, Unit
from tests.conftest import table_counts
from tests.services.test_worklist import as_user
from tests.ui.conftest import TODAY, World, build_world


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def unit_of(world: World, kommune: str) -> int:
    with Session(world.ctx.engine) as session:
        return session.exec(select(Unit.id).join(Kommune, Kommune.id == Unit.kommune_id)
                            .where(Kommune.name == kommune, Unit.kind == "flyktningtjeneste")).one()


def test_a_task_given_to_a_colleague_is_in_their_worklist_not_the_givers(world):
    kari = as_user(world, "kari")
    before = count(as_user(world, "ola"))
    task = add_task(kari, title="Bestill tolk", due=TODAY + timedelta(days=3), to_user="ola", case_id=world.amina)
    ola = worklist(as_user(world, "ola"))
    mine = [i for i in ola.items if i.task_id == task]
    assert len(mine) == 1 and mine[0].rank == "paminnelse" and mine[0].kind == "oppgave"
    assert mine[0].what == "Oppgave med frist 25.11.2026" and mine[0].why == "Bestill tolk"
    assert mine[0].action_url == f"/saker/{world.amina}" and mine[0].name == "Amina Ali"
    assert count(as_user(world, "ola")) == before + 1
    assert all(i.task_id != task for i in worklist(as_user(world, "kari"), everything=True).items)
    assert [t.id for t in list_tasks(as_user(world, "ola"), "mine")] == [task]
    assert [t.id for t in list_tasks(kari, "given")] == [task]
    assert list_tasks(kari, "mine") == []


def test_a_task_given_to_a_unit_is_in_every_members_worklist_of_that_kommune_only(world):
    task = add_task(as_user(world, "kari"), title="Meld opp til fagprøve", due=TODAY, to_unit=unit_of(world, "Asker"))
    for username in ("kari", "ola", "lise"):
        found = [i for i in worklist(as_user(world, username), everything=True).items if i.task_id == task]
        assert [i.what for i in found] == ["Oppgave med frist i dag (22.11.2026)"], username
    assert all(i.task_id != task for i in worklist(as_user(world, "per"), everything=True).items)
    assert [t.id for t in list_tasks(as_user(world, "ola"), "unit")] == [task]
    with pytest.raises(NotFound):
        complete_task(as_user(world, "per"), task, "ikke min")


def test_overdue_tasks_rank_with_the_breaches_due_ones_with_the_reminders_later_ones_wait(world):
    kari = as_user(world, "kari")
    world.clock.set(TODAY - timedelta(days=10))
    late = add_task(kari, title="Send søknad", due=TODAY - timedelta(days=2), to_user="kari")
    world.clock.set(TODAY)
    soon = add_task(kari, title="Ring NAV", due=TODAY + timedelta(days=1), to_user="kari")
    far = add_task(kari, title="Evaluer planen", due=TODAY + timedelta(days=60), to_user="kari")
    items = worklist(kari, everything=True).items
    ranks = {i.task_id: i.rank for i in items if i.task_id}
    assert ranks == {late: "brudd", soon: "paminnelse"} and far not in ranks
    order = [(RANKS.index(i.rank), i.on) for i in items]
    assert order == sorted(order)  # ranked with everything else: by rank, then date
    breach = [i for i in items if i.rank == "brudd"]
    assert [i.task_id for i in breach] == [None, late]  # the deadline passed 01.08 comes before the task's 20.11
    assert next(i for i in items if i.task_id == late).what == "Oppgave forfalt 20.11.2026"
    assert count(kari) == len(items)
    assert worklist(kari, cap=1).total == len(items)


def test_a_task_is_completed_once_with_a_note_by_its_receiver(world):
    task = add_task(as_user(world, "kari"), title="Bestill tolk", due=TODAY + timedelta(days=3), to_user="ola")
    with pytest.raises(NotFound) as refused:
        complete_task(as_user(world, "kari"), task, "ikke hennes")
    assert refused.value.field == "task"
    complete_task(as_user(world, "ola"), task, "Tolk bestilt til mandag")
    with pytest.raises(Conflict):
        complete_task(as_user(world, "ola"), task, "igjen")
    done = list_tasks(as_user(world, "ola"), "mine", include_done=True)
    assert [(t.done_by, t.done_note) for t in done] == [("ola", "Tolk bestilt til mandag")]
    assert list_tasks(as_user(world, "ola"), "mine") == []
    assert all(i.task_id != task for i in worklist(as_user(world, "ola"), everything=True).items)
    with Session(world.ctx.engine) as session:
        trail = session.exec(select(AuditEntry.action, AuditEntry.detail).where(
            AuditEntry.action.in_(("task.created", "task.completed")))).all()  # type: ignore[attr-defined]
    assert sorted(trail) == [("task.completed", f"oppgave {task}"), ("task.created", f"oppgave {task}")]


@pytest.mark.parametrize(("given", "field"), [
    ({"due": TODAY - timedelta(days=1)}, "due"),
    ({"to_user": "per"}, "assignee"),  # a veileder of Bærum
    ({"to_user": "ingen"}, "assignee"),
    ({"to_user": None}, "assignee"),
    ({"to_user": "ola", "to_unit": 1}, "assignee"),
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"case_id": -1}, "case"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(world, given, field):
    kari = as_user(world, "kari")
    before = table_counts(world.ctx)
    arguments = {"title": "Bestill tolk", "due": TODAY + timedelta(days=3), "to_user": "ola", **given}
    with pytest.raises(ServiceError) as refused:
        add_task(kari, **arguments)
    assert refused.value.field == field
    assert table_counts(world.ctx) == before


def test_a_unit_or_a_case_of_another_kommune_is_not_found_and_nothing_is_written(world):
    kari = as_user(world, "kari")
    before = table_counts(world.ctx)
    with pytest.raises(NotFound) as unit:
        add_task(kari, title="x", due=TODAY, to_unit=unit_of(world, "Bærum"))
    with pytest.raises(NotFound) as case:
        add_task(kari, title="x", due=TODAY, to_user="ola", case_id=world.olena)
    with pytest.raises(NotFound) as colleague_case:  # ola's case: kari does not see it
        add_task(kari, title="x", due=TODAY, to_user="ola", case_id=world.yonas)
    assert (unit.value.field, case.value.field, colleague_case.value.field) == ("assignee", "case", "case")
    assert table_counts(world.ctx) == before


def test_the_due_date_in_the_past_names_the_date_in_bokmal(world):
    from pathways.i18n import field_label, localise
    with pytest.raises(ServiceError) as refused:
        add_task(as_user(world, "kari"), title="x", due=date(2026, 11, 1), to_user="ola")
    assert localise(refused.value) == "fristen 01.11.2026 er før i dag (22.11.2026); velg i dag eller en senere dato"
    assert field_label(refused.value.field) == "frist"


def test_the_nightly_check_flags_an_overdue_task_and_completing_it_resolves_the_flag(world):
    task = add_task(as_user(world, "kari"), title="Bestill tolk", due=TODAY + timedelta(days=1), to_user="ola",
                    case_id=world.amina)
    report = run_checks(world.ctx.engine, TODAY, families=["tasks"])
    assert report.counts["oppgave_forfalt"]["new"] == 0
    later = TODAY + timedelta(days=2)
    world.clock.set(later)
    run_checks(world.ctx.engine, later, families=["tasks"])
    with Session(world.ctx.engine) as session:
        flag = session.exec(select(Flag).where(Flag.natural_key == f"oppgave_forfalt:{task}")).one()
    assert (flag.state, flag.enrolment_id, flag.due) == ("open", world.amina, TODAY + timedelta(days=1))
    assert flag.message == "Oppgave forfalt 23.11.2026: Bestill tolk"
    complete_task(as_user(world, "ola"), task, "gjort")
    run_checks(world.ctx.engine, later, families=["tasks"])
    with Session(world.ctx.engine) as session:
        flag = session.exec(select(Flag).where(Flag.natural_key == f"oppgave_forfalt:{task}")).one()
        assert session.get(Task, task).done_by == "ola"  # type: ignore[union-attr]
    assert (flag.state, flag.resolved_by) == ("resolved", "ola")
