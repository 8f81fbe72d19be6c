"""``pathways backup`` and ``pathways restore``: a consistent snapshot of the store while it is in use, and
its restore into an empty store, verified case by case (:mod:`pathways.services.backup`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pathways.cli import _context, main
from pathways.services.backup import BackupError, backup_into, restore


@main.command("backup")
@click.option("--to", "to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The backup file (default: PATHWAYS_BACKUP_DIR or var/backups, pathways-<UTC time>.tar).")
@click.option("--keep", type=click.IntRange(1, 10000), default=None,
              help="Then remove all but the newest KEEP backups of the default name in that folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def backup_command(to: Path | None, keep: int | None, as_json: bool) -> None:
    """Write a consistent snapshot of the store (PATHWAYS_DATABASE_URL) while it is in use: a tar file with a
    manifest (schema revision, rows per table, checksum). SQLite through its online backup API, PostgreSQL
    through pg_dump. The file holds personal data: it is made readable by its owner only."""
    ctx = _context()
    engine = ctx.engine
    try:
        target, manifest, removed = backup_into(engine, ctx.clock, to, keep)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps({"file": str(target), "manifest": manifest.as_json(),
                               "removed": [str(p) for p in removed]}, indent=2))
        return
    rows = sum(manifest.counts.values())
    click.echo(f"backup {target}: {manifest.backend}, schema {manifest.revision}, {len(manifest.counts)} tables, "
               f"{rows:,} rows, {manifest.size:,} bytes, sha256 {manifest.sha256[:16]}…")
    for path in removed:
        click.echo(f"removed the older backup {path}")


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", "into", required=True,
              help="The empty store to restore into: sqlite:////absolute/path.db or postgresql://user@host/db.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def restore_command(file: Path, into: str, as_json: bool) -> None:
    """Restore the backup FILE into the empty store at --into, upgrade its schema to this program's, and
    verify it: the rows per table against the manifest, then every case rebuilt from its events and
    compared with its stored state. Refuses, with the target untouched, a corrupt or truncated file, one
    from a newer schema, and a target that is not empty. Exit status 1 when a case differs."""
    try:
        done = restore(file, into, progress=lambda step: click.echo(step + " …", err=True))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"manifest": done.manifest.as_json(), "revision": done.revision, "cases": done.cases,
                               "differences": [{"case": c, "difference": d} for c, d in done.differences]},
                              indent=2))
    else:
        click.echo(f"restored {file} (schema {done.manifest.revision} → {done.revision}): "
                   f"{sum(done.manifest.counts.values()):,} rows; {done.cases:,} cases rebuilt from their events, "
                   f"{len(done.differences)} differ")
        for case, difference in done.differences[:50]:
            click.echo(f"case {case}: {difference}")
    if done.differences:
        raise SystemExit(1)
