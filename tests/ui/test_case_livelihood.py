"""The livelihood section of the case page and its API: register, confirm, extend, end, correct and
delete a period, every problem of a form at once beside its field, the gap box live after each change,
and the access rules (a leder reads, another veileder's or kommune's participant is not found).

The world (tests/ui/conftest.py): Amina's case (kari's, Asker) started 01.08.2026 with no income
registered, so on 22.11.2026 she has a current gap from the case start."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session, select

from pathways.services import livelihood
from pathways.store.tables import AuditEntry, Flag, LivelihoodPeriod
from tests.conftest import table_counts

HX = {"HX-Request": "true"}
BENEFIT = {"source": "introduksjonsstonad", "from": "2026-08-01", "to": "2027-07-31", "status": "confirmed",
           "amount": "15 012,50", "note": "Vedtak 10.08.2026"}


def periods(world) -> list[LivelihoodPeriod]:
    with Session(world.ctx.engine) as session:
        return list(session.exec(select(LivelihoodPeriod).where(LivelihoodPeriod.participant_id == world.amina_pid)
                                 .order_by(LivelihoodPeriod.id)))


def trail(world) -> list[AuditEntry]:
    with Session(world.ctx.engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action.startswith("income."))
                                 .order_by(AuditEntry.id)))


def gap_box(html: str) -> str:
    found = re.search(r'<div id="inntekt-status">(.*?)</div>\s*<h3', html, re.S)
    assert found, "no gap box in the section"
    return found.group(1)


def test_registering_the_missing_period_closes_the_gap_after_a_redirect(browser, world):
    kari = browser("kari")
    page = kari.get(f"/saker/{world.amina}").text
    assert "⚠ Inntektsgap" in gap_box(page) and "Registrer inntekt" in page and 'id="inntekt"' in page
    answer = kari.post(f"/saker/{world.amina}/inntekt", BENEFIT)
    assert answer.status_code == 303 and answer.headers["location"] == f"/saker/{world.amina}#inntekt"
    page = kari.get(f"/saker/{world.amina}").text
    assert "Inntekten er registrert." in page
    assert "✓ Ingen inntektsgap" in gap_box(page)
    assert "Introduksjonsstønad</strong> · 01.08.2026 – 31.07.2027" in page
    assert "15\u00a0012,50\u00a0kr i måneden" in page and "Vedtak 10.08.2026" in page
    [row] = periods(world)
    assert (row.source, row.start, row.end, row.planned, row.amount_ore, row.note) == (
        "introduksjonsstonad", date(2026, 8, 1), date(2027, 7, 31), False, 1501250, "Vedtak 10.08.2026")
    assert [e.action for e in trail(world)] == ["income.created"]


def test_with_htmx_the_answer_is_the_section_with_the_gap_box_changed(browser, world):
    kari = browser("kari")
    answer = kari.post(f"/saker/{world.amina}/inntekt", BENEFIT, headers=HX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("{#") is False and '<section aria-labelledby="livsopphold-h" id="inntekt"' \
        in answer.text
    assert "<html" not in answer.text and "Inntekten er registrert." in answer.text
    assert "✓ Ingen inntektsgap" in gap_box(answer.text)


def test_every_problem_of_the_form_is_shown_at_once_beside_its_field_and_nothing_is_written(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    answer = kari.post(f"/saker/{world.amina}/inntekt", {"source": "", "from": "2026-09-01", "to": "2026-08-01",
                                                           "status": "confirmed", "amount": "mye"})
    assert answer.status_code == 422
    html = answer.text
    assert 'id="inntekt-source-error"' in html and "velg en inntektskilde" in html
    assert 'id="inntekt-amount-error"' in html and "«mye» er ikke et beløp" in html
    assert re.search(r'id="inntekt-source"[^>]*aria-invalid="true"', html)
    assert "<details class=\"register\" id=\"registrer-inntekt\" open>" in html
    assert 'value="2026-09-01"' in html  # what was typed stays
    answer = kari.post(f"/saker/{world.amina}/inntekt", {"source": "lonn", "from": "2026-09-01", "to": "2026-08-01",
                                                           "status": "planned", "amount": "-5"}, headers=HX)
    assert answer.status_code == 422
    assert 'id="inntekt-to-error"' in answer.text and "perioden slutter (01.08.2026) før den starter" in answer.text
    assert 'id="inntekt-amount-error"' in answer.text and "negativt" in answer.text
    answer = kari.post(f"/saker/{world.amina}/inntekt", {**BENEFIT, "from": "1949-12-31", "to": "2101-01-01"})
    assert answer.status_code == 422
    assert 'id="inntekt-from-error"' in answer.text and 'id="inntekt-to-error"' in answer.text
    assert "ikke mellom" in answer.text
    assert table_counts(world.ctx) == before


def test_an_overlapping_period_of_the_same_source_is_refused_with_the_field_named(browser, world):
    kari = browser("kari")
    assert kari.post(f"/saker/{world.amina}/inntekt", BENEFIT).status_code == 303
    before = table_counts(world.ctx)
    answer = kari.post(f"/saker/{world.amina}/inntekt", {**BENEFIT, "from": "2027-01-01", "to": "",
                                                           "status": "planned"})
    assert answer.status_code == 422
    assert 'id="inntekt-from-error"' in answer.text
    assert "overlapper perioden med introduksjonsstønad 01.08.2026 – 31.07.2027" in answer.text
    assert table_counts(world.ctx) == before
    # another source alongside is fine (wages reduce the benefit, both are registered)
    assert kari.post(f"/saker/{world.amina}/inntekt", {"source": "lonn", "from": "2027-01-01",
                                                        "status": "planned"}).status_code == 303


def test_confirm_extend_end_correct_and_delete_a_period(browser, world):
    kari = browser("kari")
    kari.post(f"/saker/{world.amina}/inntekt", {**BENEFIT, "status": "planned", "to": "2026-12-31", "amount": ""})
    [row] = periods(world)
    base = f"/saker/{world.amina}/inntekt/{row.id}"
    page = kari.get(f"/saker/{world.amina}").text
    assert "er bare planlagt" in gap_box(page)  # planned days before today are no income
    answer = kari.post(f"{base}/bekreft", headers=HX)
    assert answer.status_code == 200 and "Perioden er bekreftet." in answer.text
    box = gap_box(answer.text)  # the current gap is gone; the one after 31.12.2026 is coming
    assert "<strong>Nå:</strong>" not in box and "<strong>Kommer:</strong> fra 01.01.2027" in box
    assert kari.post(f"{base}/bekreft", headers=HX).status_code == 422  # already confirmed
    refused = kari.post(f"{base}/forleng", {"to": "2026-12-01"}, headers=HX)
    assert refused.status_code == 422 and f'id="p{row.id}-forleng-to-error"' in refused.text
    assert "ny sluttdato må være etter dagens sluttdato (31.12.2026)" in refused.text
    assert kari.post(f"{base}/forleng", {"to": "2027-07-31"}).status_code == 303
    assert periods(world)[0].end == date(2027, 7, 31)
    assert kari.post(f"{base}/avslutt", {"to": "2027-03-31"}).status_code == 303
    assert periods(world)[0].end == date(2027, 3, 31)
    answer = kari.post(f"{base}/rett", {"source": "kvalifiseringsstonad", "from": "2026-08-01", "to": "2027-03-31",
                                        "status": "confirmed", "amount": "14000", "note": "Rettet kilde"})
    assert answer.status_code == 303
    fixed = periods(world)[0]
    assert (fixed.source, fixed.amount_ore, fixed.note) == ("kvalifiseringsstonad", 1400000, "Rettet kilde")
    refused = kari.post(f"{base}/slett", {"reason": "  "}, headers=HX)
    assert refused.status_code == 422 and f'id="p{row.id}-slett-reason-error"' in refused.text
    assert periods(world)
    answer = kari.post(f"{base}/slett", {"reason": "Registrert på feil deltaker"}, headers=HX)
    assert answer.status_code == 200 and "Perioden er slettet." in answer.text
    assert periods(world) == [] and "⚠ Inntektsgap" in gap_box(answer.text)
    actions = [e.action for e in trail(world)]
    assert actions == ["income.created", "income.confirmed", "income.extended", "income.ended",
                       "income.corrected", "income.deleted"]
    deleted = trail(world)[-1]
    assert "grunn: Registrert på feil deltaker" in deleted.detail and deleted.participant_id == world.amina_pid
    assert deleted.actor == "kari"


def test_the_worklist_link_opens_the_register_form_filled_in(browser, world):
    page = browser("kari").get(f"/saker/{world.amina}?inntekt=ny&kilde=lonn&fra=2026-12-01&til=tull").text
    assert '<details class="register" id="registrer-inntekt" open>' in page
    assert '<option value="lonn" selected>Lønn</option>' in page
    assert 'id="inntekt-from" name="from" type="date" required min="1950-01-01" max="2100-12-31" ' \
           'value="2026-12-01"' in page
    assert '<details class="register" id="registrer-inntekt" open>' not in browser("kari").get(
        f"/saker/{world.amina}").text


def test_access_a_leder_reads_but_cannot_change_another_veileder_or_kommune_finds_nothing(browser, world):
    period = livelihood.add_income(world.ctx, world.amina_pid, "lonn", date(2026, 8, 1), planned=True)
    before = table_counts(world.ctx)
    lise = browser("lise")
    page = lise.get(f"/saker/{world.amina}").text
    assert "Inntektskilder" in page and "Registrer inntekt" not in page and "Bekreft" not in page
    assert lise.post(f"/saker/{world.amina}/inntekt", BENEFIT).status_code == 403
    assert lise.post(f"/saker/{world.amina}/inntekt/{period}/bekreft").status_code == 403
    for user in ("ola", "per"):
        assert browser(user).post(f"/saker/{world.amina}/inntekt", BENEFIT).status_code == 404
        assert browser(user).post(f"/saker/{world.amina}/inntekt/{period}/slett", {"reason": "x"}).status_code == 404
    # a period of another participant is not found under this case
    other = livelihood.add_income(world.ctx, world.olena_pid, "lonn", date(2026, 9, 1))
    assert browser("kari").post(f"/saker/{world.amina}/inntekt/{other}/bekreft").status_code == 404
    assert browser("kari").post(f"/saker/{world.amina}/inntekt/{period}/tull").status_code == 404
    assert table_counts(world.ctx)["livelihoodperiod"] == before["livelihoodperiod"] + 1


# -- flags on the case page ----------------------------------------------------------------------------


def test_flags_are_handled_on_the_case_page_and_the_answer_comes_back_to_it(browser, world):
    kari = browser("kari")
    flags = [f for f in world.flags(world.amina) if f.state == "open"]
    assert flags
    page = kari.get(f"/saker/{world.amina}").text
    flag = flags[0]
    assert f'id="flagg-{flag.id}"' in page and ">Kvitter</button>" in page and ">Utsett</button>" in page
    assert f'name="back" value="/saker/{world.amina}#flagg"' in page
    assert 'max="2027-11-22"' in page  # a snooze reaches at most a year ahead
    answer = kari.post(f"/flagg/{flag.id}/kvitter", {"back": f"/saker/{world.amina}#flagg"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/saker/{world.amina}#flagg"
    too_far = kari.post(f"/flagg/{flag.id}/utsett", {"until": "2027-11-23", "back": f"/saker/{world.amina}#flagg"},
                        headers=HX)
    assert too_far.status_code == 422 and "utsett høyst ett år fram (til 22.11.2027)" in too_far.text
    assert kari.post(f"/flagg/{flag.id}/utsett", {"until": "2027-11-22"}, headers=HX).status_code == 200
    resolved = kari.post(f"/flagg/{flag.id}/lukk", {"comment": "Vedtak fattet"}, headers=HX)
    assert resolved.status_code == 200 and "Vedtak fattet" in resolved.text
    with Session(world.ctx.engine) as session:
        assert session.get(Flag, flag.id).state == "resolved"
    assert "Løste flagg (1)" in kari.get(f"/saker/{world.amina}").text
    assert "Kvitter" not in browser("lise").get(f"/saker/{world.amina}").text  # a leder reads only


@pytest.mark.parametrize("path", ["/saker/{case}/inntekt", "/saker/{case}/inntekt/1/bekreft"])
def test_signed_out_users_are_sent_to_sign_in(browser, world, path):
    answer = browser().post(path.format(case=world.amina), BENEFIT)
    assert answer.status_code in (303, 403)
