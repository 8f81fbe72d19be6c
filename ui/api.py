"""The REST API under /api: the same services and the same access rules as the pages, for integrations.

Authentication is a bearer token (``pathways users token USERNAME``); the token acts as its user, with
that user's kommune and role: every service is called as that user and decides itself what they see
(:mod:`pathways.services.access`). Errors: 401 without a valid token, 403 when the role may not, 404 for
anything outside the user's scope, 409 on a concurrent change, 422 with details for bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from pathways.bounds import MAX_ID
from pathways.engine.inputs import InputError
from pathways.engine.machine import GuardReport, Refused
from pathways.services import access
from pathways.services import cases as case_service
from pathways.services import flags as flag_service
from pathways.services.access import Forbidden
from pathways.services.accounts import Account
from pathways.services.context import Actor, Conflict, Context, NotFound, ServiceError
from pathways.services.dashboard import (
    SORTS,
    CaseloadFilter,
    add_note,
    case_extras,
    caseload,
    cohort,
    flags,
    published_pathways,
)
from pathways.services.participants import (
    ImportRejected,
    add_participant,
    check_import,
    import_csv,
    read_participant,
)
from pathways.services.story import edit_note
from pathways.services.worklist import worklist
from ui.boundary import NOT_STORABLE, Id, unstorable
from ui.security import bearer_account


class Problem(BaseModel):
    detail: str


class GuardReason(BaseModel):
    """One condition that refused an event: the guard, the values it read and, in bokmål, what failed."""

    step: str
    to: str | None
    guard: str
    values: dict[str, Any]
    result: str = Field(description="'false', or 'unknown: …' when a value it reads is not registered")
    message: str | None = Field(description="the rule as the pathway definition words it")
    explanation: list[str] = Field(description="which condition failed and what would meet it (bokmål)")


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    reasons: list[GuardReason] | None = Field(default=None, description="why a refused event was refused")


class Problems(BaseModel):
    detail: list[FieldProblem]


def _fail(exc: ServiceError) -> HTTPException:
    if isinstance(exc, Forbidden):
        return HTTPException(403, str(exc))  # the API speaks English (the dashboard: ui.messages)
    if isinstance(exc, NotFound):
        return HTTPException(404, str(exc))
    if isinstance(exc, Conflict):
        return HTTPException(409, str(exc))
    cause = exc.__cause__
    if isinstance(cause, Refused) and cause.reports:  # the structured reason beside the message
        why = [line for r in cause.reports for line in (r.explanation or [r.message or r.guard])]
        return HTTPException(422, [{"loc": ["body", "event"], "msg": f"{cause.summary}: {'; '.join(map(str, why))}",
                                    "type": "refused", "reasons": [_reason(r) for r in cause.reports]}])
    if isinstance(cause, InputError) and len(cause.errors) > 1:  # every field's problem at once
        return HTTPException(422, [{"loc": ["body", "on"] if name == "on" else ["body", "values", name],
                                    "msg": str(message), "type": getattr(message, "code", None) or "value_error"}
                                   for name, message in cause.errors.items()])
    problems = getattr(exc, "problems", None) or getattr(exc, "errors", None) or {exc.field: exc.text}
    return HTTPException(422, [{"loc": ["body", field] if field else ["body"], "msg": str(message),
                                "type": getattr(message, "code", None) or exc.code or "value_error"}
                               for field, message in problems.items()])


def _reason(report: GuardReport) -> dict[str, Any]:
    values = {k: v if v is None or isinstance(v, str | int | float | bool) else str(v)  # a Period as P2Y
              for k, v in report.values.items()}
    return {"step": report.step, "to": report.to, "guard": report.guard, "values": values,
            "result": report.result, "message": report.message, "explanation": list(report.explanation)}


class _Answers(APIRoute):
    """Every API route: a service's refusal (:class:`ServiceError`) becomes its HTTP answer here, in one
    place: 404 not found or out of scope, 409 a concurrent change, 422 bad input."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except ServiceError as exc:
                raise _fail(exc) from None

        return answer


router = APIRouter(prefix="/api", tags=["api"], route_class=_Answers, responses={
    401: {"model": Problem, "description": "mangler gyldig token"},
    404: {"model": Problem, "description": "finnes ikke, eller er utenfor brukerens tilgang (også en id utenfor "
                                          f"1–{MAX_ID})"},
    422: {"model": Problems, "description": "ugyldige data: hvert felt med feil og hva som er galt"}})


def _ctx(request: Request, account: Account | None = None) -> Context:
    """The services' context acting as ``account``; without one, as nobody (no participant or case is seen)."""
    actor = account.actor if account is not None else Actor.anonymous("api")
    return Context(request.app.state.engine, request.app.state.clock, actor=actor, channel="api")


def token_account(request: Request) -> Account:
    account = bearer_account(request, _ctx(request))
    if account is None:
        raise HTTPException(401, "mangler gyldig token (Authorization: Bearer …)",
                            headers={"WWW-Authenticate": "Bearer"})
    return account


Signed = Annotated[Account, Depends(token_account)]
Page = Annotated[int, Query(ge=1, le=MAX_ID, description="sidenummer")]


def _role(account: Account, write: bool = False, change: bool = False) -> None:
    """403 unless the role reads cases (``write``: adds participants and changes cases, the refugee service's
    veileder; ``change``: changes the cases they work, a veileder of any unit), before the body is looked at."""
    try:
        (access.changer if change else access.writing if write else access.reading)(account.actor)
    except Forbidden as exc:
        raise HTTPException(403, str(exc)) from None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        """Text no database can store (a NUL, half a surrogate pair) is refused, wherever in the body."""
        where = unstorable(data)
        if where is not None:
            raise PydanticCustomError("value_error", "{where} " + NOT_STORABLE, {"where": where})
        return data


class EventIn(Strict):
    event: str = Field(min_length=1, max_length=64, description="hendelsens navn, som i løpsdefinisjonen")
    on: date = Field(description="datoen det skjedde (ÅÅÅÅ-MM-DD)")
    values: dict[str, Any] = Field(default_factory=dict, description="hendelsens felter")
    step: str | None = Field(default=None, max_length=64)
    case_version: int | None = Field(default=None, ge=1, description="sakens versjon du leste (optimistisk lås)")


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=5000)


class NoteEdit(Strict):
    text: str = Field(min_length=1, max_length=5000, description="the note's new text")


class SnoozeIn(Strict):
    until: date


class ResolveIn(Strict):
    comment: str = Field(min_length=1, max_length=500)


class ParticipantIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    born: date
    settled: date | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


@router.get("/saker", summary="Saksliste: sakene brukeren har tilgang til")
def list_cases(request: Request, account: Signed, lop: str | None = None, steg: str | None = None,
               flagg: str | None = None, frist_innen: Annotated[int | None, Query(ge=0, le=3650)] = None,
               q: Annotated[str | None, Query(max_length=100)] = None, status: str = "aktive",
               sort: str = "frist", synkende: bool = False, side: Page = 1,
               veileder: Annotated[int | None, Query(ge=1, le=MAX_ID, description=(
                   "bare sakene til denne veilederen (brukerens id; en veileder i kommunen)"))] = None,
               ) -> dict[str, Any]:
    if sort not in SORTS:
        raise HTTPException(422, [{"loc": ["query", "sort"], "msg": f"velg en av {', '.join(SORTS)}",
                                   "type": "value_error"}])
    _role(account)
    result = caseload(_ctx(request, account),
                      CaseloadFilter(lop, steg, flagg, frist_innen, q, status, sort, synkende, side, veileder))
    return {"total": result.total, "page": result.page, "pages": result.pages,
            "cases": [r.as_json() for r in result.rows]}


@router.get("/saker/{case_id}", summary="En sak: steg, tillatte hendelser, frister, inntektsgap, hendelser")
def get_case(request: Request, case_id: Id, account: Signed) -> dict[str, Any]:
    _role(account)
    ctx = _ctx(request, account)
    extras = case_extras(ctx, case_id)
    view = case_service.show(ctx, case_id)
    return {**view.as_json(),
            "events": [{"sequence": e.sequence, "name": e.name, "on": e.effective_on.isoformat(), "step": e.step,
                        "recorded_by": e.recorded_by, "values": json.loads(e.values or "{}")} for e in extras.events],
            "notes": [{"id": n.id, "text": n.text, "author": n.author, "at": n.created_at.isoformat(),
                       "edited_at": n.edited_at.isoformat() if n.edited_at else None} for n in extras.notes],
            "flags": [_flag_json(f) for f in extras.flags]}


@router.post("/saker/{case_id}/hendelser", status_code=201, summary="Registrer en hendelse på en sak")
def post_event(request: Request, case_id: Id, body: EventIn, account: Signed) -> dict[str, Any]:
    _role(account, change=True)
    ctx = _ctx(request, account)
    result = case_service.advance(ctx, case_id, body.event, body.on, body.values, step=body.step,
                                  expected_version=body.case_version)
    state = result.state
    return {"case": case_id, "event": result.event_id, "status": state.status,
            "steps": state.steps + list(state.compounds), "outcome": state.outcome,
            "moved": [list(m) for m in result.moved], "moved_titles": [list(m) for m in result.moved_titles],
            "new_cases": list(result.new_cases)}


@router.post("/saker/{case_id}/notater", status_code=201, summary="Skriv et notat på en sak")
def post_note(request: Request, case_id: Id, body: NoteIn, account: Signed) -> dict[str, Any]:
    _role(account, change=True)
    return {"id": add_note(_ctx(request, account), case_id, body.text)}


@router.patch("/saker/{case_id}/notater/{note_id}", summary="Endre et notat (bare forfatteren, innen 24 timer)",
               responses={403: {"model": Problem, "description": "bare den som skrev notatet kan endre det"},
                          409: {"model": Problem, "description": "notatet er mer enn 24 timer gammelt; det står "
                                                                "som skrevet (skriv et nytt notat)"}})
def patch_note(request: Request, case_id: Id, note_id: Id, body: NoteEdit, account: Signed) -> dict[str, Any]:
    _role(account, change=True)
    note = edit_note(_ctx(request, account), case_id, note_id, body.text)
    return {"id": note.id, "text": note.text, "author": note.author, "at": note.created_at.isoformat(),
            "edited_at": note.edited_at.isoformat() if note.edited_at else None}


def _flag_json(flag: Any) -> dict[str, Any]:
    return {"id": flag.id, "kind": flag.kind, "severity": flag.severity, "case": flag.enrolment_id,
            "due": flag.due.isoformat() if flag.due else None, "message": flag.message, "state": flag.state,
            "snoozed_until": flag.snoozed_until.isoformat() if flag.snoozed_until else None,
            "resolution": flag.resolution, "resolved_by": flag.resolved_by}


@router.get("/flagg", summary="Flaggene brukeren har tilgang til")
def list_flags(request: Request, account: Signed, tilstand: str = "aktive", type: str | None = None,
               alvor: str | None = None, side: Page = 1) -> dict[str, Any]:
    _role(account)
    page = flags(_ctx(request, account), tilstand, type, alvor, side)
    return {"total": page.total, "page": page.page, "pages": page.pages, "flags": [_flag_json(f) for f, _ in page.rows]}


def _flag_change(request: Request, account: Account, flag_id: int) -> Context:
    """The context to change a flag in (the service finds the flag in the user's scope, else 404)."""
    _role(account, change=True)
    return _ctx(request, account)


@router.post("/flagg/{flag_id}/kvitter", summary="Kvitter for et flagg")
def acknowledge(request: Request, flag_id: Id, account: Signed) -> dict[str, Any]:
    ctx = _flag_change(request, account, flag_id)
    flag_service.acknowledge(ctx, flag_id)
    return {"id": flag_id, "state": "acknowledged"}


@router.post("/flagg/{flag_id}/utsett", summary="Utsett et flagg til en dato")
def snooze(request: Request, flag_id: Id, body: SnoozeIn, account: Signed) -> dict[str, Any]:
    ctx = _flag_change(request, account, flag_id)
    flag_service.snooze(ctx, flag_id, body.until)
    return {"id": flag_id, "state": "snoozed", "until": body.until.isoformat()}


@router.post("/flagg/{flag_id}/lukk", summary="Løs et flagg med en kommentar")
def resolve(request: Request, flag_id: Id, body: ResolveIn, account: Signed) -> dict[str, Any]:
    ctx = _flag_change(request, account, flag_id)
    flag_service.resolve(ctx, flag_id, body.comment)
    return {"id": flag_id, "state": "resolved"}


@router.post("/deltakere", status_code=201, summary="Legg til en deltaker i brukerens kommune")
def create_participant(request: Request, body: ParticipantIn, account: Signed) -> dict[str, Any]:
    if not account.writes_cases:
        raise HTTPException(403, "rollen din kan ikke legge til deltakere")
    pid = add_participant(_ctx(request, account), name=body.name, born=body.born, settled=body.settled,
                          kommune=account.kommune, fields=body.fields)
    return {"id": pid}


class ImportPreview(BaseModel):
    count: int = Field(description="rader som kan importeres")
    sample: list[dict[str, Any]] = Field(description="de første radene: line, name, born, settled, kommune")


class Imported(BaseModel):
    imported: int
    ids: list[int]


@router.post("/deltakere/import", status_code=201, response_model=Imported,
             summary="Importer deltakere fra CSV eller Excel (.xlsx): alle rader eller ingen", responses={
                 200: {"model": ImportPreview, "description": "med kontroll=true: filen er kontrollert, ingenting "
                                                               "er lagret"},
                 403: {"model": Problem, "description": "rollen kan ikke legge til deltakere"}})
def import_file(request: Request, account: Signed, file: Annotated[UploadFile, File(
                    description="CSV (komma eller semikolon; UTF-8 eller Windows-1252) eller .xlsx; kolonner "
                                "navn/name, fødselsdato/born, bosatt/settled, kommune og faktafelter; datoer "
                                "31.12.1990 eller 1990-12-31")],
                kontroll: Annotated[bool, Query(description="bare kontroller filen; lagre ingenting")] = False
                ) -> Any:
    """The same import as the dashboard's, into the user's kommune: with row errors, 422 lists each one
    (``loc``: file, line, column) and nothing is written."""
    _role(account, write=True)
    ctx, name = _ctx(request, account), file.filename or "filen"
    try:
        if kontroll:
            checked = check_import(ctx, file.file, name)
            if checked.failed:
                raise ImportRejected(checked.errors, checked.failed)
            return JSONResponse({"count": checked.count, "sample": checked.sample})
        ids = import_csv(ctx, file.file, name)
    except ImportRejected as exc:
        raise HTTPException(422, [{"loc": ["body", "file", e.line, e.field], "msg": str(e.message),
                                   "type": "value_error"} for e in exc.errors]) from None
    return {"imported": len(ids), "ids": ids}


@router.get("/deltakere/{pid}", summary="En deltaker (bare i brukerens kommune og tilgang)")
def get_participant(request: Request, pid: Id, account: Signed) -> dict[str, Any]:
    try:
        row, _ = read_participant(_ctx(request, account), pid)
    except (Forbidden, NotFound):  # a role without participants is told the same as for a foreign one
        raise HTTPException(404, f"fant ingen deltaker {pid}") from None
    data = row.model_dump(exclude={"kommune_id", "created_at"})
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


@router.get("/kohort/{pathway_id}", summary="Kohort: aktive per steg og utfall mot målet")
def get_cohort(request: Request, pathway_id: str, account: Signed) -> dict[str, Any]:
    ctx = _ctx(request, account)
    if pathway_id not in dict(published_pathways(ctx)):
        raise HTTPException(404, f"løpet '{pathway_id}' er ikke publisert")
    c = cohort(ctx, pathway_id)
    return {"pathway": c.pathway_id, "active": c.active, "per_step": c.per_step,
            "outcomes": [{"step": s, "title": t, "kind": k, "count": n} for s, t, k, n in c.outcomes],
            "finished": c.finished, "in_work_or_education": c.in_work_or_education, "share": c.share,
            "target": c.target}




# -- «I dag»: the worklist ----------------------------------------------------------------------------


class WorkItemOut(BaseModel):
    key: str = Field(description="stabil nøkkel for linjen")
    rank: str = Field(description="brudd | gap_na | frist_nar | gap_kommer | paminnelse (i den rekkefølgen)")
    kind: str = Field(description="flaggtype (som i /api/flagg), eller oppgave / oppgave_forfalt")
    on: date = Field(description="datoen som rangerer linjen (frist, første dag i gapet)")
    what: str = Field(description="hva")
    why: str = Field(description="hvorfor")
    todo: str = Field(description="hva du skal gjøre")
    line: str = Field(description="hva, hvorfor og hva du skal gjøre, på én linje")
    action_url: str | None = Field(description="skjemaet handlingen gjøres i (sidens adresse)")
    action_label: str
    case_id: int | None
    participant_id: int | None
    name: str | None
    flag_id: int | None = Field(description="flagget som kan kvitteres eller utsettes, når det finnes")
    severity: str
    task_id: int | None = Field(default=None, description="oppgaven som kan merkes utført (POST "
                                                          "/api/oppgaver/{id}/utfort), når linjen er en oppgave")


class MetLateOut(BaseModel):
    case_id: int
    name: str | None
    title: str
    due: date
    met_on: date
    line: str


class WorklistOut(BaseModel):
    total: int = Field(description="alle oppgaver i dag")
    cap: int = Field(description="dagens tak (PATHWAYS_WORKLIST_CAP)")
    capped: bool = Field(description="sant når listen er kuttet ved taket (be om alle med alle=true)")
    items: list[WorkItemOut]
    met_late: list[MetLateOut] = Field(description="frister oppfylt for sent den siste uken (til orientering), de "
                                                   "siste først, høyst taket uten alle=true")
    met_late_total: int = Field(description="alle frister oppfylt for sent den siste uken")
    page: int = Field(description="siden som vises (med alle=true: 200 per side)")
    pages: int = Field(description="antall sider")


@router.get("/i-dag", summary="I dag: det som må følges opp i dag, viktigst først", response_model=WorklistOut,
            responses={403: {"model": Problem, "description": "rollen leser ikke saker"}})
def get_worklist(request: Request, account: Signed, alle: bool = False,
                 side: Annotated[int, Query(ge=1, le=100_000, description="side med alle=true (200 per side)")] = 1
                 ) -> WorklistOut:
    _role(account)
    result = worklist(_ctx(request, account), everything=alle, page=side)
    return WorklistOut(total=result.total, cap=result.cap, capped=result.capped, page=result.page, pages=result.pages,
                       items=[WorkItemOut(**{**item.as_json(), "on": item.on}) for item in result.items],
                       met_late=[MetLateOut(case_id=m.case_id, name=m.name, title=m.title, due=m.due, met_on=m.met_on,
                                            line=m.line) for m in result.met_late],
                       met_late_total=result.met_late_total)
