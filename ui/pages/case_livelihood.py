"""The livelihood section of the case page (its own partial, ``case_livelihood.html``, anchor ``#inntekt``):
register a livelihood period («Registrer inntekt»), and confirm, extend, end early, correct or delete one
(«Bekreft», «Forleng», «Avslutt», «Rett», «Slett»).

Each form posts to a route here and works without JavaScript (post, then redirect back to ``#inntekt``);
with htmx the answer is the section itself, so the timeline, the gap box and the list change at once.
Bad input is answered with the section and every problem beside its field (status 422). The rules live in
:mod:`pathways.services.livelihood`; this module only reads the form and shows the result.

``GET /saker/{id}?inntekt=ny&kilde=lonn&fra=2027-02-01`` opens the register form filled in (the
worklist's «registrer inntekt» links here).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.bounds import date_problem
from pathways.income.gaps import LABELS
from pathways.messages import Text
from pathways.services import absence, livelihood
from pathways.services.absence import AbsenceInvalid
from pathways.services.access import Forbidden
from pathways.services.context import Context, NotFound, ServiceError
from pathways.services.livelihood import CaseLivelihood, PeriodInvalid
from ui.boundary import Id
from ui.livelihood import timeline
from ui.messages import norsk
from ui.pages.common import Posted, SignedIn, changer
from ui.rendering import PageError, context, error_text, forbidden, not_found, render

router = APIRouter(include_in_schema=False)

SOURCE_CHOICES = [(code, label[:1].upper() + label[1:]) for code, label in LABELS.items()]
NEW = "ny"  # the register form's key (and the query value that opens it)
ABSENCE = "fravaer"  # the absence form's key
DONE = {"ny": "Inntekten er registrert.", "bekreft": "Perioden er bekreftet.", "forleng": "Perioden er forlenget.",
        "avslutt": "Perioden er avsluttet.", "rett": "Perioden er rettet.", "slett": "Perioden er slettet.",
        ABSENCE: "Fraværet er registrert."}


@dataclass(frozen=True)
class PeriodRow:
    """A period as the section shows it."""

    id: int
    source: str
    label: str
    start: date
    end: date | None
    planned: bool
    amount: Decimal | None
    note: str | None
    amount_basis: str | None

    @property
    def amount_text(self) -> str:
        """The amount as typed back into a form: 15012,5 → «15012,50», whole kroner without decimals."""
        if self.amount is None:
            return ""
        return f"{self.amount:.2f}".replace(".", ",").removesuffix(",00")


def _rows(periods: list[Any]) -> list[PeriodRow]:
    return [PeriodRow(p.id, p.source, SOURCE_LABELS.get(p.source, p.source), p.start, p.end, p.planned,
                      None if p.amount_ore is None else Decimal(p.amount_ore) / 100, p.note, p.amount_basis)
            for p in periods]


SOURCE_LABELS = dict(SOURCE_CHOICES)


def section(found: CaseLivelihood, today: date, *, errors: Mapping[str, str] | None = None,
            values: Mapping[str, str] | None = None, open_form: str | None = None,
            message: str | None = None) -> dict[str, Any]:
    """The template data of the section: ``lh`` (``open_form`` is ``ny`` or ``<period id>-<action>``)."""
    return {"lh": {
        "case_id": found.case_id, "participant_id": found.participant_id, "periods": _rows(found.periods),
        "gaps": found.gaps, "fallbacks": found.fallbacks, "sources": SOURCE_CHOICES,
        "timeline": timeline(found.periods, found.gaps, found.fallbacks, found.case_start, today, found.absences),
        "absences": found.absences, "this_month": today.strftime("%Y-%m"),
        "benefit": any(p.source == "introduksjonsstonad" for p in found.periods),
        "errors": dict(errors or {}), "typed": dict(values or {}), "open_form": open_form, "message": message}}


def prefill(query: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    """The register form opened and filled from the query (``inntekt=ny``, ``kilde``, ``fra``, ``til``);
    values that are not a source or a date are left out."""
    if query.get("inntekt") != NEW:
        return None, {}
    values = {"status": "planned"}
    if query.get("kilde") in SOURCE_LABELS:
        values["source"] = query["kilde"]
    for name, field in (("fra", "from"), ("til", "to")):
        with contextlib.suppress(ValueError):
            values[field] = date.fromisoformat(query.get(name, "")).isoformat()
    return NEW, values


# -- reading the forms ---------------------------------------------------------------------------------


def _date(form: Mapping[str, Any], field: str, errors: dict[str, str], required: bool) -> date | None:
    text = str(form.get(field, "")).strip()
    if not text:
        if required:
            errors[field] = "må fylles ut"
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[field] = f"«{text[:40]}» er ikke en dato (skriv ÅÅÅÅ-MM-DD)"
        return None
    problem = date_problem(day)
    if problem:
        errors[field] = norsk(problem)
    return day


def _period_fields(form: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The fields of the register and correct forms, each problem of their own form noted in ``errors``
    (the service adds the rest: order, overlap)."""
    source = str(form.get("source", ""))
    if source not in SOURCE_LABELS:
        errors["source"] = "velg en inntektskilde" if not source else f"ukjent inntektskilde «{source[:40]}»"
    start = _date(form, "from", errors, required=True)
    end = _date(form, "to", errors, required=False)
    status = str(form.get("status", ""))
    if status not in ("planned", "confirmed"):
        errors["status"] = "velg planlagt eller bekreftet"
    amount = str(form.get("amount", "")).strip() or None
    try:
        livelihood.amount_in_ore(amount)
    except PeriodInvalid as exc:
        errors.update({field: norsk(message) for field, message in exc.problems.items()})
    note = str(form.get("note", "")).strip()
    if errors and start is not None:  # the service is not asked: its own rules on what could be read
        facts = livelihood.PeriodFacts(source if source in SOURCE_LABELS else "ingen", start,
                                       None if "to" in errors else end, True, None, note or None)
        for field, message in livelihood.period_problems(facts).items():
            errors.setdefault(field, norsk(message))
    return {"source": source, "start": start, "end": end, "planned": status == "planned", "amount": amount,
            "note": note or None}


def _values(form: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in form.items()
            if k in ("source", "from", "to", "status", "amount", "note", "reason", "month", "hours", "kind")}


def month_of(text: str, errors: dict[str, str], field: str = "month") -> date | None:
    """A month as the form sends it (``2026-10``; a browser without a month picker may send ``10.2026``)."""
    text = text.strip()
    for pattern in ("%Y-%m", "%m.%Y", "%m/%Y"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(text, pattern).date().replace(day=1)
    errors[field] = "velg en måned" if not text else norsk(Text("absence_month_invalid", value=text[:20]))
    return None


def _absence_action(case_id: int) -> Action:
    def run(ctx: Context, _participant_id: int, form: Mapping[str, Any], errors: dict[str, str]) -> None:
        month = month_of(str(form.get("month", "")), errors)
        kind = str(form.get("kind", ""))
        if kind not in ("godkjent", "ikke_godkjent"):
            errors["kind"] = "velg godkjent eller ikke godkjent"
        try:
            hours = absence.hours_of(str(form.get("hours", "")))
        except AbsenceInvalid as exc:
            errors.update({field: norsk(message) for field, message in exc.problems.items()})
        if not errors and month is not None:
            absence.set_absence(ctx, case_id, month, hours, approved=kind == "godkjent",
                                note=str(form.get("note", "")))
    return run


# -- the routes --------------------------------------------------------------------------------------


Action = Callable[[Context, int, Mapping[str, Any], dict[str, str]], None]


def _register(ctx: Context, participant_id: int, form: Mapping[str, Any], errors: dict[str, str]) -> None:
    fields = _period_fields(form, errors)
    if not errors:
        livelihood.add_income(ctx, participant_id, fields.pop("source"), fields.pop("start"), fields.pop("end"),
                              **fields)


def _change(action: str, period_id: int) -> Action:
    def run(ctx: Context, participant_id: int, form: Mapping[str, Any], errors: dict[str, str]) -> None:
        owner = {"participant_id": participant_id}
        if action == "bekreft":
            livelihood.confirm_income(ctx, period_id, **owner)
        elif action == "forleng":
            end = _date(form, "to", errors, required=False)
            if not errors:
                livelihood.extend_income(ctx, period_id, end, **owner)
        elif action == "avslutt":
            end = _date(form, "to", errors, required=True)
            if not errors and end is not None:
                livelihood.end_income(ctx, period_id, end, **owner)
        elif action == "rett":
            fields = _period_fields(form, errors)
            if not errors:
                livelihood.correct_income(ctx, period_id, **owner, **fields)
        else:
            livelihood.delete_income(ctx, period_id, str(form.get("reason", "")), **owner)
    return run


def _answer(request: Request, case_id: int, account: Any, key: str, done: str, act: Action,
            form: Mapping[str, Any]) -> Response:
    changer(account, "inntekter")
    ctx = context(request, account)
    try:
        participant_id = livelihood.case_participant(ctx, case_id)
    except NotFound as exc:
        raise not_found(exc) from None
    errors: dict[str, str] = {}
    try:
        act(ctx, participant_id, form, errors)
    except NotFound as exc:
        raise not_found(exc) from None
    except Forbidden as exc:  # a case handed over, or not yet taken over
        raise forbidden(exc) from None
    except (PeriodInvalid, AbsenceInvalid) as exc:
        errors.update({field: norsk(message) for field, message in exc.problems.items()})
    except ServiceError as exc:
        errors[exc.field or "form"] = error_text(exc)
    htmx = bool(request.headers.get("hx-request"))
    if not errors and not htmx:
        request.session["melding"] = DONE[done]
        return RedirectResponse(f"/saker/{case_id}#inntekt", status_code=303)
    found = livelihood.case_livelihood(ctx, case_id)
    data = section(found, ctx.today(), errors=errors, values=_values(form) if errors else None,
                   open_form=key if errors else None, message=None if errors else DONE[done])
    status = 422 if errors else 200
    if htmx:
        return render(request, "case_livelihood.html", {**data, "can_write": True}, status=status)
    from ui.pages.cases import case_data  # the whole page, the section's errors in it
    return render(request, "case.html", {**case_data(request, account, case_id), **data}, status=status)


@router.post("/saker/{case_id}/inntekt")
def register(request: Request, case_id: Id, account: SignedIn, form: Posted) -> Response:
    return _answer(request, case_id, account, NEW, NEW, _register, form)


@router.post("/saker/{case_id}/fravaer")
def record_absence(request: Request, case_id: Id, account: SignedIn, form: Posted) -> Response:
    """Absence hours of a month, approved or not: the deduction and the payment estimate redraw at once."""
    return _answer(request, case_id, account, ABSENCE, ABSENCE, _absence_action(case_id), form)


@router.post("/saker/{case_id}/inntekt/{period_id}/{action}")
def change(request: Request, case_id: Id, period_id: Id, action: str, account: SignedIn, form: Posted) -> Response:
    if action not in DONE or action in (NEW, ABSENCE):
        raise PageError(404, "Ukjent handling.")
    return _answer(request, case_id, account, f"{period_id}-{action}", action, _change(action, period_id), form)
