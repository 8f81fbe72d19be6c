"""Staff accounts and their API tokens."""

from __future__ import annotations

from typing import Any

import click

from pathways.cli import _context, _emit, main
from pathways.services.accounts import (
    ROLES,
    add_user,
    create_token,
    reset_password,
    revoke_token,
    set_active,
    set_role,
    tokens_of,
    unlock,
)


@main.group()
def users() -> None:
    """Staff accounts for the dashboard and tokens for the API."""


@users.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--kommune", required=True)
def users_add(username: str, name: str, role: str, kommune: str) -> None:
    """Create an account; prints a one-time password to be changed at first sign-in."""
    _, password = add_user(_context(), username=username, name=name, role=role, kommune=kommune)
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
