"""Why a guard failed, in bokmål: which condition was not met and what would meet it.

A guard that refused an event is walked from its tree (:attr:`pathways.guards.Guard.body`) with the values
it read: an ``and`` explains each part that failed, an ``or`` lists the alternatives (any one would do), a
``not`` turns the condition round (``not a >= b`` is explained as ``a < b``), and a comparison says what
the fact must be and what is registered: «Norsk muntlig må være B1 eller høyere; registrert er A2». The
facts are named by their titles: the pathway's fields, parameters and counters by the titles the definition
gives them, the participant's and the case's facts from :data:`pathways.words.FACT_TITLES`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from pathways.definition.periods import Period
from pathways.definition.schema import Pathway
from pathways.guards import FUNCTIONS, Guard, GuardError, GuardUnknown, Type
from pathways.words import FACT_CHOICES, FACT_TITLES, choice_no, value_no

_NEGATED: dict[type, type] = {ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt,
                              ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In}
_FLIPPED: dict[type, type] = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}
_ORDER_WORDS = {  # kind of value: (>=, >, <=, <)
    "cefr": ("{} eller høyere", "høyere enn {}", "{} eller lavere", "lavere enn {}"),
    "date": ("{} eller senere", "etter {}", "{} eller tidligere", "før {}"),
    "other": ("minst {}", "mer enn {}", "høyst {}", "mindre enn {}"),
}
_SYMBOLS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "·", ast.Div: "/", ast.Mod: "mod"}


@dataclass(frozen=True)
class Labels:
    """What the facts a guard reads are called, and the labels of their choices."""

    titles: Mapping[str, str]
    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    parameters: frozenset[str] = frozenset()  # names that are settings, not facts about the case

    def title(self, name: str) -> str:
        return self.titles.get(name) or name.replace("_", " ").capitalize()


def labels_of(pathway: Pathway) -> Labels:
    """The titles of every name a guard of ``pathway`` may read."""
    titles: dict[str, str] = dict(FACT_TITLES)
    titles.update({name: p.title for name, p in pathway.parameters.items()})
    titles.update({name: c.title for name, c in pathway.counters.items()})
    titles.update({name: f.title for name, f in pathway.fields.items()})
    return Labels(titles, FACT_CHOICES, frozenset(pathway.parameters))


def explain(guard: Guard, values: Mapping[str, Any], labels: Labels) -> list[str]:
    """Sentences saying why ``guard`` is not true for ``values``; empty when it is true."""
    return _Explainer(guard, values, labels).why_not(guard.body, negated=False)


class _Explainer:
    def __init__(self, guard: Guard, values: Mapping[str, Any], labels: Labels):
        self.guard, self.values, self.labels = guard, values, labels

    # -- truth and values ------------------------------------------------------------------------

    def value(self, node: ast.AST) -> Any:
        """The node's value; None when a value it reads is not registered."""
        try:
            return self.guard.part_value(node, self.values)
        except GuardUnknown:
            return None

    def holds(self, node: ast.AST, negated: bool) -> bool | None:
        try:
            value = bool(self.guard.part_value(node, self.values))
        except (GuardUnknown, GuardError):
            return None
        return value != negated

    # -- sentences -------------------------------------------------------------------------------

    def why_not(self, node: ast.AST, negated: bool) -> list[str]:
        if self.holds(node, negated):
            return []
        match node:
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return self.why_not(operand, not negated)
            case ast.BoolOp(op=join, values=parts):
                if isinstance(join, ast.And) != negated:  # every part must hold: the failing ones
                    return [reason for part in parts for reason in self.why_not(part, negated)]
                alternatives = [" og ".join(_lower(r) for r in self.why_not(part, negated)) for part in parts]
                return ["Ett av disse må være oppfylt: " + "; eller ".join(a for a in alternatives if a)]
            case ast.Compare(left=left, ops=ops, comparators=rights):
                reasons = []
                for cmp, a, b in zip(ops, [left, *rights], rights, strict=False):
                    pair = ast.Compare(left=a, ops=[cmp], comparators=[b])
                    if not self.holds(pair, negated):
                        reasons.append(self.compare(a, _NEGATED[type(cmp)]() if negated else cmp, b))
                return reasons
            case ast.Name(id=name) if name in self.labels.titles or name in self.guard.names:
                return [self.must_be(node, "nei" if negated else "ja")]
            case ast.Constant():
                return ["Vilkåret kan aldri være oppfylt"]
        return [f"Vilkåret «{self.describe(node)}» er ikke oppfylt"]

    def must_be(self, subject: ast.AST, wanted: str) -> str:
        title = self.describe(subject)
        registered = self.value(subject)
        if isinstance(subject, ast.BinOp) and _is_date(self, subject.left) and _is_date(self, subject.right) \
                and registered is not None:  # the time between two dates, in years, months and days
            later, earlier = self.value(subject.left), self.value(subject.right)
            span = relativedelta(later, earlier)
            registered = Period(span.years, span.months, span.days)
        if registered is None:
            return f"{_upper(title)} er ikke registrert; må være {wanted}"
        return f"{_upper(title)} må være {wanted}; registrert er {self.shown(subject, registered)}"

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> str:
        if not self.reads_facts(left) and self.reads_facts(right) and type(op) in _FLIPPED:
            left, right, op = right, left, _FLIPPED[type(op)]()
        elif not self.reads_facts(left) and self.reads_facts(right) and isinstance(op, ast.Eq | ast.NotEq):
            left, right = right, left
        target = self.value(right)
        shown = self.shown(left, target, right)
        if self.reads_facts(right):
            shown = f"{self.describe(right)} ({shown})" if target is not None else \
                f"{self.describe(right)} (ikke registrert)"
        return self.must_be(left, self.phrase(op, shown, target))

    @staticmethod
    def phrase(op: ast.cmpop, shown: str, target: Any) -> str:
        if isinstance(op, ast.Eq):
            return shown
        if isinstance(op, ast.NotEq):
            return f"noe annet enn {shown}"
        if isinstance(op, ast.In):
            return f"en av: {shown}"
        if isinstance(op, ast.NotIn):
            return f"ingen av: {shown}"
        kind = "cefr" if type(target).__name__ == "Cefr" else "date" if hasattr(target, "isoformat") else "other"
        index = {ast.GtE: 0, ast.Gt: 1, ast.LtE: 2, ast.Lt: 3}[type(op)]
        return _ORDER_WORDS[kind][index].format(shown)

    def reads_facts(self, node: ast.AST) -> bool:
        """Whether the node reads a fact of the case (not only constants and parameters)."""
        return any(isinstance(n, ast.Name) and n.id in self.guard.names and n.id not in self.labels.parameters
                   for n in ast.walk(node))

    def shown(self, subject: ast.AST, value: Any, node: ast.AST | None = None) -> str:
        """``value`` in words, with the choice labels of ``subject`` (a fact like ``gender``)."""
        if value is None:
            return "ikke registrert"
        choices = self.labels.choices.get(subject.id) if isinstance(subject, ast.Name) else None
        if isinstance(value, str) and choices is None:
            return choice_no(value)
        return value_no(value, choices)

    def describe(self, node: ast.AST) -> str:
        """The expression in words: titles for names, values for constants."""
        match node:
            case ast.Name(id=name) if name in self.guard.names:
                return self.labels.title(name)
            case ast.Call(func=ast.Name(id="min" | "max" as which), args=args):
                parts = [_lower(self.describe(a)) for a in args]
                return ("den laveste av " if which == "min" else "den høyeste av ") + \
                    ", ".join(parts[:-1]) + " og " + parts[-1]
            case ast.Call(func=ast.Name(id="days" | "weeks" | "months" | "years" as unit), args=[arg]) \
                    if self.reads_facts(node):
                words = {"days": "", "weeks": " uker", "months": " måneder", "years": " år"}[unit]
                return self.describe(arg) + words
            case ast.Call(func=ast.Name(id=name)) if name in FUNCTIONS and not self.reads_facts(node):
                return value_no(self.value(node))
            case ast.BinOp(left=left, op=ast.Sub(), right=right) if _is_date(self, left) and _is_date(self, right):
                return f"tiden fra {_lower(self.describe(right))} til {_lower(self.describe(left))}"
            case ast.BinOp(left=left, op=op, right=right):
                return f"{self.describe(left)} {_SYMBOLS.get(type(op), '?')} {_lower(self.describe(right))}"
            case ast.IfExp(test=test, body=body, orelse=orelse):
                chosen = self.holds(test, negated=False)
                if chosen is None:
                    return f"{self.describe(body)} eller {_lower(self.describe(orelse))}"
                return self.describe(body if chosen else orelse)
            case ast.Constant(value=value):
                return value_no(value)
            case ast.Name():
                return value_no(self.value(node))
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                return ", ".join(self.describe(e) for e in elts)
        return ast.unparse(node)


def _is_date(explainer: _Explainer, node: ast.AST) -> bool:
    if isinstance(node, ast.Name) and node.id in explainer.guard.names:
        kind: Type | None = explainer.guard.vocabulary.get(node.id)
        return kind is not None and kind.name == "date"
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "date"


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """The first letter small, unless the word is an abbreviation (NAV, B1)."""
    first = text.split(" ", 1)[0]
    return text if first.isupper() or any(c.isdigit() for c in first) else text[:1].lower() + text[1:]
