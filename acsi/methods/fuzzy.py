"""Multi-level fuzzy comprehensive evaluation (多級模糊綜合評價).

Factor set ``U`` split into subsets ``U_1..U_s`` (each with sub-items), grade set
``V`` (five grades by default: very dissatisfied, dissatisfied, basically
satisfied, satisfied, very satisfied), membership matrix ``R_i`` of subset ``i``
(row = sub-item, column = grade, entry = share of respondents giving that grade),
sub-item weights ``A_i`` and subset weights ``A`` (each summing to one, e.g.
from :func:`acsi.methods.ahp`).  Two-level composition (SPEC §3):

    B_i = A_i ∘ R_i,          B = A ∘ [B_1; ...; B_s],

with the composition operator ``∘`` one of

* ``"M(.,+)"`` weighted average: ``b_j = Σ_k a_k r_kj`` (default; keeps all information);
* ``"M(^,v)"`` Zadeh max-min: ``b_j = max_k min(a_k, r_kj)`` (the classic one).

The final grade vector is ``B`` normalised to sum to one; the grade is the one
of maximum membership (ties: the first, i.e. the lowest grade, reported in
``tie``); the score is ``Σ_j b_j x_j`` with grade points ``x_j`` (default
20, 40, 60, 80, 100 from very dissatisfied to very satisfied).  Between the
levels ``B_i`` is used as computed; pass ``normalize_levels=True`` to normalise
each ``B_i`` first (common with M(^,v)).

References
----------
Zadeh, L. A. (1965). Fuzzy sets. *Information and Control* 8, 338-353.
汪培莊 (Wang Peizhuang) (1983). 模糊集合論及其應用. 上海科學技術出版社 (fuzzy
comprehensive evaluation and the M(·,+) / M(∧,∨) operators).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import MethodError
from ._weights import checked_weights

__all__ = ["DEFAULT_GRADES", "DEFAULT_GRADE_POINTS", "OPERATORS", "FuzzyResult", "membership_from_answers",
           "fuzzy_compose", "fuzzy_evaluate"]

#: Default grade set V, lowest to highest.
DEFAULT_GRADES: tuple[str, ...] = ("very dissatisfied", "dissatisfied", "basically satisfied", "satisfied", "very satisfied")
#: Default grade points, aligned with :data:`DEFAULT_GRADES`.
DEFAULT_GRADE_POINTS: tuple[float, ...] = (20.0, 40.0, 60.0, 80.0, 100.0)
#: Accepted operator names (aliases map to the two canonical names).
OPERATORS: dict[str, str] = {
    "M(.,+)": "M(.,+)", "M(·,+)": "M(.,+)", "M(*,+)": "M(.,+)", "weighted": "M(.,+)", "weighted_average": "M(.,+)",
    "M(^,v)": "M(^,v)", "M(∧,∨)": "M(^,v)", "maxmin": "M(^,v)", "max-min": "M(^,v)", "zadeh": "M(^,v)",
}


def _operator(op: str) -> str:
    key = op if isinstance(op, str) else repr(op)
    canon = OPERATORS.get(key.replace(" ", ""), OPERATORS.get(key.lower().replace(" ", "")))
    if canon is None:
        raise MethodError(f"fuzzy: unknown operator {op!r}; use 'M(.,+)' (weighted average) or 'M(^,v)' (Zadeh max-min).")
    return canon


def membership_from_answers(answers: pd.DataFrame, grades: Sequence = (1, 2, 3, 4, 5),
                            grade_names: Sequence[str] | None = None) -> pd.DataFrame:
    """Membership matrix from raw answers: share of respondents giving each grade.

    Parameters
    ----------
    answers : DataFrame
        Respondents x sub-items, values among ``grades`` (missing answers are
        left out of that item's shares).
    grades : sequence
        Answer codes from the lowest to the highest grade.
    grade_names : sequence of str, optional
        Column names of the result (default :data:`DEFAULT_GRADES` for five grades,
        else the codes as strings).

    Returns
    -------
    DataFrame, sub-items x grades, rows summing to one.

    Examples
    --------
    >>> membership_from_answers(pd.DataFrame({"x": [5, 4, 4, 3]})).loc["x"].tolist()
    [0.0, 0.0, 0.25, 0.5, 0.25]
    """
    if not isinstance(answers, pd.DataFrame) or answers.size == 0:
        raise MethodError("membership_from_answers: the answer table is empty; give respondents x sub-items.")
    grades = list(grades)
    if grade_names is None:
        grade_names = list(DEFAULT_GRADES) if len(grades) == 5 else [str(g) for g in grades]
    if len(grade_names) != len(grades):
        raise MethodError(f"membership_from_answers: {len(grade_names)} grade names for {len(grades)} grades.")
    rows = {}
    for col in answers.columns:
        s = answers[col].dropna()
        bad = s[~s.isin(grades)]
        if len(bad):
            shown = ", ".join(f"row {r!r}: {v!r}" for r, v in zip(bad.index[:10], bad.iloc[:10].tolist()))
            raise MethodError(f"membership_from_answers: item {col!r} has answers outside the grades {grades}: {shown}.")
        if len(s) == 0:
            raise MethodError(f"membership_from_answers: item {col!r} has no answers.")
        counts = s.value_counts()
        rows[col] = [counts.get(g, 0) / len(s) for g in grades]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(grade_names))


def _check_membership(r, name: str, atol: float) -> pd.DataFrame:
    if not isinstance(r, pd.DataFrame):
        r = pd.DataFrame(np.asarray(r, dtype=float))
    if r.size == 0:
        raise MethodError(f"fuzzy: membership matrix {name} is empty.")
    try:
        r = r.astype(float)
    except (TypeError, ValueError):
        raise MethodError(f"fuzzy: membership matrix {name} has non-numeric entries.") from None
    arr = r.to_numpy()
    if not np.all(np.isfinite(arr)) or (arr < -atol).any() or (arr > 1 + atol).any():
        raise MethodError(f"fuzzy: membership matrix {name} must hold shares in [0, 1] without missing values.")
    sums = arr.sum(axis=1)
    bad = [(r.index[i], round(float(sums[i]), 10)) for i in np.where(np.abs(sums - 1.0) > atol)[0]]
    if bad:
        raise MethodError(
            f"fuzzy: rows of membership matrix {name} must sum to 1 (atol={atol:g}); rows (item, sum): {bad}. "
            "Give shares (counts / respondents), e.g. from membership_from_answers()."
        )
    return r


def _check_weights(w, names: list, name: str, *, normalize: bool, atol: float) -> pd.Series:
    if isinstance(w, Mapping):
        w = pd.Series(w, dtype=float)
    elif not isinstance(w, pd.Series):
        arr = np.asarray(w, dtype=float).ravel()
        if len(arr) != len(names):
            raise MethodError(f"fuzzy: weights {name} have {len(arr)} entries for {len(names)} factors {names}.")
        w = pd.Series(arr, index=names)
    return checked_weights(w, names, label=f"fuzzy: weights {name}", normalize=normalize, atol=atol, noun="factors")


def fuzzy_compose(weights, membership, *, operator: str = "M(.,+)", normalize: bool = False,
                  atol: float = 1e-6) -> pd.Series:
    """One-level composition ``B = A ∘ R``.

    Parameters
    ----------
    weights : Series, mapping or sequence
        ``A``, one weight per row of ``membership``, summing to one.
    membership : DataFrame
        ``R``, factors x grades, rows summing to one.
    operator : {"M(.,+)", "M(^,v)"}

    Returns
    -------
    Series indexed by grade (not normalised).

    Examples
    --------
    >>> R = pd.DataFrame([[0.2, 0.8], [0.6, 0.4]], index=["x", "y"], columns=["low", "high"])
    >>> fuzzy_compose([0.5, 0.5], R).round(6).tolist()
    [0.4, 0.6]
    """
    op = _operator(operator)
    r = _check_membership(membership, "R", atol)
    a = _check_weights(weights, list(r.index), "A", normalize=normalize, atol=atol)
    return _compose(a.to_numpy(), r, op)


def _compose(a: np.ndarray, r: pd.DataFrame, op: str) -> pd.Series:
    m = r.to_numpy(dtype=float)
    if op == "M(.,+)":
        b = np.minimum(1.0, a @ m)  # bounded sum; equals a @ m for proper weights and shares
    else:
        b = np.max(np.minimum(a[:, None], m), axis=0)
    return pd.Series(b, index=r.columns, name="membership")


@dataclass(frozen=True)
class FuzzyResult:
    """Result of :func:`fuzzy_evaluate`.

    Attributes
    ----------
    first_level : DataFrame
        ``B_i`` per subset (rows) and grade (columns), as used in the second level.
    raw : Series
        ``B = A ∘ [B_1; ...]`` before normalisation.
    grade_vector : Series
        ``B / Σ B`` (sums to one).
    grade : str
        Grade of maximum membership.
    tie : bool
        Whether several grades share the maximum (the lowest of them is reported).
    score : float
        ``Σ_j b_j x_j`` with the grade points.
    operator : str
    """

    first_level: pd.DataFrame
    raw: pd.Series
    grade_vector: pd.Series
    grade: str
    tie: bool
    score: float
    operator: str

    def summary(self) -> pd.Series:
        """Grade vector followed by ``grade`` and ``score``."""
        s = self.grade_vector.astype(object).copy()
        s["grade"] = self.grade
        s["score"] = self.score
        return s


def fuzzy_evaluate(membership, weights, sub_weights: Mapping[str, object] | None = None, *,
                   operator: str = "M(.,+)", grade_points: Sequence[float] | None = None,
                   normalize: bool = False, normalize_levels: bool = False, atol: float = 1e-6) -> FuzzyResult:
    """Multi-level (two-level) or single-level fuzzy comprehensive evaluation.

    Parameters
    ----------
    membership : DataFrame or mapping subset -> DataFrame
        Single level: one membership matrix (factors x grades).  Two levels: a
        mapping from each subset ``U_i`` to its matrix ``R_i`` (sub-items x grades);
        all matrices share the same grade columns.
    weights : Series, mapping or sequence
        Single level: factor weights ``A``.  Two levels: subset weights ``A``.
    sub_weights : mapping subset -> weights, optional
        Two levels: sub-item weights ``A_i`` per subset (required then).
    operator : {"M(.,+)", "M(^,v)"}
        Composition operator (aliases: "weighted", "maxmin", "M(·,+)", "M(∧,∨)").
    grade_points : sequence of float, optional
        Points ``x_j`` of the grades for the score; default 20, 40, 60, 80, 100
        for five grades (required for other grade counts).
    normalize : bool
        Divide every weight vector by its sum instead of requiring a sum of 1
        (within ``atol``).
    normalize_levels : bool
        Normalise each ``B_i`` before the second level.

    Returns
    -------
    FuzzyResult

    Examples
    --------
    >>> R1 = pd.DataFrame([[0, .1, .3, .4, .2], [0, .2, .3, .3, .2]], index=["a", "b"], columns=list(DEFAULT_GRADES))
    >>> R2 = pd.DataFrame([[.1, .1, .2, .4, .2]], index=["c"], columns=list(DEFAULT_GRADES))
    >>> res = fuzzy_evaluate({"U1": R1, "U2": R2}, {"U1": .6, "U2": .4}, {"U1": [.5, .5], "U2": [1.0]})
    >>> res.grade, round(res.score, 2)
    ('satisfied', 71.2)
    """
    op = _operator(operator)
    if isinstance(membership, Mapping):
        if len(membership) == 0:
            raise MethodError("fuzzy_evaluate: no membership matrices given.")
        if sub_weights is None:
            raise MethodError("fuzzy_evaluate: two-level evaluation needs sub_weights={subset: weights} for every subset.")
        subsets = list(membership)
        a = _check_weights(weights, subsets, "A (first level)", normalize=normalize, atol=atol)
        missing = [s for s in subsets if s not in sub_weights]
        if missing:
            raise MethodError(f"fuzzy_evaluate: sub_weights missing for subsets {missing}.")
        rows = {}
        grades = None
        for s in subsets:
            r = _check_membership(membership[s], repr(s), atol)
            if grades is None:
                grades = list(r.columns)
            elif list(r.columns) != grades:
                raise MethodError(f"fuzzy_evaluate: subset {s!r} has grades {list(r.columns)}, others {grades}; use the same grade columns.")
            ai = _check_weights(sub_weights[s], list(r.index), f"A_{s}", normalize=normalize, atol=atol)
            b = _compose(ai.to_numpy(), r, op)
            if normalize_levels:
                tot = b.sum()
                b = b / tot if tot > 0 else b
            rows[s] = b.to_numpy()
        first = pd.DataFrame.from_dict(rows, orient="index", columns=grades)
        raw = _compose(a.to_numpy(), first, op)
    else:
        r = _check_membership(membership, "R", atol)
        a = _check_weights(weights, list(r.index), "A", normalize=normalize, atol=atol)
        first = r.copy()
        raw = _compose(a.to_numpy(), r, op)
    grades = list(raw.index)
    if grade_points is None:
        if len(grades) != 5:
            raise MethodError(f"fuzzy_evaluate: {len(grades)} grades; give grade_points= (one per grade) for the score.")
        grade_points = DEFAULT_GRADE_POINTS
    pts = np.asarray(grade_points, dtype=float)
    if len(pts) != len(grades):
        raise MethodError(f"fuzzy_evaluate: {len(pts)} grade points for {len(grades)} grades {grades}.")
    total = float(raw.sum())
    if total <= 0:
        raise MethodError("fuzzy_evaluate: the composed grade vector is all zero; check the membership matrices and weights.")
    vec = raw / total
    top = vec.max()
    winners = [g for g in grades if np.isclose(vec[g], top, rtol=0, atol=1e-12)]
    return FuzzyResult(first_level=first, raw=raw.rename("raw"), grade_vector=vec.rename("grade_vector"),
                       grade=str(winners[0]), tie=len(winners) > 1, score=float(vec.to_numpy() @ pts), operator=op)
