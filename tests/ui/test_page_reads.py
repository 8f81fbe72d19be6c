"""A page that only reads makes its service calls in one session and transaction (``one_read``,
:class:`~pathways.services.context.Reads`): the case page, the caseload and the worklist each begin one
transaction for the page besides the sign-in's, whatever number of services they call; a page that ends
in "not found" leaves nothing open; the case is looked up once per page; and what the page shows is what
the services read on their own."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import Session

from pathways.services import readlog
from pathways.services.context import Context, Reads
from pathways.store.tables import Enrolment


def _page_thread() -> bool:
    """Not the read log's writer: it writes its buffer every few seconds in a thread of its own
    (:mod:`pathways.services.readlog`), and a write that falls inside the block is not the page's (a run
    of the CI counted three transactions for the participant page when it did)."""
    return threading.current_thread().name != readlog.WRITER_THREAD


@contextmanager
def counted(engine):
    """The transactions begun and the statements run on ``engine`` inside the block, by the pages."""
    seen = {"begin": 0, "statements": []}

    def began(_conn):
        if _page_thread():
            seen["begin"] += 1

    def ran(_conn, _cursor, statement, *_args):
        if _page_thread():
            seen["statements"].append(statement)

    event.listen(engine, "begin", began)
    event.listen(engine, "before_cursor_execute", ran)
    try:
        yield seen
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine, "before_cursor_execute", ran)


def test_the_read_log_writing_its_buffer_meanwhile_is_not_counted_as_the_pages(browser, world):
    """The read log's writer may write its buffer while a page is counted (it did in a CI run): its
    transaction is its own, not the page's."""
    kari = browser("kari")
    url = f"/deltakere/{world.amina_pid}"
    assert kari.get(url).status_code == 200  # a read in the buffer
    writer = threading.Thread(target=readlog.flush, name=readlog.WRITER_THREAD)
    with counted(world.ctx.engine) as seen:
        writer.start()
        writer.join()
        assert kari.get(url).status_code == 200
    assert seen["begin"] <= 2, seen["begin"]


@pytest.mark.parametrize("path", ["/saker/{amina}", "/saker", "/i-dag", "/flagg", "/deltakere/{amina_pid}"])
def test_a_reading_page_begins_one_transaction_besides_the_sign_in(browser, world, path):
    kari = browser("kari")
    url = path.format(amina=world.amina, amina_pid=world.amina_pid)
    assert kari.get(url).status_code == 200
    with counted(world.ctx.engine) as seen:
        assert kari.get(url).status_code == 200
    # one for the signed-in account (a dependency run before the page), one for everything the page reads
    assert seen["begin"] <= 2, (url, seen["begin"])


def test_the_case_page_reads_the_case_once(browser, world):
    kari = browser("kari")
    kari.get(f"/saker/{world.amina}")
    with counted(world.ctx.engine) as seen:
        assert kari.get(f"/saker/{world.amina}").status_code == 200
    case_reads = [s for s in seen["statements"]
                  if s.lstrip().startswith("SELECT enrolment.id, enrolment.participant_id")
                  and "FROM enrolment" in s]
    assert len(case_reads) == 1, case_reads


def test_a_page_not_found_rolls_its_reads_back_and_the_next_page_reads_afresh(browser, world):
    kari = browser("kari")
    assert kari.get(f"/saker/{world.olena}").status_code == 404  # per's case, in Bærum: not kari's
    page = kari.get(f"/saker/{world.amina}")
    assert page.status_code == 200 and "Amina Ali" in page.text


def test_reads_roll_back_what_a_failed_call_wrote_and_commit_otherwise(world):
    engine = world.ctx.engine
    reads = Reads(engine)
    ctx = Context(engine, world.clock, actor=world.ctx.actor, reads=reads)
    with pytest.raises(RuntimeError), ctx.transaction() as session:
        session.get(Enrolment, world.amina).caseworker = "someone-else"
        raise RuntimeError("a service failed")
    reads.close()
    with Session(engine) as session:  # the failed call's change is gone
        assert session.get(Enrolment, world.amina).caseworker == "kari"
    reads = Reads(engine)
    ctx = Context(engine, world.clock, actor=world.ctx.actor, reads=reads)
    with ctx.transaction() as session:
        first = session.connection()
    with ctx.transaction() as session:
        assert session.connection() is first  # the same connection for every call inside
    reads.close()
    assert reads.session is None
