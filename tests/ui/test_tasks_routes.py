"""Tasks on the pages: the case page lists the case's tasks and has a veileder's form to give one to a
colleague or a unit (a due date in the past is refused beside its field, nothing written); the worklist
row of a task has «Merk som utført» with a note (with and without htmx), which a user of another kommune
cannot reach (404).

World: tests/ui/conftest.py (Asker: veiledere kari and ola, leder lise; Bærum: per).
"""

from __future__ import annotations

import re
from datetime import timedelta

from pathways.services.tasks import add_task, list_tasks
from tests.conftest import table_counts
from tests.services.test_worklist import as_user
from tests.ui.conftest import TODAY


def test_the_case_page_gives_a_task_and_lists_it(browser, world):
    kari = browser("kari")
    page = kari.get(f"/saker/{world.amina}")
    assert "Gi en oppgave" in page.text and 'value="user:ola"' in page.text and "Ingen oppgaver på saken." in page.text
    due = (TODAY + timedelta(days=3)).isoformat()
    given = kari.post(f"/saker/{world.amina}/oppgave", {"title": "Bestill tolk", "due": due, "to": "user:ola"})
    assert given.status_code == 303 and given.headers["location"] == f"/saker/{world.amina}#oppgaver"
    page = kari.get(f"/saker/{world.amina}")
    assert "Oppgaven er gitt." in page.text
    assert "<strong>Bestill tolk</strong> — frist 25.11.2026, gitt til Ola Nordmann" in page.text


def test_a_due_date_in_the_past_is_refused_beside_its_field_and_nothing_is_written(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    refused = kari.post(f"/saker/{world.amina}/oppgave", {"title": "Bestill tolk", "due": "2026-11-01",
                                                         "to": "user:ola"})
    assert refused.status_code == 422
    assert 'id="task-due-error">⚠ fristen 01.11.2026 er før i dag (22.11.2026)' in refused.text
    assert 'value="Bestill tolk"' in refused.text  # what was typed stays
    no_one = kari.post(f"/saker/{world.amina}/oppgave", {"title": "x", "due": TODAY.isoformat(), "to": ""})
    assert no_one.status_code == 422 and 'id="task-to-error"' in no_one.text
    assert table_counts(world.ctx) == before
    assert browser("per").post(f"/saker/{world.amina}/oppgave", {"title": "x", "due": TODAY.isoformat(),
                                                                 "to": "user:per"}).status_code == 404
    assert table_counts(world.ctx) == before


def test_the_worklist_row_completes_the_task_with_a_note(browser, world):
    task = add_task(as_user(world, "kari"), title="Bestill tolk", due=TODAY, to_user="ola", case_id=world.amina)
    ola = browser("ola")
    page = ola.get("/i-dag")
    assert f'action="/i-dag/oppgaver/{task}/utfort"' in page.text and "Merk som utført" in page.text
    assert "Oppgave med frist i dag (22.11.2026)" in page.text
    assert browser("per").post(f"/i-dag/oppgaver/{task}/utfort", {"note": "x"}).status_code == 404
    done = ola.post(f"/i-dag/oppgaver/{task}/utfort", {"note": "Tolk bestilt"}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "Oppgaven er utført og er fjernet fra listen" in done.text
    assert f"/i-dag/oppgaver/{task}/utfort" not in ola.get("/i-dag").text
    [line] = list_tasks(as_user(world, "ola"), "mine", include_done=True)
    assert (line.done_by, line.done_note) == ("ola", "Tolk bestilt")
    again = ola.post(f"/i-dag/oppgaver/{task}/utfort", {"note": "igjen"}, headers={"HX-Request": "true"})
    assert again.status_code == 422 and f'id="feil-oppgave-{task}"' in again.text and "ble utført" in again.text
    page = ola.get(f"/saker/{world.amina}")
    assert page.status_code == 404  # not ola's case; kari sees the task done on it
    text = browser("kari").get(f"/saker/{world.amina}").text
    assert re.search(r"✓ utført 2[12].11.2026[^<]*</span>: Tolk bestilt", text)
