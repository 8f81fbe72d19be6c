"""One way to publish: the editor's publish button, ``pathways publish`` and ``pathways init`` (a folder)
share the rules of pathways.services.publishing. Before, the folder published any unpublished version
number, without a change note, and let a concurrent insert fail with the database's own error, while a
single document could hand off to a pathway that was never published. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from pathways.definition.problems import DefinitionError
from pathways.services.context import Actor, Conflict, Context, ServiceError
from pathways.services.publishing import content_hash, publish, publish_folder
from pathways.store.tables import PathwayVersion
from tests.conftest import DEFINITIONS, table_counts
from tests.test_cli_cases import cli  # noqa: F401  (the fixture)

SUPPORTED = (DEFINITIONS / "supported_employment.yaml").read_text(encoding="utf-8")
BUSSJAFOR = (DEFINITIONS / "bussjafor.yaml").read_text(encoding="utf-8")


@pytest.fixture
def empty(engine, clock) -> Context:  # type: ignore[no-untyped-def]
    """A service context on a database with nothing published."""
    return Context(engine, clock, actor=Actor.system("init"))


def versioned(text: str, version: int, comment: str = "") -> str:
    return re.sub(r"(?m)^version: 1$", f"version: {version}", text, count=1) + (f"\n# {comment}\n" if comment else "")


def folder_with(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "supported_employment.yaml").write_text(text, encoding="utf-8")
    return folder


def published(ctx: Context) -> list[tuple[int, str | None]]:
    with Session(ctx.engine) as session:
        return [(r.version, r.change_note) for r in session.exec(
            select(PathwayVersion).where(PathwayVersion.pathway_id == "supported_employment")
            .order_by(col(PathwayVersion.version))).all()]


def test_a_hand_off_to_a_pathway_never_published_is_refused_where_it_is_written(empty):
    before = table_counts(empty)
    with pytest.raises(DefinitionError) as caught:
        publish(empty, BUSSJAFOR, "første versjon", "bussjafor.yaml")
    line = BUSSJAFOR[:BUSSJAFOR.index("handoff: {pathway: supported_employment")].count("\n") + 1
    assert [(p.file, p.line, p.message) for p in caught.value.problems] == [
        ("bussjafor.yaml", line, "step 'avklaring' hands off to unknown pathway 'supported_employment'")]
    assert table_counts(empty) == before
    publish(empty, SUPPORTED, "første versjon", "supported_employment.yaml")
    assert publish(empty, BUSSJAFOR, "første versjon", "bussjafor.yaml").version == 1


def test_a_folder_publishes_the_next_version_only_with_a_change_note(empty, tmp_path):
    before = table_counts(empty)
    with pytest.raises(ServiceError, match=r"supported_employment.yaml: 'supported_employment' is at version 0: "
                                           r"the next version is 1, not 2") as caught:
        publish_folder(empty, folder_with(tmp_path, "hopper", versioned(SUPPORTED, 2)))
    assert caught.value.field == "version" and table_counts(empty) == before
    first = folder_with(tmp_path, "v1", SUPPORTED)
    with pytest.raises(ServiceError, match="write a change note") as caught:
        publish_folder(empty, first, note="  ")
    assert caught.value.field == "note"

    assert publish_folder(empty, first) == [("supported_employment", 1, "new")]
    assert publish_folder(empty, first) == [("supported_employment", 1, "unchanged")]  # init again
    assert published(empty) == [(1, f"published from {first}")]
    with pytest.raises(ServiceError, match="the next version is 2, not 3"):
        publish_folder(empty, folder_with(tmp_path, "v3", versioned(SUPPORTED, 3)), note="hopper over 2")
    with pytest.raises(ServiceError, match="version 1 of 'supported_employment' is already published; a change "
                                           "is a new version: set 'version: 2'"):
        publish_folder(empty, folder_with(tmp_path, "endret", versioned(SUPPORTED, 1, "endret")))
    assert publish_folder(empty, folder_with(tmp_path, "v2", versioned(SUPPORTED, 2)), note="ny frist") == [
        ("supported_employment", 2, "new")]
    assert published(empty) == [(1, f"published from {first}"), (2, "ny frist")]


def test_a_folder_published_while_another_publisher_inserts_the_same_version_is_a_conflict(empty, tmp_path):
    """The other publisher's row is committed between this publish's reads and its insert."""
    other = versioned(SUPPORTED, 1, "en annen")
    competed = []

    def compete(connection, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO PATHWAYVERSION") and not competed:
            competed.append(True)
            # the other publisher comes first: on SQLite this insert has taken its turn as the writer
            # (pathways.store.database) but has not begun writing; it gives the turn up meanwhile
            turn = connection.info.pop("writers", None)
            if turn is not None:
                turn.release()
            with Session(empty.engine) as session, session.begin():
                session.add(PathwayVersion(pathway_id="supported_employment", version=1, title="Annen",
                                           document=other, content_hash=content_hash(other),
                                           published_at=empty.clock.now(), published_by="lise", change_note="x"))
            if turn is not None:
                turn.acquire()
                connection.info["writers"] = turn

    event.listen(empty.engine, "before_cursor_execute", compete)
    try:
        with pytest.raises(Conflict, match="someone else published version 1 of 'supported_employment' at the "
                                           "same time"):
            publish_folder(empty, folder_with(tmp_path, "v1", SUPPORTED))
    finally:
        event.remove(empty.engine, "before_cursor_execute", compete)
    assert competed and published(empty) == [(1, "x")]


def test_init_refuses_a_version_that_skips_one(cli, tmp_path):  # noqa: F811
    folder = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, folder)
    text = (folder / "supported_employment.yaml").read_text(encoding="utf-8")
    (folder / "supported_employment.yaml").write_text(versioned(text, 2), encoding="utf-8")
    assert "the next version is 1, not 2" in cli("init", "--definitions", folder, ok=False)
    assert "12 newly published" in cli("init", "--definitions", DEFINITIONS)
