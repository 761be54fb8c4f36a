"""Simulate survey answers from the ACSI model (numpy only, tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/acsi_sim/make_data.py

Writes ``data.csv`` next to this script: n = 500 respondents, integer answers 1..10 for the
15 ACSI items (ce1..cl2). Model and true standardized parameters: ``_simdata.ACSI_*`` (also
listed in the README in this folder); generation as described in ``_simdata`` with
``center = 6.5, spread = 1.8`` (symmetric answers).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS as LATENTS  # noqa: E402
from _simdata import ACSI_LOADINGS as TRUE_LOADINGS  # noqa: E402
from _simdata import ACSI_PATHS as TRUE_PATHS  # noqa: E402
from _simdata import residual_variances, simulate, write_csv  # noqa: E402

SEED = 20261125
N = 500


def main():
    columns, values = simulate(LATENTS, TRUE_LOADINGS, TRUE_PATHS, N, SEED)
    out = HERE / "data.csv"
    write_csv(out, columns, values)
    psi, _ = residual_variances(LATENTS, TRUE_PATHS)
    print(f"wrote {out} ({values.shape[0]} rows x {values.shape[1]} items)")
    print("latent residual variances (standardized):",
          {lat: round(float(p), 6) for lat, p in zip(LATENTS, psi)})


if __name__ == "__main__":
    main()
