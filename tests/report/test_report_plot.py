"""acsi.plot: public figure functions return matplotlib Figures with the numbers on them."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from _report_data import small_run
from acsi import plot
from acsi.errors import AcsiError, DataError
from acsi.report.figures import PNG_MAGIC, figure_png


@pytest.fixture(scope="module")
def run():
    return small_run()


def _texts(fig: Figure) -> list[str]:
    out = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and callable(a.get_text))]
    return [s for s in out if s]


def test_structure_depths_are_longest_paths():
    paths = [("CE", "PQ"), ("CE", "PV"), ("PQ", "PV"), ("CE", "CS"), ("PQ", "CS"), ("PV", "CS"), ("CS", "CC"),
             ("CS", "CL"), ("CC", "CL")]
    assert plot.structure_depths(paths) == {"CE": 0, "PQ": 1, "PV": 2, "CS": 3, "CC": 4, "CL": 5}


def test_path_diagram_of_pooled_fit_shows_coefficients_and_r2(run):
    fit, _ = run
    fig = plot.path_diagram(fit)
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    est = fit.pooled.estimates
    for v in est.loc[est["op"] == "~", "std_all"]:
        assert f"{v:.2f}" in texts
    from acsi.report.analysis import r_squared

    for v in r_squared(est).to_numpy():
        assert f"R² = {v:.2f}" in texts
    ell = [p for p in fig.axes[0].patches if type(p).__name__ == "Ellipse"]
    assert len(ell) == 6
    xs = {round(e.center[0], 6) for e in ell}
    assert len(xs) == 6  # ACSI's six latents sit at six depths, left to right
    assert figure_png(fig).startswith(PNG_MAGIC)


def test_path_diagram_lays_out_left_to_right_by_depth(run):
    fit, _ = run
    fig = plot.path_diagram(fit, coef="est")
    centers = {}
    for e in (p for p in fig.axes[0].patches if type(p).__name__ == "Ellipse"):
        centers[len(centers)] = e.center
    order = [c[0] for c in centers.values()]  # drawn in spec order CE, PQ, PV, CS, CC, CL
    assert order == sorted(order)
    est = fit.pooled.estimates
    assert f"{float(est.loc[(est['op'] == '~') & (est['lhs'] == 'CS') & (est['rhs'] == 'PQ'), 'est'].iloc[0]):.2f}" in _texts(fig)


def test_path_diagram_of_one_unit_and_of_a_table(run):
    fit, _ = run
    fig = plot.path_diagram(fit, unit={"period": "2025Q2", "company": "Beta Jet"})
    est = fit.estimates
    row = est.loc[(est["company"] == "Beta Jet") & (est["period"] == "2025Q2") & (est["op"] == "~")].iloc[0]
    assert f"{row['std_all']:.2f}" in _texts(fig)
    fig2 = plot.path_diagram(fit.estimates, unit=("2025Q2", "Beta Jet"))
    assert f"{row['std_all']:.2f}" in _texts(fig2)


def test_path_diagram_errors(run):
    fit, _ = run
    with pytest.raises(AcsiError, match=r"the estimates hold 6 units \(columns \['period', 'company'\]\); pass unit="):
        plot.path_diagram(fit.estimates)
    with pytest.raises(AcsiError, match=r"no estimates for unit \{'period': '2025Q9', 'company': 'x'\}"):
        plot.path_diagram(fit.estimates, unit=("2025Q9", "x"))
    with pytest.raises(AcsiError, match=r"unit=\('a',\) gives 1 value\(s\); the estimates are keyed by \['period', 'company'\]"):
        plot.path_diagram(fit.estimates, unit=("a",))
    with pytest.raises(AcsiError, match=r"The 'coef' parameter of path_diagram must be one of \['std_all', 'est'\]"):
        plot.path_diagram(fit, coef="beta")
    with pytest.raises(AcsiError, match=r"The 'lang' parameter of path_diagram must be one of"):
        plot.path_diagram(fit, lang="de")
    with pytest.raises(DataError, match="needs a lavaan-style estimates table with columns"):
        plot.path_diagram(pd.DataFrame({"a": [1]}))
    with pytest.raises(DataError, match="path_diagram takes a FitResult"):
        plot.path_diagram(42)


def test_timeseries_from_aggregate_and_table(run):
    fit, agg = run
    fig = plot.timeseries(agg, level="industry")
    ax = fig.axes[0]
    assert len(ax.lines) == agg.table("industry")["unit"].nunique() == 2
    nat = agg.table("national")
    fig = plot.timeseries(nat, level="national")
    y = fig.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(y, nat["index"].to_numpy(), rtol=0, atol=1e-12)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2025Q1", "2025Q2"]
    pub = pd.DataFrame({"period": ["1994Q3", "1994Q4", "1995Q1"], "national_index": [74.8, 74.2, 74.1]})
    fig = plot.timeseries(pub, interval=False)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [74.8, 74.2, 74.1], rtol=0, atol=0)
    with pytest.raises(DataError, match=r"timeseries needs columns 'period' and 'index'; got \['x'\]"):
        plot.timeseries(pd.DataFrame({"x": [1]}))


def test_league_table_ranks_one_industry(run):
    fit, _ = run
    fig = plot.league_table(fit.indexes, industry="Airlines", reference=70.0, reference_label="industry")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    q2 = fit.indexes.query("period == '2025Q2' and industry == 'Airlines'").sort_values("index")
    assert labels == q2["company"].tolist()  # bottom to top: lowest to highest
    texts = _texts(fig)
    for v in q2["index"]:
        assert f"{v:.1f}" in texts
    fig = plot.league_table(fit, industry="Airlines", period="2025Q1")
    assert "not estimated" in _texts(fig)  # Tiny Air failed in 2025Q1 and is still listed
    with pytest.raises(DataError, match=r"no units in industry 'Trains'; industries are \['Airlines', 'Hotels'\]"):
        plot.league_table(fit.indexes, industry="Trains")
    with pytest.raises(DataError, match="no units in period '2030Q1'"):
        plot.league_table(fit.indexes, industry="Airlines", period="2030Q1")


def test_ipa_chart_from_fit_and_table(run):
    fit, _ = run
    fig = plot.ipa_chart(fit)
    texts = _texts(fig)
    for drv in ("CE", "PQ", "PV"):
        assert drv in texts
    tab = pd.DataFrame({"attribute": ["a", "b"], "importance": [0.5, 0.1], "performance": [60.0, 80.0],
                        "quadrant": ["B", "D"], "importance_cut": [0.3, 0.3], "performance_cut": [70.0, 70.0]})
    assert figure_png(plot.ipa_chart(tab)).startswith(PNG_MAGIC)
    with pytest.raises(DataError, match="ipa_chart: cannot compute the importance-performance table"):
        plot.ipa_chart(fit, headline="CE")


def test_figures_draw_into_given_axes(run):
    fit, agg = run
    fig = Figure(figsize=(10, 4))
    a1, a2 = fig.subplots(1, 2)
    assert plot.timeseries(agg, ax=a1) is fig
    assert plot.league_table(fit.indexes, "Hotels", ax=a2) is fig
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure_png(fig)
