"""lavaan model syntax: a tokenizer and parser into :class:`Statement` objects.

The accepted language is lavaan 0.6-14's (``lavParseModelString``, ``lav_syntax_parse_rhs``,
``lav_syntax_get_modifier``), minus what acsi cannot estimate, which is refused by name:

* statements ``lhs op rhs`` with ``op`` one of ``=~`` (measured by), ``~`` (regressed on),
  ``~~`` (covaries with), ``~ 1`` (intercept), and the constraints ``:=`` (defined
  parameter), ``==``, ``<``, ``>`` between expressions of labels;
* statements end at a newline or ``;``; a line without an operator continues the statement
  before it (so ``+`` at the end of a line, or at the start of the next, both work);
  ``#`` and ``!`` start a comment; several left-hand sides (``y1 + y2 ~ x``) give one
  statement each;
* a term is ``[modifier*]name``; modifiers: a number (fixed value, ``0.8*x``, ``-1*x``),
  ``NA`` (free, ``NA*x``), a label (``a*x``, ``"a"*x``, ``label("a")*x``,
  ``equal("a")*x``), a start value (``start(0.5)*x`` or ``0.5?x``), and a vector with one
  value per group (``c(0.5, NA)*x``, ``c(a1, a2)*x``). Several modifiers on one term are
  written by repeating the term (``a*x + start(0.5)*x``), as lavaan allows.
* ``y ~ 1`` is an intercept (``y ~ 0`` an intercept fixed at 0, ``y ~ a*1`` a labelled one).

Refused with the line, the column and the construct: ``<~`` (formative), ``|``
(thresholds), ``~*~`` (scaling), ``%`` (group weights), block syntax (``group: 1``),
``efa()``, ``lower()``/``upper()`` bounds, ``prior()``, ``rv()``, interaction terms
(``x1:x2``), chained modifiers (``a*b*x``), unknown modifiers and names that are not
variable names. Unlike lavaan, which deletes every space, ``x1 x2`` (a missing ``+``) is an
error rather than the variable ``x1x2``.

Equivalent R: ``lavaan::lavParseModelString(text)``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..errors import SpecError

__all__ = [
    "CONSTRAINT_OPS", "MODEL_OPS", "Statement", "expression_names", "format_statements", "implied_statements",
    "merge_statements", "parse_syntax", "statement_key", "syntax_error",
]

#: Operators of parameter statements (``~1`` is the intercept form of ``~``).
MODEL_OPS = ("=~", "~", "~~", "~1")
#: Operators of constraint statements (``lhs``/``rhs`` are expressions).
CONSTRAINT_OPS = (":=", "==", "<", ">")

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
RESERVED = frozenset(
    "if else repeat while function for in next break TRUE FALSE NULL Inf NaN NA NA_integer_ NA_real_ "
    "NA_character_ NA_complex_".split()
)
# functions lavaan's constraint expressions may call (R's arithmetic and math functions)
FUNCTIONS = frozenset("abs sqrt exp log log10 log2 sin cos tan asin acos atan sinh cosh tanh pnorm qnorm min max".split())

_NA = math.nan


def _norm(values):
    """Tuples with the NaN singleton for NA, so that equal statements compare equal."""
    if values is None:
        return None
    out = []
    for v in values:
        if isinstance(v, float) and math.isnan(v):
            out.append(_NA)
        else:
            out.append(v)
    return tuple(out)


@dataclass(frozen=True)
class Statement:
    """One parsed term of a model statement, or one constraint.

    Attributes
    ----------
    lhs, op, rhs : str
        ``op`` is ``=~``, ``~``, ``~~``, ``~1`` (``rhs`` empty), or a constraint operator
        (``:=``, ``==``, ``<``, ``>``; ``lhs``/``rhs`` the expression texts without spaces).
    fixed : tuple of float, optional
        Fixed value(s) (NaN = ``NA``, free); one value, or one per group.
    start : tuple of float, optional
        Start value(s).
    label : tuple of str, optional
        Label(s) ("" = no label in that group).
    line, column : int
        1-based position of the term in the source (0 when generated); not compared.
    """

    lhs: str
    op: str
    rhs: str
    fixed: tuple[float, ...] | None = None
    start: tuple[float, ...] | None = None
    label: tuple[str, ...] | None = None
    line: int = field(default=0, compare=False)
    column: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed", _norm(self.fixed))
        object.__setattr__(self, "start", _norm(self.start))
        if self.label is not None:
            object.__setattr__(self, "label", tuple(str(x) for x in self.label))

    @property
    def is_constraint(self) -> bool:
        return self.op in CONSTRAINT_OPS

    @property
    def modified(self) -> bool:
        """True when the term carries a modifier (value, start or label)."""
        return self.fixed is not None or self.start is not None or self.label is not None

    def terms(self) -> list[str]:
        """The right-hand-side terms that write this statement in lavaan syntax."""
        target = "1" if self.op == "~1" else self.rhs
        out = []
        if self.fixed is not None:
            out.append(f"{_vector(self.fixed, _num)}*{target}")
        if self.label is not None:
            out.append(f"{_vector(self.label, _lab)}*{target}")
        if self.start is not None:
            out.append(f"start({', '.join(_num(v) for v in self.start)})*{target}")
        return out or [target]

    def to_lavaan(self) -> str:
        """This statement alone in lavaan syntax."""
        if self.is_constraint:
            return f"{self.lhs} {self.op} {self.rhs}"
        op = "~" if self.op == "~1" else self.op
        return f"{self.lhs} {op} {' + '.join(self.terms())}"


def _num(v: float) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "NA"
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def _lab(v: str) -> str:
    if v == "":
        return "NA"
    return v if IDENT.match(v) and v not in RESERVED else '"' + v.replace('"', "") + '"'


def _vector(values, fmt) -> str:
    if len(values) == 1:
        return fmt(values[0])
    if fmt is _lab:
        return "c(" + ", ".join('"' + v + '"' if v else "NA" for v in values) + ")"
    return "c(" + ", ".join(fmt(v) for v in values) + ")"


def format_statements(statements) -> str:
    """lavaan syntax for ``statements``: consecutive terms with the same ``lhs op`` share a line."""
    lines: list[str] = []
    key = None
    for s in statements:
        if s.is_constraint:
            lines.append(s.to_lavaan())
            key = None
            continue
        k = (s.lhs, "~" if s.op == "~1" else s.op)
        if k == key:
            lines[-1] += " + " + " + ".join(s.terms())
        else:
            lines.append(s.to_lavaan())
            key = k
    return "\n".join(lines) + ("\n" if lines else "")


def statement_key(s: Statement) -> tuple[str, str, str]:
    """The parameter a statement writes (``a ~~ b`` and ``b ~~ a`` are one)."""
    if s.op == "~~":
        a, b = sorted((s.lhs, s.rhs))
        return a, "~~", b
    return s.lhs, s.op, s.rhs


def implied_statements(spec) -> tuple[Statement, ...]:
    """The statements implied by a spec's latents, paths and covariances.

    The order of :meth:`ModelSpec.to_lavaan`: the loadings of each latent, the regressions
    of each outcome (latents, then observed variables, then any other outcome; predictors in
    path order), the covariances.
    """
    out = [Statement(lv.id, "=~", it) for lv in spec.latents for it in lv.item_ids]
    nodes = [lv.id for lv in spec.latents] + [o.id for o in spec.observed]
    nodes += [b for _, b in spec.paths if b not in nodes]
    for node in dict.fromkeys(nodes):
        out.extend(Statement(node, "~", a) for a, b in spec.paths if b == node)
    out.extend(Statement(a, "~~", b) for a, b in spec.covariances)
    return tuple(out)


def merge_statements(implied, block) -> list[Statement]:
    """A TOML model's statements: the implied ones the ``syntax`` block does not restate, then
    the block's (a restated statement takes the block's position and modifiers)."""
    keys = {statement_key(s) for s in block}
    return [s for s in implied if statement_key(s) not in keys] + list(block)


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------
def syntax_error(source: str, text: str | None, line: int | None, col: int | None, msg: str) -> SpecError:
    """A SpecError naming source and line, quoting the line with a caret under ``col`` (1-based)."""
    loc = f"{source}, line {line}" if line else source
    out = f"{loc}: {msg}"
    if text is not None and line:
        lines = text.splitlines()
        if 0 < line <= len(lines):
            out += f"\n    {lines[line - 1]}"
            if col:
                out += "\n    " + " " * (col - 1) + f"^ (column {col})"
    return SpecError(out)


# --------------------------------------------------------------------------------------
# tokenizer
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tok:
    kind: str  # NAME NUMBER STRING OP PLUS STAR QMARK LPAR RPAR COMMA MINUS SLASH CARET
    text: str
    line: int
    col: int  # 1-based


_OPS = ("~*~", "=~", "<~", "~~", "==", ":=", "~", "<", ">", ":", "|", "%")
_SIMPLE = {"+": "PLUS", "*": "STAR", "?": "QMARK", "(": "LPAR", ")": "RPAR", ",": "COMMA", "-": "MINUS",
           "/": "SLASH", "^": "CARET"}
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")


class _Source:
    def __init__(self, text: str, source: str):
        self.text, self.source = text, source

    def error(self, tok_or_pos, msg: str) -> SpecError:
        if isinstance(tok_or_pos, _Tok):
            return syntax_error(self.source, self.text, tok_or_pos.line, tok_or_pos.col, msg)
        line, col = tok_or_pos
        return syntax_error(self.source, self.text, line, col, msg)


def _tokenize_line(src: _Source, code: str, ln: int) -> list[_Tok | None]:
    """Tokens of one line (``None`` marks a ``;``)."""
    out: list[_Tok | None] = []
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        col = i + 1
        if ch in " \t\r\f\v":
            i += 1
            continue
        if ch == ";":
            out.append(None)
            i += 1
            continue
        if ch == "\u02dc":  # lavaan reads the small tilde as '~'
            code = code[:i] + "~" + code[i + 1:]
            ch = "~"
        op = next((o for o in _OPS if code.startswith(o, i)), None)
        if op is not None:
            out.append(_Tok("OP", op, ln, col))
            i += len(op)
            continue
        if ch == "=":
            raise src.error((ln, col), "'=' is not a lavaan operator; use '=~' (measured by) or '==' (equality constraint)")
        if ch in "\"'":
            end = code.find(ch, i + 1)
            if end < 0:
                raise src.error((ln, col), f"unterminated string: a {ch} without its closing {ch}")
            out.append(_Tok("STRING", code[i + 1:end], ln, col))
            i = end + 1
            continue
        m = _NUMBER.match(code, i)
        if m and (ch.isdigit() or (ch == "." and i + 1 < n and code[i + 1].isdigit())):
            j = m.end()
            if j < n and (code[j].isalpha() or code[j] in "_."):
                k = j
                while k < n and (code[k].isalnum() or code[k] in "_."):
                    k += 1
                raise src.error((ln, col), f"{code[i:k]!r} is not a variable name")
            out.append(_Tok("NUMBER", m.group(0), ln, col))
            i = j
            continue
        m = _NAME.match(code, i)
        if m:
            out.append(_Tok("NAME", m.group(0), ln, col))
            i = m.end()
            continue
        if ch in _SIMPLE:
            out.append(_Tok(_SIMPLE[ch], ch, ln, col))
            i += 1
            continue
        raise src.error((ln, col), f"unexpected character {ch!r}")
    return out


def _statements(src: _Source) -> list[list[_Tok]]:
    """Token lists of the statements: split at newlines and ';', continuation lines joined."""
    pieces: list[list[_Tok]] = []
    for ln, raw in enumerate(src.text.splitlines(), start=1):
        code = re.split(r"[#!]", raw, maxsplit=1)[0]
        current: list[_Tok] = []
        for tok in _tokenize_line(src, code, ln):
            if tok is None:
                pieces.append(current)
                current = []
            else:
                current.append(tok)
        pieces.append(current)
    statements: list[list[_Tok]] = []
    for piece in pieces:
        if not piece:
            continue
        has_op = any(t.kind == "OP" for t in piece)
        if has_op or not statements:
            if not has_op:
                raise src.error(piece[0], "no operator found; a statement needs one of '=~', '~', '~~', ':=', '==', '<', '>'")
            statements.append(list(piece))
        else:
            statements[-1].extend(piece)
    return statements


# --------------------------------------------------------------------------------------
# parser
# --------------------------------------------------------------------------------------
_UNSUPPORTED_OPS = {
    "<~": "formative (composite) latent variables ('<~') are not supported; measure the construct with '=~'",
    "~*~": "scaling factors ('~*~') of ordinal variables are not supported",
    "|": "thresholds ('|') of ordinal variables are not supported; acsi treats answers as continuous",
    "%": "group weights ('%') are not supported",
    ":": "block syntax ('group: 1', 'level: 1') is not supported; write one model and pass groups=[...] "
         "with group_equal=[...] to build_partable for a multigroup model",
}


def _split(tokens: list[_Tok], kind: str) -> list[list[_Tok]]:
    """Split at top-level tokens of ``kind`` (outside parentheses)."""
    parts: list[list[_Tok]] = [[]]
    depth = 0
    for t in tokens:
        if t.kind == "LPAR":
            depth += 1
        elif t.kind == "RPAR":
            depth -= 1
        if t.kind == kind and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def _variable(src: _Source, tok: _Tok, what: str) -> str:
    if tok.kind != "NAME" or not IDENT.match(tok.text) or tok.text in RESERVED:
        raise src.error(tok, f"{tok.text!r} is not a variable name ({what}); names are letters, digits, '_' and '.', "
                             "starting with a letter or '_', and not an R reserved word")
    return tok.text


def _number(src: _Source, toks: list[_Tok]) -> float | None:
    """A signed number or NA from ``toks``; None if ``toks`` is not one."""
    if len(toks) == 1 and toks[0].kind == "NAME" and toks[0].text == "NA":
        return _NA
    sign = 1.0
    if toks and toks[0].kind in ("MINUS", "PLUS"):
        sign = -1.0 if toks[0].kind == "MINUS" else 1.0
        toks = toks[1:]
    if len(toks) == 1 and toks[0].kind == "NUMBER":
        return sign * float(toks[0].text)
    return None


def _args(src: _Source, name: _Tok, toks: list[_Tok]) -> list[list[_Tok]]:
    """Arguments of ``name(...)``: ``toks`` starts at the '('."""
    if not toks or toks[0].kind != "LPAR" or toks[-1].kind != "RPAR":
        raise src.error(name, f"{name.text}(...) is not written as a call")
    inner = toks[1:-1]
    depth = 0
    for t in inner:
        depth += t.kind == "LPAR"
        depth -= t.kind == "RPAR"
        if depth < 0:
            raise src.error(t, "unbalanced parentheses")
    if not inner:
        return []
    return _split(inner, "COMMA")


def _flat_values(src: _Source, name: _Tok, toks: list[_Tok]) -> list:
    """Values of a call's arguments (numbers, NA, strings, bare names; ``c(...)`` flattened)."""
    values = []
    for arg in _args(src, name, toks):
        if not arg:
            raise src.error(name, f"empty argument in {name.text}(...)")
        if arg[0].kind == "NAME" and arg[0].text == "c" and len(arg) > 1 and arg[1].kind == "LPAR":
            values.extend(_flat_values(src, arg[0], arg[1:]))
            continue
        num = _number(src, arg)
        if num is not None:
            values.append(num)
        elif len(arg) == 1 and arg[0].kind == "STRING":
            values.append(("str", arg[0].text))
        elif len(arg) == 1 and arg[0].kind == "NAME":
            values.append(("name", arg[0].text))
        else:
            raise src.error(arg[0], f"cannot read argument {''.join(t.text for t in arg)!r} of {name.text}(...)")
    return values


_MOD_HELP = ("modifiers are a value (0.8*x), NA*x (free), a label (a*x), start(0.5)*x, equal(\"a\")*x, "
             "label(\"a\")*x, or c(...)*x with one of these per group")


def _modifier(src: _Source, toks: list[_Tok]) -> dict:
    """One modifier (the tokens before '*') -> {"fixed"|"start"|"label": tuple}."""
    first = toks[0]
    num = _number(src, toks)
    if num is not None:
        return {"fixed": (num,)}
    if len(toks) == 1 and first.kind == "STRING":
        return {"label": (first.text,)}
    if len(toks) == 1 and first.kind == "NAME":
        if first.text in RESERVED:
            raise src.error(first, f"{first.text!r} is not a modifier; {_MOD_HELP}")
        return {"label": (first.text,)}
    if first.kind == "NAME" and len(toks) > 1 and toks[1].kind == "LPAR":
        fn = first.text
        if fn in ("lower", "upper"):
            raise src.error(first, f"bounds ({fn}()) are not supported; label the parameter and add a constraint "
                                   "such as 'a > 0'")
        if fn == "prior":
            raise src.error(first, "priors (prior()) belong to Bayesian SEM (blavaan) and are not supported")
        if fn == "rv":
            raise src.error(first, "random slopes (rv()) are not supported")
        if fn == "efa":
            raise src.error(first, "efa() blocks (exploratory factor analysis) are not supported")
        if fn not in ("start", "equal", "label", "c"):
            raise src.error(first, f"unknown modifier {fn}(); {_MOD_HELP}")
        values = _flat_values(src, first, toks[1:])
        if not values:
            raise src.error(first, f"{fn}() needs at least one value")
        if fn == "start":
            if any(isinstance(v, tuple) for v in values):
                raise src.error(first, "start() takes numbers (or NA), e.g. start(0.5)")
            return {"start": tuple(values)}
        if fn in ("equal", "label"):
            labels = []
            for v in values:
                if isinstance(v, tuple) and v[0] == "str":
                    labels.append(v[1])
                elif isinstance(v, float) and math.isnan(v) and fn == "label":
                    labels.append("")
                else:
                    raise src.error(first, f'{fn}() takes quoted labels, e.g. {fn}("a")')
            return {"label": tuple(labels)}
        # c(...): numbers/NA are fixed values, names/strings (NA = no label) labels
        nums = [v for v in values if not isinstance(v, tuple)]
        labs = [v for v in values if isinstance(v, tuple)]
        if not labs:
            return {"fixed": tuple(values)}
        if any(not math.isnan(v) for v in nums):
            raise src.error(first, "c(...) mixes values and labels; use c(...) for values and another c(...) for "
                                   "labels, repeating the term: c(1, NA)*x + c(a1, a2)*x")
        return {"label": tuple("" if not isinstance(v, tuple) else v[1] for v in values)}
    if first.kind in ("STAR",):
        raise src.error(first, f"empty modifier before '*'; {_MOD_HELP}")
    raise src.error(first, f"unknown modifier {''.join(t.text for t in toks)!r}; {_MOD_HELP}")


def _expression(src: _Source, toks: list[_Tok], what: str) -> str:
    """Validate a constraint expression and return it without spaces (lavaan's form)."""
    expect_operand = True
    depth = 0
    k = 0
    while k < len(toks):
        t = toks[k]
        if expect_operand:
            if t.kind in ("MINUS", "PLUS"):
                k += 1
                continue
            if t.kind == "LPAR":
                depth += 1
                k += 1
                continue
            if t.kind == "NUMBER":
                expect_operand = False
            elif t.kind == "NAME" and k + 1 < len(toks) and toks[k + 1].kind == "LPAR":
                if t.text not in FUNCTIONS:
                    raise src.error(t, f"unknown function {t.text}() in {what}; allowed: {', '.join(sorted(FUNCTIONS))}")
                depth += 1
                k += 2
                continue
            elif t.kind in ("NAME", "STRING"):
                expect_operand = False
            else:
                raise src.error(t, f"unexpected {t.text!r} in {what}")
        else:
            if t.kind in ("PLUS", "MINUS", "STAR", "SLASH", "CARET"):
                expect_operand = True
            elif t.kind == "RPAR":
                depth -= 1
                if depth < 0:
                    raise src.error(t, f"unbalanced ')' in {what}")
            elif t.kind == "COMMA" and depth > 0:
                expect_operand = True
            else:
                raise src.error(t, f"unexpected {t.text!r} in {what} (a '+', '-', '*', '/' or '^' is missing?)")
        k += 1
    if expect_operand or depth:
        raise src.error(toks[-1], f"{what} is incomplete")
    return "".join(t.text for t in toks)


def expression_names(expr: str) -> list[str]:
    """Names an expression refers to (labels, defined parameters, ``.pN.``), functions excluded."""
    out = []
    for m in re.finditer(r"[A-Za-z_.][A-Za-z0-9_.]*(\()?", expr):
        name = m.group(0)
        if name.endswith("(") or re.fullmatch(r"\.?\d.*", name):
            continue
        out.append(name)
    return out


def parse_syntax(text: str, *, source: str = "<string>") -> tuple[Statement, ...]:
    """Parse lavaan model syntax into statements (one per term and left-hand side).

    Repeated terms of one statement merge their modifiers (``a*x + start(1)*x``); the same
    modifier twice, or the same parameter in two statements, is an error (lavaan:
    "duplicate model element"). ``b ~~ a`` is kept as written (the parameter table orients
    covariances).

    Examples
    --------
    >>> [s.to_lavaan() for s in parse_syntax("y ~ a*x + NA*z; ind := a*2")]
    ['y ~ a*x', 'y ~ NA*z', 'ind := a*2']
    """
    src = _Source(text, source)
    out: list[Statement] = []
    seen: dict[tuple[str, str, str], Statement] = {}
    for toks in _statements(src):
        ops = [k for k, t in enumerate(toks) if t.kind == "OP"]
        main = [k for k in ops if toks[k].text != ":"]
        colons = [k for k in ops if toks[k].text == ":"]
        if main and colons:
            raise src.error(toks[colons[0]], "interaction terms ('x1:x2') are not supported; compute the product "
                                             "column in the data and use it as a variable")
        if len(main) > 1:
            a, b = toks[main[0]], toks[main[1]]
            raise src.error(b, f"two operators in one statement ({a.text!r} and {b.text!r}): end the first "
                               "statement with a newline or ';'")
        k = (main or colons)[0]
        op_tok = toks[k]
        op = op_tok.text
        if op in _UNSUPPORTED_OPS:
            raise src.error(op_tok, _UNSUPPORTED_OPS[op])
        lhs_toks, rhs_toks = toks[:k], toks[k + 1:]
        if not lhs_toks:
            raise src.error(op_tok, f"nothing on the left of {op!r}")
        if not rhs_toks:
            raise src.error(op_tok, f"nothing on the right of {op!r}")
        if op in CONSTRAINT_OPS:
            if op == ":=":
                if len(lhs_toks) != 1:
                    raise src.error(lhs_toks[0], "the left-hand side of ':=' is the name of the defined parameter")
                lhs = _variable(src, lhs_toks[0], "name of a defined parameter")
            else:
                lhs = _expression(src, lhs_toks, f"left-hand side of {op!r}")
            rhs = _expression(src, rhs_toks, f"right-hand side of {op!r}")
            out.append(Statement(lhs, op, rhs, line=lhs_toks[0].line, column=lhs_toks[0].col))
            continue
        # lhs names
        lhs_names = []
        for part in _split(lhs_toks, "PLUS"):
            if not part:
                raise src.error(op_tok, f"empty name on the left of {op!r}")
            if len(part) > 1 and part[0].kind == "NAME" and part[0].text == "efa":
                raise src.error(part[0], "efa() blocks (exploratory factor analysis) are not supported")
            if len(part) > 1 and any(t.kind == "STAR" for t in part):
                raise src.error(part[0], "modifiers belong on the right-hand side of the operator")
            if len(part) != 1:
                raise src.error(part[1], f"the left of {op!r} must be variable names joined by '+'")
            lhs_names.append((_variable(src, part[0], f"left-hand side of {op!r}"), part[0]))
        # rhs terms
        parts = _split(rhs_toks, "PLUS")
        if parts and not parts[0] and len(parts) > 1:
            parts = parts[1:]  # a leading '+' (continuation written at the start of a line)
        terms: dict[str, dict] = {}
        order: list[str] = []
        for part in parts:
            if not part:
                raise src.error(op_tok, f"empty term on the right-hand side of {op!r} (two '+' in a row, or a "
                                        "'+' at the end)")
            stars = _split(part, "STAR")
            qmarks = _split(part, "QMARK")
            mods: dict = {}
            if len(stars) > 2:
                raise src.error(part[0], "several modifiers chained on one term ('a*b*x'): repeat the term instead, "
                                         "as in 'a*x + start(0.5)*x'")
            if len(stars) == 2:
                if any(t.kind == "QMARK" for t in part):
                    raise src.error(part[0], "a term takes '*' or '?', not both")
                if not stars[0]:
                    raise src.error(part[0], f"empty modifier before '*'; {_MOD_HELP}")
                mods = _modifier(src, stars[0])
                target = stars[1]
            elif len(qmarks) == 2:
                value = _number(src, qmarks[0])
                if value is None:
                    raise src.error(part[0], "'v?x' gives a start value: v must be a number")
                mods = {"start": (value,)}
                target = qmarks[1]
            else:
                target = part
            if len(target) != 1:
                bad = target[1] if len(target) > 1 else part[-1]
                if len(target) > 1 and target[0].kind == "NAME" and target[1].kind == "NAME":
                    raise src.error(target[1], f"'{target[0].text} {target[1].text}': a '+' is missing between "
                                               "the two names")
                raise src.error(bad, f"cannot read the term {''.join(t.text for t in part)!r}")
            tt = target[0]
            if tt.kind == "NUMBER":
                value = float(tt.text)
                if op != "~" or value not in (0.0, 1.0):
                    raise src.error(tt, f"{tt.text!r} is not a variable name" + (
                        "; '~ 1' (an intercept) is the only number a term can be" if op == "~" else ""))
                name = ""
                if value == 0.0:
                    if "fixed" in mods:
                        raise src.error(tt, "'~ 0' already fixes the intercept at 0")
                    mods = dict(mods, fixed=(0.0,))
            else:
                name = _variable(src, tt, f"term of {op!r}")
            if op == "=~" and name in [n for n, _ in lhs_names]:
                raise src.error(tt, f"latent variable {name!r} cannot be measured by itself")
            if name in terms:
                prev = terms[name]
                if not mods:
                    raise src.error(tt, f"{name or '1'!r} appears twice on the right-hand side of {op!r}")
                for key, val in mods.items():
                    if key in prev["mods"]:
                        raise src.error(part[0], f"two {'values' if key == 'fixed' else key + 's'} for "
                                            f"{name or '1'!r} in one statement; give one")
                    prev["mods"][key] = val
            else:
                terms[name] = {"tok": part[0], "mods": dict(mods)}
                order.append(name)
        for lhs, lhs_tok in lhs_names:
            for name in order:
                info = terms[name]
                t_op = "~1" if (op == "~" and name == "") else op
                if t_op == "~" and name == lhs:
                    raise src.error(info["tok"], f"{lhs!r} is regressed on itself")
                key = (lhs, t_op, name)
                if op == "~~":
                    dup = seen.get(key) or seen.get((name, t_op, lhs))
                else:
                    dup = seen.get(key)
                if dup is not None:
                    raise src.error(info["tok"], f"{_show(lhs, t_op, name)} is already written on line {dup.line}; "
                                                 "write each parameter once (lavaan: duplicate model element)")
                st = Statement(lhs, t_op, name, line=info["tok"].line, column=info["tok"].col, **info["mods"])
                seen[key] = st
                out.append(st)
    return tuple(out)


def _show(lhs: str, op: str, rhs: str) -> str:
    return f"'{lhs} ~ 1'" if op == "~1" else f"'{lhs} {op} {rhs}'"
