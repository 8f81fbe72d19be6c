"""Authoring: publish, diff, migrate and forecast pathway versions."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from pathways.cli import _context, _emit, _fail, main
from pathways.definition.loader import load_text
from pathways.definition.problems import DefinitionError
from pathways.services.context import Actor, Context, ServiceError, definition_of


def _author_context(by: str | None) -> Context:
    ctx = _context()
    return Context(ctx.engine, ctx.clock, actor=Actor.system(by or os.environ.get("USER") or "cli"))


@main.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", required=True, help="The change note: what changed and why (required).")
@click.option("--by", help="Who publishes (default: $USER).")
@click.option("--expect", "expected", type=int, help="Refuse unless the newest published version is this one.")
def publish_command(file: Path, note: str, by: str | None, expected: int | None) -> None:
    """Publish FILE as the next version of its pathway (its 'version' must be the newest + 1)."""
    from pathways.services import authoring
    try:
        published = authoring.publish(_author_context(by), file.read_text(encoding="utf-8"), note, str(file),
                                      expected_latest=expected)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{file} is not valid: {len(exc.problems)} problem(s); nothing was published") \
            from None
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"published {published.pathway_id}@{published.version} (sha256 {published.content_hash[:12]})")


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True)
def diff_command(old: str, new: str, as_json: bool) -> None:
    """What changed between two published versions (ID@V1 ID@V2), and the running cases affected."""
    from pathways.services import authoring
    (pathway_a, va), (pathway_b, vb) = authoring.parse_ref(old), authoring.parse_ref(new)
    if pathway_a != pathway_b:
        raise ServiceError("compare_one_pathway", "ref", first=pathway_a, second=pathway_b)
    found = authoring.diff(_context(), pathway_a, va, vb)
    _emit(as_json, found.as_json(), "\n".join(found.lines()))


@main.command("migrate")
@click.argument("old")
@click.argument("new")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML: steps: {old: new}, regions: {region: {old: new}}, recompute: [deadline, ...] | all.")
@click.option("--dry-run", is_flag=True, help="Show where every case would land; change nothing.")
@click.option("--by", help="Who migrates (default: $USER).")
@click.option("--json", "as_json", is_flag=True)
def migrate_command(old: str, new: str, mapping_file: Path | None, dry_run: bool, by: str | None,
                    as_json: bool) -> None:
    """Move the running cases of ID@V1 to ID@V2 (batches, one transaction per case; run again to resume)."""
    from pathways.services import authoring
    (pathway_a, va), (pathway_b, vb) = authoring.parse_ref(old), authoring.parse_ref(new)
    if pathway_a != pathway_b:
        raise ServiceError("migrate_one_pathway", "ref", first=pathway_a, second=pathway_b)
    mapping = authoring.load_mapping(mapping_file.read_text(encoding="utf-8") if mapping_file else "",
                                     str(mapping_file or "mapping"))
    report = authoring.migrate(_author_context(by), pathway_a, va, vb, mapping, dry_run=dry_run)
    _emit(as_json, report.as_json(), "\n".join(report.lines()))
    if report.refused and not dry_run:
        sys.exit(2)


@main.command("forecast")
@click.argument("target")
@click.option("--cohort", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def forecast_command(target: str, cohort: int, seed: int, as_json: bool) -> None:
    """Run a synthetic cohort through a draft (FILE) or a published version (ID@V): time to each outcome
    and where income gaps would appear."""
    from pathways.definition.forecast import forecast
    from pathways.services import authoring
    if Path(target).is_file():
        try:
            definition = load_text(Path(target).read_bytes(), target)
        except DefinitionError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(f"{target} is not valid: {len(exc.problems)} problem(s)") from None
    else:
        pathway_id, version = authoring.parse_ref(target)
        ctx = _context()
        with ctx.transaction() as session:
            definition = definition_of(session, authoring.version_row(session, pathway_id, version).id or 0)
    found = forecast(definition, cohort, seed)
    _emit(as_json, found.as_json(), "\n".join(found.lines()))
