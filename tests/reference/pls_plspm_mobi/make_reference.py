"""Reference values from plspm 0.5.7 (Python) for acsi's PLS effects, R², AVE and bootstrap SEs.

Not needed at test time.  plspm 0.5.7 breaks under pandas 3, so it runs in its own environment:

    python3 -m venv /tmp/venv_plspm && /tmp/venv_plspm/bin/pip install plspm==0.5.7 "pandas<2.3"
    /tmp/venv_plspm/bin/python tests/reference/pls_plspm_mobi/make_reference.py

Data: tests/reference/pls_mobi/mobi.csv, standardized here (plspm's ``scaled=True`` does not
standardize per item, see pls_mobi/README.md); model: ECSI, mode A, path weighting, tolerance
1e-12.  Writes ``effects.csv`` (from, to, direct, indirect, total: ``Plspm.effects()``),
``inner.csv`` (latent, r2, ave: ``inner_summary()``), ``alpha.csv`` (``unidimensionality()``
Cronbach's alpha), ``boot_<paths|total|loadings|r2>.csv`` (lhs, rhs, est, boot_mean, boot_se:
``Plspm(bootstrap=True, bootstrap_iterations=NBOOT)`` after ``numpy.random.seed(SEED)``; plspm
draws its own resamples, so acsi is compared within Monte Carlo tolerance) and ``versions.txt``.
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

NBOOT, SEED = 500, 2026


def _long(tab: pd.DataFrame, kind: str) -> pd.DataFrame:
    rows = []
    for name, r in tab.iterrows():
        if kind in ("paths", "total"):
            a, b = [x.strip() for x in str(name).split("->")]
            lhs, rhs = b, a
        elif kind == "loadings":
            lhs = next(lv for lv, its in ECSI_BLOCKS.items() if name in its)
            rhs = name
        else:
            lhs = rhs = name
        rows.append({"lhs": lhs, "rhs": rhs, "est": r["original"], "boot_mean": r["mean"], "boot_se": r["std.error"]})
    return pd.DataFrame(rows)


def main() -> None:
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    df = pd.read_csv(HERE.parent / "pls_mobi" / "mobi.csv").astype(float)
    df = (df - df.mean()) / df.std(ddof=0)
    lvs = list(ECSI_BLOCKS)
    pm = pd.DataFrame(0, index=lvs, columns=lvs)
    for a, b in ECSI_PATHS:
        pm.loc[b, a] = 1
    cf = c.Config(pm, scaled=False)
    for lv, its in ECSI_BLOCKS.items():
        cf.add_lv(lv, Mode.A, *[c.MV(i) for i in its])
    np.random.seed(SEED)
    res = Plspm(df, cf, Scheme.PATH, iterations=1000, tolerance=1e-12, bootstrap=True, bootstrap_iterations=NBOOT)
    eff = res.effects()
    eff[["from", "to", "direct", "indirect", "total"]].to_csv(HERE / "effects.csv", index=False, float_format="%.12g")
    inner = res.inner_summary()
    pd.DataFrame({"latent": inner.index, "r2": inner["r_squared"], "ave": inner["ave"]}).to_csv(
        HERE / "inner.csv", index=False, float_format="%.12g")
    uni = res.unidimensionality()
    pd.DataFrame({"latent": uni.index, "alpha": uni["cronbach_alpha"]}).dropna().to_csv(
        HERE / "alpha.csv", index=False, float_format="%.12g")
    boot = res.bootstrap()
    for kind, tab in (("paths", boot.paths()), ("total", boot.total_effects()), ("loadings", boot.loading()),
                      ("r2", boot.r_squared())):
        _long(tab, kind).to_csv(HERE / f"boot_{kind}.csv", index=False, float_format="%.12g")
    (HERE / "versions.txt").write_text(
        f"plspm {md.version('plspm')}\nnumpy {np.__version__}\npandas {pd.__version__}\n"
        f"python {sys.version.split()[0]}\nNBOOT {NBOOT} SEED {SEED}\n")


if __name__ == "__main__":
    main()
