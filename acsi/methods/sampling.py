"""Sampling design (抽樣): sample sizes, stratified allocation and the samplers.

Sample size (Cochran 1977, §4.4 and eq. 4.2)
--------------------------------------------
With ``z = Φ⁻¹(1 − α/2)`` (exact, 1.959964 for 95%):

* proportion: ``n0 = z² p (1 − p) / e²``;
* mean: ``n0 = (z σ / e)²``;
* finite population ``N``: ``n = n0 / (1 + (n0 − 1) / N)``.

acsi returns the raw ``n0`` and ``n_fpc`` unrounded and the required sample size
``n`` as their **ceiling** (the smallest integer achieving the margin).  For
``p = 0.5, e = 0.05`` at 95%: ``n0 = 384.146`` (384.16 with the rounded
``z = 1.96``), so ``n = 385``; Cochran and many texts quote "384" by rounding
``n0`` to the nearest integer, which misses the margin by a hair.

Stratified sampling (Cochran 1977, ch. 5)
-----------------------------------------
Proportional allocation ``n_h = n N_h / N``; Neyman (optimum for fixed ``n``)
``n_h = n N_h S_h / Σ N_h S_h``; integers by the largest-remainder method so
they sum to ``n`` exactly (a stratum never gets more than ``N_h``; the excess
is re-allocated to the others).  Variance of the stratified mean

    V(ȳ_st) = Σ_h W_h² (1 − n_h/N_h) S_h² / n_h,    W_h = N_h / N,

and margin ``z √V``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError

__all__ = ["SampleSize", "sample_size_mean", "sample_size_proportion", "allocate", "stratified_margin",
           "simple_random_sample", "systematic_sample", "stratified_sample"]


@dataclass(frozen=True)
class SampleSize:
    """Result of the sample-size functions.

    Attributes
    ----------
    n : int
        Required sample size: ``ceil(n_fpc)`` (or ``ceil(n0)`` without a population).
    n0 : float
        Infinite-population size, unrounded.
    n_fpc : float
        After the finite-population correction (``n0`` when no population is given).
    z : float
        Normal quantile used.
    confidence, margin : float
    population : int or None
    """

    n: int
    n0: float
    n_fpc: float
    z: float
    confidence: float
    margin: float
    population: int | None

    def __int__(self) -> int:
        return self.n

    def to_series(self) -> pd.Series:
        """All fields as a float Series (population NaN when infinite)."""
        return pd.Series({"n": float(self.n), "n0": self.n0, "n_fpc": self.n_fpc, "z": self.z,
                          "confidence": self.confidence, "margin": self.margin,
                          "population": np.nan if self.population is None else float(self.population)})


def _z(confidence: float, where: str) -> float:
    if not isinstance(confidence, (int, float)) or not (0 < confidence < 1):
        raise MethodError(f"{where}: confidence must be between 0 and 1 (e.g. 0.95); got {confidence!r}.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _finish(n0: float, z: float, confidence: float, margin: float, population, where: str, *, rtol: float = 1e-9) -> SampleSize:
    if population is None:
        n_fpc = n0
    else:
        if isinstance(population, bool) or not isinstance(population, (int, np.integer)) or population < 1:
            raise MethodError(f"{where}: population must be a positive integer (the number of customers); got {population!r}.")
        n_fpc = n0 / (1.0 + (n0 - 1.0) / population)
    # ceiling robust to floating noise such as 100.00000000000001
    n = int(math.ceil(n_fpc * (1 - rtol)))
    if population is not None:
        n = min(n, int(population))
    return SampleSize(n=max(n, 1), n0=float(n0), n_fpc=float(n_fpc), z=z, confidence=float(confidence),
                      margin=float(margin), population=None if population is None else int(population))


def sample_size_proportion(p: float = 0.5, margin: float = 0.05, confidence: float = 0.95,
                           population: int | None = None) -> SampleSize:
    """Sample size to estimate a proportion within ``± margin``.

    ``n0 = z² p(1−p) / e²``, finite-population ``n = n0/(1 + (n0−1)/N)``;
    returned ``n`` is the ceiling (see module notes: 385, not 384, for ±5% at 95%).

    Parameters
    ----------
    p : float
        Anticipated proportion (0.5, the worst case, by default).
    margin : float
        Half-width ``e`` of the interval, as a proportion (0.05 = ±5 points).
    confidence : float
    population : int, optional
        Population size ``N`` for the finite-population correction.

    Examples
    --------
    >>> r = sample_size_proportion(0.5, 0.05)
    >>> round(r.n0, 2), r.n
    (384.15, 385)
    """
    if not (0 < margin < 1):
        raise MethodError(f"sample_size_proportion: margin must be a proportion in (0, 1), e.g. 0.05; got {margin!r}.")
    if not (0 <= p <= 1):
        raise MethodError(f"sample_size_proportion: p must be within 0..1; got {p!r}.")
    z = _z(confidence, "sample_size_proportion")
    n0 = z * z * p * (1 - p) / margin ** 2
    if n0 == 0:
        raise MethodError(f"sample_size_proportion: p = {p} has no variance; use an anticipated p strictly between 0 and 1.")
    return _finish(n0, z, confidence, margin, population, "sample_size_proportion")


def sample_size_mean(sd: float, margin: float, confidence: float = 0.95, population: int | None = None) -> SampleSize:
    """Sample size to estimate a mean within ``± margin``: ``n0 = (z σ / e)²``.

    Parameters
    ----------
    sd : float
        Anticipated standard deviation σ (same unit as ``margin``).
    margin : float
        Half-width of the interval.
    confidence : float
    population : int, optional
        Finite-population correction ``n = n0/(1 + (n0−1)/N)``.

    Examples
    --------
    >>> sample_size_mean(sd=20, margin=2).n
    385
    """
    if not (sd > 0) or not np.isfinite(sd):
        raise MethodError(f"sample_size_mean: sd must be positive; got {sd!r}.")
    if not (margin > 0) or not np.isfinite(margin):
        raise MethodError(f"sample_size_mean: margin must be positive; got {margin!r}.")
    z = _z(confidence, "sample_size_mean")
    n0 = (z * sd / margin) ** 2
    return _finish(n0, z, confidence, margin, population, "sample_size_mean")


def _strata_series(x, name: str, where: str) -> pd.Series:
    if isinstance(x, Mapping):
        s = pd.Series(x, dtype=float)
    elif isinstance(x, pd.Series):
        s = x.astype(float)
    else:
        arr = np.atleast_1d(np.asarray(x, dtype=float))
        s = pd.Series(arr, index=[f"s{i + 1}" for i in range(len(arr))])
    if len(s) == 0:
        raise MethodError(f"{where}: {name} is empty; give one value per stratum.")
    return s


def _largest_remainder(quota: np.ndarray, n: int) -> np.ndarray:
    base = np.floor(quota + 1e-12).astype(int)
    rest = n - int(base.sum())
    if rest > 0:
        frac = quota - base
        order = np.argsort(-frac, kind="stable")
        base[order[:rest]] += 1
    return base


def allocate(strata_sizes, n: int, method: str = "proportional", sd=None) -> pd.Series:
    """Allocate a total sample ``n`` to strata (integers summing to ``n``).

    Parameters
    ----------
    strata_sizes : mapping, Series or sequence
        Population size ``N_h`` per stratum.
    n : int
        Total sample size, ``1 <= n <= Σ N_h``.
    method : {"proportional", "neyman"}
        ``n_h ∝ N_h`` or ``n_h ∝ N_h S_h``.
    sd : mapping, Series or sequence, optional
        Stratum standard deviations ``S_h`` (required for Neyman).

    Returns
    -------
    Series of int ``n_h`` indexed by stratum.

    Notes
    -----
    Largest-remainder rounding (ties: the earlier stratum); a stratum whose
    quota exceeds ``N_h`` is taken in full and the rest re-allocated.

    Examples
    --------
    >>> allocate({"north": 500, "south": 300, "west": 200}, 101).tolist()
    [51, 30, 20]
    """
    where = "allocate"
    N = _strata_series(strata_sizes, "strata_sizes", where)
    if (N <= 0).any() or not np.all(np.isfinite(N)) or (N != np.round(N)).any():
        raise MethodError(f"{where}: stratum sizes must be positive integers; got {N.to_dict()}.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise MethodError(f"{where}: n must be a positive integer; got {n!r}.")
    if n > N.sum():
        raise MethodError(f"{where}: n = {n} exceeds the population size {int(N.sum())}; lower n.")
    if method == "proportional":
        share = N.to_numpy()
    elif method == "neyman":
        if sd is None:
            raise MethodError(f"{where}: method='neyman' needs sd= (one standard deviation per stratum).")
        S = _strata_series(sd, "sd", where)
        if not isinstance(sd, (Mapping, pd.Series)):
            S.index = N.index
        missing = [h for h in N.index if h not in S.index]
        if missing or len(S) != len(N):
            raise MethodError(f"{where}: sd must name the same strata as strata_sizes {list(N.index)}; got {list(S.index)}.")
        S = S.loc[N.index]
        if (S < 0).any() or not np.all(np.isfinite(S)) or S.sum() == 0:
            raise MethodError(f"{where}: sd must be non-negative with at least one positive value; got {S.to_dict()}.")
        share = (N * S).to_numpy()
    else:
        raise MethodError(f"{where}: method must be 'proportional' or 'neyman'; got {method!r}.")
    sizes = N.to_numpy().astype(int)
    out = np.zeros(len(N), dtype=int)
    free = np.ones(len(N), dtype=bool)
    remaining = n
    while True:
        sub = share * free
        if sub.sum() <= 0:  # only zero-sd strata left: share equally by size
            sub = sizes * free
        quota = remaining * sub / sub.sum()
        over = free & (quota > sizes)
        if not over.any():
            out[free] = _largest_remainder(quota[free], remaining)
            break
        out[over] = sizes[over]
        remaining -= int(sizes[over].sum())
        free &= ~over
    # floor(quota) + 1 <= N_h whenever quota < N_h is fractional, so no stratum exceeds N_h.
    return pd.Series(out, index=N.index, name="n")


def stratified_margin(strata_sizes, sd, n, confidence: float = 0.95, *, fpc: bool = True) -> pd.Series:
    """Standard error and margin of error of a stratified mean.

    ``V = Σ_h W_h² (1 − f_h) S_h² / n_h``, ``W_h = N_h/N``, ``f_h = n_h/N_h``
    (``f_h = 0`` with ``fpc=False``); margin ``z √V`` (Cochran 1977, eq. 5.6).

    Parameters
    ----------
    strata_sizes : mapping, Series or sequence
        ``N_h``.
    sd : mapping, Series or sequence
        ``S_h``.
    n : mapping, Series or sequence
        Stratum sample sizes ``n_h`` (e.g. from :func:`allocate`), each >= 1.

    Returns
    -------
    Series ``se, margin, variance, z, confidence, n``.

    Examples
    --------
    >>> round(float(stratified_margin([600, 400], [10, 20], [60, 40])["se"]), 4)
    1.4071
    """
    where = "stratified_margin"
    N = _strata_series(strata_sizes, "strata_sizes", where)
    S = _strata_series(sd, "sd", where)
    nh = _strata_series(n, "n", where)
    if not isinstance(sd, (Mapping, pd.Series)):
        S.index = N.index if len(S) == len(N) else S.index
    if not isinstance(n, (Mapping, pd.Series)):
        nh.index = N.index if len(nh) == len(N) else nh.index
    if list(S.index) != list(N.index) and set(S.index) == set(N.index):
        S = S.loc[N.index]
    if list(nh.index) != list(N.index) and set(nh.index) == set(N.index):
        nh = nh.loc[N.index]
    if list(S.index) != list(N.index) or list(nh.index) != list(N.index):
        raise MethodError(f"{where}: strata_sizes {list(N.index)}, sd {list(S.index)} and n {list(nh.index)} must name the same strata.")
    if (N <= 0).any():
        raise MethodError(f"{where}: stratum sizes must be positive; got {N.to_dict()}.")
    if (S < 0).any():
        raise MethodError(f"{where}: sd must be non-negative; got {S.to_dict()}.")
    if (nh < 1).any() or (fpc and (nh > N).any()):
        raise MethodError(f"{where}: each n_h must be at least 1 and at most N_h; got n={nh.to_dict()}, N={N.to_dict()}.")
    z = _z(confidence, where)
    W = N / N.sum()
    f = nh / N if fpc else 0.0 * nh
    var = float((W ** 2 * (1 - f) * S ** 2 / nh).sum())
    se = math.sqrt(var)
    return pd.Series({"se": se, "margin": z * se, "variance": var, "z": z, "confidence": float(confidence),
                      "n": float(nh.sum())}, name="stratified_margin")


def _check_frame(frame, n, where: str) -> pd.DataFrame:
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    elif not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame({"unit": list(frame)})
    if len(frame) == 0:
        raise MethodError(f"{where}: the sampling frame (customer list) is empty.")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not (1 <= n <= len(frame)):
        raise MethodError(f"{where}: n must be an integer from 1 to the frame size {len(frame)}; got {n!r}.")
    return frame


def simple_random_sample(frame, n: int, seed=None) -> pd.DataFrame:
    """Simple random sample without replacement of ``n`` rows (frame order kept).

    Parameters
    ----------
    frame : DataFrame, Series or sequence
        The customer list.
    n : int
    seed : int or numpy Generator
        Reproducibility (``numpy.random.default_rng(seed)``).

    Examples
    --------
    >>> len(simple_random_sample(pd.DataFrame({"id": range(100)}), 10, seed=1))
    10
    """
    frame = _check_frame(frame, n, "simple_random_sample")
    rng = np.random.default_rng(seed)
    pos = np.sort(rng.choice(len(frame), size=int(n), replace=False))
    return frame.iloc[pos]


def systematic_sample(frame, n: int, seed=None) -> pd.DataFrame:
    """Systematic sample (fixed interval) of ``n`` rows.

    Interval ``k = N / n`` (fractional when ``N`` is not a multiple of ``n``),
    random start ``r ~ U[0, k)``, positions ``floor(r + i k)``, i = 0..n−1, so
    exactly ``n`` distinct rows are drawn and every row has probability ``n/N``.

    Examples
    --------
    >>> s = systematic_sample(pd.DataFrame({"id": range(100)}), 10, seed=3)
    >>> s["id"].diff().dropna().unique().tolist()
    [10.0]
    """
    frame = _check_frame(frame, n, "systematic_sample")
    rng = np.random.default_rng(seed)
    k = len(frame) / n
    start = rng.uniform(0, k)
    pos = np.floor(start + k * np.arange(n)).astype(int)
    pos = np.minimum(pos, len(frame) - 1)
    return frame.iloc[pos]


def stratified_sample(frame: pd.DataFrame, strata: str, n: int, seed=None, method: str = "proportional",
                      sd=None) -> pd.DataFrame:
    """Stratified simple random sample: allocate ``n`` (see :func:`allocate`) and draw per stratum.

    Parameters
    ----------
    frame : DataFrame
        Customer list.
    strata : str
        Column holding the stratum of each customer (region, industry, ...).
    n : int
    seed : int
    method : {"proportional", "neyman"}
    sd : mapping or Series, optional
        Stratum standard deviations for Neyman allocation.

    Returns
    -------
    DataFrame: the sampled rows, strata in order of first appearance.

    Examples
    --------
    >>> f = pd.DataFrame({"id": range(10), "region": ["n"] * 6 + ["s"] * 4})
    >>> stratified_sample(f, "region", 5, seed=0)["region"].value_counts().to_dict()
    {'n': 3, 's': 2}
    """
    if not isinstance(frame, pd.DataFrame):
        raise MethodError("stratified_sample: frame must be a DataFrame with a strata column.")
    frame = _check_frame(frame, n, "stratified_sample")
    if strata not in frame.columns:
        raise MethodError(f"stratified_sample: strata column {strata!r} not found; columns are {list(frame.columns)}.")
    if frame[strata].isna().any():
        rows = list(frame.index[frame[strata].isna()][:10])
        raise MethodError(f"stratified_sample: missing stratum at rows {rows}; assign every customer a stratum.")
    sizes = frame.groupby(strata, sort=False).size()
    alloc = allocate(sizes, n, method=method, sd=sd)
    rng = np.random.default_rng(seed)
    parts = []
    for h, nh in alloc.items():
        if nh == 0:
            continue
        sub = frame[frame[strata] == h]
        pos = np.sort(rng.choice(len(sub), size=int(nh), replace=False))
        parts.append(sub.iloc[pos])
    return pd.concat(parts)
