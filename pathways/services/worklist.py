"""«I dag»: what the actor must act on today, ranked, each item one line that says what, why and what to do.

Sources: the live data (deadlines due or breached on active cases, as the store's projection has them now;
current and projected income gaps, computed from the livelihood periods as they are now) and the flags of
the nightly checks that only the nightly run knows (programme end, NAV dialogue, 25th birthday, decisions
after settlement, caseload, unpaid practice, contracts without employment, data errors).

A flag staff acknowledged or snoozed leaves the list (a snooze ends on its date); so does the live
deadline behind such a flag. A deadline met after its due date is shown as «oppfylt for sent» for a week,
as information, not as an action.

Ranking: breaches before what is coming, current gaps before projected ones, reminders last; within a
rank, the nearest date first. The list is capped (``PATHWAYS_WORKLIST_CAP``, default 25); the total
says how many there are in all.

Scope (:mod:`pathways.services.access`): a veileder sees their own cases, a leder the kommune's. A
veileder's gaps are computed live for every participant of their cases; a kommune has too many for that
on every page, so a leder's gaps are ranked by the nightly gap flags and each row shown is computed again
as it is now (a gap closed since the night leaves the list; a new one arrives with the next night).
Only the rows shown are built (titles, links), so a kommune's thousands of items cost their ranking only.
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

from pathways.checks.config import load_config
from pathways.checks.rules import TRIGGER_WORDS
from pathways.income.gaps import Gap, IncomePeriod, income_gaps
from pathways.income.gaps import fmt as fmt_date
from pathways.income.gaps import label as source_label
from pathways.services import access
from pathways.services.context import Context, ServiceError, definition_of
from pathways.services.dashboard import FLAG_KINDS
from pathways.services.livelihood import case_spans
from pathways.store.queries import worklist as queries

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
    "datafeil": ("rett verdien på saken", "case", None),
}
FLAG_RANKS = {"programslutt": "paminnelse", "nav_dialog": "brudd", "fyller_25": "paminnelse",
              "vedtak_mangler": "brudd", "botid_2_ar": "brudd", "saksmengde": "paminnelse",
              "ulonnet_praksis": "frist_nar", "kontrakt_uten_arbeid": "brudd", "datafeil": "brudd"}


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
    met_late: list[MetLate]

    @property
    def capped(self) -> bool:
        return self.total > len(self.items)


@dataclass
class _Entry:
    """An item before it is written out: what ranks it, and how to build it (only the rows shown are built)."""

    rank: str
    on: date
    name: str
    key: str
    build: Callable[[], Item | None]  # None: no longer true (a gap closed since the night)
    participant_id: int | None = None
    kind: str = ""

    @property
    def order(self) -> tuple[int, date, str, str]:
        return RANKS.index(self.rank), self.on, self.name, self.key


def worklist(ctx: Context, everything: bool = False, cap: int | None = None) -> Worklist:
    """The actor's worklist for today (all of it with ``everything``)."""
    actor = access.reading(ctx.actor)
    cap = cap if cap is not None else daily_cap()
    if cap < 1:
        raise ServiceError("cap_minimum", "cap")
    today = ctx.today()
    case_scope = access.cases(actor)
    with ctx.transaction() as session:
        conn = session.connection()  # plain rows: a leder's kommune has thousands
        decided: set[tuple[str, int, str, date]] = set()
        open_deadline_flags: dict[tuple[str, int, str, date], int] = {}
        entries: list[_Entry] = []
        flagged_gaps: dict[tuple[int, date], tuple[int, int | None, str | None]] = {}
        decided_gaps: set[tuple[int, date]] = set()  # gaps staff acknowledged or snoozed
        for (flag_id, natural_key, kind, severity, due, message, state, snoozed_until, case_id, pid,
             name) in conn.execute(queries.live_flags(access.flags(actor), today)):
            active = state == "open" or (state == "snoozed" and snoozed_until is not None and snoozed_until <= today)
            if kind in queries.DEADLINE_FLAG_KINDS:
                parts = natural_key.split(":")
                if len(parts) >= 4 and case_id is not None:
                    if active:
                        open_deadline_flags[(kind, case_id, parts[2], due)] = flag_id
                    else:
                        decided.add((kind, case_id, parts[2], due))
                continue
            if kind == "inntektsgap":
                if pid is not None and due is not None:
                    if active:
                        flagged_gaps[(pid, due)] = (flag_id, case_id, name)
                    else:
                        decided_gaps.add((pid, due))
                continue
            if active:
                entries.append(_Entry(FLAG_RANKS.get(kind, "paminnelse"), due or today, name or "", f"flagg-{flag_id}",
                                      partial(_flag_item, flag_id, kind, severity, due or today, message, case_id, pid,
                                              name), pid, kind))
        ahead = today + timedelta(days=_reminder_days())
        met_late: list[MetLate] = []
        for (case_id, key, title, kind, recurring, due, status, met_on, pid, version_id,
             name) in conn.execute(queries.deadlines(case_scope, today, ahead, today - timedelta(days=LATE_DAYS))):
            if status == "met":
                met_late.append(MetLate(case_id, name, title, due, met_on))
                continue
            flag, rank = _deadline_rank(kind, recurring, due, today)
            if (flag, case_id, key, due) in decided:
                continue
            entries.append(_Entry(rank, due, name or "", f"frist-{case_id}-{key}", partial(
                _deadline_item, session, today, case_id, key, title, kind, recurring, due, version_id, pid, name,
                open_deadline_flags.get((flag, case_id, key, due))), pid, flag))
        live: _LiveGaps | None = None
        if actor.own_cases_only:  # live gaps of every participant of the veileder's own cases
            for item in _gap_items(session, case_scope, None, today,
                                   {k: v[0] for k, v in flagged_gaps.items()}):
                if (item.participant_id, item.on) not in decided_gaps:
                    entries.append(_Entry(item.rank, item.on, item.name or "", item.key, partial(_same, item),
                                          item.participant_id, item.kind))
        else:  # a kommune: ranked by the nightly gap flags, the rows shown computed again as they are now
            live = _LiveGaps(session, case_scope, today, {k: v[0] for k, v in flagged_gaps.items()})
            for (pid, start), (_flag_id, _case_id, name) in flagged_gaps.items():
                entries.append(_Entry("gap_na" if start <= today else "gap_kommer", start, name or "",
                                      f"gap-{pid}-{start.isoformat()}", partial(live.item, pid, start), pid,
                                      "inntektsgap"))
        # a decision missing after settlement is said once: by the case's own deadline when it has one
        with_deadline = {e.participant_id for e in entries if e.key.startswith("frist-")}
        entries = [e for e in entries if not (e.kind in ("vedtak_mangler", "botid_2_ar")
                                              and e.participant_id in with_deadline)]
        entries.sort(key=lambda e: e.order)
        if live is not None:  # the gaps of the rows about to be shown, computed in one batch
            shown = entries if everything else entries[:cap + 20]
            live.prepare([e.participant_id for e in shown if e.kind == "inntektsgap" and e.participant_id])
        items: list[Item] = []
        total = len(entries)
        for entry in entries:
            if not everything and len(items) >= cap:
                break
            built = entry.build()
            if built is None:
                total -= 1
                continue
            items.append(built)
    met_late.sort(key=lambda m: m.met_on, reverse=True)
    return Worklist(items, total, cap, met_late)


def _same(item: Item) -> Item:
    return item


@lru_cache(maxsize=8)
def _reminder_days_for(config_path: str | None) -> int:
    return load_config().deadlines.reminder_days_ahead


def _reminder_days() -> int:
    """How many days ahead a deadline is listed (the nightly checks' setting; read once per configuration)."""
    return _reminder_days_for(os.environ.get("PATHWAYS_CHECKS_CONFIG"))


class _LiveGaps:
    """The gaps of a kommune's participants, computed as they are now, for the rows shown only."""

    def __init__(self, session: Session, case_scope: list[Any], today: date, flagged: dict[tuple[int, date], int]):
        self.session, self.case_scope, self.today, self.flagged = session, case_scope, today, flagged
        self.found: dict[int, list[Item]] = {}

    def prepare(self, people: list[int]) -> None:
        self.wanted = sorted(set(people))

    def item(self, pid: int, start: date) -> Item | None:
        if pid not in self.found:
            batch = [p for p in getattr(self, "wanted", []) if p not in self.found] or [pid]
            if pid not in batch:
                batch.append(pid)
            for p in batch:
                self.found.setdefault(p, [])
            for item in _gap_items(self.session, self.case_scope, batch, self.today, self.flagged):
                self.found[item.participant_id or 0].append(item)
        same = [i for i in self.found[pid] if i.on == start]
        return same[0] if same else None


def count(ctx: Context) -> int:
    """How many items the actor's worklist has today (the header's count)."""
    return worklist(ctx, cap=1).total


# -- the items ----------------------------------------------------------------------------------------


def case_url(case_id: int, **query: str) -> str:
    anchor = "#hendelse" if "hendelse" in query else "#inntekt" if "inntekt" in query else ""
    return f"/saker/{case_id}" + (f"?{urlencode(query)}" if query else "") + anchor


def income_url(case_id: int, source: str | None, start: date) -> str:
    query = {"inntekt": "ny", **({"kilde": source} if source else {}), "fra": start.isoformat()}
    return f"/saker/{case_id}?{urlencode(query)}#inntekt"


def _deadline_rank(kind: str, recurring: bool, due: date, today: date) -> tuple[str, str]:
    """The flag kind and the rank of a live deadline, as the nightly check would flag it."""
    if recurring and due < today:
        return "oppfolging_forfalt", "brudd"
    if kind == "breach" and due < today:
        return "frist_brudd", "brudd"
    if kind == "breach" or recurring:
        return "frist_nar", "frist_nar"
    return "frist_paminnelse", "paminnelse"


def _deadline_item(session: Session, today: date, case_id: int, key: str, title: str, kind: str, recurring: bool,
                   due: date, version_id: int, pid: int, name: str | None, flag_id: int | None) -> Item:
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
    flag, rank = _deadline_rank(kind, recurring, due, today)
    severity = {"frist_brudd": "high", "oppfolging_forfalt": "medium", "frist_nar": "medium"}.get(flag, "low")
    what = {"oppfolging_forfalt": f"Oppfølging forfalt {fmt_date(due)}",
            "frist_brudd": f"Frist passert {fmt_date(due)}",
            "frist_nar": f"Frist {fmt_date(due)} ({_in_days(days)})"}.get(
        flag, f"Påminnelse {fmt_date(due)} ({_in_days(days)})")
    return Item(f"frist-{case_id}-{key}", rank, flag, due, what, title, todo, url,
                event_title or "Åpne saken", case_id, pid, name, flag_id=flag_id, severity=severity)


def _in_days(days: int) -> str:
    return "i dag" if days == 0 else "i morgen" if days == 1 else f"om {days} dager"


def _flag_item(flag_id: int, kind: str, severity: str, on: date, message: str, case_id: int | None,
               pid: int | None, name: str | None) -> Item:
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


def flag_parts(kind: str, message: str) -> tuple[str, str]:
    """A flag's kind title and the rest of its line: a message that starts with the title itself ("Frist
    passert: …") does not repeat it ("Frist passert: Frist passert: …")."""
    title = FLAG_KINDS.get(kind, kind)
    if message[:len(title)].casefold() == title.casefold():
        return title, message[len(title):]
    return title, ": " + message


def _gap_items(session: Session, case_scope: list[Any], people: list[int] | None, today: date,
               flagged: dict[tuple[int, date], int]) -> list[Item]:
    """Current and projected gaps, computed now from the livelihood periods and the steps (set-based: two
    queries for every participant in question)."""
    cases: dict[int, list[tuple[int, date, int, str, str]]] = defaultdict(list)
    for pid, case_id, start, version_id, state, name in session.execute(queries.gap_cases(case_scope, people)):
        cases[pid].append((case_id, start, version_id, state, name))
    if not cases:
        return []
    periods: dict[int, list[IncomePeriod]] = defaultdict(list)
    for pid, source, start, end, planned, period_id in session.execute(
            queries.periods(sorted(cases) if people is not None else [], case_scope)):
        try:
            periods[pid].append(IncomePeriod(source, start, end, planned, period_id))
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
        case_id, name = own[0][0], own[0][4]
        for gap in gaps:
            if gap.end < today:
                continue
            expected = next((code for s in spans if s.active_on(gap.start) for code in s.expected
                             if code not in ("ingen", "sosialhjelp")), None)
            items.append(_gap_item(gap, pid, case_id, name, periods[pid], expected, flagged.get((pid, gap.start))))
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
