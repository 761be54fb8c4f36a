"""Measurement invariance: configural → metric → scalar → strict, with partial invariance.

Each level adds one equality set to the previous one (lavaan's ``group.equal``):

===========  =========================================  ==========================================
level        equal across groups                        what it licenses
===========  =========================================  ==========================================
configural   nothing (same model in every group)        the same constructs in every group
metric       loadings                                   comparing paths and (co)variances
scalar       loadings, intercepts                       comparing latent means (and 0-100 indexes)
strict       loadings, intercepts, residual variances   comparing observed composites as such
===========  =========================================  ==========================================

Every level is fitted jointly (:func:`acsi.estimate.multigroup.fit_groups`) and compared with
the last level that held by

* the chi-square difference test (lavaan's ``lavTestLRT``; holds when ``p ≥ alpha``);
* the change in approximate fit: ``ΔCFI ≥ −0.010`` (Cheung & Rensvold 2002; Chen 2007),
  ``ΔRMSEA ≤ 0.015`` and ``ΔSRMR ≤ 0.030`` for loadings, ``≤ 0.010`` for intercepts and
  residuals (Chen 2007) (:data:`CUTOFFS`).

``rule`` decides: ``"both"`` (default: a level holds when neither the χ² difference nor the
change in fit speaks against it), ``"chisq"``, or ``"fit"`` (with large samples the χ² test
rejects trivial differences; Chen 2007).  The configural model's own fit is judged by Hu &
Bentler's (1999) CFI ≥ 0.95, RMSEA ≤ 0.06, SRMR ≤ 0.08.

**Partial invariance** (Byrne, Shavelson & Muthén 1989): when a level fails, the score test
(lavaan's ``lavTestScore``) of releasing each of the constraints that level added (for G > 2
groups, all the constraints of one parameter together, G − 1 df) points to the parameter most
responsible; it is freed (``group_partial``), the model refitted and compared again, until the
level holds.  A latent keeps at least ``min_invariant`` equal parameters of the set (one is
needed to identify its mean; two make a stronger comparison, Steenkamp & Baumgartner 1998).
With two indicators the data cannot tell which intercept differs (their score statistics tie):
the non-marker one is freed, and the tie is reported.

The latent mean differences (:func:`~acsi.estimate.multigroup.latent_mean_differences`) are
reported under the highest (partial) scalar level reached; :func:`index_comparison` puts the
0-100 index of every latent side by side with the invariance its comparison rests on.

Equivalent R (semTools' ``measEq.syntax`` / ``compareFit`` do the same bookkeeping)::

    configural <- sem(model, data, group = "g")
    metric <- sem(model, data, group = "g", group.equal = "loadings")
    scalar <- sem(model, data, group = "g", group.equal = c("loadings", "intercepts"))
    lavTestLRT(configural, metric, scalar); lavTestScore(scalar)
    partial <- sem(model, data, group = "g", group.equal = c("loadings", "intercepts"),
                   group.partial = "pv2 ~ 1")

References: Meredith (1993), Psychometrika 58; Cheung & Rensvold (2002), SEM 9(2); Chen
(2007), SEM 14(3); Hu & Bentler (1999), SEM 6(1); Byrne, Shavelson & Muthén (1989), Psych.
Bull. 105(3); Steenkamp & Baumgartner (1998), J. Consumer Research 25; Putnick & Bornstein
(2016), Developmental Review 41.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import special, stats as sstats

from ..errors import InvalidParameterError, ScoringError
from ..options import InstanceOf, Integer, OneOf, Real, validate_params
from ..score import item_weights, latent_scores, unit_index
from .mlfast import blas_single_thread
from .multigroup import MultigroupFit, _ScoreBasis, fit_groups, latent_mean_differences, refit, score_tests

__all__ = ["CUTOFFS", "LEVELS", "RULES", "InvarianceResult", "index_comparison", "invariance"]

#: The invariance levels and their cumulative equality sets.
LEVELS = MappingProxyType({
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
})
#: The set each level adds, and the table ops of its parameters.
_ADDS = {"metric": "loadings", "scalar": "intercepts", "strict": "residuals"}
_WHAT = {"loadings": "loadings", "intercepts": "item intercepts", "residuals": "residual variances"}
RULES = ("both", "chisq", "fit")

#: Cut-offs for the change in fit between nested levels, and for the configural fit.
CUTOFFS = MappingProxyType({
    "delta_cfi": -0.010,          # ΔCFI ≥ −0.010: Cheung & Rensvold (2002); Chen (2007)
    "delta_rmsea": 0.015,         # ΔRMSEA ≤ 0.015: Chen (2007)
    "delta_srmr_loadings": 0.030,  # ΔSRMR ≤ 0.030 for loadings: Chen (2007)
    "delta_srmr": 0.010,          # ΔSRMR ≤ 0.010 for intercepts and residuals: Chen (2007)
    "cfi": 0.95, "rmsea": 0.06, "srmr": 0.08,  # configural fit: Hu & Bentler (1999)
})

_FIT_COLS = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic",
             "bic"]


@dataclass(frozen=True, eq=False)
class InvarianceResult:
    """The invariance sequence of one model across groups.

    Attributes
    ----------
    table : DataFrame
        One row per model fitted, in order: ``step`` (``configural``, ``metric``, ``scalar``,
        ``partial scalar 1``, ...), ``level``, ``group_equal``, ``group_partial`` (freed
        parameters), ``compared_with``, the fit (``npar, chisq, df, pvalue, cfi, tli, rmsea,
        rmsea_ci_lower, rmsea_ci_upper, srmr, aic, bic``), the test against ``compared_with``
        (``chisq_diff, df_diff, pvalue_diff, delta_cfi, delta_rmsea, delta_srmr``), ``holds``
        (bool) and ``verdict`` (a sentence naming the cut-offs).
    level : str
        The highest level that holds: ``"configural"``, ``"metric"``, ``"partial scalar"``,
        ``"scalar"``, ``"partial strict"``, ``"strict"`` (a poorly fitting configural model is
        flagged by ``configural_fit_ok`` and in every :meth:`rests_on`, not a stop).
    accepted : MultigroupFit
        The fit of that level.
    fits : mapping
        Every fit by its ``step`` name.
    score : mapping
        The score tests (:class:`~acsi.estimate.multigroup.ScoreTests`) of each constrained
        level's first fit, by level.
    partial : DataFrame
        The parameters freed, in order: ``level``, ``parameter``, ``x2``, ``df``, ``pvalue`` (its
        score test), ``tied_with`` (parameters with the same statistic).
    latent_means : DataFrame or None
        Latent mean differences from group 1 under the highest (partial) scalar level reached
        (None, with ``latent_means_reason``, when scalar invariance fails even partially).
    rule, alpha, cutoffs
        The decision rule used.
    """

    table: pd.DataFrame
    level: str
    accepted: MultigroupFit
    fits: dict
    score: dict
    partial: pd.DataFrame
    latent_means: pd.DataFrame | None
    latent_means_reason: str
    rule: str
    alpha: float
    cutoffs: dict = field(repr=False)
    configural_fit_ok: bool = True
    invariant_items: pd.DataFrame = field(repr=False, default=None)

    @property
    def groups(self) -> tuple[str, ...]:
        return self.accepted.groups

    def rests_on(self, latent: str) -> str:
        """The invariance level a comparison of ``latent`` across the groups rests on, in words."""
        return _rests_on(self, latent)[1]

    def summary(self) -> str:
        """A plain-language account of the sequence."""
        lines = [f"Measurement invariance across {len(self.groups)} groups ({', '.join(self.groups)}); "
                 f"rule {self.rule!r}, alpha {self.alpha:g}."]
        for _, r in self.table.iterrows():
            lines.append(f"- {r['step']}: {r['verdict']}")
        lines.append(f"Highest level that holds: {self.level}.")
        if self.latent_means is None:
            lines.append(f"Latent means: {self.latent_means_reason}")
        return "\n".join(lines)


# ============================================================================ verdicts
def _fit_row(fit: MultigroupFit) -> dict:
    fm = fit.fit_measures
    return {k: float(fm[k]) for k in _FIT_COLS}


def _configural_verdict(row: dict, cut) -> tuple[bool, str]:
    ok_cfi, ok_rmsea, ok_srmr = row["cfi"] >= cut["cfi"], row["rmsea"] <= cut["rmsea"], row["srmr"] <= cut["srmr"]
    detail = (f"CFI {row['cfi']:.3f} ({'≥' if ok_cfi else '<'} {cut['cfi']:.2f}), RMSEA {row['rmsea']:.3f} "
              f"({'≤' if ok_rmsea else '>'} {cut['rmsea']:.2f}), SRMR {row['srmr']:.3f} "
              f"({'≤' if ok_srmr else '>'} {cut['srmr']:.2f}; Hu & Bentler 1999); χ² {row['chisq']:.2f} on "
              f"{row['df']:.0f} df, p {_p(row['pvalue'])}")
    if ok_cfi and ok_rmsea and ok_srmr:
        return True, f"the same model fits every group acceptably: {detail}"
    return False, (f"the model fits the groups poorly ({detail}): the groups may not share the constructs; "
                   "revise the model before comparing them")


def _p(p: float) -> str:
    if not np.isfinite(p):
        return "NA"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _judge(level: str, row: dict, prev: dict, rule: str, alpha: float, cut) -> tuple[bool, dict, str]:
    """Compare a level's fit with the previous accepted one; (holds, the differences, verdict)."""
    d = {
        "chisq_diff": row["chisq"] - prev["chisq"], "df_diff": row["df"] - prev["df"],
        "delta_cfi": row["cfi"] - prev["cfi"], "delta_rmsea": row["rmsea"] - prev["rmsea"],
        "delta_srmr": row["srmr"] - prev["srmr"],
    }
    d["pvalue_diff"] = float(sstats.chi2.sf(max(d["chisq_diff"], 0.0), d["df_diff"])) if d["df_diff"] > 0 else np.nan
    srmr_cut = cut["delta_srmr_loadings"] if level == "metric" else cut["delta_srmr"]
    chisq_ok = not (d["pvalue_diff"] < alpha)
    ok_cfi = d["delta_cfi"] >= cut["delta_cfi"] - 1e-12
    ok_rmsea = d["delta_rmsea"] <= cut["delta_rmsea"] + 1e-12
    ok_srmr = d["delta_srmr"] <= srmr_cut + 1e-12
    fit_ok = ok_cfi and ok_rmsea and ok_srmr
    holds = {"both": chisq_ok and fit_ok, "chisq": chisq_ok, "fit": fit_ok}[rule]
    chi = (f"Δχ² {d['chisq_diff']:.2f} on {d['df_diff']:.0f} df, p {_p(d['pvalue_diff'])} "
           f"({'not significant' if chisq_ok else 'significant'} at {alpha:g})")
    fit = (f"ΔCFI {d['delta_cfi']:+.4f} ({'≥' if ok_cfi else '<'} {cut['delta_cfi']:+.3f}; Cheung & Rensvold 2002), "
           f"ΔRMSEA {d['delta_rmsea']:+.4f} ({'≤' if ok_rmsea else '>'} {cut['delta_rmsea']:.3f}; Chen 2007), "
           f"ΔSRMR {d['delta_srmr']:+.4f} ({'≤' if ok_srmr else '>'} {srmr_cut:.3f}; Chen 2007)")
    what = _WHAT[_ADDS[level]]
    if holds and chisq_ok and fit_ok:
        verdict = f"holds: equal {what} do not worsen the fit ({chi}; {fit})"
    elif holds and not chisq_ok:
        verdict = (f"holds by the change in fit ({fit}), although the χ² difference test rejects it ({chi}); with large "
                   "samples the χ² test flags small differences")
    elif holds:
        verdict = f"holds by the χ² difference test ({chi}), although the change in fit exceeds a cut-off ({fit})"
    elif not chisq_ok and not fit_ok:
        verdict = f"does not hold: equal {what} worsen the fit ({chi}; {fit})"
    elif not chisq_ok:
        verdict = (f"does not hold by the χ² difference test ({chi}) although the change in fit is within the cut-offs "
                   f"({fit}); pass rule='fit' to judge by the change in fit alone")
    else:
        verdict = f"does not hold: the change in fit exceeds a cut-off ({fit}), although {chi}"
    return holds, d, verdict


# ============================================================================ partial search
def _candidates(fit: MultigroupFit, kind: str, min_invariant: int) -> dict[str, dict]:
    """Parameters of ``kind`` still equal across groups: ``"lhs op rhs"`` -> the positions of its
    equality constraints among the model's ``==`` rows, its latent and whether it is a marker."""
    model, pt = fit.model, fit.partable
    c = model.cols
    layout = pt.layout(1)
    eq_rows = np.flatnonzero(c["op"] == "==")
    by_plabel = {p: k for k, p in enumerate(c["plabel"]) if p}
    latent_of = {}
    marker = set()
    for k in np.flatnonzero((c["op"] == "=~") & (c["group"] == 1)):
        latent_of.setdefault(c["rhs"][k], c["lhs"][k])
        if c["free"][k] == 0:
            marker.add(c["rhs"][k])
    out: dict[str, dict] = {}
    for pos, k in enumerate(eq_rows):
        a, b = by_plabel.get(c["lhs"][k]), by_plabel.get(c["rhs"][k])
        if a is None or b is None or c["user"][k] != 2:
            continue
        op, lhs, rhs = c["op"][a], c["lhs"][a], c["rhs"][a]
        is_kind = {"loadings": op == "=~",
                   "intercepts": op == "~1" and lhs not in set(layout.latents),
                   "residuals": op == "~~" and lhs == rhs and lhs not in set(layout.lv)}[kind]
        if not is_kind:
            continue
        key = f"{lhs} {op} {rhs}".rstrip()
        item = rhs if op == "=~" else lhs
        ent = out.setdefault(key, {"positions": [], "latent": latent_of.get(item, ""), "item": item,
                                   "marker": item in marker})
        ent["positions"].append(pos)
    # a latent must keep min_invariant equal parameters of the set (one identifies its mean)
    counts: dict[str, int] = {}
    for ent in out.values():
        counts[ent["latent"]] = counts.get(ent["latent"], 0) + 1
    if kind == "loadings":  # a marker's loading is fixed at 1 in every group: equal, and stays so
        for item in marker:
            if latent_of.get(item) in counts:
                counts[latent_of[item]] += 1
    for ent in out.values():
        ent["can_free"] = counts[ent["latent"]] > min_invariant
    return out


def _release_stat(basis: _ScoreBasis, key: str, ent: dict) -> tuple:
    x2 = basis.stat(ent["positions"])
    df = len(ent["positions"])
    return key, x2, df, float(sstats.chi2.sf(max(x2, 0.0), df)), ent["marker"]


def _best_to_free(fit: MultigroupFit, kind: str, min_invariant: int):
    """The parameter whose release the score test favours (G − 1 df for G groups), or None."""
    cands = _candidates(fit, kind, min_invariant)
    cands = {k: v for k, v in cands.items() if v["can_free"]}
    if not cands:
        return None
    with blas_single_thread():
        basis = _ScoreBasis(fit)
        stats = [_release_stat(basis, key, ent) for key, ent in cands.items()]
    top = max(x[1] for x in stats)
    tied = [x for x in stats if abs(x[1] - top) <= 1e-6 * max(1.0, abs(top))]
    # two indicators: the statistics tie; free the non-marker one (the marker anchors the latent)
    tied.sort(key=lambda x: (x[4], 0))
    best = tied[0]
    return {"parameter": best[0], "x2": best[1], "df": best[2], "pvalue": best[3],
            "tied_with": ", ".join(x[0] for x in tied[1:])}


# ============================================================================ the sequence
@validate_params(
    "invariance", levels=InstanceOf(list, tuple, desc="a list of invariance levels"),
    rule=OneOf(*RULES), alpha=Real(0, 1, closed="neither"), partial=OneOf(True, False), min_invariant=Integer(min=1),
    cutoffs=(None, InstanceOf(dict, desc="a dict of cut-offs")), min_n=Integer(min=2),
)
def invariance(spec, data: pd.DataFrame, group: str, *, groups=None, levels=("configural", "metric", "scalar", "strict"),
               rule: str = "both", alpha: float = 0.05, partial: bool = True, min_invariant: int = 1,
               cutoffs: dict | None = None, min_n: int = 30, path_labels: bool = True) -> InvarianceResult:
    """Test configural → metric → scalar → strict invariance of ``spec`` across ``data[group]``
    (module docstring), searching for partial invariance where a level fails.

    Parameters
    ----------
    spec : ModelSpec
    data : DataFrame
        Complete answers and the ``group`` column.
    group : str
    groups : sequence of str, optional
        Group order (group 1 is the reference of the latent means; default lavaan's: first
        appearance).
    levels : sequence of str
        Levels to test, in order, starting with ``"configural"`` (a prefix of :data:`LEVELS`).
    rule : {"both", "chisq", "fit"}
        When a level holds (module docstring).
    alpha : float
        Level of the χ² difference tests.
    partial : bool
        Search for partial invariance where a level fails.
    min_invariant : int
        Equal parameters of the failing set every latent keeps (≥ 1).
    cutoffs : dict, optional
        Replace entries of :data:`CUTOFFS`.
    min_n : int
        Fewest respondents per group.

    Returns
    -------
    InvarianceResult
    """
    levels = tuple(levels)
    order = list(LEVELS)
    if not levels or levels != tuple(order[: len(levels)]):
        raise InvalidParameterError(f"The 'levels' parameter of invariance must be a prefix of {order} "
                                    f"(starting with 'configural'). Got {list(levels)!r} instead.")
    cut = dict(CUTOFFS)
    if cutoffs:
        bad = [k for k in cutoffs if k not in CUTOFFS]
        if bad:
            raise InvalidParameterError(f"The 'cutoffs' parameter of invariance must have keys from {list(CUTOFFS)}. "
                                        f"Got {bad[0]!r} instead.")
        cut.update({k: float(v) for k, v in cutoffs.items()})

    conf = fit_groups(spec, data, group, groups=groups, min_n=min_n, name="configural")
    rows, fits, scores, freed = [], {"configural": conf}, {}, []
    crow = _fit_row(conf)
    ok, verdict = _configural_verdict(crow, cut)
    rows.append({"step": "configural", "level": "configural", "group_equal": "", "group_partial": "",
                 "compared_with": "", **crow, "chisq_diff": np.nan, "df_diff": np.nan, "pvalue_diff": np.nan,
                 "delta_cfi": np.nan, "delta_rmsea": np.nan, "delta_srmr": np.nan, "holds": ok, "verdict": verdict})
    # a poorly fitting configural model is a caveat on every comparison, not a stop
    accepted, accepted_name, level_reached, stopped = conf, "configural", "configural", ""
    for lev in levels[1:]:
        if stopped:
            rows.append({"step": lev, "level": lev, "group_equal": ", ".join(LEVELS[lev]), "group_partial": "",
                         "compared_with": "", **{k: np.nan for k in _FIT_COLS}, "chisq_diff": np.nan,
                         "df_diff": np.nan, "pvalue_diff": np.nan, "delta_cfi": np.nan, "delta_rmsea": np.nan,
                         "delta_srmr": np.nan, "holds": False,
                         "verdict": f"not tested: {stopped} invariance does not hold"})
            continue
        kind = _ADDS[lev]
        gp = list(accepted.group_partial)
        fit = refit(accepted, group_equal=LEVELS[lev], group_partial=gp, name=lev)
        fits[lev] = fit
        scores[lev] = score_tests(fit, cumulative=True)
        prev = _fit_row(accepted)
        row = _fit_row(fit)
        holds, d, verdict = _judge(lev, row, prev, rule, alpha, cut)
        # a level on top of a partial one keeps the parameters freed there: it is partial too
        rows.append({"step": lev, "level": f"partial {lev}" if gp else lev, "group_equal": ", ".join(LEVELS[lev]),
                     "group_partial": ", ".join(gp), "compared_with": accepted_name, **row, **d, "holds": holds,
                     "verdict": verdict})
        step = 0
        while not holds and partial:
            best = _best_to_free(fit, kind, min_invariant)
            if best is None:
                break
            step += 1
            gp = gp + [best["parameter"]]
            freed.append({"level": lev, **best})
            name = f"partial {lev} {step}"
            fit = refit(fit, group_partial=gp, name=name)
            fits[name] = fit
            row = _fit_row(fit)
            holds, d, verdict = _judge(lev, row, prev, rule, alpha, cut)
            tie = f"; {best['tied_with']} has the same score statistic (the data cannot tell them apart)" \
                if best["tied_with"] else ""
            verdict = (f"freeing {best['parameter']} (score test {best['x2']:.2f} on {best['df']} df, p "
                       f"{_p(best['pvalue'])}{tie}): partial {lev} invariance {verdict}")
            rows.append({"step": name, "level": f"partial {lev}", "group_equal": ", ".join(LEVELS[lev]),
                         "group_partial": ", ".join(gp), "compared_with": accepted_name, **row, **d, "holds": holds,
                         "verdict": verdict})
        if holds:
            accepted = fit
            accepted_name = rows[-1]["step"]
            level_reached = rows[-1]["level"]
        else:
            stopped = lev
            if partial and step == 0:
                rows[-1]["verdict"] += "; no parameter can be freed (each latent must keep an equal one)"
    table = pd.DataFrame(rows)
    lm, reason = None, ""
    scalar_fit = None
    for nm in reversed(list(fits)):
        if nm in ("scalar", "strict") or nm.startswith("partial scalar") or nm.startswith("partial strict"):
            r = table.loc[table["step"] == nm].iloc[0]
            if r["holds"]:
                scalar_fit = fits[nm]
                break
    if scalar_fit is None:
        reason = ("not compared: scalar invariance (equal loadings and intercepts) does not hold, even partially, "
                  "so differences in latent means cannot be told apart from differences in how items function")
        if "scalar" not in levels:
            reason = "not compared: scalar invariance was not tested"
    else:
        lm = latent_mean_differences(scalar_fit)
    partial_df = pd.DataFrame(freed, columns=["level", "parameter", "x2", "df", "pvalue", "tied_with"])
    res = InvarianceResult(table=table, level=level_reached, accepted=accepted, fits=fits, score=scores,
                           partial=partial_df, latent_means=lm, latent_means_reason=reason, rule=rule, alpha=float(alpha),
                           cutoffs=cut, configural_fit_ok=bool(ok))
    object.__setattr__(res, "invariant_items", _invariant_items(res))
    return res


def _invariant_items(res: InvarianceResult) -> pd.DataFrame:
    """Per latent: its items, which are equal across groups in the accepted fit (loadings and
    intercepts) and which were freed."""
    fit = res.accepted
    spec = fit.spec
    freed = set(fit.group_partial)
    ge = set(fit.group_equal)
    rows = []
    for lv in spec.latents:
        items = list(lv.item_ids)
        fl = [i for i in items if f"{lv.id}=~{i}" in {p.replace(' ', '') for p in freed}]
        fi = [i for i in items if f"{i}~1" in {p.replace(' ', '') for p in freed}]
        rows.append({"latent": lv.id, "items": ", ".join(items), "equal_loadings": "loadings" in ge,
                     "equal_intercepts": "intercepts" in ge, "freed_loadings": ", ".join(fl),
                     "freed_intercepts": ", ".join(fi)})
    return pd.DataFrame(rows)


def _rests_on(res: InvarianceResult, latent: str) -> tuple[str, str]:
    """(level, sentence) a comparison of ``latent`` rests on."""
    t = res.invariant_items
    if t is None or latent not in set(t["latent"]):
        raise InvalidParameterError(f"The 'latent' parameter must be one of the model's latents "
                                    f"({', '.join(t['latent']) if t is not None else ''}). Got {latent!r} instead.")
    level, text = _rests_on_items(res, t.set_index("latent").loc[latent], latent)
    if not res.configural_fit_ok:
        text += ("; caution: the model itself fits the groups poorly (configural step), so every comparison rests on a "
                 "doubtful model")
    return level, text


def _rests_on_items(res: InvarianceResult, r, latent: str) -> tuple[str, str]:
    if not r["equal_loadings"]:
        return "configural", (f"configural invariance only: {latent} is measured on different scales in the groups; "
                              "its index difference is not a difference in the same quantity")
    freed = [f"the loading of {i}" for i in _split(r["freed_loadings"])] + [
        f"the intercept of {i}" for i in _split(r["freed_intercepts"])]
    if not r["equal_intercepts"]:
        if freed:
            return "partial metric", (f"partial metric invariance ({', '.join(freed)} {_differ(freed)} across groups); scalar "
                                      "invariance was not established, so the index difference may reflect how the "
                                      f"items function rather than {latent}")
        return "metric", (f"metric invariance only: equal loadings but not equal intercepts, so the index difference "
                          f"may reflect how the items function rather than {latent}")
    if freed:
        return "partial scalar", (f"partial scalar invariance: {', '.join(freed)} {_differ(freed)} across groups; the latent "
                                  f"mean difference of {latent} is comparable, but its 0-100 index, built from the raw "
                                  "answers, also carries those items' differences")
    strict = "strict" in res.level
    return ("strict" if strict else "scalar"), (
        f"{'strict' if strict else 'scalar'} invariance of {latent}'s items (equal loadings and intercepts"
        f"{' and residual variances' if strict else ''}): its index difference compares the same construct on the "
        "same scale")


def _differ(things) -> str:
    return "differs" if len(things) == 1 else "differ"


def _split(text: str) -> list[str]:
    return [x for x in str(text).split(", ") if x]


def index_comparison(res: InvarianceResult, data: pd.DataFrame, *, weight: str | None = None,
                     confidence: float = 0.95) -> pd.DataFrame:
    """The 0-100 index of every latent per group and its difference from group 1, with the
    invariance level the comparison rests on.

    Each group's respondents are scored with that group's item weights ``w_i ∝ λ_i/θ_i`` of the
    accepted fit (:func:`acsi.score.item_weights`, as :func:`acsi.fit` scores a unit) and the
    index is their (survey-weighted) mean (:func:`acsi.score.unit_index`); the difference's
    standard error is ``sqrt(se_g² + se_1²)`` (independent samples; item weights as fixed).

    Returns
    -------
    DataFrame with ``latent, group, reference, index, se, n, reference_index, reference_se,
    difference, difference_se, ci_lower, ci_upper, pvalue, invariance, rests_on``.
    """
    fit = res.accepted
    spec = fit.spec
    key = data[fit.group].map(str)
    zq = float(special.ndtri(1 - (1 - confidence) / 2))
    per = []
    for g, lab in enumerate(fit.groups):
        part = data[(key == lab).to_numpy()]
        grp = fit.result.groups[g]
        w = item_weights(spec, grp["loadings"], grp["residual_variances"], strict=False)
        if w["weight"].isna().all():
            raise ScoringError(f"group {lab!r}: no latent can be scored ({w['problem'].iloc[0]})")
        sc = latent_scores(part, spec, w)
        v = part[weight].to_numpy(float) if weight else None
        ix = unit_index(sc, v, confidence=confidence).set_index("latent")
        per.append(ix)
    rows = []
    ref = per[0]
    for g in range(1, len(per)):
        for lv in spec.latent_ids:
            a, b = per[g].loc[lv], ref.loc[lv]
            diff = float(a["index"] - b["index"])
            se = float(np.hypot(a["se"], b["se"]))
            lvl, text = _rests_on(res, lv)
            rows.append({"latent": lv, "group": fit.groups[g], "reference": fit.groups[0], "index": float(a["index"]),
                         "se": float(a["se"]), "n": int(a["n"]), "reference_index": float(b["index"]),
                         "reference_se": float(b["se"]), "reference_n": int(b["n"]), "difference": diff,
                         "difference_se": se, "ci_lower": diff - zq * se, "ci_upper": diff + zq * se,
                         "pvalue": float(2 * special.ndtr(-abs(diff / se))) if se > 0 else np.nan,
                         "invariance": lvl, "rests_on": text})
    return pd.DataFrame(rows)
