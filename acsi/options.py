"""The one option validator: choices, numeric ranges, types and the keys of ``options=`` dicts.

Every public function checks its options here, so every bad value raises the same
:class:`~acsi.errors.InvalidParameterError` (an ``AcsiError``, ``ValueError`` and
``TypeError``) with the same message form (scikit-learn's)::

    The 'confidence' parameter of acsi.fit must be in (0, 1). Got 2.0 instead.

A parameter is declared with one or more *constraints* (it is valid when it satisfies any
of them; ``None`` in the list allows ``None``)::

    @validate_params("acsi.fit", estimator=OneOf("sem", "pls"), confidence=Real(0, 1, closed="neither"))
    def fit(data, model="acsi", *, estimator="sem", confidence=0.95): ...

:func:`validate_params` checks the arguments given before the function body runs, and
records the declaration in :data:`DECLARED`, so that one test can feed every public
function a bad value of each declared option (``tests/test_options.py``).  Checks that
depend on several arguments call :func:`check` (or raise :func:`invalid`) in the body.
The raised error carries ``parameter``, ``where``, ``expected`` and ``value`` so that the
command line can name its own flag instead of the Python parameter.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping

from .errors import InvalidParameterError

__all__ = [
    "DECLARED", "JOBS", "Boolean", "Constraint", "Integer", "InstanceOf", "Keys", "OneOf", "Real", "Text",
    "check", "check_keys", "describe", "invalid", "validate_params",
]


class Constraint:
    """A rule a value may satisfy: ``ok(value)``, a description, and a value that breaks it."""

    desc: str = ""

    def ok(self, value) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:
        return self.desc

    def bad_value(self):
        """A value that violates the constraint (used by the generic test)."""
        return object()

    def hint(self, value) -> str:
        """A sentence added to the error for a likely mistake (``95`` meant as a percent); "" if none."""
        return ""


class OneOf(Constraint):
    """One of the listed values (compared with ``==``; ``True`` is not ``1``)."""

    def __init__(self, *values, desc: str = ""):
        self.values, self.desc = tuple(values), desc

    def ok(self, value) -> bool:
        return any(type(value) is type(v) and value == v for v in self.values)

    def describe(self) -> str:
        return f"one of {list(self.values)}" + (f": {self.desc}" if self.desc else "")

    def bad_value(self):
        return "<not-a-choice>"


class Integer(Constraint):
    """An integer (not a bool) within ``[min, max]``; ``nonzero`` excludes 0."""

    def __init__(self, min: int | None = None, max: int | None = None, *, nonzero: bool = False, desc: str = ""):
        self.min, self.max, self.nonzero, self.desc = min, max, nonzero, desc

    def ok(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            return False
        if self.nonzero and value == 0:
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        bounds = {(True, True): f"an integer in [{self.min}, {self.max}]", (True, False): f"an integer >= {self.min}",
                  (False, True): f"an integer <= {self.max}",
                  (False, False): "a non-zero integer" if self.nonzero else "an integer"}
        return self.desc or bounds[(self.min is not None, self.max is not None)]

    def bad_value(self):
        if self.nonzero:
            return 0
        if self.min is not None:
            return self.min - 1
        if self.max is not None:
            return self.max + 1
        return 1.5


class Real(Constraint):
    """A finite real number (not a bool) in an interval; ``closed`` is ``both``, ``neither``, ``left`` or ``right``."""

    def __init__(self, min: float | None = None, max: float | None = None, *, closed: str = "both", desc: str = ""):
        self.min, self.max, self.closed, self.desc = min, max, closed, desc

    def ok(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            return False
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.min is not None and (value < self.min or (value == self.min and not lo_in)):
            return False
        return not (self.max is not None and (value > self.max or (value == self.max and not hi_in)))

    def describe(self) -> str:
        if self.desc:
            return self.desc
        lo = "[" if self.closed in ("both", "left") else "("
        hi = "]" if self.closed in ("both", "right") else ")"
        if self.min is not None and self.max is not None:
            return f"in {lo}{self.min:g}, {self.max:g}{hi}"
        if self.min is not None:
            return f"a number {'>=' if lo == '[' else '>'} {self.min:g}"
        if self.max is not None:
            return f"a number {'<=' if hi == ']' else '<'} {self.max:g}"
        return "a finite number"

    def bad_value(self):
        if self.max is not None:
            return self.max + 1.0
        if self.min is not None:
            return self.min - 1.0
        return float("nan")

    def hint(self, value) -> str:
        """A level in (0, 1) given as a percent (``95``): say so."""
        if (self.min == 0 and self.max == 1 and isinstance(value, numbers.Real) and not isinstance(value, bool)
                and 50 <= value <= 100):
            return f" {value:g} reads as a percent: give {value / 100:g} for {value:g}%."
        return ""


class Boolean(Constraint):
    """``True`` or ``False`` (numpy booleans too)."""

    def ok(self, value) -> bool:
        t = type(value)
        return isinstance(value, bool) or (t.__module__ == "numpy" and t.__name__ in ("bool", "bool_"))

    def describe(self) -> str:
        return "True or False"

    def bad_value(self):
        return "yes"


class Text(Constraint):
    """A string; ``nonempty`` refuses ``""``."""

    def __init__(self, *, nonempty: bool = True, desc: str = ""):
        self.nonempty, self.desc = nonempty, desc

    def ok(self, value) -> bool:
        return isinstance(value, str) and (bool(value.strip()) or not self.nonempty)

    def describe(self) -> str:
        return self.desc or ("a non-empty string" if self.nonempty else "a string")

    def bad_value(self):
        return "" if self.nonempty else 1


class InstanceOf(Constraint):
    """An instance of one of ``types``."""

    def __init__(self, *types: type, desc: str = ""):
        self.types, self.desc = types, desc

    def ok(self, value) -> bool:
        return isinstance(value, self.types)

    def describe(self) -> str:
        if self.desc:
            return self.desc
        names = [t.__name__ for t in self.types]
        return f"an instance of {' or '.join(names)}"

    def bad_value(self):
        return object()


class Keys(Constraint):
    """A mapping whose keys are among ``known`` and whose values satisfy ``values[key]``."""

    def __init__(self, known: Mapping[str, tuple] | Iterable[str], *, context: str = ""):
        self.known = dict(known) if isinstance(known, Mapping) else {k: () for k in known}
        self.context = context

    def ok(self, value) -> bool:
        return isinstance(value, Mapping) and set(value) <= set(self.known)

    def describe(self) -> str:
        return f"a dict with keys among {list(self.known)}"

    def bad_value(self):
        return {"<unknown-key>": 1}


def describe(constraints) -> str:
    """``"None or an integer >= 3"`` for a tuple of constraints (``None`` allows None)."""
    parts = ["None" if c is None else c.describe() for c in constraints]
    return " or ".join(parts)


def _fmt(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def invalid(where: str, name: str, expected: str, value, hint: str = "") -> InvalidParameterError:
    """The error for a bad value: ``The 'name' parameter of where must be expected. Got value instead.``

    ``hint`` (a sentence starting with a space) is appended, and kept as ``exc.hint`` for the
    command line, which words the same error with its own flag.
    """
    exc = InvalidParameterError(
        f"The {name!r} parameter of {where} must be {expected}. Got {_fmt(value)} instead.{hint}")
    exc.parameter, exc.where, exc.expected, exc.value, exc.hint = name, where, expected, value, hint
    return exc


def check(where: str, name: str, value, *constraints):
    """Return ``value`` if it satisfies one of ``constraints`` (``None`` allows None), else raise.

    >>> check("f", "n", 3, Integer(min=2))
    3
    >>> check("f", "n", 1, None, Integer(min=2))
    Traceback (most recent call last):
    ...
    acsi.errors.InvalidParameterError: The 'n' parameter of f must be None or an integer >= 2. Got 1 instead.
    """
    for c in constraints:
        if (c is None and value is None) or (c is not None and c.ok(value)):
            if isinstance(c, Keys):
                for key, cons in c.known.items():
                    if key in value and cons:
                        check(where, f"{name}[{key!r}]", value[key], *cons)
            return value
    keys = next((c for c in constraints if isinstance(c, Keys)), None)
    if keys is not None and isinstance(value, Mapping):
        check_keys(where, name, value, keys.known, context=keys.context)
    hint = next((h for c in constraints if c is not None and (h := c.hint(value))), "")
    raise invalid(where, name, describe(constraints), value, hint)


def check_keys(where: str, name: str, mapping: Mapping, known: Iterable[str], *, context: str = "") -> None:
    """Refuse keys of ``mapping`` that are not in ``known``, naming the known keys."""
    known = list(known)
    unknown = [k for k in mapping if k not in known]
    if unknown:
        ctx = f" {context}" if context else ""
        exc = InvalidParameterError(
            f"The {name!r} parameter of {where} has unknown key(s) {unknown}{ctx}; the known keys are {known}. "
            f"Got {_fmt(dict(mapping))} instead."
        )
        exc.parameter, exc.where, exc.expected, exc.value = name, where, f"a dict with keys among {known}", dict(mapping)
        raise exc


#: The number of local workers everywhere (``n_jobs``, ``--jobs``): -1 for all cores, or a positive count.
JOBS = Integer(min=-1, nonzero=True, desc="-1 (all cores) or a positive number of workers")

#: Every function declared with :func:`validate_params`: ``(function, where, {parameter: constraints})``.
DECLARED: list[tuple[Callable, str, dict]] = []


def validate_params(where: str, **constraints) -> Callable:
    """Decorator: check the declared parameters of every call before the body runs.

    Each keyword names a parameter and gives a constraint or a tuple of constraints
    (``None`` in the tuple allows None).  Parameters left at their defaults, or given the
    default object itself (``level=None`` when the default is None), are not checked.
    """
    spec = {k: (v if isinstance(v, tuple) else (v,)) for k, v in constraints.items()}

    def decorate(func: Callable) -> Callable:
        sig = inspect.signature(func)
        absent = [k for k in spec if k not in sig.parameters]
        defaults = {k: sig.parameters[k].default for k in spec if k in sig.parameters}
        if absent:  # pragma: no cover - a declaration error
            raise TypeError(f"validate_params({where!r}) declares {absent}, which {func.__qualname__} does not take")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError:
                return func(*args, **kwargs)  # let Python report the bad call
            for name, cons in spec.items():
                if name in bound.arguments and bound.arguments[name] is not defaults[name]:
                    check(where, name, bound.arguments[name], *cons)
            return func(*args, **kwargs)

        wrapper.__acsi_options__ = (where, spec)
        DECLARED.append((wrapper, where, spec))
        return wrapper

    return decorate
