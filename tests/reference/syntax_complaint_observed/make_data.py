"""ACSI survey whose complaint question is one yes/no answer (numpy, tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_complaint_observed/make_data.py

Writes ``data.csv``: n = 600 respondents, 1..10 answers with a ceiling (``center = 8``) for the
ACSI items ce1..cl2 except complaints, and ``cc1`` = 1 if the respondent complained (about 12 %).
Truth: ``_simdata.ACSI_*``, with complaints (CC) measured by the single item cc1 (standardized
loading 0.85 before it is dichotomised at the 88 % normal quantile).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey, write_frame  # noqa: E402

SEED = 1101
N = 600
LOADINGS = {**ACSI_LOADINGS, "CC": {"cc1": 0.85}}
COMPLAINT_SHARE = 0.12


def main():
    df, _ = survey(ACSI_LATENTS, LOADINGS, ACSI_PATHS, N, SEED, binary={"cc1": COMPLAINT_SHARE})
    write_frame(HERE / "data.csv", df)
    print(f"wrote {HERE / 'data.csv'}: {df.shape}, complaint share {df['cc1'].mean():.3f}, "
          f"share of 10s {float((df.drop(columns='cc1') == 10).to_numpy().mean()):.3f}")


if __name__ == "__main__":
    main()
