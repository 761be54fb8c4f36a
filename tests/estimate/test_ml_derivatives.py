"""Analytic derivatives of the ML engine against finite differences: the mean structure (with
free latent means, so every second-derivative term of μ = ν + Λ(I − B)⁻¹α is exercised),
several groups and the θ = K x + k0 reparametrisation of equality constraints."""

import numpy as np
import pytest

from acsi.estimate import mlfast as mf
from acsi.spec.partable import COLUMNS, ParTable
from estimate.lavaan_tables import table_from_lavaan
from reference.cases import load_case


def _free_more(pt: ParTable, which) -> ParTable:
    """A copy of ``pt`` with the rows selected by ``which(frame)`` made free parameters."""
    fr = pt.to_frame()
    sel = which(fr) & (fr["free"] == 0)
    free = fr["free"].to_numpy().copy()
    free[sel.to_numpy()] = -1
    order = np.flatnonzero(free != 0)
    free[order] = np.arange(1, order.size + 1)
    fr["free"] = free
    fr.loc[sel, "ustart"] = np.nan
    cols = {c: fr[c].to_numpy() for c in COLUMNS}
    return ParTable(cols, [pt.layout(g) for g in range(1, pt.ngroups + 1)], {}, pt.group_labels)


@pytest.fixture(scope="module")
def problem():
    c = load_case("engine_multigroup")
    pt = table_from_lavaan(c)
    # free latent means in group 2 and a path into CL so that α, λ·α, B·α terms are non-zero
    pt = _free_more(pt, lambda f: (f["op"] == "~1") & f["lhs"].isin(["PQ", "CS"]) & (f["group"] == 2))
    model = mf.RamModel(pt)
    data = c.data
    S, means, n = [], [], []
    for g in model.group_labels:
        X = data.loc[data["segment"] == g, model.groups[0].ov].to_numpy(float)
        S.append(mf.sample_moments(X)[None])
        means.append(X.mean(axis=0)[None])
        n.append(len(X))
    w = np.array(n) / sum(n)
    batch = mf._Batch(model, S, means, w)
    theta = mf.start_values(model, [s[0] for s in S], [m[0] for m in means])
    rng = np.random.default_rng(3)
    theta = theta + rng.normal(scale=0.05, size=theta.size)
    return model, batch, model.x_of(theta[None])[0]


def test_constraints_are_reparametrised(problem):
    model, _batch, _x = problem
    assert model.K is not None and model.nx == model.npar - 2  # the two shared labels
    assert not model.has_nonlinear


def test_gradient_and_exact_hessian_with_means_groups_and_constraints(problem):
    model, batch, x = problem

    def derivs(v):
        F, st = batch.value(v[None], np.arange(1))
        g, _H, Hobs = batch.derivatives(st, np.arange(1), observed=True)
        return F[0], g[0], Hobs[0]

    F0, g0, H0 = derivs(x)
    eps = 1e-6
    g_num = np.zeros(x.size)
    H_num = np.zeros((x.size, x.size))
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        Fp, gp, _ = derivs(x + e)
        Fm, gm, _ = derivs(x - e)
        g_num[k] = (Fp - Fm) / (2 * eps)
        H_num[:, k] = (gp - gm) / (2 * eps)
    np.testing.assert_allclose(g0, g_num, atol=1e-7)
    np.testing.assert_allclose(H0, H_num, atol=1e-6)


def test_expected_information_is_the_mean_of_the_exact_hessian_at_the_truth(problem):
    """At Σ = S, x̄ = μ (exact fit) the exact Hessian equals the expected information."""
    model, _batch, x = problem
    theta = model.theta_of(x[None])[0]
    S, means = [], []
    for g, gm in enumerate(model.groups):
        sig, _A, _M, _G, _L, _C, mu, _a = mf._implied_full(gm, model.cells(theta[None], g))
        S.append(sig)
        means.append(mu)
    exact = mf._Batch(model, S, means, np.array([0.5, 0.5]))
    _F, st = exact.value(x[None], np.arange(1))
    g, H, Hobs = exact.derivatives(st, np.arange(1), observed=True)
    Hexp = exact._to_x(exact.expected_theta(st))
    assert np.abs(g).max() < 1e-10
    np.testing.assert_allclose(Hobs[0], Hexp[0], atol=1e-9)


def test_moment_jacobian_against_finite_differences(problem):
    model, batch, x = problem
    from acsi.estimate.samplestats import GroupStats, SampleStats

    stats = SampleStats(groups=tuple(GroupStats(n=100, mean=m[0], cov=S[0]) for S, m in zip(batch.S, batch.mean)),
                        ov=tuple(tuple(gm.ov) for gm in model.groups))
    theta = model.theta_of(x[None])[0]
    D = mf.moment_jacobian(model, theta, stats)

    def moments(th):
        out = []
        for (sig, mu) in mf.implied_moments(model, th, stats):
            r, c = np.tril_indices(sig.shape[0])
            o = np.lexsort((r, c))
            out.append(np.concatenate([mu, sig[r[o], c[o]]]))
        return out

    for k in range(theta.size):
        e = np.zeros(theta.size)
        e[k] = 1e-6
        up, dn = moments(theta + e), moments(theta - e)
        for g in range(len(D)):
            np.testing.assert_allclose(D[g][:, k], (up[g] - dn[g]) / 2e-6, atol=1e-7)
