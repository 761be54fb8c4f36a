"""Bootstrap intervals for every published number: unit indexes, parameters, changes, aggregates.

Steps (each a function below):

1. take the fitted units of a :class:`~acsi.results.FitResult` (``acsi.fit`` first: the bootstrap
   never fits raw data itself);
2. plan the work: per unit, replicate *blocks* of :data:`BLOCK` replicates, each with its
   own random stream ``SeedSequence(seed, spawn_key=(unit_key, block))``; jackknife blocks
   for the BCa acceleration;
3. run the blocks, serially, with joblib workers, or on a Dask cluster;
4. assemble the replicates and summarise them: bootstrap standard errors, percentile and
   BCa intervals, counts of failed replicates;
5. carry the unit replicates through the aggregation (industry, sector, national) and
   through period-to-period changes.

Resampling
----------
Respondents are resampled with replacement within each unit (company × period), and
within each user stratum inside a unit: every stratum keeps its size.  Unit samples are
independent, so a replicate of an aggregate (a fixed linear combination of unit indexes,
:meth:`acsi.aggregate.AggregateResult.combine`) or of a change ``I_t − I_{t−1}`` is the same
combination of the units' replicates.

Refitting (SEM)
---------------
ML estimates depend on the data only through the sample covariance ``S``, and 0-100
indexes only through the item means, so a replicate needs only the resampled moments:
with ``c_r`` the resampling counts of respondent r and ``v_r`` its survey weight (1 without
weights), ``x̄*_w = Σ c_r v_r x_r / Σ c_r v_r`` and ``S* = Σ c_r v_r (x_r − x̄*_w)(x_r − x̄*_w)ᵀ /
Σ c_r v_r``: respondents are resampled with their weights and a weighted fit's replicates are
fitted to their weighted moments, as the fit itself (lavaan's ``sampling.weights``).  Each
block of replicates is
fitted at once by :func:`acsi.estimate.mlfast.fit_covariances` (Fisher scoring,
warm-started from the full-sample estimate), then scored with the replicate's own item
weights ``w ∝ λ/θ`` (:mod:`acsi.score.scores`) and index
``I* = 100 (w·x̄*_w − w·min) / (w·(max − min))``.  PLS (or a replicate refitted with
``failed="refit"``) goes through :func:`acsi.pipeline.fit_unit` on the resampled rows.

Refitting (PLS)
---------------
PLS replicates are batched the same way: a block's counts times the survey weights are the
replicates' row weights, their weighted correlation matrices are formed in one product and the
batched PLS kernel iterates all of them at once, each until its own weights converge
(:mod:`acsi.estimate.pls_batch`; the numbers equal refitting the resampled rows one at a time).
Every PLS statistic is bootstrapped: indexes, loadings (``=~``), weights (``<~``), paths
(``~``), R² (``r2``), total and indirect effects (``total``, ``indirect``) and HTMT
(``htmt``).  Each replicate's signs follow the full-sample rule (the anchor item loads
positively); no other sign-change correction.  The jackknife for BCa is optional
(``bca=False``) and uses ``jackknife_groups`` delete-a-group refits per unit, batched alike.

Failed replicates
-----------------
A replicate is *not converged* (the optimizer stopped), *inadmissible* (negative variance
or non-positive-definite latent covariance) or *unscorable* (a negative item weight makes
the index undefined).  ``failed="exclude"`` leaves them out of the statistics of that unit
(and of the aggregates that use the unit); ``failed="refit"`` first refits them with
semopy from its own start values (SEM) and keeps those that then converge admissibly;
``failed="keep"`` keeps converged inadmissible replicates whose indexes are defined.  Every
count is in :attr:`BootstrapResult.counts` and next to every interval.

Aggregates
----------
An aggregate replicate (industry, sector, national, and their changes) combines the
replicates of all its units, so one excluded unit replicate would remove the whole
aggregate replicate; with hundreds of units most national replicates would be lost to
Heywood cases in some small company's two-item latent.  A unit replicate therefore enters
the aggregates whenever its index is defined: converged and with positive item weights,
even if some variance elsewhere in its model is negative (the index is a weighted mean of
answers with positive weights either way).  Aggregate replicates with a non-converged or
unscorable unit replicate are excluded; ``n_used`` says how many remain.

Intervals
---------
With B usable replicates θ*_b and the published estimate θ̂:

* ``boot_se`` = standard deviation of θ*_b (divisor B − 1); ``bias`` = mean(θ*) − θ̂;
* percentile: the α/2 and 1 − α/2 quantiles of θ*_b;
* BCa (Efron 1987): ``z0 = Φ⁻¹(#{θ* < θ̂}/B + ½ #{θ* = θ̂}/B)``,
  ``α_k = Φ(z0 + (z0 + z_k) / (1 − a (z0 + z_k)))`` for ``z_k = Φ⁻¹(α/2), Φ⁻¹(1 − α/2)``,
  interval = quantiles of θ* at ``α_k``.  The acceleration ``a`` comes from the (stratified)
  jackknife: with ``l_j = (n_s − 1)(θ̄_(s·) − θ_(j))`` for deletion ``j`` in sample ``s``,
  ``a = Σ_s n_s⁻³ Σ_j l_j³ / (6 (Σ_s n_s⁻² Σ_j l_j²)^{3/2})`` (Efron & Tibshirani 1993,
  eq. 14.15, for one sample; Efron 1987, section 7, for several independent samples).  For a linear combination
  ``A = Σ_m c_m θ_m`` of independent units the influence values are ``c_m l_j``, so ``a_A``
  follows from the units' jackknife moments without refitting.  Units larger than
  ``jackknife_groups`` use the delete-a-group jackknife over that many groups (respondent
  ``i`` in group ``i mod G``).  With user strata the jackknife ignores them (the acceleration
  is a small correction; the bootstrap draws themselves are stratified).

Reproducibility
---------------
The draws of block ``b`` of unit ``u`` come from
``numpy.random.SeedSequence(seed, spawn_key=(h(u), b))`` (``h`` a 64-bit BLAKE2 hash of the
unit's key), i.e. a fixed member of ``SeedSequence(seed).spawn`` tree keyed by unit, never
by worker; blocks are computed with fixed shapes and converged replicates are frozen, so
the numbers are identical for any ``n_jobs``, any scheduler and any order of completion.

References
----------
Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82, 171-185.
Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*. CUP
(stratified resampling, section 3.7).
Equivalent R for one unit: ``lavaan::sem(model, data, se = "bootstrap", bootstrap = B)``
and ``parameterEstimates(fit, boot.ci.type = "bca.simple")``.

Examples
--------
>>> import acsi
>>> fit = acsi.fit(acsi.demo_survey(), "acsi", unit="company", weight="weight")   # doctest: +SKIP
>>> boot = acsi.bootstrap.bootstrap(fit, n_boot=1000, seed=7, n_jobs=-1,
...                                 weights=acsi.demo_sales())                      # doctest: +SKIP
>>> boot.indexes[["period", "company", "index", "boot_se", "bca_lower", "bca_upper"]]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats

from .aggregate import aggregate, parse_periods
from .aggregate.periods import PERIODS_PER_YEAR
from .errors import AcsiError, AggregationError, EstimationError, InvalidParameterError
from .log import PROGRESS_MIN_ITEMS, get_logger
from .options import JOBS, Boolean, InstanceOf, Integer, OneOf, Real, validate_params
from .pipeline import fit_unit
from .provenance import stamp
from .score import index_from_means, item_weights_batch
from .spec import ModelSpec
from .summary import Summary
from .estimate.pls_batch import SIGN_RULE
from .tables import write_result

__all__ = ["BLOCK", "FAILED_POLICIES", "BootstrapResult", "PLSBootstrapResult", "bootstrap", "bootstrap_pls",
           "check_replicate_memory", "check_scheduler", "pls_unit_bootstrap", "replicate_bytes"]

log = get_logger("acsi.bootstrap")

#: Replicates per random stream and per unit of work (part of the reproducibility contract).
BLOCK = 50
FAILED_POLICIES = ("exclude", "refit", "keep")

OK, NOT_CONVERGED, INADMISSIBLE, UNSCORABLE = 0, 1, 2, 3
_ZERO = 1e-10

#: The test behind ``t_stat`` and ``p_value`` (:func:`summarise`), as the saved files and summaries state it.
T_TEST = ("t = estimate / bootstrap SE; p two-sided against the normal reference, H0: estimate = 0 "
          "(meaningful for paths, effects, loadings and weights; not for indexes, R² or HTMT)")


# ============================================================================ step 1: units
@dataclass
class _Unit:
    """One unit's data and full-sample solution (picklable; shipped to workers)."""

    pos: int
    key: tuple
    X: np.ndarray  # n × p moment columns (_moment_columns: the model's observed variables, or items)
    v: np.ndarray  # survey weights
    strata: np.ndarray | None  # integer codes 0..S-1 or None
    theta: np.ndarray | None  # mlfast full-sample estimate (SEM fast path) or None (generic)
    hkey: int
    n_groups: int  # jackknife deletion groups

    @property
    def n(self) -> int:
        return self.X.shape[0]


@dataclass
class _Context:
    """What every task needs besides its unit (shipped once per worker/scatter)."""

    spec: ModelSpec
    estimator: str
    model: object  # RamModel or None
    seed_entropy: int
    n_boot: int
    failed: str
    options: dict
    stat_labels: list  # [(kind, a, op, b)]
    est_index: dict  # (lhs, op, rhs) -> stat column for the generic path
    std_index: dict
    lo: np.ndarray
    hi: np.ndarray
    weighted: bool = False  # the fit used survey weights in the estimation (acsi.fit(weight=...))
    columns: tuple = ()  # the moment columns: the model's observed variables (SEM) or its items (PLS)
    effect_pairs: tuple = ()  # SEM: (from, to) lv positions of the effects and impacts


def _hash_key(key: tuple) -> int:
    text = "\x1f".join(str(k) for k in key).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def _stat_labels(spec: ModelSpec, estimator: str, model, outcomes) -> tuple[list, dict, dict]:
    """Statistics bootstrapped per unit: latent indexes, parameter estimates, std_all."""
    labels = [("index", lv, "", "") for lv in spec.latent_ids]
    est_index, std_index = {}, {}
    if estimator == "sem":
        for lab in model.labels:
            est_index[lab] = len(labels)
            labels.append(("est", *lab))
        rhs = dict(zip(model.frame["lhs"][model.frame["op"] == ":="], model.frame["rhs"][model.frame["op"] == ":="]))
        for name, _expr in model.defined:  # := parameters, from each replicate's estimates
            est_index[(name, ":=", rhs[name])] = len(labels)
            labels.append(("est", name, ":=", rhs[name]))
        for lv in spec.latents:
            for it in lv.item_ids:
                std_index[(lv.id, "=~", it)] = len(labels)
                labels.append(("std_all", lv.id, "=~", it))
        for to in spec.latent_ids:
            for fr in spec.predecessors(to):
                std_index[(to, "~", fr)] = len(labels)
                labels.append(("std_all", to, "~", fr))
        # total and indirect effects, and ACSI impacts (drivers and targets with a 0-100 scale)
        lv = model.groups[0].lv
        scored = set(spec.latent_ids) | set(spec.scale_bounds)
        for f, t in _sem_effect_pairs(model):
            for kind in ("total", "indirect"):
                labels.append((kind, lv[f], "->", lv[t]))
        for f, t in _sem_effect_pairs(model):
            if lv[f] in scored and lv[t] in scored:
                labels.append(("impact", lv[f], "->", lv[t]))
    elif estimator == "pls" and model is not None:  # every PLS statistic of acsi.estimate.pls_batch
        labels = list(model.labels)
        est_index = {lab[1:]: k for k, lab in enumerate(labels) if lab[0] == "est"}
    else:
        ref = next((o.estimates for o in outcomes if o.estimates is not None), None)
        if ref is not None:
            for r in ref[["lhs", "op", "rhs"]].itertuples(index=False):
                lab = (str(r[0]), str(r[1]), str(r[2]))
                if lab not in est_index:
                    est_index[lab] = len(labels)
                    labels.append(("est", *lab))
    return labels, est_index, std_index


def _sem_effect_pairs(model) -> list[tuple[int, int]]:
    from .estimate.effects import effect_pairs

    return effect_pairs(model) if len(model.groups) == 1 else []


def _moment_columns(spec: ModelSpec, estimator: str) -> list[str]:
    """The columns a replicate's moments cover: every observed variable of the model for the
    CB-SEM (items, an observed complaint, covariates; the table's ``ov`` order), the items for PLS."""
    return list(spec.observed_ids) if estimator == "sem" else list(spec.item_ids)


def _outcomes(fit) -> list:
    """The unit outcomes, or the pooled fit alone when the fit has no unit columns."""
    if fit.groups:
        return list(fit.outcomes)
    return [fit.pooled] if fit.pooled is not None else []


def _collect_units(fit, spec, strata, jackknife_groups, model) -> tuple[list[_Unit], list]:
    """Every estimated unit with its rows (in the order ``acsi.fit`` used) and warm start."""
    from .estimate.mlfast import fit_covariances, start_values
    from .estimate.samplestats import weighted_moments

    data = fit.prepared.data
    groups = list(fit.groups)
    items = _moment_columns(spec, fit.estimator)
    codes = _strata_codes(fit, data, strata)
    if groups:
        gb = data.groupby(groups, sort=True, dropna=False).indices
    else:
        gb = {"<pooled>": np.arange(len(data))}
    X_all = data[items].to_numpy(dtype=float)
    v_all = np.asarray(fit.prepared.weights, dtype=float)
    units, skipped = [], []
    for pos, o in enumerate(_outcomes(fit)):
        key = tuple(o.key)
        look = key if len(key) != 1 else key[0]
        rows = gb.get(look)
        if rows is None:
            rows = gb.get(key)
        if o.status == "failed" or o.index is None or rows is None or len(rows) < 2:
            skipped.append((pos, o.reason or "unit not estimated"))
            continue
        rows = np.sort(np.asarray(rows))
        sc = None
        if codes is not None:
            _, sc = np.unique(codes[rows], return_inverse=True)
            sc = sc.astype(np.int64)
        n = len(rows)
        G = n if jackknife_groups is None else int(min(n, jackknife_groups))
        units.append(_Unit(pos=pos, key=key, X=X_all[rows], v=v_all[rows], strata=sc, theta=None,
                           hkey=_hash_key(key), n_groups=G))
    if fit.estimator == "sem" and model is not None and units:
        # full-sample solutions of every unit in one batch (cold starts): the warm starts, on
        # the survey-weighted moments when the fit was weighted (v = 1 otherwise)
        weighted = fit.options.get("weight") is not None
        moments = [weighted_moments(u.X, u.v if weighted else None) for u in units]
        S = np.stack([m[1] for m in moments])
        # a mean structure (user intercepts, ~1 rows) is fitted to the means as well
        M = np.stack([m[0] for m in moments]) if model.meanstructure else None
        starts = np.stack([start_values(model, Si, None if M is None else M[k]) for k, Si in enumerate(S)])
        try:
            bf = fit_covariances(model, S, starts, means=M)
            solved = list(zip(bf.converged, bf.theta))
        except (EstimationError, np.linalg.LinAlgError):  # one bad unit: fit them one by one
            solved = []
            for k, (Si, st) in enumerate(zip(S, starts)):
                try:
                    b1 = fit_covariances(model, Si[None], st, means=None if M is None else M[k][None])
                    solved.append((b1.converged[0], b1.theta[0]))
                except (EstimationError, np.linalg.LinAlgError):
                    solved.append((False, None))
        for u, (ok, th) in zip(units, solved):
            u.theta = th if ok else None
    return units, skipped


def _strata_codes(fit, data: pd.DataFrame, strata) -> np.ndarray | None:
    if strata is None:
        return None
    if isinstance(strata, str):
        strata = [strata]
    if isinstance(strata, (list, tuple)) and all(isinstance(s, str) for s in strata):
        absent = [s for s in strata if s not in data.columns]
        if absent:
            raise AcsiError(
                f"strata column(s) {absent} are not in the fitted data (columns kept: {list(data.columns)}); "
                "pass the strata as a Series aligned with the rows of the original survey instead "
                "(strata=survey['region']), or bootstrap the survey DataFrame directly"
            )
        return pd.factorize(data[list(strata)].astype(str).agg("\x1f".join, axis=1))[0]
    arr = np.asarray(strata)
    n_read = int(fit.prepared.accounting["rows_read"].sum())
    if arr.ndim != 1 or len(arr) != n_read:
        raise AcsiError(
            f"strata must be column name(s) or one value per row of the original survey ({n_read} rows); "
            f"got an array of shape {arr.shape}"
        )
    return pd.factorize(pd.Series(arr[np.asarray(fit.prepared.rows)]).astype(str))[0]


# ============================================================================ step 2: plan
@dataclass
class _Task:
    unit: _Unit
    blocks: list  # [("boot", b) | ("jack", b)]


def _plan(units: list[_Unit], n_boot: int, bca: bool, n_workers: int) -> list[_Task]:
    n_blocks = -(-n_boot // BLOCK)
    tasks = []
    per_unit = []
    for u in units:
        blocks = [("boot", b) for b in range(n_blocks)]
        if bca:
            blocks += [("jack", b) for b in range(-(-u.n_groups // BLOCK))]
        per_unit.append(blocks)
    # split units into several tasks when there are few units for many workers
    target = max(1, 4 * n_workers)
    pieces = 1 if len(units) >= target else -(-target // max(len(units), 1))
    for u, blocks in zip(units, per_unit):
        k = max(1, min(pieces, len(blocks)))
        for j in range(k):
            chunk = blocks[j::k]
            if chunk:
                tasks.append(_Task(unit=u, blocks=chunk))
    return tasks


# ============================================================================ step 3: compute
def _block_counts(ctx: _Context, u: _Unit, kind: str, b: int) -> np.ndarray:
    """Resampling counts (rows × n) of one block: bootstrap draws or jackknife deletions."""
    n = u.n
    if kind == "jack":
        G = u.n_groups
        g0, g1 = b * BLOCK, min((b + 1) * BLOCK, G)
        counts = np.ones((g1 - g0, n))
        grp = np.arange(n) % G
        for r, g in enumerate(range(g0, g1)):
            counts[r, grp == g] = 0.0
        return counts
    r0, r1 = b * BLOCK, min((b + 1) * BLOCK, ctx.n_boot)
    rng = np.random.default_rng(np.random.SeedSequence(ctx.seed_entropy, spawn_key=(u.hkey, b)))
    counts = np.zeros((r1 - r0, n))
    if u.strata is None:
        for r in range(r1 - r0):
            counts[r] = np.bincount(rng.integers(0, n, size=n), minlength=n)
    else:
        pos = [np.flatnonzero(u.strata == s) for s in range(int(u.strata.max()) + 1)]
        for r in range(r1 - r0):
            idx = np.concatenate([p[rng.integers(0, len(p), size=len(p))] for p in pos if len(p)])
            counts[r] = np.bincount(idx, minlength=n)
    return counts


def _moments(X: np.ndarray, v: np.ndarray, counts: np.ndarray):
    """Replicate covariance matrices and survey-weighted item means, both with the row weights
    ``c_r v_r`` (resampling counts times survey weights; denominator ``Σ c_r v_r``): the
    estimation of a weighted fit uses the weighted moments (lavaan's ``sampling.weights``),
    and without weights ``v = 1`` gives the counts alone."""
    from .estimate.pls_batch import weighted_covariances

    cw = counts * v
    _, S = weighted_covariances(X, cw)
    xbar_w = cw @ X / cw.sum(axis=1)[:, None]
    return S, xbar_w


def _sem_block(ctx: _Context, u: _Unit, counts: np.ndarray):
    from .estimate.mlfast import admissible_batch, fit_covariances, implied

    model = ctx.model
    S, xbar = _moments(u.X, u.v, counts)
    R = counts.shape[0]
    out = np.full((R, len(ctx.stat_labels)), np.nan)
    status = np.full(R, NOT_CONVERGED, dtype=np.int8)
    ok_s = np.linalg.eigvalsh(S).min(axis=1) > 1e-10 * np.maximum(np.abs(np.diagonal(S, axis1=1, axis2=2)).max(axis=1), 1e-300)
    ix = np.flatnonzero(ok_s)
    if ix.size:
        bf = fit_covariances(model, S[ix], u.theta, means=xbar[ix] if model.meanstructure else None)
        conv = bf.converged
        th = bf.theta
        L, B, _P, T = model.matrices(th)[:4]  # (and ν, α with a mean structure)
        gm = model.groups[0]
        exo = gm.exo_values(S[ix], xbar[ix]) if gm.has_exo else None  # covariates at each replicate's moments
        sigma, A, _, _ = implied(model, th, exo)
        adm = admissible_batch(model, th, exo)
        n_lat = len(ctx.spec.latent_ids)  # declared latents first, then phantoms of observed variables
        blocks = [np.flatnonzero(model.latent_of_item == j) for j in range(n_lat)]
        W = item_weights_batch(L[:, np.arange(model.p), model.latent_of_item], np.diagonal(T, axis1=1, axis2=2),
                               blocks)
        idx = index_from_means(W, xbar[ix], ctx.lo, ctx.hi, blocks)
        scorable = np.isfinite(idx[:, ctx.spec.latent_ids.index(ctx.spec.headline)])
        st = np.where(~conv, NOT_CONVERGED, np.where(~adm, INADMISSIBLE, np.where(~scorable, UNSCORABLE, OK)))
        status[ix] = st
        out[ix, :n_lat] = idx
        q0 = n_lat
        out[ix, q0:q0 + model.q] = th
        if model.defined:
            out[ix, q0 + model.q:q0 + model.q + len(model.defined)] = model.defined_values(th)
        sd_obs = np.sqrt(np.clip(np.diagonal(sigma, axis1=1, axis2=2), 0, None))
        sd_lat = np.sqrt(np.clip(np.diagonal(A, axis1=1, axis2=2), 0, None))
        it_ix = {x: i for i, x in enumerate(model.items)}
        lv_ix = {x: i for i, x in enumerate(model.latents)}
        with np.errstate(divide="ignore", invalid="ignore"):
            for (a, op, b), col in ctx.std_index.items():
                if op == "=~":
                    i, j = it_ix[b], lv_ix[a]
                    out[ix, col] = L[:, i, j] * sd_lat[:, j] / sd_obs[:, i]
                else:
                    t, f = lv_ix[a], lv_ix[b]
                    out[ix, col] = B[:, t, f] * sd_lat[:, f] / sd_lat[:, t]
            if ctx.effect_pairs:
                _effects_block(ctx, model, th, B, W, out, ix)
        bad_rows = ~conv
        out[ix[bad_rows]] = np.nan
    return out, status


def _effects_block(ctx: _Context, model, th: np.ndarray, B: np.ndarray, W: np.ndarray, out: np.ndarray,
                   ix: np.ndarray) -> None:
    """Total and indirect effects and ACSI impacts of a block of replicates into ``out``, each
    replicate's impacts with its own item weights (observed structural variables weight 1)."""
    from .estimate.effects import impact_values, total_effects

    col = {lab: k for k, lab in enumerate(ctx.stat_labels)}
    lv = model.groups[0].lv
    f = np.array([p[0] for p in ctx.effect_pairs], dtype=int)
    t = np.array([p[1] for p in ctx.effect_pairs], dtype=int)
    total = total_effects(B)[:, t, f]
    for k, (a, b) in enumerate(ctx.effect_pairs):
        out[ix, col[("total", lv[a], "->", lv[b])]] = total[:, k]
        out[ix, col[("indirect", lv[a], "->", lv[b])]] = total[:, k] - B[:, b, a]
    pairs = [(a, b) for a, b in ctx.effect_pairs if ("impact", lv[a], "->", lv[b]) in col]
    if pairs:
        w = np.where(model.groups[0].phantom[model.latent_of_item][None, :], 1.0, W)
        span = np.where(np.isfinite(ctx.hi - ctx.lo), ctx.hi - ctx.lo, 1.0)
        imp = impact_values(model, th, w, span, pairs)
        for k, (a, b) in enumerate(pairs):
            out[ix, col[("impact", lv[a], "->", lv[b])]] = imp[:, k]


def _generic_replicate(ctx: _Context, u: _Unit, c: np.ndarray):
    """Refit one replicate through :func:`acsi.pipeline.fit_unit` on the resampled rows."""
    rows = np.repeat(np.arange(u.n), c.astype(np.int64))
    df = pd.DataFrame(u.X[rows], columns=list(ctx.columns or ctx.spec.item_ids))
    vals = np.full(len(ctx.stat_labels), np.nan)
    try:
        o = fit_unit(u.key, df, ctx.spec, weights=u.v[rows] if ctx.weighted else None, estimator=ctx.estimator,
                     min_n=2, options=ctx.options)
    except AcsiError:
        return vals, NOT_CONVERGED
    if not o.converged or o.index is None:
        return vals, NOT_CONVERGED
    idx = o.index.set_index("latent")["index"]
    for j, lv in enumerate(ctx.spec.latent_ids):
        vals[j] = float(idx.get(lv, np.nan))
    if o.estimates is not None:
        for r in o.estimates.itertuples(index=False):
            lab = (str(r.lhs), str(r.op), str(r.rhs))
            if lab in ctx.est_index:
                vals[ctx.est_index[lab]] = float(r.est)
            if lab in ctx.std_index:
                vals[ctx.std_index[lab]] = float(r.std_all)
    _fill_effects(ctx.stat_labels, o, vals)
    if not np.isfinite(vals[ctx.spec.latent_ids.index(ctx.spec.headline)]):
        return vals, UNSCORABLE
    if o.status == "inadmissible" or not o.admissible:
        return vals, INADMISSIBLE
    return vals, OK


def _fill_effects(stat_labels, o, vals: np.ndarray) -> None:
    """Effects and impacts of a refitted replicate's record into ``vals`` (the statistic labels' order)."""
    _effect_rows(stat_labels, o, lambda j, est, se: vals.__setitem__(j, est))


def _effect_rows(stat_labels, o, put) -> None:
    """Call ``put(column, estimate, se)`` for every total/indirect effect and ACSI impact of a unit's
    record (``UnitOutcome.extra``) that has a statistic label."""
    pos = {lab: j for j, lab in enumerate(stat_labels) if lab[0] in ("total", "indirect", "impact")}
    if not pos:
        return
    eff = o.extra.get("effects")
    if eff is not None:
        for f, t, kind, est, se in zip(eff["from"], eff["to"], eff["effect"], eff["est"], eff["se"]):
            j = pos.get((kind, str(f), "->", str(t)))
            if j is not None:
                put(j, float(est), float(se))
    imp = o.extra.get("impacts")
    if imp is not None:
        for d, t, est, se in zip(imp["driver"], imp["target"], imp["impact"], imp["se"]):
            j = pos.get(("impact", str(d), "->", str(t)))
            if j is not None:
                put(j, float(est), float(se))


def _run_task(ctx: _Context, task: _Task) -> list:
    """Compute every block of one task; returns ``[(unit_pos, kind, block, values, status, refit)]``."""
    from .estimate.mlfast import blas_single_thread

    with blas_single_thread():
        return _run_blocks(ctx, task)


def _run_blocks(ctx: _Context, task: _Task) -> list:
    u = task.unit
    out = []
    for kind, b in task.blocks:
        counts = _block_counts(ctx, u, kind, b)
        R = counts.shape[0]
        refit = np.zeros(R, dtype=bool)
        if ctx.estimator == "sem" and u.theta is not None:
            vals, status = _sem_block(ctx, u, counts)
            if ctx.failed == "refit":
                for r in np.flatnonzero(status != OK):
                    v2, s2 = _generic_replicate(ctx, u, counts[r])
                    refit[r] = True
                    if s2 == OK or status[r] == NOT_CONVERGED:
                        vals[r], status[r] = v2, s2
        elif ctx.estimator == "pls" and ctx.model is not None:  # all replicates of the block at once
            from .estimate.pls_batch import replicate_statistics

            vals, status = replicate_statistics(ctx.model, u.X, counts * u.v)
        else:
            vals = np.full((R, len(ctx.stat_labels)), np.nan)
            status = np.full(R, NOT_CONVERGED, dtype=np.int8)
            for r in range(R):
                vals[r], status[r] = _generic_replicate(ctx, u, counts[r])
        out.append((u.pos, kind, b, vals, status, refit))
    return out


# ============================================================================ step 3b: backends
def _execute(ctx: _Context, tasks: list[_Task], *, n_jobs: int, scheduler, progress: bool) -> list:
    """The tasks serially, on joblib workers or on Dask: :func:`acsi.parallel.run_tasks` (one implementation)."""
    from .parallel import run_tasks

    results = run_tasks(_run_task, ctx, tasks, n_jobs=n_jobs, scheduler=scheduler, progress=progress,
                        desc="bootstrap", unit="task", ordered=False)
    return [r for chunk in results for r in chunk]


# ============================================================================ step 4: summarise
def _row_quantiles(sorted_vals: np.ndarray, k: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Per-row quantile (linear interpolation, numpy's default) of NaN-padded sorted rows."""
    out = np.full(sorted_vals.shape[0], np.nan)
    ok = (k > 0) & np.isfinite(q)
    if not ok.any():
        return out
    rows = np.flatnonzero(ok)
    h = np.clip(q[rows], 0, 1) * (k[rows] - 1)
    lo = np.floor(h).astype(np.int64)
    hi = np.minimum(lo + 1, k[rows] - 1)
    frac = h - lo
    a = sorted_vals[rows, lo]
    b = sorted_vals[rows, hi]
    out[rows] = a + frac * (b - a)
    return out


def summarise(reps: np.ndarray, est: np.ndarray, accel: np.ndarray, level: float) -> pd.DataFrame:
    """Bootstrap SE, bias, t, p, percentile and BCa intervals for every row of ``reps`` (stats × B).

    NaN replicates (excluded) are ignored row by row; see the module docstring for formulas.
    ``t_stat = est / boot_se`` keeps the sign of the estimate; ``p_value = 2 (1 − Φ(|t|))`` is the
    two-sided test of ``est = 0`` against the normal reference (the "bootstrap t" of PLS-SEM
    software, Hair et al. 2022: |t| > 1.96 at 5 %).  Use it only for statistics whose null value
    is 0 (paths, effects, weights, loadings), not for indexes, R² or HTMT.
    """
    reps = np.asarray(reps, dtype=float)
    est = np.asarray(est, dtype=float)
    k = np.isfinite(reps).sum(axis=1)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(k > 0, np.nansum(reps, axis=1) / np.maximum(k, 1), np.nan)
        dev = np.where(np.isfinite(reps), reps - mean[:, None], 0.0)
        se = np.where(k > 1, np.sqrt((dev**2).sum(axis=1) / np.maximum(k - 1, 1)), np.nan)
    srt = np.sort(reps, axis=1)  # NaN last
    p_lo = _row_quantiles(srt, k, np.full(len(k), alpha / 2))
    p_hi = _row_quantiles(srt, k, np.full(len(k), 1 - alpha / 2))
    with np.errstate(invalid="ignore"):
        below = np.where(np.isfinite(reps), reps < est[:, None], False).sum(axis=1)
        ties = np.where(np.isfinite(reps), reps == est[:, None], False).sum(axis=1)
    prop = (below + 0.5 * ties) / np.maximum(k, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z0 = stats.norm.ppf(prop)
        zl, zh = stats.norm.ppf(alpha / 2), stats.norm.ppf(1 - alpha / 2)
        a = np.where(np.isfinite(accel), accel, 0.0)
        ql = stats.norm.cdf(z0 + (z0 + zl) / (1 - a * (z0 + zl)))
        qh = stats.norm.cdf(z0 + (z0 + zh) / (1 - a * (z0 + zh)))
    b_lo = _row_quantiles(srt, k, ql)
    b_hi = _row_quantiles(srt, k, qh)
    degenerate = (se == 0) | ~np.isfinite(z0)
    b_lo = np.where(degenerate & (se == 0), mean, b_lo)
    b_hi = np.where(degenerate & (se == 0), mean, b_hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, est / se, np.nan)
    return pd.DataFrame({
        "boot_mean": mean, "bias": mean - est, "boot_se": se, "t_stat": t, "p_value": 2.0 * stats.norm.sf(np.abs(t)),
        "perc_lower": p_lo, "perc_upper": p_hi, "bca_lower": b_lo, "bca_upper": b_hi,
        "z0": np.where(np.isfinite(z0), z0, np.nan), "acceleration": accel, "n_used": k,
    })


def _jackknife_moments(jack: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``M2 = G⁻² Σ l²`` and ``M3 = G⁻³ Σ l³`` with ``l = (G − 1)(θ̄ − θ_(g))`` (stats × groups)."""
    ok = np.isfinite(jack)
    G = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(jack, axis=1) / np.maximum(G, 1)
        l_ = np.where(ok, (G[:, None] - 1) * (mean[:, None] - jack), 0.0)
        M2 = (l_**2).sum(axis=1) / np.maximum(G, 1) ** 2
        M3 = (l_**3).sum(axis=1) / np.maximum(G, 1) ** 3
    M2 = np.where(G > 2, M2, np.nan)
    M3 = np.where(G > 2, M3, np.nan)
    return M2, M3


def _acceleration(M2: np.ndarray, M3: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(M2 > 0, M3 / (6.0 * M2**1.5), 0.0)


# ============================================================================ result
@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Bootstrap replicates and intervals for one :class:`~acsi.results.FitResult`.

    Tables (pandas, snake_case, numbers numeric):

    ``indexes``
        One row per unit and latent: unit columns, ``latent, index`` (the published
        full-sample value), ``se`` (analytic, from the fit), ``boot_se, bias, boot_mean,
        perc_lower, perc_upper, bca_lower, bca_upper, z0, acceleration``, replicate counts
        ``n_boot, n_used, n_not_converged, n_inadmissible, n_unscorable, n_refit`` and the
        unit's ``status``/``reason``.  :attr:`headline` keeps the headline latent only.
    ``estimates``
        One row per unit and parameter: ``lhs, op, rhs, statistic`` (``est`` or ``std_all``),
        ``estimate`` (published), ``se`` (analytic), then the bootstrap columns (``boot_se``,
        ``t_stat``, ``p_value``: see :func:`summarise`).  PLS units add weights (``<~``), total and
        indirect effects (``total``, ``indirect``) and HTMT (``htmt``) rows.
    ``changes``
        Period-to-period change of every latent index of the same unit, with the same columns.
    ``aggregates``, ``aggregate_changes``
        When ``weights`` were given: every row of the aggregation table (industry, sector,
        national) with bootstrap columns, and its period-to-period changes.
    ``counts``
        Per unit: replicates drawn, used, not converged, inadmissible, unscorable, refitted.
    ``pls_htmt``, ``pooled_estimates``, ``pooled_pls_htmt``
        PLS fits: per unit, each HTMT with its one-sided 95 % bootstrap upper bound and the flags
        on it; with units, the pooled fit bootstrapped the same way (:attr:`pooled`, a
        :class:`PLSBootstrapResult`: every statistic with SE, t, p, percentile and BCa intervals).
        The test (:data:`T_TEST`) and the sign rule (:data:`acsi.estimate.pls_batch.SIGN_RULE`) are
        stated in the summary and the manifest.
    """

    spec: ModelSpec
    groups: list
    n_boot: int
    seed: int
    level: float
    failed: str
    unit_keys: list
    unit_frame: pd.DataFrame
    stat_labels: list
    replicates: np.ndarray  # units × stats × B
    status: np.ndarray  # units × B
    refit: np.ndarray  # units × B
    jack_m2: np.ndarray  # units × stats
    jack_m3: np.ndarray
    published: np.ndarray  # units × stats
    analytic_se: np.ndarray  # units × stats
    aggregation: object = None
    agg_rows: np.ndarray | None = None
    pooled: PLSBootstrapResult | None = None  # PLS fits with units: the pooled fit's bootstrap
    meta: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        """Freeze the record: read-only arrays and mappings, a private copy of the unit frame."""
        for name in ("replicates", "status", "refit", "jack_m2", "jack_m3", "published", "analytic_se", "agg_rows"):
            arr = getattr(self, name)
            if isinstance(arr, np.ndarray):
                arr = arr.copy() if arr.flags.writeable else arr
                arr.flags.writeable = False
                object.__setattr__(self, name, arr)
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "unit_keys", tuple(self.unit_keys))
        object.__setattr__(self, "stat_labels", tuple(self.stat_labels))
        object.__setattr__(self, "unit_frame", self.unit_frame.copy())

    def __repr__(self) -> str:
        return (f"<BootstrapResult: {len(self.unit_keys)} units x {self.n_boot} replicates, seed {self.seed}, "
                f"{self.level:.0%} intervals, failed={self.failed!r}; see .summary(), .headline>")

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    # -------------------------------------------------------------- helpers
    @cached_property
    def _used(self) -> np.ndarray:
        ok = self.status == OK
        if self.failed == "keep":
            ok |= self.status == INADMISSIBLE
        return ok

    @cached_property
    def _agg_usable(self) -> np.ndarray:
        return self._used | (self.status == INADMISSIBLE)

    @cached_property
    def _masked(self) -> np.ndarray:
        return np.where(self._used[:, None, :], self.replicates, np.nan)

    def _counts_frame(self) -> pd.DataFrame:
        st = self.status
        return pd.DataFrame({
            "n_boot": np.full(len(st), self.n_boot),
            "n_used": self._used.sum(axis=1),
            "n_not_converged": (st == NOT_CONVERGED).sum(axis=1),
            "n_inadmissible": (st == INADMISSIBLE).sum(axis=1),
            "n_unscorable": (st == UNSCORABLE).sum(axis=1),
            "n_refit": self.refit.sum(axis=1),
        })

    def _table(self, kinds: tuple[str, ...]) -> pd.DataFrame:
        cols = [i for i, lab in enumerate(self.stat_labels) if lab[0] in kinds]
        U, S = len(self.unit_keys), len(cols)
        if U == 0 or S == 0:
            return pd.DataFrame()
        reps = self._masked[:, cols, :].reshape(U * S, -1)
        est = self.published[:, cols].reshape(-1)
        acc = _acceleration(self.jack_m2[:, cols], self.jack_m3[:, cols]).reshape(-1)
        summ = summarise(reps, est, acc, self.level)
        labs = [self.stat_labels[c] for c in cols]
        base = self.unit_frame.loc[np.repeat(np.arange(U), S)].reset_index(drop=True)
        counts = self._counts_frame().drop(columns="n_used").loc[np.repeat(np.arange(U), S)].reset_index(drop=True)
        if kinds == ("index",):
            lab = pd.DataFrame({"latent": [l_[1] for l_ in labs] * U, "index": est,
                                "se": self.analytic_se[:, cols].reshape(-1)})
        else:
            lab = pd.DataFrame({"lhs": [l_[1] for l_ in labs] * U, "op": [l_[2] for l_ in labs] * U,
                                "rhs": [l_[3] for l_ in labs] * U, "statistic": [l_[0] for l_ in labs] * U,
                                "estimate": est, "se": self.analytic_se[:, cols].reshape(-1)})
        return pd.concat([base.drop(columns=["status", "reason"]), lab, summ, counts,
                          base[["status", "reason"]]], axis=1)

    # -------------------------------------------------------------- tables
    @property
    def indexes(self) -> pd.DataFrame:
        return self._indexes.copy()

    @cached_property
    def _indexes(self) -> pd.DataFrame:
        return self._table(("index",))

    @property
    def headline(self) -> pd.DataFrame:
        return self._headline.copy()

    @cached_property
    def _headline(self) -> pd.DataFrame:
        t = self.indexes
        return t.loc[t["latent"] == self.spec.headline].reset_index(drop=True)

    @property
    def estimates(self) -> pd.DataFrame:
        return self._estimates.copy()

    @cached_property
    def _estimates(self) -> pd.DataFrame:
        return self._table(("est", "std_all"))

    @property
    def effects(self) -> pd.DataFrame:
        """Total and indirect effects (``statistic``; ``lhs`` the source, ``rhs`` the target) with
        bootstrap SEs and intervals (CB-SEM)."""
        return self._effects.copy()

    @cached_property
    def _effects(self) -> pd.DataFrame:
        return self._table(("total", "indirect"))

    @property
    def impacts(self) -> pd.DataFrame:
        """ACSI impacts (``lhs`` the driver, ``rhs`` the target: 0-100 points of the target from a
        5-point rise in the driver) with bootstrap SEs and intervals; each replicate uses its own
        item weights (CB-SEM)."""
        return self._impacts.copy()

    @cached_property
    def _impacts(self) -> pd.DataFrame:
        return self._table(("impact",))

    @property
    def counts(self) -> pd.DataFrame:
        return self._counts.copy()

    @cached_property
    def _counts(self) -> pd.DataFrame:
        return pd.concat([self.unit_frame.reset_index(drop=True), self._counts_frame()], axis=1)

    def index_replicates(self, latent: str | None = None) -> pd.DataFrame:
        """Wide table of index replicates: one row per unit, one column per replicate (NaN = excluded)."""
        latent = latent or self.spec.headline
        col = self.stat_labels.index(("index", latent, "", ""))
        df = pd.DataFrame(self._masked[:, col, :], columns=[f"r{b}" for b in range(self.n_boot)])
        return pd.concat([self.unit_frame.drop(columns=["status", "reason"]).reset_index(drop=True), df], axis=1)

    @property
    def changes(self) -> pd.DataFrame:
        return self._changes.copy()

    @cached_property
    def _changes(self) -> pd.DataFrame:
        """Change of each latent index between consecutive measured periods of the same unit."""
        period = self.meta.get("period")
        if not period or period not in self.groups or len(self.unit_keys) < 2:
            return pd.DataFrame()
        others = [g for g in self.groups if g != period]
        uf = self.unit_frame.reset_index(drop=True)
        try:
            t, _ = parse_periods(uf[period].reset_index(drop=True), table="bootstrap units")
            t = np.asarray(t)
        except (AggregationError, ValueError, TypeError):  # unparseable periods: sort the labels
            t = pd.factorize(uf[period].astype(str), sort=True)[0]
        key = uf[others].astype(str).agg("\x1f".join, axis=1) if others else pd.Series([""] * len(uf))
        order = pd.DataFrame({"k": key, "t": t, "i": np.arange(len(uf))}).sort_values(["k", "t"])
        prev = order.groupby("k")["i"].shift(1)
        prev_t = order.groupby("k")["t"].shift(1)
        pairs = order.assign(prev=prev, prev_t=prev_t).dropna(subset=["prev"])
        pairs = pairs.loc[pairs["t"] - pairs["prev_t"] == 1]
        if pairs.empty:
            return pd.DataFrame()
        a = pairs["prev"].to_numpy(dtype=np.int64)
        b = pairs["i"].to_numpy(dtype=np.int64)
        cols = [i for i, lab in enumerate(self.stat_labels) if lab[0] == "index"]
        R = self._masked
        reps = (R[b][:, cols, :] - R[a][:, cols, :]).reshape(len(b) * len(cols), -1)
        est = (self.published[b][:, cols] - self.published[a][:, cols]).reshape(-1)
        m2 = (self.jack_m2[b][:, cols] + self.jack_m2[a][:, cols]).reshape(-1)
        m3 = (self.jack_m3[b][:, cols] - self.jack_m3[a][:, cols]).reshape(-1)
        summ = summarise(reps, est, _acceleration(m2, m3), self.level)
        S = len(cols)
        head = uf.loc[np.repeat(b, S), others + [period]].reset_index(drop=True)
        head.insert(len(others), "period_from", np.repeat(uf[period].to_numpy()[a], S))
        lab = pd.DataFrame({"latent": [self.stat_labels[c][1] for c in cols] * len(b), "change": est})
        return pd.concat([head, lab, summ], axis=1)

    @property
    def aggregates(self) -> pd.DataFrame:
        return self._aggregates.copy()

    @cached_property
    def _aggregates(self) -> pd.DataFrame:
        """Aggregation table rows (industry, sector, national) with bootstrap columns."""
        if self.aggregation is None:
            return pd.DataFrame()
        reps, est, m2, m3 = self._aggregate_arrays
        summ = summarise(reps, est, _acceleration(m2, m3), self.level)
        t = self.aggregation.table()
        keep = ["period", "level", "unit", "parent", "index", "se", "n_units", "published"]
        return pd.concat([t[[c for c in keep if c in t.columns]].reset_index(drop=True), summ], axis=1)

    @cached_property
    def _aggregate_arrays(self):
        agg = self.aggregation
        h = self.stat_labels.index(("index", self.spec.headline, "", ""))
        # measurement m -> unit position; a unit replicate enters the aggregates whenever its
        # index is defined (see "Aggregates" in the module docstring)
        R = np.where(self._agg_usable[:, None, :], self.replicates, np.nan)[self.agg_rows, h, :]
        with np.errstate(invalid="ignore"):
            reps = agg.combine(R)
        est = agg.combine(self.published[self.agg_rows, h])
        C = agg.coefficients
        m2 = np.asarray(C.power(2) @ np.nan_to_num(self.jack_m2[self.agg_rows, h])).ravel()
        m3 = np.asarray(C.power(3) @ np.nan_to_num(self.jack_m3[self.agg_rows, h])).ravel()
        return reps, est, m2, m3

    @property
    def aggregate_changes(self) -> pd.DataFrame:
        return self._aggregate_changes.copy()

    @cached_property
    def _aggregate_changes(self) -> pd.DataFrame:
        """Change of every aggregate from the previous period (``lag = 1``) and from the same
        period a year earlier (``lag`` = periods per year), same level and unit."""
        if self.aggregation is None:
            return pd.DataFrame()
        t = self.aggregation.table()
        tt, freq = parse_periods(t["period"].reset_index(drop=True), table="aggregates")
        key = pd.DataFrame({"level": t["level"].to_numpy(), "unit": t["unit"].astype(str).to_numpy(),
                            "t": np.asarray(tt), "i": np.arange(len(t))})
        reps, est, _, _ = self._aggregate_arrays
        C = self.aggregation.coefficients.tocsr()
        h = self.stat_labels.index(("index", self.spec.headline, "", ""))
        j2 = np.nan_to_num(self.jack_m2[self.agg_rows, h])
        j3 = np.nan_to_num(self.jack_m3[self.agg_rows, h])
        frames = []
        for lag, name in sorted({(1, "change"), (PERIODS_PER_YEAR.get(freq, 1), "change_yoy")}):
            m = key.merge(key.assign(t=key["t"] + lag), on=["level", "unit", "t"], suffixes=("", "_prev"))
            if m.empty:
                continue
            a, b = m["i_prev"].to_numpy(), m["i"].to_numpy()
            D = (C[b] - C[a]).tocsr()
            m2 = np.asarray(D.power(2) @ j2).ravel()
            m3 = np.asarray(D.power(3) @ j3).ravel()
            summ = summarise(reps[b] - reps[a], est[b] - est[a], _acceleration(m2, m3), self.level)
            se_col = f"{name}_se"
            head = pd.DataFrame({"lag": lag, "period_from": t["period"].to_numpy()[a], "period": t["period"].to_numpy()[b],
                                 "level": t["level"].to_numpy()[b], "unit": t["unit"].to_numpy()[b],
                                 "change": est[b] - est[a],
                                 "change_se": t[se_col].to_numpy()[b] if se_col in t else np.nan})
            frames.append(pd.concat([head, summ], axis=1))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # -------------------------------------------------------------- output
    def summary(self) -> Summary:
        """Options, replicate counts and the headline intervals (a :class:`~acsi.summary.Summary`)."""
        c = self._counts_frame().sum()
        text = (
            f"replicates per unit: {self.n_boot}; seed {self.seed}; {self.level:.0%} intervals; "
            f"failed replicates: {self.failed}\nunits bootstrapped: {len(self.unit_keys)}; "
            f"replicates used {int(c['n_used'])} of {self.n_boot * len(self.unit_keys)} "
            f"({int(c['n_not_converged'])} not converged, {int(c['n_inadmissible'])} inadmissible, "
            f"{int(c['n_unscorable'])} unscorable, {int(c['n_refit'])} refitted)\n"
            f"backend: {self.meta.get('backend')}; time {self.meta.get('seconds', float('nan')):.1f} s"
        )
        sections = [("Bootstrap", text)]
        cols = [*self.groups, "index", "se", "boot_se", "perc_lower", "perc_upper", "bca_lower", "bca_upper", "n_used"]
        h = self._headline
        if len(h):
            sections.append((f"Index of {self.spec.headline}: bootstrap intervals", h[[c for c in cols if c in h]]))
        if self.aggregation is not None:
            a = self._aggregates
            a = a.loc[a["level"].isin(["sector", "national"])]
            sections.append(("Aggregates (sector, national)", a[["period", "level", "unit", "index", "se", "boot_se",
                                                                  "bca_lower", "bca_upper"]]))
        if self.meta.get("estimator") == "pls":
            sections.append(("PLS inference (every path, effect, loading, weight, R² and HTMT in bootstrap_estimates)",
                             f"test: {T_TEST}\nsigns: {SIGN_RULE}\nHTMT: one-sided 95% bootstrap upper bound against "
                             "0.85 and 0.90 in bootstrap_pls_htmt (pooled fit: the bootstrap_pooled_* tables)"))
            if self.pooled is not None:
                c = self.pooled.counts
                cols = ["lhs", "op", "rhs", "estimate", "boot_se", "t_stat", "p_value", "perc_lower", "perc_upper",
                        "bca_lower", "bca_upper"]
                sections.append((f"Pooled PLS paths: bootstrap inference ({c['n_used']} of {c['n_boot']} replicates used)",
                                 self.pooled.paths[cols]))
        return Summary("acsi bootstrap", sections)

    def _reflective_htmt(self, labels, published, replicates) -> pd.DataFrame:
        from .estimate.pls_quality import htmt_bounds

        refl = set(self.meta.get("pls_reflective") or ())
        t = htmt_bounds(labels, published, replicates)
        return t.loc[t["latent_a"].isin(refl) & t["latent_b"].isin(refl)].reset_index(drop=True)

    @cached_property
    def _pls_htmt(self) -> pd.DataFrame:
        units = self.unit_frame.drop(columns=["status", "reason"]).reset_index(drop=True)
        frames = []
        for i in range(len(self.unit_keys)):
            t = self._reflective_htmt(self.stat_labels, self.published[i], self._masked[i])
            frames.append(pd.concat([units.loc[np.repeat(i, len(t))].reset_index(drop=True), t], axis=1))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def pls_htmt(self) -> pd.DataFrame:
        """PLS fits: per unit, the HTMT of every pair of reflective latents with its one-sided 95% bootstrap
        upper bound and the flags on it (below 0.85 / 0.90); :func:`acsi.estimate.pls_quality.htmt_bounds`."""
        return self._pls_htmt.copy()

    @property
    def pooled_pls_htmt(self) -> pd.DataFrame:
        """:attr:`pls_htmt` of the pooled fit (PLS fits with units)."""
        p = self.pooled
        if p is None:
            return pd.DataFrame()
        return self._reflective_htmt(p.labels, p.published, np.where(p._used[None, :], p.replicates, np.nan))

    @property
    def pooled_estimates(self) -> pd.DataFrame:
        """PLS fits with units: every statistic of the pooled fit with its bootstrap inference and replicate counts."""
        if self.pooled is None:
            return pd.DataFrame()
        c = self.pooled.counts
        return self.pooled.estimates.assign(n_boot=c["n_boot"], n_not_converged=c["n_not_converged"],
                                            n_inadmissible=c["n_inadmissible"], n_unscorable=c["n_unscorable"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file stem (copies), as :meth:`save` writes them."""
        out = {"bootstrap_indexes": self.indexes, "bootstrap_estimates": self.estimates,
               "bootstrap_counts": self.counts}
        if len(self._impacts):
            out["bootstrap_impacts"] = self.impacts
        if len(self._effects):
            out["bootstrap_effects"] = self.effects
        if len(self._changes):
            out["bootstrap_changes"] = self.changes
        if self.aggregation is not None:
            out["bootstrap_aggregates"] = self.aggregates
            if len(self._aggregate_changes):
                out["bootstrap_aggregate_changes"] = self.aggregate_changes
        if self.meta.get("estimator") == "pls":
            out["bootstrap_pls_htmt"] = self.pls_htmt
        if self.pooled is not None:
            out["bootstrap_pooled_estimates"] = self.pooled_estimates
            out["bootstrap_pooled_pls_htmt"] = self.pooled_pls_htmt
        return out

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write every table as CSV and Parquet (``bootstrap_*``), ``bootstrap_summary.txt`` and
        ``bootstrap_manifest.json`` (the files with size and SHA-256, provenance, options).

        The files are added to ``out_dir`` whole or not at all, replacing an earlier bootstrap there;
        a folder holding another fit than the one bootstrapped is refused (the manifest records the
        fit's ``fit_run_id``; :func:`acsi.tables.write_result`).
        """
        header = {**{k: v for k, v in self.meta.items()
                     if k in ("run_id", "fit_run_id", "created_utc", "versions", "input_sha256_16")},
                  "options": dict(self.meta.get("options") or {}), "n_boot": self.n_boot, "seed": self.seed,
                  "level": self.level, "failed": self.failed, "units": len(self.unit_keys),
                  "skipped": [[list(k), r] for k, r in self.meta.get("skipped", ())]}
        if self.meta.get("estimator") == "pls":
            header.update(sign_rule=SIGN_RULE, test=T_TEST)
        return write_result(out_dir, self.tables(), texts={"bootstrap_summary.txt": self.summary().as_text() + "\n"},
                            manifest="bootstrap_manifest.json", kind="bootstrap", header=header, add=True,
                            belongs_to=self.meta.get("fit_run_id"))


# ============================================================================ public entry
@validate_params(
    "bootstrap",
    n_boot=Integer(min=2),
    seed=(None, Integer(min=0)),
    n_jobs=JOBS,
    failed=OneOf(*FAILED_POLICIES),
    level=Real(0, 1, closed="neither"),
    bca=Boolean(),
    jackknife_groups=(None, Integer(min=3)),
    weights=(None, InstanceOf(pd.DataFrame, desc="a DataFrame of sales weights")),
    aggregate_options=(None, InstanceOf(dict, desc="a dict of acsi.aggregate options")),
    progress=Boolean(),
)
def bootstrap(
    fit,
    n_boot: int = 1000,
    *,
    seed: int | None = None,
    strata=None,
    n_jobs: int = 1,
    scheduler=None,
    failed: str = "exclude",
    level: float | None = None,
    bca: bool = True,
    jackknife_groups: int | None = 500,
    weights: pd.DataFrame | None = None,
    aggregate_options: dict | None = None,
    progress: bool | None = None,
) -> BootstrapResult:
    """Nonparametric bootstrap of unit indexes, parameters, changes and aggregates.

    Parameters
    ----------
    fit : FitResult
        A fitted result of :func:`acsi.fit` (usually called as ``fit.bootstrap(...)``).  The
        bootstrap never fits raw data: fit the survey first.
    n_boot : int
        Replicates per unit.
    seed : int, optional
        Root of every random stream; ``None`` draws one (recorded in the result).
        The same seed gives the same numbers for any ``n_jobs`` and backend.
    strata : str, list of str, or array-like, optional
        Resample within these strata inside every unit: column name(s) of the fitted
        data, or one value per row of the original survey.
    n_jobs : int
        Local joblib workers (-1: all cores).  Ignored with ``scheduler``.
    scheduler : None, str or dask.distributed.Client
        Run on a Dask cluster: ``"tcp://host:8786"`` or a ``Client``.
    failed : {"exclude", "refit", "keep"}
        What to do with replicates that do not converge or are inadmissible (see module
        docstring).  Their counts are always reported.  PLS fits: ``"exclude"`` or ``"keep"``
        (PLS has no start values to refit from).
    level : float, optional
        Confidence level (default: the fit's ``confidence``).
    bca : bool
        Compute the jackknife acceleration for BCa intervals (else ``a = 0``: bias-corrected
        percentile intervals).
    jackknife_groups : int or None
        At most this many delete-a-group jackknife refits per unit for the BCa acceleration
        (default 500; ``None``: always leave-one-out, n refits per unit).
    weights : DataFrame, optional
        Sales weights: aggregate with :func:`acsi.aggregate.aggregate` and bootstrap every
        aggregate (industry, sector, national) and its changes.
    aggregate_options : dict, optional
        Passed to :func:`acsi.aggregate.aggregate` (``window``, ``partial_windows``, ...).
    progress : bool, optional
        Progress bar (``tqdm.auto``, terminal or notebook); default: when there are 20
        tasks or more.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    InvalidParameterError
        Bad ``n_boot``, ``failed``, ``level``, ``n_jobs``, ``jackknife_groups``... (a ValueError).
    AcsiError
        ``fit`` is not a fitted result, unknown strata columns, a scheduler of the wrong type,
        or no unit to bootstrap.

    Examples
    --------
    >>> boot = fit.bootstrap(n_boot=1000, seed=7, n_jobs=2)               # doctest: +SKIP
    >>> boot.headline[["company", "index", "boot_se", "bca_lower", "bca_upper", "n_used"]]  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    _check_fitted(fit)
    if fit.options.get("missing") == "fiml":
        raise EstimationError(
            "the bootstrap resamples complete respondents and does not support fits with missing='fiml' yet; "
            "bootstrap a fit with missing='listwise', or use the FIML standard errors in fit.estimates"
        )
    if fit.estimator == "pls" and failed == "refit":
        raise InvalidParameterError(
            "The 'failed' parameter of bootstrap must be 'exclude' or 'keep' for a PLS fit (PLS has no start values "
            "to refit a replicate from: its iteration always starts from unit weights). Got 'refit' instead."
        )
    spec = fit.spec
    level = float(fit.options.get("confidence", 0.95) if level is None else level)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    model = None
    if fit.estimator == "sem":
        from .estimate.mlfast import RamModel
        from .pipeline import TABLE_OPTIONS

        table = {k: v for k, v in (fit.options.get("estimator_options") or {}).items() if k in TABLE_OPTIONS}
        model = RamModel(spec, **table)  # the fit's parameter table (std_lv, fixed_x)
    elif fit.estimator == "pls":
        model = _pls_model(spec, fit.options.get("estimator_options") or {})
    from .estimate.mlfast import blas_single_thread

    outcomes = _outcomes(fit)
    with blas_single_thread():
        units, skipped = _collect_units(fit, spec, strata, jackknife_groups, model)
    labels, est_index, std_index = _stat_labels(spec, fit.estimator, model, outcomes)
    ctx = _Context(
        spec=spec, estimator=fit.estimator, model=model, seed_entropy=int(seed), n_boot=int(n_boot), failed=failed,
        options=dict(fit.options.get("estimator_options") or {}), stat_labels=labels, est_index=est_index,
        std_index=std_index,
        lo=np.array([spec.scale_bounds.get(i, (np.nan, np.nan))[0] for i in _moment_columns(spec, fit.estimator)]),
        hi=np.array([spec.scale_bounds.get(i, (np.nan, np.nan))[1] for i in _moment_columns(spec, fit.estimator)]),
        weighted=fit.options.get("weight") is not None, columns=tuple(_moment_columns(spec, fit.estimator)),
        effect_pairs=tuple(_sem_effect_pairs(model)) if fit.estimator == "sem" else (),
    )
    if scheduler is not None:
        n_workers = _dask_workers(scheduler)
        backend = "dask"
    else:
        n_workers = (os.cpu_count() or 1) if n_jobs < 0 else int(n_jobs)
        backend = "serial" if n_workers == 1 else f"joblib ({n_workers} workers)"
    check_replicate_memory(n_boot, len(units), len(labels))
    tasks = _plan(units, n_boot, bca, n_workers)
    if progress is None:
        progress = len(tasks) >= PROGRESS_MIN_ITEMS
    log.info("bootstrap: %d units, %d replicates each, %d tasks (%s)", len(units), n_boot, len(tasks), backend)
    # threads of this process (a threaded Dask cluster) get their BLAS thread count from the
    # main thread: OpenBLAS ignores a limit set from another thread
    with blas_single_thread():
        raw = _execute(ctx, tasks, n_jobs=n_jobs, scheduler=scheduler, progress=progress)
    result = _assemble(fit, ctx, outcomes, units, skipped, raw, n_boot, bca, level, failed, seed)
    agg = {}
    if weights is not None:
        agg = _with_aggregation(result, fit, weights, aggregate_options or {})
    if fit.estimator == "pls" and fit.groups:
        agg["pooled"] = _pooled_pls(fit, ctx, strata, n_boot=n_boot, seed=seed, level=level, bca=bca,
                                    jackknife_groups=jackknife_groups, failed=failed)
    options = {"n_boot": int(n_boot), "seed": int(seed), "strata": strata if isinstance(strata, (str, list)) else
               (None if strata is None else "array"), "n_jobs": n_jobs, "failed": failed, "level": level, "bca": bca,
               "jackknife_groups": jackknife_groups, "aggregate_options": dict(aggregate_options or {}),
               "weights": weights is not None}
    meta = {**result.meta, **stamp(options), "input_sha256_16": fit.provenance.get("input_sha256_16"),
            "fit_run_id": fit.provenance.get("run_id"),
            "backend": backend, "seconds": time.perf_counter() - t0, "n_tasks": len(tasks),
            "period": fit.options.get("period"), "estimator": fit.estimator}
    if fit.estimator == "pls":
        meta["pls_reflective"] = [lv for lv, b in zip(model.m.latents, model.m.mode_b) if not b]
    return replace(result, meta=meta, **agg)


def _pooled_pls(fit, ctx, strata, **kw) -> PLSBootstrapResult | None:
    """The pooled PLS fit bootstrapped like a unit (the units' batched model, key ``<pooled>``), or None."""
    o = fit.pooled
    res = None if o is None or o.status == "failed" else o.extra.get("pls")
    if res is None:
        return None
    codes = _strata_codes(fit, fit.prepared.data, strata)
    if codes is not None:
        codes = np.unique(codes, return_inverse=True)[1].astype(np.int64)
    v = res._a.v if res._a.v is not None else np.ones(res._a.X.shape[0])
    return _bootstrap_sample(ctx.model, res._a.X, v, codes, key=("<pooled>",), **kw)


def _check_fitted(fit) -> None:
    """A fitted result (duck-typed: the bootstrap sits below acsi.results and never fits data itself)."""
    needed = ("spec", "estimator", "groups", "outcomes", "pooled", "prepared", "options")
    if all(hasattr(fit, a) for a in needed) and fit.prepared is not None:
        return
    if isinstance(fit, (pd.DataFrame, str, Path)):
        raise AcsiError(
            f"bootstrap takes a fitted result, not survey data ({type(fit).__name__}); fit first and bootstrap the "
            "result: fit = acsi.fit(survey, model, unit='company', ...), then boot = fit.bootstrap(n_boot=1000, seed=7)"
        )
    raise AcsiError(
        f"bootstrap needs a FitResult from acsi.fit (with its survey answers: not one loaded from files); "
        f"got {type(fit).__name__}"
    )


def replicate_bytes(n_boot: int, n_units: int = 1, n_stats: int = 1) -> int:
    """Memory the replicates of a bootstrap take (bytes): the ``units x statistics x replicates``
    array of float64 with its status and refit flags, counted twice (the workers' results and
    the assembled array exist together)."""
    return 2 * int(n_units) * int(n_boot) * (8 * int(n_stats) + 2)


def _available_memory() -> int | None:
    """Bytes of memory available to this process now (``MemAvailable`` on Linux); None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - platforms without sysconf
        return None


def check_replicate_memory(n_boot: int, n_units: int = 1, n_stats: int = 1, *, available: int | None = None) -> None:
    """Refuse, before any work, a bootstrap whose replicates would not fit in memory.

    The need is :func:`replicate_bytes`; it is compared with the memory available now
    (``available``, default: ``MemAvailable``).  With one unit and one statistic it is a
    lower bound that the command line checks before the fit.  Raises
    :class:`~acsi.errors.InvalidParameterError` (``n_boot``) with the estimate.
    """
    from .options import invalid
    from .tables import format_size

    need = replicate_bytes(n_boot, n_units, n_stats)
    have = _available_memory() if available is None else available
    if have is not None and need > have:
        exc = invalid("bootstrap", "n_boot", "a number of replicates whose results fit in memory", n_boot,
                      f" {n_boot} replicates x {n_units} unit(s) x {n_stats} statistic(s) need about "
                      f"{format_size(need)}, and {format_size(have)} is available: use fewer replicates "
                      "(1000 to 10000 is usual) or fewer units.")
        raise exc


def check_scheduler(address: str, *, timeout: float = 5.0) -> None:
    """Refuse, before any work, a Dask scheduler address that cannot be reached (one TCP connection)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme not in ("tcp", "tls") or not host or not port:
        raise InvalidParameterError(f"scheduler address {address!r} is not of the form tcp://host:port "
                                    "(e.g. tcp://10.0.0.5:8786, what `dask scheduler` prints)")
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise AcsiError(f"cannot reach the Dask scheduler {address}: {exc.strerror or exc}; start it "
                        "(`dask scheduler`), check the address and the network, or run without --scheduler "
                        "to use local workers") from None


def _dask_workers(scheduler) -> int:
    """Workers of a Dask Client (4 when unknown, e.g. an address not yet connected)."""
    from .parallel import worker_count

    return worker_count(scheduler=scheduler)


def _assemble(fit, ctx, outs, units, skipped, raw, n_boot, bca, level, failed, seed) -> BootstrapResult:
    U, S = len(units), len(ctx.stat_labels)
    if U == 0:
        reasons = "; ".join(f"{'/'.join(map(str, outs[p].key))}: {r}" for p, r in skipped[:5])
        raise AcsiError(f"no unit can be bootstrapped: every unit failed in the fit ({reasons})")
    row_of = {u.pos: i for i, u in enumerate(units)}
    reps = np.full((U, S, n_boot), np.nan)
    status = np.full((U, n_boot), NOT_CONVERGED, dtype=np.int8)
    refit = np.zeros((U, n_boot), dtype=bool)
    jack = [np.full((S, u.n_groups), np.nan) for u in units]
    for pos, kind, b, vals, st, rf in raw:
        i = row_of[pos]
        r0 = b * BLOCK
        if kind == "boot":
            reps[i, :, r0:r0 + len(st)] = vals.T
            status[i, r0:r0 + len(st)] = st
            refit[i, r0:r0 + len(st)] = rf
        else:
            good = (st == OK) | ((st == INADMISSIBLE) & (failed == "keep"))
            jack[i][:, r0:r0 + len(st)] = np.where(good[None, :], vals.T, np.nan)
    m2 = np.full((U, S), np.nan)
    m3 = np.full((U, S), np.nan)
    if bca:
        for i in range(U):
            m2[i], m3[i] = _jackknife_moments(jack[i])
    published, analytic = _published(outs, ctx, units)
    groups = list(fit.groups) or ["unit"]
    frame = pd.DataFrame([dict(zip(groups, u.key)) for u in units], columns=groups)
    if fit.groups:
        units_all = fit.units
        units_tab = units_all.set_index(groups)
        for c in [c for c in fit.carry if c in units_all.columns]:
            frame[c] = [units_tab.loc[u.key if len(u.key) > 1 else u.key[0], c] for u in units]
    frame["status"] = [outs[u.pos].status for u in units]
    frame["reason"] = [outs[u.pos].reason for u in units]
    return BootstrapResult(
        spec=ctx.spec, groups=groups, n_boot=int(n_boot), seed=int(seed), level=level, failed=failed,
        unit_keys=[u.key for u in units], unit_frame=frame, stat_labels=ctx.stat_labels, replicates=reps,
        status=status, refit=refit, jack_m2=m2, jack_m3=m3, published=published, analytic_se=analytic,
        meta={"skipped": [(outs[p].key, r) for p, r in skipped]},
    )


def _published(outs, ctx, units):
    """Published full-sample values and analytic SEs, aligned with ``ctx.stat_labels``."""
    U, S = len(units), len(ctx.stat_labels)
    pub = np.full((U, S), np.nan)
    ase = np.full((U, S), np.nan)
    pos_of = {lab: i for i, lab in enumerate(ctx.stat_labels)}
    for i, u in enumerate(units):
        o = outs[u.pos]
        ix = o.index.set_index("latent")
        for lv in ctx.spec.latent_ids:
            j = pos_of[("index", lv, "", "")]
            if lv in ix.index:
                pub[i, j] = float(ix.loc[lv, "index"])
                ase[i, j] = float(ix.loc[lv, "se"])
        if o.estimates is not None:
            e = o.estimates
            for r in zip(e["lhs"], e["op"], e["rhs"], e["est"], e["se"], e["std_all"]):
                lab = (str(r[0]), str(r[1]), str(r[2]))
                if ("est", *lab) in pos_of:
                    pub[i, pos_of[("est", *lab)]] = float(r[3])
                    ase[i, pos_of[("est", *lab)]] = float(r[4])
                if ("std_all", *lab) in pos_of:
                    pub[i, pos_of[("std_all", *lab)]] = float(r[5])
        _effect_rows(ctx.stat_labels, o, lambda j, est, se: (pub[i].__setitem__(j, est), ase[i].__setitem__(j, se)))
        if ctx.estimator == "pls" and ctx.model is not None:  # statistics the unit table does not carry
            from .estimate.pls_batch import replicate_statistics

            full, _ = replicate_statistics(ctx.model, u.X, u.v[None, :])
            pub[i] = np.where(np.isnan(pub[i]), full[0], pub[i])
    return pub, ase


def _pls_model(spec: ModelSpec, options: dict):
    """The batched PLS model of ``spec`` with the fit's PLS options (see :mod:`acsi.estimate.pls_batch`)."""
    from .estimate.pls_batch import batch_model
    from .pipeline import PLS_FIT_OPTIONS

    kw = {k: v for k, v in options.items() if k in PLS_FIT_OPTIONS}
    return batch_model(spec.blocks, list(spec.paths), scale_bounds=dict(spec.scale_bounds), headline=spec.headline, **kw)


def _with_aggregation(result: BootstrapResult, fit, weights, options) -> dict:
    """``aggregation`` and ``agg_rows`` for :func:`dataclasses.replace`: the aggregation of the fit's indexes."""
    indexes = fit.indexes
    agg = aggregate(indexes, weights, **options)
    meas = agg.measurements
    # measurement row -> position of the unit in fit.outcomes (fit.indexes has one row per outcome)
    unit_pos = {key: i for i, key in enumerate(result.unit_keys)}
    rows = np.empty(len(meas), dtype=np.int64)
    for m, r in enumerate(meas["row"].to_numpy(dtype=np.int64)):
        key = tuple(fit.outcomes[int(r)].key)
        if key not in unit_pos:
            raise AggregationError(
                f"aggregated unit {key} has no bootstrap replicates (its fit failed or it was skipped); "
                "this should not happen: unit rows with a failed fit are excluded from the aggregation"
            )
        rows[m] = unit_pos[key]
    # consistency: the aggregation of the published indexes must reproduce the aggregation table
    h = result.stat_labels.index(("index", result.spec.headline, "", ""))
    check = agg.combine(result.published[rows, h])
    tab = agg.table()["index"].to_numpy(dtype=float)
    if not np.allclose(np.nan_to_num(check), np.nan_to_num(tab), rtol=0, atol=1e-8):
        raise AggregationError(
            "AggregateResult.combine() does not reproduce AggregateResult.table()['index'] "
            f"(max difference {np.nanmax(np.abs(check - tab)):.3g}); the coefficient rows are not in table order"
        )
    return {"aggregation": agg, "agg_rows": rows}


# ============================================================================ PLS: one sample
@dataclass(frozen=True, eq=False)
class PLSBootstrapResult:
    """Bootstrap inference for every statistic of one PLS fit (:func:`bootstrap_pls`).

    ``estimates`` has one row per statistic of :mod:`acsi.estimate.pls_batch`: ``lhs, op, rhs``
    (``=~`` loading, ``<~`` weight, ``~`` path, ``r2``, ``total``, ``indirect``, ``htmt``; and
    ``kind`` ``index`` rows), ``estimate`` (full sample), ``boot_mean, bias, boot_se, t_stat,
    p_value`` (two-sided, H0: 0; meaningful for loadings, weights, paths and effects),
    percentile and BCa intervals at ``level`` and ``n_used``.  Replicates whose PLSc solution is
    inadmissible, or that do not converge, are left out (``counts``).  The views ``paths``,
    ``effects``, ``loadings``, ``weights``, ``r2`` and ``htmt`` select rows of ``estimates``.
    """

    labels: tuple
    replicates: np.ndarray  # stats × B
    status: np.ndarray  # B
    published: np.ndarray  # stats
    jack_m2: np.ndarray
    jack_m3: np.ndarray
    n_boot: int
    seed: int
    level: float
    n_jackknife: int
    meta: dict = field(default_factory=dict)
    failed: str = "exclude"

    @cached_property
    def _used(self) -> np.ndarray:
        """Replicates the statistics use: estimated, and inadmissible ones too with ``failed="keep"``."""
        return (self.status == OK) | ((self.status == INADMISSIBLE) & (self.failed == "keep"))

    @cached_property
    def counts(self) -> dict:
        st = self.status
        return {"n_boot": int(self.n_boot), "n_used": int(self._used.sum()), "n_not_converged": int((st == NOT_CONVERGED).sum()),
                "n_inadmissible": int((st == INADMISSIBLE).sum()), "n_unscorable": int((st == UNSCORABLE).sum()),
                "n_jackknife": int(self.n_jackknife)}

    @cached_property
    def estimates(self) -> pd.DataFrame:
        reps = np.where(self._used[None, :], self.replicates, np.nan)
        summ = summarise(reps, self.published, _acceleration(self.jack_m2, self.jack_m3), self.level)
        lab = pd.DataFrame(list(self.labels), columns=["kind", "lhs", "op", "rhs"])
        lab.loc[lab["kind"] == "index", "op"] = "index"
        return pd.concat([lab[["lhs", "op", "rhs"]], pd.DataFrame({"estimate": self.published}), summ], axis=1)

    def _ops(self, *ops: str) -> pd.DataFrame:
        e = self.estimates
        return e.loc[e["op"].isin(ops)].reset_index(drop=True)

    @property
    def paths(self) -> pd.DataFrame:
        return self._ops("~")

    @property
    def effects(self) -> pd.DataFrame:
        return self._ops("~", "total", "indirect")

    @property
    def loadings(self) -> pd.DataFrame:
        return self._ops("=~")

    @property
    def weights(self) -> pd.DataFrame:
        return self._ops("<~")

    @property
    def r2(self) -> pd.DataFrame:
        return self._ops("r2")

    @property
    def htmt(self) -> pd.DataFrame:
        return self._ops("htmt")

    @property
    def indexes(self) -> pd.DataFrame:
        return self._ops("index")

    def significance(self, alpha: float | None = None) -> pd.DataFrame:
        """``estimates`` of loadings, weights, paths and effects with ``significant`` = ``p_value < alpha``.

        ``alpha`` defaults to ``1 − level``; the test is the two-sided bootstrap t test of
        ``estimate = 0`` (:func:`summarise`).  The ``test`` column says so, so that a report marks
        significance only where this test was computed.
        """
        alpha = 1.0 - self.level if alpha is None else float(alpha)
        e = self._ops("=~", "<~", "~", "total", "indirect")
        return e.assign(significant=e["p_value"] < alpha,
                        test=f"bootstrap t, two-sided, alpha {alpha:g}, {self.counts['n_used']} replicates")

    def summary(self):
        from .summary import Summary

        c = self.counts
        text = (f"{self.n_boot} bootstrap replicates (seed {self.seed}), {c['n_used']} used "
                f"({c['n_not_converged']} not converged, {c['n_inadmissible']} inadmissible PLSc); "
                f"{self.level:.0%} intervals; BCa acceleration from {self.n_jackknife} jackknife groups\n"
                f"test: {T_TEST}\nsigns: {SIGN_RULE}")
        cols = ["lhs", "op", "rhs", "estimate", "boot_se", "t_stat", "p_value", "perc_lower", "perc_upper", "bca_lower", "bca_upper"]
        return Summary("acsi PLS bootstrap", [("Bootstrap", text), ("Paths", self.paths[cols]),
                                               ("Total and indirect effects", self._ops("total", "indirect")[cols]),
                                               ("HTMT", self.htmt[cols])])

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"pls_bootstrap_estimates": self.estimates, "pls_bootstrap_counts": pd.DataFrame([self.counts])}

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write ``pls_bootstrap_estimates`` and ``pls_bootstrap_counts`` (CSV and Parquet),
        ``pls_bootstrap_summary.txt`` and ``pls_bootstrap_manifest.json`` (:func:`acsi.tables.write_result`)."""
        header = {"n_boot": self.n_boot, "seed": self.seed, "level": self.level, "counts": self.counts,
                  "sign_rule": SIGN_RULE, "test": T_TEST}
        return write_result(out_dir, self.tables(), texts={"pls_bootstrap_summary.txt": self.summary().as_text() + "\n"},
                            manifest="pls_bootstrap_manifest.json", kind="pls_bootstrap", header=header)


def pls_unit_bootstrap(boot: BootstrapResult, key) -> PLSBootstrapResult:
    """The PLS replicates of one unit of a :func:`bootstrap` result, as a :class:`PLSBootstrapResult`.

    ``key`` is the unit's key tuple (``boot.unit_keys``).  Replicates are used as in
    ``boot.estimates`` (the ``failed`` policy); the result feeds
    :func:`acsi.estimate.pls_quality.assess` (HTMT bounds) and :meth:`PLSBootstrapResult.significance`.
    """
    key = tuple(key) if isinstance(key, (tuple, list)) else (key,)
    if key not in [tuple(k) for k in boot.unit_keys]:
        raise InvalidParameterError(f"The 'key' parameter of pls_unit_bootstrap must be one of {boot.unit_keys[:5]}... Got {key!r} instead.")
    i = [tuple(k) for k in boot.unit_keys].index(key)
    status = np.where(boot._used[i], OK, np.where(boot.status[i] == OK, INADMISSIBLE, boot.status[i])).astype(np.int8)
    return PLSBootstrapResult(labels=tuple(boot.stat_labels), replicates=boot.replicates[i], status=status,
                              published=boot.published[i], jack_m2=boot.jack_m2[i], jack_m3=boot.jack_m3[i],
                              n_boot=boot.n_boot, seed=boot.seed, level=boot.level, n_jackknife=0,
                              meta={"unit": key})


def bootstrap_pls(res, *, n_boot: int = 1000, seed: int | None = None, level: float = 0.95, bca: bool = True,
                  jackknife_groups: int | None = 500, strata=None, failed: str = "exclude") -> PLSBootstrapResult:
    """Bootstrap every statistic of one PLS fit (:func:`acsi.estimate.pls.fit_pls` result).

    Respondents are resampled with replacement (survey weights travel with their rows; within the
    groups of ``strata``, one code per row of the fit, when given); all
    replicates are refitted at once by :mod:`acsi.estimate.pls_batch` with the fit's options
    (scheme, modes, anchors, PLSc), in blocks of :data:`BLOCK` replicates whose random streams are
    ``SeedSequence(seed, spawn_key=(h("<pls>"), block))`` as in :func:`bootstrap`.  The BCa
    acceleration uses the delete-a-group jackknife (``jackknife_groups``; ``None``: leave one
    out) unless ``bca=False``.  Intervals, t and p: :func:`summarise`.  ``failed="keep"`` keeps the
    replicates whose PLSc solution is inadmissible (``"exclude"``, the default, leaves them out).

    Equivalent R: ``seminr::bootstrap_model(model, nboot = n_boot)`` (percentile intervals, its
    "T Stat."), ``cSEM::infer(csem(..., .resample_method = "bootstrap"))``.
    """
    from .estimate.pls_batch import batch_model

    if not isinstance(n_boot, (int, np.integer)) or isinstance(n_boot, bool) or n_boot < 2:
        raise InvalidParameterError(f"The 'n_boot' parameter of bootstrap_pls must be an integer >= 2. Got {n_boot!r} instead.")
    if not isinstance(level, (int, float)) or not 0 < level < 1:
        raise InvalidParameterError(f"The 'level' parameter of bootstrap_pls must be in (0, 1). Got {level!r} instead.")
    if jackknife_groups is not None and (not isinstance(jackknife_groups, (int, np.integer)) or jackknife_groups < 3):
        raise InvalidParameterError(f"The 'jackknife_groups' parameter of bootstrap_pls must be None or an integer >= 3. Got {jackknife_groups!r} instead.")
    if failed not in ("exclude", "keep"):
        raise InvalidParameterError(f"The 'failed' parameter of bootstrap_pls must be one of ['exclude', 'keep']. Got {failed!r} instead.")
    X = getattr(getattr(res, "_a", None), "X", None)
    if X is None:
        raise InvalidParameterError(
            f"The 'res' parameter of bootstrap_pls must be a PLSResult from acsi.estimate.pls.fit_pls. Got {type(res).__name__} instead."
        )
    codes = None
    if strata is not None:
        arr = np.asarray(strata)
        if arr.shape != (X.shape[0],):
            raise InvalidParameterError(f"The 'strata' parameter of bootstrap_pls must give one value per row of the fit "
                                        f"({X.shape[0]}). Got shape {arr.shape} instead.")
        codes = np.unique(arr.astype(str), return_inverse=True)[1].astype(np.int64)
    bounds = res.index_bounds
    bm = batch_model(res.blocks, list(res.model_paths), scale_bounds={it: (r["min"], r["max"]) for it, r in bounds.iterrows()},
                     **dict(res.options))
    v = res._a.v if res._a.v is not None else np.ones(X.shape[0])
    return _bootstrap_sample(bm, X, v, codes, key=("<pls>",), n_boot=n_boot, seed=seed, level=level, bca=bca,
                             jackknife_groups=jackknife_groups, failed=failed)


def _bootstrap_sample(bm, X, v, strata, *, key, n_boot, seed, level, bca, jackknife_groups, failed) -> PLSBootstrapResult:
    """Bootstrap (and jackknife) the statistics of the batched PLS model ``bm`` on one sample (rows ``X``,
    survey weights ``v``, strata codes or None); the streams of :func:`bootstrap` for the unit ``key``."""
    from .estimate.mlfast import blas_single_thread
    from .estimate.pls_batch import replicate_statistics

    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    n = X.shape[0]
    G = n if jackknife_groups is None else int(min(n, jackknife_groups))
    unit = _Unit(pos=0, key=key, X=X, v=v, strata=strata, theta=None, hkey=_hash_key(key), n_groups=G)
    ctx = _Context(spec=None, estimator="pls", model=bm, seed_entropy=int(seed), n_boot=int(n_boot), failed=failed,
                   options={}, stat_labels=list(bm.labels), est_index={}, std_index={}, lo=bm.lo, hi=bm.hi)
    S = len(bm.labels)
    reps = np.full((S, n_boot), np.nan)
    status = np.full(n_boot, NOT_CONVERGED, dtype=np.int8)
    jack = np.full((S, G), np.nan)
    with blas_single_thread():
        full, _ = replicate_statistics(bm, X, v[None, :])
        for b in range(-(-n_boot // BLOCK)):
            vals, st = replicate_statistics(bm, X, _block_counts(ctx, unit, "boot", b) * v)
            reps[:, b * BLOCK: b * BLOCK + len(st)] = vals.T
            status[b * BLOCK: b * BLOCK + len(st)] = st
        if bca:
            for b in range(-(-G // BLOCK)):
                vals, st = replicate_statistics(bm, X, _block_counts(ctx, unit, "jack", b) * v)
                good = (st == OK) | ((st == INADMISSIBLE) & (failed == "keep"))
                jack[:, b * BLOCK: b * BLOCK + len(st)] = np.where(good[None, :], vals.T, np.nan)
    m2, m3 = _jackknife_moments(jack) if bca else (np.full(S, np.nan), np.full(S, np.nan))
    return PLSBootstrapResult(labels=bm.labels, replicates=reps, status=status, published=full[0], jack_m2=m2, jack_m3=m3,
                              n_boot=int(n_boot), seed=int(seed), level=float(level), n_jackknife=G if bca else 0,
                              meta={"unit": key}, failed=failed)
