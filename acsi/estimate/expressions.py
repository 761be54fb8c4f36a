"""Arithmetic expressions of parameter labels: the right-hand sides of lavaan's ``:=`` (defined
parameters) and the two sides of ``==``, ``<`` and ``>`` (constraints).

lavaan writes them in R syntax (``a*b``, ``b1 + b2*b3``, ``a^2``, ``exp(a)``, ``.p2.`` for a
parameter's ``plabel``); :func:`compile_expression` turns one into a vectorised numpy function
of the parameter vector, evaluated for a batch of parameter vectors at once (the bootstrap
evaluates defined parameters for every replicate in one call).  Only numbers, names, ``+ - * /
^`` (``**``), unary signs, parentheses and the functions in :data:`FUNCTIONS` are accepted;
anything else is refused naming the expression.

Derivatives (the Jacobian of :func:`jacobian`, for delta-method standard errors and constraint
gradients) use the complex step ``∂f/∂θ_k = Im f(θ + i h e_k) / h`` (exact to rounding for
analytic expressions; Martins, Sturdza & Alonso 2003), as lavaan's
``lav_func_jacobian_complex``; expressions with ``abs``, ``min`` or ``max`` (not analytic) use
central differences ``(f(θ + h e_k) − f(θ − h e_k)) / 2h`` with ``h = 1e-6 max(1, |θ_k|)``,
lavaan's fallback ``lav_func_jacobian_simple``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import numpy as np

from ..errors import SpecError

__all__ = ["FUNCTIONS", "Expression", "compile_expression", "complex_step", "jacobian"]

#: Functions an expression may call (R name -> numpy function).
FUNCTIONS = {
    "exp": np.exp, "log": np.log, "log10": np.log10, "sqrt": np.sqrt, "abs": np.abs,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "atan": np.arctan, "tanh": np.tanh,
    "min": np.minimum, "max": np.maximum, "pmin": np.minimum, "pmax": np.maximum,
}
_NOT_ANALYTIC = {"abs", "min", "max", "pmin", "pmax"}
# R names: letters, digits, '.' and '_', not starting with a digit or '_' ('.p2.' is a plabel)
_NAME = re.compile(r"(?<![0-9A-Za-z._])(\.?[A-Za-z.][A-Za-z0-9._]*|\.[0-9][A-Za-z0-9._]*)")
_NUMBER_LIKE = re.compile(r"^\.[0-9]+$")


@dataclass(frozen=True)
class Expression:
    """A compiled expression: ``names`` it reads (in first-appearance order) and ``fn(env)``,
    ``env`` mapping each name to a value or an array (broadcast together)."""

    text: str
    names: tuple[str, ...]
    analytic: bool
    _code: object

    def __reduce__(self):  # code objects do not pickle: recompile from the text
        return (compile_expression, (self.text,))

    def __call__(self, env: dict) -> np.ndarray:
        scope = {"__builtins__": {}}
        scope.update({f"_f_{k}": v for k, v in FUNCTIONS.items()})
        scope.update({f"_v{i}": env[n] for i, n in enumerate(self.names)})
        return eval(self._code, scope)  # noqa: S307 - the AST was checked node by node


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Load,
            ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)


def compile_expression(text: str, *, where: str = "") -> Expression:
    """Compile the R-syntax expression ``text`` (see the module docstring).

    Raises
    ------
    SpecError
        An empty expression, a syntax error, an operator or function that is not supported.

    Examples
    --------
    >>> e = compile_expression("b1 + b2*b3^2")
    >>> e.names, float(e({"b1": 1.0, "b2": 2.0, "b3": 3.0}))
    (('b1', 'b2', 'b3'), 19.0)
    """
    what = f"{where}: " if where else ""
    src = str(text).strip()
    if not src:
        raise SpecError(f"{what}empty expression; write an expression of parameter labels, e.g. a*b")
    names: list[str] = []

    def repl(m: re.Match) -> str:
        tok = m.group(1)
        if _NUMBER_LIKE.match(tok):  # '.5' is a number
            return tok
        after = src[m.end():].lstrip()
        if after.startswith("("):  # a function call
            if tok not in FUNCTIONS:
                raise SpecError(
                    f"{what}function {tok!r} in the expression {src!r} is not supported; "
                    f"use one of {', '.join(sorted(FUNCTIONS))}"
                )
            return f"_f_{tok}"
        if tok not in names:
            names.append(tok)
        return f"_v{names.index(tok)}"

    py = _NAME.sub(repl, src).replace("^", "**")
    try:
        tree = ast.parse(py, mode="eval")
    except SyntaxError:
        raise SpecError(f"{what}cannot read the expression {src!r}: use numbers, labels, + - * / ^ and parentheses") from None
    calls = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise SpecError(f"{what}the expression {src!r} uses {type(node).__name__}, which is not supported: "
                            "use numbers, labels, + - * / ^, parentheses and the functions "
                            f"{', '.join(sorted(FUNCTIONS))}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                raise SpecError(f"{what}unsupported call in the expression {src!r}")
            calls.add(node.func.id[3:])
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise SpecError(f"{what}the expression {src!r} holds a non-numeric constant {node.value!r}")
    code = compile(tree, "<expression>", "eval")
    return Expression(text=src, names=tuple(names), analytic=not (calls & _NOT_ANALYTIC), _code=code)


def complex_step(theta: np.ndarray, index: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """The complex-step batch at ``theta`` (q,): row ``r`` is ``θ + i h e_k`` for the ``r``-th
    parameter ``k`` of ``index`` (default every parameter: q × q complex), and ``h``; the Jacobian
    of a function ``f`` over those parameters is ``(f(batch).imag / h).T`` (module docstring).
    :func:`jacobian` uses it; a caller that differentiates several functions of the same θ
    (``acsi.estimate.effects.EffectsAt``) builds their shared intermediates on one batch, and
    leaves out the parameters they do not depend on (their columns of the Jacobian are 0)."""
    theta = np.asarray(theta, dtype=float)
    index = np.arange(theta.size) if index is None else np.asarray(index, dtype=np.intp)
    h = 1e-20
    batch = np.tile(theta.astype(complex), (index.size, 1))
    batch[np.arange(index.size), index] += 1j * h
    return batch, h


def jacobian(fn, theta: np.ndarray, *, analytic: bool = True) -> np.ndarray:
    """Jacobian of ``fn`` (maps an (R, q) batch to (R, k)) at ``theta`` (q,): (k, q).

    Complex step when ``analytic`` (:func:`complex_step`), else central differences (module
    docstring).
    """
    theta = np.asarray(theta, dtype=float)
    q = theta.size
    if analytic:
        batch, h = complex_step(theta)
        vals = np.asarray(fn(batch))
        return (vals.imag / h).T
    h = 1e-6 * np.maximum(1.0, np.abs(theta))
    up = np.tile(theta, (q, 1))
    dn = up.copy()
    up[np.arange(q), np.arange(q)] += h
    dn[np.arange(q), np.arange(q)] -= h
    return ((np.asarray(fn(up)) - np.asarray(fn(dn))) / (2.0 * h[:, None])).T
