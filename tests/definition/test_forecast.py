"""forecast: a seeded synthetic cohort through a definition gives outcome shares, time to each outcome and
where income gaps appear; a changed document gives changed figures."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from pathways.definition.catalogue import load_catalogue
from pathways.definition.forecast import MAX_VISITS, forecast
from pathways.definition.loader import Definition, load_text
from pathways.definition.periods import DAYS_PER_MONTH, describe_days
from pathways.definition.schema import Pathway, StepKind
from tests.conftest import DEFINITIONS, yaml_doc

CATALOGUE = load_catalogue([DEFINITIONS])
INTRO_TEXT = (DEFINITIONS / "introduksjonsprogram.yaml").read_text(encoding="utf-8")
INTRO = CATALOGUE.get("introduksjonsprogram")


def edit_step(text: str, step_id: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` inside the block of top-level step ``step_id`` only."""
    start = text.index(f"\n  - id: {step_id}\n")
    end = text.index("\n  - id: ", start + 1)
    block = text[start:end]
    assert block.count(old) == 1, f"'{old}' is not once in step {step_id}"
    return text[:start] + block.replace(old, new) + text[end:]


def longest_possible_days(pathway: Pathway) -> float:
    """A sane ceiling: every step (and every module) at its longest, each entered ``MAX_VISITS`` times."""
    total = 0.0
    for step in pathway.all_steps().values():
        durations = [step.duration] if step.duration else [m.duration for m in step.modules if m.duration]
        total += sum((d.max or d.expected).approx_days for d in durations)
    return MAX_VISITS * total


def shortest_possible_days(definition: Definition, outcome: str) -> float:
    """A floor for a pathway without parallel steps: the path to ``outcome`` with every step at its shortest."""
    steps = definition.pathway.all_steps()

    def shortest(step_id: str) -> float:
        duration = steps[step_id].duration
        return 0.0 if duration is None else (duration.min or duration.expected).approx_days

    return nx.shortest_path_length(definition.graph.graph, definition.pathway.start, outcome,
                                   weight=lambda u, v, data: shortest(u))


@pytest.mark.parametrize("pathway_id", sorted(CATALOGUE.definitions))
def test_every_participant_ends_in_an_outcome_within_sane_bounds(pathway_id):
    definition = CATALOGUE.get(pathway_id)
    result = forecast(definition, cohort=300)
    outcomes = {s.id for s in definition.pathway.steps if s.kind == StepKind.outcome}
    assert sum(o.share for o in result.outcomes) == pytest.approx(1.0)
    assert {o.id for o in result.outcomes} <= outcomes
    assert {o.id for o in result.outcomes} | set(result.unreached) == outcomes
    ceiling = longest_possible_days(definition.pathway)
    for o in result.outcomes:
        assert 0 <= o.p10_days <= o.median_days <= o.p90_days <= ceiling, o


def test_time_to_each_outcome_lies_between_the_shortest_path_and_the_ceiling():
    result = forecast(INTRO)
    assert {o.id for o in result.outcomes} >= {"arbeid", "utdanning", "nav_tiltak", "avbrutt", "ikke_rett"}
    for o in result.outcomes:
        assert shortest_possible_days(INTRO, o.id) <= o.p10_days, o.id
    arbeid = next(o for o in result.outcomes if o.id == "arbeid")
    # at the least: mapping, decision, plan, the short band, the final phase and the certificate
    assert arbeid.p10_days > 3 * DAYS_PER_MONTH
    assert arbeid.p90_days < longest_possible_days(INTRO.pathway)


def test_the_same_seed_gives_the_same_forecast_and_another_seed_another():
    first, again = forecast(INTRO, cohort=300, seed=7), forecast(INTRO, cohort=300, seed=7)
    assert first.as_json() == again.as_json()
    assert forecast(INTRO, cohort=300, seed=8).as_json() != first.as_json()


def test_a_longer_step_on_every_path_lengthens_the_time_to_every_outcome():
    # kartlegging 2 weeks – 2 months becomes 6–10 months: with the same seed every participant takes
    # the same branches and at least 4 months longer
    longer = load_text(edit_step(INTRO_TEXT, "kartlegging", "duration: {min: P2W, expected: P6W, max: P2M}",
                                 "duration: {min: P6M, expected: P8M, max: P10M}"), "longer.yaml")
    before, after = forecast(INTRO), forecast(longer)
    assert [(o.id, o.share) for o in after.outcomes] == [(o.id, o.share) for o in before.outcomes]
    old = {o.id: o.median_days for o in before.outcomes}
    for o in after.outcomes:
        assert o.median_days >= old[o.id] + 4 * DAYS_PER_MONTH - 1e-6, o.id


def test_a_step_left_without_livelihood_is_a_gap_for_everyone_who_passes_it():
    assert [s.id for s in forecast(INTRO).gaps.steps] == []
    assert "kartlegging" in [s.id for s in forecast(INTRO).fallback.steps]  # social assistance only
    text = edit_step(INTRO_TEXT, "kartlegging", "livelihood: [sosialhjelp]", "livelihood: []")
    # the short band: half the cohort gets a programme (vedtak), a third of those the short band
    text = edit_step(text, "program_kort", "livelihood: [introduksjonsstonad]", "livelihood: [ingen]")
    result = forecast(load_text(text, "gap.yaml"))
    gaps = {s.id: s for s in result.gaps.steps}
    assert set(gaps) == {"kartlegging", "program_kort"}
    assert gaps["kartlegging"].share == 1.0
    assert 14 <= gaps["kartlegging"].median_days <= 61  # P2W – P2M
    assert gaps["program_kort"].share == pytest.approx(1 / 6, abs=0.04)
    assert 42 <= gaps["program_kort"].median_days <= 92  # P6W – P3M
    assert result.gaps.share == 1.0
    assert "kartlegging" not in [s.id for s in result.fallback.steps]


PARALLEL = yaml_doc("""
    livelihood: [introduksjonsstonad]
    start: opplaering
    steps:
      - id: opplaering
        kind: parallel
        title: Opplæring
        next: slutt
        regions:
          - id: praksis
            title: Praksis
            start: ulonnet
            steps:
              - {id: ulonnet, kind: activity, title: Ulønnet praksis, duration: {expected: P3M}, livelihood: [ingen],
                 next: praksis_ferdig}
              - {id: praksis_ferdig, kind: milestone, title: Praksis ferdig, final: true}
          - id: teori
            title: Teori
            start: kurs
            steps:
              - {id: kurs, kind: activity, title: Kurs, duration: {expected: P1M}, livelihood: [tiltakspenger],
                 next: kurs_ferdig}
              - {id: kurs_ferdig, kind: milestone, title: Kurs ferdig, final: true}
      - {id: slutt, kind: outcome, outcome: work, title: I arbeid}
    """)


def test_a_parallel_step_lasts_as_its_slowest_region_and_regions_still_running_cover_each_other():
    result = forecast(load_text(PARALLEL), cohort=50)
    (slutt,) = result.outcomes
    assert (slutt.share, slutt.median_days) == (1.0, pytest.approx(3 * DAYS_PER_MONTH))
    # the course pays for the first month of the unpaid practice; the two months after it are a gap
    (gap,) = result.gaps.steps
    assert (gap.id, gap.share, gap.median_days) == ("ulonnet", 1.0, pytest.approx(2 * DAYS_PER_MONTH))
    assert result.gaps.median_days == pytest.approx(2 * DAYS_PER_MONTH)


def modules_doc(options: str) -> str:
    return yaml_doc(f"""
        start: moduler
        steps:
          - id: moduler
            kind: modules
            title: Moduler
            {options}
            modules:
              - {{id: m1, title: M1, duration: {{expected: P3M}}}}
              - {{id: m2, title: M2, duration: {{expected: P4M}}}}
              - {{id: m3, title: M3, duration: {{expected: P5M}}, required: false}}
            next: slutt
          - {{id: slutt, kind: outcome, outcome: work, title: Slutt}}
        """)


@pytest.mark.parametrize(("options", "months"), [
    ("", 4),  # the required modules side by side: the longest
    ("max_concurrent: 1", 7),  # one at a time: the sum of the required ones
    ("join: {at_least: 3}", 5),  # all three, side by side
])
def test_a_module_set_lasts_until_its_last_module_is_done(options, months):
    (slutt,) = forecast(load_text(modules_doc(options)), cohort=20).outcomes
    assert slutt.median_days == pytest.approx(months * DAYS_PER_MONTH)


def test_a_retake_is_taken_at_most_once_more():
    definition = load_text(yaml_doc("""
        start: prove
        steps:
          - id: prove
            kind: activity
            title: Prøve
            duration: {expected: P1M}
            on:
              - {event: fullfort, to: prove, guard: "age > 40"}
              - {event: fullfort, to: slutt}
          - {id: slutt, kind: outcome, outcome: education, title: Slutt}
        """))
    (slutt,) = forecast(definition, cohort=400).outcomes
    assert (slutt.p10_days, slutt.p90_days) == (pytest.approx(DAYS_PER_MONTH), pytest.approx(2 * DAYS_PER_MONTH))


def test_json_and_norwegian_text():
    result = forecast(load_text(PARALLEL), cohort=10)
    data = json.loads(json.dumps(result.as_json()))
    assert data["outcomes"] == [{
        "id": "slutt", "title": "I arbeid", "outcome": "work", "share": 1.0, "p10_days": 91.3,
        "median_days": 91.3, "p90_days": 91.3, "livelihood": ["introduksjonsstonad"]}]
    assert data["gaps"]["steps"] == [{"id": "ulonnet", "title": "Ulønnet praksis", "share": 1.0, "median_days": 60.9}]
    lines = result.lines()
    three = describe_days(3 * DAYS_PER_MONTH)
    assert f"  I arbeid: 100 % av kohorten, median {three} (p10 {three} – p90 {three})" in lines
    assert "  Ulønnet praksis (ulonnet): 100 % av kohorten, median 2 mnd" in lines
    assert "Bare økonomisk sosialhjelp: ingen i kohorten" in lines


def test_a_cohort_needs_participants():
    with pytest.raises(ValueError, match="at least 1"):
        forecast(INTRO, cohort=0)


def test_a_thousand_participants_on_the_largest_pathway_all_reach_an_outcome():
    """The whole cohort is accounted for; how long it takes is measured by bench/forecast.py."""
    result = forecast(INTRO, cohort=1000)
    assert result.cohort == 1000
    assert sum(o.share for o in result.outcomes) == pytest.approx(1.0)
