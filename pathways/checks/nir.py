"""The configuration of the reports a kommune owes, beside the checks' own (``defaults.yaml``):

- ``nir.yaml`` (or ``PATHWAYS_NIR_CONFIG``): which case data fills each field of the national introduction
  register, when a field is due, and how long back-registration may take;
- ``results.yaml`` (or ``PATHWAYS_RESULTS_CONFIG``): which record one year after exit puts a participant in
  which group (work, education, …).

Validated by pydantic; a bad file is refused naming its line and column."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pathways.definition.yamlpos import load_validated

DEFAULT = Path(__file__).resolve().parent / "nir.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Due(_Model):
    after: Literal["start", "end"]  # the case's start, or its end (a field due only once the case has ended)
    days: int = Field(ge=0, le=3650)


class NirField(_Model):
    title: str = Field(min_length=1, max_length=60)
    events: tuple[str, ...] = ()
    value: str | None = None  # an event value to show (else the event's title)
    unit: str | None = Field(default=None, max_length=40)  # words after a numeric value («t ugyldig fravær»)
    all: bool = False  # every event listed, not only the latest
    absence: bool = False  # the case's absence registrations (pathways.services.absence)
    due: Due | None = None  # None: never missing (registered when it happens)
    not_for: tuple[str, ...] = ()  # legal regimes the field is not registered for

    @model_validator(mode="after")
    def _source(self) -> NirField:
        if not self.events and not self.absence:
            raise ValueError("a field needs events or absence to read its value from")
        return self


class NirPathway(_Model):
    fields: dict[str, NirField] = Field(min_length=1)


class NirConfig(_Model):
    back_registration_days: int = Field(ge=0, le=3650)
    severity: Literal["high", "medium", "low"] = "medium"
    pathways: dict[str, NirPathway] = Field(min_length=1)

    def event_names(self, due_only: bool = False) -> set[str]:
        """The events the fields read (``due_only``: of the fields that can be missing, as the nightly
        check reads them)."""
        return {name for p in self.pathways.values() for f in p.fields.values()
                if not due_only or f.due is not None for name in f.events}


def load_nir(path: str | Path | None = None) -> NirConfig:
    """The configuration from ``path`` (else ``PATHWAYS_NIR_CONFIG``, else the default); ValueError naming
    the file, line and column of what is wrong."""
    path = Path(path or os.environ.get("PATHWAYS_NIR_CONFIG") or DEFAULT)
    config: NirConfig = load_validated(path, NirConfig, "the NIR configuration")
    return config


@lru_cache(maxsize=4)
def nir_config(path: str | None = None) -> NirConfig:
    """The configuration read once per process (the file named, or the environment's)."""
    return load_nir(path or os.environ.get("PATHWAYS_NIR_CONFIG"))


# -- results one year after exit (pathways/checks/results.yaml) -------------------------------------------

RESULTS_DEFAULT = Path(__file__).resolve().parent / "results.yaml"


class ResultGroup(_Model):
    title: str = Field(min_length=1, max_length=40)
    sources: tuple[str, ...] = ()  # livelihood sources covering the day
    pathways: tuple[str, ...] = ()  # or a case of one of these pathways running that day

    @model_validator(mode="after")
    def _record(self) -> ResultGroup:
        if not self.sources and not self.pathways:
            raise ValueError("a group needs sources or pathways")
        return self


class ResultsConfig(_Model):
    after_days: int = Field(ge=1, le=3650)
    smallest_cell: int = Field(ge=1, le=100)
    confirmed_only: bool = True
    groups: dict[str, ResultGroup] = Field(min_length=1)


def load_results(path: str | Path | None = None) -> ResultsConfig:
    path = Path(path or os.environ.get("PATHWAYS_RESULTS_CONFIG") or RESULTS_DEFAULT)
    config: ResultsConfig = load_validated(path, ResultsConfig, "the results configuration")
    return config
