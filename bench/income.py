"""Benchmark: income-securing gaps for one participant with 50 income periods.

Target (issue brief): ``income_gaps`` for one participant with 50 periods under 1 ms.
Prints the median time per call and its ratio to the target (below 1.0 is within target), and the
same figures for the companion checks for information.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._timing import timed  # noqa: E402
from pathways.income.gaps import (  # noqa: E402
    IncomePeriod,
    StepSpan,
    fallback_spans,
    income_changes,
    income_gaps,
    step_mismatches,
)

SOURCES = ("introduksjonsstonad", "tiltakspenger", "kvalifiseringsstonad", "lonn", "lonnstilskudd", "laerlinglonn",
           "sosialhjelp", "ingen")
START = date(2024, 1, 1)
AS_OF = date(2026, 6, 1)
TARGET = 0.001


def participant(count: int, seed: int = 2026) -> tuple[list[IncomePeriod], list[StepSpan]]:
    """``count`` periods over about five years: mostly back to back, some overlaps, some holes, the
    later ones planned; and a step every quarter."""
    rng = random.Random(seed)
    periods: list[IncomePeriod] = []
    day = START
    for i in range(count):
        length = rng.randint(10, 60)
        end = day + timedelta(days=length)
        periods.append(IncomePeriod(rng.choice(SOURCES), day, None if i == count - 1 else end,
                                    planned=day > AS_OF, id=i))
        day = end + timedelta(days=rng.choice((-5, 1, 1, 1, 4, 12)))
    steps = [StepSpan(f"steg_{i}", f"Steg {i}", START + timedelta(days=91 * i), START + timedelta(days=91 * i + 90),
                      (rng.choice(SOURCES[:-2]),)) for i in range(12)]
    return periods, steps


def report(name: str, seconds: float, target: float = TARGET) -> None:
    print(f"{name:<56} {seconds * 1000:7.3f} ms   target {target * 1000:5.1f} ms   ratio {seconds / target:5.2f}")


def main() -> None:
    periods, steps = participant(50)
    window = {"active_from": START, "active_to": None, "as_of": AS_OF, "horizon_days": 90}
    seconds, gaps = timed(lambda: income_gaps(periods, **window, steps=steps), 2000)
    print(f"participant: {len(periods)} periods, {len(steps)} steps, {len(gaps)} gaps")  # type: ignore[arg-type]
    report("income_gaps, 50 periods + 12 steps (median of 2000)", seconds)
    seconds, _ = timed(lambda: income_gaps(periods, **window), 2000)
    report("income_gaps, 50 periods, no steps (median of 2000)", seconds)
    seconds, _ = timed(lambda: fallback_spans(periods, **window, steps=steps), 2000)
    report("fallback_spans, 50 periods + 12 steps (median of 2000)", seconds)
    seconds, _ = timed(lambda: step_mismatches(periods, steps, as_of=AS_OF), 500)
    report("step_mismatches, 50 periods + 12 steps (median of 500)", seconds)
    seconds, _ = timed(lambda: income_changes(periods, **window), 500)
    report("income_changes, 50 periods (median of 500)", seconds)


if __name__ == "__main__":
    main()
