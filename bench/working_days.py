"""Benchmark: Norwegian working-day arithmetic (pathways.calendar).

Prints the cost per call of add_working_days and working_days_between for small and large counts,
and the ratio to a plain day-by-day loop (above 1.0 means the arithmetic is that many times faster).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pathways.calendar import add_working_days, is_working_day, working_days_between  # noqa: E402


def loop_add(start: date, n: int) -> date:
    step, d, left = timedelta(days=1 if n > 0 else -1), start, abs(n)
    while left:
        d += step
        left -= is_working_day(d)
    return d


def per_call(fn, cases: list[tuple[date, int]]) -> float:
    start = time.perf_counter()
    for d, n in cases:
        fn(d, n)
    return (time.perf_counter() - start) / len(cases)


def main() -> None:
    rng = random.Random(1)
    days = [date(2000, 1, 1) + timedelta(days=rng.randrange(365 * 60)) for _ in range(2000)]
    add_working_days(date(1990, 1, 1), 25_000)  # fill the per-year holiday cache
    for label, top in (("n in ±20", 20), ("n in ±400", 400), ("n in ±5000", 5000)):
        cases = [(d, rng.randint(-top, top)) for d in days]
        fast = per_call(add_working_days, cases)
        slow = per_call(loop_add, cases[:200])
        print(f"add_working_days {label:<12} {fast * 1e6:8.1f} µs/call   day loop {slow * 1e6:9.1f} µs/call"
              f"   ratio {slow / fast:7.1f}")
    pairs = [(d, rng.randint(-10_000, 10_000)) for d in days]
    between = per_call(lambda d, k: working_days_between(d, d + timedelta(days=k)), pairs)
    print(f"working_days_between, spans up to ±27 years {between * 1e6:8.1f} µs/call")


if __name__ == "__main__":
    main()
