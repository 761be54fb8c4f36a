"""The toolkit commands' entries for the generic option test (tests/cli/test_cli_errors.py).

:data:`VALID` gives each command valid arguments (placeholders filled by the ``inputs``
fixture, the toolkit's from :func:`write_inputs`); :data:`BAD` the value of the right type
that the library refuses, where the metavar rules of the generic test (``FILE`` positional: a
missing file; ``COL``/``COLS``: an unknown column; ``DIR``: any folder) do not already say it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from acsi.cli import EXIT_ERROR, EXIT_USAGE

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
SURVEY = REFERENCE / "methods_toolkit" / "survey.csv"
SERVQUAL = REFERENCE / "methods_toolkit" / "servqual.csv"
KCSI = REFERENCE / "methods_kcsi" / "data.csv"


def customers_table(n: int = 40, seed: int = 5) -> pd.DataFrame:
    """A customer file: id, revenue (Pareto-like), cost to serve, margin, benefit and cost components."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"customer": [f"c{i:02d}" for i in range(n)],
                         "revenue": np.round(rng.pareto(1.5, n) * 100 + 1, 2),
                         "cost_to_serve": np.round(rng.uniform(5, 80, n), 2),
                         "margin": np.round(rng.uniform(10, 50, n), 2), "retention": np.round(rng.uniform(0.5, 0.95, n), 3),
                         "product": rng.integers(10, 60, n), "service": rng.integers(5, 30, n),
                         "money": rng.integers(10, 60, n), "time": rng.integers(0, 10, n),
                         "lost": (rng.uniform(size=n) < 0.1).astype(int)})


def write_inputs(d: Path) -> dict[str, Path]:
    """Write the toolkit's input files into ``d``; returns the placeholders of :data:`VALID`."""
    shutil.copy(SURVEY, d / "tk_survey.csv")
    shutil.copy(SERVQUAL, d / "tk_servqual.csv")
    shutil.copy(KCSI, d / "tk_kcsi.csv")
    customers_table().to_csv(d / "tk_customers.csv", index=False)
    pd.DataFrame({"region": ["north", "south", "west"], "customers": [500, 300, 200], "sd": [10.0, 20.0, 5.0],
                  "n": [25, 15, 10]}).to_csv(d / "tk_strata.csv", index=False)
    pd.DataFrame({"branch": ["a", "b"], "sat": [45, 30], "total": [60, 50]}).to_csv(d / "tk_rates.csv", index=False)
    return {k: d / f"{k}.csv" for k in ("tk_survey", "tk_servqual", "tk_kcsi", "tk_customers", "tk_strata", "tk_rates")}


S = "{tk_survey}"
VALID = {
    "metrics nps": [S, "--columns", "recommend"],
    "metrics csat": [S, "--columns", "csat5"],
    "metrics top-box": [S, "--columns", "csat5"],
    "metrics ces": [S, "--columns", "effort"],
    "metrics satisfaction-rate": ["{tk_rates}", "--satisfied", "sat", "--targeted", "total", "--label", "branch"],
    "metrics survey-score": [S, "--items", "sat_price"],
    "metrics overall-csi": [S, "--importance", "imp_price,imp_speed", "--satisfaction", "sat_price,sat_speed"],
    "metrics kcsi": ["{tk_kcsi}", "--overall", "overall", "--attributes", "product,service", "--repurchase", "repurchase"],
    "metrics benchmarks": [S, "--nps", "recommend"],
    "customers repurchase": [S, "--column", "repurchased"],
    "customers churn": ["{tk_customers}", "--column", "lost"],
    "customers clv": ["{tk_customers}", "--margin", "margin", "--retention", "retention", "--discount", "0.1"],
    "customers value": ["{tk_customers}", "--benefits", "product,service", "--costs", "money,time"],
    "customers classes": ["{tk_customers}", "--revenue", "revenue", "--cost", "cost_to_serve"],
    "customers pareto": ["{tk_customers}", "--revenue", "revenue"],
    "servqual gaps": ["{tk_servqual}", "--perception", "p_s1,p_s2", "--expectation", "e_s1,e_s2", "--dimension",
                      "all=p_s1,p_s2"],
    "servqual zones": ["{tk_servqual}", "--perception", "p_s1,p_s2", "--desired", "d_s1,d_s2", "--adequate", "a_s1,a_s2",
                       "--dimension", "all=p_s1,p_s2"],
    "servqual servperf": ["{tk_servqual}", "--perception", "p_s1,p_s2", "--dimension", "all=p_s1,p_s2"],
    "fuzzy": [S, "--items", "sat_price,sat_speed"],
    "ipma": ["{results}"],
    "describe": [S, "--items", "price"],
    "drivers": [S, "--outcome", "overall", "--attributes", "price,speed"],
    "pca": [S, "--items", "price,speed,staff"],
    "efa": [S, "--items", "price,speed,staff,clean,choice,comfort"],
    "cluster items": [S, "--items", "price,speed,staff"],
    "cluster respondents": [S, "--items", "price,speed", "--clusters", "2"],
    "correspondence": [S, "--row", "region", "--column", "channel"],
    "correlation": [S, "--items", "price,speed"],
    "sampling size": ["--margin", "0.05"],
    "sampling allocate": ["{tk_strata}", "--stratum", "region", "--size", "customers", "--n", "50"],
    "sampling margin": ["{tk_strata}", "--stratum", "region", "--size", "customers", "--sd", "sd", "--n-column", "n"],
    "sampling draw": [S, "--n", "5", "--seed", "1"],
}

#: (command, option) -> (bad value, extra valid arguments, exit code).
BAD = {
    ("metrics nps", "--confidence"): ("95", [], EXIT_USAGE),  # a percent, not a proportion: acsi.options says so
    ("metrics csat", "--top"): ("0", [], EXIT_USAGE),
    ("metrics csat", "--scale"): ("5,1", [], EXIT_ERROR),
    ("metrics overall-csi", "--importance-points"): ("high", [], EXIT_ERROR),
    ("metrics overall-csi", "--satisfaction-points"): ("5=x", [], EXIT_ERROR),
    ("metrics kcsi", "--attribute-weights"): ("1,2,3", [], EXIT_ERROR),  # three weights for two attributes
    ("metrics kcsi", "--weights"): ("0.5,0.5,0.5", [], EXIT_ERROR),
    ("metrics benchmarks", "--threshold"): ("nps", [], EXIT_ERROR),
    ("metrics survey-score", "--codes"): ("1,2", [], EXIT_ERROR),
    ("customers classes", "--cut"): ("sideways", [], EXIT_ERROR),
    ("customers pareto", "--share"): ("2", [], EXIT_USAGE),
    ("customers clv", "--periods"): ("-1", [], EXIT_USAGE),
    ("customers clv", "--discount"): ("-0.1", [], EXIT_ERROR),
    ("servqual gaps", "--dimension"): ("all", [], EXIT_ERROR),
    ("servqual gaps", "--dimension-weights"): ("all", [], EXIT_ERROR),
    ("servqual zones", "--dimension"): ("all=p_s1", [], EXIT_ERROR),  # p_s2 in no dimension
    ("servqual servperf", "--dimension"): ("all=nope", [], EXIT_ERROR),
    ("servqual servperf", "--dimension-weights"): ("other=1", [], EXIT_ERROR),
    ("fuzzy", "--factor"): ("service", ["!--items"], EXIT_ERROR),  # not name=col1,col2
    ("fuzzy", "--factor-weights"): ("1,2", ["!--items", "--factor", "a=sat_price"], EXIT_ERROR),
    ("fuzzy", "--item-weights"): ("1", [], EXIT_ERROR),
    ("fuzzy", "--grade-names"): ("low,high", [], EXIT_ERROR),
    ("fuzzy", "--grades"): ("1,2", [], EXIT_ERROR),
    ("kano", "--out"): ("x.xyz", [], EXIT_USAGE),
    ("ipa", "--out"): ("x.xyz", [], EXIT_USAGE),
    ("ipma", "--target"): ("NO_SUCH_LATENT", [], EXIT_ERROR),
    ("describe", "--model"): ("no-such-model", [], EXIT_ERROR),
    ("pca", "--components"): ("0", [], EXIT_USAGE),
    ("efa", "--factors"): ("0", [], EXIT_USAGE),
    ("efa", "--seed"): ("-1", [], EXIT_USAGE),
    ("efa", "--max-iter"): ("0", [], EXIT_USAGE),
    ("cluster items", "--clusters"): ("0", [], EXIT_USAGE),
    ("cluster respondents", "--n-init"): ("0", [], EXIT_USAGE),
    ("correspondence", "--dims"): ("0", [], EXIT_USAGE),
    ("correlation", "--confidence"): ("1", [], EXIT_USAGE),
    ("sampling allocate", "--n"): ("0", [], EXIT_USAGE),
    ("sampling draw", "--seed"): ("-1", [], EXIT_USAGE),
    ("sampling size", "--margin"): ("5", [], EXIT_ERROR),
}

#: (command, option) -> why no value is wrong for it.
FREE: dict = {}
