"""Benchmark: growth. The nightly sweep's time and peak memory at 10 000, 100 000 and 300 000 participants on
SQLite and PostgreSQL (issue 16, target 6: time linear in the participants, memory flat, as the sweep reads in
streamed chunks). Prints a Markdown table for the README.

For each size and backend, a fresh store gets ``pathways demo --participants N``; then the sweep runs three
times, each in a process of its own (`run_checks`, the sweep in one process: the reference the nightly flow's
partitions equal), and the table shows the range of the wall time and the largest peak resident memory
of the process of the sweep (`ru_maxrss` of the children).

    python bench/scale.py [--sizes 10000,100000,300000]
                          [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHWAYS = str(Path(sys.executable).with_name("pathways"))
SWEEP = """
import json, resource, sys, time
from datetime import date
from pathways.checks.sweep import run_checks
from pathways.store.database import make_engine
engine = make_engine(sys.argv[1])
started = time.perf_counter()
run_checks(engine, date.today())
seconds = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": max(own, children)}))
"""


def _sweeps(url: str, runs: int) -> tuple[list[float], float]:
    times, peak = [], 0.0
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", SWEEP, url], cwd=ROOT, capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        times.append(figures["seconds"])
        peak = max(peak, figures["peak_mb"])
    return times, peak


def _store(url: str, participants: int) -> float:
    env = {**os.environ, "PATHWAYS_DATABASE_URL": url}
    subprocess.run([PATHWAYS, "init", "--definitions", str(ROOT / "definitions")], env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    subprocess.run([PATHWAYS, "demo", "--participants", str(participants)], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _postgres(admin_url: str, name: str) -> str:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    from pathways.store.database import database_url
    admin = create_engine(database_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--postgres", default=None, help="an admin URL (its server gets scratch databases)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            backends = [("SQLite", f"sqlite:///{Path(folder) / f'scale{n}.db'}")]
            if args.postgres:
                backends.append(("PostgreSQL", _postgres(args.postgres, f"pathways_scale_{n}")))
            for name, url in backends:
                made = _store(url, n)
                times, peak = _sweeps(url, args.runs)
                rows.append((n, name, made, min(times), max(times), peak))
                print(f"{name} {n:,}: demo {made:.0f} s; sweep {min(times):.2f}–{max(times):.2f} s, "
                      f"peak {peak:.0f} MB; {1e6 * min(times) / n:.1f} µs per participant", flush=True)
    print("\n| participants | backend | sweep (3 runs) | µs per participant | peak memory |")
    print("|---|---|---|---|---|")
    for n, name, _made, low, high, peak in rows:
        print(f"| {n:,} | {name} | {low:.2f}–{high:.2f} s | {1e6 * low / n:.1f} | {peak:.0f} MB |".replace(",", " "))


if __name__ == "__main__":
    main()
