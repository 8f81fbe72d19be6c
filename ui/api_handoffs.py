"""The REST API of hand-offs (overføringer): a case's hand-offs and the checklist a new one carries, send one
(``POST /api/saker/{case_id}/overforinger``), the unit's inbox and the sent ones (``GET /api/overforinger``),
and a hand-off's steps: accept naming who is responsible, return with a reason, cancel, tick the checklist.
The same services and rules as the pages (:mod:`pathways.services.handoffs`): the sender is the case's
veileder; only a user of the receiving unit accepts or returns (403 for another unit's user who sees the
case, 404 for one who does not); a hand-off decided already is 409; bad input is 422 naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StrictBool

from pathways.services import handoffs as service
from ui.api import Problem, Problems, Signed, Strict, _Answers, _ctx, _role
from ui.api_livelihood import IsoDate
from ui.boundary import Id

router = APIRouter(prefix="/api", tags=["overføringer"], route_class=_Answers, responses={
    401: {"model": Problem, "description": "mangler gyldig token"},
    403: {"model": Problem, "description": "rollen eller enheten kan ikke dette (bare sakens veileder sender og "
                                           "trekker tilbake; bare mottakerenheten tar imot og returnerer)"},
    404: {"model": Problem, "description": "saken eller overføringen finnes ikke, eller er utenfor brukerens tilgang"},
    422: {"model": Problems, "description": "ugyldige data: hvert felt med feil og hva som er galt"}})

DECIDED: dict[int | str, dict[str, Any]] = {409: {
    "model": Problem,
    "description": "overføringen er allerede avgjort (mottatt, returnert eller trukket tilbake), eller saken ble "
                   "endret samtidig"}}


class ItemOut(BaseModel):
    key: str = Field(description="punktets nøkkel, fra løpsdefinisjonen (samtykke legges til ved behov)")
    label: str = Field(description="hva som skal følge med, på bokmål")
    required: bool = Field(description="må krysses av før overføringen sendes")
    ticked: bool
    note: str | None


class HandoffOut(BaseModel):
    id: int
    case: int
    participant: int
    participant_name: str
    pathway: str
    from_unit: str
    to_unit_id: int
    to_unit: str
    to_unit_kind: str
    planned_on: str = Field(description="planlagt overføringsdato (ÅÅÅÅ-MM-DD): mottakeren er ansvarlig fra da")
    message: str
    status: str = Field(description="pending (venter), accepted (mottatt), returned (returnert), cancelled "
                                    "(trukket tilbake)")
    created_by: str
    sent_on: str
    decided_by: str | None
    decided_at: str | None
    responsible: str | None = Field(description="brukernavnet til den som er ansvarlig etter mottak")
    return_reason: str | None
    items: list[ItemOut]


class HandoffsOut(BaseModel):
    handoffs: list[HandoffOut]


class ChecklistOut(BaseModel):
    items: list[ItemOut]


class ItemIn(Strict):
    key: str = Field(min_length=1, max_length=64)
    ticked: StrictBool = Field(default=True, description="true: dette er i orden og følger med")
    note: str | None = Field(default=None, max_length=service.NOTE_LIMIT)


class HandoffIn(Strict):
    to: int = Field(ge=1, description="mottakerenhetens id (GET /api/enheter); en enhet i en annen kommune bare "
                                      "med avtale (en enhet av typen annen_kommune med kommunens navn)")
    on: IsoDate = Field(description="planlagt overføringsdato, fra i dag til ett år fram (ÅÅÅÅ-MM-DD)")
    message: str = Field(default="", max_length=service.MESSAGE_LIMIT, description="hva mottakeren bør vite")
    items: list[ItemIn] = Field(default_factory=list, max_length=50,
                                description="sjekklistens punkter som er krysset av, med notat")


class ChecklistIn(Strict):
    items: list[ItemIn] = Field(min_length=1, max_length=50)


class AcceptIn(Strict):
    responsible: str = Field(min_length=1, max_length=100,
                             description="brukernavnet til en bruker i mottakerenheten som blir ansvarlig")


class ReturnIn(Strict):
    reason: str = Field(min_length=1, max_length=service.REASON_LIMIT, description="hvorfor den returneres")


def _out(view: service.HandoffView) -> HandoffOut:
    return HandoffOut(**view.as_json())


def _split(items: list[ItemIn]) -> tuple[list[str], dict[str, str | None]]:
    return [i.key for i in items if i.ticked], {i.key: i.note for i in items if i.note is not None}


@router.get("/saker/{case_id}/overforinger", summary="En saks overføringer", response_model=HandoffsOut)
def case_handoffs(request: Request, case_id: Id, account: Signed) -> HandoffsOut:
    _role(account)
    return HandoffsOut(handoffs=[_out(v) for v in service.of_case(_ctx(request, account), case_id)])


@router.get("/saker/{case_id}/overforinger/sjekkliste", summary="Sjekklisten en overføring av saken får",
            response_model=ChecklistOut)
def case_checklist(request: Request, case_id: Id, account: Signed,
                   to: Annotated[int | None, Query(ge=1, description="mottakerenheten (avgjør om samtykke "
                                                                     "kreves)")] = None) -> ChecklistOut:
    _role(account)
    items = service.checklist(_ctx(request, account), case_id, to)
    return ChecklistOut(items=[ItemOut(**i.as_json()) for i in items])


@router.post("/saker/{case_id}/overforinger", status_code=201, summary="Send en overføring av saken",
             response_model=HandoffOut, responses={
                 201: {"description": "sendt; mottakerenheten ser den i «Overføringer til oss»"},
                 409: {"model": Problem, "description": "saken har allerede en overføring som venter"}})
def send_handoff(request: Request, case_id: Id, body: HandoffIn, account: Signed) -> HandoffOut:
    _role(account, write=True)
    ctx = _ctx(request, account)
    ticks, notes = _split(body.items)
    number = service.send(ctx, case_id, to_unit=body.to, on=body.on, message=body.message, ticks=ticks, notes=notes)
    return _out(service.show(ctx, number))


@router.get("/overforinger", summary="Overføringer til brukerens enhet, eller de sendte", response_model=HandoffsOut)
def list_handoffs(request: Request, account: Signed,
                  sent: Annotated[bool, Query(description="true: de sendte fra brukerens saker; ellers de til "
                                                          "brukerens enhet")] = False,
                  pending: Annotated[bool, Query(description="bare de som venter på mottak")] = False) -> HandoffsOut:
    _role(account)
    ctx = _ctx(request, account)
    found = service.outbox(ctx, pending) if sent else service.inbox(ctx, pending)
    return HandoffsOut(handoffs=[_out(v) for v in found])


@router.get("/overforinger/{handoff_id}", summary="Én overføring", response_model=HandoffOut)
def get_handoff(request: Request, handoff_id: Id, account: Signed) -> HandoffOut:
    _role(account)
    return _out(service.show(_ctx(request, account), handoff_id))


@router.post("/overforinger/{handoff_id}/mottak", summary="Ta imot en overføring og velg hvem som er ansvarlig",
             response_model=HandoffOut, responses=DECIDED)
def accept_handoff(request: Request, handoff_id: Id, body: AcceptIn, account: Signed) -> HandoffOut:
    _role(account)
    return _out(service.accept(_ctx(request, account), handoff_id, body.responsible))


@router.post("/overforinger/{handoff_id}/retur", summary="Returner en overføring til avsenderen med en grunn",
             response_model=HandoffOut, responses=DECIDED)
def return_handoff(request: Request, handoff_id: Id, body: ReturnIn, account: Signed) -> HandoffOut:
    _role(account)
    return _out(service.give_back(_ctx(request, account), handoff_id, body.reason))


@router.post("/overforinger/{handoff_id}/tilbaketrekking", summary="Trekk tilbake en overføring som venter",
             response_model=HandoffOut, responses=DECIDED)
def cancel_handoff(request: Request, handoff_id: Id, account: Signed) -> HandoffOut:
    _role(account)
    return _out(service.cancel(_ctx(request, account), handoff_id))


@router.patch("/overforinger/{handoff_id}/sjekkliste", summary="Kryss av flere punkter eller skriv notater",
              response_model=HandoffOut, responses=DECIDED)
def tick_handoff(request: Request, handoff_id: Id, body: ChecklistIn, account: Signed) -> HandoffOut:
    _role(account)
    ticks, notes = _split(body.items)
    return _out(service.tick(_ctx(request, account), handoff_id, ticks, notes))
