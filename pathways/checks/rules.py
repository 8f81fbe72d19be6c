"""The rule families of the nightly checks. Each asks the store for its rows set-based
(:mod:`pathways.store.queries.checks`: a few queries over indexed columns, never one query per case),
states its rule over them, and returns the flags that should exist on the run date. The income-gap
family also refreshes the live income projection the caseload shows (days passing move a coming gap
to a current one; the services write it with every change of the data).

A flag's natural key names the rule, the case (or caseworker) and what it is about, so that a re-run
finds the same flag instead of adding one. Messages are Norwegian bokmål and carry no personal data
beyond what the case page shows anyway (no names, no national ids). A row a rule cannot compute with
(a date of year 9999, a state that does not parse) becomes one ``datafeil`` flag naming the field, and
the family goes on with everyone else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Connection
from sqlmodel import Session

from pathways.calendar import add_working_days
from pathways.checks.config import ChecksConfig
from pathways.checks.nir import nir_config
from pathways.engine.state import CaseState
from pathways.i18n import localise
from pathways.income.gaps import Gap, IncomePeriod
from pathways.income.gaps import income_gaps as library_gaps
from pathways.income.stonad import birthday as turns
from pathways.messages import Text
from pathways.services.context import definition_of
from pathways.services.livelihood import GAP_FLAG, case_spans, first_open_gap, gap_flag_key
from pathways.store.queries import cases as case_rows
from pathways.store.queries import checks as store
from pathways.store.queries import nir as nir_rows
from pathways.store.queries import tasks as task_rows


@dataclass(frozen=True, slots=True)
class Candidate:
    natural_key: str
    kind: str
    severity: str  # low | medium | high
    kommune_id: int
    enrolment_id: int | None
    participant_id: int | None
    due: date | None
    message: str


def fmt(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"  # dd.mm.yyyy, faster than strftime for 10⁵ flags


# -- data errors ----------------------------------------------------------------------------------


DATA_ERROR = "datafeil"
ROW_ERRORS = (ValueError, OverflowError)
"""What one row's values can raise in a rule: a date out of range (year 10000), a stored case state that
does not validate. Such a row becomes one ``datafeil`` flag; the family goes on with everyone else."""
FIELDS = {
    "settlement_date": "bosettingsdatoen",
    "start_date": "sakens startdato",
    "livelihood_period": "en av inntektsperiodene (kilde, fra eller til)",
    "state": "sakens steg og datoer",
}
"""The fields a data error can name, as the case page calls them."""
FAMILY_TITLES = {
    "deadlines": "frister", "programme_end": "programslutt", "income_gaps": "inntektsgap", "birthday": "25-årsdag",
    "settlement": "vedtak etter bosetting", "caseload": "saksmengde", "unpaid_practice": "ulønnet praksis",
    "contract_employment": "kontrakt uten arbeid", "handoffs": "overføringer", "tasks": "oppgaver",
    "nir": "NIR",
}


def data_error(family: str, field: str, kommune: int, case: int | None, participant: int | None, on: date
               ) -> Candidate:
    """The flag for a row ``family`` could not compute with because of ``field``: on the case (or, without
    one, the participant), due on the run date. Its key starts with the family, which owns it."""
    about = f"sak{case}" if case is not None else f"deltaker{participant}"
    return Candidate(f"{DATA_ERROR}:{family}:{about}:{field}", DATA_ERROR, "high", kommune, case, participant, on,
                     f"Datafeil: {FIELDS[field]} kan ikke brukes i den nattlige kontrollen av {FAMILY_TITLES[family]}. "
                     "Rett verdien; til da kontrolleres ikke dette for deltakeren")


# -- deadlines and follow-ups ---------------------------------------------------------------------


def deadlines(conn: Connection, config: ChecksConfig, on: date, shard: tuple[int, int] | None = None
              ) -> list[Candidate]:
    """Deadlines coming due (reminders and breach deadlines within the window), breach deadlines passed,
    recurring follow-ups not done — on active cases. A reminder whose day has passed is not flagged
    again: it reminded ahead of time, and the breach deadline it prepares for takes over."""
    ahead = on + timedelta(days=config.deadlines.reminder_days_ahead)
    rows = store.deadlines_due(conn, on, ahead, shard)
    found = []
    for case, kommune, key, title, kind, recurring, due, participant in rows:
        if recurring and due < on:
            flag, severity = "oppfolging_forfalt", "medium"
            text = f"Oppfølging ikke gjort: {title} (forfalt {fmt(due)})"
        elif kind == "breach" and due < on:
            flag, severity, text = "frist_brudd", "high", f"Frist passert: {title} ({fmt(due)})"
        elif kind == "breach":
            flag, severity, text = "frist_nar", "medium", f"Frist {fmt(due)}: {title}"
        else:
            flag, severity, text = "frist_paminnelse", "low", f"Påminnelse {fmt(due)}: {title}"
        found.append(Candidate(f"{flag}:{case}:{key}:{due.isoformat()}", flag, severity, kommune, case,
                               participant, due, text[:500]))
    return found


# -- programme end --------------------------------------------------------------------------------


def programme_end(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """The planned end coming within the horizons (90, 30, 7 days), and no NAV dialogue 3 months before.

    As of ``on``, also when that is a past date: the stored status of a case and its deadlines is the one
    of the last write, so a case ended after ``on`` was running then, a deadline met after ``on`` was
    still to meet, one breached since was not yet breached, and a dialogue recorded later was not yet
    had. (A planned end recorded after ``on`` is counted as if known then: the stored row does not say
    when its date was recorded.)"""
    rules = config.programme_end
    widest = on + timedelta(days=max(rules.horizons))
    rows = store.programme_ends(conn, on, widest, rules.end_deadlines)
    talked = store.cases_with_event(conn, rules.nav_dialogue.events, on, [r.enrolment_id for r in rows])
    found = []
    for case, kommune, due, participant, _pathway in rows:
        days = (due - on).days
        horizon = min(h for h in rules.horizons if days <= h)
        severity = "high" if horizon <= 7 else "medium" if horizon <= 30 else "low"
        found.append(Candidate(f"programslutt:{case}:{due.isoformat()}:{horizon}", "programslutt", severity, kommune,
                               case, participant, due, f"Programmet slutter {fmt(due)} (om {days} dager)"))
        if case not in talked and rules.nav_dialogue.before_end.negated().add_to(due) <= on:
            found.append(Candidate(f"nav_dialog:{case}:{due.isoformat()}", "nav_dialog", "high", kommune, case,
                                   participant, due, f"Ingen dialog med NAV registrert, og programmet slutter "
                                                     f"{fmt(due)}: avtal overgang og livsopphold"))
    return found


# -- income gaps ----------------------------------------------------------------------------------


TRIGGER_WORDS = {
    "stipend_ends_before_course": "stønaden slutter før kurset eller løpet er ferdig",
    "measure_ends_without_job": "tiltaket slutter uten jobb",
    "nav_measure_lower_income": "overgang til NAV-tiltak med lavere inntekt",
    "no_livelihood_step": "steget gir ikke rett til livsopphold",
    "waiting_first_payment": "venter på første utbetaling",
    "contract_lapsed": "arbeidsforholdet er slutt",
    "summer_break": "sommeropphold",
    "leave": "permisjon",
}


Projection = tuple[date | None, date | None]  # (from, to) of the first open gap, as stored on the active cases


def _gaps_by_participant(conn: Connection, config: ChecksConfig, on: date, shard: tuple[int, int] | None = None,
                         stored: dict[int, Projection] | None = None
                         ) -> Iterator[tuple[int, int, int, list[Gap] | Candidate]]:
    """(participant, first case, kommune, the gaps or the data error) of every participant with an active
    case (of those in ``shard``: ids ≡ i mod n), as the case page and ``pathways gaps`` compute them (the
    income library, with the steps of the participant's cases). Two queries; ``stored`` is given the
    projection the cases hold (:func:`income_gaps` writes only the changes)."""
    horizon = config.income_gaps.horizon_days
    last = on + timedelta(days=horizon)
    cases: dict[int, list[tuple[int, int, date, int, str]]] = defaultdict(list)
    for pid, case, kommune, start, version, state, gap_from, gap_to in store.active_case_states(conn, shard):
        cases[pid].append((case, kommune, start, version, state))
        if stored is not None:
            stored[pid] = (gap_from, gap_to)
    periods: dict[int, list[IncomePeriod]] = defaultdict(list)
    broken: set[int] = set()
    rows = store.periods_starting_by(conn, last + timedelta(days=1), shard)  # the day after: what follows
    for pid, source, start, end, planned, period in rows:
        if pid in cases:
            try:
                periods[pid].append(IncomePeriod(source, start, end, planned, period))
            except ROW_ERRORS:
                broken.add(pid)
    with Session(bind=conn) as session:  # published versions are cached: a query for each new one
        definitions = {v: definition_of(session, v) for v in {c[3] for own in cases.values() for c in own}}
    for pid, own in cases.items():
        own.sort()  # by case id, and the periods by start and id, as the case page reads them
        periods[pid].sort(key=lambda p: (p.start, p.id or 0))
        case, kommune, first = own[0][0], min(c[1] for c in own), min(c[2] for c in own)
        if pid in broken:
            yield pid, case, kommune, data_error("income_gaps", "livelihood_period", kommune, case, pid, on)
            continue
        try:
            spans = case_spans([(definitions[version], state) for *_, version, state in own], last)
        except ROW_ERRORS:
            yield pid, case, kommune, data_error("income_gaps", "state", kommune, case, pid, on)
            continue
        try:
            yield pid, case, kommune, library_gaps(periods[pid], active_from=first, active_to=None, as_of=on,
                                                   horizon_days=horizon, steps=spans)
        except ROW_ERRORS:  # with valid periods and steps, only a start on the first day of the calendar
            yield pid, case, kommune, data_error("income_gaps", "start_date", kommune, case, pid, on)


def income_gaps(conn: Connection, config: ChecksConfig, on: date, shard: tuple[int, int] | None = None
                ) -> list[Candidate]:
    """Days without livelihood for participants with an active case: running now, or coming within the
    horizon from the planned end dates. Refreshes, on the way, the live income projection the caseload
    shows (:func:`pathways.services.livelihood.first_open_gap`), writing only the participants whose
    projection changed since the services last wrote it (the days passing move gaps from coming to now)."""
    found = []
    projection: dict[int, tuple[date, date | None] | None] = {}
    stored: dict[int, Projection] = {}
    for pid, case, kommune, gaps in _gaps_by_participant(conn, config, on, shard, stored):
        if isinstance(gaps, Candidate):
            found.append(gaps)
            continue
        projection[pid] = first_open_gap(gaps, on)
        for gap in gaps:
            if gap.end < on:
                continue  # closed before the run date: history, not a warning
            when = "nå" if gap.kind == "current" else "kommer"
            cause = f" (utløser: {TRIGGER_WORDS[gap.trigger]})" if gap.trigger in TRIGGER_WORDS else ""
            found.append(Candidate(gap_flag_key(pid, gap.start), GAP_FLAG,
                                   "high" if gap.kind == "current" else "medium", kommune, case, pid, gap.start,
                                   f"Inntektsgap ({when}) {gap.span()}{cause}: {gap.reason}"[:500]))
    _store_projection(conn, projection, stored)
    return found


def _store_projection(conn: Connection, projection: dict[int, tuple[date, date | None] | None],
                      stored: dict[int, Projection]) -> int:
    changed = [(pid, *(gap or (None, None))) for pid, gap in projection.items()
               if stored.get(pid, (None, None)) != (gap or (None, None))]
    return case_rows.set_gaps(conn, changed)


def refresh_income_projection(conn: Connection, config: ChecksConfig, on: date) -> int:
    """Store the live income projection of every participant with an active case as of ``on`` (as the
    income-gap family does each night), without touching flags; return how many changed."""
    stored: dict[int, Projection] = {}
    return _store_projection(conn, {pid: first_open_gap(gaps, on) for pid, _, _, gaps in
                                    _gaps_by_participant(conn, config, on, stored=stored)
                                    if not isinstance(gaps, Candidate)}, stored)


# -- the 25th birthday ----------------------------------------------------------------------------


def birthday(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """The introduksjonsstønad rate changes at the 25th birthday: flag it ahead, during the programme."""
    rules = config.birthday
    # a year's margin either side of the window: the exact day is the income library's
    rows = store.born_between(conn, rules.pathways, on - relativedelta(years=rules.age + 1),
                              on - relativedelta(years=rules.age - 1))
    found = []
    for case, kommune, participant, born in rows:
        day = turns(born, rules.age)
        if on <= day <= on + timedelta(days=rules.days_ahead):
            found.append(Candidate(f"fyller_25:{case}:{day.isoformat()}", "fyller_25", "medium", kommune, case,
                                   participant, day, f"Deltakeren fyller {rules.age} år {fmt(day)}: satsen for "
                                                     "introduksjonsstønad endres"))
    return found


# -- settlement without a decision ----------------------------------------------------------------


def settlement(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """No programme decision 3 months after settlement (§ 12), and the 2-year window closing (§ 8)."""
    rules = config.settlement
    window_start = rules.eligibility_window.negated().add_to(on) - timedelta(days=90)
    rows = store.settled_undecided(conn, window_start, rules.decision_pathway, rules.undecided_steps)
    found = []
    for participant, kommune, settled in rows:
        try:
            decide_by = rules.decision_within.add_to(settled)
            closes = rules.eligibility_window.add_to(settled)
        except ROW_ERRORS:
            found.append(data_error("settlement", "settlement_date", kommune, None, participant, on))
            continue
        if decide_by < on <= closes:
            found.append(Candidate(f"vedtak_mangler:{participant}:{decide_by.isoformat()}", "vedtak_mangler", "high",
                                   kommune, None, participant, decide_by,
                                   f"Bosatt {fmt(settled)}: vedtak om introduksjonsprogram skulle vært fattet innen "
                                   f"{fmt(decide_by)} (integreringsloven § 12)"))
        if closes - timedelta(days=90) <= on:
            found.append(Candidate(f"botid_2_ar:{participant}:{closes.isoformat()}", "botid_2_ar", "high", kommune,
                                   None, participant, closes,
                                   f"To års botid nås {fmt(closes)} uten vedtak: retten til introduksjonsprogram "
                                   "faller bort (integreringsloven § 8)"))
    return found


# -- Supported Employment: caseload and unpaid practice -------------------------------------------


def caseload_flag_key(kommune_id: int, caseworker: str) -> str:
    """The natural key of the flag about a jobbspesialist's caseload (it has no case of its own)."""
    return f"saksmengde:{kommune_id}:{caseworker}"


def caseload(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """More active cases per jobbspesialist than the model allows (fidelity: at most 15–20)."""
    rules = config.caseload
    rows = store.caseworkers_over(conn, rules.pathways, rules.max_cases)
    return [Candidate(caseload_flag_key(kommune, worker), "saksmengde", "medium", kommune, None, None, on,
                      f"{worker} har {count} aktive saker i Supported Employment; modellen tillater høyst "
                      f"{rules.max_cases}") for kommune, worker, count in rows]


def unpaid_practice(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """Unpaid trial periods that last longer than the configured weeks ("oppbevaring")."""
    rules = config.unpaid_practice
    limit = timedelta(weeks=rules.max_weeks)
    found = []
    for pathway, steps in rules.steps.items():
        for case, kommune, participant, raw in store.active_in_steps(conn, pathway, steps):
            try:
                state = CaseState.model_validate_json(raw)
            except ROW_ERRORS:
                found.append(data_error("unpaid_practice", "state", kommune, case, participant, on))
                continue
            for step in steps:
                since = state.entered.get(step) if step in state.steps else None
                if since is not None and on - since > limit:
                    found.append(Candidate(
                        f"ulonnet_praksis:{case}:{since.isoformat()}", "ulonnet_praksis", "medium", kommune, case,
                        participant, since + limit, f"Ulønnet praksis siden {fmt(since)} ({(on - since).days // 7} "
                                                    f"uker, mer enn {rules.max_weeks}): vurder lønnet ansettelse"))
    return found


# -- fagbrev på jobb without employment -----------------------------------------------------------


def contract_employment(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """A fagbrev-på-jobb contract lapses when the employment ends: flag contracts with no current wages."""
    rules = config.contract_employment
    rows = store.in_steps_without_income(conn, rules.pathways, rules.steps, rules.sources, on)
    return [Candidate(f"kontrakt_uten_arbeid:{case}", "kontrakt_uten_arbeid", "high", kommune, case, participant, on,
                      "Kontrakt om fagbrev på jobb uten registrert arbeidsforhold: kontrakten faller bort når "
                      "ansettelsen slutter") for case, kommune, participant in rows]


# -- hand-offs to another unit -------------------------------------------------------------------------


def handoffs(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """A hand-off not accepted after the configured working days (Norwegian working days, from the day it
    was sent): the sender stays responsible and should call the receiver; resolved when it is accepted,
    returned or cancelled. And a hand-off whose planned date is within the horizon with no livelihood from
    that date (planned or confirmed): the income stops at the hand-over unless one is planned."""
    rules = config.handoffs
    found = []
    # n working days are at least n calendar days: what is overdue was sent before on - n (the index's filter)
    for handoff, case, kommune, participant, unit, sent, _planned in store.handoffs_pending(
            conn, on - timedelta(days=rules.working_days)):
        due = add_working_days(sent, rules.working_days)
        if due < on:
            found.append(Candidate(
                f"overforing_ikke_mottatt:{handoff}", "overforing_ikke_mottatt", "high", kommune, case, participant,
                due, f"Overføringen til {unit} sendt {fmt(sent)} er ikke mottatt etter {rules.working_days} "
                     f"arbeidsdager: kontakt {unit}, eller trekk overføringen tilbake; til den er mottatt, er du "
                     "ansvarlig"[:500]))
    by = on + timedelta(days=rules.income_days_ahead)
    for handoff, case, kommune, participant, unit, planned in store.handoffs_without_income(conn, on, by):
        found.append(Candidate(
            f"overforing_uten_inntekt:{handoff}:{planned.isoformat()}", "overforing_uten_inntekt", "high", kommune,
            case, participant, planned, f"Overføring til {unit} {fmt(planned)} uten livsopphold fra den datoen: "
                                        "registrer planlagt inntekt (for eksempel tiltakspenger eller lønn) fra "
                                        "overføringsdatoen"[:500]))
    return found
# -- tasks overdue ----------------------------------------------------------------------------------


TASK_OVERDUE = "oppgave_forfalt"


def task_flag_key(task_id: int) -> str:
    """The natural key of the flag about an overdue task (completing the task resolves it at once)."""
    return f"{TASK_OVERDUE}:{task_id}"


def tasks(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """Open tasks (:mod:`pathways.services.tasks`) more than ``tasks.overdue_after_days`` past their due
    date, on their case when they have one."""
    last = on - timedelta(days=config.tasks.overdue_after_days)
    return [Candidate(task_flag_key(task), TASK_OVERDUE, config.tasks.severity, kommune, case, participant, due,
                      localise(Text("task_overdue_flag", due=due, title=title))[:500])
            for task, kommune, case, participant, due, title in task_rows.overdue(conn, last)]


# -- NIR: what the national introduction register needs and the case lacks -----------------------------

NIR_MISSING = "nir_mangler"
NIR_YEAR = 365  # an ended case is watched this long after its end (the register's yearly clean-up)


def nir(conn: Connection, config: ChecksConfig, on: date) -> list[Candidate]:
    """Cases of the pathways the NIR configuration reports (:mod:`pathways.checks.nir`) missing a field longer
    than the back-registration window after it was due: one flag per case naming the fields. The test is
    in SQL (an index probe per field and case); only the cases that miss something are read."""
    settings = nir_config()
    window, ended_since = settings.back_registration_days, on - timedelta(days=NIR_YEAR)
    found = []
    for pathway, spec in sorted(settings.pathways.items()):
        watched = [nir_rows.Watched(key, f.events, f.due.after, on - timedelta(days=f.due.days + window + 1),
                                    f.not_for)
                   for key, f in spec.fields.items() if f.due is not None and f.events and not f.absence]
        if not watched:
            continue
        for case, kommune, participant, _start, *missing in nir_rows.lacking(conn, pathway, watched, ended_since):
            titles = [spec.fields[w.key].title for w, m in zip(watched, missing, strict=True) if m]
            # no due date: a registration to catch up on, its fields named (and a bad start date is the
            # income check's data error, not a NIR flag dated year 1)
            found.append(Candidate(f"{NIR_MISSING}:{case}", NIR_MISSING, settings.severity, kommune, case, participant,
                                   None, localise(Text("nir_missing_flag", fields=titles, days=window))[:500]))
    return found


Rule = Callable[..., list[Candidate]]  # (connection, config, date[, shard]) → the flags that should exist
SHARDED = {"deadlines": False, "income_gaps": True}
"""Families that can split their work between processes (``shard=(i, n)``): by case id (ids ≡ i mod n),
or, when True, by participant id (the income gaps are a participant's, across their cases)."""

RULES: dict[str, tuple[Rule, tuple[str, ...]]] = {
    # family: (rule, the flag kinds it owns — flags of these kinds it no longer finds are resolved)
    "deadlines": (deadlines, ("frist_paminnelse", "frist_nar", "frist_brudd", "oppfolging_forfalt")),
    "programme_end": (programme_end, ("programslutt", "nav_dialog")),
    "income_gaps": (income_gaps, ("inntektsgap",)),
    "birthday": (birthday, ("fyller_25",)),
    "settlement": (settlement, ("vedtak_mangler", "botid_2_ar")),
    "caseload": (caseload, ("saksmengde",)),
    "unpaid_practice": (unpaid_practice, ("ulonnet_praksis",)),
    "contract_employment": (contract_employment, ("kontrakt_uten_arbeid",)),
    "handoffs": (handoffs, ("overforing_ikke_mottatt", "overforing_uten_inntekt")),
    "tasks": (tasks, (TASK_OVERDUE,)),
    "nir": (nir, (NIR_MISSING,)),
}
