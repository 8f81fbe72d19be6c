"""The gettext catalogue: a message (:class:`pathways.messages.Text`) rendered in a language.

English is the source language (what ``str()`` of a message says: the CLI, the REST API, logs); the
dashboard renders in bokmål (``nb``) from ``pathways/locale/nb/LC_MESSAGES/messages.mo``, compiled from
the ``.po`` next to it by ``make messages`` (the compiled file is committed, so a fresh clone works).
Parameters are written the language's way: in bokmål a date is ``31.12.2026`` and a decimal ``37,5``.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from pathlib import Path

from babel.numbers import format_decimal
from babel.support import Translations

from pathways.messages import FIELD_LABELS, MESSAGES, Text, text_of

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DASHBOARD = "nb"  # the language staff read


@cache
def translations(locale: str = DASHBOARD) -> gettext.NullTranslations:
    """The compiled catalogue of ``locale`` (English, the msgids themselves, when there is none)."""
    return Translations.load(LOCALE_DIR, [locale], DOMAIN)


def localise(message: object, locale: str = DASHBOARD) -> str:
    """``message`` (a :class:`Text`, an error raised with one, or plain text) in ``locale``.

    A plain string (text from code not yet moved to the catalogue) is shown as it is; a catalogue text
    whose translation does not fit its parameters falls back to English rather than failing a page."""
    text = text_of(message) if isinstance(message, BaseException) else message
    if not isinstance(text, Text):
        return "" if text is None else str(text)
    if not text.code:
        return "".join(localise(part, locale) for part in text.parts)
    params = {name: _value(value, locale) for name, value in text.params.items()}
    try:
        return translations(locale).gettext(MESSAGES[text.code]).format(**params)
    except (KeyError, IndexError, ValueError):
        return str(text)


def field_label(name: str | None, locale: str = DASHBOARD) -> str | None:
    """The label of a form field (``ServiceError.field``) in ``locale``; an unknown name as it is."""
    if name is None or name not in FIELD_LABELS:
        return name
    return translations(locale).gettext(FIELD_LABELS[name])


def _value(value: object, locale: str) -> object:
    if isinstance(value, Text):
        return localise(value, locale)
    if isinstance(value, list | tuple):
        return ", ".join(str(_value(v, locale)) for v in value)
    if locale == "en":
        return f"{value:g}" if isinstance(value, float) else value
    if isinstance(value, date):
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"  # strftime drops a small year's zeros
    if isinstance(value, float):
        return format_decimal(value, locale=locale, group_separator=False)
    return value
