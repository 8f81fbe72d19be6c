"""The reads behind the dashboard and the REST API, every one scoped to the acting user's kommune and role.

What the context's :class:`~pathways.services.context.Actor` may see is decided in one place,
:mod:`pathways.services.access`; a case outside it is reported as not found (the same answer as a case
that does not exist, so ids of other kommuner's cases cannot be probed).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col

from pathways.checks.rules import caseload_flag_key
from pathways.definition.loader import Definition
from pathways.definition.vocabulary import HANDOFF_EVENTS
from pathways.engine.migration import MIGRATION_EVENT
from pathways.engine.state import ACTIVE
from pathways.services import access
from pathways.services.context import Actor, Context, NotFound, ServiceError, definition_of
from pathways.services.livelihood import income_status
from pathways.store.queries import caseload as caseload_rows
from pathways.store.queries import cases as case_rows
from pathways.store.queries import flags as flag_rows
from pathways.store.queries import handoffs as handoff_rows
from pathways.store.queries import pathways as pathway_rows
from pathways.store.tables import Enrolment, Event, Flag, LivelihoodPeriod, Note, Participant, User

FLAG_KINDS = {
    "frist_brudd": "Frist passert", "frist_nar": "Frist nærmer seg", "frist_paminnelse": "Påminnelse om frist",
    "oppfolging_forfalt": "Oppfølging forfalt", "programslutt": "Programslutt nærmer seg",
    "nav_dialog": "Dialog med NAV mangler", "inntektsgap": "Inntektsgap", "fyller_25": "Fyller 25 år",
    "vedtak_mangler": "Vedtak mangler", "botid_2_ar": "To år siden bosetting", "saksmengde": "For mange saker",
    "ulonnet_praksis": "Ulønnet praksis for lenge", "kontrakt_uten_arbeid": "Kontrakt uten arbeidsforhold",
    "overforing_ikke_mottatt": "Overføring ikke mottatt", "overforing_uten_inntekt": "Overføring uten inntekt",
    "datafeil": "Datafeil", "oppgave_forfalt": "Oppgave forfalt", "nir_mangler": "NIR mangler",
}
SEVERITY = {"high": "Høy", "medium": "Middels", "low": "Lav"}
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
FLAG_STATES = {"open": "Åpent", "acknowledged": "Kvittert", "snoozed": "Utsatt", "resolved": "Løst"}
LIVE_FLAG_STATES = flag_rows.LIVE_FLAG_STATES
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
    veileder: int | None = None  # the user id of the caseworker (a veileder of the kommune)

    def check(self) -> None:
        if self.sort not in SORTS:
            raise ServiceError("unknown_sort", "sort", value=self.sort, choices=list(SORTS))
        if self.flag_kind and self.flag_kind not in FLAG_KINDS:
            raise ServiceError("unknown_flag_kind", "flagg", value=self.flag_kind)
        if self.due_within is not None and not 0 <= self.due_within <= 3650:
            raise ServiceError("due_window", "frist_innen")
        if self.status not in ("aktive", "alle", "avsluttet"):
            raise ServiceError("unknown_status", "status", value=self.status)
        if self.page < 1:
            raise ServiceError("page_number", "side")
        if self.q and len(self.q) > 100:
            raise ServiceError("search_too_long", "q")


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
    responsible_name: str | None = None  # «ansvarlig nå»: the caseworker's full name (None: no account)
    responsible_unit: str | None = None
    handed_to: str | None = None  # the username an accepted hand-off in force made responsible instead

    @property
    def responsible_username(self) -> str | None:
        return self.handed_to or self.caseworker

    @property
    def responsible(self) -> dict[str, str | None] | None:
        """«Ansvarlig nå» as the case's API JSON has it: {name, username, unit}; None without a caseworker."""
        if not self.responsible_username:
            return None
        return {"name": self.responsible_name, "username": self.responsible_username, "unit": self.responsible_unit}

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
                "open_flags": [{"kind": k, "severity": s} for k, s in self.flags], "income_gap": self.income_gap,
                "responsible": self.responsible}


@dataclass
class Caseload:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int


def caseload(ctx: Context, wanted: CaseloadFilter, page_size: int = PAGE_SIZE) -> Caseload:
    """One page of the actor's cases, filtered and sorted, with next deadline, live flags and the live
    income status (:func:`pathways.services.livelihood.income_status`: the same answer as the case page); ``page_size``:
    larger for an export."""
    wanted.check()
    query = caseload_rows.Wanted(
        status=wanted.status, pathway=wanted.pathway, step=wanted.step, flag_kind=wanted.flag_kind,
        due_by=ctx.today() + timedelta(days=wanted.due_within) if wanted.due_within is not None else None,
        q=wanted.q,
        caseworker=_caseworker_name(ctx, wanted.veileder) if wanted.veileder is not None else None,
        sort=wanted.sort, descending=wanted.descending)
    today = ctx.today()
    made = _caseload_statements(ctx.actor, today, replace(query, q="x" if query.q and query.q.strip() else None))
    with ctx.transaction() as session:
        total, page, found = caseload_rows.page(session, made, query.q, page_size, wanted.page)
        handed_over = handoff_rows.responsible(session, [line.id for line in found], today)
        rows = []
        for line in found:
            definition = definition_of(session, line.pathway_version_id)
            titles = definition.pathway.all_steps()
            rows.append(CaseRow(line.id, line.participant_id, line.name, line.pathway_id, definition.pathway.title,
                                [titles[s].title if s in titles else s for s in line.current_steps.split(",") if s],
                                line.status, line.start_date, line.caseworker,
                                income_gap=income_status(line.gap_from, line.gap_to, today)
                                if line.status in ACTIVE else None,
                                responsible_name=line.responsible_name, responsible_unit=line.responsible_unit))
        for row in rows:  # an accepted hand-off in force makes its receiver responsible (cases.responsible_now)
            handed = handed_over.get(row.id)
            if handed is not None:
                row.handed_to, row.responsible_name, row.responsible_unit = handed[0], handed[1], handed[2]
        # the flags of a case another unit has taken over are that unit's work (access.flags), not the row's
        theirs = {r.id for r in rows if r.id in handed_over and handed_over[r.id][4] != ctx.actor.unit_id
                  and not ctx.actor.is_system}
        _decorate(session, rows, theirs)
    return Caseload(rows, total, page, max(1, -(-total // page_size)))


@lru_cache(maxsize=2048)
def _caseload_statements(actor: Actor, today: date, shape: caseload_rows.Wanted) -> caseload_rows.PageStatements:
    """A caseload query's statements for an actor on a day and a filter shape (the search text is a
    parameter), made once: building them and their cache keys cost as much as running them."""
    if access.receives(actor):  # another kommune's cases handed to their unit too (access.cases says which)
        return caseload_rows.statements(access.cases(actor), [], access.flags(actor), shape)
    return caseload_rows.statements(access.cases(actor), access.kommune(actor, Participant.kommune_id),
                                    access.kommune(actor, Flag.kommune_id), shape)


def _caseworker_name(ctx: Context, user_id: int) -> str:
    """The username a veileder's cases carry, for a veileder of the actor's kommune, else a ServiceError."""
    with ctx.transaction() as session:
        found = caseload_rows.veileder_username(session, user_id, access.kommune(ctx.actor, User.kommune_id))
    if found is None:
        raise ServiceError("no_veileder_id", "veileder", id=user_id)
    return found


def _decorate(session: Session, rows: list[CaseRow], handed_over: set[int] | frozenset[int] = frozenset()) -> None:
    """Next deadline and live flags for the rows of one page (two queries; no flags for the cases in
    ``handed_over``). The income status is the live projection on the case row, not the nightly flags."""
    by_id = {r.id: r for r in rows}
    for case_id, (due, title) in caseload_rows.next_deadlines(session, list(by_id)).items():
        by_id[case_id].next_due, by_id[case_id].next_due_title = due, title
    for case_id, kind, severity, _due in caseload_rows.live_flags(session, [i for i in by_id if i not in handed_over]):
        by_id[case_id].flags.append((kind, severity))


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


def case_extras(ctx: Context, case_id: int, timeline: bool = True) -> CaseExtras:
    """What the case page and the case API show besides the case; without ``timeline`` no events or notes
    (the page reads them as :func:`pathways.services.story.story` tells them)."""
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        definition = definition_of(session, case.pathway_version_id)
        participant = session.get(Participant, case.participant_id)
        assert participant is not None
        # a receiving unit before it takes the case over, and the sending side after, read what the hand-offs
        # share: their events, no notes or flags (access.flags)
        working = access.works(session, ctx.actor, case_id)
        events = case_rows.events(session, case_id) if timeline else []
        if not working:
            events = [e for e in events if e.name in HANDOFF_EVENTS]
        notes = case_rows.notes(session, case_id) if timeline and working else []
        flags = case_rows.flags(session, case_id) if working else []
        periods = case_rows.periods(session, participant.id or 0)
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
    with ctx.transaction() as session:
        case = access.worked_case(session, ctx.actor, case_id)  # first: out of scope is not found, whatever the text
        text = (text or "").strip()
        if not text:
            raise ServiceError("note_empty", "text")
        if len(text) > 5000:
            raise ServiceError("note_too_long", "text", length=len(text), limit=5000)
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
    by_severity, own_flag, handed = _count_statements(actor, ctx.today())
    with ctx.transaction() as session:  # plain rows (Core): read on every page
        connection = session.connection()
        found: dict[str, int] = dict(connection.execute(by_severity).tuples().all())
        if handed is not None:  # the kommune's count (index-only) less the cases handed over (a few)
            for severity, count in connection.execute(handed).tuples():
                found[severity] -= count
            found = {severity: count for severity, count in found.items() if count}
        if own_flag is not None:  # the caseload flag about the veileder themself
            own = connection.execute(own_flag).scalars().first()
            if own is not None:
                found[own] = found.get(own, 0) + 1
    return found


@lru_cache(maxsize=1024)
def _count_statements(actor: Actor, today: date) -> tuple[Any, Any, Any]:
    """The statements of :func:`flag_counts` for an actor on a day (the covers in force are the day's),
    made once: on every page, building them and their cache keys cost more than running them."""
    if actor.own_cases_only:  # through their few hundred cases; the caseload flag about themself
        return (flag_rows.open_by_severity(access.flags(actor), access.worked(actor)),
                flag_rows.open_severity_by_key(caseload_flag_key(actor.kommune_id or 0, actor.name)), None)
    if access.receives(actor) or actor.kommune_id is None:  # another kommune's cases too: by the rule itself
        return flag_rows.open_by_severity(access.flags(actor)), None, None
    # a leder: the kommune's open flags counted index-only, less those of the cases handed over (access.flags
    # as a NOT EXISTS on each of the kommune's flags would cost a probe per flag: 10 ms a page)
    kommune = access.kommune(actor, Flag.kommune_id)
    return (flag_rows.open_by_severity(kommune), None,
            flag_rows.open_by_severity([*kommune, col(Flag.enrolment_id).in_(access.handed_over_in(actor))]))


@dataclass
class FlagPage:
    rows: list[tuple[Flag, str | None]]  # the flag and its participant's name
    total: int
    page: int
    pages: int


def flags(ctx: Context, state: str = "aktive", kind: str | None = None, severity: str | None = None,
          page: int = 1, page_size: int = PAGE_SIZE) -> FlagPage:
    if state not in ("aktive", *FLAG_STATES):
        raise ServiceError("unknown_flag_state", "tilstand", value=state)
    if kind and kind not in FLAG_KINDS:
        raise ServiceError("unknown_flag_kind", "type", value=kind)
    if severity and severity not in SEVERITY:
        raise ServiceError("unknown_severity", "alvor", value=severity)
    conditions = access.flags(ctx.actor)
    conditions.append(flag_rows.live(state))
    if kind:
        conditions.append(Flag.kind == kind)
    if severity:
        conditions.append(Flag.severity == severity)
    with ctx.transaction() as session:
        total, page, rows = flag_rows.listing(session, conditions, page_size, page)
    pages = max(1, -(-total // page_size))
    return FlagPage(rows, total, page, pages)


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


@dataclass(frozen=True)
class PublishedVersion:
    """A published version as the pages draw and name it (no personal data: every role reads it)."""

    id: int
    pathway_id: str
    version: int
    title: str
    content_hash: str
    document: str
    definition: Definition


def published_version(ctx: Context, version_id: int | None = None, pathway_id: str | None = None
                      ) -> PublishedVersion:
    """The published version ``version_id``, or the newest of ``pathway_id``; NotFound when there is none.
    A version by id is read once per database and process: published text never changes."""
    from pathways.services.publishing import latest_version
    known = _PUBLISHED.setdefault(ctx.engine, {})
    if pathway_id is None and version_id in known:
        return known[version_id]
    with ctx.transaction() as session:
        row = latest_version(session, pathway_id) if pathway_id is not None else \
            pathway_rows.version(session, version_id or 0)
        if row is None:
            raise NotFound("no_pathway_version", "version", id=version_id)
        found = PublishedVersion(row.id or 0, row.pathway_id, row.version, row.title, row.content_hash,
                                 row.document, definition_of(session, row.id or 0))
    known[found.id] = found
    return found


_PUBLISHED: weakref.WeakKeyDictionary[Any, dict[int, PublishedVersion]] = weakref.WeakKeyDictionary()


def published_pathways(ctx: Context) -> list[tuple[str, str]]:
    with ctx.transaction() as session:
        rows = pathway_rows.published(session)
    return sorted({p: t for p, t, _ in rows}.items(), key=lambda item: item[1])


def largest_pathway(ctx: Context) -> str | None:
    """The published pathway with the most active cases in the actor's kommune (the cohort page opens on
    it); the first published one by title when there are no active cases."""
    available = published_pathways(ctx)
    with ctx.transaction() as session:
        counts = pathway_rows.active_per_pathway(session, access.kommune(ctx.actor, Enrolment.kommune_id))
    return max(available, key=lambda p: counts.get(p[0], 0), default=(None, ""))[0]


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
        for current, count in caseload_rows.steps_count(session, in_kommune, pathway_id):
            active += count
            for sid in current.split(","):
                if sid in steps:
                    per_step[sid] = per_step.get(sid, 0) + count
        outcomes = []
        finished = good = 0
        for outcome, count in caseload_rows.outcome_count(session, in_kommune, pathway_id):
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
