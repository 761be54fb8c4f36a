"""Reference values for acsi.methods.reliability (and PLSResult.quality) on the mobi data.

Not needed at test time.  Run in an environment with the reference tools:

    pip install seminr==0.2.1 pingouin==0.7.0
    python tests/reference/reliability_mobi/make_reference.py

* seminr 0.2.1 (Python port of R seminr), ECSI model on ``mobi`` (path weighting, all
  composites mode A, as in tests/reference/pls_mobi): ``reliability_table`` (standardized
  alpha, rhoA, rhoC, AVE), ``htmt``, ``item_vifs``, ``fl_criteria_table`` ->
  ``seminr_quality.csv``, ``seminr_htmt.csv`` (upper triangle, long), ``seminr_vif.csv``,
  ``seminr_fornell_larcker.csv`` (lower triangle + diagonal, long).
* pingouin 0.7.0 ``cronbach_alpha`` (raw covariances, Feldt interval rounded by pingouin to
  3 decimals) per ECSI block -> ``pingouin_alpha.csv``.
The data are tests/reference/pls_mobi/mobi.csv.
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


def main() -> None:
    import pingouin
    import seminr
    from seminr.evaluate.constructs_in_model import constructs_in_model

    df = pd.read_csv(HERE.parent / "pls_mobi" / "mobi.csv").astype(float)
    mm = seminr.constructs(*[seminr.composite(lv, items) for lv, items in ECSI_BLOCKS.items()])
    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in ECSI_PATHS])
    model = seminr.estimate_pls(df, mm, sm, max_it=10000, stop_criterion=13)
    rel = seminr.reliability_table(model)
    rows = [{"latent": lv, "alpha": rel.get(lv, "alpha"), "rho_a": rel.get(lv, "rhoA"),
             "rho_c": rel.get(lv, "rhoC"), "ave": rel.get(lv, "AVE")} for lv in ECSI_BLOCKS]
    pd.DataFrame(rows).to_csv(HERE / "seminr_quality.csv", index=False, float_format="%.12g")

    h = seminr.htmt(model)
    lat = list(ECSI_BLOCKS)
    rows = []
    for i, a in enumerate(lat):
        for b in lat[i + 1:]:
            v = h.get(a, b)
            if np.isnan(v):
                v = h.get(b, a)
            rows.append({"a": a, "b": b, "htmt": v})
    pd.DataFrame(rows).to_csv(HERE / "seminr_htmt.csv", index=False, float_format="%.12g")

    mc = constructs_in_model(model)
    vifs = seminr.item_vifs(model, mc)
    rows = [{"latent": lv, "item": it, "vif": v} for lv, d in vifs.items() for it, v in d.items()]
    pd.DataFrame(rows).to_csv(HERE / "seminr_vif.csv", index=False, float_format="%.12g")

    fl = seminr.fl_criteria_table(model, mc)
    rows = []
    for i, a in enumerate(fl.rows):
        for j, b in enumerate(fl.cols):
            if j <= i:
                rows.append({"a": a, "b": b, "value": fl.get(a, b)})
    pd.DataFrame(rows).to_csv(HERE / "seminr_fornell_larcker.csv", index=False, float_format="%.12g")

    rows = []
    for lv, items in ECSI_BLOCKS.items():
        if len(items) < 2:
            continue
        a, ci = pingouin.cronbach_alpha(df[items], ci=0.95)
        rows.append({"latent": lv, "alpha": a, "ci_lower": ci[0], "ci_upper": ci[1], "n": len(df)})
    pd.DataFrame(rows).to_csv(HERE / "pingouin_alpha.csv", index=False, float_format="%.12g")

    with open(HERE / "versions.txt", "w") as fh:
        fh.write(f"python {sys.version.split()[0]}\n")
        for pkg in ("seminr", "pingouin", "numpy", "pandas", "scipy"):
            fh.write(f"{pkg} {md.version(pkg)}\n")


if __name__ == "__main__":
    main()
