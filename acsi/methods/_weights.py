"""Validation of attribute weights shared by the toolkit methods (fuzzy evaluation, SERVQUAL)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MethodError

__all__ = ["checked_weights"]


def checked_weights(w: pd.Series, names: list, *, label: str, normalize: bool, atol: float,
                    noun: str = "entries", hint: str = "") -> pd.Series:
    """Weights as a Series indexed by ``names``: finite, non-negative, summing to 1.

    ``w`` is a Series keyed by name (callers turn sequences into one, each with its
    own length message).  With ``normalize=True`` the weights are divided by their
    sum; otherwise a sum further than ``atol`` from 1 is an error that suggests
    ``normalize=True``.  ``label`` starts every message (e.g. ``"fuzzy: weights A"``);
    ``noun`` names what is weighted.
    """
    w = w.astype(float)
    missing = [n for n in names if n not in w.index]
    extra = [n for n in w.index if n not in names]
    if missing or extra:
        raise MethodError(f"{label}: weights missing for {missing}, unknown {noun} {extra}; "
                          f"give one weight for each of {names}.")
    w = w.loc[names]
    if not np.all(np.isfinite(w)) or (w < 0).any():
        raise MethodError(f"{label}: weights must be finite and non-negative; got {w.to_dict()}.")
    total = float(w.sum())
    if normalize:
        if total <= 0:
            raise MethodError(f"{label}: weights sum to {total}; cannot normalise.")
        return w / total
    if abs(total - 1.0) > atol:
        raise MethodError(f"{label}: weights sum to {total:.6g}, not 1 (atol={atol:g}); "
                          f"pass normalize=True to divide them by their sum{hint}.")
    return w
