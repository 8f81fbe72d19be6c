"""An event's form values, checked by a pydantic model built from the definition.

Each event gets one model (the module events one per set of modules open): a field per input field it
asks for, typed by the field's ``type`` with the bounds of its spec, required or optional as the event
declares it. Values come in as a form or a JSON body sends them (Norwegian forms write 37,5 and ja/nei)
and come out JSON-native (dates as ISO text), in the order of the fields. Every problem is found at once:
:class:`InputError` names the first field (in that order) and carries all of them in ``errors``, so a form
can show each beside its field; an unknown field is reported before any other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, ClassVar, Literal, NoReturn

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from pathways.bounds import date_problem
from pathways.definition.problems import did_you_mean
from pathways.definition.schema import FieldType, InputField
from pathways.guards import CEFR_NAMES
from pathways.messages import Text, from_pydantic

FieldSpecs = tuple[tuple[str, InputField, bool], ...]
"""The fields an event asks for: (name, spec, required), in the order they are checked."""


class EngineError(ValueError):
    """Base of the engine's refusals; ``str()`` is a message for staff."""


class InputError(EngineError):
    """An event's input is wrong: ``field`` names the input (or None for the event itself)."""

    def __init__(self, message: str, field: str | None = None, errors: Mapping[str, str] | None = None):
        super().__init__(message)  # a Text (pathways.messages): English here, bokmål on the dashboard
        self.field = field
        self.errors: dict[str, str] = dict(errors) if errors else ({field: message} if field else {})
        """Every field with a problem (its name in the definition) and the problem, in the fields' order."""


class EventValues(BaseModel):
    """The base of every event's input model (fields are aliased by their names in the definition)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_title: ClassVar[str] = ""

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The checked, JSON-native values of ``raw`` (a missing or blank optional value is left out)."""
        aliases = {name: f.alias or name for name, f in cls.model_fields.items()}
        names = set(aliases.values())
        unknown = sorted(set(raw) - names)
        if unknown:
            raise InputError(Text("no_such_field", event=cls.event_title, name=unknown[0],
                                  hint=did_you_mean(unknown[0], names) or Text("fields_are", fields=sorted(names))),
                             unknown[0])
        try:
            model = cls.model_validate(dict(raw))
        except ValidationError as exc:
            errors: dict[str, str] = {}
            for error in exc.errors(include_url=False):
                where = str(error["loc"][0]) if error["loc"] else ""  # the alias, or the name of a missing field
                errors.setdefault(aliases.get(where, where), from_pydantic(error))
            order = list(aliases.values())
            ranked = sorted(errors, key=lambda name: order.index(name) if name in order else len(order))
            first = ranked[0]
            raise InputError(errors[first], first or None, {name: errors[name] for name in ranked}) from None
        return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def input_model(event: str, title: str, fields: Iterable[tuple[str, InputField, bool]]) -> type[EventValues]:
    """The model of ``event``'s input (``title`` names it in messages)."""
    definitions: dict[str, Any] = {}
    for index, (name, spec, required) in enumerate(fields):
        checked = BeforeValidator(partial(_value, name, spec, required, title))
        # Positional field names: a name in the definition may be one pydantic reserves ("json", "copy").
        definitions[f"f{index}"] = (Annotated[_TYPES[spec.type](spec) | None, checked],
                                    Field(default=None, alias=name, validate_default=True, title=spec.title))
    model = create_model(f"Input_{re.sub(r'[^0-9A-Za-z_]', '_', event)}", __base__=EventValues, **definitions)
    model.event_title = title
    return model


# -- one value ----------------------------------------------------------------------------------------


def _value(name: str, spec: InputField, required: bool, title: str, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            _fail(Text("field_required_for", name=spec.title, event=title))
        return None
    return _PARSERS[spec.type](spec, raw)


def _fail(message: Text) -> NoReturn:
    raise PydanticCustomError("input", "{text}", {"text": message})  # the Text survives in the context


def _date(spec: InputField, raw: Any) -> date:
    try:
        day = raw if isinstance(raw, date) and not isinstance(raw, datetime) else date.fromisoformat(str(raw).strip())
    except ValueError:
        _fail(Text("not_a_date", value=raw))
    problem = date_problem(day)  # a typed date; arithmetic on year 9999 would fail later
    if problem:
        _fail(problem)
    return day


def _number(spec: InputField, raw: Any) -> float:
    if isinstance(raw, bool):
        _fail(Text("not_a_number", value=raw))
    try:  # Norwegian forms write 37,5
        number = float(raw) if isinstance(raw, int | float) else float(str(raw).replace(",", ".").replace(" ", ""))
    except (ValueError, OverflowError):  # OverflowError: an integer too large for a float
        _fail(Text("not_a_number", value=raw))
    if not math.isfinite(number):
        _fail(Text("not_a_number", value=raw))
    if spec.min is not None and number < spec.min:
        _fail(Text("below_minimum", value=number, limit=spec.min))
    if spec.max is not None and number > spec.max:
        _fail(Text("above_maximum", value=number, limit=spec.max))
    return number


def _enum(spec: InputField, raw: Any) -> str:
    value = str(raw).strip()
    if value not in (spec.values or ()):
        _fail(Text("not_a_choice", value=value, choices=list(spec.values or ())))
    return value


def _cefr(spec: InputField, raw: Any) -> str:
    value = str(raw).strip().upper()
    if value not in CEFR_NAMES:
        _fail(Text("not_a_level", value=raw))
    return value


def _boolean(spec: InputField, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "ja", "yes", "1"):
        return True
    if text in ("false", "nei", "no", "0"):
        return False
    _fail(Text("not_yes_no", value=raw))


def _text(spec: InputField, raw: Any) -> str:
    text = str(raw).strip()
    if spec.max_length and len(text) > spec.max_length:
        _fail(Text("text_too_long", length=len(text), limit=spec.max_length))
    return text


_PARSERS: dict[FieldType, Callable[[InputField, Any], Any]] = {
    FieldType.date: _date, FieldType.number: _number, FieldType.enum: _enum, FieldType.cefr: _cefr,
    FieldType.boolean: _boolean, FieldType.text: _text,
}
_TYPES: dict[FieldType, Callable[[InputField], Any]] = {  # the type each parser gives, for the model's schema
    FieldType.date: lambda spec: date, FieldType.number: lambda spec: float,
    FieldType.enum: lambda spec: Literal[tuple(spec.values or ())],
    FieldType.cefr: lambda spec: Literal[CEFR_NAMES],
    FieldType.boolean: lambda spec: bool, FieldType.text: lambda spec: str,
}
