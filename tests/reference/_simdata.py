"""Seeded survey simulation shared by the reference-case data scripts (numpy only, no acsi).

The case scripts (``tests/reference/<case>/make_data.py``) put this folder on ``sys.path`` and
import this module; what they write (``data.csv``) is the committed truth, because numpy does
not promise the same ``Generator`` normal stream across versions (these files were written with
numpy 2.4.6).

Generation (a recursive model ``eta = B eta + zeta`` on the standardized scale)
-------------------------------------------------------------------------------
1. Variables in causal order. Each is a latent (with items) or an observed structural variable
   (a covariate such as age, or the complaint question): exogenous ones are ``N(0, 1)`` and
   independent unless a path links them; each endogenous one is ``sum(beta * parents) + zeta``
   with ``var(zeta) = 1 - R^2``, so every variable has population variance exactly 1
   (:func:`residual_variances`).
2. Items ``z_j = lambda_j * eta + e_j`` with ``var(e_j) = 1 - lambda_j^2`` (standardized
   loadings, population variance 1), drawn latent by latent, item by item.
3. Answers ``x_j = clip(floor(center + spread * z_j + 0.5), low, high)`` (round half up).
   ``center = 6.5, spread = 1.8`` (the original cases) gives symmetric answers; ``center = 8``
   gives the ceiling at 10 and the left skew of real ACSI answers.

The random draws happen in this order (it fixes the stream): the ``n x k`` matrix of ``zeta``,
then one ``n``-vector of item errors per item in model order; anything a case adds (weights,
missing holes, a 0/1 threshold) is drawn afterwards from the same generator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The ACSI model of tests/reference/acsi_sim (Fornell et al. 1996), standardized truth.
ACSI_LATENTS = ["CE", "PQ", "PV", "CS", "CC", "CL"]  # causal order
ACSI_LOADINGS = {  # standardized loadings, first item = marker
    "CE": {"ce1": 0.80, "ce2": 0.75, "ce3": 0.78},
    "PQ": {"pq1": 0.88, "pq2": 0.85, "pq3": 0.82},
    "PV": {"pv1": 0.90, "pv2": 0.85},
    "CS": {"cs1": 0.90, "cs2": 0.87, "cs3": 0.84},
    "CC": {"cc1": 0.85, "cc2": 0.80},
    "CL": {"cl1": 0.85, "cl2": 0.78},
}
ACSI_PATHS = {  # standardized path coefficients, (from, to): beta
    ("CE", "PQ"): 0.50,
    ("CE", "PV"): 0.15,
    ("PQ", "PV"): 0.55,
    ("CE", "CS"): 0.10,
    ("PQ", "CS"): 0.50,
    ("PV", "CS"): 0.30,
    ("CS", "CC"): -0.40,
    ("CS", "CL"): 0.60,
    ("CC", "CL"): -0.15,
}
CENTER, SPREAD, LOW, HIGH = 6.5, 1.8, 1, 10


def beta_matrix(names, paths):
    """B with B[i, j] = effect of variable j on variable i."""
    idx = {name: k for k, name in enumerate(names)}
    b = np.zeros((len(names), len(names)))
    for (src, dst), value in paths.items():
        b[idx[dst], idx[src]] = value
    return b


def residual_variances(names, paths):
    """var(zeta_i) making every variable's variance 1 (exogenous: 1), and the correlations Phi.

    Phi = (I - B)^-1 Psi (I - B)^-T; because the model is recursive and ``names`` is in causal
    order, psi_i = 1 - b_i' Phi_pp b_i for the predictors p of i.
    """
    b = beta_matrix(names, paths)
    k = len(names)
    phi = np.zeros((k, k))
    psi = np.zeros(k)
    for i in range(k):
        bi = b[i, :i]
        explained = bi @ phi[:i, :i] @ bi
        psi[i] = 1.0 - explained
        if psi[i] <= 0:
            raise ValueError(f"paths into {names[i]} explain {explained:.3f} >= 1 of its variance")
        phi[i, :i] = phi[:i, :i] @ bi
        phi[:i, i] = phi[i, :i]
        phi[i, i] = 1.0
    return psi, phi


def draw_structural(rng, names, paths, n, *, shift=None):
    """n draws of the standardized structural variables (columns in ``names`` order).

    ``shift`` (name -> value) adds a constant to a variable's disturbance mean (a group or
    segment difference); it is not part of the random stream.
    """
    b = beta_matrix(names, paths)
    psi, _ = residual_variances(names, paths)
    k = len(names)
    zeta = rng.standard_normal((n, k)) * np.sqrt(psi)
    if shift:
        zeta = zeta + np.array([shift.get(name, 0.0) for name in names])
    eta = np.zeros((n, k))
    for i in range(k):  # causal order
        eta[:, i] = eta[:, :i] @ b[i, :i] + zeta[:, i]
    return eta


def draw_items(rng, eta, names, loadings):
    """Continuous standardized items ``lambda * eta + sqrt(1 - lambda^2) e`` (columns, matrix)."""
    n = eta.shape[0]
    columns, values = [], []
    for i, name in enumerate(names):
        for item, lam in loadings.get(name, {}).items():
            columns.append(item)
            values.append(lam * eta[:, i] + np.sqrt(1.0 - lam**2) * rng.standard_normal(n))
    return columns, np.column_stack(values)


def to_answers(z, center=CENTER, spread=SPREAD, low=LOW, high=HIGH):
    """Answers ``clip(floor(center + spread * z + 0.5), low, high)`` as integers."""
    return np.clip(np.floor(center + spread * z + 0.5), low, high).astype(int)


def simulate(latents, loadings, paths, n, seed, *, center=CENTER, spread=SPREAD, low=LOW, high=HIGH):
    """Integer answers for every item: (columns, n x items array). The original cases' generator."""
    rng = np.random.default_rng(seed)
    eta = draw_structural(rng, latents, paths, n)
    columns, z = draw_items(rng, eta, latents, loadings)
    return columns, to_answers(z, center, spread, low, high)


def marker_parameters(latents, loadings, paths, item_sd):
    """The standardized truth moved to marker scaling on the item scale (SD ``item_sd``).

    With ``m_k`` the standardized loading of latent k's first item (its marker), latent k on
    the marker scale is ``eta*_k = item_sd * m_k * eta_k``: loadings ``lambda_j / m_k``
    (marker 1); regressions ``beta_(k<-i) * m_k / m_i``; latent (residual) variances
    ``psi_k * (item_sd * m_k)^2``; item residual variances ``item_sd^2 (1 - lambda_j^2)``.
    Rows (lhs, op, rhs, value) in lavaan's parameter-table order for a model written as
    loadings per latent, then regressions per dependent in ``latents`` order (predictors in
    ``paths`` order).
    """
    marker = {lat: next(iter(loadings[lat].values())) for lat in latents}
    psi, _ = residual_variances(latents, paths)
    rows = []
    for lat in latents:
        for item, lam in loadings[lat].items():
            rows.append((lat, "=~", item, lam / marker[lat]))
    for dst in latents:
        for (src, d), beta in paths.items():
            if d == dst:
                rows.append((dst, "~", src, beta * marker[dst] / marker[src]))
    for lat in latents:
        for item, lam in loadings[lat].items():
            rows.append((item, "~~", item, item_sd**2 * (1.0 - lam**2)))
    for k, lat in enumerate(latents):
        rows.append((lat, "~~", lat, psi[k] * (item_sd * marker[lat]) ** 2))
    return rows


def implied_covariance(latents, loadings, rows):
    """Sigma = Lambda (I - B)^-1 Psi (I - B)^-T Lambda' + Theta from parameter rows.

    Returns (items in ``loadings`` order, Sigma).
    """
    items = [item for lat in latents for item in loadings[lat]]
    li = {lat: k for k, lat in enumerate(latents)}
    ii = {item: k for k, item in enumerate(items)}
    lam = np.zeros((len(items), len(latents)))
    b = np.zeros((len(latents), len(latents)))
    psi = np.zeros((len(latents), len(latents)))
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
    ib = np.linalg.inv(np.eye(len(latents)) - b)
    sigma = lam @ ib @ psi @ ib.T @ lam.T + theta
    return items, (sigma + sigma.T) / 2.0


def standardized_correlation(latents, loadings, paths):
    """The implied correlation matrix of the items from the standardized truth."""
    items = [item for lat in latents for item in loadings[lat]]
    owner = [lat for lat in latents for _ in loadings[lat]]
    lams = np.array([loadings[lat][item] for lat, item in zip(owner, items)])
    _, phi = residual_variances(latents, paths)
    idx = np.array([latents.index(lat) for lat in owner])
    r = np.outer(lams, lams) * phi[np.ix_(idx, idx)]
    np.fill_diagonal(r, 1.0)
    return r


def write_exact(folder, latents, loadings, paths, *, n, seed, item_sd, item_mean, prefix="exact_"):
    """Write ``<prefix>truth.csv``, ``<prefix>population_cov.csv`` and ``<prefix>data.csv``.

    The truth is :func:`marker_parameters`; the data are :func:`exact_sample` rows whose
    covariance (denominator N) is the implied Sigma and whose means are ``item_mean``.
    Checks that Sigma equals ``item_sd^2`` times the standardized correlation matrix and
    returns (rows, items, sigma, data).
    """
    folder = Path(folder)
    rows = marker_parameters(latents, loadings, paths, item_sd)
    items, sigma = implied_covariance(latents, loadings, rows)
    dev = np.max(np.abs(sigma - item_sd**2 * standardized_correlation(latents, loadings, paths)))
    if dev > 1e-12:
        raise RuntimeError(f"unstandardized truth does not reproduce the standardized model: {dev}")
    x = exact_sample(sigma, n, seed, mean=item_mean)
    lines = ["lhs,op,rhs,value"] + [f"{a},{o},{b},{fmt(v)}" for a, o, b, v in rows]
    (folder / f"{prefix}truth.csv").write_text("\n".join(lines) + "\n")
    lines = ["item," + ",".join(items)]
    lines += [item + "," + ",".join(fmt(v) for v in sigma[k]) for k, item in enumerate(items)]
    (folder / f"{prefix}population_cov.csv").write_text("\n".join(lines) + "\n")
    lines = [",".join(items)] + [",".join(fmt(v) for v in row) for row in x]
    (folder / f"{prefix}data.csv").write_text("\n".join(lines) + "\n")
    back = np.loadtxt(folder / f"{prefix}data.csv", delimiter=",", skiprows=1)
    print(f"wrote {prefix}truth.csv ({len(rows)} parameters), {prefix}population_cov.csv, "
          f"{prefix}data.csv ({n} rows)")
    print(f"max |cov_N({prefix}data) - Sigma| = "
          f"{np.max(np.abs(np.cov(back, rowvar=False, bias=True) - sigma)):.3e}")
    print(f"max |mean - {item_mean}| = {np.max(np.abs(back.mean(axis=0) - item_mean)):.3e}")
    return rows, items, sigma, x


def exact_sample(sigma, n, seed, mean=0.0):
    """n rows whose covariance (denominator n) equals ``sigma`` and whose means equal ``mean``.

    Normals from ``default_rng(seed)``, centred, whitened with the inverse Cholesky factor of
    their own covariance, coloured with the Cholesky factor of ``sigma``, plus ``mean``.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, sigma.shape[0]))
    z = z - z.mean(axis=0)
    r = np.linalg.cholesky(z.T @ z / n)
    z_white = np.linalg.solve(r, z.T).T  # Z R^-T
    return mean + z_white @ np.linalg.cholesky(sigma).T


def write_csv(path, columns, values):
    """Integer table with a header row (no index column)."""
    lines = [",".join(columns)] + [",".join(str(v) for v in row) for row in values]
    Path(path).write_text("\n".join(lines) + "\n")


def fmt(x):
    """Shortest text that round-trips the double exactly."""
    return repr(float(x))


def survey(names, loadings, paths, n, seed, *, center=8.0, spread=1.8, low=LOW, high=HIGH,
           observed=None, binary=None, shift=None, item_shift=None, rng=None):
    """A realistic ACSI-like survey as a DataFrame (and the generator, for further draws).

    ``names``/``loadings``/``paths`` as in :func:`simulate`; ``center = 8`` puts the answers'
    mode near 8-9 with a ceiling at 10 (left skew, as real ACSI answers). ``observed`` maps a
    structural variable without items (a covariate) to a function turning its standardized
    values into the recorded column (e.g. age in years). ``binary`` maps an item to the share
    of 1s: the item becomes ``1{z > q}`` with ``q`` the standard normal ``1 - share``
    quantile (a yes/no question such as "did you complain?"). ``shift`` as in
    :func:`draw_structural`; ``item_shift`` (item -> value) adds a constant to an item's
    continuous response before rounding (an item that reads differently in one group: a
    non-invariant intercept). Columns: the observed variables in ``names`` order, then the items.
    """
    import statistics

    import pandas as pd

    rng = np.random.default_rng(seed) if rng is None else rng
    eta = draw_structural(rng, names, paths, n, shift=shift)
    columns, z = draw_items(rng, eta, names, loadings)
    for item, value in (item_shift or {}).items():
        z[:, columns.index(item)] += value
    out = {}
    for name, transform in (observed or {}).items():
        out[name] = transform(eta[:, names.index(name)])
    binary = binary or {}
    for j, item in enumerate(columns):
        if item in binary:
            q = statistics.NormalDist().inv_cdf(1.0 - binary[item])
            out[item] = (z[:, j] > q).astype(int)
        else:
            out[item] = to_answers(z[:, j], center, spread, low, high)
    return pd.DataFrame(out), rng


def write_frame(path, df):
    """CSV without index; floats with the shortest round-trip text, missing cells empty."""
    df.to_csv(path, index=False, float_format="%.17g", lineterminator="\n")


def write_survey(script, *, seed, n, names=None, loadings=None, paths=None, **kwargs):
    """:func:`survey` written to ``data.csv`` next to ``script`` (a case's make_data.py).

    ``names``/``loadings``/``paths`` default to the ACSI truth; ``kwargs`` go to :func:`survey`.
    Prints the shape, the share of answers at the scale's top and the mean; returns the frame.
    """
    df, _ = survey(names or ACSI_LATENTS, loadings or ACSI_LOADINGS, paths or ACSI_PATHS, n, seed,
                   **kwargs)
    out = Path(script).resolve().parent / "data.csv"
    write_frame(out, df)
    answers = df[[c for c in df.columns if c not in (kwargs.get("observed") or {})]]
    print(f"wrote {out}: {df.shape[0]} rows x {df.shape[1]} columns; share of answers at "
          f"{HIGH}: {float((answers == HIGH).to_numpy().mean()):.3f}, mean {answers.mean().mean():.2f}")
    return df
