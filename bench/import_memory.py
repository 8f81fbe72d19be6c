"""Benchmark: peak memory of a CSV import of participants (issue 11: a 20 MB file under 300 MB).

Writes a CSV of about ``--megabytes`` MB (distinct names, every fact column filled), imports it into a
fresh store with the same call the dashboard's import job makes, and prints the process's peak
resident memory before and after the import (``resource.getrusage``: the high-water mark of the whole
process, interpreter and libraries included), the time, and the rows written.

    python bench/import_memory.py                      # SQLite file in a temporary folder
    python bench/import_memory.py --url postgresql://postgres@127.0.0.1:5432/bench_import
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from pathways.calendar import FixedClock  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.participants import MAX_IMPORT_BYTES, import_csv  # noqa: E402
from pathways.store.database import database_url, make_engine, migrate  # noqa: E402

FIRST = ["Amina", "Yonas", "Fatima", "Olena", "Dawit", "Leyla", "Mohammed", "Sara", "Ahmad", "Nour", "Hanna", "Omar"]
LAST = ["Ali", "Haile", "Hassan", "Kovalenko", "Tesfay", "Omar", "Rahimi", "Berhe", "Yusuf", "Shevchenko"]
HEADER = "name;born;settled;kommune;gender;norwegian_oral;education_track;legal_regime;dependants\n"


def write_csv(path: Path, megabytes: float) -> int:
    """A CSV of about ``megabytes`` MB; returns its data rows. Names are distinct (a serial number)."""
    rng = random.Random(11)
    limit, rows = int(megabytes * 1_000_000), 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        written = len(HEADER)
        while True:
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
            settled = date(2019, 1, 1) + timedelta(days=rng.randrange(365 * 7))
            line = (f"{rng.choice(FIRST)} {rng.choice(LAST)} {rows:06d};{born};{settled};Asker;"
                    f"{rng.choice(['female', 'male'])};{rng.choice(['A1', 'A2', 'B1'])};spor2;integreringsloven;"
                    f"{rng.randrange(4)}\n")
            if written + len(line.encode()) > limit:
                return rows
            out.write(line)
            written += len(line.encode())
            rows += 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an empty PostgreSQL database to migrate and fill (default: a SQLite file)")
    parser.add_argument("--megabytes", type=float, default=MAX_IMPORT_BYTES / 1_000_000 - 0.01)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    csv_path = folder / "deltakere.csv"
    rows = write_csv(csv_path, args.megabytes)
    schema = f"bench_import_{folder.name[-8:].lower()}"
    if args.url:  # a schema of its own, dropped afterwards
        admin = create_engine(database_url(args.url))
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(database_url(args.url), connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    try:
        migrate(engine)
        ctx = Context(engine, FixedClock(date(2026, 11, 22)), actor=Actor.system("bench"))
        before = peak_mb()
        started = time.perf_counter()
        with csv_path.open("rb") as stream:
            ids = import_csv(ctx, stream, csv_path.name, only_kommune="Asker")
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
        if args.url:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    after = peak_mb()
    size = csv_path.stat().st_size / 1_000_000
    print(f"file: {size:.1f} MB, {rows:,} rows; imported {len(ids):,} in {seconds:.1f} s")
    print(f"peak memory (process): {before:.0f} MB before the import, {after:.0f} MB after "
          f"(target < 300 MB: ratio {after / 300:.2f})")


if __name__ == "__main__":
    main()
