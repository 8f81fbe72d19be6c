"""Participants: add one, import many from CSV (all or nothing), and read their rule facts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from pathways.calendar import OSLO
from pathways.engine.state import Participant as Facts
from pathways.services import audit
from pathways.services.context import Conflict, Context, NotFound, ServiceError
from pathways.store.tables import Kommune, Participant

FACT_FIELDS = tuple(name for name in Facts.model_fields if name not in ("birth_date", "settlement_date"))
CSV_COLUMNS = ("name", "born", "settled", "kommune", *FACT_FIELDS)
MAX_IMPORT_BYTES = 20_000_000


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class ImportRejected(ServiceError):
    """The import had errors; nothing was written. ``errors`` lists them with line numbers."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:50])
        more = f"\n… and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} error(s); nothing was imported:\n{shown}{more}")


def facts_of(row: Participant) -> Facts:
    return Facts.model_validate({name: getattr(row, name) for name in Facts.model_fields})


def _validate(name: str, born: Any, settled: Any, fields: Mapping[str, Any]) -> tuple[str, Facts]:
    """Check one participant's input; raise ServiceError naming the field."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("a name is required", "name")
    if len(name) > 200:
        raise ServiceError("the name is longer than 200 characters", "name")
    unknown = sorted(set(fields) - set(FACT_FIELDS))
    if unknown:
        raise ServiceError(f"unknown field '{unknown[0]}' (fields: {', '.join(FACT_FIELDS)})", unknown[0])
    data = {k: v for k, v in fields.items() if v not in (None, "")}
    data.update(birth_date=born, settlement_date=settled or None)
    try:
        facts = Facts.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = str(error["loc"][0]) if error["loc"] else "?"
        where = {"birth_date": "born", "settlement_date": "settled"}.get(where, where)
        raise ServiceError(f"{error['msg']} (got {error.get('input')!r})", where) from None
    if facts.settlement_date and facts.settlement_date < facts.birth_date:
        raise ServiceError("the settlement date is before the birth date", "settled")
    return name, facts


def kommune_row(session: Session, name: str) -> Kommune:
    name = (name or "").strip()
    if not name:
        raise ServiceError("a kommune is required", "kommune")
    row = session.exec(select(Kommune).where(Kommune.name == name)).first()
    if row is None:
        row = Kommune(name=name, number=name if name.isdigit() and len(name) == 4 else None)
        session.add(row)
        session.flush()
    return row


def add_participant(ctx: Context, *, name: str, born: date | str, settled: date | str | None, kommune: str,
                    fields: Mapping[str, Any] | None = None) -> int:
    """Add one participant; returns the new id."""
    clean_name, facts = _validate(name, born, settled, fields or {})
    with ctx.transaction() as session:
        row = Participant(kommune_id=kommune_row(session, kommune).id, name=clean_name, created_at=datetime.now(OSLO),
                          **facts.model_dump())
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(session, ctx, "participant.created", kommune_id=row.kommune_id, participant_id=row.id)
        return row.id


def import_participants(ctx: Context, path: str | Path) -> list[int]:
    """Import a CSV file (columns ``CSV_COLUMNS``; header required). Every row is checked first; one bad
    row rejects the whole file with every error and its line number."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ServiceError(f"cannot read {path}: {exc.strerror}", "file") from None
    return import_csv(ctx, raw, str(path))


def import_csv(ctx: Context, raw: bytes, path: str = "the file", *, only_kommune: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[int]:
    """Import CSV bytes (see :func:`import_participants`). ``only_kommune``: every row must belong to that
    kommune (a missing kommune column means that kommune) — the dashboard imports into the user's own.
    ``progress(done, total)`` is called while rows are checked."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ServiceError(f"{path} is larger than {MAX_IMPORT_BYTES:,} bytes", "file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(f"{path} is not UTF-8 text; save it as UTF-8 CSV", "file") from None
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if text.split("\n", 1)[0].count(";") else ",")
    header = reader.fieldnames or []
    missing = [c for c in ("name", "born") + (() if only_kommune else ("kommune",)) if c not in header]
    if missing:
        raise ImportRejected([RowError(1, c, "column missing from the header") for c in missing])
    extra = [c for c in header if c not in CSV_COLUMNS]
    if extra:
        raise ImportRejected([RowError(1, c, f"unknown column (columns: {', '.join(CSV_COLUMNS)})") for c in extra])
    rows: list[tuple[str, Facts, str]] = []
    errors: list[RowError] = []
    total = max(1, text.count("\n"))
    for record in reader:
        line = reader.line_num
        if progress is not None and line % 200 == 0:
            progress(line, total)
        if only_kommune is not None:
            given = (record.get("kommune") or "").strip()
            if given and given != only_kommune:
                errors.append(RowError(line, "kommune", f"'{given}' is not your kommune ({only_kommune})"))
                continue
            record["kommune"] = only_kommune
        if None in record:
            errors.append(RowError(line, "row", "more values than columns"))
            continue
        fields = {k: v for k, v in record.items() if k in FACT_FIELDS}
        try:
            name, facts = _validate(record.get("name") or "", record.get("born"), record.get("settled"), fields)
            if not (record.get("kommune") or "").strip():
                raise ServiceError("a kommune is required", "kommune")
        except ServiceError as exc:
            errors.append(RowError(line, exc.field or "?", str(exc)))
            continue
        rows.append((name, facts, record["kommune"].strip()))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(2, "row", "the file has a header but no participants")])
    now = datetime.now(OSLO)
    with ctx.transaction() as session:
        kommuner = {k: kommune_row(session, k).id for k in {r[2] for r in rows}}
        created = [Participant(kommune_id=kommuner[k], name=n, created_at=now, **f.model_dump()) for n, f, k in rows]
        session.add_all(created)
        session.flush()
        for p in created:
            audit.record(session, ctx, "participant.imported", kommune_id=p.kommune_id, participant_id=p.id)
        return [p.id for p in created if p.id is not None]


def get_participant(session: Session, participant_id: int) -> Participant:
    row = session.get(Participant, participant_id)
    if row is None:
        raise NotFound(f"no participant {participant_id}", "participant")
    return row


def update_participant(ctx: Context, participant_id: int, *, name: str, born: date | str, settled: date | str | None,
                       fields: Mapping[str, Any] | None = None, kommune_id: int | None = None,
                       expected_version: int | None = None) -> int:
    """Change a participant's name and facts; returns the new version. ``kommune_id`` scopes the change
    (another kommune's participant is not found); ``expected_version`` guards against lost updates."""
    clean_name, facts = _validate(name, born, settled, fields or {})
    with ctx.transaction() as session:
        row = session.get(Participant, participant_id)
        if row is None or (kommune_id is not None and row.kommune_id != kommune_id):
            raise NotFound(f"no participant {participant_id}", "participant")
        if expected_version is not None and row.version != expected_version:
            raise Conflict(f"participant {participant_id} was changed by someone else; reload and try again")
        changed = sorted(k for k, v in {"name": clean_name, **facts.model_dump()}.items() if getattr(row, k) != v)
        row.name = clean_name
        for key, value in facts.model_dump().items():
            setattr(row, key, value)
        row.version += 1
        audit.record(session, ctx, "participant.changed", kommune_id=row.kommune_id, participant_id=participant_id,
                     detail=", ".join(changed))  # the fields, never their values
        return row.version
