"""The message catalogue (issue 12): every code the code raises has an English text and a bokmål one, the
compiled catalogue matches its source, and no refusal is raised as a sentence instead of a code."""

from __future__ import annotations

import ast
import io
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from pathways.definition.problems import DefinitionError, did_you_mean
from pathways.i18n import LOCALE_DIR, field_label, localise
from pathways.messages import FIELD_LABELS, MESSAGES, Text, from_pydantic, text_of
from pathways.services.context import NotFound, ServiceError

ROOT = Path(__file__).resolve().parents[1]
PO = LOCALE_DIR / "nb" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def _catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="nb")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_code_and_field_label_has_a_bokmal_text_with_known_parameters():
    catalogue = _catalogue()
    missing, fuzzy, wrong = [], [], []
    for code, msgid in [*MESSAGES.items(), *(("field:" + k, v) for k, v in FIELD_LABELS.items())]:
        entry = catalogue.get(msgid)
        if entry is None or not entry.string:
            missing.append(code)
        elif entry.fuzzy:
            fuzzy.append(code)
        elif not _placeholders(entry.string) <= _placeholders(msgid):  # may leave one out, never invent one
            wrong.append(code)
    assert not missing, f"no bokmål text in {PO.name} (run `make messages` and translate): {missing}"
    assert not fuzzy, f"the English text changed; check the bokmål text and remove the fuzzy mark: {fuzzy}"
    assert not wrong, f"the bokmål text has {{parameters}} the English does not: {wrong}"


def test_every_string_the_code_and_templates_mark_for_translation_is_in_the_catalogue():
    """What `pybabel extract` finds with babel.cfg (Python and the Jinja2 templates): all translated."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalogue = _catalogue()
    found = {message for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map)}
    found = {m[0] if isinstance(m, tuple) else m for m in found}
    assert set(MESSAGES.values()) <= found, "pathways/messages.py is not where babel.cfg extracts from"
    untranslated = sorted(m for m in found if not (catalogue.get(m) and catalogue.get(m).string))
    assert not untranslated, f"marked for translation but not translated (make messages): {untranslated}"


def test_the_compiled_catalogue_is_the_source_compiled():
    """The .mo is committed (a fresh clone works without a build step): it must say what the .po says."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    compiled.seek(0)
    with MO.open("rb") as f:
        shipped = {m.id: m.string for m in read_mo(f) if m.id}
    expected = {m.id: m.string for m in read_mo(compiled) if m.id}
    assert shipped == expected, "pathways/locale/nb/LC_MESSAGES/messages.mo is stale: run `make messages`"


_RAISERS = {"ServiceError", "NotFound", "Conflict", "Forbidden", "ImportRejected", "InputError", "Refused",
            "CannotMove", "PracticeError", "Text", "RowError", "DefinitionError", "MappingError", "GuardError",
            "Problem"}


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            yield name, node


def test_errors_are_raised_with_a_code_not_a_sentence():
    """A service's or the engine's refusal names a code of pathways/messages.py (or passes on a Text): a
    literal sentence or an f-string would reach the dashboard in English, untranslated."""
    wrong = []
    for path in sorted([*(ROOT / "pathways").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, call in _calls(tree):
            if name not in _RAISERS or not call.args:
                continue
            at = {"RowError": 2, "Problem": 3}.get(name, 0)  # the message's place among the arguments
            if len(call.args) <= at:
                continue
            first = call.args[at]
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if isinstance(first, ast.JoinedStr):
                wrong.append(f"{where}: {name}(f'...')")
            elif isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value not in MESSAGES:
                wrong.append(f"{where}: {name}({first.value!r}) is not a message code")
    assert not wrong, "\n".join(wrong)


def test_the_definition_checks_word_their_problems_by_code():
    """Every problem a definition check finds carries a code (the editor shows it in bokmål)."""
    from pathways.definition.loader import load_text

    broken = (ROOT / "definitions" / "bussjafor.yaml").read_text(encoding="utf-8").replace(
        "    next: teoriprove", "    next: teoriprve", 1)
    with pytest.raises(DefinitionError) as refused:
        load_text(broken)
    messages = [p.message for p in refused.value.problems]
    assert messages and all(isinstance(m, Text) for m in messages), messages
    assert "unknown step 'teoriprve' — did you mean 'teoriprove'?" in messages
    assert "ukjent steg «teoriprve» – mente du «teoriprove»?" in [localise(m) for m in messages]


def test_a_service_error_is_english_as_a_string_and_bokmal_through_the_catalogue():
    error = ServiceError("date_out_of_range", "born", value=date(1850, 1, 2), low=date(1900, 1, 1),
                         high=date(2026, 12, 31))
    assert str(error) == "the date 1850-01-02 is not between 1900-01-01 and 2026-12-31"
    assert error.field == "born" and error.code == "date_out_of_range"
    assert localise(error) == "datoen 02.01.1850 er ikke mellom 01.01.1900 og 31.12.2026"
    assert field_label("born") == "fødselsdato" and field_label("born", "en") == "birth date"
    wrapped = NotFound(text_of(ServiceError("no_case", "case", id=7)), "case")
    assert str(wrapped) == "no case 7" and localise(wrapped) == "fant ingen sak 7"


def test_parameters_are_written_the_languages_way_and_nested_texts_translated():
    hint = did_you_mean("nxt", ["next", "start"])
    text = Text("unknown_key", key="nxt", hint=hint)
    assert text == "unknown key 'nxt' — did you mean 'next'?"
    assert localise(text) == "ukjent nøkkel «nxt» – mente du «next»?"
    low = Text("below_minimum", value=37.5, limit=40.0)
    assert low == "37.5 is below the minimum 40" and localise(low) == "37,5 er under laveste tillatte verdi 40"
    joined = Text("not_eligible") + ": details"
    assert isinstance(joined, Text) and localise(joined) == "deltakeren oppfyller ikke opptakskravene: details"
    assert localise("a plain text from code not in the catalogue") == "a plain text from code not in the catalogue"


def test_pydantic_errors_get_a_message_by_their_type():
    from pydantic import BaseModel, ValidationError

    class Form(BaseModel):
        born: date
        count: int

    with pytest.raises(ValidationError) as refused:
        Form.model_validate({"born": "2026-02-30", "count": "x"})
    texts = [from_pydantic(e) for e in refused.value.errors()]
    assert [t.code for t in texts] == ["not_a_date", "not_a_number"]
    assert localise(texts[0]) == "«2026-02-30» er ikke en dato (skriv ÅÅÅÅ-MM-DD)"


def test_templates_translate_with_the_same_catalogue():
    """The Jinja2 i18n extension is on: a template's _() reads the bokmål catalogue, and the `norsk` filter
    renders a message code."""
    from sqlalchemy import create_engine

    from ui.app import Settings, create_app

    app = create_app(create_engine("sqlite://"), None, Settings("test-secret-" + "x" * 32))
    env = app.state.templates.env
    assert env.from_string('{{ _("birth date") }}').render() == "fødselsdato"
    assert env.from_string("{{ m|norsk }}").render(m=Text("no_case", id=3)) == "fant ingen sak 3"
