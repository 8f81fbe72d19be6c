"""The dashboard's pages. Every POST checks the CSRF token first; every service is called acting as the
signed-in user, and decides itself what they see (:mod:`pathways.services.access`)."""

from __future__ import annotations

import tempfile
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from pathways.bounds import MAX_ID
from pathways.checks.breach import KIND as BREACH_KIND
from pathways.checks.sweep import FAMILIES, run_checks
from pathways.engine.machine import Refused
from pathways.services import access
from pathways.services import cases as case_service
from pathways.services import flags as flag_service
from pathways.services.accounts import (
    ROLES,
    Account,
    add_user,
    authenticate,
    change_password,
    end_session,
    find_user,
    reset_password,
    revoke_token,
    set_active,
    set_role,
    start_session,
    tokens_of,
    unlock,
    users_in,
)
from pathways.services.audit import participant_trail, user_trail
from pathways.services.context import Conflict, NotFound, ServiceError, definition_of
from pathways.services.dashboard import (
    FLAG_KINDS,
    PAGE_SIZE,
    SORTS,
    CaseloadFilter,
    add_note,
    case_extras,
    caseload,
    cohort,
    flag_in_scope,
    flags,
    published_pathways,
)
from pathways.services.participants import (
    FACT_FIELDS,
    MAX_IMPORT_BYTES,
    add_participant,
    find_participants,
    import_csv,
    read_participant,
    update_participant,
)
from pathways.store.tables import Participant, PathwayVersion
from ui.app import PageError, SignInRequired, context, diagram_svg, error_text, forbidden, not_found, render
from ui.boundary import NOT_STORABLE, Id, unstorable
from ui.livelihood import timeline
from ui.messages import field_word, norsk
from ui.security import Throttled, session_account

router = APIRouter(include_in_schema=False)


# -- who is signed in ------------------------------------------------------------------------------


def signed_in(request: Request) -> Account:
    account = session_account(request, context(request))
    if account is None:
        raise SignInRequired()
    if account.must_change_password and request.url.path not in ("/passord", "/logg-ut"):
        raise SignInRequired("/passord")
    request.state.account = account
    return account


SignedIn = Annotated[Account, Depends(signed_in)]


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form after its CSRF token checked out (else 403, nothing done)."""
    if not await request.app.state.csrf.check(request):
        raise PageError(403, "Skjemaet er utløpt eller kommer ikke fra denne siden. Last siden på nytt og prøv igjen.")
    form = {k: v for k, v in (await request.form()).multi_items()}
    where = unstorable({k: v for k, v in form.items() if isinstance(v, str)})
    if where is not None:
        raise PageError(422, f"Feltet «{field_word(where)}» {NOT_STORABLE}. Fjern tegnet og prøv igjen.")
    return form


def reader(account: Account, refusal: str | None = None) -> None:
    """403 unless the user's role reads cases and participants (the rule: :func:`access.reading`); the
    page says ``refusal`` when given."""
    try:
        access.reading(account.actor)
    except access.Forbidden as exc:
        raise (PageError(403, refusal) if refusal else forbidden(exc)) from None


def writer(account: Account, what: str | None = None) -> None:
    """403 unless the user's role changes cases and participants (the rule: :func:`access.writing`); the
    page says the role may not change ``what`` when given."""
    try:
        access.writing(account.actor)
    except access.Forbidden as exc:
        raise (PageError(403, f"Rollen din kan ikke endre {what}.") if what else forbidden(exc)) from None


def _date(value: str | None, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        errors[field] = f"«{value or ''}» er ikke en dato (skriv ÅÅÅÅ-MM-DD)"
        return None


# -- sign-in ----------------------------------------------------------------------------------------


@router.get("/logg-inn")
def login_page(request: Request, neste: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(neste), "errors": {}, "username": ""}, account=None)


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/logg-inn")
async def login(request: Request) -> Response:
    form = await form_of(request)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    address = request.client.host if request.client else "?"
    throttle = request.app.state.throttle
    data = {"next": _safe_next(str(form.get("next", "/"))), "username": username}
    try:
        attempt = throttle.attempt(username, address)
    except Throttled as exc:
        return render(request, "login.html", {**data, "errors": {"form": _throttled(exc)}}, status=429)
    account = authenticate(context(request), username, password)
    if account is None:
        return render(request, "login.html", {**data, "errors": {"form": "Feil brukernavn eller passord."}},
                      status=401)
    throttle.succeeded(attempt)
    request.session.clear()  # a new session: the anonymous one's CSRF token is worthless from here on
    request.session["sid"] = start_session(context(request), account.id)
    return RedirectResponse("/passord" if account.must_change_password else data["next"], status_code=303)


def _throttled(exc: Throttled) -> str:
    minutes = f"{exc.minutes} minutt{'er' if exc.minutes > 1 else ''}"
    if exc.kind == "user":
        return (f"For mange mislykkede innlogginger: brukeren er sperret i {minutes}, og så lenge avvises også "
                "riktig passord. Vent, eller be en administrator oppheve sperren under Brukere.")
    return f"For mange mislykkede innlogginger fra denne adressen. Vent {minutes} og prøv igjen."


@router.post("/logg-ut")
async def logout(request: Request) -> Response:
    await form_of(request)
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        end_session(context(request), session_id)
    request.session.clear()
    return RedirectResponse("/logg-inn", status_code=303)


@router.get("/passord")
def password_page(request: Request, account: SignedIn) -> Response:
    return render(request, "password.html", {"errors": {}})


@router.post("/passord")
async def password_change(request: Request, account: SignedIn) -> Response:
    form = await form_of(request)
    errors: dict[str, str] = {}
    if form.get("password") != form.get("repeat"):
        errors["repeat"] = "passordene er ikke like"
    else:
        try:
            change_password(context(request, account), account.id, str(form.get("current", "")),
                            str(form.get("password", "")), keep_session=request.session.get("sid"))
            return RedirectResponse("/", status_code=303)
        except ServiceError as exc:
            errors[exc.field or "form"] = error_text(exc)
    return render(request, "password.html", {"errors": errors}, status=422)


@router.get("/")
def home(account: SignedIn) -> Response:
    return RedirectResponse("/admin/brukere" if account.is_admin else "/saker", status_code=303)


# -- saksliste --------------------------------------------------------------------------------------


def _int(value: str | None, field: str, errors: dict[str, str], low: int = 0, high: int = MAX_ID) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        errors[field] = f"«{value}» er ikke et heltall"
        return None
    if number < low:
        errors[field] = f"må være {low} eller mer"
        return None
    if number > high:
        errors[field] = f"må være {high} eller mindre"
        return None
    return number


@router.get("/saker")
def caseload_page(request: Request, account: SignedIn) -> Response:
    reader(account)
    q = request.query_params
    errors: dict[str, str] = {}
    wanted = CaseloadFilter(pathway=q.get("lop") or None, step=q.get("steg") or None, flag_kind=q.get("flagg") or None,
                            due_within=_int(q.get("frist_innen"), "frist_innen", errors, high=3650),
                            q=q.get("q") or None, status=q.get("status") or "aktive",
                            sort=q.get("sort") or "frist", descending=q.get("synkende") == "1",
                            page=_int(q.get("side"), "side", errors, low=1) or 1)
    result = None
    try:
        if not errors:
            result = caseload(context(request, account), wanted)
    except ServiceError as exc:
        errors[exc.field or "form"] = error_text(exc)
    params = {k: v for k, v in q.items() if v and k != "side"}
    data = {"result": result, "wanted": wanted, "errors": errors, "pathways": published_pathways(context(request)),
            "sorts": SORTS, "flag_kinds": FLAG_KINDS, "params": params, "page_size": PAGE_SIZE,
            "query": lambda **extra: urlencode({**params, **extra})}
    template = "caseload_table.html" if request.headers.get("hx-request") else "caseload.html"
    return render(request, template, data, status=422 if errors else 200)


# -- the case page ----------------------------------------------------------------------------------


def _case_data(request: Request, account: Account, case_id: int) -> dict[str, Any]:
    reader(account)
    ctx = context(request, account)
    try:
        extras = case_extras(ctx, case_id)
        view = case_service.show(ctx, case_id)
    except NotFound as exc:
        raise not_found(exc) from None
    today = ctx.today()
    return {"view": view, "x": extras, "can_write": account.writes_cases,
            "timeline": timeline(extras.periods, view.gaps, view.fallbacks, view.start_date, today),
            "diagram_url": f"/diagram/{extras.version_id}.svg?" + urlencode([("nå", s) for s in extras.highlight]),
            "errors": {}, "values": {}, "refused": None, "open_event": None}


@router.get("/saker/{case_id}")
def case_page(request: Request, case_id: Id, account: SignedIn) -> Response:
    return render(request, "case.html", _case_data(request, account, case_id))


@router.post("/saker/{case_id}/hendelse")
async def record_event(request: Request, case_id: Id, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account)
    ctx = context(request, account)
    event = str(form.pop("event", ""))
    errors: dict[str, str] = {}
    on = _date(str(form.pop("on", "")), "on", errors)
    version = _int(str(form.pop("case_version", "")), "case_version", errors)
    step = str(form.pop("step", "")) or None
    values = {k.removeprefix("f_"): v for k, v in form.items() if k.startswith("f_") and v != ""}
    refused = None
    if not errors and on is not None:
        try:
            result = case_service.advance(ctx, case_id, event, on, values, step=step, expected_version=version)
            moved = ", ".join(f"{a} → {b}" for a, b in result.moved)
            request.session["melding"] = "Hendelsen er registrert." + (f" Flyttet: {moved}." if moved else "")
            return RedirectResponse(f"/saker/{case_id}#hendelser", status_code=303)
        except NotFound as exc:
            raise not_found(exc) from None
        except Conflict as exc:
            errors["form"] = error_text(exc)
        except ServiceError as exc:
            cause = exc.__cause__
            if isinstance(cause, Refused) and cause.reports:
                refused = {"message": norsk(str(exc).split(":")[0]), "reports": cause.reports}
            else:
                key = "f_" + exc.field if exc.field and exc.field not in ("on", "event") else (exc.field or "form")
                key = "form" if key == "event" else key
                errors[key] = error_text(exc)
    data = _case_data(request, account, case_id)
    data.update(errors=errors, values={"on": str(on or ""), **values}, refused=refused, open_event=event)
    return render(request, "case.html", data, status=422)


@router.post("/saker/{case_id}/notat")
async def note(request: Request, case_id: Id, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account)
    try:
        add_note(context(request, account), case_id, str(form.get("text", "")))
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:
        data = _case_data(request, account, case_id)
        data.update(errors={"note": error_text(exc)}, values={"note": str(form.get("text", ""))})
        return render(request, "case.html", data, status=422)
    request.session["melding"] = "Notatet er lagret."
    return RedirectResponse(f"/saker/{case_id}#notater", status_code=303)


@router.get("/diagram/{version_id}.svg")
def diagram(request: Request, version_id: Id, account: SignedIn) -> Response:
    """A published pathway's diagram (no personal data), the steps in ``nå`` highlighted."""
    highlight = tuple(sorted(set(request.query_params.getlist("nå"))))
    with context(request).transaction() as session:
        row = session.get(PathwayVersion, version_id)
        if row is None:
            raise PageError(404, f"Fant ingen publisert versjon {version_id}.")
        definition = definition_of(session, version_id)
    try:
        svg = diagram_svg(definition, row.content_hash, highlight)
    except KeyError as exc:
        raise PageError(404, f"Ukjent steg i uthevingen: {exc.args[0]}") from None
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


# -- flags ------------------------------------------------------------------------------------------


@router.get("/flagg")
def flag_page(request: Request, account: SignedIn) -> Response:
    reader(account)
    q = request.query_params
    errors: dict[str, str] = {}
    page = _int(q.get("side"), "side", errors, low=1) or 1
    result = None
    try:
        if not errors:
            result = flags(context(request, account), q.get("tilstand") or "aktive", q.get("type") or None,
                           q.get("alvor") or None, page)
    except ServiceError as exc:
        errors[exc.field or "form"] = error_text(exc)
    params = {k: v for k, v in q.items() if v and k != "side"}
    return render(request, "flags.html", {"result": result, "errors": errors, "params": params,
                                          "query": lambda **extra: urlencode({**params, **extra})},
                  status=422 if errors else 200)


@router.post("/flagg/{flag_id}/{action}")
async def flag_action(request: Request, flag_id: Id, action: str, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account)
    ctx = context(request, account)
    if action not in ("kvitter", "utsett", "lukk"):
        raise PageError(404, "Ukjent handling.")
    error = None
    try:
        if action == "kvitter":
            flag_service.acknowledge(ctx, flag_id)
        elif action == "utsett":
            errors: dict[str, str] = {}
            until = _date(str(form.get("until", "")), "until", errors)
            if until is None:
                raise ServiceError(errors["until"], "until")
            flag_service.snooze(ctx, flag_id, until)
        else:
            flag_service.resolve(ctx, flag_id, str(form.get("comment", "")))
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:
        error = error_text(exc)
    back = _safe_next(str(form.get("back", "/flagg")))
    if request.headers.get("hx-request"):
        flag = flag_in_scope(ctx, flag_id)
        return render(request, "flag_row.html", {"flag": flag, "name": form.get("name", ""), "error": error,
                                                 "back": back, "row_error_for": flag_id if error else None},
                      status=422 if error else 200)
    if error:
        request.session["feil"] = f"Flagg {flag_id}: {error}"
    else:
        request.session["melding"] = {"kvitter": "Flagget er kvittert.", "utsett": "Flagget er utsatt.",
                                      "lukk": "Flagget er løst."}[action]
    return RedirectResponse(back, status_code=303)


# -- cohort -----------------------------------------------------------------------------------------


@router.get("/kohort")
def cohort_page(request: Request, account: SignedIn) -> Response:
    ctx = context(request, account)
    available = published_pathways(ctx)
    chosen = request.query_params.get("lop") or (available[0][0] if available else None)
    if chosen is not None and chosen not in dict(available):
        raise PageError(404, f"Løpet «{chosen}» er ikke publisert.")
    found = cohort(ctx, chosen) if chosen else None
    return render(request, "cohort.html", {"pathways": available, "chosen": chosen, "c": found})


@router.get("/kohort/{pathway_id}.svg")
def cohort_diagram(request: Request, pathway_id: str, account: SignedIn) -> Response:
    ctx = context(request, account)
    if pathway_id not in dict(published_pathways(ctx)):
        raise PageError(404, "Ukjent løp.")
    found = cohort(ctx, pathway_id)
    with ctx.transaction() as session:
        row = session.get(PathwayVersion, found.version_id)
        definition = definition_of(session, found.version_id)
    assert row is not None
    svg = diagram_svg(definition, row.content_hash, (), tuple(sorted(found.per_step.items())))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


# -- participants -----------------------------------------------------------------------------------


PARTICIPANTS_REFUSED = "Rollen din gir ikke tilgang til deltakere."


@router.get("/deltakere")
def participants_page(request: Request, account: SignedIn) -> Response:
    """Participants are casework: veileder (their own and the intake) and leder (read); not administrator."""
    reader(account, PARTICIPANTS_REFUSED)
    q = request.query_params.get("q") or None
    errors: dict[str, str] = {}
    page = _int(request.query_params.get("side"), "side", errors, low=1) or 1
    if q and len(q) > 100:
        errors["q"] = "søket er for langt (høyst 100 tegn)"
        q = None
    found = find_participants(context(request, account), q, page, PAGE_SIZE)
    return render(request, "participants.html", {"rows": found.rows, "total": found.total, "page": page,
                                                 "q": q or "", "pages": found.pages, "errors": errors})


def _participant_form(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {k: str(form.get(k, "")).strip() for k in FACT_FIELDS if str(form.get(k, "")).strip()}
    basics = {"name": str(form.get("name", "")), "born": str(form.get("born", "")).strip(),
              "settled": str(form.get("settled", "")).strip() or None}
    return basics, fields


@router.get("/deltakere/ny")
def participant_new(request: Request, account: SignedIn) -> Response:
    writer(account, "deltakere")
    return render(request, "participant_form.html", {"p": None, "values": {}, "errors": {}, "fields": FACT_FIELDS})


@router.post("/deltakere/ny")
async def participant_create(request: Request, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account, "deltakere")
    basics, fields = _participant_form(form)
    try:
        pid = add_participant(context(request, account), name=basics["name"], born=basics["born"],
                              settled=basics["settled"], kommune=account.kommune, fields=fields)
    except ServiceError as exc:
        return render(request, "participant_form.html", {"p": None, "values": form, "fields": FACT_FIELDS,
                                                         "errors": {exc.field or "form": error_text(exc)}}, status=422)
    request.session["melding"] = "Deltakeren er lagt til."
    return RedirectResponse(f"/deltakere/{pid}", status_code=303)


def _participant(request: Request, account: Account, pid: int) -> tuple[Participant, dict[str, Any]]:
    """The participant (404 outside the user's scope) and what every participant page shows of them."""
    try:
        row, cases = read_participant(context(request, account), pid)
    except NotFound:
        raise PageError(404, f"Fant ingen deltaker {pid}.") from None
    return row, {"p": row, "fields": FACT_FIELDS, "cases": cases, "pathways": published_pathways(context(request))}


@router.get("/deltakere/{pid}")
def participant_page(request: Request, pid: Id, account: SignedIn) -> Response:
    reader(account, PARTICIPANTS_REFUSED)
    row, shown = _participant(request, account, pid)
    return render(request, "participant_form.html", {**shown, "values": row.model_dump(), "errors": {}})


@router.post("/deltakere/{pid}")
async def participant_update(request: Request, pid: Id, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account, "deltakere")
    _, shown = _participant(request, account, pid)
    basics, fields = _participant_form(form)
    errors: dict[str, str] = {}
    version = _int(str(form.get("version", "")), "form", errors)
    try:
        if errors:
            raise ServiceError(errors["form"], "form")
        update_participant(context(request, account), pid, name=basics["name"], born=basics["born"],
                           settled=basics["settled"], fields=fields, expected_version=version)
    except NotFound:
        raise PageError(404, f"Fant ingen deltaker {pid}.") from None
    except ServiceError as exc:
        return render(request, "participant_form.html", {
            **shown, "values": form, "errors": {exc.field or "form": error_text(exc)}}, status=422)
    request.session["melding"] = "Endringene er lagret."
    return RedirectResponse(f"/deltakere/{pid}", status_code=303)


@router.post("/deltakere/{pid}/innmelding")
async def participant_enrol(request: Request, pid: Id, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account)
    row, shown = _participant(request, account, pid)
    errors: dict[str, str] = {}
    start = _date(str(form.get("start", "")), "start", errors)
    if start is not None:
        try:
            case_id = case_service.enrol(context(request, account), pid, str(form.get("pathway", "")), start,
                                         account.username)
            request.session["melding"] = "Deltakeren er meldt inn."
            return RedirectResponse(f"/saker/{case_id}", status_code=303)
        except NotFound as exc:
            if exc.field == "participant":
                raise PageError(404, f"Fant ingen deltaker {pid}.") from None
            errors["pathway"] = error_text(exc)
        except ServiceError as exc:
            errors[exc.field if exc.field in ("start", "pathway") else "enrol"] = error_text(exc)
    return render(request, "participant_form.html", {
        **shown, "values": row.model_dump(), "errors": errors, "enrol_values": form}, status=422)


# -- import and check runs, with progress -----------------------------------------------------------


@router.get("/deltakere-import")
def import_page(request: Request, account: SignedIn) -> Response:
    writer(account, "deltakere")
    return render(request, "import.html", {"job": None, "errors": {}})


@router.post("/deltakere-import")
async def import_start(request: Request, account: SignedIn) -> Response:
    form = await form_of(request)
    writer(account, "deltakere")
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read") or not getattr(upload, "filename", ""):
        return render(request, "import.html", {"job": None, "errors": {"file": "velg en CSV-fil"}}, status=422)
    # the job reads the file twice, row by row, never all of it in memory; it closes (deletes) the copy
    spooled = tempfile.TemporaryFile()  # noqa: SIM115
    while chunk := await upload.read(1 << 20):
        spooled.write(chunk)
        if spooled.tell() > MAX_IMPORT_BYTES:
            spooled.close()
            too_large = norsk(f"{upload.filename} is larger than {MAX_IMPORT_BYTES:,} bytes")
            return render(request, "import.html", {"job": None, "errors": {"file": too_large}}, status=422)
    ctx = context(request, account)

    def work(job: Any) -> list[int]:
        with spooled:
            return import_csv(ctx, spooled, upload.filename, progress=job.progress)  # into the user's kommune

    job = request.app.state.jobs.start("Import av deltakere", account.actor, work)
    return RedirectResponse(f"/jobber/{job.id}", status_code=303)


@router.post("/kontroll")
async def check_start(request: Request, account: SignedIn) -> Response:
    await form_of(request)
    if account.role not in ("leder", "administrator"):
        raise PageError(403, "Bare leder og administrator kan starte kontrollene.")
    engine, clock = request.app.state.engine, request.app.state.clock
    on = clock.today()

    def work(job: Any) -> dict[str, int]:
        job.progress(0, len(FAMILIES))
        totals: dict[str, int] = {"nye flagg": 0, "løste flagg": 0, "saker flyttet ved fristbrudd": 0}
        for done, family in enumerate(FAMILIES, start=1):
            report = run_checks(engine, on, [family], clock=clock)
            for kind, counts in report.counts.items():
                if kind == BREACH_KIND:  # cases moved by on_breach, not flags
                    totals["saker flyttet ved fristbrudd"] += counts["new"]
                    continue
                totals["nye flagg"] += counts["new"]
                totals["løste flagg"] += counts["resolved"]
            job.progress(done, message=f"Ferdig med {done} av {len(FAMILIES)} regelgrupper")
        return totals

    job = request.app.state.jobs.start("Kontroll kjørt manuelt", account.actor, work)
    return RedirectResponse(f"/jobber/{job.id}", status_code=303)


@router.get("/jobber/{job_id}")
def job_page(request: Request, job_id: str, account: SignedIn) -> Response:
    job = request.app.state.jobs.get(job_id, account.actor)
    if job is None:
        raise PageError(404, "Fant ikke jobben (den kan være eldre enn en time).")
    errors = [(line, field_word(name), norsk(message)) for line, name, message in job.errors]
    template = "job_status.html" if request.headers.get("hx-request") else "job.html"
    return render(request, template, {"job": job, "row_errors": errors, "message": norsk(job.message)})


# -- administration ---------------------------------------------------------------------------------


def admin(account: Account) -> None:
    if not account.is_admin:
        raise PageError(403, "Bare administrator har tilgang hit.")


def _users_page(request: Request, account: Account, errors: dict[str, str], values: Any,
                created: tuple[str, str] | None, status: int = 200) -> Response:
    ctx = context(request)
    users = users_in(ctx, account.kommune_id)
    throttle = request.app.state.throttle
    return render(request, "users.html", {"users": users, "roles": ROLES, "errors": errors, "values": values,
                                          "created": created, "pathways": published_pathways(ctx),
                                          "locked": {u.username: throttle.locked(u.username) for u in users}},
                  status=status)


@router.get("/admin/brukere")
def users_page(request: Request, account: SignedIn) -> Response:
    admin(account)
    return _users_page(request, account, {}, {}, None)


@router.post("/admin/brukere")
async def users_create(request: Request, account: SignedIn) -> Response:
    form = await form_of(request)
    admin(account)
    created, errors = None, {}
    try:
        _, password = add_user(context(request, account), username=str(form.get("username", "")),
                               name=str(form.get("name", "")), role=str(form.get("role", "")),
                               kommune=account.kommune)
        created = (str(form.get("username", "")).strip().lower(), password)
    except ServiceError as exc:
        errors[exc.field or "form"] = error_text(exc)
    return _users_page(request, account, errors, {} if created else form, created, 422 if errors else 200)


def _user_page(request: Request, account: Account, username: str, **extra: Any) -> Response:
    ctx = context(request)
    try:
        user = find_user(ctx, username, account.kommune_id)
        tokens = tokens_of(ctx, username, account.kommune_id)
        trail = user_trail(ctx, account.kommune_id, user.id or 0)
    except NotFound as exc:
        raise not_found(exc) from None
    return render(request, "user.html", {"user": user, "tokens": tokens, "trail": trail, "roles": ROLES,
                                         "locked": request.app.state.throttle.locked(user.username),
                                         "new_password": None, "error": None, **extra},
                  status=422 if extra.get("error") else 200)


@router.get("/admin/brukere/{username}")
def user_page(request: Request, username: str, account: SignedIn) -> Response:
    admin(account)
    return _user_page(request, account, username)


USER_ACTIONS = {"deaktiver": "Brukeren er deaktivert; alle øktene er avsluttet og API-tokenene virker ikke lenger.",
                "aktiver": "Brukeren er aktivert igjen.", "rolle": "Rollen er endret.",
                "opphev-sperre": "Innloggingssperren er opphevet."}


@router.post("/admin/brukere/{username}/{action}")
async def user_action(request: Request, username: str, action: str, account: SignedIn) -> Response:
    """Deactivate, activate, change the role, lift the sign-in lock, or reset the password (shown once)."""
    form = await form_of(request)
    admin(account)
    if action not in (*USER_ACTIONS, "nytt-passord"):
        raise PageError(404, "Ukjent handling.")
    ctx, kommune_id = context(request, account), account.kommune_id
    try:
        if action == "nytt-passord":
            password = reset_password(ctx, username, kommune_id)
            return _user_page(request, account, username, new_password=password)
        if action in ("deaktiver", "aktiver"):
            set_active(ctx, username, action == "aktiver", kommune_id)
        elif action == "rolle":
            set_role(ctx, username, str(form.get("role", "")), kommune_id)
        else:
            unlock(ctx, username, kommune_id)
    except NotFound as exc:
        raise not_found(exc) from None
    except ServiceError as exc:
        return _user_page(request, account, username, error=error_text(exc))
    request.session["melding"] = USER_ACTIONS[action]
    return RedirectResponse(f"/admin/brukere/{quote(username)}", status_code=303)


@router.post("/admin/tokens/{token_id}/trekk-tilbake")
async def token_revoke(request: Request, token_id: int, account: SignedIn) -> Response:
    await form_of(request)
    admin(account)
    try:
        owner = revoke_token(context(request, account), token_id, account.kommune_id)
    except NotFound as exc:
        raise not_found(exc) from None
    request.session["melding"] = f"API-token {token_id} er trukket tilbake og virker ikke lenger."
    return RedirectResponse(f"/admin/brukere/{quote(owner)}", status_code=303)


@router.get("/admin/revisjon/deltaker")
def participant_audit(request: Request, account: SignedIn, nr: str = "") -> Response:
    """A participant's audit trail (who did what and when; no personal data), by participant number."""
    admin(account)
    errors: dict[str, str] = {}
    pid = _int(nr, "nr", errors, low=1) if nr else None
    trail = None
    if pid is not None:
        try:
            trail = participant_trail(context(request, account), pid)
        except NotFound as exc:
            errors["nr"] = error_text(exc)
    return render(request, "audit.html", {"nr": nr, "pid": pid, "trail": trail, "errors": errors},
                  status=422 if errors else 200)
