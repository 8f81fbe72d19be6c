"""The catalogue: all twelve pathways of DOMAIN.md load, validate, render, cite their sources, and
``describe`` gives the durations the sources describe."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import pytest

from pathways.definition.catalogue import load_catalogue
from pathways.definition.describe import describe
from pathways.definition.render import render
from pathways.definition.schema import StepKind
from tests.conftest import DEFINITIONS, ROOT

# CI clones the repository with the shared folder beside it (shared/ next to the project root)
SEEDS = ROOT.parent / "shared" / "reference" / "seeds"
CATALOGUE = load_catalogue([DEFINITIONS])
DAYS_PER_MONTH = 365.25 / 12

# pathway id → (main positive outcome step, shortest and longest expected months: lower and upper bounds)
EXPECTED_MONTHS: dict[str, tuple[str, tuple[float, float], tuple[float, float]]] = {
    # from settlement: 3–6 months with upper secondary already (short band), up to 3 years + a 4th year
    "introduksjonsprogram": ("arbeid", (6, 10), (42, 52)),
    # 10.5 months, August to June (seed 003, PAI)
    "pai_renhold": ("arbeid", (10, 11), (10, 11)),
    # ½ year avklaringskurs + 1½ years school + 2 years apprenticeship ≈ 4 years, plus intake and fagprøve
    "ostfold_fagopplaering": ("fagbrev", (46, 54), (46, 54)),
    # Heimby: Supported Employment fills the 4th programme year
    "supported_employment": ("i_arbeid", (10, 13), (10, 14)),
    # five years of practice (8 700 h) before the fagprøve, theory course 2 or 3 semesters
    "praksiskandidat": ("fagbrev", (60, 72), (66, 78)),
    # a three-party contract of 12–36 months, plus entry, assessment, exam and fagprøve
    "fagbrev_pa_jobb": ("fagbrev", (14, 40), (14, 40)),
    # chosen in the 2nd programme year: course in January, placements to the autumn, then the test
    "helsehuset": ("fireaarig_lop", (12, 24), (12, 30)),
    # preparatory course, licence courses, theory and driving tests: under a year (no source figure)
    "bussjafor": ("ansatt_busselskap", (6, 12), (6, 12)),
    # one school year (Halden/Askim)
    "hoyere_utdanning_forkurs": ("kvalifisert_hoyere_utdanning", (9, 12), (9, 12)),
    # up to 2 + 1 (+1) years; the ordinary course is two years
    "jobbsjansen": ("arbeid", (18, 26), (18, 48)),
    # level-divided lower-secondary modules, one to two school years
    "kombinasjonsklasse": ("videregaende", (10, 24), (10, 36)),
    # førprosess and three phases advancing on mastery
    "trinnvis_innforing": ("i_arbeid", (6, 12), (6, 15)),
}

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
    root = ET.fromstring(render(definition, "svg"))
    texts = {t.text for t in root.iter() if t.tag.endswith("text")}
    for step in definition.pathway.all_steps().values():
        if step.kind not in (StepKind.parallel, StepKind.modules):
            assert step.title in texts, step.title


def seed_folder(seeds: Path, environ: Mapping[str, str]) -> Path:
    """``seeds`` if it is there; missing, a failure on CI (which lays out shared/ beside the repository)
    and a skip saying where it was looked for elsewhere (a clone without shared/)."""
    if not seeds.is_dir():
        if environ.get("CI"):
            pytest.fail(f"the seed documents are not at {seeds}: CI clones shared/ beside the repository")
        pytest.skip(f"the seed documents are not at {seeds} (clone shared/ beside the repository, as CI does)")
    return seeds


def test_missing_seed_documents_fail_on_ci_and_skip_elsewhere(tmp_path):
    missing = tmp_path / "shared" / "reference" / "seeds"
    with pytest.raises(pytest.fail.Exception, match=r"not at .*seeds: CI clones shared/"):
        seed_folder(missing, {"CI": "true"})
    with pytest.raises(pytest.skip.Exception, match="clone shared/ beside the repository"):
        seed_folder(missing, {})
    missing.mkdir(parents=True)
    assert seed_folder(missing, {"CI": "true"}) == missing


@pytest.mark.parametrize("pathway_id", CATALOGUE_IDS)
def test_pathway_cites_seed_lines_that_exist(pathway_id):
    pathway = CATALOGUE.get(pathway_id).pathway
    cited = [s for s in pathway.sources if s.seed and s.lines]
    assert cited, "every catalogue pathway cites a seed document with line numbers"
    seeds = seed_folder(SEEDS, os.environ)
    for source in cited:
        seed = seeds / source.seed
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
