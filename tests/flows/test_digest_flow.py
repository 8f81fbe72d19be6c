"""The summary by e-mail through Prefect: the deployment ``daglig-oppsummering`` at 07:00 Europe/Oslo is
served beside the nightly one, and the flow run on a real (temporary) Prefect server sends to the SMTP
server on loopback once across two runs, failing the run (for Prefect to show) when a send failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from pathways.services.accounts import add_user
from pathways.services.context import Context
from pathways.store.tables import User
from tests.services.test_digest import Inbox

RUN_DATE = date(2026, 11, 22)
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])


def test_the_morning_deployment_is_served_beside_the_nightly_one(monkeypatch):
    import flows.nightly
    from flows.digest import deployment

    made = deployment()
    schedule = made.schedules[0].schedule
    assert (made.name, made.entrypoint) == ("daglig-oppsummering", "flows.digest.daily_digest")
    assert (schedule.cron, schedule.timezone, made.concurrency_limit) == ("0 7 * * *", "Europe/Oslo", 1)
    served: list[str] = []
    monkeypatch.setattr(flows.nightly, "prefect_serve", lambda *deployments, **_: served.extend(
        d.name for d in deployments))
    flows.nightly.serve()
    assert served == ["nattlig", "nattlig-sikkerhetskopi", "daglig-oppsummering"]


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        from prefect.testing.utilities import prefect_test_harness

        with prefect_test_harness(server_startup_timeout=90):
            yield


@sqlite_only
def test_the_flow_sends_once_across_two_runs_and_fails_visibly_when_a_send_fails(prefect_server, ctx: Context,
                                                                                  monkeypatch, free_port):
    from flows.digest import daily_digest

    monkeypatch.setenv("PATHWAYS_DATABASE_URL", ctx.engine.url.render_as_string(hide_password=False))
    for username in ("kari", "ola"):
        add_user(ctx, username=username, name=username.capitalize(), role="veileder", kommune="Asker")
    with Session(ctx.engine) as session:
        for user in session.exec(select(User)):
            user.digest, user.email = "daily", f"{user.username}@asker.kommune.no"
            session.add(user)
        session.commit()
    inbox, port = Inbox(refuse={"ola@asker.kommune.no"}), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("PATHWAYS_SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("PATHWAYS_MAIL_FROM", "pathways@asker.kommune.no")
        failed = daily_digest(run_date=RUN_DATE, return_state=True)
        assert failed.is_failed() and "1 summaries failed" in str(failed.message)
        inbox.refuse.clear()
        state = daily_digest(run_date=RUN_DATE, return_state=True)
        assert state.is_completed(), state.message
        assert state.result() == {"date": "2026-11-22", "sent": ["ola"], "failed": [], "already_sent": 1}
    finally:
        controller.stop()
    assert sorted(m["To"] for m in inbox.messages) == ["kari@asker.kommune.no", "ola@asker.kommune.no"]
