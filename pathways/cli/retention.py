"""``pathways retention plan|apply``: what falls due under the retention policy, and carrying it out after
confirmation (:mod:`pathways.services.retention`). Acts as the system actor ``cli``, for every kommune or the
one named."""

from __future__ import annotations

import json
from dataclasses import replace

import click

from pathways.cli import _context, _fail, main
from pathways.services.context import Context, ServiceError
from pathways.services.retention import apply, archive_dir, archive_participant, plan
from pathways.services.retention_policy import TITLES
from pathways.services.units import kommune_named


@main.group("retention")
def retention() -> None:
    """Retention: what falls due under the policy (pathways/checks/retention.yaml or PATHWAYS_RETENTION_CONFIG),
    and archiving and deleting it."""


def _scoped(kommune: str | None) -> Context:
    ctx = _context()
    if kommune:
        try:
            with ctx.transaction() as session:
                found = kommune_named(session, ctx.actor, kommune)
        except ServiceError as exc:
            _fail(exc)
        ctx.actor = replace(ctx.actor, kommune_id=found.id, kommune=found.name)
    return ctx


@retention.command("plan")
@click.option("--kommune", default=None, help="One kommune (else every kommune).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def plan_command(kommune: str | None, as_json: bool) -> None:
    """List the participants whose data falls due today, with the classes due and whether they are archived
    first. Changes nothing."""
    found = plan(_scoped(kommune))
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"retention plan {found.on.isoformat()}: {len(found.due)} participants, "
               f"{found.read_log_entries} read-log entries past their time")
    for data_class, count in found.counts().items():
        click.echo(f"  {data_class:<14} {count:>7}")
    for due in found.due[:50]:
        click.echo(f"participant {due.participant_id}: since {due.since.isoformat()}, "
                   f"{', '.join(due.classes)}{' (archived first)' if due.archive(found.policy) else ''}")
    if len(found.due) > 50:
        click.echo(f"… and {len(found.due) - 50} more (--json lists all)")


@retention.command("apply")
@click.option("--kommune", default=None, help="One kommune (else every kommune).")
@click.option("--dry-run", is_flag=True, help="Plan and count only; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (the plan is still printed).")
def apply_command(kommune: str | None, dry_run: bool, yes: bool) -> None:
    """Carry out today's plan: archive (JSON and PDF into PATHWAYS_ARCHIVE_DIR, default var/arkiv) where the
    policy says so, then delete; a person's identity goes with their case history and their cases stay as
    counts under a pseudonym. Asks for confirmation unless --yes or --dry-run."""
    ctx = _scoped(kommune)
    found = plan(ctx)
    click.echo(f"{len(found.due)} participants due: " + ", ".join(
        f"{TITLES[c]} {n}" for c, n in found.counts().items()))
    if not found.due and not found.read_log_entries:
        click.echo("nothing falls due")
        return
    if not dry_run and not yes:
        click.confirm(f"archive and delete as listed (archive folder {archive_dir()})?", abort=True)
    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            click.echo(f"{done} of {total} participants", err=True)

    done = apply(ctx, [d.participant_id for d in found.due], archive_participant, progress=progress,
                 dry_run=dry_run)
    verb = "would apply to" if dry_run else "applied to"
    click.echo(f"{verb} {done.participants} participants: {done.removed} replaced by a pseudonym, "
               f"{len(done.archived)} archive files, {done.read_log_entries} read-log entries deleted, "
               f"{done.skipped} no longer due")
