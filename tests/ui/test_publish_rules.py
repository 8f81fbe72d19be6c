"""The editor's publish button follows the one set of publishing rules (pathways.services.publishing):
a hand-off to a pathway that was never published is a problem at its line, and nothing is published."""

from __future__ import annotations

from tests.conftest import table_counts
from tests.services.test_authoring import law_2025
from tests.ui.test_authoring_routes import PID, line_of


def test_a_hand_off_to_an_unpublished_pathway_is_shown_at_its_line_and_not_published(browser, world):
    anne = browser("anne")
    before = table_counts(world.ctx)
    text = law_2025().replace("handoff: {pathway: bussjafor,", "handoff: {pathway: busjafor,", 1)
    refused = anne.post(f"/admin/lop/{PID}/publiser", {"document": text, "base": "1", "note": "ny overgang"})
    assert refused.status_code == 422 and "kan ikke publiseres" in refused.text
    assert f"linje {line_of(text, 'handoff: {pathway: busjafor,')}" in refused.text
    assert "det ukjente løpet «busjafor»" in refused.text and "bussjafor" in refused.text
    assert table_counts(world.ctx) == before
