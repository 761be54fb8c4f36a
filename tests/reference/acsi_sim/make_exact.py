"""Exact-fit fixture for the ACSI model: population truth and data that reproduce it exactly.

Run from the repository root::

    python tests/reference/acsi_sim/make_exact.py

Writes next to this script

* ``exact_truth.csv`` (columns ``lhs,op,rhs,value``): the full true parameter vector in
  lavaan's parameter-table form, unstandardized with the first loading of each latent fixed
  to 1 (marker scaling), as ``lavaan::sem()`` parameterizes the model in ``model.lav``;
* ``exact_population_cov.csv``: the implied population covariance matrix (leading column
  ``item``);
* ``exact_data.csv``: n = 300 continuous rows whose sample covariance with denominator N
  equals that matrix to rounding error, and whose column means are exactly 6.5.

Truth and data: ``_simdata.write_exact`` (``marker_parameters``, ``exact_sample``).

Truth
-----
The standardized parameters of ``make_data.py`` (TRUE_LOADINGS, TRUE_PATHS, latent
variances 1) moved to the item scale of the survey mapping (item SD = 1.8, as in
``6.5 + 1.8 * z``) and to marker scaling. With ``m_k`` the standardized loading of latent
k's first item and ``s = 1.8``, latent k on the marker scale is ``eta*_k = s * m_k * eta_k``:

* loading ``lambda*_j = lambda_j / m_k`` (marker: 1);
* regression ``beta*_{k<-i} = beta_{k<-i} * m_k / m_i``;
* latent (residual) variance ``psi*_k = psi_k * (s * m_k)^2``;
* item residual variance ``theta*_j = s^2 * (1 - lambda_j^2)``.

Sigma = Lambda (I - B)^-1 Psi (I - B)^-T Lambda' + Theta (equal to s^2 times the
standardized implied correlation matrix; the script checks this).

Data
----
Z ~ N(0, I) (numpy default_rng(SEED_EXACT)), centred, whitened with the inverse Cholesky
factor of its own covariance (denominator N) so that cov_N(Z_w) = I, then coloured with the
Cholesky factor L of Sigma: X = 6.5 + Z_w L'.  Hence cov_N(X) = L L' = Sigma.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _simdata import write_exact  # noqa: E402
from make_data import LATENTS, TRUE_LOADINGS, TRUE_PATHS  # noqa: E402

SEED_EXACT = 20261125
N_EXACT = 300
ITEM_SD = 1.8
ITEM_MEAN = 6.5


def main():
    write_exact(HERE, LATENTS, TRUE_LOADINGS, TRUE_PATHS, n=N_EXACT, seed=SEED_EXACT,
                item_sd=ITEM_SD, item_mean=ITEM_MEAN)


if __name__ == "__main__":
    main()
