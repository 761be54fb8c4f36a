"""lavaan syntax: every operator and modifier, continuation, and every refusal with its line and column."""

from __future__ import annotations

import math
import re

import pytest

from acsi.errors import SpecError
from acsi.spec import parse_lavaan
from acsi.spec.syntax import Statement, format_statements, parse_syntax

NAN = math.nan


def one(text: str) -> Statement:
    (s,) = parse_syntax(text)
    return s


# ---- operators -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, lhs, op, rhs",
    [
        ("F =~ x1", "F", "=~", "x1"),
        ("y ~ x", "y", "~", "x"),
        ("y ~~ x", "y", "~~", "x"),
        ("y ~ 1", "y", "~1", ""),
        ("d := a*b", "d", ":=", "a*b"),
        ("a == b", "a", "==", "b"),
        ("a < 2 * b", "a", "<", "2*b"),
        ("a > 0", "a", ">", "0"),
        ("e := (a + b) / 2 - abs(c)^2", "e", ":=", "(a+b)/2-abs(c)^2"),
        ('a == "b"', "a", "==", "b"),  # lavaan strips the quotes
        ("y \u02dc x", "y", "~", "x"),  # the small tilde reads as '~'
    ],
)
def test_operators(text, lhs, op, rhs):
    s = one(text)
    assert (s.lhs, s.op, s.rhs) == (lhs, op, rhs)
    assert s.fixed is None and s.start is None and s.label is None


# ---- modifiers -------------------------------------------------------------------
@pytest.mark.parametrize(
    "term, fixed, start, label",
    [
        ("0.8*x", (0.8,), None, None),
        ("-0.25*x", (-0.25,), None, None),
        ("1e-3*x", (0.001,), None, None),
        ("NA*x", (NAN,), None, None),
        ("a*x", None, None, ("a",)),
        ('"my a"*x', None, None, ("my a",)),
        ('label("a")*x', None, None, ("a",)),
        ('equal("a")*x', None, None, ("a",)),
        ("start(0.5)*x", None, (0.5,), None),
        ("0.5?x", None, (0.5,), None),
        ("c(0.5, NA)*x", (0.5, NAN), None, None),
        ("c(a1, a2)*x", None, None, ("a1", "a2")),
        ('c("a1", NA)*x', None, None, ("a1", "")),
        ("start(c(1, 2))*x", None, (1.0, 2.0), None),
        ("a*x + start(0.5)*x", None, (0.5,), ("a",)),
        ("0.3*x + b*x", (0.3,), None, ("b",)),
    ],
)
def test_modifiers(term, fixed, start, label):
    s = one(f"y ~ {term}")
    assert (s.lhs, s.op, s.rhs) == ("y", "~", "x")
    assert s.fixed == (None if fixed is None else tuple(NAN if math.isnan(v) else v for v in fixed))
    assert s.start == start and s.label == label


def test_intercept_modifiers():
    assert one("y ~ 0").fixed == (0.0,) and one("y ~ 0").op == "~1"
    assert one("y ~ a*1").label == ("a",)
    assert one("y ~ 0.5*1").fixed == (0.5,)


def test_nan_statements_compare_equal():
    assert one("y ~ NA*x") == one("y ~ NA*x") == Statement("y", "~", "x", fixed=(float("nan"),))


def test_continuation_comments_semicolons_and_several_lhs():
    text = "F =~ x1 +\n  x2   # comment ~ with an operator\n  + x3 ! another\nG =~ z1; G =~ z2\ny1 + y2 ~ F"
    got = [(s.lhs, s.op, s.rhs, s.line) for s in parse_syntax(text)]
    assert got == [("F", "=~", "x1", 1), ("F", "=~", "x2", 2), ("F", "=~", "x3", 3), ("G", "=~", "z1", 4),
                   ("G", "=~", "z2", 4), ("y1", "~", "F", 5), ("y2", "~", "F", 5)]


def test_format_statements_round_trip():
    text = ("F =~ NA*x1 + x2 + 0.8*x3\nF ~~ 1*F\ny ~ a*F + start(0.5)*F + c(0.1, NA)*z\ny ~ m*1\n"
            "ind := a*2\na > 0\nx1 ~~ c(\"v1\", NA)*x2\n")
    st = parse_syntax(text)
    again = parse_syntax(format_statements(st))
    assert again == st
    assert format_statements(st).splitlines()[0] == "F =~ NA*x1 + x2 + 0.8*x3"


# ---- refusals: the line, the column (caret) and the construct ------------------------
def _refused(text: str, line: int, col: int, what: str):
    with pytest.raises(SpecError) as exc:
        parse_lavaan(text)
    msg = str(exc.value)
    assert f"<string>, line {line}: " in msg, msg
    assert re.search(re.escape(what), msg), msg
    src_line = text.splitlines()[line - 1]
    assert f"\n    {src_line}\n    " + " " * (col - 1) + f"^ (column {col})" in msg, msg


BASE = "CS =~ cs1 + cs2 + cs3\nCL =~ cl1 + cl2\n"


@pytest.mark.parametrize(
    "bad, col, what",
    [
        ("F <~ x1 + x2", 3, "formative"),
        ("cs1 | t1 + t2", 5, "thresholds ('|')"),
        ("cs1 ~*~ cs1", 5, "scaling factors"),
        ("group: 1", 6, "block syntax"),
        ("CL ~ cs1:cs2", 9, "interaction terms"),
        ('efa("e")*F1 =~ x1 + x2', 1, "efa() blocks"),
        ("CL ~ lower(0)*CS", 6, "bounds (lower())"),
        ("CL ~ upper(1)*CS", 6, "bounds (upper())"),
        ('CL ~ prior("dnorm(0,1)")*CS', 6, "priors"),
        ('CL ~ rv("r")*CS', 6, "random slopes"),
        ("CL ~ foo(1)*CS", 6, "unknown modifier foo()"),
        ("CL ~ a*b*CS", 6, "several modifiers chained"),
        ("CL ~ CS age", 9, "a '+' is missing"),
        ("CL = CS", 4, "'=' is not a lavaan operator"),
        ("CL ~ 2cs", 6, "'2cs' is not a variable name"),
        ("CL ~ NA", 6, "'NA' is not a variable name"),
        ("CL ~ CS + CS", 11, "appears twice"),
        ("CL ~ a*CS + b*CS", 13, "two labels"),
        ("CL ~ CL", 6, "regressed on itself"),
        ("CL =~ CL", 7, "measured by itself"),
        ("CL ~ CS +", 4, "empty term"),
        ("CL ~ CS + + age", 4, "empty term"),
        ("CL =~ cl3 CS =~ cs4", 14, "two operators in one statement"),
        ('CL ~ "a*CS', 6, "unterminated string"),
        ("CL ~ c(1, a)*CS", 6, "mixes values and labels"),
        ("CL ~ 3", 6, "'3' is not a variable name"),
        ("CL ~ start(a)*CS", 6, "start() takes numbers"),
        ("CL ~ equal(a)*CS", 6, 'equal() takes quoted labels'),
        ("d := a + sqrtx(b)", 10, "unknown function sqrtx()"),
        ("d := a +", 8, "is incomplete"),
        ("a == == b", 6, "two operators"),
        ("CL ~ CS @ 2", 9, "unexpected character '@'"),
        ("CL ~ TRUE*CS", 6, "'TRUE' is not a modifier"),
    ],
)
def test_refused_with_line_and_column(bad, col, what):
    _refused(BASE + bad + "\n", 3, col, what)


def test_line_without_operator_first_is_refused():
    _refused("cs1 + cs2\nCS =~ cs1 + cs2\n", 1, 1, "no operator found")


def test_duplicate_parameter_names_the_first_line():
    _refused(BASE + "CL ~ CS\nCL ~ CS\n", 4, 6, "'CL ~ CS' is already written on line 3")
    _refused(BASE + "cs1 ~~ cs2\ncs2 ~~ cs1\n", 4, 8, "'cs2 ~~ cs1' is already written on line 3")


@pytest.mark.parametrize(
    "bad, line, col, what",
    [
        ("CS =~ cs1 + cs2\ncs1 =~ x1 + x2\n", 2, 1, "'cs1' is an item of 'CS' (line 1)"),
        ("CS =~ cs1 + cs2\nF =~ CS + x1\n", 2, 6, "second-order factors"),
        ("A =~ x1 + x2\nB =~ x2 + x3\n", 2, 6, "item 'x2' is listed under both 'A' and 'B'"),
    ],
)
def test_measurement_refusals(bad, line, col, what):
    with pytest.raises(SpecError) as exc:
        parse_lavaan(bad, headline="A" if bad.startswith("A") else "CS")
    msg = str(exc.value)
    assert f"line {line}: " in msg and what in msg and f"^ (column {col})" in msg, msg


@pytest.mark.parametrize(
    "extra, what",
    [
        ("d := zz*2", "'zz' in 'd := zz*2' is not a label of the model"),
        ("d := a*2\nd := a*3", "parameter 'd' is defined twice"),
        ("CS := a*2", "defined parameter 'CS' has the name of a variable"),
        ("a == q", "'q' in 'a == q' is not a label"),
        ("e := d*2\nd := a", "defined parameters must be defined before they are used"),
    ],
)
def test_constraint_names_must_be_labels(extra, what):
    with pytest.raises(SpecError, match=re.escape(what)):
        parse_lavaan("CS =~ cs1 + cs2\nCL =~ cl1 + cl2\nCL ~ a*CS\n" + extra + "\n")


def test_constraints_may_use_plabels_and_defined_parameters():
    spec = parse_lavaan("CS =~ cs1 + cs2\nCL =~ cl1 + cl2\nCL ~ a*CS\nd := a*2\ne := d + .p2.\n")
    assert spec.defined == ("d", "e") and spec.labels == ("a",)
