"""Benchmark: load + validate the catalogue, and a generated 500-step pathway; render it.

Targets (issue 2): catalogue < 1 s in total; 500 steps load + validate < 200 ms, render < 2 s.
Prints each figure with its ratio to the target (below 1.0 is within target).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._timing import timed  # noqa: E402
from bench.generate import large_pathway  # noqa: E402
from pathways.definition.catalogue import load_catalogue  # noqa: E402
from pathways.definition.loader import load_text  # noqa: E402
from pathways.definition.render import render  # noqa: E402


def report(name: str, seconds: float, target: float) -> None:
    print(f"{name:<48} {seconds * 1000:9.1f} ms   target {target * 1000:7.0f} ms   ratio {seconds / target:5.2f}")


def main() -> None:
    seconds, catalogue = timed(lambda: load_catalogue([ROOT / "definitions"]), 5)
    steps = sum(len(d.graph.placed) for d in catalogue.definitions.values())
    print(f"catalogue: {len(catalogue.definitions)} pathways, {steps} steps, {len(catalogue.problems)} problems")
    report("load + validate whole catalogue (median of 5)", seconds, 1.0)

    text = large_pathway(500)
    seconds, definition = timed(lambda: load_text(text, "stor.yaml"), 5)
    print(f"generated: {len(definition.graph.placed)} steps, {len(text.splitlines())} lines, "
          f"{len(definition.pathway.deadlines)} deadlines")
    report("500-step pathway: load + validate (median of 5)", seconds, 0.2)
    seconds, svg = timed(lambda: render(definition, "svg"), 3)
    report(f"500-step pathway: render SVG, {len(svg) // 1024} kB (median of 3)", seconds, 2.0)


if __name__ == "__main__":
    main()
