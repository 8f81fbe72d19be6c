"""Benchmark: ``pathways demo --participants N`` on a fresh SQLite file (and PostgreSQL with --postgres).

Target (issue 3): 100 000 participants in under 2 minutes on SQLite, memory under 1.5 GB. Prints the
time, the rate, and the peak resident memory of the command and of its worker processes.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHWAYS = str(Path(sys.executable).parent / "pathways")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PATHWAYS_DATABASE_URL": f"sqlite:///{folder}/demo.db"}
        subprocess.run([PATHWAYS, "init", "--definitions", str(ROOT / "definitions")], env=env, check=True,
                       capture_output=True)
        started = time.perf_counter()
        subprocess.run([PATHWAYS, "demo", "--participants", str(args.participants)], env=env, check=True,
                       capture_output=True)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size_mb = Path(folder, "demo.db").stat().st_size / 1e6
    print(f"demo --participants {args.participants}: {seconds:.1f} s (target 120 s, ratio {seconds / 120:.2f}), "
          f"{args.participants / seconds:,.0f} participants/s, database {size_mb:,.0f} MB")
    print(f"peak resident memory of the largest process: {peak_mb:,.0f} MB (target 1 500 MB, "
          f"ratio {peak_mb / 1500:.2f})")


if __name__ == "__main__":
    main()
