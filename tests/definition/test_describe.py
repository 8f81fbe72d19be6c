"""describe: time to each outcome computed on the graph, compound steps included."""

from __future__ import annotations

import pytest

from bench.generate import large_pathway
from pathways.definition.describe import describe
from pathways.definition.loader import load_text
from pathways.definition.periods import DAYS_PER_MONTH, Period
from pathways.definition.render import render
from tests.conftest import yaml_doc


def months(days: float) -> float:
    return round(days / DAYS_PER_MONTH, 2)


def test_parallel_takes_its_slowest_region_and_modules_run_side_by_side_or_in_turn(complete):
    span = describe(complete).outcomes["jobb"]
    # kartlegging 1 + max(teori 10, arbeid 12) + modules: side by side max(3, 4), in turn 3 + 4 (modul3 optional)
    assert months(span.shortest) == 1 + 12 + 4
    assert months(span.longest) == 1 + 12 + 7


def test_branches_give_shortest_and_longest_and_loops_count_once():
    definition = load_text(yaml_doc("""
        start: a
        steps:
          - id: a
            kind: decision
            title: A
            on:
              - {event: fullfort, to: kort, guard: "age < 25"}
              - {event: fullfort, to: lang}
          - {id: kort, kind: activity, title: Kort, duration: {expected: P3M}, next: prove}
          - {id: lang, kind: activity, title: Lang, duration: {expected: P1Y}, next: prove}
          - id: prove
            kind: activity
            title: Prøve
            duration: {expected: P1M}
            on:
              - {event: fullfort, to: prove, guard: "age > 40"}
              - {event: fullfort, to: slutt}
          - {id: slutt, kind: outcome, outcome: education, title: Slutt}
        """))
    span = describe(definition).outcomes["slutt"]
    assert (months(span.shortest), months(span.longest)) == (4, 13)


def test_at_least_joins_take_the_quickest_or_slowest_modules():
    definition = load_text(yaml_doc("""
        start: m
        steps:
          - id: m
            kind: modules
            title: M
            join: {at_least: 2}
            max_concurrent: 1
            modules:
              - {id: m1, title: M1, duration: {expected: P1M}}
              - {id: m2, title: M2, duration: {expected: P2M}}
              - {id: m3, title: M3, duration: {expected: P6M}}
            next: z
          - {id: z, kind: outcome, outcome: work, title: Z}
        """))
    span = describe(definition).outcomes["z"]
    assert (months(span.shortest), months(span.longest)) == (3, 8)


def test_a_generated_500_step_pathway_validates_describes_and_renders():
    definition = load_text(large_pathway(500), "stor.yaml")
    assert len(definition.graph.placed) == 500
    assert describe(definition).outcomes  # the work outcome is reached through ten parallel blocks
    assert render(definition, "svg").count(b"class=\"node\"") >= 500


@pytest.mark.parametrize("text, expected", [("P1Y6M", "1 år 6 mnd"), ("P6W", "6 uker"), ("P10D", "10 dager"),
                                            ("-P3M", "minus 3 mnd"), ("P0D", "0 dager")])
def test_periods_read_in_norwegian(text, expected):
    assert Period.parse(text).norwegian() == expected
