"""A catalogue: every pathway document in a folder, validated on its own and against each other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pathways.definition.loader import Definition, load_file
from pathways.definition.problems import DefinitionError, Problem, did_you_mean
from pathways.home import definitions_dir
from pathways.messages import Text

SUFFIXES = (".yaml", ".yml")


@dataclass
class Catalogue:
    """The valid definitions by id, and the problems of the rest."""

    definitions: dict[str, Definition] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def get(self, pathway_id: str) -> Definition:
        try:
            return self.definitions[pathway_id]
        except KeyError:
            hint = did_you_mean(pathway_id, self.definitions)
            raise KeyError(Text("no_pathway_in_catalogue", pathway=pathway_id, hint=hint)) from None


def files_in(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files named by ``paths`` (files as given, folders searched recursively)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def load_catalogue(paths: Iterable[str | Path] | None = None, context: Iterable[str | Path] = ()) -> Catalogue:
    """Load every document (default: the definitions/ folder of PATHWAYS_HOME); then check what spans
    documents (unique ids, hand-off targets).

    Hand-offs may also name the valid pathways found in ``context`` (validating one file against the
    catalogue it belongs to).
    """
    paths = list(paths) if paths is not None else [definitions_dir()]
    catalogue = Catalogue()
    known = set(load_catalogue(context).definitions) if context else set()
    files = files_in(paths)
    if not files:
        catalogue.problems.append(Problem(", ".join(map(str, paths)), 1, 1, Text("no_pathway_files"), "io"))
    for path in files:
        try:
            definition = load_file(path)
        except DefinitionError as exc:
            catalogue.problems += exc.problems
            continue
        first = catalogue.definitions.get(definition.id)
        if first is not None:
            line, column = definition.positions.of(("id",))
            catalogue.problems.append(Problem(str(path), line, column,
                                              Text("pathway_id_used", id=definition.id, file=first.file),
                                              "duplicate-id"))
            continue
        catalogue.definitions[definition.id] = definition
    for definition in catalogue.definitions.values():
        catalogue.problems += handoff_problems(definition, {*catalogue.definitions, *known})
    catalogue.problems.sort()
    return catalogue


def handoff_problems(definition: Definition, known: Iterable[str]) -> list[Problem]:
    """A problem for each hand-off of ``definition`` to a pathway that is not ``known`` (nor itself)."""
    names = {*known, definition.id}
    problems = []
    for sid, where in definition.graph.placed.items():
        for index, transition in enumerate(where.step.on):
            target = transition.handoff.pathway if transition.handoff else None
            if target and target not in names:
                line, column = definition.positions.of((*where.path, "on", index, "handoff", "pathway"))
                problems.append(Problem(definition.file, line, column, Text(
                    "handoff_unknown_pathway", step=sid, pathway=target, hint=did_you_mean(target, names)),
                    "unknown-pathway"))
    return problems
