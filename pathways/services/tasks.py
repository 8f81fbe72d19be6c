"""Tasks (oppgaver): a veileder gives a colleague or a unit of their kommune something to do by a date
(«bestill tolk», «meld opp til fagprøve innen 1. februar»), optionally about one of their cases; the
receiver sees it in their worklist («I dag», ranked with everything else: overdue with the breaches, due
within the reminder window with the reminders) and completes it with a note. The nightly check flags
overdue tasks (``oppgave_forfalt``); completing one resolves its flag at once.

Scope (:mod:`pathways.services.access`): everything within the actor's kommune; a task is completed by
the user it was given to or a member of the unit it was given to. A due date before today, an assignee
of another kommune (not found: the same answer as none) or a case the actor does not see is refused
naming the field, and nothing is written. Every write leaves an audit entry naming the task, never its
title (it may name a person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from pathways.checks.rules import task_flag_key
from pathways.services import access
from pathways.services.audit import record
from pathways.services.context import Actor, Conflict, Context, NotFound, ServiceError, checked_date, checked_text
from pathways.store.queries import tasks as rows
from pathways.store.tables import Enrolment, Flag, Task, Unit, User

TITLE_LIMIT = 200
NOTE_LIMIT = 500
LISTS = ("mine", "unit", "given", "all")
"""Which tasks to list: given to me, to my unit, given by me, or every task the actor sees."""
DONE_RESOLUTION = "Oppgaven er utført"


@dataclass(frozen=True)
class TaskLine:
    """A task as pages, the API and the CLI show it."""

    id: int
    title: str
    due: date
    case_id: int | None
    assignee_username: str | None
    assignee_name: str | None
    unit_id: int | None
    unit_name: str | None
    created_by: str
    created_at: datetime
    done_at: datetime | None
    done_by: str | None
    done_note: str | None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def overdue(self, today: date) -> bool:
        return not self.done and self.due < today

    @property
    def assignee(self) -> str:
        """Who it is given to, as a person reads it."""
        return self.assignee_name or self.assignee_username or self.unit_name or ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "due": self.due.isoformat(), "case_id": self.case_id,
                "assignee_username": self.assignee_username, "unit_id": self.unit_id, "unit_name": self.unit_name,
                "created_by": self.created_by, "created_at": self.created_at.isoformat(),
                "done": self.done, "done_at": self.done_at.isoformat() if self.done_at else None,
                "done_by": self.done_by, "done_note": self.done_note}


def _line(task: Task, username: str | None, name: str | None, unit: str | None) -> TaskLine:
    return TaskLine(task.id or 0, task.title, task.due, task.enrolment_id, username, name, task.assignee_unit_id,
                    unit, task.created_by, task.created_at, task.done_at, task.done_by, task.done_note)


def _checked_title(title: str) -> str:
    title = " ".join(str(checked_text(title or "", "title")).split())
    if not title or len(title) > TITLE_LIMIT:
        raise ServiceError("task_title_required", "title", limit=TITLE_LIMIT)
    return title


def _checked_note(note: str | None) -> str | None:
    note = str(checked_text(note or "", "done_note")).strip()
    if len(note) > NOTE_LIMIT:
        raise ServiceError("text_too_long", "done_note", length=len(note), limit=NOTE_LIMIT)
    return note or None


def _assignee(session: Session, ctx: Context, to_user: str | None, to_unit: int | None,
              kommune_id: int | None) -> tuple[int, int | None, int | None]:
    """(kommune, user, unit) of the assignee named; in the actor's kommune (and the case's, when given)."""
    if (to_user is None or not str(to_user).strip()) == (to_unit is None):
        raise ServiceError("task_assignee_required", "assignee")
    # a user acts in their own kommune (the lookups are scoped to it), the system actor in the case's
    wanted = kommune_id if kommune_id is not None else ctx.actor.kommune_id
    if to_unit is not None:
        unit = session.exec(select(Unit).where(Unit.id == to_unit, *access.kommune(ctx.actor, Unit.kommune_id))
                            ).first()
        if unit is None:
            raise NotFound("no_unit", "assignee", id=to_unit)
        found_kommune, user_id, unit_id = unit.kommune_id, None, unit.id
    else:
        username = str(to_user).strip().lower()
        user = session.exec(select(User).where(User.username == username,
                                               *access.kommune(ctx.actor, User.kommune_id))).first()
        if user is None:
            raise NotFound("no_user", "assignee", username=username)
        if not user.active:
            raise ServiceError("task_assignee_inactive", "assignee", username=username)
        found_kommune, user_id, unit_id = user.kommune_id, user.id, None
    if wanted is not None and found_kommune != wanted:
        raise ServiceError("task_other_kommune", "assignee")
    return found_kommune, user_id, unit_id


def add_task(ctx: Context, *, title: str, due: date, to_user: str | None = None, to_unit: int | None = None,
             case_id: int | None = None) -> int:
    """Give a task to a colleague (``to_user``, a username) or a unit (``to_unit``) of the actor's kommune,
    due on ``due`` (today or later), about ``case_id`` when given (a case the actor sees); returns its id."""
    access.writing(ctx.actor)
    title = _checked_title(title)
    if not isinstance(due, date):
        raise ServiceError("date_required", "due")
    checked_date(due, "due")
    today = ctx.today()
    if due < today:
        raise ServiceError("task_due_in_past", "due", due=due, today=today)
    with ctx.transaction() as session:
        case: Enrolment | None = access.case(session, ctx.actor, case_id) if case_id is not None else None
        kommune_id, user_id, unit_id = _assignee(session, ctx, to_user, to_unit,
                                                 case.kommune_id if case is not None else None)
        row = Task(kommune_id=kommune_id, enrolment_id=case_id, assignee_user_id=user_id, assignee_unit_id=unit_id,
                   title=title, due=due, created_by=ctx.actor.name, created_at=ctx.now())
        session.add(row)
        session.flush()
        record(session, ctx, "task.created", kommune_id=kommune_id,
               participant_id=case.participant_id if case is not None else None, user_id=user_id,
               detail=f"oppgave {row.id}" + (f" til enhet {unit_id}" if unit_id else ""))
        return row.id or 0


def complete_task(ctx: Context, task_id: int, note: str | None = None) -> None:
    """Complete a task given to the actor or their unit, with a note; its overdue flag is resolved."""
    note = _checked_note(note)
    with ctx.transaction() as session:
        task = access.task(session, ctx.actor, task_id, assigned=True)
        if task.done_at is not None:
            raise Conflict("task_already_done", "task", id=task_id, on=task.done_at.date())
        now = ctx.now()
        task.done_at, task.done_by, task.done_note = now, ctx.actor.name, note
        session.add(task)
        session.execute(update(Flag).where(col(Flag.natural_key) == task_flag_key(task_id),
                                           col(Flag.state) != "resolved")
                        .values(state="resolved", resolved_at=now, resolved_by=ctx.actor.name,
                                resolution=DONE_RESOLUTION, updated_at=now))
        record(session, ctx, "task.completed", kommune_id=task.kommune_id, detail=f"oppgave {task_id}")


def list_tasks(ctx: Context, which: str = "mine", *, include_done: bool = False, username: str | None = None,
               unit_id: int | None = None, case_id: int | None = None) -> list[TaskLine]:
    """The tasks of list ``which`` (:data:`LISTS`) the actor sees, open ones only unless ``include_done``:
    given to them, to their unit, given by them, or all they see. The system actor (the CLI) names a user
    (``username``) or a unit (``unit_id``) instead. ``case_id``: the tasks of a case the actor sees."""
    if which not in LISTS:
        raise ServiceError("task_unknown_list", "list", value=which, lists=list(LISTS))
    actor = ctx.actor
    if case_id is not None:
        statement = _of_case(actor, ctx.today(), not include_done)
        with ctx.transaction() as session:
            access.case(session, actor, case_id)
            return [_line(*row) for row in session.execute(statement, {"case": case_id}).all()]
    conditions = access.tasks(actor)
    with ctx.transaction() as session:
        if actor.is_system and actor.user_id is None:
            if username:
                conditions.append(col(Task.assignee_user_id) == select(User.id).where(
                    User.username == username.strip().lower()).scalar_subquery())
            elif unit_id is not None:
                conditions.append(col(Task.assignee_unit_id) == unit_id)
            elif which != "all":
                raise ServiceError("task_user_or_unit", "list")
        elif which == "mine":
            conditions.append(col(Task.assignee_user_id) == actor.user_id)
        elif which == "unit":
            conditions.append(col(Task.assignee_unit_id) == access.own_unit(actor))
        elif which == "given":
            conditions.append(col(Task.created_by) == actor.name)
        return [_line(*row) for row in session.exec(rows.listed(conditions, not include_done))]


@lru_cache(maxsize=1024)
def _of_case(actor: Actor, today: date, open_only: bool) -> Any:
    """The statement of a case's tasks the actor sees (the case page's), the case as the parameter ``case``:
    made once per actor and day (the covers in force are the day's)."""
    return rows.listed([*access.tasks(actor), col(Task.enrolment_id) == bindparam("case")], open_only)


def get_task(ctx: Context, task_id: int) -> TaskLine:
    """One task the actor sees, else NotFound."""
    with ctx.transaction() as session:
        access.task(session, ctx.actor, task_id)
        found = session.exec(rows.listed([col(Task.id) == task_id], False)).first()
        assert found is not None
        return _line(*found)


@dataclass(frozen=True)
class Assignees:
    """Whom the actor may give a task: the active users and the units of their kommune, by name."""

    users: list[tuple[str, str]]  # (username, full name)
    units: list[tuple[int, str]]  # (id, name)


def assignees(ctx: Context) -> Assignees:
    """The colleagues and units of the actor's kommune (for the task form)."""
    access.writing(ctx.actor)
    with ctx.transaction() as session:
        users = session.exec(select(User.username, User.name).where(
            col(User.active), *access.kommune(ctx.actor, User.kommune_id)).order_by(col(User.name))).all()
        units = session.exec(select(Unit.id, Unit.name).where(
            *access.kommune(ctx.actor, Unit.kommune_id)).order_by(col(Unit.name))).all()
    return Assignees([(u, n) for u, n in users], [(i or 0, n) for i, n in units])
