"""ISO 8601 durations (``P3M``, ``P1Y6M``, ``P10D``, ``P6W``) as calendar periods.

Months and years stay months and years: three months after 31 January is 30 April, not a count of
days. Parsing is done by :mod:`isodate`; this module only keeps the parts and offers the two uses
the engine has: adding to a date, and an approximate length in days for planning figures.
"""

from __future__ import annotations

import functools
import re
from calendar import monthrange
from datetime import MAXYEAR, MINYEAR, date, timedelta
from typing import Any

import isodate
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from pathways.messages import Text

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
MAX_PERIOD_YEARS = 1_000
"""No duration in a document is longer: added to any date a case may hold, it stays inside the calendar."""


class Period:
    """A calendar period of whole years, months and days (weeks become days)."""

    __slots__ = ("days", "months", "text", "years")

    def __init__(self, years: int = 0, months: int = 0, days: int = 0, text: str | None = None):
        self.years, self.months, self.days = years, months, days
        self.text = text or self._format()

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse an ISO 8601 duration of whole years, months, weeks and days (no times)."""
        if not isinstance(text, str):
            raise ValueError(Text("duration_expected", value=repr(text)))
        return _parse(text)

    @classmethod
    def _parse_uncached(cls, text: str) -> Period:
        if not isinstance(text, str):
            raise ValueError(Text("duration_expected", value=repr(text)))
        raw = text.strip()
        body = raw[1:] if raw.startswith("-") else raw
        if re.fullmatch(r"P[\dYMWD]*T.*", body):
            raise ValueError(Text("duration_no_times", raw=raw))
        try:
            parsed = isodate.parse_duration(body)
        except (isodate.ISO8601Error, ValueError, OverflowError) as exc:
            raise ValueError(Text("duration_not_iso", raw=raw)) from exc
        if isinstance(parsed, isodate.Duration):
            years, months, rest = parsed.years, parsed.months, parsed.tdelta
        else:
            years, months, rest = 0, 0, parsed
        if rest.seconds or rest.microseconds or years != int(years) or months != int(months):
            raise ValueError(Text("duration_whole", raw=raw))
        sign = -1 if raw.startswith("-") else 1
        period = cls(sign * int(years), sign * int(months), sign * rest.days, text=raw)
        if abs(period.years) > MAX_PERIOD_YEARS or abs(period.months) > 12 * MAX_PERIOD_YEARS or \
                abs(period.days) > 366 * MAX_PERIOD_YEARS or abs(period.approx_days) > MAX_PERIOD_YEARS * DAYS_PER_YEAR:
            raise ValueError(Text("duration_too_long", raw=raw, years=MAX_PERIOD_YEARS))
        return period

    @staticmethod
    def is_valid(text: str) -> bool:
        try:
            Period.parse(text)
        except ValueError:
            return False
        return True

    @property
    def approx_days(self) -> float:
        """Length in days for planning figures (a month is 1/12 of 365.25 days)."""
        return self.years * DAYS_PER_YEAR + self.months * DAYS_PER_MONTH + self.days

    @property
    def only_days(self) -> bool:
        return self.years == 0 and self.months == 0

    def add_to(self, start: date) -> date:
        """``start`` plus the period, as ``relativedelta(years, months, days)`` adds it (years and months
        first, the day clamped to the month's last, then the days; ValueError or OverflowError out of the
        calendar), in a tenth of its time: the nightly check adds a period for every step of every case."""
        if self.years or self.months:
            year, month = divmod(start.year * 12 + start.month - 1 + self.years * 12 + self.months, 12)
            if not MINYEAR <= year <= MAXYEAR:
                raise ValueError(f"year {year} is out of range")
            start = start.replace(year=year, month=month + 1,
                                  day=min(start.day, monthrange(year, month + 1)[1]))
        return start + timedelta(days=self.days) if self.days else start

    def negated(self) -> Period:
        text = self.text[1:] if self.text.startswith("-") else f"-{self.text}"
        return Period(-self.years, -self.months, -self.days, text=text)

    def norwegian(self) -> str:
        """The period as a case worker says it: '1 år 6 mnd', '6 uker', '10 dager'."""
        parts = []
        if self.years:
            parts.append(f"{abs(self.years)} år")
        if self.months:
            parts.append(f"{abs(self.months)} mnd")
        if self.days:
            weeks, rest = divmod(abs(self.days), 7)
            parts.append(f"{weeks} uke{'r' if weeks != 1 else ''}" if weeks and not rest and not parts
                         else f"{abs(self.days)} dag{'er' if abs(self.days) != 1 else ''}")
        return ("minus " if self.approx_days < 0 else "") + (" ".join(parts) or "0 dager")

    def _format(self) -> str:
        parts = "".join(f"{abs(v)}{u}" for v, u in ((self.years, "Y"), (self.months, "M"), (self.days, "D")) if v)
        negative = min(self.years, self.months, self.days) < 0
        return ("-" if negative else "") + "P" + (parts or "0D")

    def __repr__(self) -> str:
        return f"Period({self.text!r})"

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Period) and (self.years, self.months, self.days) == (
            other.years, other.months, other.days)

    def __hash__(self) -> int:
        return hash((self.years, self.months, self.days))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> Period:
            if isinstance(value, Period):
                return value
            return cls.parse(value)

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str))


@functools.lru_cache(maxsize=1024)
def _parse(text: str) -> Period:
    return Period._parse_uncached(text)


def describe_days(days: float) -> str:
    """A length in days as Norwegian text a case worker reads at a glance: '10,5 mnd', '4 år'."""
    if days < 60:
        weeks = days / 7
        return f"{round(days)} dager" if days < 21 else f"{weeks:.0f} uker"
    months = days / DAYS_PER_MONTH
    if months < 24:
        return f"{months:.1f} mnd".replace(".0 ", " ").replace(".", ",")
    years = days / DAYS_PER_YEAR
    return f"{years:.1f} år".replace(".0 ", " ").replace(".", ",")
