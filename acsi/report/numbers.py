"""Number formats of the report and its figures: one place, no ``-0.0``.

Every number the report or a figure prints goes through :func:`fixed` (or a formatter of
:mod:`acsi.report.render` built on it).  A value that rounds to zero is printed without a
sign (``-0.04`` at one decimal is ``0.0``, never ``-0.0``): a minus sign on a zero says the
change went down when the rounded figure cannot say so.

>>> fixed(-0.04, 1), fixed(-0.0004, 3), fixed(-1.26, 1), signed(-0.04, 1), signed(0.26, 1)
('0.0', '0.000', '-1.3', '0.0', '+0.3')
"""

from __future__ import annotations

import numpy as np

__all__ = ["DASH", "bad", "fixed", "signed", "fmt_index", "fmt_se", "fmt_ci", "fmt_coef", "fmt_fit", "fmt_p", "fmt_int",
           "fmt_change", "fmt_pct"]

DASH = "—"


def bad(v) -> bool:
    """True for None, NaN, infinities and values that are not numbers."""
    try:
        return v is None or not np.isfinite(float(v))
    except (TypeError, ValueError):
        return True


def fixed(v, digits: int) -> str:
    """``v`` with ``digits`` decimals; a value that rounds to zero has no sign; missing -> ``—``."""
    if bad(v):
        return DASH
    text = f"{float(v):.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text


def signed(v, digits: int) -> str:
    """``+1.2`` / ``-0.4``; a value that rounds to zero is ``0.0`` (no sign)."""
    text = fixed(v, digits)
    if text == DASH or float(text) == 0.0 or text.startswith("-"):
        return text
    return "+" + text


# ---- the report's formats (acsi.report.render re-exports them)
def fmt_index(v) -> str:
    """0-100 index: one decimal (``55.6``); missing -> ``—``."""
    return fixed(v, 1)


def fmt_se(v) -> str:
    """Standard error of an index: two decimals."""
    return fixed(v, 2)


def fmt_ci(lo, hi) -> str:
    """Interval ``[53.3, 57.8]``."""
    return DASH if bad(lo) or bad(hi) else f"[{fixed(lo, 1)}, {fixed(hi, 1)}]"


def fmt_coef(v) -> str:
    """Coefficients, loadings, R², AVE: three decimals."""
    return fixed(v, 3)


def fmt_fit(v) -> str:
    """Fit measures: three decimals."""
    return fmt_coef(v)


def fmt_p(v) -> str:
    """p-values: three decimals, ``<0.001`` below."""
    if bad(v):
        return DASH
    return "<0.001" if float(v) < 0.001 else fixed(v, 3)


def fmt_int(v) -> str:
    """Counts with thousands separators (``1,234``)."""
    return DASH if bad(v) else f"{int(round(float(v))):,}"


def fmt_change(v) -> str:
    """Signed change of an index: ``+1.2`` / ``-0.4``; one that rounds to zero is ``0.0``."""
    return signed(v, 1)


def fmt_pct(v) -> str:
    """A proportion as a percentage (``0.95`` -> ``95%``, ``0.975`` -> ``97.5%``)."""
    if bad(v):
        return DASH
    x = 100 * float(v)
    return f"{fixed(x, 0)}%" if abs(x - round(x)) < 1e-9 else f"{fixed(x, 1)}%"
