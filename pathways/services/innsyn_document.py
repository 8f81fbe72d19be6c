"""The participant's innsyn export as a document: the Jinja2 template ``pathways/templates/innsyn.html`` in
bokmål, rendered to PDF with weasyprint (:func:`pdf`), from what :func:`pathways.services.innsyn.export`
gathered.

The dashboard's download, the command line (``pathways participants export --format pdf``) and the
retention's archive all render here, so the person gets the same document whichever way it was made. It
lives in ``pathways/``, not with the dashboard's templates in ``ui/``, because the command line and the
services render it and ``pathways/`` may not import ``ui/`` (ARCHITECTURE.md). Its environment has the
dashboard's filters for Norwegian dates, instants, amounts and facts (:mod:`pathways.words`) and the same
gettext catalogue for every other word (``_()``, ``make messages``: babel.cfg reads this template too).

Laying out a document is CPU-bound (0.5–0.9 s for a case with 200 events, bench/innsyn.py; the template
keeps the events to one paragraph each, as weasyprint's time grows with table cells and styled runs of
text): the routes that call it are plain ``def`` routes, run in the thread pool, never on the event loop.
The template links nothing (styles inline, system fonts), so rendering fetches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from pathways.i18n import DASHBOARD, translations
from pathways.services.dashboard import FLAG_KINDS, FLAG_STATES, SEVERITY, STATUS
from pathways.services.innsyn import Innsyn
from pathways.services.story import local
from pathways.words import FACT_TITLES, OUTCOMES, date_no, datetime_no, fact_value_no, money_no, number_no

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE = "innsyn.html"
COLUMN_TITLES: Mapping[str, str] = {**FACT_TITLES,
                                    "pseudonymised_on": "Personopplysningene slettet (pseudonymisert) den"}
"""The bokmål title of every column of the participant row the document lists among the facts (the name,
the kommune, the number, when registered and the changes have their own lines): a column added to the table
needs one here (tests/services/test_innsyn.py checks)."""
SHOWN_APART = frozenset({"id", "kommune_id", "kommune", "name", "created_at", "version"})
MONTH_NAMES = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
               "november", "desember")


def moment_no(value: datetime | str | None) -> str:
    """An instant in Norwegian time, ``31.12.2026 kl. 14.05`` (a datetime or ISO text, as the read log's
    hook may give it); ``–`` for none."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            return datetime_no(local(datetime.fromisoformat(value)))
        except ValueError:
            return value
    return datetime_no(local(value))


def _fact_no(name: str, value: Any) -> str:
    """A fact as an event stored it (JSON: a date is ISO text) in words."""
    if isinstance(value, str) and name.endswith("_date"):
        return date_no(value)
    return fact_value_no(name, value)


def facts_seen(events: list[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[tuple[str, str]]]]:
    """Each event with the facts about the person the rules saw when it was recorded, in words, only
    those that differ from the event before: the first event lists them all, the rest what changed (200
    events would otherwise repeat a dozen facts each)."""
    shown: list[tuple[Mapping[str, Any], list[tuple[str, str]]]] = []
    before: Mapping[str, Any] = {}
    for event in events:
        facts = event.get("facts") or {}
        changed = [(FACT_TITLES.get(k, k), _fact_no(k, v)) for k, v in facts.items() if k not in before or
                   before[k] != v]
        shown.append((event, changed))
        before = facts
    return shown


def _kroner(value: Any) -> str:
    return money_no(value) if value is not None else "–"


@cache
def environment() -> Environment:
    """The template's environment, made once per process."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], auto_reload=False, trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(DASHBOARD), newstyle=True)
    env.filters.update(dato=date_no, tidspunkt=moment_no, fakta=fact_value_no, kr=_kroner, tall=number_no)
    env.globals.update(FACT_TITLES=FACT_TITLES, COLUMN_TITLES=COLUMN_TITLES, SHOWN_APART=SHOWN_APART,
                       OUTCOMES=OUTCOMES, STATUS=STATUS, SEVERITY=SEVERITY, FLAG_KINDS=FLAG_KINDS,
                       FLAG_STATES=FLAG_STATES, MONTH_NAMES=MONTH_NAMES, facts_seen=facts_seen)
    return env


def html(innsyn: Innsyn) -> str:
    """The document as self-contained HTML (bokmål, print styles inline)."""
    return environment().get_template(TEMPLATE).render(i=innsyn)


def pdf(innsyn: Innsyn) -> bytes:
    """The document as PDF (A4, page numbers, a table header repeated on every page a table runs over)."""
    from weasyprint import HTML  # imported here: it loads pango and its fonts (~0.3 s), only a PDF needs it

    return bytes(HTML(string=html(innsyn)).write_pdf())


def filename(innsyn: Innsyn) -> str:
    """The download's name without its suffix: the participant's number and the day, never their name (file
    names end up in logs and download folders)."""
    return f"innsyn-deltaker-{innsyn.participant_id}-{innsyn.generated.date().isoformat()}"
