"""Backup and restore of the store (issue 17): a consistent snapshot taken while the dashboard and the
nightly checks keep writing, and a restore that proves itself by rebuilding every case from its events.

A backup is one tar file: ``manifest.json`` (format, backend, schema revision, rows per table, the
payload's size and SHA-256) and the payload, ``store.sqlite3`` (SQLite's online backup API: every page in
one read transaction, so writers go on) or ``store.pgdump`` (``pg_dump --format=custom`` of an exported
snapshot, in whose transaction the rows are counted too, so the counts and the dump see the same
instant). The counts are the snapshot's own.

A restore refuses before touching anything: a file that is no backup, truncated or corrupt (the
checksum), one made by a newer schema than this program knows, one of the other backend, and a target
store that is not empty. SQLite is restored into a file beside the target that replaces it only when
everything checked out; PostgreSQL with ``pg_restore --single-transaction``, so a failure leaves the
target as it was. Then the counts are compared with the manifest, the schema is upgraded to this
program's, and every case is rebuilt from its events and compared with its stored state; a difference
is reported by case.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session, col, select

from pathways.calendar import Clock
from pathways.engine.state import CaseState
from pathways.home import env_count, var_dir
from pathways.services.cases import replayed, versions_of
from pathways.services.context import definition_of
from pathways.store.database import MIGRATIONS, database_url, make_engine, migrate
from pathways.store.tables import Enrolment, Event, Participant

FORMAT = 1
MANIFEST = "manifest.json"
PAYLOADS = {"sqlite": "store.sqlite3", "postgresql": "store.pgdump"}
NAME = re.compile(r"^pathways-\d{8}T\d{6}Z\.tar$")  # the names backups get by default, which pruning removes
CHUNK = 1 << 20


def backup_dir() -> Path:
    """Where backups go by default: ``PATHWAYS_BACKUP_DIR``, else ``var/backups``."""
    configured = os.environ.get("PATHWAYS_BACKUP_DIR", "").strip()
    return Path(configured) if configured else var_dir() / "backups"


def keep_count() -> int:
    """How many nightly backups are kept: ``PATHWAYS_BACKUP_KEEP``, default 14."""
    return env_count("PATHWAYS_BACKUP_KEEP", 14, 1, 10000)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says in one line what and where."""


@dataclass
class Manifest:
    backend: str
    revision: str
    counts: dict[str, int]
    sha256: str
    size: int
    created: str
    pathways: str
    format: int = FORMAT

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Restored:
    manifest: Manifest
    revision: str  # the schema after the restore (this program's)
    cases: int = 0
    differences: list[tuple[int, str]] = field(default_factory=list)  # (case id, what differs)


def default_name(now: datetime) -> str:
    """``pathways-20261207T013000Z.tar``: the UTC time of ``now``, so names sort as times do."""
    return f"pathways-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.tar"


def backup(engine: Engine, to: Path, clock: Clock) -> Manifest:
    """A consistent snapshot of the store of ``engine`` written to ``to`` (a tar file, made under another
    name beside it and renamed when complete: a killed backup leaves no file that looks whole); ``clock``
    dates the manifest."""
    backend = engine.url.get_backend_name()
    if backend not in PAYLOADS:
        raise BackupError(f"cannot back up a {backend} store")
    to.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=to.parent, prefix=".backup-") as folder:
        payload = Path(folder) / PAYLOADS[backend]
        revision, counts = _sqlite_snapshot(engine, payload) if backend == "sqlite" else _pg_snapshot(engine, payload)
        digest, size = _digest(payload)
        made = clock.now().astimezone(UTC).isoformat(timespec="seconds")
        manifest = Manifest(backend, revision, counts, digest, size, made, package_version("pathways"))
        partial = Path(folder) / to.name
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest.as_json(), indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(clock.now().timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            archive.add(payload, arcname=payload.name)
        os.chmod(partial, 0o600)  # personal data: the owner only
        os.replace(partial, to)
    return manifest


def _sqlite_snapshot(engine: Engine, payload: Path) -> tuple[str, dict[str, int]]:
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("cannot back up an in-memory SQLite store")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(payload)
    try:
        source.backup(target)  # pages=-1: every page in one step, one read transaction (WAL: writers go on)
    finally:
        source.close()
    try:
        return _sqlite_revision(target), _sqlite_counts(target)
    finally:
        target.close()


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows per table of a SQLite file (the snapshot's, or the restored copy's)."""
    tables = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _sqlite_revision(connection: sqlite3.Connection) -> str:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError("the store is not initialised (no schema revision); run 'pathways init'") from None
    if row is None:
        raise BackupError("the store is not initialised (no schema revision); run 'pathways init'")
    return str(row[0])


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client tools of the server's major "
                          f"version or newer (Debian: apt-get install postgresql-client)")
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL for the PostgreSQL tools, and the environment with its password (not on the
    command line, where every user of the machine sees it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[0] if detail else f'exit status {done.returncode}'}")


def _pg_snapshot(engine: Engine, payload: Path) -> tuple[str, dict[str, int]]:
    dump = _tool("pg_dump")
    dsn, env = _libpq(engine.url)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision, counts = _revision_and_counts(connection)
            # the dump sees the snapshot this transaction exported, held until the dump is done
            _run([dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={payload}", f"--dbname={dsn}"], env, "pg_dump")
    return revision, counts


def _revision_and_counts(connection: Connection) -> tuple[str, dict[str, int]]:
    tables = sorted(inspect(connection).get_table_names())
    if "alembic_version" not in tables:
        raise BackupError("the store is not initialised (no schema revision); run 'pathways init'")
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    return str(revision), {t: connection.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables}


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_manifest(file: Path) -> Manifest:
    """The manifest of the backup ``file``, checked for what can be checked without the payload."""
    with _archive(file) as archive:
        return _manifest(archive, file)


@contextmanager
def _archive(file: Path) -> Iterator[tarfile.TarFile]:
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    try:
        with tarfile.open(file, "r:") as archive:
            yield archive
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{file}: not a pathways backup, or truncated ({exc})") from None


def _manifest(archive: tarfile.TarFile, file: Path) -> Manifest:
    try:
        member = archive.extractfile(MANIFEST)
        raw = json.loads(member.read()) if member is not None else None
        manifest = Manifest(**raw) if isinstance(raw, dict) else None
    except KeyError:
        raise BackupError(f"{file}: not a pathways backup (no {MANIFEST})") from None
    except (ValueError, TypeError, tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{file}: the manifest cannot be read ({exc})") from None
    if manifest is None or not isinstance(manifest.counts, dict):
        raise BackupError(f"{file}: the manifest cannot be read (not an object)")
    if manifest.format != FORMAT:
        raise BackupError(f"{file}: backup format {manifest.format}; this program reads format {FORMAT}")
    if manifest.backend not in PAYLOADS:
        raise BackupError(f"{file}: a backup of a {manifest.backend} store, which pathways does not support")
    known = {s.revision for s in _scripts().walk_revisions()}
    if manifest.revision not in known:
        raise BackupError(f"{file}: made with schema revision {manifest.revision}, which this program does not "
                          f"know (a newer pathways made it; this one's newest is {_scripts().get_current_head()}): "
                          "restore it with that version or newer")
    return manifest


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def restore(file: Path, into: str, progress: Callable[[str], None] = lambda _: None) -> Restored:
    """Restore the backup ``file`` into the empty store at ``into`` (a database URL), upgrade its schema and
    verify it (counts, then every case rebuilt from its events). Refuses, with the target untouched, a
    file that is not a whole backup of this program's or older schema, of the other backend, and a
    target that is not empty."""
    url = make_url(database_url(into))
    backend = url.get_backend_name()
    with _archive(file) as archive:
        manifest = _manifest(archive, file)
        if manifest.backend != backend:
            raise BackupError(f"{file} is a backup of a {manifest.backend} store; it cannot be restored into "
                              f"{backend} ({url.render_as_string(hide_password=True)})")
        _refuse_unless_empty(url)
        with tempfile.TemporaryDirectory(dir=_work_dir(url), prefix=".restore-") as folder:
            payload = Path(folder) / PAYLOADS[backend]
            progress("reading the backup")
            _extract(archive, file, manifest, payload)
            if backend == "sqlite":
                return _restore_sqlite(payload, url, manifest, progress)
            return _restore_pg(payload, url, manifest, progress)


def _work_dir(url: URL) -> Path | None:
    """Where the payload is unpacked: beside a SQLite target (the same file system: the last step is a
    rename), else the system's temporary folder."""
    if url.get_backend_name() == "sqlite" and url.database:
        folder = Path(url.database).resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return None


def _extract(archive: tarfile.TarFile, file: Path, manifest: Manifest, payload: Path) -> None:
    try:
        member = archive.getmember(payload.name)
        source = archive.extractfile(member)
    except KeyError:
        raise BackupError(f"{file}: the backup has no {payload.name}") from None
    if source is None:
        raise BackupError(f"{file}: {payload.name} is not a file")
    digest, size = hashlib.sha256(), 0
    try:
        with payload.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{file}: truncated or unreadable ({exc})") from None
    if size != manifest.size or digest.hexdigest() != manifest.sha256:
        raise BackupError(f"{file}: the data does not match its manifest ({size} of {manifest.size} bytes, "
                          "checksum differs): the file is corrupt or truncated")


def _refuse_unless_empty(url: URL) -> None:
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("restore into a SQLite file: sqlite:////absolute/path/pathways.db")
        path = Path(url.database)
        if path.exists() and path.stat().st_size > 0:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
                try:
                    tables = connection.execute(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                except sqlite3.DatabaseError:
                    raise BackupError(f"{path} exists and is not an empty store; restore into a new file") from None
            if tables:
                raise BackupError(f"the store at {shown} is not empty ({tables} tables); restore into an empty one")
        return
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
    except Exception as exc:
        raise BackupError(f"cannot open {shown}: {str(getattr(exc, 'orig', exc)).strip().splitlines()[0]} "
                          "(create the database first: createdb NAME)") from None
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"the store at {shown} is not empty ({len(tables)} tables); restore into an empty database")


def _restore_sqlite(payload: Path, url: URL, manifest: Manifest, progress: Callable[[str], None]) -> Restored:
    target = Path(str(url.database))
    work = payload.with_name("restored.db")
    shutil.copyfile(payload, work)
    connection = sqlite3.connect(work)
    try:
        _compare_counts(manifest, _sqlite_counts(connection))
    finally:
        connection.close()
    engine = make_engine(f"sqlite:///{work}")
    try:
        restored = _upgrade_and_verify(engine, manifest, progress)
    finally:
        engine.dispose()
    _refuse_unless_empty(url)  # nobody made the target meanwhile
    os.replace(work, target)
    for suffix in ("-wal", "-shm"):
        leftover = work.with_name(work.name + suffix)
        if leftover.exists():
            os.replace(leftover, target.with_name(target.name + suffix))
    return restored


def _restore_pg(payload: Path, url: URL, manifest: Manifest, progress: Callable[[str], None]) -> Restored:
    tool = _tool("pg_restore")
    dsn, env = _libpq(url)
    progress("restoring into PostgreSQL")
    _run([tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", f"--dbname={dsn}",
          str(payload)], env, "pg_restore")
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            _compare_counts(manifest, _revision_and_counts(connection)[1])
        return _upgrade_and_verify(engine, manifest, progress)
    finally:
        engine.dispose()


def _compare_counts(manifest: Manifest, counts: dict[str, int]) -> None:
    differ = [f"{t}: {counts.get(t)} rows, the manifest says {n}" for t, n in sorted(manifest.counts.items())
              if counts.get(t) != n]
    if differ:
        raise BackupError("the restored rows differ from the backup's manifest: " + "; ".join(differ[:5]))


def _upgrade_and_verify(engine: Engine, manifest: Manifest, progress: Callable[[str], None]) -> Restored:
    progress("upgrading the schema")
    migrate(engine)
    with engine.connect() as connection:
        revision = str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    progress("rebuilding every case from its events")
    restored = Restored(manifest, revision)
    for case_id, difference in verify_cases(engine):
        restored.cases += 1
        if difference:
            restored.differences.append((case_id, difference))
    return restored


def verify_cases(engine: Engine, batch: int = 500) -> Iterator[tuple[int, str | None]]:
    """Every case rebuilt from its events and compared with its stored state: (case id, None when equal,
    else what differs). In batches of cases, each batch's events in one query; a definition parsed once."""
    definitions: dict[int, Any] = {}
    last = 0
    while True:
        with Session(engine) as session:
            found = list(session.exec(select(Enrolment, Participant.pseudonymised_on)
                                      .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
                                      .where(col(Enrolment.id) > last).order_by(col(Enrolment.id)).limit(batch)))
            if not found:
                return
            last = found[-1][0].id or last
            # a pseudonymised person's cases are counts only (the retention policy removed their events)
            cases = [case for case, pseudonymised in found if pseudonymised is None]
            ids = [c.id for c in cases]
            events: dict[int, list[Event]] = {i: [] for i in ids if i is not None}
            for event in session.exec(select(Event).where(col(Event.enrolment_id).in_(ids))
                                      .order_by(col(Event.enrolment_id), col(Event.sequence))):
                events[event.enrolment_id].append(event)
            for case in cases:
                assert case.id is not None
                history = events[case.id]
                if not history:
                    yield case.id, "no events"
                    continue
                for vid in versions_of(case.pathway_version_id, history) - definitions.keys():
                    definitions[vid] = definition_of(session, vid)
                try:
                    rebuilt = replayed(history, definitions, case.pathway_version_id)
                except Exception as exc:
                    yield case.id, f"its events do not replay ({type(exc).__name__})"
                    continue
                stored = CaseState.model_validate_json(case.state)
                yield case.id, None if rebuilt == stored else _first_difference(rebuilt, stored)


def _first_difference(rebuilt: CaseState, stored: CaseState) -> str:
    a, b = rebuilt.model_dump(mode="json"), stored.model_dump(mode="json")
    keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    return "rebuilt state differs from the stored one in " + ", ".join(keys)


def backup_into(engine: Engine, clock: Clock, to: Path | None = None, keep: int | None = None
                ) -> tuple[Path, Manifest, list[Path]]:
    """A backup to ``to``, else to a new file of the default name in :func:`backup_dir`; then, with ``keep``,
    all but the newest ``keep`` of its folder removed. The file, its manifest and the files removed."""
    target = to or backup_dir() / default_name(clock.now())
    manifest = backup(engine, target, clock)
    return target, manifest, prune(target.parent, keep) if keep else []


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups with the default name in ``folder``; the ones removed."""
    if keep < 1:
        raise BackupError(f"keep at least one backup, not {keep}")
    found = sorted((p for p in folder.glob("pathways-*.tar") if NAME.match(p.name)), key=lambda p: p.name)
    gone = found[:-keep]
    for path in gone:
        path.unlink()
    return gone
