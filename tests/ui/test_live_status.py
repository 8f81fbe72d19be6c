"""Live status, not last night's flags (issue 13 item 2): the caseload's income, deadline and step
columns come from the data as it is now, so after any change the caseload page, the case page and the
REST API (``/api/saker``, ``/api/saker/{id}``) give the same answer. The nightly flags only add to it.

Amina (kari's case) has no livelihood period: a gap runs from her start. The clock stands at 22.11.2026."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import Session, select

from pathways.checks.sweep import run_checks
from pathways.services import cases, flags
from pathways.services.livelihood import add_income, delete_income, end_income
from pathways.store.tables import AuditEntry
from tests.ui.conftest import TODAY


def _answers(browser, world) -> dict[str, tuple[str, str | None, str]]:
    """(income, next deadline, steps) as the caseload page, the case page, the caseload API and the case API
    give them for Amina's case."""
    kari = browser("kari")
    auth = {"Authorization": f"Bearer {world.tokens['kari']}"}
    listing = kari.get("/saker").text
    row = listing[listing.index(f'href="/saker/{world.amina}"'):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    income_list = re.search(r'data-inntekt="([^"]+)"', row).group(1)
    due_list = re.search(r"(\d\d)\.(\d\d)\.(\d{4})", cells[2])
    page = kari.get(f"/saker/{world.amina}").text
    income_page = re.search(r'class="income-status" data-inntekt="([^"]+)"', page).group(1)
    api_list = next(c for c in kari.client.get("/api/saker", headers=auth).json()["cases"] if c["id"] == world.amina)
    api_case = kari.client.get(f"/api/saker/{world.amina}", headers=auth).json()
    live = [d for d in api_case["deadlines"] if d["status"] in ("open", "breached")]
    return {
        "caseload page": (income_list, due_list and f"{due_list[3]}-{due_list[2]}-{due_list[1]}",
                          re.sub(r"\s+", " ", cells[1]).strip()),
        "case page": (income_page, None, ""),
        "caseload API": (api_list["income_gap"] or "sikret", api_list["next_deadline"], ", ".join(api_list["steps"])),
        "case API": (api_case["income_gap"] or "sikret", min((d["due"] for d in live), default=None),
                     ", ".join(s["title"] for s in api_case["steps"])),
    }


def _same(browser, world, income: str) -> None:
    answers = _answers(browser, world)
    assert {name: a[0] for name, a in answers.items()} == dict.fromkeys(answers, income)
    deadlines = {answers[n][1] for n in ("caseload page", "caseload API", "case API")}
    steps = {answers[n][2] for n in ("caseload page", "caseload API", "case API")}
    assert len(deadlines) == 1 and len(steps) == 1, answers


def test_resolving_the_gap_flag_does_not_make_the_caseload_say_secured(browser, world):
    """The reported bug: after the gap flag was resolved the caseload said "Sikret" while the case page
    said "Gap nå"."""
    _same(browser, world, "nå")
    [gap_flag] = [f for f in world.flags(world.amina) if f.kind == "inntektsgap" and f.state != "resolved"]
    flags.resolve(world.ctx, gap_flag.id, "Ringt NAV")
    _same(browser, world, "nå")
    assert "⚠ Gap nå" in browser("kari").get("/saker").text


def test_every_surface_follows_a_change_of_livelihood_at_once(browser, world):
    """Register, end early, and cover again: no nightly run in between, every surface agrees each time."""
    _same(browser, world, "nå")
    period = add_income(world.ctx, world.amina_pid, "introduksjonsstonad", date(2026, 8, 1), None)
    _same(browser, world, "sikret")
    end_income(world.ctx, period, TODAY + timedelta(days=30))  # ends in a month: a gap is coming
    _same(browser, world, "kommer")
    add_income(world.ctx, world.amina_pid, "lonn", TODAY + timedelta(days=31), None, planned=True)
    _same(browser, world, "sikret")
    end_income(world.ctx, period, TODAY - timedelta(days=1))  # ended yesterday: a gap runs now
    _same(browser, world, "nå")


def test_an_event_that_moves_the_case_changes_steps_and_deadlines_everywhere(browser, world):
    before = _answers(browser, world)["caseload API"]
    cases.advance(world.ctx, world.amina, "vedtak_fattet", TODAY, {"programstart_dato": TODAY})
    after = _answers(browser, world)
    assert after["caseload API"][2] != before[2]  # moved on from the vedtak step
    _same(browser, world, "nå")


def test_the_nightly_run_moves_a_coming_gap_to_now_and_the_pages_agree_between_runs(browser, world):
    """A coming gap becomes a current one as the days pass: the pages compare the stored projection with
    today, and the nightly run stores it afresh."""
    period = add_income(world.ctx, world.amina_pid, "introduksjonsstonad", date(2026, 8, 1), TODAY + timedelta(days=2))
    _same(browser, world, "kommer")
    world.clock.set(TODAY + timedelta(days=5))
    _same(browser, world, "nå")  # the day the gap starts has passed: no run needed
    run_checks(world.ctx.engine, TODAY + timedelta(days=5), ["income_gaps"])
    _same(browser, world, "nå")
    end_income(world.ctx, period, TODAY + timedelta(days=60))
    _same(browser, world, "kommer")


def test_a_period_that_closes_the_gap_resolves_its_nightly_flag_in_the_same_request(browser, world):
    """The nightly «inntektsgap» flag of a gap the change closed is resolved at once (by «system», with an
    audit entry): the case page's flags, the caseload's flag filter and «I dag» agree with the income
    column without waiting for the next night. If the gap comes back, the nightly check opens it again."""
    kari = browser("kari")
    auth = {"Authorization": f"Bearer {world.tokens['kari']}"}
    [gap_flag] = [f for f in world.flags(world.amina) if f.kind == "inntektsgap" and f.state != "resolved"]
    assert f'href="/saker/{world.amina}"' in kari.get("/saker?flagg=inntektsgap").text
    period = add_income(world.ctx, world.amina_pid, "introduksjonsstonad", date(2026, 8, 1), None)
    [flag] = [f for f in world.flags(world.amina) if f.id == gap_flag.id]
    assert (flag.state, flag.resolved_by) == ("resolved", "system")
    with Session(world.ctx.engine) as session:
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.flag_id == gap_flag.id)).all()
    assert (entry.action, entry.participant_id) == ("flag.resolved", world.amina_pid)
    _same(browser, world, "sikret")
    assert f'href="/saker/{world.amina}"' not in kari.get("/saker?flagg=inntektsgap").text
    assert not [i for i in kari.client.get("/api/i-dag?alle=true", headers=auth).json()["items"]
                if i["case_id"] == world.amina and i["kind"] == "inntektsgap"]
    live = kari.client.get(f"/api/saker/{world.amina}", headers=auth).json()
    assert not [f for f in live["flags"] if f["kind"] == "inntektsgap" and f["state"] != "resolved"]
    delete_income(world.ctx, period, "Feil registrert")
    run_checks(world.ctx.engine, TODAY, ["income_gaps"])
    [flag] = [f for f in world.flags(world.amina) if f.id == gap_flag.id]
    assert flag.state == "open"  # the gap is back: the night opens the flag «system» resolved
