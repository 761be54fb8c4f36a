"""ACSI survey whose truth satisfies three equality constraints (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_equality/make_data.py

Writes ``data.csv``: n = 500, 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI
items. Truth: ``_simdata.ACSI_*`` changed so that the constraints of ``model.lav`` hold in the
population before the answers are rounded: cs2 and cs3 load 0.86, pq2 and pq3 load 0.84, the
markers pq1 and pv1 both load 0.88 and PQ -> CS = PV -> CS = 0.40 (standardized, so with equal
marker loadings the marker-scaled paths are equal too).

Also writes the exact-moment twin (``_simdata.write_exact``): ``exact_truth.csv`` (that truth in
lavaan's marker scaling, item SD 1.8, which satisfies the three constraints exactly),
``exact_population_cov.csv`` and ``exact_data.csv`` (n = 400 continuous rows whose covariance,
denominator N, is the implied Sigma; means 8): lavaan must return the truth with chisq 0.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, write_exact, write_survey  # noqa: E402

SEED = 1103
N = 500
LOADINGS = {
    **ACSI_LOADINGS,
    "PQ": {"pq1": 0.88, "pq2": 0.84, "pq3": 0.84},
    "PV": {"pv1": 0.88, "pv2": 0.85},
    "CS": {"cs1": 0.90, "cs2": 0.86, "cs3": 0.86},
}
PATHS = {**ACSI_PATHS, ("PQ", "CS"): 0.40, ("PV", "CS"): 0.40}
SEED_EXACT, N_EXACT, ITEM_SD, ITEM_MEAN = 2103, 400, 1.8, 8.0


def main():
    write_survey(__file__, seed=SEED, n=N, loadings=LOADINGS, paths=PATHS)
    write_exact(HERE, ACSI_LATENTS, LOADINGS, PATHS, n=N_EXACT, seed=SEED_EXACT,
                item_sd=ITEM_SD, item_mean=ITEM_MEAN)


if __name__ == "__main__":
    main()
