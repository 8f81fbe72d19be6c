"""The REST API of a kommune's units (enheter): list them, and an administrator adds one. The same
services and rules as the «Enheter» page (:mod:`pathways.services.units`): every user reads their own
kommune's units; only its administrator adds (403 otherwise); bad input is 422 naming the field, a name
the kommune has already 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from pathways.services import access
from pathways.services import units as service
from ui.api import Problem, Problems, Signed, Strict, _Answers, _ctx

router = APIRouter(prefix="/api", tags=["enheter"], route_class=_Answers, responses={
    401: {"model": Problem, "description": "mangler gyldig token"},
    404: {"model": Problem, "description": "finnes ikke, eller er utenfor brukerens kommune"},
    422: {"model": Problems, "description": "ugyldige data: hvert felt med feil og hva som er galt"}})


class UnitOut(BaseModel):
    id: int
    kommune: str = Field(description="kommunen enheten hører til (brukerens egen)")
    kind: str = Field(description=f"enhetstypen: {', '.join(service.KINDS)}")
    kind_label: str = Field(description="enhetstypen på bokmål, f.eks. «NAV»")
    name: str = Field(description="enhetens navn, unikt i kommunen")


class UnitsOut(BaseModel):
    units: list[UnitOut]


class UnitIn(Strict):
    kind: str = Field(min_length=1, max_length=40, description=f"en av: {', '.join(service.KINDS)}")
    name: str = Field(min_length=1, max_length=service.NAME_LIMIT,
                      description="enhetens navn, unikt i kommunen (store og små bokstaver regnes likt)")


class UnitCreated(BaseModel):
    id: int


@router.get("/enheter", summary="Enhetene i brukerens kommune", response_model=UnitsOut)
def list_units(request: Request, account: Signed) -> UnitsOut:
    return UnitsOut(units=[UnitOut(**u.as_json()) for u in service.list_units(_ctx(request, account))])


@router.post("/enheter", status_code=201, summary="Legg til en enhet i kommunen (bare administrator)",
             response_model=UnitCreated, responses={
                 403: {"model": Problem, "description": "bare en administrator i kommunen kan legge til enheter"},
                 409: {"model": Problem, "description": "kommunen har allerede en enhet med dette navnet"},
                 422: {"model": Problems, "description": "ugyldige data: ukjent type (med forslag), tomt eller "
                                                        "for langt navn"}})
def create_unit(request: Request, body: UnitIn, account: Signed) -> Any:
    access.administering(account.actor)  # 403 before the body is looked at
    return UnitCreated(id=service.add_unit(_ctx(request, account), kind=body.kind, name=body.name))
