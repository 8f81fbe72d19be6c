"""Read YAML into plain Python data and remember the line and column of every node.

PyYAML composes the document into nodes that carry their marks; we build the data from those nodes
ourselves so that we can (a) keep a position for every path, (b) refuse duplicate keys, which
PyYAML silently overwrites, and (c) stop alias bombs ("billion laughs") by counting the nodes we
expand instead of trusting the document's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from pathways.definition.problems import Problem
from pathways.messages import Text

if TYPE_CHECKING:  # the C loader has the pure one's interface
    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


class _Loader(_Base):
    """YAML 1.2 booleans: only true/false. YAML 1.1 also reads on/off/yes/no as booleans, which
    would turn the key 'on' and the Norwegian answer 'no' into True and False."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

MAX_BYTES = 1_000_000
"""The largest document we read. The biggest catalogue pathway is about 30 kB."""
MAX_NODES = 200_000
"""The most nodes a document may expand to, aliases included."""

Path = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each path of the data sits in the file: the value's node and, for mapping entries, the key."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path`` or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        for cut in range(len(path), -1, -1):
            where = table.get(path[:cut]) or self.values.get(path[:cut])
            if where:
                return where
        return (1, 1)


_STR = "tag:yaml.org,2002:str"


class _Budget(Exception):
    pass


def _where(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def read(raw: bytes | str, filename: str) -> tuple[Any, Positions, list[Problem]]:
    """Parse ``raw``; return (data, positions, problems). With problems, data is None."""

    def fail(message: str, kind: str, line: int = 1, column: int = 1) -> tuple[Any, Positions, list[Problem]]:
        return None, Positions(), [Problem(filename, line, column, message, kind)]

    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_BYTES:
        return fail(Text("file_too_big", size=f"{size:,}", limit=f"{MAX_BYTES:,}"), "too-large")
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start]
            line = before.count(b"\n") + 1
            column = exc.start - (before.rfind(b"\n") + 1) + 1
            return fail(Text("not_utf8", byte=f"0x{raw[exc.start]:02x}"), "encoding", line, column)
    else:
        text = raw
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return fail(Text("file_empty"), "empty")
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail: str = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            detail = detail + Text("yaml_tab")
        return fail(Text("invalid_yaml", detail=detail), "yaml-syntax", line, column)
    except yaml.YAMLError as exc:
        return fail(Text("invalid_yaml", detail=exc), "yaml-syntax")
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return fail(Text("no_yaml_document"), "empty")
    if len(nodes) > 1:
        line, column = _where(nodes[1])
        return fail(Text("many_yaml_documents"), "yaml-syntax", line, column)

    positions = Positions()
    problems: list[Problem] = []
    constructor = yaml.SafeLoader("")
    budget = [MAX_NODES]

    def build(node: yaml.Node, path: Path) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Budget
        positions.values.setdefault(path, _where(node))
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            first_seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    line, column = _where(key_node)
                    problems.append(Problem(filename, line, column, Text("merge_key"), "yaml-syntax"))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    line, column = _where(key_node)
                    problems.append(Problem(filename, line, column, Text("key_not_plain"), "yaml-syntax"))
                    continue
                key = key_node.value if key_node.tag == _STR else constructor.construct_object(key_node, deep=True)
                if key in first_seen:
                    line, column = _where(key_node)
                    problems.append(Problem(filename, line, column,
                                            Text("duplicate_key", key=key, line=first_seen[key]), "duplicate-key"))
                    continue
                first_seen[key] = key_node.start_mark.line + 1
                positions.keys.setdefault((*path, key), _where(key_node))
                result[key] = build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, index)) for index, item in enumerate(node.value)]
        if node.tag == _STR:
            return node.value  # the common case, without the constructor's bookkeeping
        return constructor.construct_object(node, deep=True)

    try:
        data = build(nodes[0], ())
    except _Budget:
        return fail(Text("too_many_nodes", limit=f"{MAX_NODES:,}"), "too-large")
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        return fail(Text("invalid_yaml_value", detail=exc.problem), "yaml-syntax",
                    *(mark.line + 1, mark.column + 1) if mark else (1, 1))
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp like 2025-02-30
        return fail(Text("invalid_yaml_value", detail=exc), "yaml-syntax")
    if problems:
        return None, positions, problems
    if not isinstance(data, dict):
        return fail(Text("not_a_mapping", type=type(data).__name__), "wrong-type")
    return data, positions, []


def load_validated(path: Any, model: Any, what: str) -> Any:
    """A configuration file read into the pydantic ``model``; ValueError with every problem as
    ``FILE:LINE:COL: field: what is wrong`` (``what`` names the file in an error reading it)."""
    from pathlib import Path

    from pydantic import ValidationError

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {what} {path}: {exc.strerror}") from None
    data, positions, problems = read(raw, str(path))
    if problems:
        raise ValueError("\n".join(str(p) for p in problems))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = tuple(error["loc"])
            line, column = positions.of(where, key=error["type"] == "extra_forbidden")
            lines.append(f"{path}:{line}:{column}: {'.'.join(str(p) for p in where) or 'the file'}: {error['msg']}")
        raise ValueError("\n".join(lines)) from None
