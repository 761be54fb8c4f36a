"""ACSI survey with two demographic covariates, age and income (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_covariates_fixedx/make_data.py

Writes ``data.csv``: n = 500 respondents, ``age`` (years, 18-90), ``income`` (thousand dollars
a year, integers, 8-250) and 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI items.
Truth: ``_simdata.ACSI_*`` plus two exogenous observed variables in the structural model:
age -> income 0.30 (older respondents earn more), age -> CS 0.15, income -> CS -0.10
(standardized). Age is ``46 + 15 z`` rounded; income ``exp(log 55 + 0.45 z)`` rounded (right
skewed, as incomes are).
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _simdata import ACSI_LATENTS, ACSI_PATHS, write_survey  # noqa: E402

NAMES = ["age", "income"] + ACSI_LATENTS
PATHS = {("age", "income"): 0.30, ("age", "CS"): 0.15, ("income", "CS"): -0.10, **ACSI_PATHS}
OBSERVED = {
    "age": lambda z: np.clip(np.round(46 + 15 * z), 18, 90).astype(int),
    "income": lambda z: np.clip(np.round(np.exp(np.log(55) + 0.45 * z)), 8, 250).astype(int),
}

if __name__ == "__main__":
    df = write_survey(__file__, seed=1102, n=500, names=NAMES, paths=PATHS, observed=OBSERVED)
    print(df[["age", "income"]].describe().T)
