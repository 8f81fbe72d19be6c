"""Guards: the small expression language of conditions in pathway documents.

A guard is a Python-syntax expression (``norwegian_oral >= B1 and praksistimer >= 8700``) that is
parsed with :mod:`ast`, checked against a declared vocabulary of typed names when the document is
loaded, and evaluated by walking the tree. Nothing is ever passed to ``eval``: only the node types
listed in ``_ALLOWED`` exist in this language, names come only from the vocabulary, calls only to the
functions in ``FUNCTIONS``, and there is no attribute access, subscripting, lambda, comprehension or
power operator at all. Numbers are kept within ``MAX_NUMBER`` so arithmetic cannot run away.

Types: number, bool, date, duration, cefr (A1 < A2 < … < C2), text, enum(values), list(type).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any, cast

from pathways.definition.periods import DAYS_PER_YEAR, MAX_PERIOD_YEARS, Period
from pathways.messages import Text

MAX_LENGTH = 1_000
MAX_NUMBER = 1e12
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2199, 12, 31)
"""The dates a guard, a recorded field and a date literal may hold: far inside the calendar's years 1–9999,
so that adding the longest durations (``MAX_PERIOD_YEARS``) can never leave it."""


class Cefr(IntEnum):
    """The Common European Framework levels, ordered, as used for Norwegian tests."""

    A1 = 1
    A2 = 2
    B1 = 3
    B2 = 4
    C1 = 5
    C2 = 6


CEFR_NAMES = tuple(level.name for level in Cefr)


@dataclass(frozen=True)
class Type:
    """A static type. ``values`` is set for enums, ``item`` for lists."""

    name: str
    values: frozenset[str] | None = None
    item: Type | None = None

    def __str__(self) -> str:
        if self.name == "enum" and self.values:
            return "enum(" + ", ".join(sorted(self.values)) + ")"
        if self.name == "list" and self.item:
            return f"list of {self.item}"
        return self.name


NUMBER, BOOL, DATE, DURATION, CEFR, TEXT = (Type(n) for n in ("number", "bool", "date", "duration", "cefr", "text"))


def enum_type(values: tuple[str, ...] | frozenset[str]) -> Type:
    return Type("enum", frozenset(values))


class GuardError(ValueError):
    """A guard is not valid: ``column`` is the 1-based position in the expression."""

    def __init__(self, message: str, column: int = 1):
        super().__init__(message)
        self.message = message
        self.column = column


class GuardUnknown(LookupError):
    """A guard cannot be decided because a name it reads has no value yet."""

    def __init__(self, name: str):
        super().__init__(f"'{name}' has no value yet")
        self.name = name


_CONSTANTS: dict[str, tuple[Type, Any]] = {
    **{level.name: (CEFR, level) for level in Cefr},
    "true": (BOOL, True), "false": (BOOL, False), "True": (BOOL, True), "False": (BOOL, False),
}


_UNITS_PER_YEAR = {"years": 1, "months": 12, "days": 366}


def _duration(unit: str) -> Callable[[float], Period]:
    def make(n: float) -> Period:
        if n != int(n):
            raise GuardError(Text("guard_whole_number", unit=unit))
        limit = MAX_PERIOD_YEARS * _UNITS_PER_YEAR[unit]
        if abs(n) > limit:
            raise GuardError(Text("guard_duration_too_long", unit=unit, n=int(n), years=MAX_PERIOD_YEARS,
                                  limit=f"{limit:,}"))
        amount: dict[str, Any] = {unit: int(n)}
        return Period(**amount)
    return make


def _date_literal(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError as exc:
        raise GuardError(Text("guard_not_a_date", text=repr(text))) from exc
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise GuardError(Text("guard_date_years", text=repr(text), low=EARLIEST_DATE.year, high=LATEST_DATE.year))
    return value


def _years_between(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end`` (an age, counted as birthdays are)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


FUNCTIONS: dict[str, tuple[tuple[Type, ...] | None, Type | None, Callable[..., Any]]] = {
    # name: (argument types or None for "one or more of the same", result type or None for "same")
    "days": ((NUMBER,), DURATION, lambda n: _duration("days")(n)),
    "weeks": ((NUMBER,), DURATION, lambda n: _duration("days")(7 * n)),
    "months": ((NUMBER,), DURATION, lambda n: _duration("months")(n)),
    "years": ((NUMBER,), DURATION, lambda n: _duration("years")(n)),
    "date": ((TEXT,), DATE, _date_literal),
    "years_between": ((DATE, DATE), NUMBER, _years_between),
    "min": (None, None, min),
    "max": (None, None, max),
    "abs": ((NUMBER,), NUMBER, abs),
}

_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.Compare, ast.Eq, ast.NotEq,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Name, ast.Load, ast.Constant,
    ast.List, ast.Tuple, ast.Call, ast.IfExp,
)
_REFUSED_WORDS = {  # what a guard may not hold → the message code that says so
    ast.Attribute: "guard_no_attribute",
    ast.Subscript: "guard_no_subscript",
    ast.Lambda: "guard_no_lambda",
    ast.Pow: "guard_no_power",
    ast.ListComp: "guard_no_comprehension", ast.SetComp: "guard_no_comprehension",
    ast.DictComp: "guard_no_comprehension", ast.GeneratorExp: "guard_no_comprehension",
    ast.NamedExpr: "guard_no_assignment", ast.Starred: "guard_no_unpacking",
    ast.JoinedStr: "guard_no_fstring", ast.Await: "guard_no_await",
    ast.Dict: "guard_no_dict", ast.Set: "guard_no_set",
}
_ORDERED = {"number", "date", "duration", "cefr"}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}


class Guard:
    """A checked guard, ready to evaluate. ``names`` are the vocabulary names it reads."""

    def __init__(self, source: str, vocabulary: Mapping[str, Type], expect: Type | None = None):
        if not isinstance(source, str):
            raise GuardError(Text("guard_not_text"))
        if len(source) > MAX_LENGTH:
            raise GuardError(Text("guard_too_long", length=len(source), limit=MAX_LENGTH))
        self.source = source
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise GuardError(Text("guard_syntax", detail=exc.msg), exc.offset or 1) from None
        except (RecursionError, MemoryError, ValueError):
            raise GuardError(Text("guard_nested_or_invalid")) from None
        self._tree = tree
        self._vocabulary = vocabulary
        self.names: set[str] = set()
        self._span = 0.0  # the constant durations' days, together
        try:
            self.type = self._check(tree.body)
        except RecursionError:
            raise GuardError(Text("guard_nested")) from None
        if self._span > MAX_PERIOD_YEARS * DAYS_PER_YEAR:
            raise GuardError(Text("guard_durations_too_long", years=MAX_PERIOD_YEARS))
        wanted = expect or BOOL
        if self.type != wanted:
            raise GuardError(Text("guard_not_bool", type=self.type) if wanted == BOOL else
                             Text("guard_wrong_type", wanted=wanted, type=self.type))

    # -- static checks -------------------------------------------------------------------------

    def _check(self, node: ast.AST) -> Type:
        col = getattr(node, "col_offset", 0) + 1
        if not isinstance(node, _ALLOWED):
            code = _REFUSED_WORDS.get(type(node))
            raise GuardError(Text(code) if code else Text("guard_node_not_allowed", node=type(node).__name__), col)
        match node:
            case ast.Constant(value=value):
                if isinstance(value, bool):
                    return BOOL
                if isinstance(value, int | float):
                    if abs(value) > MAX_NUMBER:
                        raise GuardError(Text("guard_number_too_large", value=value), col)
                    return NUMBER
                if isinstance(value, str):
                    return TEXT
                raise GuardError(Text("guard_constant", value=repr(value)), col)
            case ast.Name(id=name):
                if name.startswith("_"):
                    raise GuardError(Text("guard_underscore", name=name), col)
                if name in self._vocabulary:
                    self.names.add(name)
                    return self._vocabulary[name]
                if name in _CONSTANTS:
                    return _CONSTANTS[name][0]
                from pathways.definition.problems import did_you_mean
                raise GuardError(Text("guard_unknown_name", name=name, hint=did_you_mean(name, [*self._vocabulary,
                                                                                       *_CONSTANTS])),
                                 col)
            case ast.BoolOp(values=values):
                for part in values:
                    self._expect(part, BOOL, "guard_and_or")
                return BOOL
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                self._expect(operand, BOOL, "guard_not")
                return BOOL
            case ast.UnaryOp(operand=operand):
                kind = self._check(operand)
                if kind not in (NUMBER, DURATION):
                    raise GuardError(Text("guard_sign", kind=kind), col)
                return kind
            case ast.BinOp(left=left, op=op, right=right):
                return self._check_arith(op, self._check(left), self._check(right), col)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                current = self._check(left)
                for cmp, right in zip(ops, comparators, strict=True):
                    other = self._check(right)
                    self._check_compare(cmp, current, other, right, col)
                    current = other
                return BOOL
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                if not elts:
                    raise GuardError(Text("guard_empty_list"), col)
                kinds = [self._check(e) for e in elts]
                first = kinds[0]
                if any(k.name != first.name for k in kinds):
                    raise GuardError(Text("guard_mixed_list"), col)
                return Type("list", item=first)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                self._expect(test, BOOL, "guard_if_condition")
                a, b = self._check(body), self._check(orelse)
                if a.name != b.name:
                    raise GuardError(Text("guard_branches", a=a, b=b), col)
                return a
            case ast.Call(func=func, args=args, keywords=keywords):
                if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
                    shown = func.id if isinstance(func, ast.Name) else "this"
                    raise GuardError(Text("guard_call", name=shown, functions=sorted(FUNCTIONS)), col)
                if keywords:
                    raise GuardError(Text("guard_keywords", function=func.id), col)
                wanted, result, _ = FUNCTIONS[func.id]
                kinds = [self._check(a) for a in args]
                if wanted is None:
                    if not kinds or any(k.name != kinds[0].name for k in kinds):
                        raise GuardError(Text("guard_same_type_args", function=func.id), col)
                    return kinds[0]
                if [k.name for k in kinds] != [w.name for w in wanted]:
                    raise GuardError(Text("guard_arguments", function=func.id, wanted=[str(w) for w in wanted],
                                          got=[str(k) for k in kinds]), col)
                if func.id == "date" and isinstance(args[0], ast.Constant):
                    _date_literal(cast(str, args[0].value))  # a constant of type text is a str
                if result == DURATION and isinstance(args[0], ast.Constant):
                    try:  # a constant that can leave the calendar is refused here, not when a case meets it
                        self._span += abs(FUNCTIONS[func.id][2](args[0].value).approx_days)
                    except GuardError as exc:
                        raise GuardError(exc.message, col) from None
                assert result is not None
                return result
        raise GuardError(Text("guard_node_not_allowed", node=type(node).__name__), col)

    def _expect(self, node: ast.AST, wanted: Type, what: str) -> None:
        got = self._check(node)
        if got != wanted:
            raise GuardError(Text("guard_expected", what=Text(what), wanted=wanted, got=got),
                             getattr(node, "col_offset", 0) + 1)

    @staticmethod
    def _check_arith(op: ast.operator, left: Type, right: Type, col: int) -> Type:
        pair = (left.name, right.name)
        table = {
            (ast.Add, ("number", "number")): NUMBER, (ast.Sub, ("number", "number")): NUMBER,
            (ast.Mult, ("number", "number")): NUMBER, (ast.Div, ("number", "number")): NUMBER,
            (ast.Mod, ("number", "number")): NUMBER,
            (ast.Add, ("date", "duration")): DATE, (ast.Sub, ("date", "duration")): DATE,
            (ast.Add, ("duration", "date")): DATE, (ast.Sub, ("date", "date")): DURATION,
        }
        result = table.get((type(op), pair))
        if result is None:
            symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}.get(type(op), "?")
            raise GuardError(Text("guard_compute", left=left, symbol=symbol, right=right), col)
        return result

    @staticmethod
    def _check_compare(op: ast.cmpop, left: Type, right: Type, right_node: ast.AST, col: int) -> None:
        if isinstance(op, ast.In | ast.NotIn):
            if right.name != "list" or right.item is None:
                raise GuardError(Text("guard_in_list"), col)
            Guard._check_compare(ast.Eq(), left, right.item, right_node, col)
            return
        if (left.name == "enum" and right == TEXT) or (right.name == "enum" and left == TEXT):
            enum = left if left.name == "enum" else right
            literals = [right_node] if not isinstance(right_node, ast.List | ast.Tuple) else right_node.elts
            for literal in literals:
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str) \
                        and literal.value not in (enum.values or ()):
                    raise GuardError(Text("guard_not_in_enum", value=literal.value, enum=enum), col)
            if not isinstance(op, ast.Eq | ast.NotEq):
                raise GuardError(Text("guard_enum_compare"), col)
            return
        if left.name != right.name:
            raise GuardError(Text("guard_compare", left=left, right=right), col)
        if left.name == "enum" and left.values != right.values:
            raise GuardError(Text("guard_compare", left=left, right=right), col)
        if not isinstance(op, ast.Eq | ast.NotEq) and left.name not in _ORDERED:
            raise GuardError(Text("guard_equality_only", type=left), col)

    @property
    def body(self) -> ast.expr:
        """The checked expression's tree (what :mod:`pathways.explain` walks)."""
        return self._tree.body

    @property
    def vocabulary(self) -> Mapping[str, Type]:
        return self._vocabulary

    def part_value(self, node: ast.AST, values: Mapping[str, Any]) -> Any:
        """The value of one node of :attr:`body`; raises :class:`GuardUnknown` for a missing value."""
        return self._eval(node, values)

    # -- evaluation ----------------------------------------------------------------------------

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        """Evaluate with ``values`` for the names; raises :class:`GuardUnknown` for a missing value."""
        return bool(self.value(values))

    def value(self, values: Mapping[str, Any]) -> Any:
        """The expression's value (a number for effect expressions); see :meth:`evaluate`."""
        return _bounded(self._eval(self._tree.body, values))

    def _eval(self, node: ast.AST, values: Mapping[str, Any]) -> Any:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                if name in self._vocabulary:
                    value = values.get(name)
                    if value is None:
                        raise GuardUnknown(name)
                    return Cefr[value] if self._vocabulary[name] == CEFR and isinstance(value, str) else value
                return _CONSTANTS[name][1]
            case ast.BoolOp(op=ast.And(), values=items):
                return all(self._eval(v, values) for v in items)
            case ast.BoolOp(values=items):
                return any(self._eval(v, values) for v in items)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return not self._eval(operand, values)
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                value = self._eval(operand, values)
                return value.negated() if isinstance(value, Period) else -value
            case ast.UnaryOp(operand=operand):
                return self._eval(operand, values)
            case ast.BinOp(left=left, op=op, right=right):
                return self._arith(op, self._eval(left, values), self._eval(right, values))
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                current = self._eval(left, values)
                for cmp, right_node in zip(ops, comparators, strict=True):
                    right = self._eval(right_node, values)
                    if not self._compare(cmp, current, right):
                        return False
                    current = right
                return True
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                return [self._eval(e, values) for e in elts]
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return self._eval(body if self._eval(test, values) else orelse, values)
            case ast.Call(func=ast.Name(id=name), args=args):
                result = FUNCTIONS[name][2](*(self._eval(a, values) for a in args))
                return _bounded(result)
        raise GuardError(Text("guard_cannot_evaluate", node=type(node).__name__))  # unreachable after _check

    @staticmethod
    def _arith(op: ast.operator, left: Any, right: Any) -> Any:
        if isinstance(left, date) and isinstance(right, date):
            return Period(days=(left - right).days)
        if isinstance(left, date) or isinstance(right, date):
            day, period = (left, right if isinstance(op, ast.Add) else right.negated()) if isinstance(left, date) \
                else (right, left)
            try:
                return period.add_to(day)
            except (OverflowError, ValueError):
                raise GuardError(Text("guard_outside_calendar", day=day, period=period)) from None
        try:
            result = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                      ast.Div: operator.truediv, ast.Mod: operator.mod}[type(op)](left, right)
        except ZeroDivisionError:
            raise GuardError(Text("guard_division_by_zero")) from None
        return _bounded(result)

    @staticmethod
    def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
        if isinstance(op, ast.In):
            return left in right
        if isinstance(op, ast.NotIn):
            return left not in right
        if isinstance(left, Period):
            left, right = left.approx_days, right.approx_days
        return _COMPARE[type(op)](left, right)


def _bounded(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise GuardError(Text("guard_number_grew", limit=f"{MAX_NUMBER:g}"))
    return value
