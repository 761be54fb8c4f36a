"""Total effects in a recursive structural model (one implementation, used by PLS and the report).

With ``B`` the matrix of direct effects between latents, the total effects (direct plus
every indirect path) are

    T = (I − B)⁻¹ − I = B + B² + B³ + …

(Alwin & Hauser 1975; Bollen 1987, eq. 11), in the orientation of ``B``: if ``B[i, j]`` is
the effect of ``i`` on ``j`` (PLS's ``path_matrix``) so is ``T[i, j]``; if ``B[to, from]``
(lavaan's ``lhs ~ rhs``), then ``T[to, from]``.

Equivalent R: ``solve(diag(m) - B) - diag(m)``; lavaan reports them for labelled paths with
``:=`` definitions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["total_effects", "total_effects_from_estimates"]


def total_effects(B: np.ndarray) -> np.ndarray:
    """``T = (I − B)⁻¹ − I`` for a square matrix of direct effects (same orientation as ``B``).

    >>> B = np.array([[0, 0.5, 0], [0, 0, 0.4], [0, 0, 0]])   # A -> B -> C, B[from, to]
    >>> float(total_effects(B)[0, 2])
    0.2
    """
    B = np.asarray(B, dtype=float)
    eye = np.eye(B.shape[0])
    return np.linalg.inv(eye - B) - eye


def total_effects_from_estimates(est: pd.DataFrame, *, value: str = "est") -> pd.DataFrame:
    """Total effects between latents from a lavaan-style estimates table (its ``~`` rows).

    Parameters
    ----------
    est : DataFrame
        One unit's estimates (``lhs, op, rhs`` and ``value``); ``lhs ~ rhs`` means ``rhs -> lhs``.
    value : str
        Column with the coefficients (``"est"`` unstandardised, ``"std_all"``).

    Returns
    -------
    DataFrame
        ``T.loc[to, from]``: the total effect of ``from`` on ``to``; latents in the order
        they are measured (``=~``), then in the order the paths name them.

    Examples
    --------
    >>> est = pd.DataFrame({"lhs": ["B", "C"], "op": ["~", "~"], "rhs": ["A", "B"], "est": [0.5, 0.4]})
    >>> float(total_effects_from_estimates(est).loc["C", "A"])
    0.2
    """
    lat = list(pd.unique(est.loc[est["op"] == "=~", "lhs"]))
    for col in ("rhs", "lhs"):
        for lv in est.loc[est["op"] == "~", col]:
            if lv not in lat:
                lat.append(lv)
    idx = {lv: i for i, lv in enumerate(lat)}
    B = np.zeros((len(lat), len(lat)))
    for r in est.loc[est["op"] == "~"].itertuples(index=False):
        v = getattr(r, value)
        B[idx[r.lhs], idx[r.rhs]] = float(v) if np.isfinite(v) else 0.0
    return pd.DataFrame(total_effects(B), index=lat, columns=lat)
