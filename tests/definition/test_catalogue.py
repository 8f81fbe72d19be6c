"""The catalogue: all twelve pathways of DOMAIN.md load, validate, render, cite their sources, and
``describe`` gives the durations the sources describe."""

from __future__ import annotations

from pathlib import Path

import pytest

from pathways.definition.catalogue import load_catalogue
from pathways.definition.describe import describe
from pathways.definition.render import render
from pathways.definition.schema import StepKind
from tests.conftest import DEFINITIONS

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "seeds"
CATALOGUE = load_catalogue([DEFINITIONS])
DAYS_PER_MONTH = 365.25 / 12

# pathway id → (main positive outcome step, shortest and longest expected months: lower and upper bounds)
EXPECTED_MONTHS: dict[str, tuple[str, tuple[float, float], tuple[float, float]]] = {}

CATALOGUE_IDS = [
    "introduksjonsprogram", "praksiskandidat", "supported_employment", "fagbrev_pa_jobb",
    "ostfold_fagopplaering", "helsehuset", "pai_renhold", "bussjafor", "jobbsjansen",
    "hoyere_utdanning_forkurs", "kombinasjonsklasse", "trinnvis_innforing",
]


def test_the_catalogue_is_valid_and_complete():
    assert CATALOGUE.problems == []
    assert sorted(CATALOGUE.definitions) == sorted(CATALOGUE_IDS)


@pytest.mark.parametrize("pathway_id", CATALOGUE_IDS)
def test_pathway_renders_with_its_steps(pathway_id):
    definition = CATALOGUE.get(pathway_id)
    svg = render(definition, "svg").decode()
    for step in definition.pathway.steps:
        if step.kind not in (StepKind.parallel, StepKind.modules):
            assert _escaped(step.title) in svg, step.title


@pytest.mark.parametrize("pathway_id", CATALOGUE_IDS)
def test_pathway_cites_seed_lines_that_exist(pathway_id):
    pathway = CATALOGUE.get(pathway_id).pathway
    cited = [s for s in pathway.sources if s.seed and s.lines]
    assert cited, "every catalogue pathway cites a seed document with line numbers"
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not at {SEEDS}")
    for source in cited:
        seed = SEEDS / source.seed
        assert seed.is_file(), f"unknown seed {source.seed}"
        length = len(seed.read_text("utf-8", errors="replace").splitlines())
        for part in source.lines.replace(" ", "").split(","):
            last = int(part.split("-")[-1])
            assert 1 <= int(part.split("-")[0]) <= last <= length, f"{source.seed}:{part} outside 1-{length}"


@pytest.mark.parametrize("pathway_id", CATALOGUE_IDS)
def test_every_step_expects_a_livelihood_and_activities_have_durations(pathway_id):
    definition = CATALOGUE.get(pathway_id)
    info = describe(definition)
    for step in info.steps:
        if step.kind != "outcome":
            assert step.livelihood, f"{step.id} says nothing about livelihood (use [ingen] when none)"
        if step.kind == "activity":
            assert step.expected_days, f"{step.id} has no expected duration"


@pytest.mark.parametrize("pathway_id", sorted(EXPECTED_MONTHS))
def test_describe_gives_the_durations_of_the_sources(pathway_id):
    outcome, (short_lo, short_hi), (long_lo, long_hi) = EXPECTED_MONTHS[pathway_id]
    span = describe(CATALOGUE.get(pathway_id)).outcomes[outcome]
    assert short_lo <= span.shortest / DAYS_PER_MONTH <= short_hi, str(span)
    assert long_lo <= span.longest / DAYS_PER_MONTH <= long_hi, str(span)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
