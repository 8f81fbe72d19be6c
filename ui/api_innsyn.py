"""The REST API of the participant's right of access (innsyn): ``GET /api/deltakere/{pid}/innsyn``, everything
kept about them as JSON, the same as the dashboard's download and ``pathways participants export``
(:mod:`pathways.services.innsyn`), by the same rule: the leder of their kommune or the veileder of one of
their cases. Each answer is recorded in the audit trail.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from pathways.services import innsyn
from ui.api import Problem, Problems, Signed, _Answers, _ctx, _role
from ui.boundary import Id

router = APIRouter(prefix="/api", tags=["api"], route_class=_Answers, responses={
    401: {"model": Problem, "description": "mangler gyldig token"},
    403: {"model": Problem, "description": "rollen kan ikke dette: bare lederen i deltakerens kommune og veilederen "
                                          "for en av deltakerens saker (eller den som er vikar for veilederen)"},
    404: {"model": Problem, "description": "deltakeren finnes ikke, eller er utenfor brukerens tilgang"},
    422: {"model": Problems, "description": "ugyldig id"}})

_EXAMPLE = {"format": innsyn.FORMAT, "format_version": innsyn.FORMAT_VERSION, "generated": "2026-11-22T10:15:00+01:00",
            "participant": {"id": 7, "name": "Amina Ali", "birth_date": "1990-03-04", "kommune": "Asker", "…": "…"},
            "cases": [{"id": 12, "pathway": "introduksjonsprogram", "status": "active", "events": [], "deadlines": [],
                       "notes": [], "handoffs": [], "tasks": [], "absence": [], "…": "…"}],
            "livelihood": [], "flags": [], "audit": [], "reads": []}


@router.get("/deltakere/{pid}/innsyn", summary="Innsyn: alt som er lagret om en deltaker, som JSON",
            description="Deltakerens opplysninger, hver sak med hendelser (verdiene som registrert og i ord), frister, "
                        "notater, overføringer, oppgaver og fravær, inntektskildene, flaggene og revisjonsloggen om "
                        "deltakeren; hvem som registrerte hva og når. Datoer ÅÅÅÅ-MM-DD, tidspunkter ISO 8601 med "
                        "tidssone. Uttrekket føres i revisjonsloggen (innsyn eksportert).",
            responses={200: {"description": "alt som er lagret om deltakeren",
                             "content": {"application/json": {"example": _EXAMPLE}}}})
def get_innsyn(request: Request, pid: Id, account: Signed) -> dict[str, Any]:
    _role(account)
    return innsyn.export(_ctx(request, account), pid, "json").as_json()
