"""Problems found in a definition, each with file, line and column, and the error that carries them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from pathways.messages import Text


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a document. ``line`` and ``column`` are 1-based; ``kind`` is a stable code."""

    file: str
    line: int
    column: int
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return asdict(self)


class DefinitionError(ValueError):
    """A document is not a valid pathway. ``problems`` holds every problem found, in file order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid definition")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' — did you mean 'next'?' when a choice is close to ``word``, else ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return Text("did_you_mean", word=close[0]) if close else ""
