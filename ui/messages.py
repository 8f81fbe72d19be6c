"""The dashboard's words for what the services, the engine and the definition checks say.

Those raise messages by code (:mod:`pathways.messages`); this renders them from the gettext catalogue in
bokmål (:mod:`pathways.i18n`). The CLI and the REST API say the English text (``str()`` of the error).
"""

from __future__ import annotations

from pathways.i18n import field_label, localise


def norsk(message: object) -> str:
    """``message`` in bokmål: a message code's text, an error raised with one, or plain text as it is.

    Pass the error itself, not ``str(error)``: the string is the English text and has lost its code."""
    return localise(message, "nb")


def field_word(name: str | None) -> str | None:
    """The bokmål label of a form field (``ServiceError.field``); an unknown name as it is."""
    return field_label(name, "nb")
