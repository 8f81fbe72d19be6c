"""The configuration of the nightly checks: ``defaults.yaml`` beside this file, or the file named by
``PATHWAYS_CHECKS_CONFIG``. Validated by pydantic; a bad file is refused with the key that is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pathways.definition.periods import Period

DEFAULTS = Path(__file__).resolve().parent / "defaults.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeadlineRules(_Model):
    reminder_days_ahead: int = Field(ge=0, le=365)


class NavDialogue(_Model):
    before_end: Period
    events: tuple[str, ...]


class ProgrammeEnd(_Model):
    horizons: tuple[int, ...] = Field(min_length=1)
    end_deadlines: dict[str, str]
    nav_dialogue: NavDialogue


class IncomeGaps(_Model):
    horizon_days: int = Field(ge=0, le=3650)


class Birthday(_Model):
    pathways: tuple[str, ...]
    age: int = Field(ge=1, le=120)
    days_ahead: int = Field(ge=0, le=365)


class Settlement(_Model):
    decision_pathway: str
    undecided_steps: tuple[str, ...]
    decision_within: Period
    eligibility_window: Period


class Caseload(_Model):
    pathways: tuple[str, ...]
    max_cases: int = Field(ge=1)


class UnpaidPractice(_Model):
    steps: dict[str, tuple[str, ...]]
    max_weeks: int = Field(ge=1)


class ContractEmployment(_Model):
    pathways: tuple[str, ...]
    steps: tuple[str, ...]
    sources: tuple[str, ...]


class Handoffs(_Model):
    working_days: int = Field(ge=1, le=60)
    income_days_ahead: int = Field(ge=0, le=365)
class TaskRules(_Model):
    overdue_after_days: int = Field(default=0, ge=0, le=365)
    severity: str = Field(default="medium", pattern="^(low|medium|high)$")


class ChecksConfig(_Model):
    deadlines: DeadlineRules
    programme_end: ProgrammeEnd
    income_gaps: IncomeGaps
    birthday: Birthday
    settlement: Settlement
    caseload: Caseload
    unpaid_practice: UnpaidPractice
    contract_employment: ContractEmployment
    handoffs: Handoffs = Handoffs(working_days=5, income_days_ahead=30)
    tasks: TaskRules = TaskRules()  # a file written before tasks existed still loads


def load_config(path: str | Path | None = None) -> ChecksConfig:
    path = Path(path or os.environ.get("PATHWAYS_CHECKS_CONFIG") or DEFAULTS)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
        return ChecksConfig.model_validate(data)
    except OSError as exc:
        raise ValueError(f"cannot read the checks configuration {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: invalid YAML: {exc}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise ValueError(f"{path}: {where}: {error['msg']}") from None
