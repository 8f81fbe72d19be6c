"""The REST API of the leder's view: the kommune's veiledere with their workload, moving cases between
them and covers (vikar) for an absent colleague. The same services and rules as the «Veiledere» page
(:mod:`pathways.services.caseworkers`): a leder or an administrator of the kommune only (403 otherwise),
another kommune's case, user or cover is not found (404), bad input is 422 naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BeforeValidator, Field, StrictInt
from pydantic_core import PydanticCustomError

from pathways.bounds import MAX_ID
from pathways.services import access
from pathways.services import caseworkers as service
from ui.api import Problem, Problems, Signed, Strict, _Answers, _ctx
from ui.boundary import Id

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """A date written ``ÅÅÅÅ-MM-DD`` and nothing else: no number read as a timestamp, no date-time."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", "skriv datoen som ÅÅÅÅ-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
UserId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]

router = APIRouter(prefix="/api", tags=["veiledere"], route_class=_Answers, responses={
    401: {"model": Problem, "description": "mangler gyldig token"},
    403: {"model": Problem, "description": "bare leder eller administrator kan fordele saker og sette vikar"},
    404: {"model": Problem, "description": "finnes ikke, eller er utenfor brukerens kommune"},
    422: {"model": Problems, "description": "ugyldige data: hvert felt med feil og hva som er galt"}})


class ReassignIn(Strict):
    to: UserId = Field(description="id-en til veilederen som skal ha saken (en aktiv veileder i kommunen)")
    case_version: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = Field(
        default=None, description="sakens versjon du leste (optimistisk lås)")


class MoveAllIn(Strict):
    to: UserId = Field(description="id-en til veilederen som skal ha alle de aktive sakene")


class CoverIn(Strict):
    covering: UserId = Field(description="id-en til veilederen som er vikar (en aktiv veileder i kommunen)")
    until: IsoDate = Field(description="siste dag vikaren gjelder, ÅÅÅÅ-MM-DD: i dag eller senere, høyst ett år fram")


def _lead(request: Request, account: Any) -> Any:
    """The context of a leder or an administrator (403 for another role, before anything is looked up)."""
    access.leading(account.actor)
    return _ctx(request, account)


@router.get("/veiledere", summary="Veilederne i kommunen: aktive saker, åpne flagg, brudd, gap nå og vikarer")
def list_veiledere(request: Request, account: Signed) -> dict[str, Any]:
    ctx = _lead(request, account)
    return {"veiledere": [w.as_json() for w in service.workload(ctx)],
            "covers": [c.as_json() for c in service.covers(ctx)]}


@router.post("/saker/{case_id}/veileder", summary="Flytt en sak til en annen veileder",
             responses={409: {"model": Problem, "description": "saken er endret av noen andre i mellomtiden"}})
def reassign_case(request: Request, case_id: Id, body: ReassignIn, account: Signed) -> dict[str, Any]:
    to = service.reassign_case(_lead(request, account), case_id, body.to, body.case_version)
    return {"case": case_id, "caseworker": {"id": to.id, "username": to.username, "name": to.name}}


@router.post("/veiledere/{user_id}/flytt", summary="Flytt alle aktive saker fra en veileder til en annen")
def reassign_all(request: Request, user_id: Id, body: MoveAllIn, account: Signed) -> dict[str, Any]:
    moved = service.reassign_all(_lead(request, account), user_id, body.to)
    return {"from": user_id, "to": body.to, "moved": moved}


@router.post("/veiledere/{user_id}/vikar", status_code=201,
             summary="Sett en vikar for en veileder til en dato (erstatter en vikar som gjelder nå)")
def set_cover(request: Request, user_id: Id, body: CoverIn, account: Signed) -> dict[str, Any]:
    ctx = _lead(request, account)
    cover_id = service.set_cover(ctx, user_id, body.covering, body.until)
    return next(c.as_json() for c in service.covers(ctx) if c.id == cover_id)


@router.post("/vikarer/{cover_id}/avslutt", summary="Avslutt en vikar før datoen: sakene er bare veilederens igjen")
def end_cover(request: Request, cover_id: Id, account: Signed) -> dict[str, Any]:
    ended = service.end_cover(_lead(request, account), cover_id)
    return {**ended.as_json(), "ended": True}
