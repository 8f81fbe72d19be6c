"""Benchmark: backup and restore of a demo store (issue 17: a backup of 100 000 participants in ≤ 30 s on
SQLite). Three backups of the store at ``--url`` (one after the other, each a whole new file), then one
restore of the last into a fresh store, with its verification (every case rebuilt from its events).

    python bench/backup.py --url sqlite:////work/stores/demo100k.db
    python bench/backup.py --url postgresql://postgres@127.0.0.1:5432/demo100k
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from pathways.calendar import SystemClock  # noqa: E402
from pathways.services.backup import backup, restore  # noqa: E402
from pathways.store.database import database_url, make_engine  # noqa: E402
from pathways.store.tables import Enrolment, Participant  # noqa: E402

TARGET = 30.0  # seconds, for 100 000 participants on SQLite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-restore", action="store_true")
    args = parser.parse_args()
    engine = make_engine(args.url)
    with engine.connect() as connection:
        people = connection.execute(select(func.count()).select_from(Participant)).scalar_one()
        cases = connection.execute(select(func.count()).select_from(Enrolment)).scalar_one()
    backend = engine.url.get_backend_name()
    print(f"store: {engine.url.render_as_string()} — {people:,} participants, {cases:,} cases")
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as folder:
        times = []
        for run in range(args.runs):
            file = Path(folder) / f"run{run}.tar"
            start = time.perf_counter()
            manifest = backup(engine, file, SystemClock())
            times.append(time.perf_counter() - start)
            if run < args.runs - 1:
                file.unlink()
        scaled = TARGET * people / 100_000
        print(f"backup ({manifest.size / 1e6:,.0f} MB, {sum(manifest.counts.values()):,} rows), {args.runs} runs: "
              f"{min(times):.2f}–{max(times):.2f} s   target {scaled:.1f} s (30 s per 100 000)   "
              f"ratio {min(times) / scaled:.2f}–{max(times) / scaled:.2f}")
        if args.no_restore:
            return
        if backend == "sqlite":
            into = f"sqlite:///{Path(folder) / 'restored.db'}"
            start = time.perf_counter()
            done = restore(file, into)
            print(f"restore with verification ({done.cases:,} cases rebuilt, {len(done.differences)} differ): "
                  f"{time.perf_counter() - start:.2f} s")
            return
        name = f"bench_restore_{uuid.uuid4().hex[:8]}"
        admin = create_engine(database_url(args.url), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            into = engine.url.set(database=name).render_as_string(hide_password=False)
            start = time.perf_counter()
            done = restore(file, into)
            print(f"restore with verification ({done.cases:,} cases rebuilt, {len(done.differences)} differ): "
                  f"{time.perf_counter() - start:.2f} s")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    engine.dispose()


if __name__ == "__main__":
    main()
