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

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from _simdata import exact_sample, fmt  # noqa: E402
from make_data import LATENTS, TRUE_LOADINGS, TRUE_PATHS, residual_variances  # noqa: E402

SEED_EXACT = 20261125
N_EXACT = 300
ITEM_SD = 1.8
ITEM_MEAN = 6.5


def unstandardized_parameters():
    """Rows (lhs, op, rhs, value) in lavaan's parameter-table order for model.lav."""
    marker = {lat: next(iter(TRUE_LOADINGS[lat].values())) for lat in LATENTS}
    psi, _ = residual_variances(LATENTS, TRUE_PATHS)
    rows = []
    for lat in LATENTS:
        for item, lam in TRUE_LOADINGS[lat].items():
            rows.append((lat, "=~", item, lam / marker[lat]))
    # regressions grouped by dependent latent, predictors in model.lav order
    for dst in LATENTS:
        for (src, d), beta in TRUE_PATHS.items():
            if d == dst:
                rows.append((dst, "~", src, beta * marker[dst] / marker[src]))
    for lat in LATENTS:
        for item, lam in TRUE_LOADINGS[lat].items():
            rows.append((item, "~~", item, ITEM_SD**2 * (1.0 - lam**2)))
    for k, lat in enumerate(LATENTS):
        rows.append((lat, "~~", lat, psi[k] * (ITEM_SD * marker[lat]) ** 2))
    return rows


def implied_covariance(rows):
    """Sigma = Lambda (I - B)^-1 Psi (I - B)^-T Lambda' + Theta from parameter rows."""
    items = [item for lat in LATENTS for item in TRUE_LOADINGS[lat]]
    li = {lat: k for k, lat in enumerate(LATENTS)}
    ii = {item: k for k, item in enumerate(items)}
    lam = np.zeros((len(items), len(LATENTS)))
    b = np.zeros((len(LATENTS), len(LATENTS)))
    psi = np.zeros((len(LATENTS), len(LATENTS)))
    theta = np.zeros((len(items), len(items)))
    for lhs, op, rhs, value in rows:
        if op == "=~":
            lam[ii[rhs], li[lhs]] = value
        elif op == "~":
            b[li[lhs], li[rhs]] = value
        elif lhs in li:
            psi[li[lhs], li[rhs]] = psi[li[rhs], li[lhs]] = value
        else:
            theta[ii[lhs], ii[rhs]] = theta[ii[rhs], ii[lhs]] = value
    ib = np.linalg.inv(np.eye(len(LATENTS)) - b)
    sigma = lam @ ib @ psi @ ib.T @ lam.T + theta
    return items, (sigma + sigma.T) / 2.0


def standardized_correlation():
    items = [item for lat in LATENTS for item in TRUE_LOADINGS[lat]]
    owner = [lat for lat in LATENTS for _ in TRUE_LOADINGS[lat]]
    lams = np.array([TRUE_LOADINGS[lat][item] for lat, item in zip(owner, items)])
    _, phi = residual_variances(LATENTS, TRUE_PATHS)
    idx = np.array([LATENTS.index(lat) for lat in owner])
    r = np.outer(lams, lams) * phi[np.ix_(idx, idx)]
    np.fill_diagonal(r, 1.0)
    return r


def main():
    rows = unstandardized_parameters()
    items, sigma = implied_covariance(rows)
    dev_std = np.max(np.abs(sigma - ITEM_SD**2 * standardized_correlation()))
    if dev_std > 1e-12:
        raise RuntimeError(f"unstandardized truth does not reproduce the standardized model: {dev_std}")
    x = exact_sample(sigma, N_EXACT, SEED_EXACT, mean=ITEM_MEAN)

    lines = ["lhs,op,rhs,value"] + [f"{l},{o},{r},{fmt(v)}" for l, o, r, v in rows]
    (HERE / "exact_truth.csv").write_text("\n".join(lines) + "\n")
    lines = ["item," + ",".join(items)]
    lines += [item + "," + ",".join(fmt(v) for v in sigma[k]) for k, item in enumerate(items)]
    (HERE / "exact_population_cov.csv").write_text("\n".join(lines) + "\n")
    lines = [",".join(items)] + [",".join(fmt(v) for v in row) for row in x]
    (HERE / "exact_data.csv").write_text("\n".join(lines) + "\n")

    back = np.loadtxt(HERE / "exact_data.csv", delimiter=",", skiprows=1)
    cov_n = np.cov(back, rowvar=False, bias=True)
    print(f"wrote exact_truth.csv ({len(rows)} parameters), exact_population_cov.csv, exact_data.csv ({N_EXACT} rows)")
    print(f"max |cov_N(exact_data) - Sigma| = {np.max(np.abs(cov_n - sigma)):.3e}")
    print(f"max |mean - {ITEM_MEAN}| = {np.max(np.abs(back.mean(axis=0) - ITEM_MEAN)):.3e}")


if __name__ == "__main__":
    main()
