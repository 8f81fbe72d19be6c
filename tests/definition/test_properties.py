"""Property: whatever a mutation does to a valid document, the loader returns a definition or the
project's DefinitionError, never another exception."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways.definition.loader import Definition, load_text
from pathways.definition.problems import DefinitionError

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "tests" / "fixtures" / "complete.yaml", *sorted((ROOT / "definitions").glob("*.yaml"))]
TEXTS = [p.read_text("utf-8") for p in SOURCES]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(["P3M", "-P1D", "B1", "next", "outcome", "age > 1",
                                                           "step:x", "__class__", "", "ingen", "parallel"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=8), inner, max_size=3), max_leaves=8)


def load_or_refuse(text: str | bytes) -> None:
    try:
        result = load_text(text, "mutant.yaml")
    except DefinitionError as exc:
        assert exc.problems, "a DefinitionError carries at least one problem"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message
        return
    assert isinstance(result, Definition)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def replace(data: Any, path: tuple, new: Any, delete: bool) -> Any:
    if not path:
        return new
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return data


# PATHWAYS_FUZZ_EXAMPLES=5000 for a long run; the default keeps the suite quick.
SETTINGS = settings(max_examples=int(os.environ.get("PATHWAYS_FUZZ_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(source=st.sampled_from(TEXTS), data=st.data())
def test_text_mutations_never_crash(source: str, data):
    lines = source.splitlines(keepends=True)
    kind = data.draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "truncate", "bytes"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[j])
    elif kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "insert":
        at = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + data.draw(st.text(max_size=5)) + lines[i][at:]
    elif kind == "truncate":
        lines = lines[:i]
    text = "".join(lines)
    if kind == "bytes":
        raw = bytearray(text.encode())
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at:at + 1] = data.draw(st.binary(min_size=1, max_size=3))
        load_or_refuse(bytes(raw))
    else:
        load_or_refuse(text)


@SETTINGS
@given(source=st.sampled_from(TEXTS), data=st.data())
def test_structure_mutations_never_crash(source: str, data):
    document = yaml.safe_load(source)
    where = data.draw(st.sampled_from(paths(document)))
    delete = bool(where) and data.draw(st.booleans())
    mutated = replace(document, where, data.draw(values), delete)
    load_or_refuse(yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False))


@SETTINGS
@given(source=st.sampled_from(TEXTS), data=st.data())
def test_renaming_a_step_id_is_caught_or_harmless(source: str, data):
    document = yaml.safe_load(source)
    ids = [p for p in paths(document) if p and p[-1] == "id" and "steps" in p]
    path = data.draw(st.sampled_from(ids))
    renamed = replace(document, path, data.draw(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)), False)
    load_or_refuse(yaml.safe_dump(renamed, allow_unicode=True, sort_keys=False))
