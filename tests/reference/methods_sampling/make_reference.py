"""Sampling reference values from statsmodels/scipy and closed-form formulas (not acsi).

Run: python tests/reference/methods_sampling/make_reference.py  (needs statsmodels)
"""
import json
import math
from pathlib import Path

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.proportion import samplesize_confint_proportion

HERE = Path(__file__).resolve().parent
out = {}
# Cochran's n0 for a proportion: statsmodels solves z^2 p(1-p)/e^2 with the exact normal quantile.
for p, e, conf in [(0.5, 0.05, 0.95), (0.5, 0.03, 0.95), (0.3, 0.05, 0.99), (0.5, 0.1, 0.90)]:
    n0 = float(samplesize_confint_proportion(p, e, alpha=1 - conf, method="normal"))
    out[f"prop_p{p}_e{e}_c{conf}"] = {"p": p, "margin": e, "confidence": conf, "n0": n0, "n": math.ceil(n0)}
# Finite population correction n = n0 / (1 + (n0 - 1)/N), Cochran (1977) eq. 4.2.
for N in [1000, 5000, 100]:
    n0 = float(samplesize_confint_proportion(0.5, 0.05, alpha=0.05, method="normal"))
    nf = n0 / (1 + (n0 - 1) / N)
    out[f"prop_fpc_N{N}"] = {"population": N, "n0": n0, "n_fpc": nf, "n": math.ceil(nf)}
# Mean: n0 = (z sd / e)^2.
z = stats.norm.ppf(0.975)
for sd, e, N in [(20.0, 2.0, None), (15.0, 1.5, 2000), (1.2, 0.1, None)]:
    n0 = (z * sd / e) ** 2
    nf = n0 if N is None else n0 / (1 + (n0 - 1) / N)
    out[f"mean_sd{sd}_e{e}_N{N}"] = {"sd": sd, "margin": e, "population": N, "n0": n0, "n_fpc": nf, "n": math.ceil(nf)}
# Stratified margin (Cochran 1977 eq. 5.6), computed directly.
Nh = np.array([600.0, 300.0, 100.0]); Sh = np.array([10.0, 20.0, 40.0]); nh = np.array([30.0, 40.0, 30.0])
W = Nh / Nh.sum()
var = float(np.sum(W**2 * (1 - nh / Nh) * Sh**2 / nh))
var_nofpc = float(np.sum(W**2 * Sh**2 / nh))
out["stratified_margin"] = {"N": Nh.tolist(), "sd": Sh.tolist(), "n": nh.tolist(), "variance": var,
                            "se": math.sqrt(var), "margin": float(z * math.sqrt(var)),
                            "variance_nofpc": var_nofpc}
# Allocation quotas (before integer rounding) for n = 100.
out["allocation"] = {"N": Nh.tolist(), "sd": Sh.tolist(), "n": 100,
                     "proportional_quota": (100 * Nh / Nh.sum()).tolist(),
                     "neyman_quota": (100 * Nh * Sh / np.sum(Nh * Sh)).tolist()}
out["_meta"] = {"statsmodels": statsmodels.__version__, "scipy": scipy.__version__, "numpy": np.__version__}
(HERE / "expected.json").write_text(json.dumps(out, indent=2))
print(json.dumps(out, indent=2))
