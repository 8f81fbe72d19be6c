"""Staff accounts and their API tokens."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from pathways.cli import _context, _emit, iso_date, main
from pathways.services.accounts import (
    ROLES,
    add_user,
    create_token,
    find_user,
    reset_password,
    revoke_token,
    set_active,
    set_role,
    tokens_of,
    unlock,
)
from pathways.services.caseworkers import covers, end_cover, reassign_all, reassign_case, set_cover


@main.group()
def users() -> None:
    """Staff accounts for the dashboard and tokens for the API."""


@users.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--kommune", required=True)
@click.option("--unit", default=None, help="The unit's name (default: the kommune's Flyktningtjenesten).")
def users_add(username: str, name: str, role: str, kommune: str, unit: str | None) -> None:
    """Create an account; prints a one-time password to be changed at first sign-in."""
    _, password = add_user(_context(), username=username, name=name, role=role, kommune=kommune, unit=unit)
    click.echo(f"created {username.strip().lower()} ({role}, {kommune}); one-time password: {password}")


@users.command("token")
@click.argument("username")
@click.option("--label", default="integrasjon", show_default=True)
def users_token(username: str, label: str) -> None:
    """Create an API token for a user (Authorization: Bearer TOKEN); shown once."""
    click.echo(create_token(_context(), username, label))


@users.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Deactivate a user: their dashboard sessions end and their API tokens stop working at once."""
    set_active(_context(), username, False)
    click.echo(f"deactivated {username.strip().lower()}")


@users.command("activate")
@click.argument("username")
def users_activate(username: str) -> None:
    """Activate a deactivated user again (their API tokens work again unless revoked)."""
    set_active(_context(), username, True)
    click.echo(f"activated {username.strip().lower()}")


@users.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Give a user a new one-time password (printed once); their sessions end and a sign-in lock lifts."""
    password = reset_password(_context(), username)
    click.echo(f"one-time password for {username.strip().lower()}: {password}")


@users.command("unlock")
@click.argument("username")
def users_unlock(username: str) -> None:
    """Lift a user's sign-in lock (after too many failed sign-ins)."""
    unlock(_context(), username)
    click.echo(f"unlocked {username.strip().lower()}")


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def users_role(username: str, role: str) -> None:
    """Change a user's role."""
    set_role(_context(), username, role)
    click.echo(f"{username.strip().lower()} is now {role}")


@users.command("tokens")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
def users_tokens(username: str, as_json: bool) -> None:
    """List a user's API tokens (id, label, created, revoked); the tokens themselves are never stored."""
    rows = tokens_of(_context(), username)
    data: list[dict[str, Any]] = [
        {"id": t.id, "label": t.label, "created_at": t.created_at.isoformat(), "revoked": t.revoked} for t in rows]
    _emit(as_json, data, "\n".join(f"{t['id']}\t{t['label']}\t{t['created_at'][:16]}\t"
                                    f"{'revoked' if t['revoked'] else 'active'}" for t in data) or "no tokens")


@users.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int) -> None:
    """Revoke an API token by its id (see 'pathways users tokens'); it stops working at once."""
    owner = revoke_token(_context(), token_id)
    click.echo(f"revoked token {token_id} of {owner}")


@main.group()
def caseworkers() -> None:
    """A leder's work: reassign cases, and covers for absent veiledere."""


@caseworkers.command("reassign")
@click.option("--case", "case_id", type=int, default=None, help="One case (else every active case of --from).")
@click.option("--from", "from_user", default=None, help="The veileder whose active cases all move.")
@click.option("--to", "to_user", required=True, help="The veileder who takes them (username).")
def caseworkers_reassign(case_id: int | None, from_user: str | None, to_user: str) -> None:
    """Give one case, or every active case of a veileder, to another veileder."""
    if (case_id is None) == (from_user is None):
        raise click.UsageError("give --case or --from")
    ctx = _context()
    to = find_user(ctx, to_user)
    if case_id is not None:
        reassign_case(ctx, case_id, to.id or 0)
        click.echo(f"case {case_id}: {to.username}")
        return
    moved = reassign_all(ctx, find_user(ctx, from_user or "").id or 0, to.id or 0)
    click.echo(f"{moved} case(s) from {from_user} to {to.username}")


@caseworkers.command("cover")
@click.argument("absent")
@click.argument("covering")
@click.option("--until", type=iso_date, required=True, help="The last day of the cover (at most a year ahead).")
def caseworkers_cover(absent: str, covering: str, until: date) -> None:
    """COVERING works ABSENT's cases from today until --until (usernames); prints the cover's id."""
    ctx = _context()
    cover = set_cover(ctx, find_user(ctx, absent).id or 0, find_user(ctx, covering).id or 0, until)
    click.echo(str(cover))


@caseworkers.command("covers")
@click.option("--json", "as_json", is_flag=True)
def caseworkers_covers(as_json: bool) -> None:
    """The covers in force today."""
    found = covers(_context())
    _emit(as_json, [c.as_json() for c in found],
          "\n".join(f"{c.id}: {c.covering.username} covers {c.absent.username} until {c.until.isoformat()}"
                    for c in found) or "no covers in force")


@caseworkers.command("end-cover")
@click.argument("cover_id", type=int)
def caseworkers_end_cover(cover_id: int) -> None:
    """End a cover in force now: the cases are the absent veileder's alone again."""
    ended = end_cover(_context(), cover_id)
    click.echo(f"cover {cover_id} ended: {ended.absent.username}'s cases are theirs alone again")
