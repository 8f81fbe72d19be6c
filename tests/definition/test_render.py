"""Diagrams: clusters for parallel work and module sets, distinct outcomes, highlights and counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pathways.definition.render import diagram, render, to_dot


def test_model_has_a_cluster_per_compound_step_and_a_region_per_region(complete):
    model = diagram(complete)
    clusters = {c.id: c for c in model.clusters}
    assert set(clusters) == {"opplaering", "moduler"}
    assert [r.title for r in clusters["opplaering"].children] == ["Fagteori", "Arbeidstrening"]
    assert {"modul1", "modul2", "modul3"} <= set(clusters["moduler"].nodes)


def test_outcomes_are_marked_by_type_and_in_words(complete):
    model = diagram(complete)
    assert model.nodes["jobb"].style == "outcome:work"
    assert "Utfall: Arbeid" in model.nodes["jobb"].details
    assert model.nodes["avbrutt"].style == "outcome:discontinued"
    # the discontinue outcome is reachable from every step: drawn from a note, not from one step
    assert any(e.source == "__anytime" and e.target == "avbrutt" for e in model.edges)


def test_loops_and_handoffs_have_their_own_edge_style(complete):
    styles = {(e.source, e.target): e.style for e in diagram(complete).edges}
    assert styles[("eksamen", "eksamen")] == "loop"
    assert styles[("eksamen", "videre")] == "handoff"


def test_highlight_marks_the_step_without_relying_on_colour(complete):
    dot = to_dot(diagram(complete, highlight=["arbeidstrening"])).source
    line = next(ln for ln in dot.splitlines() if ln.strip().startswith("arbeidstrening "))
    assert "NÅ" in line and "penwidth=3.5" in line
    plain = to_dot(diagram(complete)).source
    assert "NÅ" not in plain


def test_counts_per_step_are_shown(complete):
    model = diagram(complete, counts={"teorikurs": 12, "modul2": 1})
    assert model.nodes["teorikurs"].count == 12
    dot = to_dot(model).source
    assert "12 deltakere" in dot and "1 deltaker<" in dot


def test_unknown_highlight_is_refused(complete):
    with pytest.raises(KeyError, match="nope"):
        diagram(complete, highlight=["nope"])


def test_svg_png_and_dot_outputs(complete):
    svg = render(complete, "svg", highlight=["vedtak"])
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "Kartlegging" in texts and "Parallelt: Opplæring" in texts and "NÅ" in texts
    assert render(complete, "png").startswith(b"\x89PNG")
    assert render(complete, "dot").startswith(b"digraph")
    with pytest.raises(ValueError, match="unknown format"):
        render(complete, "pdf")


def test_staff_diagrams_are_norwegian_only_and_the_cli_may_add_english():
    """Issue 13 item 10: no English subtitle (title_en) in the boxes; the CLI asks for them."""
    from pathways.definition.loader import load_text
    from tests.conftest import DEFINITIONS

    complete = load_text((DEFINITIONS / "introduksjonsprogram.yaml").read_text(), "introduksjonsprogram.yaml")
    english = {s.title_en for s in complete.pathway.all_steps().values() if s.title_en}
    english |= {m.title_en for s in complete.pathway.all_steps().values() for m in s.modules if m.title_en}
    assert english, "the fixture has English subtitles to leave out"
    svg = render(complete, "svg", highlight=["vedtak"]).decode()
    assert not [t for t in english if t in svg]
    assert all(t not in line for t in english for n in diagram(complete).nodes.values() for line in n.details)
    with_english = render(complete, "svg", english=True).decode()
    assert any(t in with_english for t in english)


def test_the_current_step_is_highlighted_and_findable_in_the_svg(complete):
    root = ET.fromstring(render(complete, "svg", highlight=["vedtak"]))
    groups = {g.get("id"): g for g in root.iter() if g.tag.endswith("g") and (g.get("class") or "").startswith("node")}
    assert groups["steg-vedtak"].get("class") == "node naa"  # the page's script centres on it
    assert "NÅ" in " ".join(t.text or "" for t in groups["steg-vedtak"].iter() if t.tag.endswith("text"))
    assert [i for i, g in groups.items() if "naa" in (g.get("class") or "")] == ["steg-vedtak"]
    assert "steg-kartlegging" in groups and groups["steg-kartlegging"].get("class") == "node"
