"""Tasks (oppgaver): give one to a user or a unit, list them, complete one with a note. The commands act
as the system actor ``cli``: the kommune is the assignee's (and must be the case's)."""

from __future__ import annotations

from datetime import date

import click

from pathways.cli import _context, _emit, iso_date, main
from pathways.services.tasks import TaskLine, add_task, complete_task, list_tasks


@main.group()
def tasks() -> None:
    """Tasks given to a colleague or a unit, with a due date («bestill tolk»)."""


@tasks.command("add")
@click.option("--to", "to_user", default=None, help="The username of the colleague the task is given to.")
@click.option("--to-unit", type=int, default=None, help="The id of the unit the task is given to.")
@click.option("--title", required=True, help='What to do, e.g. "Bestill tolk".')
@click.option("--due", required=True, type=iso_date, help="The due date (today or later).")
@click.option("--case", "case_id", type=int, default=None, help="The case the task is about.")
@click.option("--json", "as_json", is_flag=True)
def tasks_add(to_user: str | None, to_unit: int | None, title: str, due: date, case_id: int | None,
              as_json: bool) -> None:
    """Give a task to a user (--to) or a unit (--to-unit); prints its id."""
    task_id = add_task(_context(), title=title, due=due, to_user=to_user, to_unit=to_unit, case_id=case_id)
    _emit(as_json, {"id": task_id}, str(task_id))


def _row(task: TaskLine) -> str:
    done = f"done {task.done_at:%Y-%m-%d} by {task.done_by}" if task.done_at else "open"
    return f"{task.id}\t{task.due.isoformat()}\t{task.assignee}\t{task.case_id or ''}\t{done}\t{task.title}"


@tasks.command("list")
@click.option("--user", "username", default=None, help="The tasks given to this user.")
@click.option("--unit", "unit_id", type=int, default=None, help="The tasks given to this unit.")
@click.option("--all", "every", is_flag=True, help="Every kommune's tasks.")
@click.option("--done", "include_done", is_flag=True, help="Completed tasks too.")
@click.option("--json", "as_json", is_flag=True)
def tasks_list(username: str | None, unit_id: int | None, every: bool, include_done: bool, as_json: bool) -> None:
    """The tasks (id, due, assignee, case, state, title), open first by due date."""
    found = list_tasks(_context(), "all" if every else "mine", include_done=include_done, username=username,
                       unit_id=unit_id)
    _emit(as_json, [t.as_json() for t in found], "\n".join(_row(t) for t in found) or "no tasks")


@tasks.command("done")
@click.argument("task_id", type=int)
@click.option("--note", default="", help="What was done.")
def tasks_done(task_id: int, note: str) -> None:
    """Complete a task with a note."""
    complete_task(_context(), task_id, note)
    click.echo(f"task {task_id} done")
