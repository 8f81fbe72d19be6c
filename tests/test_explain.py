"""A refused guard explains itself in bokmål: which condition failed, what would meet it, what is registered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pathways.definition.loader import load_file
from pathways.explain import Labels, explain, labels_of
from pathways.guards import BOOL, CEFR, DATE, NUMBER, Guard, enum_type
from pathways.words import FACT_CHOICES, FACT_TITLES, NBSP

VOCABULARY = {
    "age": NUMBER, "norwegian_oral": CEFR, "norwegian_written": CEFR, "settlement_date": DATE, "today": DATE,
    "praksistimer": NUMBER, "resultat": enum_type(("bestatt", "ikke_bestatt")), "registered_with_nav": BOOL,
    "gender": enum_type(("female", "male", "unspecified")), "min_niva": CEFR, "naer_b1": BOOL,
}
LABELS = Labels({**FACT_TITLES, "praksistimer": "Praksistimer", "resultat": "Resultat",
                 "min_niva": "Minste norsknivå", "naer_b1": "Norsknivå svært nær B1"}, FACT_CHOICES,
                frozenset({"min_niva"}))
VALUES = {"age": 24, "norwegian_oral": "A2", "norwegian_written": "B1", "settlement_date": date(2024, 1, 15),
          "today": date(2025, 11, 1), "praksistimer": 8000, "resultat": "ikke_bestatt", "registered_with_nav": False,
          "gender": "male", "min_niva": "B1", "naer_b1": False}


def why(source: str, **overrides: object) -> list[str]:
    return explain(Guard(source, VOCABULARY), {**VALUES, **overrides}, LABELS)


class TestComparisons:
    """Each comparison says what the fact must be, in words fitting its kind, and what is registered."""

    @pytest.mark.parametrize("source, expected", [
        ("norwegian_oral >= B1", "Norsk muntlig må være B1 eller høyere; registrert er A2"),
        ("norwegian_oral > B1", "Norsk muntlig må være høyere enn B1; registrert er A2"),
        ("norwegian_written <= A2", "Norsk skriftlig må være A2 eller lavere; registrert er B1"),
        ("norwegian_written < B1", "Norsk skriftlig må være lavere enn B1; registrert er B1"),
        ("praksistimer >= 8700", f"Praksistimer må være minst 8{NBSP}700; registrert er 8{NBSP}000"),
        ("praksistimer > 9000", f"Praksistimer må være mer enn 9{NBSP}000; registrert er 8{NBSP}000"),
        ("age <= 18", "Alder må være høyst 18; registrert er 24"),
        ("age < 20", "Alder må være mindre enn 20; registrert er 24"),
        ("resultat == 'bestatt'", "Resultat må være bestått; registrert er ikke bestått"),
        ("resultat != 'ikke_bestatt'", "Resultat må være noe annet enn ikke bestått; registrert er ikke bestått"),
        ("gender == 'female'", "Kjønn må være Kvinne; registrert er Mann"),
        ("gender in ['female', 'unspecified']", "Kjønn må være en av: Kvinne, Uoppgitt; registrert er Mann"),
        ("settlement_date >= date('2025-01-01')", "Bosettingsdato må være 01.01.2025 eller senere; "
                                                  "registrert er 15.01.2024"),
        ("norwegian_oral >= min_niva", "Norsk muntlig må være B1 eller høyere; registrert er A2"),
        ("B1 <= norwegian_oral", "Norsk muntlig må være B1 eller høyere; registrert er A2"),
        ("registered_with_nav", "Registrert hos NAV må være ja; registrert er nei"),
        ("registered_with_nav == true", "Registrert hos NAV må være ja; registrert er nei"),
    ])
    def test_says_what_would_satisfy_it(self, source, expected):
        assert why(source) == [expected]

    def test_a_true_guard_has_no_reason(self):
        assert why("norwegian_written >= B1") == []

    def test_a_fact_not_registered_says_so(self):
        assert why("norwegian_oral >= B1", norwegian_oral=None) == [
            "Norsk muntlig er ikke registrert; må være B1 eller høyere"]

    def test_durations_and_date_arithmetic_in_words(self):
        assert why("today - settlement_date < years(1)") == [
            "Tiden fra bosettingsdato til hendelsesdatoen må være mindre enn 1 år; registrert er 1 år 9 mnd 17 dager"]

    def test_min_of_two_levels(self):
        assert why("min(norwegian_oral, norwegian_written) >= B1") == [
            "Den laveste av norsk muntlig og norsk skriftlig må være B1 eller høyere; registrert er A2"]

    def test_an_unknown_fact_is_named_by_its_id(self):
        guard = Guard("ekstra_runder < 2", {"ekstra_runder": NUMBER})
        assert explain(guard, {"ekstra_runder": 3}, LABELS) == ["Ekstra runder må være mindre enn 2; registrert er 3"]


class TestLogic:
    """``and`` explains each failed part; ``or`` lists the alternatives; ``not`` turns the condition round."""

    def test_and_lists_only_the_failed_parts(self):
        assert why("norwegian_written >= B1 and norwegian_oral >= B1 and registered_with_nav") == [
            "Norsk muntlig må være B1 eller høyere; registrert er A2",
            "Registrert hos NAV må være ja; registrert er nei"]

    def test_or_gives_the_alternatives(self):
        assert why("norwegian_oral >= B1 or naer_b1") == [
            "Ett av disse må være oppfylt: norsk muntlig må være B1 eller høyere; registrert er A2; "
            "eller norsknivå svært nær B1 må være ja; registrert er nei"]

    def test_not_of_a_fact(self):
        assert why("not registered_with_nav", registered_with_nav=True) == [
            "Registrert hos NAV må være nei; registrert er ja"]

    def test_not_of_a_comparison_is_its_opposite(self):
        assert why("not norwegian_written >= B1") == ["Norsk skriftlig må være lavere enn B1; registrert er B1"]

    def test_not_of_an_or_is_each_part_turned_round(self):
        assert why("not (norwegian_written >= B1 or age < 30)") == [
            "Norsk skriftlig må være lavere enn B1; registrert er B1", "Alder må være minst 30; registrert er 24"]


CATALOGUE = Path(__file__).parents[1] / "definitions"


class TestCatalogue:
    """The guards of the catalogue explain themselves with the titles their definitions give."""

    def test_praksiskandidat_recruitment(self):
        definition = load_file(CATALOGUE / "praksiskandidat.yaml")
        source = next(t.guard for s in definition.pathway.all_steps().values() for t in s.on
                      if t.guard and "naer_b1" in t.guard)
        guard = definition.compiled.guard(source)
        values = {**{n: None for n in guard.names}, "motivert_egnet": True, "registered_with_nav": True,
                  "norwegian_oral": "A2", "norwegian_written": "B1", "naer_b1": False,
                  **definition.compiled.parameters}
        reasons = explain(guard, values, labels_of(definition.pathway))
        assert len(reasons) == 1
        assert reasons[0].startswith("Ett av disse må være oppfylt: den laveste av norsk muntlig og norsk skriftlig "
                                     "må være B1 eller høyere; registrert er A2; eller norsknivå svært nær B1")

    @pytest.mark.parametrize("path", sorted(CATALOGUE.glob("*.yaml")), ids=lambda p: p.stem)
    def test_every_guard_explains_with_nothing_registered(self, path):
        definition = load_file(path)
        for step in definition.pathway.all_steps().values():
            for transition in step.on:
                if transition.guard:
                    guard = definition.compiled.guard(transition.guard)
                    reasons = explain(guard, {**definition.compiled.parameters}, labels_of(definition.pathway))
                    assert reasons and all("_" not in r for r in reasons), (transition.guard, reasons)
