"""The tasks' (oppgaver) statements: the lists of a user, a unit or a case with the names they show; the
open tasks in a worklist's scope ranked in SQL (overdue, or due within the reminder window) and their
count; the overdue tasks the nightly check flags. The callers pass the actor's scope as conditions
(:mod:`pathways.services.access`); nothing here knows who is asking."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, Select, case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from pathways.store.tables import Enrolment, Participant, Task, Unit, User

_ASSIGNEE = aliased(User, name="assignee")


def listed(conditions: Sequence[Any], open_only: bool) -> Select[Any]:
    """(task, assignee username, assignee full name, unit name) of the tasks ``conditions`` keep, open ones
    only with ``open_only``; the open first, by due date."""
    query = (select(Task, col(_ASSIGNEE.username), col(_ASSIGNEE.name), col(Unit.name))
             .outerjoin(_ASSIGNEE, col(_ASSIGNEE.id) == col(Task.assignee_user_id))
             .outerjoin(Unit, col(Unit.id) == col(Task.assignee_unit_id))
             .where(*conditions))
    if open_only:
        query = query.where(col(Task.done_at).is_(None))
    return query.order_by(col(Task.done_at).is_not(None), col(Task.due), col(Task.id))


def _open_in_window(conditions: Sequence[Any], ahead: date) -> list[Any]:
    return [*conditions, col(Task.done_at).is_(None), col(Task.due) <= ahead]


def items(conditions: Sequence[Any], today: date, ahead: date, overdue_rank: int, due_rank: int,
          limit: int | None, by_code_point: Any) -> Select[Any]:
    """The open tasks ``conditions`` keep that are overdue (``overdue_rank``) or due by ``ahead``
    (``due_rank``), the first ``limit`` (all: None) by rank, due date and the name of the case's
    participant; each row: rank, due, name, task, title, case, participant, and how many rows there are
    in all."""
    rank = case((col(Task.due) < today, overdue_rank), else_=due_rank)
    name = func.coalesce(col(Participant.name), "")
    query = (select(rank, col(Task.due), name, col(Task.id), col(Task.title), col(Task.enrolment_id),
                    col(Enrolment.participant_id), func.count().over())
             .select_from(Task)
             .outerjoin(Enrolment, col(Enrolment.id) == col(Task.enrolment_id))
             .outerjoin(Participant, col(Participant.id) == col(Enrolment.participant_id))
             .where(*_open_in_window(conditions, ahead))
             .order_by(rank, col(Task.due), by_code_point(name), col(Task.id)))
    return query if limit is None else query.limit(limit)


def count(conditions: Sequence[Any], ahead: date) -> Select[Any]:
    return select(func.count()).select_from(Task).where(*_open_in_window(conditions, ahead))


def overdue(conn: Connection, on: date) -> list[Row[Any]]:
    """(task, kommune, case, participant, due, title) of the open tasks due before ``on``."""
    return list(conn.execute(
        select(col(Task.id), col(Task.kommune_id), col(Task.enrolment_id), col(Enrolment.participant_id),
               col(Task.due), col(Task.title))
        .outerjoin(Enrolment, col(Enrolment.id) == col(Task.enrolment_id))
        .where(col(Task.done_at).is_(None), col(Task.due) < on)).all())
