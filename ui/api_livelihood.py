"""The REST API of livelihood periods (inntektskilder) under a participant, and of a case's absence
(fravær) per month (``/api/saker/{id}/fravaer``: GET the months with their deduction and payment
estimate, PUT one month's hours of one kind):
``/api/deltakere/{pid}/inntekt`` (GET the periods and gaps, POST a new period) and
``/api/deltakere/{pid}/inntekt/{period_id}`` (PATCH to confirm, extend, end or correct; DELETE with a
reason). The same services and rules as the case page (:mod:`pathways.services.livelihood`); every answer
that changes something carries the participant's gaps as they are after the change.

Dates are strict ``ÅÅÅÅ-MM-DD`` text: a number such as ``0`` is refused, not read as 1 January 1970.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BeforeValidator, Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from pathways.definition.schema import Livelihood
from pathways.services import absence, livelihood
from pathways.services.cases import gap_json
from pathways.services.livelihood import UNCHANGED, CaseLivelihood
from ui.api import Problem, Problems, Signed, Strict, _Answers, _ctx, _role
from ui.boundary import Id

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: Any) -> Any:
    """Only ``ÅÅÅÅ-MM-DD`` text is a date here: pydantic would read ``0`` as 1970-01-01."""
    if isinstance(value, str) and _ISO.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", "må være en dato som tekst: ÅÅÅÅ-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
Amount = Annotated[Decimal, Field(ge=0, le=1_000_000, decimal_places=2,
                                  description="beløp i kroner per måned (høyst to desimaler)")]
Reason = Annotated[str, Field(min_length=1, max_length=livelihood.MAX_REASON)]
Note = Annotated[str, Field(max_length=livelihood.MAX_NOTE)]

router = APIRouter(prefix="/api", tags=["api"], route_class=_Answers, responses={
    401: {"model": Problem, "description": "mangler gyldig token"},
    403: {"model": Problem, "description": "rollen kan ikke dette (en leder leser, bare en veileder endrer)"},
    404: {"model": Problem, "description": "deltakeren eller perioden finnes ikke, eller er utenfor brukerens tilgang"},
    422: {"model": Problems, "description": "ugyldige data: hvert felt med feil og hva som er galt (datoer utenfor "
                                            "1950–2100, slutt før start, overlapp med en periode av samme kilde)"}})


class IncomeIn(Strict):
    source: Livelihood = Field(description="inntektskilden (kode fra inntektsregisteret)")
    start: IsoDate = Field(alias="from", description="første dag (ÅÅÅÅ-MM-DD)")
    end: IsoDate | None = Field(default=None, alias="to", description="siste dag; tom eller null: løpende")
    planned: StrictBool = Field(default=False, description="true: planlagt, ikke bekreftet")
    amount: Amount | None = None
    note: Note | None = None


class IncomePatch(Strict):
    """The fields to change; those left out stay as they are. ``to: null`` makes the period open-ended."""

    source: Livelihood | None = None
    start: IsoDate | None = Field(default=None, alias="from")
    end: IsoDate | None = Field(default=None, alias="to")
    planned: StrictBool | None = None
    amount: Amount | None = None
    note: Note | None = None

    @model_validator(mode="after")
    def _something(self) -> IncomePatch:
        if not self.model_fields_set:
            raise PydanticCustomError("value_error", "oppgi minst ett felt som skal endres")
        for name in ("source", "start", "planned"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise PydanticCustomError("value_error", "{field} kan ikke være null",
                                          {"field": {"start": "from"}.get(name, name)})
        return self


class AbsenceIn(Strict):
    hours: Annotated[float, Field(strict=True, ge=0, le=400,  # a JSON number: "10" is refused, not read
                                  description="timer fravær i måneden av dette slaget, høyst to desimaler (0 fjerner)")]
    approved: StrictBool = Field(description="true: godkjent fravær (trekkes ikke); false: ikke godkjent (trekkes)")
    note: Annotated[str, Field(max_length=absence.MAX_NOTE)] | None = None


Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="måneden, ÅÅÅÅ-MM")]


class IncomeDelete(Strict):
    reason: Reason = Field(description="hvorfor perioden slettes (lagres i revisjonsloggen)")


def _period_json(p: Any) -> dict[str, Any]:
    return {"id": p.id, "source": p.source, "from": p.start.isoformat(), "to": p.end.isoformat() if p.end else None,
            "planned": p.planned, "amount": None if p.amount_ore is None else p.amount_ore / 100,
            "amount_basis": p.amount_basis, "note": p.note}


def _answer(found: CaseLivelihood, **extra: Any) -> dict[str, Any]:
    return {**extra, "participant": found.participant_id, "periods": [_period_json(p) for p in found.periods],
            "gaps": [gap_json(g) for g in found.gaps],
            "social_assistance_only": [gap_json(g) for g in found.fallbacks]}


@router.get("/deltakere/{pid}/inntekt", summary="En deltakers inntektskilder og inntektsgap nå")
def list_income(request: Request, pid: Id, account: Signed) -> dict[str, Any]:
    _role(account)
    return _answer(livelihood.participant_livelihood(_ctx(request, account), pid))


@router.post("/deltakere/{pid}/inntekt", status_code=201, summary="Registrer en inntektskilde",
             responses={201: {"description": "registrert; svaret har periodens id og gapene etter endringen"}})
def post_income(request: Request, pid: Id, body: IncomeIn, account: Signed) -> dict[str, Any]:
    _role(account, change=True)
    ctx = _ctx(request, account)
    period = livelihood.add_income(ctx, pid, body.source.value, body.start, body.end, planned=body.planned,
                                   amount=body.amount, note=body.note)
    return _answer(livelihood.participant_livelihood(ctx, pid), id=period)


@router.patch("/deltakere/{pid}/inntekt/{period_id}", summary="Bekreft, forleng, avslutt eller rett en periode",
              responses={200: {"description": "endret; svaret har gapene etter endringen"}})
def patch_income(request: Request, pid: Id, period_id: Id, body: IncomePatch, account: Signed) -> dict[str, Any]:
    _role(account, change=True)
    ctx = _ctx(request, account)
    given = body.model_fields_set
    changes = {name: (getattr(body, name) if name in given else UNCHANGED)
               for name in ("source", "start", "end", "planned", "amount", "note")}
    if changes["source"] is not UNCHANGED:
        changes["source"] = changes["source"].value
    livelihood.correct_income(ctx, period_id, participant_id=pid, **changes)
    return _answer(livelihood.participant_livelihood(ctx, pid), id=period_id)


@router.delete("/deltakere/{pid}/inntekt/{period_id}", summary="Slett en periode (med grunn, i revisjonsloggen)",
               responses={200: {"description": "slettet; svaret har gapene etter endringen"}})
def delete_income(request: Request, pid: Id, period_id: Id, body: IncomeDelete, account: Signed) -> dict[str, Any]:
    _role(account, change=True)
    ctx = _ctx(request, account)
    livelihood.delete_income(ctx, period_id, body.reason, participant_id=pid)
    return _answer(livelihood.participant_livelihood(ctx, pid), deleted=period_id)


def _months(ctx: Any, case_id: int, **extra: Any) -> dict[str, Any]:
    return {**extra, "case": case_id, "months": [m.as_json() for m in absence.case_absence(ctx, case_id)]}


@router.get("/saker/{case_id}/fravaer", summary="Fraværet i en sak per måned, med trekk og utbetaling etter trekk")
def list_absence(request: Request, case_id: Id, account: Signed) -> dict[str, Any]:
    _role(account)
    return _months(_ctx(request, account), case_id)


@router.put("/saker/{case_id}/fravaer/{month}", summary="Registrer fraværstimer for en måned (erstatter samme slag)",
            responses={200: {"description": "registrert; svaret har måneden og alle måneder med fravær etter "
                                             "endringen"},
                       409: {"model": Problem, "description": "en annen registrerte samme måned samtidig"}})
def put_absence(request: Request, case_id: Id, month: Month, body: AbsenceIn, account: Signed) -> dict[str, Any]:
    _role(account, change=True)
    ctx = _ctx(request, account)
    found = absence.set_absence(ctx, case_id, date.fromisoformat(month + "-01"), repr(body.hours),
                                approved=body.approved, note=body.note)
    return _months(ctx, case_id, month=found.as_json())
