"""The diff between two versions of a pathway, on the definitions alone (no store)."""

from __future__ import annotations

import re

from pathways.definition.diff import changed_steps, diff_definitions
from pathways.definition.loader import load_text
from tests.conftest import DEFINITIONS

V1 = (DEFINITIONS / "introduksjonsprogram.yaml").read_text(encoding="utf-8")


def test_a_renamed_step_a_parameter_and_the_deadline_reading_it_are_changes():
    text = re.sub(r"(?m)^version: 1$", "version: 2", V1)
    text = re.sub(r"(nav_dialog_for_slutt:\n    type: duration\n    default: )P3M", r"\1P4M", text)
    text = re.sub(r"\bprogram_vgo\b", "program_videregaende", text)
    changes = diff_definitions(load_text(V1, "v1.yaml"), load_text(text, "v2.yaml"))
    found = {(c.area, c.id, c.change): c for c in changes}
    assert ("step", "program_vgo", "removed") in found and ("step", "program_videregaende", "added") in found
    assert (found["parameter", "nav_dialog_for_slutt", "changed"].before,
            found["parameter", "nav_dialog_for_slutt", "changed"].after) == ("P3M", "P4M")
    assert "P4M" in str(found["deadline", "nav_dialog_frist", "changed"])  # its offset names the parameter
    steps = changed_steps(changes)
    assert steps["program_vgo"] == "removed" and steps["integreringsplan"] == "changed"  # a transition to it
    assert diff_definitions(load_text(V1, "a.yaml"), load_text(V1, "b.yaml")) == []
