"""Benchmark: migrating running cases to a new pathway version (issue 6: 10 000 cases in under 60 s on
PostgreSQL; issue 16: in 20 s).

The store is a copy of a ``pathways demo --participants 100000`` database (PostgreSQL: ``CREATE DATABASE
… TEMPLATE``; SQLite: a file copy), so the demo store is never changed. Version 2 of the
introduksjonsprogram is the 2025 revision (maks_varighet_vgo 3 → 4 years) with the upper-secondary
band's step renamed (program_vgo → program_videregaende, so the mapping has work to do) and the NAV
dialogue 4 months before the end. The run migrates the first ``--cases`` running cases: a dry run,
then the real run (50 cases per transaction, each case row guarded on its own).

    python bench/migration.py --url postgresql://postgres@127.0.0.1:5432/demo100k
    python bench/migration.py --url sqlite:////tmp/demo100k.db
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from pathways.engine.migration import StepMapping  # noqa: E402
from pathways.services import authoring  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.store.database import database_url, make_engine, migrate  # noqa: E402


def version_2() -> str:
    doc = (ROOT / "definitions" / "introduksjonsprogram.yaml").read_text(encoding="utf-8")
    doc = re.sub(r"(?m)^version: 1$", "version: 2", doc)
    doc = re.sub(r"(maks_varighet_vgo:\n    type: duration\n    default: )P3Y", r"\1P4Y", doc)
    doc = re.sub(r"(nav_dialog_for_slutt:\n    type: duration\n    default: )P3M", r"\1P4M", doc)
    return re.sub(r"\bprogram_vgo\b", "program_videregaende", doc)


def copy_store(url: str) -> str:
    if url.startswith("sqlite"):
        source = url.removeprefix("sqlite:///")
        target = source.removesuffix(".db") + "-migration.db"
        shutil.copyfile(source, target)
        return "sqlite:///" + target
    base, _, name = url.rpartition("/")
    admin = create_engine(database_url(base + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}_migration"))
        connection.execute(text(f"CREATE DATABASE {name}_migration TEMPLATE {name}"))
    admin.dispose()
    return f"{base}/{name}_migration"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    url = copy_store(args.url)
    print(f"copied the store in {time.perf_counter() - started:.1f} s → {url}")
    engine = make_engine(url)
    migrate(engine)
    ctx = Context(engine, actor=Actor.system("bench"))
    authoring.publish(ctx, version_2(), "benchmark: 2025-revisjonen")
    mapping = StepMapping({"program_vgo": "program_videregaende"})
    on = date.today()
    t = time.perf_counter()
    dry = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, mapping, dry_run=True, limit=args.cases, on=on)
    dry_s = time.perf_counter() - t
    t = time.perf_counter()
    real = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, mapping, limit=args.cases, on=on)
    real_s = time.perf_counter() - t
    kept = sum(1 for p in real.moved if p.kept)
    renamed = sum(1 for p in real.moved if any(a != b for a, b in p.steps.items()))
    backend = url.split(":", 1)[0]
    n = len(real.moved) + len(real.refused)
    print(f"\n{backend}: {n:,} running cases of introduksjonsprogram@1 → @2 (target: 10 000 in ≤ 20 s on "
          "PostgreSQL, issue 16)")
    print(f"dry run      {dry_s:7.1f} s  {len(dry.moved):,} would move, {len(dry.refused):,} cannot")
    print(f"migration    {real_s:7.1f} s  {len(real.moved):,} moved ({renamed:,} to a renamed step, {kept:,} keeping "
          f"deadlines), {len(real.refused):,} cannot; {n / real_s:,.0f} cases/s; ratio to target "
          f"{real_s / 20 * 10_000 / max(n, 1):.2f}")
    for case_id, why in real.refused[:3]:
        print(f"  cannot move case {case_id}: {why}")
    engine.dispose()


if __name__ == "__main__":
    main()
