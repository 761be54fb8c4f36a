"""Every piece of evidence of one PLS fit in one call: the tables a PLS-SEM paper reports.

:func:`evidence` runs, on one :class:`~acsi.estimate.pls.PLSResult`,

==========================  ===========================================  ==========================================
table (file stem)           from                                         option (``acsi.fit(..., options=...)``)
==========================  ===========================================  ==========================================
``pls_reliability``,        :func:`acsi.estimate.pls_quality.assess`:    ``refit_f2`` (default True: f² also from
``pls_loadings``,           α, ρ_A, ρ_c, AVE, loadings and weights,      the model re-estimated without each path,
``pls_htmt``,               item VIF, HTMT and HTMT2, Fornell-Larcker,   as seminr and SmartPLS)
``pls_fornell_larcker``,    inner VIF, R² and adjusted R², f², and every
``pls_inner_vif``,          flag with its threshold and reference
``pls_r2``, ``pls_f2``,
``pls_quality_flags``
``pls_effects``             direct, indirect and total effects           (always)
                            (``PLSResult.total_effects``)
``pls_model_fit``           :func:`acsi.estimate.pls_fit.model_fit`:     (always)
                            SRMR, d_ULS, d_G, χ², NFI, saturated and
                            estimated model
``pls_exact_fit_test``      the bootstrap test of exact fit              ``fit_test`` = replicates (off by default)
``pls_ipma_constructs``,    :func:`acsi.estimate.pls_ipma.ipma` for      (always, when a target is given and has
``pls_ipma_indicators``     ``target`` (the model's headline latent)     drivers)
``pls_predict``             :func:`acsi.estimate.pls_predict.plspredict`  ``predict`` = folds k; ``predict_reps``
                            (RMSE/MAE against the linear benchmark,      (default 10), ``predict_technique``
                            Q²_predict)                                  ("DA" or "EA")
``pls_blindfolding``        :func:`acsi.estimate.pls_predict.blindfolding`  ``blindfolding`` = omission distance D
                            (Stone-Geisser Q²)
==========================  ===========================================  ==========================================

``seed`` (an integer) fixes the random folds of PLSpredict and the draws of the exact-fit test;
the same seed gives the same numbers.  Options that would be ignored are refused
(``predict_reps`` without ``predict``, ``seed`` without ``predict`` or ``fit_test``).

With ``strict=False`` (how :func:`acsi.pipeline.fit_unit` runs it for every unit) a piece that
cannot be computed for this sample (PLSpredict with more folds than rows, an omission distance
that divides n, a singular implied correlation matrix) is left out and the reason is in
``messages``; with ``strict=True`` (the default) it raises.

Equivalent R: ``summary(seminr::estimate_pls(...))``, ``seminr::predict_pls(...)``,
``cSEM::assess(csem(...))``, ``cSEM::doIPMA(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AcsiError
from ..options import Boolean, Integer, OneOf, invalid, validate_params
from .pls_fit import PLSModelFit, model_fit
from .pls_ipma import PLSIPMA, ipma
from .pls_predict import PLSPrediction, plspredict
from .pls_predict import blindfolding as blindfolding_q2
from .pls_quality import PLSQuality, assess

__all__ = ["OPTIONS", "PLSEvidence", "TABLES", "evidence"]

#: Every table of :meth:`PLSEvidence.tables`, in this order (optional ones only when computed).
TABLES = ("pls_reliability", "pls_loadings", "pls_htmt", "pls_fornell_larcker", "pls_inner_vif", "pls_r2", "pls_f2",
          "pls_quality_flags", "pls_effects", "pls_model_fit", "pls_exact_fit_test", "pls_ipma_constructs",
          "pls_ipma_indicators", "pls_predict", "pls_blindfolding")

#: The evidence options (keys of ``acsi.fit(..., options=...)`` for ``estimator="pls"``) and their constraints.
OPTIONS = {
    "refit_f2": (Boolean(),),
    "predict": (Integer(min=2, desc="an integer >= 2 (the number of PLSpredict folds)"),),
    "predict_reps": (Integer(min=1),),
    "predict_technique": (OneOf("DA", "EA"),),
    "blindfolding": (Integer(min=2, desc="an integer >= 2 (the omission distance)"),),
    "fit_test": (Integer(min=2, desc="an integer >= 2 (replicates of the bootstrap test of exact fit)"),),
    "seed": (Integer(min=0),),
}

#: What needs what: an option given without the one it refines would be ignored.
_NEEDS = {"predict_reps": ("predict",), "predict_technique": ("predict",), "seed": ("predict", "fit_test")}


def check_dependencies(options: dict, where: str, *, in_options: bool = True) -> None:
    """Refuse evidence options that would be ignored (``predict_reps`` without ``predict``, ...); the error
    names ``options['key']`` (or the bare parameter with ``in_options=False``)."""
    for key, needs in _NEEDS.items():
        if options.get(key) is not None and not any(options.get(k) is not None for k in needs):
            raise invalid(where, f"options[{key!r}]" if in_options else key,
                          f"given together with {' or '.join(repr(k) for k in needs)} (alone it would be ignored)",
                          options[key])


@dataclass(frozen=True, eq=False)
class PLSEvidence:
    """The evidence of one PLS fit (see the module docstring); the parts not asked for are None."""

    quality: PLSQuality | None
    effects: pd.DataFrame | None
    model_fit: PLSModelFit | None
    ipma: PLSIPMA | None = None
    prediction: PLSPrediction | None = None
    blindfolding: pd.DataFrame | None = None
    messages: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every computed table by file stem (the names of :data:`TABLES`)."""
        out: dict[str, pd.DataFrame] = {}
        for part in (self.quality, self.model_fit, self.ipma, self.prediction):
            if part is not None:
                out.update(part.tables())
        if self.effects is not None:
            out["pls_effects"] = self.effects
        if self.blindfolding is not None:
            out["pls_blindfolding"] = self.blindfolding
        return {k: out[k] for k in TABLES if k in out}

    def summary(self):
        from ..summary import Summary

        sections = []
        for part in (self.quality, self.model_fit, self.prediction):
            if part is not None:
                sections += part.summary().sections
        if self.effects is not None and len(self.effects):
            sections.append(("Direct, indirect and total effects", self.effects))
        if self.ipma is not None:
            sections.append((f"IPMA of {self.ipma.target} (importance: total effect on 0-100 scores)", self.ipma.constructs))
        if self.blindfolding is not None:
            sections.append(("Blindfolding Q² (construct cross-validated redundancy)", self.blindfolding))
        if self.messages:
            sections.append(("Not computed", "\n".join(self.messages)))
        return Summary("acsi PLS evidence", sections)

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write every table (CSV and Parquet), ``pls_evidence_summary.txt`` and ``pls_evidence_manifest.json``."""
        from ..tables import write_result

        return write_result(out_dir, self.tables(), texts={"pls_evidence_summary.txt": self.summary().as_text() + "\n"},
                            manifest="pls_evidence_manifest.json", kind="pls_evidence",
                            header={"options": dict(self.options), "messages": list(self.messages)})


@validate_params("acsi.estimate.pls_evidence.evidence", **OPTIONS, strict=Boolean())
def evidence(res, *, target: str | None = None, refit_f2: bool = True, predict: int | None = None,
             predict_reps: int | None = None, predict_technique: str | None = None, blindfolding: int | None = None,
             fit_test: int | None = None, seed: int | None = None, strict: bool = True) -> PLSEvidence:
    """The quality table, effects, model fit, IPMA and (when asked) prediction of one PLS fit.

    ``res`` is a :func:`acsi.estimate.pls.fit_pls` result; ``target`` the latent of the IPMA (the
    model's headline); the other options are in the module docstring.  ``strict=False`` leaves out
    what this sample cannot give and says why in ``messages`` instead of raising.
    """
    opts = {"refit_f2": refit_f2, "predict": predict, "predict_reps": predict_reps,
            "predict_technique": predict_technique, "blindfolding": blindfolding, "fit_test": fit_test, "seed": seed}
    check_dependencies(opts, "acsi.estimate.pls_evidence.evidence", in_options=False)
    messages: list[str] = []

    def attempt(what: str, run):
        if strict:
            return run()
        try:
            return run()
        except (AcsiError, np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            messages.append(f"{what} not computed: {exc}")
            return None

    quality = attempt("the PLS quality table", lambda: assess(res, refit_f2=refit_f2))
    effects = attempt("the PLS effects", lambda: res.total_effects.copy())
    mfit = attempt("the PLS model fit", lambda: model_fit(res, n_boot=fit_test or 0, seed=seed))
    imp = None
    if target is not None:
        imp = attempt(f"the IPMA of {target!r}", lambda: ipma(res, target))
    pred = None
    if predict is not None:
        pred = attempt(f"PLSpredict ({predict} folds)", lambda: plspredict(
            res, k=predict, reps=10 if predict_reps is None else predict_reps,
            technique=predict_technique or "DA", seed=seed))
        if pred is not None and pred.meta.get("failed_folds"):
            messages.append(f"PLSpredict: {len(pred.meta['failed_folds'])} fold(s) could not be estimated "
                            f"(their rows are left unpredicted): {pred.meta['failed_folds'][:3]}")
    blind = None
    if blindfolding is not None:
        blind = attempt(f"blindfolding (omission distance {blindfolding})",
                        lambda: blindfolding_q2(res, omission_distance=blindfolding))
    return PLSEvidence(quality=quality, effects=effects, model_fit=mfit, ipma=imp, prediction=pred,
                       blindfolding=blind, messages=tuple(messages), options={k: v for k, v in opts.items() if v is not None})

