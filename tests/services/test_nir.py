"""The NIR overview and the nightly check ``nir_mangler`` (issue 15), on the dashboard tests' world
(tests/ui/conftest.py; today 22 November 2026, back-registration 61 days):

- Amina's case (kari's, Asker) started 1 August 2026 and waits for its vedtak: the vedtak was due from the
  start and is missing more than 61 days later (overdue); sluttmål and integreringskontrakt were due 30
  October (missing, not overdue yet); the case runs, so no avslutningsårsak is due.
- Yonas's case (ola's) started 1 October: the vedtak is missing, not overdue; the rest is not due yet.
- Olena's case is Bærum's."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from pathways.checks.nir import load_nir
from pathways.checks.sweep import run_checks
from pathways.services import absence, cases, livelihood
from pathways.services.context import NotFound, ServiceError
from pathways.services.nir import report
from pathways.services.participants import add_participant
from pathways.store.tables import Flag
from tests.services.test_access import as_user
from tests.ui.conftest import TODAY, World, build_world

D = date


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def _row(found, case_id):
    return next(r for r in found.rows if r.case_id == case_id)


def _nir_flags(world: World) -> dict[int, Flag]:
    with Session(world.ctx.engine) as session:
        return {f.enrolment_id: f for f in session.exec(select(Flag).where(Flag.kind == "nir_mangler",
                                                                         Flag.state != "resolved"))}


def test_each_field_is_registered_missing_overdue_not_due_or_not_applicable(world):
    found = report(as_user(world, "lise"), 2026)
    assert (found.kommune, found.year, found.as_of) == ("Asker", 2026, TODAY)
    assert [k for k, _ in found.fields] == ["vedtak", "sluttmal", "integreringskontrakt", "tiltak", "fravaer",
                                            "avslutningsarsak"]
    amina, yonas = _row(found, world.amina), _row(found, world.yonas)
    assert {k: c.state for k, c in amina.cells.items()} == {
        "vedtak": "overdue", "sluttmal": "missing", "integreringskontrakt": "missing", "tiltak": "none",
        "fravaer": "none", "avslutningsarsak": "not_due"}
    assert {k: c.state for k, c in yonas.cells.items()} == {
        "vedtak": "missing", "sluttmal": "not_due", "integreringskontrakt": "not_due", "tiltak": "none",
        "fravaer": "none", "avslutningsarsak": "not_due"}
    assert amina.missing == ["vedtak", "sluttmal", "integreringskontrakt"] and amina.overdue == ["vedtak"]
    assert found.missing_count == 2


def test_the_values_come_from_the_cases_events_and_absence(world):
    kari = as_user(world, "kari")
    cases.advance(kari, world.amina, "vedtak_fattet", D(2026, 9, 10), {"programstart_dato": "2026-09-15"})
    cases.advance(kari, world.amina, "plan_og_kontrakt_signert", D(2026, 10, 5),
                  {"sluttmal": "fullfore_vgo", "planlagt_slutt": "2028-06-30"})
    livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2026, 9, 15), None)
    absence.set_absence(kari, world.amina, D(2026, 10, 1), "6", approved=False)
    absence.set_absence(kari, world.amina, D(2026, 10, 1), "3,5", approved=True)
    amina = _row(report(as_user(world, "lise"), 2026), world.amina)
    cells = {k: (c.text, c.state) for k, c in amina.cells.items()}
    assert cells["vedtak"] == ("Vedtak om introduksjonsprogram fattet (§ 12) (10.09.2026)", "ok")
    assert cells["sluttmal"] == ("fullføre videregående (05.10.2026)", "ok")
    assert cells["integreringskontrakt"][1] == "ok" and "05.10.2026" in cells["integreringskontrakt"][0]
    assert cells["fravaer"] == ("okt 2026: 6 t ikke godkjent, 3,5 t godkjent", "ok")
    assert amina.missing == []


def test_sluttmal_and_contract_are_not_registered_under_the_old_law(world):
    pid = add_participant(world.ctx, name="Gammel Lov", born="1985-01-01", settled="2025-06-01", kommune="Asker",
                          fields={"legal_regime": "introduksjonsloven"})
    case = cases.enrol(world.ctx, pid, "introduksjonsprogram", D(2026, 3, 2), "kari")
    row = _row(report(as_user(world, "lise"), 2026), case)
    assert (row.cells["sluttmal"].state, row.cells["integreringskontrakt"].state) == ("not_applicable",
                                                                                      "not_applicable")
    assert row.cells["vedtak"].state == "overdue"


def test_the_report_is_scoped_like_the_caseload(world):
    assert [r.case_id for r in report(as_user(world, "kari"), 2026).rows] == [world.amina]
    assert {r.case_id for r in report(as_user(world, "lise"), 2026).rows} == {world.amina, world.yonas}
    assert [r.case_id for r in report(as_user(world, "per"), 2026).rows] == [world.olena]
    assert {r.case_id for r in report(world.ctx, 2026, "Asker").rows} == {world.amina, world.yonas}
    assert report(as_user(world, "lise"), 2025).rows == []  # no case ran in 2025
    with pytest.raises(ServiceError, match="not between"):
        report(as_user(world, "lise"), 1999)
    with pytest.raises(NotFound):
        report(world.ctx, 2026, "Atlantis")
    with pytest.raises(ServiceError, match="--kommune"):
        report(world.ctx, 2026)


def test_the_table_and_json_say_what_is_missing(world):
    found = report(as_user(world, "lise"), 2026)
    rows = {r[0]: r for r in found.table()}
    assert found.headers()[-1] == "Mangler"
    assert rows[world.amina][-1] == "Vedtak, Sluttmål, Integreringskontrakt"
    assert rows[world.amina][7] == "mangler, over fristen for etterregistrering"
    data = json.loads(json.dumps(found.as_json()))
    amina = next(p for p in data["participants"] if p["case"] == world.amina)
    assert amina["fields"]["vedtak"] == {"value": None, "state": "overdue"}
    assert amina["missing"] == ["vedtak", "sluttmal", "integreringskontrakt"]


def test_the_nightly_check_flags_what_is_missing_beyond_back_registration_and_resolves_it(world):
    run_checks(world.ctx.engine, TODAY, families=["nir"])
    flags = _nir_flags(world)
    # Yonas's vedtak is missing, but not for more than 61 days; Olena's (Bærum, since 1 September) is
    assert set(flags) == {world.amina, world.olena}
    assert flags[world.amina].message.startswith("NIR: saken mangler Vedtak mer enn 61 dager")
    cases.advance(as_user(world, "kari"), world.amina, "vedtak_fattet", D(2026, 11, 20),
                  {"programstart_dato": "2026-11-23"})
    run_checks(world.ctx.engine, TODAY, families=["nir"])
    assert set(_nir_flags(world)) == {world.olena}
    run_checks(world.ctx.engine, D(2027, 2, 1), families=["nir"])  # sluttmål and contract now beyond the window
    assert set(_nir_flags(world)) == {world.amina, world.yonas, world.olena}
    assert "Sluttmål, Integreringskontrakt" in _nir_flags(world)[world.amina].message


def test_a_bad_configuration_names_line_and_column(tmp_path):
    path = tmp_path / "nir.yaml"
    path.write_text("back_registration_days: -1\npathways:\n  introduksjonsprogram:\n    fields:\n"
                    "      vedtak:\n        title: Vedtak\n        due: {after: midt, days: 0}\n", "utf-8")
    with pytest.raises(ValueError) as caught:
        load_nir(path)
    text = str(caught.value)
    assert f"{path}:1:25: back_registration_days:" in text
    assert f"{path}:7:" in text and "after" in text
    path.write_text("back_registration_days: 61\npathways:\n  introduksjonsprogram:\n    fields:\n"
                    "      vedtak:\n        title: Vedtak\n", "utf-8")
    with pytest.raises(ValueError, match="needs events or absence"):
        load_nir(path)
