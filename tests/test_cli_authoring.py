"""pathways publish / diff / migrate: the administrator's commands, with clear errors and JSON output."""

from __future__ import annotations

import json
from datetime import date

from pathways.calendar import FixedClock
from pathways.services.context import Actor, Context
from pathways.store.database import make_engine
from tests.conftest import DEFINITIONS
from tests.services.test_authoring import into_band, law_2025
from tests.test_cli_cases import cli  # noqa: F401  (the fixture)


def test_publish_diff_and_migrate_from_the_command_line(cli, tmp_path):  # noqa: F811
    cli("init", "--definitions", DEFINITIONS)
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    ctx = Context(engine, FixedClock(date(2026, 11, 22)), actor=Actor.system("test"))
    case = into_band(ctx, FixedClock(date(2025, 8, 18)), "fullfore_vgo", date(2028, 6, 30)).case
    engine.dispose()

    v2 = tmp_path / "introduksjonsprogram.yaml"
    broken = law_2025().replace("to: program_videregaende", "to: program_videregaend", 1)
    v2.write_text(broken, encoding="utf-8")
    line = broken[:broken.index("to: program_videregaend\n")].count("\n") + 1
    errors = cli("publish", v2, "--note", "skrivefeil", ok=False)
    assert f"{v2}:{line}:" in errors and "nothing was published" in errors
    v2.write_text(law_2025(), encoding="utf-8")
    assert "change note" in cli("publish", v2, "--note", " ", ok=False)
    assert "published introduksjonsprogram@2" in cli("publish", v2, "--note", "Prop. 81 L (2024–2025)", "--by", "anne")
    assert "already published" in cli("publish", v2, "--note", "igjen", ok=False)

    changes = json.loads(cli("diff", "introduksjonsprogram@1", "introduksjonsprogram@2", "--json"))
    assert {(c["area"], c["id"], c["change"]) for c in changes["changes"]} >= {
        ("step", "program_vgo", "removed"), ("step", "program_videregaende", "added"),
        ("parameter", "maks_varighet_vgo", "changed")}
    assert changes["affected_cases_by_step"] == {"program_vgo": 1}
    assert "has no version 9 (published: 1, 2)" in cli("diff", "introduksjonsprogram@1", "introduksjonsprogram@9",
                                                       ok=False)
    assert "ID@VERSION" in cli("diff", "introduksjonsprogram", "introduksjonsprogram@2", ok=False)

    unmapped = cli("migrate", "introduksjonsprogram@1", "introduksjonsprogram@2", "--dry-run")
    assert f"case {case} cannot move: it is in 'program_vgo'" in unmapped
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("steps:\n  program_vgo: program_videregående\n", encoding="utf-8")
    assert "which introduksjonsprogram@2 does not have" in cli(
        "migrate", "introduksjonsprogram@1", "introduksjonsprogram@2", "--mapping", mapping, ok=False)
    mapping.write_text("steps:\n  program_vgo: program_videregaende\n", encoding="utf-8")
    planned = json.loads(cli("migrate", "introduksjonsprogram@1", "introduksjonsprogram@2", "--mapping", mapping,
                             "--dry-run", "--json"))
    assert planned["would_move"][0]["steps"] == {"program_vgo": "program_videregaende"}
    assert "nav_dialog_frist" in planned["would_move"][0]["kept"]
    moved = cli("migrate", "introduksjonsprogram@1", "introduksjonsprogram@2", "--mapping", mapping)
    assert "1 moved, 0 cannot move" in moved and f"case {case}: program_vgo → program_videregaende" in moved
    again = cli("migrate", "introduksjonsprogram@1", "introduksjonsprogram@2", "--mapping", mapping)
    assert "0 moved, 0 cannot move, 1 already on version 2" in again
    shown = json.loads(cli("show", case, "--json"))
    assert [s["id"] for s in shown["steps"]] == ["program_videregaende"]


def test_forecast_of_a_published_version_and_of_a_draft(cli, tmp_path):  # noqa: F811
    cli("init", "--definitions", DEFINITIONS)
    published = json.loads(cli("forecast", "introduksjonsprogram@1", "--cohort", "300", "--json"))
    assert published["version"] == 1 and abs(sum(o["share"] for o in published["outcomes"]) - 1) < 0.01
    draft = tmp_path / "utkast.yaml"
    draft.write_text(law_2025().replace("duration: {min: P1W, expected: P1M, max: P1M}",
                                        "duration: {min: P5M, expected: P6M, max: P7M}", 1), encoding="utf-8")
    longer = json.loads(cli("forecast", draft, "--cohort", "300", "--json"))
    median = {o["id"]: o["median_days"] for o in published["outcomes"]}
    assert all(o["median_days"] > median[o["id"]] for o in longer["outcomes"] if o["id"] in median
               and o["id"] not in ("ikke_rett",))
    assert "Tid fra start til utfall" in cli("forecast", "introduksjonsprogram@1", "--cohort", "50")
    assert "has no version 7" in cli("forecast", "introduksjonsprogram@7", ok=False)
