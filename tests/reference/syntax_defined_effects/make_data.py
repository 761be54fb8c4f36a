"""ACSI survey for defined (:=) indirect and total effects (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_defined_effects/make_data.py

Writes ``data.csv``: n = 500, 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI
items; truth ``_simdata.ACSI_*`` (acsi_sim's), another seed.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey, write_frame  # noqa: E402

SEED = 1105
N = 500


def main():
    df, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, N, SEED)
    write_frame(HERE / "data.csv", df)
    print(f"wrote {HERE / 'data.csv'}: {df.shape}")


if __name__ == "__main__":
    main()
