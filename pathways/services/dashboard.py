"""The reads behind the dashboard and the REST API, every one scoped to the acting user's kommune and role.

What the context's :class:`~pathways.services.context.Actor` may see is decided in one place,
:mod:`pathways.services.access`; a case outside it is reported as not found (the same answer as a case
that does not exist, so ids of other kommuner's cases cannot be probed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from pathways.checks.rules import caseload_flag_key
from pathways.engine.migration import MIGRATION_EVENT
from pathways.engine.state import ACTIVE
from pathways.services import access
from pathways.services.context import Context, ServiceError, definition_of
from pathways.store.tables import Deadline, Enrolment, Event, Flag, LivelihoodPeriod, Note, Participant

FLAG_KINDS = {
    "frist_brudd": "Frist passert", "frist_nar": "Frist nærmer seg", "frist_paminnelse": "Påminnelse om frist",
    "oppfolging_forfalt": "Oppfølging forfalt", "programslutt": "Programslutt nærmer seg",
    "nav_dialog": "Dialog med NAV mangler", "inntektsgap": "Inntektsgap", "fyller_25": "Fyller 25 år",
    "vedtak_mangler": "Vedtak mangler", "botid_2_ar": "To år siden bosetting", "saksmengde": "For mange saker",
    "ulonnet_praksis": "Ulønnet praksis for lenge", "kontrakt_uten_arbeid": "Kontrakt uten arbeidsforhold",
    "datafeil": "Datafeil",
}
SEVERITY = {"high": "Høy", "medium": "Middels", "low": "Lav"}
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
FLAG_STATES = {"open": "Åpent", "acknowledged": "Kvittert", "snoozed": "Utsatt", "resolved": "Løst"}
LIVE_FLAG_STATES = ("open", "acknowledged", "snoozed")
STATUS = {"active": "Aktiv", "paused": "Permisjon", "stopped": "Midlertidig stans", "completed": "Fullført",
          "discontinued": "Avbrutt", "transferred": "Overført"}
SORTS = ("navn", "løp", "steg", "frist", "flagg", "start")
PAGE_SIZE = 25
# Targets from DOMAIN.md: share of those who finish in work or education.
TARGETS = {"introduksjonsprogram": 0.70, "supported_employment": 0.75}


@dataclass
class CaseloadFilter:
    pathway: str | None = None
    step: str | None = None
    flag_kind: str | None = None
    due_within: int | None = None  # days
    q: str | None = None
    status: str = "aktive"  # aktive | alle | avsluttet
    sort: str = "frist"
    descending: bool = False
    page: int = 1

    def check(self) -> None:
        if self.sort not in SORTS:
            raise ServiceError(f"ukjent sortering '{self.sort}' (velg {', '.join(SORTS)})", "sort")
        if self.flag_kind and self.flag_kind not in FLAG_KINDS:
            raise ServiceError(f"ukjent flaggtype '{self.flag_kind}'", "flagg")
        if self.due_within is not None and not 0 <= self.due_within <= 3650:
            raise ServiceError("fristvinduet må være mellom 0 og 3650 dager", "frist_innen")
        if self.status not in ("aktive", "alle", "avsluttet"):
            raise ServiceError(f"ukjent status '{self.status}'", "status")
        if self.page < 1:
            raise ServiceError("sidetallet må være 1 eller mer", "side")
        if self.q and len(self.q) > 100:
            raise ServiceError("søket er for langt (høyst 100 tegn)", "q")


@dataclass
class CaseRow:
    id: int
    participant_id: int
    name: str
    pathway_id: str
    pathway_title: str
    steps: list[str]
    status: str
    start_date: date
    caseworker: str | None
    next_due: date | None = None
    next_due_title: str | None = None
    flags: list[tuple[str, str]] = field(default_factory=list)  # (kind, severity) of live flags
    income_gap: str | None = None  # "nå" | "kommer" | None

    @property
    def flag_titles(self) -> list[str]:
        return list(dict.fromkeys(FLAG_KINDS.get(k, k) for k, _ in self.flags))

    @property
    def worst(self) -> str | None:
        return max((s for _, s in self.flags), key=SEVERITY_RANK.__getitem__, default=None)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "participant_id": self.participant_id, "name": self.name, "pathway": self.pathway_id,
                "steps": self.steps, "status": self.status, "start_date": self.start_date.isoformat(),
                "caseworker": self.caseworker, "next_deadline": self.next_due.isoformat() if self.next_due else None,
                "next_deadline_title": self.next_due_title,
                "open_flags": [{"kind": k, "severity": s} for k, s in self.flags], "income_gap": self.income_gap}


@dataclass
class Caseload:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int


def _open_deadline() -> Any:
    """Deadline status open or breached, written so that no planner picks the (status, due) index for a
    lookup by case: that index walks every open deadline of every case (measured: 38 s for 159 cases)."""
    return func.coalesce(Deadline.status, "").in_(("open", "breached"))


def _live_flag_count() -> Any:
    """The live flags of the row's case, correlated (index on flag.enrolment_id): cheaper than grouping
    the kommune's flags when a page needs only the order of the cases in scope."""
    return (select(func.count()).where(Flag.enrolment_id == Enrolment.id, col(Flag.state).in_(LIVE_FLAG_STATES))
            .correlate(Enrolment).scalar_subquery())


def caseload(ctx: Context, wanted: CaseloadFilter, page_size: int = PAGE_SIZE) -> Caseload:
    """One page of the actor's cases, filtered and sorted, with next deadline, live flags and income status
    (``page_size``: larger for an export)."""
    wanted.check()
    conditions = access.cases(ctx.actor)
    if wanted.status == "aktive":
        conditions.append(col(Enrolment.status).in_(ACTIVE))
    elif wanted.status == "avsluttet":
        conditions.append(col(Enrolment.status).not_in(ACTIVE))
    if wanted.pathway:
        conditions.append(Enrolment.pathway_id == wanted.pathway)
    if wanted.step:
        conditions.append(("," + col(Enrolment.current_steps) + ",").contains(f",{wanted.step},", autoescape=True))
    if wanted.flag_kind:  # driven from the kommune's flags (index kommune_id, state), not one lookup per case
        conditions.append(col(Enrolment.id).in_(select(Flag.enrolment_id).where(
            *access.kommune(ctx.actor, Flag.kommune_id), Flag.kind == wanted.flag_kind,
            col(Flag.state).in_(LIVE_FLAG_STATES))))
    if wanted.due_within is not None:  # next_due is the earliest open deadline of the case
        conditions.append(col(Enrolment.next_due) <= ctx.today() + timedelta(days=wanted.due_within))
    if wanted.q and wanted.q.strip():
        conditions.append(func.lower(Participant.name).contains(wanted.q.strip().lower(), autoescape=True))
    join = and_(col(Participant.id) == col(Enrolment.participant_id),
                *access.kommune(ctx.actor, Participant.kommune_id))
    searching = bool(wanted.q and wanted.q.strip())

    def cases(by_name: bool) -> Any:  # the participant table only where the name is needed (index-only counts)
        query = select(Enrolment.id).select_from(Enrolment)
        return query.join(Participant, join) if by_name else query

    order = {"navn": col(Participant.name), "løp": col(Enrolment.pathway_id), "steg": col(Enrolment.current_steps),
             "frist": col(Enrolment.next_due), "start": col(Enrolment.start_date),
             "flagg": _live_flag_count()}[wanted.sort]
    if wanted.sort == "frist":  # cases without a deadline last either way
        order_by = [order.is_(None), order.desc() if wanted.descending else order]
    else:
        order_by = [order.desc() if wanted.descending else order]
    with ctx.transaction() as session:
        total = session.exec(select(func.count()).select_from(cases(searching).where(*conditions).subquery())).one()
        pages = max(1, -(-total // page_size))
        page = min(wanted.page, pages)
        ids = list(session.exec(cases(searching or wanted.sort == "navn").where(*conditions)
                                .order_by(*order_by, col(Enrolment.id))
                                .offset((page - 1) * page_size).limit(page_size)).all())
        position = {case_id: i for i, case_id in enumerate(ids)}
        found = sorted(session.exec(
            select(Enrolment.id, Enrolment.participant_id, Participant.name, Enrolment.pathway_id,
                   Enrolment.pathway_version_id, Enrolment.current_steps, Enrolment.status, Enrolment.start_date,
                   Enrolment.caseworker).join(Participant, join)
            .where(col(Enrolment.id).in_(ids), *access.cases(ctx.actor))
        ).all(), key=lambda row: position[row[0]])
        rows = []
        for case_id, pid, name, pathway, version_id, steps, status, start, worker in found:
            definition = definition_of(session, version_id)
            titles = definition.pathway.all_steps()
            rows.append(CaseRow(case_id, pid, name, pathway, definition.pathway.title,
                                [titles[s].title if s in titles else s for s in steps.split(",") if s],
                                status, start, worker))
        _decorate(session, rows, ctx.today())
    return Caseload(rows, total, page, pages)


def _decorate(session: Session, rows: list[CaseRow], today: date) -> None:
    """Next deadline, live flags and income status for the rows of one page (three queries)."""
    by_id = {r.id: r for r in rows}
    if not by_id:
        return
    for case_id, due, title in session.exec(
            select(Deadline.enrolment_id, Deadline.due, Deadline.title)
            .where(col(Deadline.enrolment_id).in_(by_id), _open_deadline())
            .order_by(col(Deadline.due))):
        if by_id[case_id].next_due is None:
            by_id[case_id].next_due, by_id[case_id].next_due_title = due, title
    for case_id, kind, severity, due in session.exec(
            select(Flag.enrolment_id, Flag.kind, Flag.severity, Flag.due)
            .where(col(Flag.enrolment_id).in_(by_id), col(Flag.state).in_(LIVE_FLAG_STATES))
            .order_by(col(Flag.id))):
        row = by_id[case_id or 0]
        row.flags.append((kind, severity))
        if kind == "inntektsgap":
            now = due is not None and due <= today
            row.income_gap = "nå" if now or row.income_gap == "nå" else "kommer"


@dataclass
class CaseExtras:
    """What the case page shows besides :class:`pathways.services.cases.CaseView`."""

    participant: Participant
    events: list[Event]
    notes: list[Note]
    flags: list[Flag]
    periods: list[LivelihoodPeriod]
    step_titles: dict[str, str]
    event_titles: dict[str, str]
    highlight: list[str]
    version_id: int
    pathway_title: str


def case_extras(ctx: Context, case_id: int) -> CaseExtras:
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        definition = definition_of(session, case.pathway_version_id)
        participant = session.get(Participant, case.participant_id)
        assert participant is not None
        events = list(session.exec(select(Event).where(Event.enrolment_id == case_id)
                                   .order_by(col(Event.sequence).desc())))
        notes = list(session.exec(select(Note).where(Note.enrolment_id == case_id).order_by(col(Note.id).desc())))
        flags = list(session.exec(select(Flag).where(Flag.enrolment_id == case_id)
                                  .order_by(col(Flag.state) == "resolved", col(Flag.due))))
        periods = list(session.exec(select(LivelihoodPeriod).where(LivelihoodPeriod.participant_id == participant.id)
                                    .order_by(col(LivelihoodPeriod.start))))
        from pathways.engine import machine
        compiled = machine.compiled(definition)
        names = {e.name for e in events}
        return CaseExtras(participant, events, notes, flags, periods,
                          {sid: s.title for sid, s in definition.pathway.all_steps().items()},
                          {n: _event_title(compiled, n) for n in names},
                          [s for s in case.current_steps.split(",") if s], case.pathway_version_id,
                          definition.pathway.title)


def _event_title(compiled: Any, name: str) -> str:
    if name == MIGRATION_EVENT:
        return "Flyttet til ny versjon av løpet"
    try:
        return compiled.event_title(name)
    except Exception:
        return name


def add_note(ctx: Context, case_id: int, text: str) -> int:
    """A note on a case the actor sees and may change; returns its id."""
    access.writing(ctx.actor)
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)  # first: out of scope is not found, whatever the text
        text = (text or "").strip()
        if not text:
            raise ServiceError("notatet er tomt", "text")
        if len(text) > 5000:
            raise ServiceError(f"notatet har {len(text)} tegn; grensen er 5000", "text")
        note = Note(enrolment_id=case_id, kommune_id=case.kommune_id, text=text, author=ctx.actor.name,
                    created_at=ctx.now())
        session.add(note)
        session.flush()
        return note.id or 0


# -- flags ------------------------------------------------------------------------------------------


def flag_counts(ctx: Context) -> dict[str, int]:
    """The actor's open flags by severity (the header's counts): index-only for a kommune, and through the
    veileder's own cases (a few hundred) for a veileder. The same flags as :func:`flags`, counted the
    cheap way: the rule is :func:`pathways.services.access.flags`."""
    actor = access.reading(ctx.actor)
    if not actor.own_cases_only:
        query = select(Flag.severity, func.count()).where(*access.kommune(actor, Flag.kommune_id),
                                                          Flag.state == "open")
    else:
        query = (select(Flag.severity, func.count()).join(Enrolment, col(Enrolment.id) == col(Flag.enrolment_id))
                 .where(*access.cases(actor), Flag.state == "open"))
    with ctx.transaction() as session:
        found = dict(session.exec(query.group_by(col(Flag.severity))).all())
        if actor.own_cases_only:  # the caseload flag about the veileder themself
            key = caseload_flag_key(actor.kommune_id or 0, actor.name)  # unique: one index lookup
            own = session.exec(select(Flag.severity).where(Flag.natural_key == key, Flag.state == "open")).first()
            if own is not None:
                found[own] = found.get(own, 0) + 1
    return found


@dataclass
class FlagPage:
    rows: list[tuple[Flag, str | None]]  # the flag and its participant's name
    total: int
    page: int
    pages: int


def flags(ctx: Context, state: str = "aktive", kind: str | None = None, severity: str | None = None,
          page: int = 1, page_size: int = PAGE_SIZE) -> FlagPage:
    if state not in ("aktive", *FLAG_STATES):
        raise ServiceError(f"ukjent tilstand '{state}'", "tilstand")
    if kind and kind not in FLAG_KINDS:
        raise ServiceError(f"ukjent flaggtype '{kind}'", "type")
    if severity and severity not in SEVERITY:
        raise ServiceError(f"ukjent alvorlighet '{severity}'", "alvor")
    conditions = access.flags(ctx.actor)
    conditions.append(col(Flag.state).in_(LIVE_FLAG_STATES) if state == "aktive" else Flag.state == state)
    if kind:
        conditions.append(Flag.kind == kind)
    if severity:
        conditions.append(Flag.severity == severity)
    with ctx.transaction() as session:
        total = session.exec(select(func.count()).select_from(Flag).where(*conditions)).one()
        pages = max(1, -(-total // page_size))
        page = max(1, min(page, pages))
        rows = session.exec(
            select(Flag, Participant.name).outerjoin(Participant, col(Participant.id) == col(Flag.participant_id))
            .where(*conditions)
            .order_by((Flag.severity == "high").desc(), (Flag.severity == "medium").desc(), col(Flag.due),
                      col(Flag.id)).offset((page - 1) * page_size).limit(page_size)).all()
    return FlagPage([(f, n) for f, n in rows], total, page, pages)


def flag_in_scope(ctx: Context, flag_id: int) -> Flag:
    """A flag the actor sees, else NotFound."""
    with ctx.transaction() as session:
        return access.flag(session, ctx.actor, flag_id)


# -- cohort -----------------------------------------------------------------------------------------


@dataclass
class Cohort:
    pathway_id: str
    title: str
    version_id: int
    active: int
    per_step: dict[str, int]  # step id -> active cases there now
    step_titles: dict[str, str]
    outcomes: list[tuple[str, str, str, int]]  # (outcome step, title, kind, count)
    finished: int
    in_work_or_education: int
    target: float | None

    @property
    def share(self) -> float | None:
        return self.in_work_or_education / self.finished if self.finished else None


def published_pathways(ctx: Context) -> list[tuple[str, str]]:
    from pathways.store.tables import PathwayVersion
    with ctx.transaction() as session:
        rows = session.exec(select(PathwayVersion.pathway_id, PathwayVersion.title, PathwayVersion.version)
                            .order_by(col(PathwayVersion.pathway_id), col(PathwayVersion.version))).all()
    return sorted({p: t for p, t, _ in rows}.items(), key=lambda item: item[1])


def cohort(ctx: Context, pathway_id: str) -> Cohort:
    """Counts per step of the active cases on a pathway in the actor's kommune, and how the finished ones
    ended (counts only: every role of the kommune sees them)."""
    in_kommune = access.kommune(ctx.actor, Enrolment.kommune_id)
    from pathways.services.publishing import latest_version
    with ctx.transaction() as session:
        version = latest_version(session, pathway_id)
        definition = definition_of(session, version.id or 0)
        steps = definition.pathway.all_steps()
        per_step: dict[str, int] = {}
        active = 0
        for current, count in session.exec(
                select(Enrolment.current_steps, func.count()).where(
                    *in_kommune, Enrolment.pathway_id == pathway_id,
                    col(Enrolment.status).in_(ACTIVE)).group_by(col(Enrolment.current_steps))):
            active += count
            for sid in current.split(","):
                if sid in steps:
                    per_step[sid] = per_step.get(sid, 0) + count
        outcomes = []
        finished = good = 0
        for outcome, count in session.exec(
                select(Enrolment.outcome, func.count()).where(
                    *in_kommune, Enrolment.pathway_id == pathway_id,
                    col(Enrolment.outcome).is_not(None)).group_by(col(Enrolment.outcome))):
            step = steps.get(outcome or "")
            kind = step.outcome.value if step is not None and step.outcome is not None else "ukjent"
            outcomes.append((outcome or "", step.title if step else outcome or "", kind, count))
            if kind in ("transferred",):
                continue  # moved to another pathway: counted there
            finished += count
            good += count if kind in ("work", "education") else 0
    outcomes.sort(key=lambda o: -o[3])
    return Cohort(pathway_id, definition.pathway.title, version.id or 0, active, per_step,
                  {sid: s.title for sid, s in steps.items()}, outcomes, finished, good, TARGETS.get(pathway_id))
