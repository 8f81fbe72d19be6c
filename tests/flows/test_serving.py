"""``pathways run``: which Prefect server it uses and the environment of its children (no server
is started here; the process handling was tried by hand, see the README)."""

from __future__ import annotations

from pathlib import Path

from pathways.home import var_dir
from pathways.run import _prefect_environment


def test_defaults_start_a_local_server_with_its_database_under_var():
    prefect = _prefect_environment({"PATH": "/usr/bin"})
    assert prefect.local
    assert prefect.api_url == "http://127.0.0.1:4200/api"
    assert prefect.ui_url == "http://127.0.0.1:4200"
    assert prefect.env["PREFECT_API_URL"] == prefect.api_url
    assert Path(prefect.env["PREFECT_HOME"]) == var_dir() / "prefect"
    assert prefect.env["PREFECT_SERVER_API_HOST"] == "127.0.0.1"
    assert prefect.env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert prefect.env["PATH"] == "/usr/bin"


def test_settings_already_made_win():
    prefect = _prefect_environment({"PREFECT_HOME": "/srv/prefect", "PREFECT_SERVER_API_PORT": "4300",
                                    "PREFECT_UI_ENABLED": "false"})
    assert prefect.local
    assert prefect.api_url == "http://127.0.0.1:4300/api"
    assert prefect.env["PREFECT_HOME"] == "/srv/prefect"
    assert prefect.ui_url is None


def test_another_server_in_prefect_api_url_means_no_local_server():
    prefect = _prefect_environment({"PREFECT_API_URL": "http://prefect.kommune.internal:4200/api/"})
    assert not prefect.local
    assert prefect.api_url == "http://prefect.kommune.internal:4200/api"
    assert prefect.ui_url == "http://prefect.kommune.internal:4200"
    assert _prefect_environment({"PREFECT_API_URL": "http://localhost:4200/api"}).local
