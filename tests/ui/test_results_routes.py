"""The cohort page's «Ett år etter avslutning» (issue 15): the chart inline (SVG, named for screen readers),
the table beside it with «<5» for suppressed counts, and the downloads (CSV, SVG, JSON) with the same
suppression; an unknown pathway or format is 404."""

from __future__ import annotations

from tests.services.test_results import EXIT_2024, EXIT_2025, _exited


def _cohort(world) -> None:
    for _ in range(6):
        _exited(world, EXIT_2025, "lonn")
    for _ in range(5):
        _exited(world, EXIT_2025, None)
    for _ in range(3):
        _exited(world, EXIT_2024, "lonn")
    for _ in range(8):
        _exited(world, EXIT_2024, None)


def test_the_cohort_shows_the_results_chart_and_table(world, browser):
    _cohort(world)
    page = browser("lise").get("/kohort?lop=introduksjonsprogram")
    assert page.status_code == 200
    text = page.text
    assert "Ett år etter avslutning" in text
    assert '<svg role="img" aria-label="Andel i arbeid' in text and "<?xml" not in text
    assert "<th scope=\"row\">2024</th><td class=\"num\">11</td><td class=\"num\">&lt;5</td>" in text
    assert "<th scope=\"row\">2025</th><td class=\"num\">11</td><td class=\"num\">6</td>" in text
    assert 'href="/kohort/introduksjonsprogram/resultater.csv"' in text


def test_the_downloads_have_the_same_suppression(world, browser):
    _cohort(world)
    lise = browser("lise")
    csv = lise.get("/kohort/introduksjonsprogram/resultater.csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Sluttår;Antall;Arbeid;Utdanning;NAV-tiltak;Sosialhjelp;Annen inntekt;Ukjent"
    assert lines[1] == "2024;11;<5;0;0;0;0;<5"  # 3 alone would be 11 − 8: the 8 is hidden too
    svg = lise.get("/kohort/introduksjonsprogram/resultater.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "2025" in svg.text
    data = lise.get("/kohort/introduksjonsprogram/resultater.json").json()
    assert data["years"][0]["counts"]["arbeid"] is None and data["years"][1]["counts"]["arbeid"] == 6
    assert lise.get("/kohort/ukjent/resultater.csv").status_code == 404
    assert lise.get("/kohort/introduksjonsprogram/resultater.png").status_code == 404


def test_without_old_enough_exits_the_section_says_so(world, browser):
    page = browser("kari").get("/kohort?lop=introduksjonsprogram").text
    assert "Ingen saker ble avsluttet for mer enn ett år siden." in page
