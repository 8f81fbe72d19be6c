"""«I dag»: what the actor must act on today, ranked, each item one line that says what, why and what to do.

Sources: the live data (deadlines due or breached on active cases, as the store's projection has them now;
the participant's income gap by the live projection ``enrolment.gap_from``/``gap_to``, which every change
of periods or cases rewrites: its first gap not over, one row per participant) and the flags of the
nightly checks that only the nightly run knows (programme end, NAV dialogue, 25th birthday, decisions
after settlement, caseload, unpaid practice, contracts without employment, data errors).

A flag staff acknowledged or snoozed leaves the list (a snooze ends on its date); so does the live
deadline or gap behind such a flag. A deadline met after its due date is shown as «oppfylt for sent» for a
week, as information, not as an action (the latest first, capped like the list).

Ranking: breaches before what is coming, current gaps before projected ones, reminders last; within a
rank, the nearest date first, then the name. The list is capped (``PATHWAYS_WORKLIST_CAP``, default 25);
the total says how many there are in all; «vis alle» lists them all, by pages of :data:`ALL_PAGE`.

Scope (:mod:`pathways.services.access`): a veileder sees their own cases, a leder the kommune's. Each
source is ranked and counted in SQL (:mod:`pathways.store.queries.worklist`), the first rows only come
back, and only the rows shown are built (titles, links; a gap computed in full from the periods as they
are now, so a projection gone stale leaves the list): a kommune's thousands of items cost their ranking
and count only. The header's count (:func:`count`) is the three counts.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from sqlmodel import col

from pathways.checks.config import load_config
from pathways.checks.rules import TRIGGER_WORDS
from pathways.i18n import localise
from pathways.income.gaps import Gap, IncomePeriod, income_gaps
from pathways.income.gaps import fmt as fmt_date
from pathways.income.gaps import label as source_label
from pathways.messages import Text
from pathways.services import access
from pathways.services.context import Actor, Context, ServiceError, definition_of
from pathways.services.dashboard import FLAG_KINDS
from pathways.services.livelihood import case_spans
from pathways.store.queries import tasks as task_queries
from pathways.store.queries import worklist as queries
from pathways.store.tables import Enrolment, Flag

DEFAULT_CAP = 25
LATE_DAYS = 7  # how long a deadline met late is shown
GAP_HORIZON = 90

# the ranks, in order; the names are the API's
RANKS = ("brudd", "gap_na", "frist_nar", "gap_kommer", "paminnelse")
RANK_TITLES = {"brudd": "Brudd", "gap_na": "Inntektsgap nå", "frist_nar": "Frist nærmer seg",
               "gap_kommer": "Inntektsgap kommer", "paminnelse": "Påminnelse"}

# what to do about a flag of the nightly checks, per kind: (the words, where: case | participant | income,
# the livelihood source the income form starts with)
FLAG_ACTIONS: dict[str, tuple[str, str, str | None]] = {
    "programslutt": ("planlegg overgangen: avtal NAV-dialog og registrer inntekt etter programmet", "income",
                     "tiltakspenger"),
    "nav_dialog": ("start NAV-dialog og registrer den på saken", "case", None),
    "fyller_25": ("kontroller satsen for introduksjonsstønad fra 25-årsdagen", "income", "introduksjonsstonad"),
    "vedtak_mangler": ("fatt vedtak om introduksjonsprogram", "participant", None),
    "botid_2_ar": ("fatt vedtak før retten faller bort", "participant", None),
    "saksmengde": ("be leder fordele saker", "none", None),
    "ulonnet_praksis": ("vurder lønnet ansettelse eller lønnstilskudd, og registrer inntekten", "income",
                        "lonnstilskudd"),
    "kontrakt_uten_arbeid": ("registrer arbeidsforholdet (lønn), eller avslutt kontrakten", "income", "lonn"),
    "overforing_ikke_mottatt": ("kontakt mottakeren, eller trekk overføringen tilbake og send den på nytt", "case",
                                None),
    "overforing_uten_inntekt": ("registrer planlagt inntekt fra overføringsdatoen", "income", "tiltakspenger"),
    "datafeil": ("rett verdien på saken", "case", None),
    "nir_mangler": ("registrer hendelsen på saken og i NIR (se NIR-oversikten)", "case", None),
}
# the kinds of the nightly checks the worklist lists (deadlines and gaps come live), each with its rank
FLAG_RANKS = {"programslutt": "paminnelse", "nav_dialog": "brudd", "fyller_25": "paminnelse",
              "vedtak_mangler": "brudd", "botid_2_ar": "brudd", "saksmengde": "paminnelse",
              "ulonnet_praksis": "frist_nar", "kontrakt_uten_arbeid": "brudd", "datafeil": "brudd",
              "overforing_ikke_mottatt": "brudd", "overforing_uten_inntekt": "frist_nar"}
# not listed: nir_mangler (a registration to catch up on, on the flag list and the NIR overview, not a call today)


def daily_cap() -> int:
    """The number of items shown before «vis alle» (``PATHWAYS_WORKLIST_CAP``, default 25)."""
    try:
        return max(1, int(os.environ.get("PATHWAYS_WORKLIST_CAP", DEFAULT_CAP)))
    except ValueError:
        return DEFAULT_CAP


@dataclass
class Item:
    """One line of the worklist."""

    key: str  # stable across requests: the row's id on the page
    rank: str  # one of RANKS
    kind: str  # a flag kind (FLAG_KINDS)
    on: date  # the date that ranks it (due date, first day of a gap)
    what: str
    why: str
    todo: str
    action_url: str | None
    action_label: str
    case_id: int | None
    participant_id: int | None
    name: str | None
    flag_id: int | None = None  # the flag to acknowledge or snooze, when there is one
    severity: str = "medium"
    task_id: int | None = None  # the task to complete with a note, when the row is one

    @property
    def line(self) -> str:
        """What, why and what to do, in one line."""
        return f"{self.what}: {self.why} — {self.todo}" if self.why else f"{self.what} — {self.todo}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["on"] = self.on.isoformat()
        data["line"] = self.line
        return data


@dataclass
class MetLate:
    """A deadline met after its due date: information, not an action."""

    case_id: int
    name: str | None
    title: str
    due: date
    met_on: date

    @property
    def line(self) -> str:
        return (f"Oppfylt for sent: {self.title} (frist {fmt_date(self.due)}, oppfylt {fmt_date(self.met_on)})")


@dataclass
class Worklist:
    items: list[Item]  # ranked, at most ``cap`` unless all were asked for
    total: int  # every item in scope
    cap: int
    met_late: list[MetLate]  # the latest first, at most ``cap`` unless all were asked for
    met_late_total: int = 0
    everything: bool = False  # «vis alle»: every item, by pages
    page: int = 1
    pages: int = 1

    @property
    def capped(self) -> bool:
        """Cut at the daily cap (not a page of «vis alle»)."""
        return not self.everything and self.total > len(self.items)


@dataclass
class _Shown:
    """What the rows about to be shown need besides their own row, read for all of them at once: the open
    flags behind them (by natural key) and their participants' gaps computed in full."""

    flags: dict[str, int]
    gaps: dict[int, list[Item]]


@dataclass
class _Entry:
    """An item before it is written out: what ranks it, and how to build it (only the rows shown are built)."""

    rank: str
    on: date
    name: str
    tie: tuple[int, int, str]  # (source, id, key): the order the statements give equal rows
    build: Callable[[_Shown], Item | None]  # None: no longer true (a gap closed since its projection)
    flag_key: str | None = None  # the natural key of the flag behind the row, if one is open
    gap_of: int | None = None  # the participant whose gap the row is
    case_id: int | None = None  # and their first case in scope (the row's links open it)

    @property
    def order(self) -> tuple[int, date, str, tuple[int, int, str]]:
        return RANKS.index(self.rank), self.on, self.name, self.tie


RANK_NO = {rank: i for i, rank in enumerate(RANKS)}
DEADLINE_RANKS = {"oppfolging_forfalt": "brudd", "frist_brudd": "brudd", "frist_nar": "frist_nar",
                  "frist_paminnelse": "paminnelse"}
# a task given to the actor or their unit (:mod:`pathways.services.tasks`): overdue with the breaches, due
# within the reminder window (today included) with the reminders
TASK_OVERDUE_RANK, TASK_DUE_RANK = "brudd", "paminnelse"
TASK_KIND, TASK_OVERDUE_KIND = "oppgave", "oppgave_forfalt"
SLACK = 20  # rows ranked beyond the cap: a gap closed since its projection was written is not shown
ALL_PAGE = 200  # rows per page of «vis alle»
MAX_PAGE = 100_000


def worklist(ctx: Context, everything: bool = False, cap: int | None = None, page: int = 1) -> Worklist:
    """The actor's worklist for today: the first ``cap`` items, or with ``everything`` all of them, page
    ``page`` of :data:`ALL_PAGE` rows (a kommune has thousands; past the last page, the last).

    Each source is ranked in SQL and only its first rows up to the page's end + :data:`SLACK` come back;
    those are merged here and only the rows shown are built. A gap's row is computed in full from the
    livelihood periods as they are now: a projection gone stale leaves the list and the total (found among
    the rows shown; one on an earlier page of «vis alle» still counts in the total)."""
    actor = access.reading(ctx.actor)
    cap = cap if cap is not None else daily_cap()
    if cap < 1:
        raise ServiceError("cap_minimum", "cap")
    today = ctx.today()
    size = ALL_PAGE if everything else cap
    page = min(max(1, page), MAX_PAGE) if everything else 1
    with ctx.transaction() as session:
        dialect = session.connection().dialect.name
        limit: int | None = page * size + SLACK
        while True:
            statements = _statements(actor, today, _reminder_days(), limit, dialect)
            entries, total, more = _ranked(session, statements)
            page = min(page, max(1, -(-total // size)))
            items, total = _built(session, statements.scope, entries, total, (page - 1) * size, size)
            if len(items) >= size or not more or limit is None:
                break
            limit = None  # more rows were stale than the slack: rank them all
        late = session.execute(statements.met_late if not everything else
                               _statements(actor, today, _reminder_days(), None, dialect).met_late).all()
    met_late = [MetLate(case_id, name, title, due, met_on) for case_id, name, title, due, met_on, _ in late]
    return Worklist(items, total, cap, met_late, late[0][-1] if late else 0, everything, page,
                    max(1, -(-total // size)))


def count(ctx: Context) -> int:
    """How many items the actor's worklist has today (the header's count): counted in SQL, nothing built."""
    return sum(counts(ctx).values())


SOURCES = ("deadlines", "flags", "gaps", "tasks")


def counts(ctx: Context) -> dict[str, int]:
    """How many items the actor's worklist has today, per source (:data:`SOURCES`)."""
    actor = access.reading(ctx.actor)
    with ctx.transaction() as session:
        statements = _statements(actor, ctx.today(), _reminder_days(), 0, session.connection().dialect.name)
        return {source: session.execute(statement).scalar_one()
                for source, statement in zip(SOURCES, statements.counts, strict=True)}


def caseworker_counts(session: Session, kommune_id: int, today: date) -> dict[str, int]:
    """The worklist's count without tasks of every caseworker of the kommune, as their own worklist counts
    it when they cover for nobody (their own cases, the caseload flag about them), set-based: four
    statements for the whole kommune instead of four per veileder (the morning summary's 2 000 users)."""
    from pathways.checks.rules import caseload_flag_key  # the checks read livelihood, which reads the worklist's

    dialect = session.connection().dialect.name
    scope = queries.Scope((col(Enrolment.kommune_id) == kommune_id,), (col(Flag.kommune_id) == kommune_id,), True,
                          today, today + timedelta(days=_reminder_days()), dialect)
    found: dict[str, int] = defaultdict(int)
    for statement in queries.counts_by_caseworker(scope, list(FLAG_RANKS)):
        for caseworker, n in session.execute(statement):
            if caseworker is not None:
                found[caseworker] += n
    prefix = caseload_flag_key(kommune_id, "")
    for key, _kind in session.execute(queries.caseless_flags(scope, list(FLAG_RANKS))):
        if key.startswith(prefix):
            found[key[len(prefix):]] += 1
    return dict(found)


@dataclass(frozen=True)
class _Statements:
    scope: queries.Scope
    deadlines: Any
    flags: Any
    gaps: Any
    tasks: Any
    met_late: Any
    counts: tuple[Any, ...]


@lru_cache(maxsize=512)
def _statements(actor: Actor, today: date, reminder_days: int, limit: int | None, dialect: str) -> _Statements:
    """The worklist's statements for an actor on a day, made once: building a statement and computing its
    cache key cost as much as running it (SQLAlchemy keeps the key on the statement object)."""
    cases = access.worked(actor)  # not those handed over; for a receiving unit, those it has taken over
    tasks = access.assigned_tasks(actor)  # the actor's own and their unit's, whatever their role
    whole, rest = _whole_kommune(actor, cases, dialect)
    scope = queries.Scope(tuple(cases), tuple(access.flags(actor)), not actor.own_cases_only, today,
                          today + timedelta(days=reminder_days), dialect, whole, rest)
    return _Statements(
        scope,
        queries.deadline_items(scope, {k: RANK_NO[r] for k, r in DEADLINE_RANKS.items()}, limit),
        queries.flag_items(scope, {k: RANK_NO[r] for k, r in FLAG_RANKS.items()}, limit),
        queries.gap_items(scope, RANK_NO["gap_na"], RANK_NO["gap_kommer"], limit),
        task_queries.items(tasks, today, scope.ahead, RANK_NO[TASK_OVERDUE_RANK], RANK_NO[TASK_DUE_RANK], limit,
                           partial(queries.by_code_point, dialect=dialect)),
        queries.met_late(scope, today - timedelta(days=LATE_DAYS), limit and limit - SLACK),
        (queries.deadline_count(scope), queries.flag_count(scope, list(FLAG_RANKS)), queries.gap_count(scope),
         task_queries.count(tasks, scope.ahead)))


def _whole_kommune(actor: Actor, cases: list[Any], dialect: str) -> tuple[int | None, tuple[Any, ...]]:
    """On SQLite, the actor's kommune when their cases are its cases (a leder's, an administrator's) but
    for conditions that leave the kommune's index usable (those handed over: returned as the second), else
    (None, ()): compared as SQL, so that a narrower rule on cases is never lost. (PostgreSQL's planner reads
    the kommune's deadlines by their index as the statement stands.)"""
    whole = access.kommune(access.reading(actor), col(Enrolment.kommune_id))
    handed = [] if actor.is_system else [access.not_handed_over(actor, Enrolment.id)]  # left out
    said = [str(c.compile(compile_kwargs={"literal_binds": True})) for c in (*cases, *whole, *handed)]
    if dialect != "sqlite" or actor.kommune_id is None or said[:len(cases)] != said[len(cases):]:
        return None, ()
    return actor.kommune_id, tuple(handed)


def _ranked(session: Session, statements: _Statements) -> tuple[list[_Entry], int, bool]:
    """The first entries of each source in the worklist's order, how many there are in all, and whether
    some were left out."""
    conn = session.connection()  # plain rows
    scope = statements.scope
    entries: list[_Entry] = []
    total, more = 0, False

    def counted(rows: list[Any]) -> list[Any]:
        nonlocal total, more
        if rows:
            total += rows[0][-1]
            more = more or rows[0][-1] > len(rows)
        return rows

    ranked = conn.execute(statements.deadlines).all()
    if ranked:
        total = conn.execute(statements.counts[0]).scalar_one()
        more = total > len(ranked)
    details: dict[int, Any] = {}
    ids = [row[3] for row in ranked]
    for start in range(0, len(ids), BATCH):
        details.update((row[0], row) for row in conn.execute(queries.deadline_details(scope.today),
                                                                {"ids": ids[start:start + BATCH]}))
    for rank, due, name, deadline_id in ranked:
        _, case_id, key, title, kind, pid, version_id = details[deadline_id]
        flag_key = f"{kind}:{case_id}:{key}:{due.isoformat()}"
        entries.append(_Entry(RANKS[rank], due, name, (0, deadline_id, ""), partial(
            _deadline_item, session, scope.today, case_id, key, title, kind, due, version_id, pid, name, flag_key),
            flag_key))
    for (rank, on, name, flag_id, kind, severity, message, case_id, pid, _) in counted(
            conn.execute(statements.flags).all()):
        entries.append(_Entry(RANKS[rank], on, name or "", (1, flag_id, ""), partial(
            _flag_item, flag_id, kind, severity, on, message, case_id, pid, name)))
    for (rank, start, name, pid, case_id, _) in counted(conn.execute(statements.gaps).all()):
        entries.append(_Entry(RANKS[rank], start, name, (2, pid, ""), partial(_gap_entry, pid, start),
                              f"inntektsgap:{pid}:{start.isoformat()}", pid, case_id))
    for (rank, due, name, task_id, title, case_id, pid, _) in counted(conn.execute(statements.tasks).all()):
        entries.append(_Entry(RANKS[rank], due, name, (3, task_id, ""), partial(
            _task_item, scope.today, task_id, title, due, case_id, pid, name or None)))
    entries.sort(key=lambda e: e.order)
    return entries, total, more


def _built(session: Session, scope: queries.Scope, entries: list[_Entry], total: int, offset: int,
           size: int) -> tuple[list[Item], int]:
    """The items of ``size`` entries from ``offset`` on that are still true, and the total without the ones
    found no longer true. The flags behind the rows and the gaps are read for the candidates at once."""
    candidates = entries[offset:offset + size + SLACK]
    keys = [e.flag_key for e in candidates if e.flag_key]
    flags: dict[str, int] = {}
    for start in range(0, len(keys), BATCH):
        flags.update(session.execute(queries.flag_ids(scope.today), {"keys": keys[start:start + BATCH]}).tuples().all())
    shown = _Shown(flags, {})
    for item in _gap_items(session, {e.gap_of: e.case_id or 0 for e in candidates if e.gap_of is not None},
                           scope.today, flags):
        shown.gaps.setdefault(item.participant_id or 0, []).append(item)
    items: list[Item] = []
    for entry in candidates:
        if len(items) >= size:
            break
        built = entry.build(shown)
        if built is None:
            total -= 1
            continue
        items.append(built)
    return items, total


BATCH = 500  # ids per IN list


def _gap_entry(pid: int, start: date, shown: _Shown) -> Item | None:
    """The participant's gap from ``start`` as it is now (None: the projection has gone stale)."""
    same = [i for i in shown.gaps.get(pid, []) if i.on == start]
    return same[0] if same else None


@lru_cache(maxsize=8)
def _reminder_days_for(config_path: str | None) -> int:
    return load_config().deadlines.reminder_days_ahead


def _reminder_days() -> int:
    """How many days ahead a deadline is listed (the nightly checks' setting; read once per configuration)."""
    return _reminder_days_for(os.environ.get("PATHWAYS_CHECKS_CONFIG"))


# -- the items ----------------------------------------------------------------------------------------


def case_url(case_id: int, **query: str) -> str:
    anchor = "#hendelse" if "hendelse" in query else "#inntekt" if "inntekt" in query else ""
    return f"/saker/{case_id}" + (f"?{urlencode(query)}" if query else "") + anchor


def income_url(case_id: int, source: str | None, start: date) -> str:
    query = {"inntekt": "ny", **({"kilde": source} if source else {}), "fra": start.isoformat()}
    return f"/saker/{case_id}?{urlencode(query)}#inntekt"


def _deadline_item(session: Session, today: date, case_id: int, key: str, title: str, flag: str, due: date,
                   version_id: int, pid: int, name: str | None, flag_key: str, shown: _Shown) -> Item:
    """A live deadline's row; ``flag`` is the kind of flag the nightly check raises for it today
    (:func:`pathways.store.queries.worklist.deadline_flag_kind`)."""
    definition = definition_of(session, version_id)
    pathway = definition.pathway
    event = None
    for deadline in pathway.deadlines:
        if deadline.id == key and deadline.met_by:
            event = deadline.met_by[0]
    for followup in pathway.followups:
        if followup.id == key and followup.done_by:
            event = followup.done_by[0]
    event_title = definition.compiled.event_title(event) if event else None
    todo = f"registrer «{event_title}»" if event_title else "åpne saken og følg opp fristen"
    url = case_url(case_id, hendelse=event) if event else case_url(case_id)
    days = (due - today).days
    rank = DEADLINE_RANKS[flag]
    severity = {"frist_brudd": "high", "oppfolging_forfalt": "medium", "frist_nar": "medium"}.get(flag, "low")
    what = {"oppfolging_forfalt": f"Oppfølging forfalt {fmt_date(due)}",
            "frist_brudd": f"Frist passert {fmt_date(due)}",
            "frist_nar": f"Frist {fmt_date(due)} ({_in_days(days)})"}.get(
        flag, f"Påminnelse {fmt_date(due)} ({_in_days(days)})")
    return Item(f"frist-{case_id}-{key}", rank, flag, due, what, title, todo, url,
                event_title or "Åpne saken", case_id, pid, name, flag_id=shown.flags.get(flag_key), severity=severity)


def _in_days(days: int) -> str:
    return "i dag" if days == 0 else "i morgen" if days == 1 else f"om {days} dager"


def _flag_item(flag_id: int, kind: str, severity: str, on: date, message: str, case_id: int | None,
               pid: int | None, name: str | None, _shown: _Shown | None = None) -> Item:
    todo, where, source = FLAG_ACTIONS.get(kind, ("åpne saken og vurder flagget", "case", None))
    head, rest = flag_parts(kind, message)
    why = (head + rest).strip() if not rest.startswith(":") else rest[1:].strip()
    if where == "income" and case_id is not None:
        url, label = income_url(case_id, source, on), "Registrer inntekt"
    elif where == "participant" and pid is not None:
        url, label = f"/deltakere/{pid}", "Åpne deltakeren"
    elif case_id is not None and where != "none":
        url, label = case_url(case_id), "Åpne saken"
    else:
        url, label = None, ""
    return Item(f"flagg-{flag_id}", FLAG_RANKS.get(kind, "paminnelse"), kind, on,
                f"{FLAG_KINDS.get(kind, kind)} {fmt_date(on)}", why, todo, url, label, case_id, pid, name,
                flag_id=flag_id, severity=severity)


def _task_item(today: date, task_id: int, title: str, due: date, case_id: int | None, pid: int | None,
               name: str | None, _shown: _Shown | None = None) -> Item:
    """A task given to the actor or their unit: what it is, when it is due, and to complete it."""
    overdue = due < today
    what = localise(Text("task_item_overdue" if overdue else "task_item_today" if due == today else "task_item_due",
                         due=due))
    url, label = (case_url(case_id), localise(Text("task_open_case"))) if case_id is not None else (None, "")
    return Item(f"oppgave-{task_id}", TASK_OVERDUE_RANK if overdue else TASK_DUE_RANK,
                TASK_OVERDUE_KIND if overdue else TASK_KIND, due, what, title, localise(Text("task_item_todo")),
                url, label, case_id, pid, name, severity="high" if overdue else "medium", task_id=task_id)


def flag_parts(kind: str, message: str) -> tuple[str, str]:
    """A flag's kind title and the rest of its line: a message that starts with the title itself ("Frist
    passert: …") does not repeat it ("Frist passert: Frist passert: …")."""
    title = FLAG_KINDS.get(kind, kind)
    if message[:len(title)].casefold() == title.casefold():
        return title, message[len(title):]
    return title, ": " + message


def _gap_items(session: Session, people: dict[int, int], today: date, flags: dict[str, int]) -> list[Item]:
    """The current and projected gaps of the participants named (with the case in scope the rows link to),
    computed now from the livelihood periods and the steps of their active cases as the live projection
    computes them (set-based: two queries per :data:`BATCH` participants); ``flags`` the open flags by
    natural key."""
    ids = sorted(people)
    cases: dict[int, list[tuple[int, date, int, str, str]]] = defaultdict(list)
    periods: dict[int, list[IncomePeriod]] = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        for pid, case_id, begun, version_id, state, name in session.execute(queries.gap_cases(), {"ids": batch}):
            cases[pid].append((case_id, begun, version_id, state, name))
        for pid, source, begins, end, planned, period_id in session.execute(queries.periods(), {"ids": batch}):
            try:
                periods[pid].append(IncomePeriod(source, begins, end, planned, period_id))
            except (ValueError, OverflowError):
                continue  # a broken row: the nightly check flags it as a data error
    last = today + timedelta(days=GAP_HORIZON)
    items = []
    for pid, own in cases.items():
        own.sort()
        try:
            spans = case_spans([(definition_of(session, version_id), state) for _, _, version_id, state, _ in own],
                               last)
            gaps = income_gaps(periods[pid], active_from=min(c[1] for c in own), active_to=None, as_of=today,
                               horizon_days=GAP_HORIZON, steps=spans)
        except (ValueError, OverflowError):
            continue
        case_id, name = people[pid], own[0][4]
        for gap in gaps:
            if gap.end < today:
                continue
            expected = next((code for s in spans if s.active_on(gap.start) for code in s.expected
                             if code not in ("ingen", "sosialhjelp")), None)
            items.append(_gap_item(gap, pid, case_id, name, periods[pid], expected,
                                   flags.get(f"inntektsgap:{pid}:{gap.start.isoformat()}")))
    return items


def _gap_item(gap: Gap, pid: int, case_id: int, name: str | None, periods: list[IncomePeriod],
              expected: str | None, flag_id: int | None) -> Item:
    ended = [p for p in periods if p.end is not None and p.end == gap.start - timedelta(days=1)]
    source = expected or (ended[0].source if ended else None)
    cause = f" (utløser: {TRIGGER_WORDS[gap.trigger]})" if gap.trigger in TRIGGER_WORDS else ""
    why = f"{gap.reason}{cause}" if gap.reason else cause.strip(" ()")
    if gap.kind == "current":
        what = f"Ingen inntekt registrert siden {fmt_date(gap.start)}"
        if gap.reason.startswith("Ingen inntekt er registrert"):  # the reason only says what the line says
            why = ((f"steget forventer {source_label(expected)}" if expected else "") + cause).strip()
        todo = "registrer inntekten, eller start NAV-dialog om den mangler"
        rank = "gap_na"
    else:
        if ended:
            what = (f"{source_label(ended[0].source).capitalize()} slutter {fmt_date(ended[0].end or gap.start)}, "
                    "ingen ny inntekt registrert")
        else:
            what = f"Inntektsgap fra {fmt_date(gap.start)}"
        todo = "start NAV-dialog eller registrer planlagt inntekt"
        rank = "gap_kommer"
    return Item(f"gap-{pid}-{gap.start.isoformat()}", rank, "inntektsgap", gap.start, what, why, todo,
                income_url(case_id, source, gap.start), "Registrer inntekt", case_id, pid, name,
                flag_id=flag_id, severity="high" if gap.kind == "current" else "medium")
