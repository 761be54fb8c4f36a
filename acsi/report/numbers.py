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

__all__ = ["DASH", "bad", "fixed", "signed"]

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
