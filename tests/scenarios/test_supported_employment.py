"""Supported Employment: a 4th-year participant from samarbeidsavtale to a job, with the unpaid
placement that carries no livelihood, the employer region beside the job search, and the exit letter."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services.context import ServiceError
from tests.scenarios.walk import Walk


def test_from_cooperation_agreement_to_work(ctx, clock):
    walk = Walk.start(ctx, clock, "supported_employment", date(2025, 9, 1), born=date(1994, 2, 10),
                      settled=date(2022, 8, 1), norwegian_oral="A2", gender="female")
    walk.income("introduksjonsstonad", date(2025, 9, 1), date(2026, 7, 31))
    assert walk.steps == {"innledende_kontakt"}
    # the first employer contact is due a month after the start (rask jobbsøking)
    assert walk.deadlines()["forste_arbeidsgiverkontakt"].due == date(2025, 10, 1)

    walk.record("samarbeidsavtale_signert", date(2025, 9, 10), avtaledato="2025-09-10",
                programslutt_dato="2026-07-31")
    deadlines = walk.deadlines()
    assert deadlines["nav_dialog_for_programslutt"].due == date(2026, 4, 30)  # 3 months before the benefit ends
    assert deadlines["programslutt_uten_inntekt"].due == date(2026, 7, 31)

    with pytest.raises(ServiceError, match="karriereveiledning_gjennomfort"):
        walk.record("karriereplan_utarbeidet", date(2025, 10, 1), karriereveiledning_gjennomfort="nei")
    walk.record("karriereplan_utarbeidet", date(2025, 10, 1), karriereveiledning_gjennomfort="ja")
    # steps 3 and 4 run side by side
    assert walk.steps == {"jobb_og_arbeidsgiver", "finne_jobb", "samarbeid_med_arbeidsgiver"}
    assert walk.deadlines()["forste_arbeidsgiverkontakt"].status == "open"

    walk.record("arbeidsgiverkontakt", date(2025, 10, 6), step="finne_jobb", kontaktdato="2025-10-06",
                arbeidsgiver="Rema 1000 Lørenskog", kontakttype="jobbsnekring")
    assert walk.deadlines()["forste_arbeidsgiverkontakt"].status == "met"

    # an unpaid placement: no livelihood is expected there
    walk.record("praksis_startet", date(2025, 11, 3), praksis_startdato="2025-11-03", arbeidsgiver="Rema 1000",
                ansettelse_pa_sikt="ja")
    assert "ulonnet_praksis" in walk.steps
    followup = walk.deadlines()["oppfolging_pa_arbeidsplassen"]
    assert followup.recurring and followup.due == date(2025, 12, 3)

    # hired with wage subsidy; the introduction benefit is planned to stop with the programme
    walk.record("ansatt", date(2026, 1, 5), startdato="2026-01-05", arbeidsgiver="Rema 1000",
                ansettelsesform="fast", stillingsprosent="80", lonnstilskudd="ja")
    walk.income("lonnstilskudd", date(2026, 1, 5), date(2026, 6, 30), planned=True)
    assert "opplaering_og_trening" in walk.steps
    # the subsidy ends 30 June, the benefit 31 July: a projected gap from 1 August
    gaps = walk.gaps(date(2026, 6, 1), horizon=90)
    assert [(g.start, g.kind) for g in gaps] == [(date(2026, 8, 1), "projected")]

    walk.income("lonn", date(2026, 7, 1))
    assert walk.gaps(date(2026, 6, 1), horizon=90) == []

    walk.record("i_stabil_jobb", date(2026, 6, 1), kontaktdato="2026-06-01")
    assert "i_jobb" in walk.steps and "jobb_og_arbeidsgiver" in walk.steps  # the employer region still runs
    walk.record("fullfort", date(2026, 6, 15), step="samarbeid_med_arbeidsgiver")
    assert walk.steps == {"avslutning"}  # both regions final: joined
    assert walk.deadlines()["sluttbrev_frist"].status == "open"

    walk.record("sluttbrev_utstedt", date(2026, 6, 20), sluttdato="2026-06-20", status_etter_avslutning="arbeid",
                arbeidsgiverreferanse="ja")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "i_arbeid", date(2026, 6, 20))
    assert walk.gaps(date(2026, 6, 21)) == []  # no active case: no gaps to watch
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("trekantsamtale", date(2026, 6, 22), kontaktdato="2026-06-22")
