"""Benchmark: a forecast (prognose) of 1 000 synthetic participants on the introduction programme
(introduksjonsprogram), as tests/definition/test_forecast.py runs it.

Target (issue 7): well under a second. Prints the median of five runs with its ratio to the target
(below 1.0 is within target); nothing is asserted, so a busy machine does not fail a test run.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pathways.definition.catalogue import load_catalogue  # noqa: E402
from pathways.definition.forecast import forecast  # noqa: E402

TARGET = 1.0  # seconds for 1 000 participants


def main() -> None:
    catalogue = load_catalogue([ROOT / "definitions"])
    largest = catalogue.get("introduksjonsprogram")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        forecast(largest, cohort=1000)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    print(f"forecast {largest.pathway.id} ({len(largest.graph.placed)} steps), 1 000 participants (median of 5) "
          f"{seconds * 1000:9.1f} ms   target {TARGET * 1000:7.0f} ms   ratio {seconds / TARGET:5.2f}")


if __name__ == "__main__":
    main()
