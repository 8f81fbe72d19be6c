"""The names a guard may read, and the built-in events every pathway has.

Participant fields are the same for every pathway (they live on the participant record); a
pathway adds its own input fields, counters and parameters. Keep the participant list to what the
rules in DOMAIN.md need: participants are real people, and we store nothing we do not use.
"""

from __future__ import annotations

from types import MappingProxyType

from pathways.definition.schema import FieldType, InputField, Pathway
from pathways.guards import BOOL, CEFR, DATE, DURATION, NUMBER, TEXT, Type, enum_type

PARTICIPANT_FIELDS: MappingProxyType[str, Type] = MappingProxyType({
    "birth_date": DATE,
    "settlement_date": DATE,  # bosettingsdato
    "age": NUMBER,  # whole years on the day the guard is evaluated
    "gender": enum_type(("female", "male", "unspecified")),  # Jobbsjansen is for women
    "norwegian_oral": CEFR,
    "norwegian_written": CEFR,
    "education_track": enum_type(("spor1", "spor2", "spor3")),
    "has_primary_school": BOOL,  # fullført grunnskole
    "has_upper_secondary": BOOL,  # fullført videregående
    "legal_regime": enum_type(("introduksjonsloven", "integreringsloven", "integreringsloven_6a")),
    "lives_with_parents": BOOL,  # under-25 rate
    "dependants": NUMBER,  # forsørgede barn
    "registered_with_nav": BOOL,
})
"""Participant fields a guard may read."""

CASE_FIELDS: MappingProxyType[str, Type] = MappingProxyType({
    "today": DATE,  # the effective date of the event being recorded
    "start_date": DATE,  # when the case started on this pathway
    "days_in_step": NUMBER,  # whole days since the step whose transition is read was entered (a module set too)
    "days_paused": NUMBER,  # permisjon so far
})
"""Facts about the case itself a guard may read."""

BUILTIN_EVENTS: MappingProxyType[str, str] = MappingProxyType({
    "fullfort": "Fullført",  # the event behind a step's 'next'
    "modul_startet": "Modul startet",
    "modul_fullfort": "Modul fullført (kompetansebevis)",
    "permisjon": "Permisjon",
    "gjenoppta": "Gjenoppta etter permisjon",
    "midlertidig_stans": "Midlertidig stans",
    "avbrudd": "Avbrudd",
    "overforing": "Overføring",
})
"""Events every pathway understands without declaring them; a document may declare one again to give it
fields (a reason for ``avbrudd``) or another title."""

HANDOFF_EVENTS: MappingProxyType[str, str] = MappingProxyType({
    "overforing_sendt": "Overføring sendt",
    "overforing_endret": "Sjekkliste for overføring oppdatert",
    "overforing_akseptert": "Overføring mottatt",
    "overforing_returnert": "Overføring returnert",
    "overforing_kansellert": "Overføring trukket tilbake",
})
"""The steps of a hand-off to another unit (:mod:`pathways.services.handoffs`), recorded in the case's
history on every pathway: they move no step and read no field, on a running or an ended case; the
hand-off's row is rebuilt from them."""

_FIELD_TYPES = {FieldType.date: DATE, FieldType.number: NUMBER, FieldType.text: TEXT,
                FieldType.cefr: CEFR, FieldType.boolean: BOOL}
_PARAMETER_TYPES = {"number": NUMBER, "duration": DURATION, "cefr": CEFR, "text": TEXT, "boolean": BOOL}


def field_type(spec: InputField) -> Type:
    if spec.type == FieldType.enum:
        return enum_type(spec.values or ())
    return _FIELD_TYPES[spec.type]


def vocabulary(pathway: Pathway) -> dict[str, Type]:
    """Every name a guard in ``pathway`` may read, with its type."""
    names: dict[str, Type] = {**PARTICIPANT_FIELDS, **CASE_FIELDS}
    names.update({name: _PARAMETER_TYPES[p.type] for name, p in pathway.parameters.items()})
    names.update({name: field_type(spec) for name, spec in pathway.fields.items()})
    names.update({name: NUMBER for name in pathway.counters})
    return names

BUILTIN_ROLES: MappingProxyType[str, str] = MappingProxyType({
    "programradgiver": "Programrådgiver (kommunens flyktningtjeneste)",
    "veileder": "Veileder",
    "nav_veileder": "NAV-veileder",
    "jobbspesialist": "Jobbspesialist",
    "laerer": "Lærer (voksenopplæringen)",
    "fylkeskommune": "Fylkeskommunen (fagopplæring)",
    "karrieresenter": "Karrieresenteret",
    "koordinator": "Koordinator",
    "leder": "Leder",
    "arbeidsgiver": "Arbeidsgiver / bedriftslærer",
})
"""Owner roles every pathway may use; a document declares others under ``roles``."""
