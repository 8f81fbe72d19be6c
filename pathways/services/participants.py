"""Participants: add one, import many from CSV (all or nothing), and read their rule facts."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from pathways.bounds import MAX_DEPENDANTS, birth_range, settlement_range
from pathways.engine.state import Participant as Facts
from pathways.messages import Text, from_pydantic, text_of
from pathways.services import access, audit, readlog, tabular
from pathways.services.context import Actor, Conflict, Context, NotFound, ServiceError, checked_date, checked_text
from pathways.store.queries.units import default_unit
from pathways.store.tables import AuditEntry, Enrolment, Kommune, Participant

FACT_FIELDS = tuple(name for name in Facts.model_fields if name not in ("birth_date", "settlement_date"))
CSV_COLUMNS = ("name", "born", "settled", "kommune", *FACT_FIELDS)
MAX_IMPORT_BYTES = 20_000_000
MAX_REPORTED = 1000  # row errors kept for the report; the rest are counted
WRITE_CHUNK = 1000  # rows a statement inserts


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class ImportRejected(ServiceError):
    """The import had errors; nothing was written. ``errors`` lists them (the first thousand) with line numbers."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = errors
        total = max(total or 0, len(errors))
        shown = "\n".join(str(e) for e in errors[:50])
        more = f"\n… and {total - 50} more" if total > 50 else ""
        super().__init__(f"{total} error(s); nothing was imported:\n{shown}{more}")
        self.text = Text("import_rejected", count=total)  # the dashboard lists the rows from ``errors``


def facts_of(row: Participant) -> Facts:
    return Facts.model_validate({name: getattr(row, name) for name in Facts.model_fields})


_DATE: TypeAdapter[date] = TypeAdapter(date)


def _typed_date(value: Any, field: str) -> date:
    """A date as typed (ISO text or a date), before its range is checked; the message names the field."""
    if value is None or value == "":
        raise ServiceError("date_required", field)
    try:
        return _DATE.validate_python(value)
    except ValidationError as exc:
        raise ServiceError(from_pydantic(exc.errors()[0]), field) from None


class FieldErrors(ServiceError):
    """Several fields are wrong: ``errors`` names each with its problem, in the form's order (the message and
    ``field`` are the first)."""

    def __init__(self, errors: Mapping[str, str]):
        first = next(iter(errors))
        super().__init__(errors[first], first)
        self.errors = dict(errors)


_BOOLEAN_FACTS = frozenset(name for name, f in Facts.model_fields.items() if f.annotation in (bool, bool | None))
_YES_NO = {"ja": True, "nei": False, "true": True, "false": False}


def _validate(name: str, born: Any, settled: Any, fields: Mapping[str, Any], today: date) -> tuple[str, Facts]:
    """Check one participant's input; raise ServiceError naming the field (:class:`FieldErrors` with every
    field's problem when there are several). Dates must be plausible on ``today``: born 1900 to today, settled
    1950 to a year ahead. Yes/no facts may be written ja/nei."""
    problems: dict[str, str] = {}

    def checked(field: str, check: Callable[[], Any]) -> Any:
        try:
            return check()
        except ServiceError as exc:
            problems.setdefault(exc.field or field, exc.text)
            return None

    name = (name or "").strip()
    if not name:
        problems["name"] = Text("name_required")
    elif len(name) > 200:
        problems["name"] = Text("name_too_long")
    unknown = sorted(set(fields) - set(FACT_FIELDS))
    if unknown:
        raise ServiceError("unknown_fact_field", unknown[0], name=unknown[0], fields=list(FACT_FIELDS))
    for key, value in (("name", name), ("born", born), ("settled", settled), *fields.items()):
        checked(key, lambda key=key, value=value: checked_text(value, key))  # type: ignore[misc]
    born = checked("born", lambda: checked_date(_typed_date(born, "born"), "born", *birth_range(today)))
    settled = checked("settled", lambda: checked_date(_typed_date(settled, "settled"), "settled",
                                                       *settlement_range(today))) if settled else None
    data = {k: _YES_NO.get(v.strip().lower(), v) if k in _BOOLEAN_FACTS and isinstance(v, str) else v
            for k, v in fields.items() if v not in (None, "")}
    data.update(birth_date=born or today, settlement_date=settled)  # a bad date is reported once, above
    facts = None
    try:
        facts = Facts.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where = str(error["loc"][0]) if error["loc"] else "?"
            where = {"birth_date": "born", "settlement_date": "settled"}.get(where, where)
            problems.setdefault(where, from_pydantic(error))
    if facts is not None and born and facts.settlement_date and facts.settlement_date < facts.birth_date:
        problems.setdefault("settled", Text("settled_before_born"))
    if facts is not None and facts.dependants > MAX_DEPENDANTS:
        problems.setdefault("dependants", Text("too_many_dependants", count=facts.dependants,
                                                    limit=MAX_DEPENDANTS))
    if problems:
        order = ["name", "born", "settled", *FACT_FIELDS]
        ranked = sorted(problems, key=lambda k: order.index(k) if k in order else len(order))
        if len(ranked) == 1:
            raise ServiceError(problems[ranked[0]], ranked[0])
        raise FieldErrors({k: problems[k] for k in ranked})
    assert facts is not None
    return name, facts


def kommune_name(name: str) -> str:
    """A kommune name as typed, checked: required, at most 100 characters, storable."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("kommune_required", "kommune")
    if len(name) > 100:
        raise ServiceError("kommune_too_long", "kommune")
    return checked_text(name, "kommune")


def kommune_row(session: Session, name: str) -> Kommune:
    name = kommune_name(name)
    row = session.exec(select(Kommune).where(Kommune.name == name)).first()
    if row is None:
        row = Kommune(name=name, number=name if name.isdigit() and len(name) == 4 else None)
        session.add(row)
        session.flush()
        default_unit(session, row.id or 0)  # a new kommune starts with its refugee service
    return row


def add_participant(ctx: Context, *, name: str, born: date | str, settled: date | str | None, kommune: str,
                    fields: Mapping[str, Any] | None = None) -> int:
    """Add one participant to ``kommune`` (the actor's own, unless a system actor); returns the new id."""
    clean_name, facts = _validate(name, born, settled, fields or {}, ctx.today())
    _own_kommune(ctx.actor, kommune_name(kommune))
    with ctx.transaction() as session:
        row = Participant(kommune_id=kommune_row(session, kommune).id, name=clean_name, created_at=ctx.now(),
                          **facts.model_dump())
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(session, ctx, "participant.created", kommune_id=row.kommune_id, participant_id=row.id)
        return row.id


def _own_kommune(actor: Actor, name: str) -> None:
    """Only a veileder (or a system actor) adds participants, and a veileder only to their own kommune."""
    access.writing(actor)
    if not actor.is_system and name != actor.kommune:
        raise access.Forbidden("not_your_kommune", "kommune", kommune=name, yours=actor.kommune)


def import_participants(ctx: Context, path: str | Path) -> list[int]:
    """Import a CSV or Excel (.xlsx) file (columns ``CSV_COLUMNS`` or their Norwegian names; header
    required). Every row is checked first; one bad row rejects the whole file with every error and its line
    number."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            return import_csv(ctx, stream, str(path))
    except OSError as exc:
        raise ServiceError("cannot_read_file", "file", path=path, reason=exc.strerror) from None


@dataclass
class ImportCheck:
    """What importing a file would do, found without writing anything: the rows that would be imported, the
    first :data:`PREVIEW_ROWS` of them, and the errors per line (the first :data:`MAX_REPORTED`; ``failed``
    counts them all)."""

    kind: str  # "csv" | "xlsx"
    count: int
    sample: list[dict[str, Any]]  # line, name, born, settled, kommune (ISO dates)
    errors: list[RowError]
    failed: int

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "count": self.count, "sample": self.sample, "failed": self.failed,
                "errors": [[e.line, e.field, e.message] for e in self.errors]}


PREVIEW_ROWS = 10


def _scope(ctx: Context, only_kommune: str | None) -> str | None:
    access.writing(ctx.actor)
    if not ctx.actor.is_system:
        if only_kommune is not None and only_kommune != ctx.actor.kommune:
            raise access.Forbidden("not_your_kommune", "kommune", kommune=only_kommune, yours=ctx.actor.kommune)
        only_kommune = ctx.actor.kommune
    return only_kommune


def _open(source: bytes | BinaryIO, path: str) -> tuple[BinaryIO, tabular.Shape]:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    size = stream.seek(0, io.SEEK_END)
    if size > MAX_IMPORT_BYTES:
        raise ServiceError("file_too_large", "file", path=path, limit=MAX_IMPORT_BYTES)
    return stream, tabular.inspect(stream, path)


def check_import(ctx: Context, source: bytes | BinaryIO, path: str = "the file", *, only_kommune: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> ImportCheck:
    """Check a CSV or Excel file as :func:`import_csv` would, and write nothing: the preview before an import.
    A file that cannot be read at all (no header, unknown columns, not text) raises :class:`ImportRejected`
    or :class:`ServiceError` instead."""
    only_kommune = _scope(ctx, only_kommune)
    stream, shape = _open(source, path)
    return _check(stream, shape, path, only_kommune, ctx.today(), progress)


def _check(stream: BinaryIO, shape: tabular.Shape, path: str, only_kommune: str | None, today: date,
           progress: Callable[[int, int], None] | None) -> ImportCheck:
    errors: list[RowError] = []
    sample: list[dict[str, Any]] = []
    failed, count = 0, 0
    seen: dict[bytes, int] = {}  # digest of (name, birth date) → first line: duplicates in one file

    def report(error: RowError) -> None:
        nonlocal failed
        failed += 1
        if len(errors) < MAX_REPORTED:
            errors.append(error)

    for line, row in _rows(stream, shape, path, only_kommune, today):
        if progress is not None and line % 200 == 0:
            progress(line, shape.total)
        if isinstance(row, RowError):
            report(row)
            continue
        count += 1
        key = hashlib.blake2b(f"{' '.join(row[0].split()).casefold()}\n{row[1].birth_date}".encode(),
                              digest_size=16).digest()  # 16 bytes a row, not the name: memory stays small
        first = seen.setdefault(key, line)
        if first != line:
            report(RowError(line, "row", Text("duplicate_row", line=first)))
        if len(sample) < PREVIEW_ROWS:
            name, facts, kommune = row
            sample.append({"line": line, "name": name, "born": facts.birth_date.isoformat(),
                           "settled": facts.settlement_date.isoformat() if facts.settlement_date else None,
                           "kommune": kommune})
    if not count and not failed:
        report(RowError(2, "row", Text("no_rows")))
    return ImportCheck(shape.kind, count, sample, errors, failed)


def import_csv(ctx: Context, source: bytes | BinaryIO, path: str = "the file", *, only_kommune: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[int]:
    """Import a CSV or Excel .xlsx file (bytes or a seekable binary file; see :func:`import_participants` and
    :mod:`pathways.services.tabular`). ``only_kommune``: every row must belong to that kommune (a missing
    kommune column means that kommune); for an actor of one kommune it is always theirs.
    ``progress(done, total)`` is called while rows are checked.

    The file is read twice, row by row, so memory stays flat whatever its size: first every row is
    checked (a row with the same name and birth date as an earlier one is an error too), then, when
    none failed, the rows are written in chunks in one transaction."""
    only_kommune = _scope(ctx, only_kommune)
    stream, shape = _open(source, path)
    today = ctx.today()
    checked = _check(stream, shape, path, only_kommune, today, progress)
    if checked.failed:
        raise ImportRejected(checked.errors, checked.failed)
    now = ctx.now()
    ids: list[int] = []
    with ctx.transaction() as session:
        kommuner: dict[str, int] = {}
        chunk: list[dict[str, Any]] = []
        for _, row in _rows(stream, shape, path, only_kommune, today):
            assert not isinstance(row, RowError)  # checked above
            name, facts, kommune = row
            if kommune not in kommuner:
                kommuner[kommune] = kommune_row(session, kommune).id or 0
            chunk.append({"kommune_id": kommuner[kommune], "name": name, "created_at": now, **facts.model_dump()})
            if len(chunk) == WRITE_CHUNK:
                ids += _insert(session, ctx, chunk)
                chunk = []
        if chunk:
            ids += _insert(session, ctx, chunk)
    return ids


def _insert(session: Session, ctx: Context, rows: list[dict[str, Any]]) -> list[int]:
    """A chunk of participants and their audit entries, each in one statement."""
    statement = insert(Participant).returning(col(Participant.id), sort_by_parameter_order=True)
    ids = list(session.execute(statement, rows).scalars())
    imported = [(row["kommune_id"], id_) for row, id_ in zip(rows, ids, strict=True)]
    session.execute(insert(AuditEntry), audit.imported_rows(ctx, imported))
    return ids


def _columns(header: list[Any], only_kommune: str | None) -> list[str]:
    """The header's columns as the import knows them (Norwegian or English names, any case); else every
    problem with it, as :class:`ImportRejected`."""
    columns: list[str] = []
    problems: list[RowError] = []
    for cell in header:
        title = tabular.cell_text(cell).strip()
        column = tabular.HEADERS.get(tabular._key(title))
        if column is None:
            known = ", ".join(f"{tabular.NORWEGIAN[c]}/{c}" if c in tabular.NORWEGIAN else c for c in CSV_COLUMNS)
            problems.append(RowError(1, title or "?", Text("unknown_column", columns=known)))
        elif column in columns:
            problems.append(RowError(1, title, Text("column_twice", column=column)))
        columns.append(column or "")
    required = ("name", "born") + (() if only_kommune else ("kommune",))
    problems += [RowError(1, c, Text("column_missing")) for c in required if c not in columns]
    if problems:
        raise ImportRejected(problems)
    return columns


def _rows(stream: BinaryIO, shape: tabular.Shape, path: str, only_kommune: str | None, today: date
          ) -> Iterator[tuple[int, tuple[str, Facts, str] | RowError]]:
    """Each data row of the file, with its line number: checked, or the error."""
    line = 1
    table = tabular.rows(stream, shape, path)
    try:
        first = next(table, None)
        if first is None:
            raise ImportRejected([RowError(1, "row", Text("file_empty_header"))])
        columns = _columns(first[1], only_kommune)
        for line, values in table:
            if len(values) > len(columns):
                yield line, RowError(line, "row", Text("too_many_values"))
                continue
            yield line, _row(dict(zip(columns, values, strict=False)), line, only_kommune, today)
    except csv.Error as exc:
        raise ImportRejected([RowError(line + 1, "row", Text("not_csv", detail=exc))]) from None
    finally:
        table.close()  # now, while the caller's stream is open (it lets the stream go)


def _row(record: dict[str, Any], line: int, only_kommune: str | None, today: date
         ) -> tuple[str, Facts, str] | RowError:
    if only_kommune is not None:
        given = tabular.cell_text(record.get("kommune")).strip()
        if given and given != only_kommune:
            return RowError(line, "kommune", Text("not_your_kommune", kommune=given, yours=only_kommune))
        record["kommune"] = only_kommune
    try:
        fields = {k: tabular.fact_value(k, v) for k, v in record.items()
                  if k in FACT_FIELDS and tabular.cell_text(v).strip()}
        born = tabular.parse_date(record.get("born"), "born")
        settled = tabular.parse_date(record.get("settled"), "settled")
        name, facts = _validate(tabular.cell_text(record.get("name")), born, settled, fields, today)
        return name, facts, kommune_name(tabular.cell_text(record.get("kommune")))
    except ServiceError as exc:
        return RowError(line, exc.field or "?", text_of(exc))


def imported_names(ctx: Context, ids: list[int], limit: int = 200) -> list[tuple[int, str]]:
    """The names of (the first ``limit`` of) these participants that the actor sees, in the order given:
    the links on an import's result page."""
    wanted = ids[:limit]
    with ctx.transaction() as session:
        found = dict(session.exec(select(Participant.id, Participant.name)
                                  .where(col(Participant.id).in_(wanted), *access.participants(ctx.actor))).all())
    return [(pid, found[pid]) for pid in wanted if pid in found]


def get_participant(session: Session, participant_id: int) -> Participant:
    """The participant, whoever acts: for what a service already found in the actor's scope (a case's
    participant); a participant named by the caller goes through :func:`pathways.services.access.participant`."""
    row = session.get(Participant, participant_id)
    if row is None:
        raise NotFound("no_participant", "participant", id=participant_id)
    return row


def update_participant(ctx: Context, participant_id: int, *, name: str, born: date | str, settled: date | str | None,
                       fields: Mapping[str, Any] | None = None, expected_version: int | None = None) -> int:
    """Change the name and facts of a participant the actor sees; returns the new version.
    ``expected_version`` guards against lost updates."""
    clean_name, facts = _validate(name, born, settled, fields or {}, ctx.today())
    with ctx.transaction() as session:
        row = access.worked_participant(session, ctx.actor, participant_id)
        if expected_version is not None and row.version != expected_version:
            raise Conflict("participant_changed", id=participant_id)
        changed = sorted(k for k, v in {"name": clean_name, **facts.model_dump()}.items() if getattr(row, k) != v)
        row.name = clean_name
        for key, value in facts.model_dump().items():
            setattr(row, key, value)
        row.version += 1
        audit.record(session, ctx, "participant.changed", kommune_id=row.kommune_id, participant_id=participant_id,
                     detail=", ".join(changed))  # the fields, never their values
        return row.version


@dataclass
class ParticipantPage:
    rows: list[Participant]
    total: int
    page: int
    pages: int


def find_participants(ctx: Context, q: str | None = None, page: int = 1, page_size: int = 25) -> ParticipantPage:
    """One page of the participants the actor sees, ordered by name; with ``q``, those whose name contains it."""
    conditions = access.participants(ctx.actor)
    if q and q.strip():
        conditions.append(func.lower(Participant.name).contains(q.strip().lower(), autoescape=True))
    with ctx.transaction() as session:
        total = session.exec(select(func.count()).select_from(Participant).where(*conditions)).one()
        pages = max(1, -(-total // page_size))
        rows = session.exec(select(Participant).where(*conditions).order_by(col(Participant.name), col(Participant.id))
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return ParticipantPage(list(rows), total, page, pages)


def may_change(ctx: Context, participant_id: int) -> bool:
    """Whether the actor may change the participant's facts (:func:`pathways.services.access.worked_participant`:
    a veileder who works one of their cases or has them in the intake; a receiving unit's once it has taken
    a case over)."""
    with ctx.transaction() as session:
        try:
            access.worked_participant(session, ctx.actor, participant_id)
        except (access.Forbidden, NotFound):
            return False
        return True


def read_participant(ctx: Context, participant_id: int) -> tuple[Participant, list[Enrolment]]:
    """A participant the actor sees (else NotFound), with their cases."""
    with ctx.transaction() as session:
        row = access.participant(session, ctx.actor, participant_id)
        readlog.note(ctx, participant_id, row.kommune_id, "deltaker")
        return row, list(session.exec(select(Enrolment).where(Enrolment.participant_id == participant_id)
                                      .order_by(col(Enrolment.id))))
