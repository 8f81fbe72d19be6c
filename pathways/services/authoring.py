"""Pathway authoring: validate and save drafts, publish new immutable versions, compare versions, and
migrate running cases from one version to another.

- **Publish** (:func:`publish`, from :mod:`pathways.services.publishing`, whose rules ``pathways init`` shares):
  a document is published as version *latest + 1* of its pathway, with its content hash, who, when and a
  required change note; a concurrent publish is a :class:`Conflict`.
- **Diff** (:func:`diff`): steps, events, guards, deadlines, parameters and expected livelihood added,
  removed or changed, and the running cases on the old version by step.
- **Migrate** (:func:`migrate`): with an explicit step mapping, checked first (a mapping to a missing
  step is refused before any case is read). A dry run reports for every running case where it would
  land, which deadlines keep their dates and which are recomputed, and which cases cannot move and
  why. The real run moves the cases in batches, each in its own transaction, with a migration event on
  every case and a report at the end. Only cases still on the old version are selected, so a case
  never moves twice and an interrupted run is resumed by running it again.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from pathways.definition.diff import Change, changed_steps, diff_definitions
from pathways.definition.loader import Definition, load_text
from pathways.definition.problems import DefinitionError, Problem, did_you_mean
from pathways.engine.deadlines import next_due
from pathways.engine.migration import (
    MIGRATION_EVENT,
    CannotMove,
    MappingError,
    StepMapping,
    check_mapping,
    migrate_state,
)
from pathways.engine.state import CaseState
from pathways.engine.state import Participant as Facts
from pathways.messages import Text, text_of
from pathways.services import access
from pathways.services.cases import deadline_row
from pathways.services.context import Context, NotFound, ServiceError, definition_of, dumps
from pathways.services.participants import facts_of
from pathways.services.publishing import Published, publish  # noqa: F401 (the editor's and the CLI's publish)
from pathways.store.queries import authoring as rows
from pathways.store.tables import Enrolment, MigrationRun, PathwayDraft, PathwayVersion

BATCH = 500
WRITE_BATCH = 50  # migrated cases per transaction (a commit is a disk flush on PostgreSQL; SQLite holds its
# writer lock meanwhile)


# -- references and validation ----------------------------------------------------------------------


def parse_ref(text: str) -> tuple[str, int]:
    """``introduksjonsprogram@2`` → ("introduksjonsprogram", 2)."""
    found = re.fullmatch(r"\s*([a-z][a-z0-9_]*)@([0-9]+)\s*", text or "")
    if not found:
        raise ServiceError("bad_ref", "ref", ref=text)
    return found.group(1), int(found.group(2))


def version_row(session: Session, pathway_id: str, version: int) -> PathwayVersion:
    row = rows.version(session, pathway_id, version)
    if row is None:
        have = rows.version_numbers(session, pathway_id)
        if not have:
            known = rows.pathway_ids(session)
            raise NotFound("no_published_pathway", "ref", pathway=pathway_id, hint=did_you_mean(pathway_id, known))
        raise NotFound("no_such_version", "ref", pathway=pathway_id, version=version, versions=list(have))
    return row


def definitions(ctx: Context, pathway_id: str, old: int, new: int) -> tuple[Definition, Definition]:
    """The definitions of two published versions of a pathway (NotFound names what is missing)."""
    with ctx.transaction() as session:
        return (definition_of(session, version_row(session, pathway_id, old).id or 0),
                definition_of(session, version_row(session, pathway_id, new).id or 0))


def validate(text: str, filename: str = "utkast.yaml") -> tuple[Definition | None, list[Problem]]:
    """The definition of ``text``, or its problems (each with line and column)."""
    try:
        return load_text(text, filename), []
    except DefinitionError as exc:
        return None, list(exc.problems)


# -- drafts and publishing ----------------------------------------------------------------------------


def save_draft(ctx: Context, pathway_id: str, text: str, base_version: int | None) -> list[Problem]:
    """Save (or replace) the actor's draft of a pathway; returns its problems (a draft may be invalid)."""
    _, problems = validate(text, f"{pathway_id}.yaml")
    with ctx.transaction() as session:
        draft = rows.draft(session, pathway_id, ctx.actor.name)
        now = ctx.now()
        if draft is None:
            session.add(PathwayDraft(pathway_id=pathway_id, base_version=base_version, document=text,
                                     author=ctx.actor.name, updated_at=now))
        else:
            draft.document, draft.base_version, draft.updated_at = text, base_version, now
            session.add(draft)
    return problems


def draft_of(ctx: Context, pathway_id: str) -> PathwayDraft | None:
    with ctx.transaction() as session:
        return rows.draft(session, pathway_id, ctx.actor.name)


def next_version_text(text: str, version: int) -> str:
    """The document with its top-level ``version:`` set to ``version`` (a draft of the next version)."""
    changed, n = re.subn(r"(?m)^version:[ \t]*\d+[ \t]*$", f"version: {version}", text, count=1)
    return changed if n else text


@dataclass(frozen=True)
class VersionInfo:
    pathway_id: str
    version: int
    id: int
    title: str
    published_at: datetime
    published_by: str
    change_note: str | None
    content_hash: str
    active_cases: int


def versions(ctx: Context) -> list[VersionInfo]:
    """Every published version with its running cases (in the actor's kommune; all for a system actor)."""
    with ctx.transaction() as session:
        counts = rows.active_per_version(session, access.kommune(ctx.actor, Enrolment.kommune_id))
        return [VersionInfo(r.pathway_id, r.version, r.id or 0, r.title, r.published_at, r.published_by,
                            r.change_note, r.content_hash, counts.get(r.id or 0, 0))
                for r in rows.all_versions(session)]


# -- diff ----------------------------------------------------------------------------------------------


@dataclass
class Diff:
    pathway_id: str
    old: int
    new: int
    changes: list[Change]
    cases_by_step: dict[str, int] = field(default_factory=dict)  # running cases on the old version per step
    affected_steps: dict[str, int] = field(default_factory=dict)  # of those, in steps removed or changed

    @property
    def changed_steps(self) -> dict[str, str]:
        """Step id → added | removed | changed (for colouring the diagram)."""
        return changed_steps(self.changes)

    def as_json(self) -> dict[str, Any]:
        return {"pathway": self.pathway_id, "from": self.old, "to": self.new,
                "changes": [c.as_json() for c in self.changes], "running_cases_by_step": self.cases_by_step,
                "affected_cases_by_step": self.affected_steps}

    def lines(self) -> list[str]:
        out = [f"{self.pathway_id}@{self.old} → @{self.new}: {len(self.changes)} changes"]
        out += [f"  {c}" for c in self.changes]
        total = sum(self.cases_by_step.values())
        affected = sum(self.affected_steps.values())
        out.append(f"running cases on version {self.old}: {total}; in changed or removed steps: {affected}")
        out += [f"  {step}: {n}" for step, n in sorted(self.affected_steps.items())]
        return out


def diff(ctx: Context, pathway_id: str, old: int, new: int) -> Diff:
    """What changed between two versions, and the running cases (of the actor's kommune) it touches."""
    with ctx.transaction() as session:
        a, b = version_row(session, pathway_id, old), version_row(session, pathway_id, new)
        da, db = definition_of(session, a.id or 0), definition_of(session, b.id or 0)
        by_step: Counter[str] = Counter()
        for steps in rows.active_steps(session, a.id, access.kommune(ctx.actor, Enrolment.kommune_id)):
            by_step.update(s for s in steps.split(",") if s)
    result = Diff(pathway_id, old, new, diff_definitions(da, db), dict(sorted(by_step.items())))
    touched = {k for k, v in result.changed_steps.items() if v in ("removed", "changed")}
    result.affected_steps = {k: n for k, n in result.cases_by_step.items() if k in touched}
    return result


# -- migration -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CasePlan:
    case_id: int
    steps: dict[str, str]  # old → new
    kept: dict[str, str]  # deadline → due date kept (ISO)
    recomputed: dict[str, tuple[str, str]]  # deadline → (old due, new due)

    def as_json(self) -> dict[str, Any]:
        return {"case": self.case_id, "steps": self.steps, "kept": self.kept,
                "recomputed": {k: {"from": a, "to": b} for k, (a, b) in self.recomputed.items()}}


@dataclass
class MigrationReport:
    pathway_id: str
    old: int
    new: int
    dry_run: bool
    moved: list[CasePlan] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (case, why)
    already: int = 0  # cases on the new version already (an earlier run)
    run_id: int | None = None
    resumed: list[int] = field(default_factory=list)  # earlier runs that stopped halfway, marked interrupted

    def as_json(self) -> dict[str, Any]:
        return {"pathway": self.pathway_id, "from": self.old, "to": self.new, "dry_run": self.dry_run,
                "run": self.run_id, "moved" if not self.dry_run else "would_move": [p.as_json() for p in self.moved],
                "cannot_move": [{"case": c, "reason": why} for c, why in self.refused],
                "already_on_new_version": self.already, "resumes_interrupted_runs": self.resumed}

    def lines(self, limit: int = 20) -> list[str]:
        verb = "would move" if self.dry_run else "moved"
        out = [f"{self.pathway_id}@{self.old} → @{self.new}: {len(self.moved)} {verb}, {len(self.refused)} cannot "
               f"move, {self.already} already on version {self.new}"]
        if self.resumed:
            out.append(f"  resumes the interrupted run(s) {', '.join(map(str, self.resumed))}")
        for plan in self.moved[:limit]:
            steps = ", ".join(f"{a} → {b}" if a != b else a for a, b in plan.steps.items())
            kept = f"; keeps {', '.join(plan.kept)}" if plan.kept else ""
            recomputed = "; recomputed " + ", ".join(f"{k} {a} → {b}" for k, (a, b) in plan.recomputed.items()) \
                if plan.recomputed else ""
            out.append(f"  case {plan.case_id}: {steps}{kept}{recomputed}")
        if len(self.moved) > limit:
            out.append(f"  … and {len(self.moved) - limit} more")
        for case_id, why in self.refused[:limit]:
            out.append(f"  case {case_id} cannot move: {why}")
        if len(self.refused) > limit:
            out.append(f"  … and {len(self.refused) - limit} more that cannot move")
        return out


def load_mapping(raw: str, where: str = "mapping") -> StepMapping:
    """A mapping document (YAML): ``steps``, ``regions``, ``recompute``."""
    import yaml
    try:
        data = yaml.safe_load(raw) if raw and raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise ServiceError("mapping_not_yaml", "mapping", where=f"{where}{at}",
                           detail=getattr(exc, "problem", exc)) from None
    try:
        return StepMapping.from_data(data, where)
    except MappingError as exc:
        raise ServiceError(text_of(exc), "mapping") from None


def check_migration(ctx: Context, pathway_id: str, old: int, new: int, mapping: StepMapping
                    ) -> tuple[PathwayVersion, PathwayVersion, Definition, Definition]:
    """The two versions and their definitions, once the mapping between them is known good; raises
    ServiceError (field ``ref`` or ``mapping``) before any case is read."""
    if new <= old:
        raise ServiceError("migrate_not_newer", "ref", new=new, old=old)
    with ctx.transaction() as session:
        a, b = version_row(session, pathway_id, old), version_row(session, pathway_id, new)
        da, db = definition_of(session, a.id or 0), definition_of(session, b.id or 0)
    try:
        check_mapping(da, db, mapping)
    except MappingError as exc:
        raise ServiceError(text_of(exc), "mapping") from None
    return a, b, da, db


def migrate(ctx: Context, pathway_id: str, old: int, new: int, mapping: StepMapping, *, dry_run: bool = False,
            batch: int = BATCH, on: date | None = None, progress: Any = None, stop_after: int | None = None,
            limit: int | None = None) -> MigrationReport:
    """Move the running cases of ``pathway_id@old`` to ``@new`` (see the module doc): an administrator's
    in their kommune, a system actor's in every kommune. ``limit`` takes at most that many cases (lowest
    ids first: a migration in stages); ``stop_after`` stops after that many moved (to test resuming)."""
    on = on or ctx.today()
    access.administering(ctx.actor)
    a, b, da, db = check_migration(ctx, pathway_id, old, new, mapping)
    with ctx.transaction() as session:
        ids, already = rows.cases_to_move(session, pathway_id, a.id, b.id,
                                          access.kommune(ctx.actor, Enrolment.kommune_id), limit)
    report = MigrationReport(pathway_id, old, new, dry_run, already=already)
    if not dry_run:
        with ctx.transaction() as session:
            run = MigrationRun(pathway_id=pathway_id, from_version=old, to_version=new,
                               mapping=dumps(mapping.as_json()), started_by=ctx.actor.name, started_at=ctx.now())
            session.add(run)
            session.flush()
            report.run_id = run.id
            report.resumed = _mark_interrupted(session, run)
    try:
        return _migrate_cases(ctx, report, ids, a, b, da, db, mapping, on, batch, progress, stop_after)
    except BaseException:  # Ctrl-C or a crash: the run is marked now (kill -9 is caught by the next run)
        if report.run_id is not None:
            with contextlib.suppress(Exception), ctx.transaction() as session:
                marked = session.get(MigrationRun, report.run_id)
                if marked is not None:
                    marked.refused, marked.report = len(report.refused), _interrupted_report(None, report.refused)
                    session.add(marked)
        raise


def _interrupted_report(resumed_by: int | None, refused: list[tuple[int, str]]) -> str:
    return json.dumps({"interrupted": True, "resumed_by": resumed_by,
                       "cannot_move": [{"case": c, "reason": r} for c, r in refused]}, ensure_ascii=False)


def _mark_interrupted(session: Session, run: MigrationRun) -> list[int]:
    """Earlier runs of the same move that never finished (killed: finished_at NULL and no report, or
    stopped by an error and marked then) are marked as interrupted and resumed by ``run``. Their ``moved``
    is exact: it is counted in each case's own transaction. A run still going meanwhile corrects its row
    when it finishes."""
    earlier = rows.unfinished_runs(session, run)
    marked = []
    for row in earlier:
        known = json.loads(row.report) if row.report else {}
        if known.get("resumed_by") is not None:
            continue
        row.report = json.dumps({**known, "interrupted": True, "resumed_by": run.id,
                                 "cannot_move": known.get("cannot_move", [])}, ensure_ascii=False)
        session.add(row)
        marked.append(row.id or 0)
    return marked


def _migrate_cases(ctx: Context, report: MigrationReport, ids: list[int], a: PathwayVersion, b: PathwayVersion,
                   da: Definition, db: Definition, mapping: StepMapping, on: date, batch: int, progress: Any,
                   stop_after: int | None) -> MigrationReport:
    dry_run = report.dry_run
    pending: list[tuple[int, int, int, Any, Facts, CasePlan]] = []

    def flush() -> None:
        if pending:
            _write_many(ctx, pending, a.id or 0, b.id or 0, on, report)
            pending.clear()

    done = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        with ctx.transaction() as session:  # read a batch at once; write WRITE_BATCH cases per transaction
            found = rows.cases_with_people(session, chunk, a.id)
            latest = {case_id: (state_json, version, kommune, facts_of(person))
                      for case_id, state_json, version, kommune, person in found}
        for case_id in chunk:
            if stop_after is not None and done >= stop_after:
                flush()
                return _finish(ctx, report)
            if case_id not in latest:
                continue  # moved meanwhile by another run
            state_json, version, kommune, facts = latest[case_id]
            state = CaseState.model_validate_json(state_json)
            try:
                moved = migrate_state(da, db, state, facts, mapping, on, a.id or 0, b.id or 0)
            except CannotMove as exc:
                report.refused.append((case_id, text_of(exc)))
                continue
            plan = CasePlan(case_id, moved.steps, {k: d.isoformat() for k, d in moved.kept.items()},
                            {k: (x.isoformat(), y.isoformat()) for k, (x, y) in moved.recomputed.items()})
            done += 1
            if dry_run:
                report.moved.append(plan)
                continue
            pending.append((case_id, kommune, version, moved, facts, plan))
            if len(pending) >= WRITE_BATCH:
                flush()
        flush()
        if progress is not None:
            progress(min(start + batch, len(ids)), len(ids))
    return _finish(ctx, report)


def _write_many(ctx: Context, pending: list[tuple[int, int, int, Any, Facts, CasePlan]], old_id: int, new_id: int,
                on: date, report: MigrationReport) -> None:
    """Several cases in one transaction (:func:`_write`); the run's ``moved`` counts them in the same
    transaction, so it stays exact when the run is killed (the batch is then not written at all)."""
    with ctx.engine.begin() as connection:
        written = _write(ctx, [(c, k, v, m, f) for c, k, v, m, f, _plan in pending], old_id, new_id, on, connection)
        for (case_id, *_rest, plan), ok in zip(pending, written, strict=True):
            if ok:
                report.moved.append(plan)
            else:
                report.refused.append((case_id, Text("migrate_changed")))
        if any(written) and report.run_id is not None:
            rows.count_moved(connection, report.run_id, sum(written))


def _write(ctx: Context, cases: list[tuple[int, int, int, Any, Facts]], old_id: int, new_id: int, on: date,
           connection: Any) -> list[bool]:
    """Cases (id, kommune, version, moved state, facts) in the caller's transaction: each case row guarded by
    its version and the old version id, so that a case changed meanwhile is left alone (False, nothing
    written) and no case moves twice; then the events and deadlines of those moved in three statements."""
    now = ctx.now()
    written: list[bool] = []
    moved: list[int] = []
    events: list[dict[str, Any]] = []
    deadlines: list[dict[str, Any]] = []
    for case_id, kommune_id, version, change, facts in cases:
        state: CaseState = change.state
        items = change.deadlines
        ok = rows.guard_case(connection, case_id, version, old_id, new_id,
                             {"state": state.model_dump_json(), "status": state.status,
                              "current_steps": ",".join(state.steps + list(state.compounds))}, now, next_due(items))
        written.append(ok)
        if ok:
            moved.append(case_id)
            events.append({"enrolment_id": case_id, "sequence": state.sequence, "name": MIGRATION_EVENT,
                           "effective_on": on, "step": None, "values": dumps(change.values),
                           "facts": facts.model_dump_json(), "recorded_at": now, "recorded_by": ctx.actor.name})
            deadlines.extend(deadline_row(case_id, kommune_id, i) for i in items)
    if moved:
        rows.write_moved(connection, moved, events, deadlines)
    return written


def _finish(ctx: Context, report: MigrationReport) -> MigrationReport:
    if report.run_id is not None:
        with ctx.transaction() as session:
            run = session.get(MigrationRun, report.run_id)
            assert run is not None
            run.finished_at, run.moved, run.refused = ctx.now(), len(report.moved), len(report.refused)
            run.report = json.dumps({"cannot_move": [{"case": c, "reason": r} for c, r in report.refused]},
                                    ensure_ascii=False)
            session.add(run)
    return report
