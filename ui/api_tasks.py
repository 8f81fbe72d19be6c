"""The REST API of tasks (oppgaver): ``/api/oppgaver`` (GET a list: mine, my unit's, given by me, all I
see; POST a new task to a colleague or a unit), ``/api/oppgaver/{id}/utfort`` (POST: complete with a
note) and ``/api/saker/{case}/oppgaver`` (GET a case's tasks). The same services and rules as the pages
(:mod:`pathways.services.tasks`): 403 for a role that may not give tasks, 404 for what is outside the
user's kommune or not theirs (the same answer as what does not exist), 409 for a task done already, 422
naming the field (a due date in the past, no assignee or two).

Dates are strict ``ÅÅÅÅ-MM-DD`` text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from pathways.services import tasks as service
from ui.api import Problem, Problems, Signed, Strict, _Answers, _ctx, _role
from ui.api_livelihood import IsoDate
from ui.boundary import MAX_ID, Id

router = APIRouter(prefix="/api", tags=["oppgaver"], route_class=_Answers, responses={
    401: {"model": Problem, "description": "mangler gyldig token"},
    404: {"model": Problem, "description": "oppgaven, saken eller mottakeren finnes ikke, eller er utenfor "
                                          "brukerens kommune eller tilgang"},
    422: {"model": Problems, "description": "ugyldige data: hvert felt med feil og hva som er galt"}})


class TaskOut(BaseModel):
    id: int
    title: str = Field(description="hva som skal gjøres")
    due: date = Field(description="fristen")
    case_id: int | None = Field(description="saken oppgaven gjelder, når den gjelder en sak")
    assignee_username: str | None = Field(description="kollegaen oppgaven er gitt til (ellers en enhet)")
    unit_id: int | None = Field(description="enheten oppgaven er gitt til (ellers en kollega)")
    unit_name: str | None
    created_by: str = Field(description="hvem som ga oppgaven")
    created_at: datetime
    done: bool
    done_at: datetime | None
    done_by: str | None
    done_note: str | None = Field(description="notatet fra den som utførte oppgaven")


class TasksOut(BaseModel):
    tasks: list[TaskOut]


class TaskIn(Strict):
    title: str = Field(min_length=1, max_length=service.TITLE_LIMIT, description="hva som skal gjøres, f.eks. "
                                                                                "«Bestill tolk»")
    due: IsoDate = Field(description="fristen, i dag eller senere (ÅÅÅÅ-MM-DD)")
    to_user: str | None = Field(default=None, min_length=1, max_length=100,
                                description="brukernavnet til kollegaen oppgaven gis til (eller to_unit)")
    to_unit: int | None = Field(default=None, ge=1, le=MAX_ID, description="enheten oppgaven gis til (eller to_user)")
    case_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="saken oppgaven gjelder (valgfri)")


class TaskDone(Strict):
    note: str = Field(default="", max_length=service.NOTE_LIMIT, description="hva som ble gjort (valgfritt)")


class TaskCreated(BaseModel):
    id: int


def _out(task: service.TaskLine) -> TaskOut:
    return TaskOut(**{**task.as_json(), "due": task.due, "created_at": task.created_at, "done_at": task.done_at})


@router.get("/oppgaver", summary="Oppgaver: mine, enhetens, de jeg har gitt, eller alle jeg ser",
            response_model=TasksOut,
            responses={403: {"model": Problem, "description": "ikke innlogget med en rolle"}})
def list_tasks(request: Request, account: Signed,
               liste: Annotated[Literal["mine", "unit", "given", "all"],
                                Query(description="mine: gitt til meg; unit: gitt til enheten min; given: gitt av "
                                                  "meg; all: alle jeg ser")] = "mine",
               utforte: Annotated[bool, Query(description="true: også utførte oppgaver")] = False) -> TasksOut:
    found = service.list_tasks(_ctx(request, account), liste, include_done=utforte)
    return TasksOut(tasks=[_out(t) for t in found])


@router.post("/oppgaver", status_code=201, summary="Gi en oppgave til en kollega eller en enhet i kommunen",
             response_model=TaskCreated, responses={
                 403: {"model": Problem, "description": "rollen kan ikke gi oppgaver (bare en veileder)"},
                 422: {"model": Problems, "description": "ugyldige data: frist før i dag, ingen eller to mottakere, "
                                                        "tom tittel; hvert felt med feil"}})
def create_task(request: Request, body: TaskIn, account: Signed) -> Any:
    _role(account, write=True)
    return TaskCreated(id=service.add_task(_ctx(request, account), title=body.title, due=body.due,
                                           to_user=body.to_user, to_unit=body.to_unit, case_id=body.case_id))


@router.post("/oppgaver/{task_id}/utfort", summary="Merk en oppgave gitt til meg eller enheten min som utført",
             response_model=TaskOut, responses={
                 409: {"model": Problem, "description": "oppgaven er allerede utført"}})
def complete_task(request: Request, task_id: Id, body: TaskDone, account: Signed) -> TaskOut:
    ctx = _ctx(request, account)
    service.complete_task(ctx, task_id, body.note)
    return _out(service.get_task(ctx, task_id))


@router.get("/saker/{case_id}/oppgaver", summary="Oppgavene som gjelder en sak", response_model=TasksOut,
            responses={403: {"model": Problem, "description": "rollen leser ikke saker"}})
def case_tasks(request: Request, case_id: Id, account: Signed,
               utforte: Annotated[bool, Query(description="true: også utførte oppgaver")] = True) -> TasksOut:
    _role(account)
    found = service.list_tasks(_ctx(request, account), "all", include_done=utforte, case_id=case_id)
    return TasksOut(tasks=[_out(t) for t in found])
