"""The retention policy (``pathways/checks/retention.yaml``, or ``PATHWAYS_RETENTION_CONFIG``): per data class,
how many years after a participant's last case ended it is kept, and whether it is then archived or deleted.
Validated by pydantic; a bad file is refused naming its line and column."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pathways.definition.yamlpos import load_validated

DEFAULT = Path(__file__).resolve().parent.parent / "checks" / "retention.yaml"
CLASSES = ("case_history", "notes", "livelihood", "flags", "read_log")
TITLES = {"case_history": "sakshistorikk og identitet", "notes": "notater", "livelihood": "inntekt og fravær",
          "flags": "flagg", "read_log": "tilgangslogg"}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    years: int = Field(ge=1, le=100)
    then: Literal["archive", "delete"]


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    classes: dict[Literal["case_history", "notes", "livelihood", "flags", "read_log"], Rule]

    @model_validator(mode="after")
    def _complete(self) -> Policy:
        missing = [c for c in CLASSES if c not in self.classes]
        if missing:
            raise ValueError(f"every data class needs a rule; missing: {', '.join(missing)}")
        longest = self.classes["case_history"].years
        later = [c for c, r in self.classes.items() if c not in ("case_history", "read_log") and r.years > longest]
        if later:
            raise ValueError(f"case_history removes the person, so {', '.join(later)} cannot be kept longer than "
                             f"its {longest} years")
        return self

    def years(self, data_class: str) -> int:
        return self.classes[data_class].years

    def archives(self, data_class: str) -> bool:
        return self.classes[data_class].then == "archive"


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy from ``path`` (else ``PATHWAYS_RETENTION_CONFIG``, else the default); ValueError naming the
    file, line and column of what is wrong."""
    path = Path(path or os.environ.get("PATHWAYS_RETENTION_CONFIG") or DEFAULT)
    policy: Policy = load_validated(path, Policy, "the retention policy")
    return policy
