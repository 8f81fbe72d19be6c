"""The loader keeps positions, reads YAML 1.2 booleans, and reports every problem at once."""

from __future__ import annotations

import pytest

from pathways.definition.loader import load_text
from pathways.definition.problems import DefinitionError
from pathways.definition.schema import StepKind
from tests.conftest import yaml_doc


def test_complete_example_loads_with_every_construct(complete):
    pathway = complete.pathway
    steps = pathway.all_steps()
    assert steps["opplaering"].kind == StepKind.parallel
    assert [r.id for r in steps["opplaering"].regions] == ["teori", "arbeid"]
    assert steps["moduler"].kind == StepKind.modules
    assert steps["arbeidstrening"].final
    assert pathway.deadlines[1].offset == "-nav_varsel"
    assert pathway.lifecycle.pause is not None and pathway.lifecycle.pause.max.years == 1


def test_positions_point_at_keys_and_values(complete):
    # steps[4] is 'eksamen'; its first transition's guard sits on a known line of the fixture
    lines = complete.text.splitlines()
    line, column = complete.positions.of(("steps", 4, "on", 0, "guard"))
    assert lines[line - 1][column - 1:].startswith('"resultat ==')
    key_line, key_column = complete.positions.of(("steps", 4, "id"), key=True)
    assert lines[key_line - 1][key_column - 1:].startswith("id: eksamen")


def test_on_no_and_yes_stay_words():
    definition = load_text(yaml_doc("""
        fields:
          svar: {type: enum, title: Svar, values: [yes, no]}
        start: a
        steps:
          - id: a
            kind: activity
            title: A
            on: [{event: fullfort, to: b, guard: "svar == 'no'"}]
          - {id: b, kind: outcome, outcome: work, title: B}
        """))
    assert definition.pathway.fields["svar"].values == ("yes", "no")
    assert definition.pathway.steps[0].on[0].to == "b"


def test_all_problems_of_a_document_are_reported_together():
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            start: a
            steps:
              - {id: a, kind: activity, title: A, next: bb}
              - {id: b, kind: activity, title: B}
              - {id: c, kind: outcome, outcome: work, title: C}
            """), "many.yaml")
    kinds = sorted(p.kind for p in caught.value.problems)
    assert kinds == ["dead-end", "unknown-step", "unreachable", "unreachable"]
    assert str(caught.value).count("many.yaml:") == 4


def test_anchors_and_aliases_work_within_the_budget():
    definition = load_text(yaml_doc("""
        livelihood: &kilder [introduksjonsstonad, lonn]
        start: a
        steps:
          - {id: a, kind: activity, title: A, next: b, livelihood: *kilder}
          - {id: b, kind: outcome, outcome: work, title: B}
        """))
    assert [s.value for s in definition.pathway.steps[0].livelihood] == ["introduksjonsstonad", "lonn"]


def test_a_byte_order_mark_is_accepted():
    text = "\ufeff" + yaml_doc("""
        start: a
        steps:
          - {id: a, kind: outcome, outcome: work, title: Å være i arbeid}
        """)
    assert load_text(text.encode("utf-8")).pathway.steps[0].title == "Å være i arbeid"


@pytest.mark.parametrize("body, kind", [
    ("start: a\nsteps: {a: 1}\n", "wrong-type"),
    ("start: a\nsteps:\n  - 12\n", "wrong-type"),
    ("start: a\nsteps:\n  - {id: a, kind: outcome, outcome: work, title: [A]}\n", "wrong-type"),
    ("start: a\nsteps:\n  - {id: a, kind: outcome, outcome: work, title: A, when: 2025-02-30}\n", "yaml-syntax"),
    ("start: a\nsteps:\n  - {? [a, b] : c}\n", "yaml-syntax"),
    ("start: a\nsteps:\n  - <<: {id: a}\n", "yaml-syntax"),
])
def test_odd_shapes_are_problems(body, kind):
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc(body))
    assert kind in {p.kind for p in caught.value.problems}


def test_durations_and_guard_constants_that_can_leave_the_calendar_are_refused():
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            fields:
              slutt: {type: date, title: Slutt}
            events:
              avsluttet: {title: Avsluttet, fields: [slutt]}
            start: a
            steps:
              - id: a
                kind: activity
                title: A
                on: [{event: avsluttet, to: b, guard: "slutt + years(999999) > today"}]
              - {id: b, kind: outcome, outcome: work, title: B}
            deadlines:
              - {id: frist, title: Frist, anchor: start, offset: P99999999D}
            """), "far.yaml")
    problems = {(p.kind, p.message) for p in caught.value.problems}
    assert any(k == "guard" and "years(999999) is too long" in m for k, m in problems)
    assert any(k == "unknown-parameter" and "'P99999999D'" in m for k, m in problems)
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            parameters:
              karantene: {type: duration, default: P999999Y, title: Karantene}
            start: a
            steps:
              - {id: a, kind: outcome, outcome: work, title: A}
            """))
    assert ("wrong-type", "parameters.karantene: default 'P999999Y' is not a valid duration") in \
        {(p.kind, p.message) for p in caught.value.problems}


def test_on_breach_names_a_top_level_step_of_a_breach_deadline():
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            start: a
            steps:
              - id: a
                kind: parallel
                title: A
                next: c
                regions:
                  - {id: r1, title: R1, start: r1a, steps: [{id: r1a, kind: activity, title: R1A, final: true}]}
                  - {id: r2, title: R2, start: r2a, steps: [{id: r2a, kind: activity, title: R2A, final: true}]}
              - {id: b, kind: activity, title: B, next: c}
              - {id: c, kind: outcome, outcome: work, title: C}
            deadlines:
              - {id: inne, title: Inne, anchor: start, offset: P6M, on_breach: r1a}
              - {id: paminnelse, title: P, anchor: start, offset: P6M, kind: reminder, on_breach: b}
              - {id: en_frist_med_et_veldig_langt_navn_som_ikke_far_plass_i_hendelsen, title: L, anchor: start,
                 on_breach: b}
            """), "breach.yaml")
    found = {(p.kind, p.message.split(";")[0]) for p in caught.value.problems}
    assert found == {
        ("scope", "step 'r1a' is inside a region"),
        ("deadline", "a reminder never changes the case"),
        ("deadline", "a deadline with 'on_breach' has an id of at most 52 characters (its event is "
                     "'frist_brudd:en_frist_med_et_veldig_langt_navn_som_ikke_far_plass_i_hendelsen')"),
    }  # and 'b', reached only by a breach, is not unreachable


def test_unknown_keys_and_structure_problems_are_reported_in_one_pass():
    # the README's example: a typo of a key and an unknown step, both at once, and nothing that only
    # follows from the typo (the step is read as if 'nxt' were 'next': no dead end, nothing unreachable)
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            start: a
            steps:
              - id: a
                kind: activity
                title: A
                nxt: b
              - id: b
                kind: activity
                title: B
                on: [{event: fullfort, to: teoriprve}]
              - {id: teoriprove, kind: outcome, outcome: work, title: C}
            """), "one.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "one.yaml:10:5: unknown key 'nxt' — did you mean 'next'?",
        "one.yaml:14:32: unknown step 'teoriprve' — did you mean 'teoriprove'?",
        "one.yaml:15:10: step 'teoriprove' can never be reached from the start",  # as for any document
    ]


def test_an_unknown_key_without_a_near_name_is_left_out_and_the_structure_still_checked():
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            start: a
            farge: bla
            steps:
              - {id: a, kind: activity, title: A, next: b, fargekode: 3}
              - {id: b, kind: outcome, outcome: work, title: B}
            deadlines:
              - {id: f, title: F, anchor: step:ukjent, offset: P1M}
            """))
    assert sorted(p.kind for p in caught.value.problems) == ["unknown-key", "unknown-key", "unknown-step"]


def test_a_shape_problem_that_stops_the_structure_checks_says_how_many_wait():
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            start: a
            steps:
              - {id: a, kind: activty, title: A, next: ukjent}
              - {id: b, kind: outcome, outcome: work, title: B}
            """), "shape.yaml")
    by_kind = {p.kind: p for p in caught.value.problems}
    assert sorted(by_kind) == ["bad-value", "not-checked"]
    bad, note = by_kind["bad-value"], by_kind["not-checked"]
    assert (note.line, note.column) == (bad.line, bad.column)
    assert str(note).startswith("shape.yaml:7:19: 5 more checks (ids and names, references, guards, deadlines, "
                                "reachability, dead ends, loops and joins) run after this is fixed")


def test_deadlines_counted_from_each_other_cannot_add_up_beyond_the_calendar():
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            start: a
            steps:
              - {id: a, kind: outcome, outcome: work, title: A}
            deadlines:
              - {id: f1, title: F1, anchor: start, offset: P600Y}
              - {id: f2, title: F2, anchor: "deadline:f1", offset: P300Y}
              - {id: f3, title: F3, anchor: "deadline:f2", offset: P300Y}
            """))
    assert [(p.line, p.kind) for p in caught.value.problems] == [(11, "deadline")]  # f3; f2 (900 years) is within
    assert "'f3' and the deadlines it is counted from add up to more than 1000 years" in \
        caught.value.problems[0].message


def test_shape_problems_the_structure_checks_do_not_read_leave_them_running():
    with pytest.raises(DefinitionError) as caught:
        load_text(yaml_doc("""
            start: a
            steps:
              - {id: a, kind: activity, title: A, next: bb, duration: {expected: 3 months}}
              - {id: b, kind: activity, next: c, description: [1, 2]}
              - {id: c, kind: outcome, outcome: work, title: [C]}
            """), "mixed.yaml")
    assert sorted((p.line, p.kind) for p in caught.value.problems) == [
        (7, "unknown-step"), (7, "wrong-type"),  # the bad duration and the unknown step, on one line
        (8, "missing-key"), (8, "unreachable"), (8, "wrong-type"),  # no title, a bad description; unreachable
        (9, "unreachable"), (9, "wrong-type"),  # a title that is not text; after b, unreachable too
    ]
