"""Load pathway documents: YAML → positions → pydantic shape → structural checks.

``load_text`` and ``load_file`` return a :class:`Definition` or raise :class:`DefinitionError` with
every problem of the document, each as ``FILE:LINE:COL: message``. Nothing else escapes: any
input, however broken, ends in one of the two.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pathways.definition import yamlpos
from pathways.definition.graph import PathwayGraph
from pathways.definition.problems import DefinitionError, Problem, did_you_mean
from pathways.definition.schema import Pathway
from pathways.definition.validation import CHECKS, check
from pathways.definition.yamlpos import Path, Positions
from pathways.messages import Text

if TYPE_CHECKING:
    from pathways.engine.machine import Compiled


@dataclass(frozen=True)
class Definition:
    """A valid pathway with the file it came from, its positions and its compiled graph."""

    pathway: Pathway
    file: str
    positions: Positions
    graph: PathwayGraph
    text: str

    @property
    def id(self) -> str:
        return self.pathway.id

    @cached_property
    def compiled(self) -> Compiled:
        """The engine's view of this definition (guards parsed, parents of nested steps, input models): built
        on first use and kept with the definition, so it lives exactly as long as the definition does."""
        from pathways.engine.machine import Compiled  # the engine builds on definitions, not the reverse

        return Compiled(self)


def load_file(path: str | FsPath) -> Definition:
    path = FsPath(path)
    try:
        size = path.stat().st_size
        if size > yamlpos.MAX_BYTES:
            raise DefinitionError([Problem(str(path), 1, 1, Text("file_too_big", size=f"{size:,}",
                                                                 limit=f"{yamlpos.MAX_BYTES:,}"), "too-large")])
        raw = path.read_bytes()
    except OSError as exc:
        raise DefinitionError([Problem(str(path), 1, 1, Text("cannot_read_definition", reason=exc.strerror),
                                       "io")]) from None
    return load_text(raw, str(path))


def load_text(raw: bytes | str, filename: str = "<text>") -> Definition:
    data, positions, problems = yamlpos.read(raw, filename)
    if problems:
        raise DefinitionError(problems)
    try:
        pathway = Pathway.model_validate(data)
    except ValidationError as exc:
        problems = _shape_problems(exc, data, positions, filename)
        repaired = _repaired(exc, data)
        if repaired is not None:  # the structure is checked as if those problems were fixed
            _, findings = check(repaired)
            problems += [_at(filename, positions, path, message, kind) for path, message, kind in findings]
        else:
            problems.append(_not_checked(problems, filename))
        raise DefinitionError(problems) from None
    except RecursionError:
        raise DefinitionError([Problem(filename, 1, 1, Text("nested_too_deeply"), "too-large")]) from None
    graph, findings = check(pathway)
    if findings:
        raise DefinitionError(_at(filename, positions, path, message, kind) for path, message, kind in findings)
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return Definition(pathway, filename, positions, graph, text)


def _at(filename: str, positions: Positions, path: Path, message: str, kind: str, *, key: bool = False) -> Problem:
    line, column = positions.of(path, key=key)
    return Problem(filename, line, column, message, kind)


# -- checking the structure of a document whose shape is wrong ---------------------------------


# Keys the structure checks read: a shape problem in one of them (or in a required key) stops them.
_STRUCTURAL = frozenset({
    "id", "start", "steps", "next", "on", "event", "to", "guard", "effects", "counter", "add", "set", "handoff",
    "pathway", "mode", "regions", "modules", "join", "at_least", "max_concurrent", "final", "kind", "outcome",
    "required", "anchor", "offset", "days", "while_in", "met_by", "done_by", "every", "on_breach", "lifecycle",
    "discontinue", "transfer", "pause", "reasons", "events", "fields", "optional_fields", "counters",
    "parameters", "roles", "owner", "role", "eligibility", "rule", "deadlines", "followups", "period",
    "percentage", "updates", "type", "values", "default", "version",
})


def _repaired(exc: ValidationError, data: Any) -> Pathway | None:
    """The document as the structure checks may read it despite its shape problems: an unknown key read as
    the key it is a close typo of ('nxt' as 'next') or else left out; a bad optional key the checks do not
    read (a step's ``duration``, a ``source``) left out; a missing or bad ``title`` read as '?'. None when a
    problem remains that the checks depend on."""
    errors = exc.errors(include_url=False)
    for rename in (True, False):
        fixed = copy.deepcopy(data)
        for error in errors:
            path = _data_path(error["loc"], data)
            if error["type"] == "too_short":
                continue  # a list emptied by its own failing items: those are repaired or not
            if error["type"] == "extra_forbidden":
                parent = _get(fixed, path[:-1])
                if not path or not isinstance(parent, dict) or path[-1] not in parent:
                    continue
                value = parent.pop(path[-1])
                close = difflib.get_close_matches(str(path[-1]), _fields_at(path[:-1]), n=1, cutoff=0.6)
                if rename and close and close[0] not in parent:
                    parent[close[0]] = value
            elif not _repair_one(fixed, path):
                return None
        try:
            return Pathway.model_validate(fixed)
        except (ValidationError, RecursionError):
            continue
    return None


def _repair_one(fixed: Any, path: Path) -> bool:
    """Leave out the nearest key at or above ``path`` (two levels at most) that is optional and not read by
    the structure checks, or read a bad title as '?'; False when neither can be done."""
    for depth in range(len(path), max(len(path) - 3, 0), -1):
        key, parent = path[depth - 1], _get(fixed, path[:depth - 1])
        if not isinstance(key, str) or key in _STRUCTURAL or not isinstance(parent, dict):
            return False
        field = _field_at(path[:depth])
        if field is None:
            return False
        if not field.is_required():
            parent.pop(key, None)
            return True
        if key == "title":
            parent[key] = "?"
            return True
    return False


def _field_at(path: Path) -> Any:
    """The pydantic field of the key at the end of ``path``, or None."""
    model = _model_at(path[:-1]) if path else None
    return model.model_fields.get(str(path[-1])) if model is not None else None


def _get(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _not_checked(problems: list[Problem], filename: str) -> Problem:
    """Where the structure checks could not run: at the first shape problem that stops them."""
    first = min((p for p in problems if p.kind != "unknown-key"), default=None, key=lambda p: (p.line, p.column))
    line, column = (first.line, first.column) if first else (1, 1)
    return Problem(filename, line, column, Text("more_checks", count=len(CHECKS), checks=list(CHECKS)), "not-checked")


# -- mapping pydantic's errors to places and words ---------------------------------------------

_KINDS = {
    "extra_forbidden": "unknown-key",
    "missing": "missing-key",
    "enum": "bad-value",
    "literal_error": "bad-value",
    "string_pattern_mismatch": "bad-id",
}


def _shape_problems(exc: ValidationError, data: Any, positions: Positions, filename: str) -> list[Problem]:
    problems = []
    errors = exc.errors(include_url=False)
    failing = {_data_path(e["loc"], data) for e in errors if e["type"] != "too_short"}
    for error in errors:
        if error["type"] == "too_short" and any(f[: len(error["loc"])] == error["loc"] for f in failing):
            continue  # a list emptied by its own failing items: the items' errors say it all
        path = _data_path(error["loc"], data)
        kind = _KINDS.get(error["type"], "wrong-type")
        message = _message(error, path)
        if error["type"] == "extra_forbidden":
            problems.append(_at(filename, positions, path, message, kind, key=True))
        elif error["type"] == "missing":
            problems.append(_at(filename, positions, path[:-1], message, kind))
        else:
            problems.append(_at(filename, positions, path, message, kind))
    return problems


def _data_path(loc: tuple[int | str, ...], data: Any) -> Path:
    """Keep the parts of pydantic's ``loc`` that exist in the data (drop union and validator tags)."""
    path: list[str | int] = []
    here = data
    for part in loc:
        in_list = isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here)
        if in_list or (isinstance(here, dict) and part in here):
            here = here[part]
            path.append(part)
        elif isinstance(here, dict | list) and isinstance(part, str) and not re.search(r"[\[\]()-]", part):
            path.append(part)  # a missing or unknown key: keep it for the message
            here = None
    return tuple(path)


def _message(error: ErrorDetails, path: Path) -> str:
    kind, where = error["type"], _dotted(path)
    if kind == "extra_forbidden":
        key = path[-1] if path else "?"
        allowed = _fields_at(path[:-1])
        hint = did_you_mean(str(key), allowed) or (Text("allowed_here", keys=sorted(allowed)) if allowed else "")
        return Text("unknown_key", key=key, hint=hint)
    if kind == "missing":
        return (Text("missing_key", key=path[-1], where=_dotted(path[:-1])) if len(path) > 1 else
                Text("missing_top_key", key=path[-1]))
    if kind == "string_pattern_mismatch":
        return Text("bad_id", where=where, value=error.get("input"))
    if kind in ("enum", "literal_error"):
        expected = re.findall(r"'([^']+)'", str(error.get("ctx", {}).get("expected", "")))
        value = error.get("input")
        return Text("value_not_allowed", where=where, value=value,
                    hint=did_you_mean(str(value), expected) or Text("choose_one_of", choices=expected))
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, ValueError) and isinstance(raised.args[0] if raised.args else None, Text):
        return Text("at_where", where=where, message=raised.args[0]) if where else raised.args[0]
    ctx, at, value = error.get("ctx") or {}, where or "document", error.get("input")
    if kind in _EXPECTED:
        return Text(_EXPECTED[kind], where=at)
    if kind == "too_short":
        return Text("list_too_short", where=at, count=ctx.get("min_length", 1))
    if kind == "too_long":
        return Text("text_too_long_at", where=at, limit=ctx.get("max_length", "?"))
    if kind in ("greater_than_equal", "greater_than"):
        return Text("too_small", where=at, value=value, limit=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return Text("too_big", where=at, value=value, limit=ctx.get("le", ctx.get("lt")))
    text = error["msg"].removeprefix("Value error, ")  # a message pydantic words that has no code here
    return f"{where}: {text}" if where else text


_EXPECTED = {  # pydantic's error type → what was expected there
    "string_type": "expected_text", "int_type": "expected_whole_number", "int_parsing": "expected_whole_number",
    "int_from_float": "expected_whole_number", "float_type": "expected_number", "float_parsing": "expected_number",
    "bool_type": "expected_yes_no", "bool_parsing": "expected_yes_no", "list_type": "expected_list",
    "tuple_type": "expected_list", "dict_type": "expected_mapping", "model_type": "expected_mapping",
    "model_attributes_type": "expected_mapping", "date_type": "expected_date", "date_parsing": "expected_date",
    "date_from_datetime_parsing": "expected_date",
}


def _dotted(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _fields_at(path: Path) -> list[str]:
    """The keys allowed at ``path`` of a pathway document."""
    model = _model_at(path)
    return list(model.model_fields) if model is not None else []


def _model_at(path: Path) -> type[BaseModel] | None:
    """The model ``path`` of a pathway document leads to, found by walking the model's annotations (list
    items and dict values by their type), or None where the path leaves the models."""
    annotation: Any = Pathway
    for part in path:
        annotation = _strip(annotation)
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin in (tuple, list) and args:
            annotation = args[0]
        elif origin is dict and args:
            annotation = args[1]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        else:
            return None
    annotation = _strip(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _strip(annotation: Any) -> Any:
    """``Step | None`` → ``Step``; ``Annotated[str, ...]`` → ``str``."""
    while True:
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin in (typing.Union, types.UnionType, typing.Annotated) and args:
            annotation = args[0]
        else:
            return annotation
