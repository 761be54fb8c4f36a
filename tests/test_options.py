"""The one option validator (acsi.options), and every declared option of every public function.

``test_every_declared_option_refuses_a_bad_value`` feeds each function declared with
``acsi.options.validate_params`` a value that breaks each declared constraint and checks the
one error class and the one message form.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pytest

from acsi.errors import AcsiError, InvalidParameterError
from acsi.options import (
    DECLARED, Boolean, InstanceOf, Integer, Keys, OneOf, Real, Text, check, check_keys, describe, validate_params,
)

#: Modules whose public functions declare their options (imported so the declarations register).
PUBLIC = ["acsi.fitting", "acsi.bootstrap", "acsi.aggregate", "acsi.report", "acsi.report.plot", "acsi.demo",
          "acsi.tables", "acsi.comparison", "acsi.estimate.multigroup", "acsi.estimate.invariance",
          "acsi.estimate.pls_mga", "acsi.methods.analyses"]
#: Every public entry point must declare its options.
EXPECTED = {"acsi.fit", "bootstrap", "acsi.aggregate", "render_report", "write_report", "path_diagram", "timeseries",
            "league_table", "ipa_chart", "run_demo", "acsi.compare", "fit_groups", "invariance", "pls_mga"}

_CANDIDATES = [object(), "<bad>", -(10**9), 1.5, float("nan"), True, {"<unknown-key>": 1}, ""]


def _declared():
    for name in PUBLIC:
        importlib.import_module(name)
    seen, out = set(), []
    for func, where, spec in DECLARED:
        if id(func) not in seen:
            seen.add(id(func))
            out.append((func, where, spec))
    return out


def _bad_value(constraints):
    """A value that satisfies none of ``constraints`` (None in the tuple allows None)."""
    def ok(v):
        return any((c is None and v is None) or (c is not None and c.ok(v)) for c in constraints)

    for c in constraints:
        if c is not None and not ok(c.bad_value()):
            return c.bad_value()
    return next(v for v in _CANDIDATES if not ok(v))


_GOOD = ["a", 1, 0.5, 2, True, None, ["a", "b"], (1, 10), {}]


def _good_value(constraints):
    """A value that satisfies ``constraints`` (to fill a required argument other than the one tested)."""
    for v in _GOOD:
        if any((c is None and v is None) or (c is not None and c.ok(v)) for c in constraints):
            return v
    return object()


def _cases():
    for func, where, spec in _declared():
        for name, constraints in spec.items():
            yield pytest.param(func, where, name, spec, id=f"{where}:{name}")


def test_every_public_entry_point_declares_its_options():
    wheres = {where for _, where, _ in _declared()}
    assert EXPECTED <= wheres, f"not declared with acsi.options.validate_params: {sorted(EXPECTED - wheres)}"


@pytest.mark.parametrize("func, where, name, spec", list(_cases()))
def test_every_declared_option_refuses_a_bad_value(func, where, name, spec):
    constraints = spec[name]
    bad = _bad_value(constraints)
    sig = inspect.signature(func)
    required = [p for p in sig.parameters.values() if p.default is inspect.Parameter.empty and p.name != name]
    args = [object() for p in required if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    kwargs = {p.name: _good_value(spec[p.name]) if p.name in spec else object()
              for p in required if p.kind == p.KEYWORD_ONLY}
    with pytest.raises(InvalidParameterError) as info:
        func(*args, **kwargs, **{name: bad})
    msg = str(info.value)
    assert msg.startswith(f"The {name!r} parameter of {where} must be {describe(constraints)}. Got ")
    assert msg.endswith(" instead.")
    assert info.value.parameter == name and info.value.where == where
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError) and isinstance(info.value, AcsiError)


# --------------------------------------------------------------------------- the constraints themselves
@pytest.mark.parametrize("constraint, good, bad, text", [
    (OneOf("sem", "pls"), ["sem", "pls"], ["ml", 1, None], "one of ['sem', 'pls']"),
    (Integer(min=2), [2, 10, np.int64(3)], [1, 2.0, True, "3"], "an integer >= 2"),
    (Integer(min=1, max=5), [1, 5], [0, 6], "an integer in [1, 5]"),
    (Integer(nonzero=True), [-1, 4], [0, False], "a non-zero integer"),
    (Real(0, 1, closed="neither"), [0.5, np.float64(0.9)], [0, 1, 1.5, float("nan"), True], "in (0, 1)"),
    (Real(0, None, closed="neither"), [1e-9, 3], [0, -1], "a number > 0"),
    (Real(0, 1), [0, 1], [-0.1, float("inf")], "in [0, 1]"),
    (Boolean(), [True, False, np.bool_(True)], [1, "yes", None], "True or False"),
    (Text(), ["a"], ["", " ", 3], "a non-empty string"),
    (InstanceOf(dict, list), [{}, []], [(), "x"], "an instance of dict or list"),
])
def test_constraints(constraint, good, bad, text):
    assert all(constraint.ok(v) for v in good)
    assert not any(constraint.ok(v) for v in bad)
    assert not constraint.ok(constraint.bad_value())
    assert constraint.describe() == text


def test_check_message_and_none():
    assert check("f", "n", None, None, Integer(min=3)) is None
    with pytest.raises(InvalidParameterError, match=r"^The 'n' parameter of f must be None or an integer >= 3\. "
                                                     r"Got 2 instead\.$"):
        check("f", "n", 2, None, Integer(min=3))
    with pytest.raises(InvalidParameterError, match=r"Got 'xxxxx.*\.\.\. instead"):  # long values are cut
        check("f", "s", "x" * 200, OneOf("a"))


def test_keys_name_the_known_keys_and_check_values():
    spec = Keys({"tol": (Real(0, None, closed="neither"),), "engine": (OneOf("a", "b"),)})
    assert check("f", "options", {"tol": 1e-6}, spec) == {"tol": 1e-6}
    with pytest.raises(InvalidParameterError, match=r"'options' parameter of f has unknown key\(s\) \['tl'\]; "
                                                     r"the known keys are \['tol', 'engine'\]"):
        check("f", "options", {"tl": 1}, spec)
    with pytest.raises(InvalidParameterError, match=r"The \"options\['engine'\]\" parameter of f must be one of"):
        check("f", "options", {"engine": "c"}, spec)
    with pytest.raises(InvalidParameterError, match=r"unknown key\(s\) \['x'\] for PLS; the known keys are \['a'\]"):
        check_keys("f", "options", {"x": 1}, ["a"], context="for PLS")


def test_validate_params_checks_given_arguments_only():
    @validate_params("g", n=Integer(min=1), level=Real(0, 1, closed="neither"))
    def g(x, *, n=3, level=None):
        return x, n, level

    assert g(1) == (1, 3, None)
    assert g(1, level=None) == (1, 3, None)  # the default itself is accepted
    with pytest.raises(InvalidParameterError, match="The 'n' parameter of g must be an integer >= 1. Got 0 instead."):
        g(1, n=0)
    with pytest.raises(TypeError, match="unexpected keyword argument"):  # a wrong name is Python's error
        g(1, m=0)
    assert g.__acsi_options__[0] == "g" and g.__name__ == "g"
