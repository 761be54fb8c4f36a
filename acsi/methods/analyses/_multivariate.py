"""Runners of the data-processing list: descriptive and stratified tables, derived importance, PCA, EFA,
clustering of items and respondents, correspondence analysis and the correlation table."""

from __future__ import annotations

import re

import pandas as pd

from ...errors import MethodError
from ...options import Boolean, InstanceOf, Integer, OneOf, Text
from ..cluster import LINKAGES, cluster_items, cluster_respondents
from ..correlation import ADJUSTMENTS, CORRELATION_METHODS, correlation_table
from ..correspondence import correspondence
from ..descriptive import describe_items
from ..drivers import COV_TYPES, driver_regression
from ..factor import EFA_METHODS, ROTATIONS, efa, pca
from ._metrics import OPT_COLUMNS
from .base import CONFIDENCE, Output, analysis, column_list, one_column, weight_series
from .figures import importance_chart, scree_chart

BY = (None, Text(), InstanceOf(list, tuple, desc="a list of stratum columns (each 'a,b' crosses them)"))


def _stem(cols: list[str]) -> str:
    return "_".join(re.sub(r"[^0-9A-Za-z]+", "_", c).strip("_").lower() or "col" for c in cols)


@analysis("describe", "Descriptive and stratified statistics", items=OPT_COLUMNS, by=BY, weight=(None, Text()),
          confidence=CONFIDENCE, model=(None, Text()), by_covariates=Boolean())
def run_describe(data, *, items=None, by=None, weight=None, confidence=0.95, model=None, by_covariates=False) -> Output:
    """n, mean, median, mode, sd, IQR, range and the mean's interval per item, overall and per stratum.

    ``by`` is one stratum spec or a list of them; each gives its own table
    (``describe_by_<columns>``), and ``"a,b"`` crosses two columns in one table.  ``model`` (a
    shipped model name or a model file) supplies the default items (its items found in the
    data) and, with ``by_covariates=True``, the strata: one table per declared covariate (the
    model's demographics) found in the data.  See :func:`acsi.methods.describe_items`.
    """
    where = "describe"
    specs = [] if by is None else ([by] if isinstance(by, str) else list(by))
    notes = []
    spec = None
    if model is not None:
        from ...spec import load_model

        spec = load_model(model)
    if by_covariates:
        if spec is None:
            raise MethodError(f"{where}: by_covariates=True needs model= (the model declares the covariates).")
        found = [c for c in spec.covariate_ids if c in map(str, data.columns)]
        missing = [c for c in spec.covariate_ids if c not in found]
        if not found:
            raise MethodError(f"{where}: none of the model's covariates {list(spec.covariate_ids)} is a column of the data; "
                              f"the data have {list(map(str, data.columns))}.")
        if missing:
            notes.append(f"Covariates of the model not in the data (no table): {missing}.")
        specs += found
    strata_cols = [c for s in specs for c in column_list(data, s, "by", where)]
    if items is None and spec is not None:
        cols = [c for c in spec.item_ids if c in map(str, data.columns)]
        if not cols:
            raise MethodError(f"{where}: none of the items of model {model!r} is a column of the data; name them with items=.")
    elif items is None:
        wcol = None if weight is None else str(weight)
        cols = [c for c in data.columns if c not in strata_cols and c != wcol and pd.api.types.is_numeric_dtype(data[c])]
        if spec is None and specs:
            cov = set(strata_cols)
            cols = [c for c in cols if c not in cov]
    else:
        cols = column_list(data, items, "items", where)
    w = weight_series(data, weight, where)
    tables = [("describe", describe_items(data, cols, confidence=confidence, weights=w).assign(confidence=confidence),
               "All respondents", True)]
    seen = set()
    for s in specs:
        by_cols = column_list(data, s, "by", where)
        stem = f"describe_by_{_stem(by_cols)}"
        if stem in seen:
            continue
        seen.add(stem)
        t = describe_items(data, cols, by=by_cols, confidence=confidence, weights=w)
        t = t[t[by_cols].notna().any(axis=1)].reset_index(drop=True)  # the overall rows are the main table
        tables.append((stem, t.assign(confidence=confidence), f"By {' x '.join(by_cols)}", True))
    return Output(tables, notes=tuple(notes), confidence=confidence)


@analysis("drivers", "Derived importance (regression, relative weights, Shapley)", figure=True, outcome=Text(),
          attributes=OPT_COLUMNS, weight=(None, Text()), cov_type=OneOf(*COV_TYPES), confidence=CONFIDENCE)
def run_drivers(data, *, outcome, attributes=None, weight=None, cov_type="HC3", confidence=0.95) -> Output:
    """OLS (WLS with weights) of overall satisfaction on attribute ratings with robust SEs, VIF, Johnson's relative
    weights and the Shapley decomposition of R² (:func:`acsi.methods.driver_regression`)."""
    where = "drivers"
    y = one_column(data, outcome, "outcome", where)
    attrs = None if attributes is None else column_list(data, attributes, "attributes", where)
    res = driver_regression(data, y, attrs, weights=None if weight is None else weight_series(data, weight, where),
                            cov_type=cov_type, confidence=confidence)
    imp = res.importance

    def figure(lang):
        return importance_chart(imp, title=f"Derived importance for {y}", lang=lang)

    return Output([("drivers", imp, "Importance: correlation, standardised beta, VIF, relative weight, Shapley (% of R²)",
                    True), ("drivers_coefficients", res.coefficients.assign(confidence=confidence),
                            f"Coefficients ({res.cov_type} standard errors)", True),
                   ("drivers_fit", res.fit.to_frame("value").reset_index(names="measure"), "Fit", True)],
                  figure=figure, confidence=confidence)


@analysis("pca", "Principal components", figure=True, items=OPT_COLUMNS, components=(None, Integer(min=1)),
          covariance=Boolean())
def run_pca(data, *, items=None, components=None, covariance=False) -> Output:
    """PCA of the items' correlation (or, ``covariance=True``, covariance) matrix (:func:`acsi.methods.pca`)."""
    res = pca(data, None if items is None else column_list(data, items, "items", "pca"), components,
              standardize=not covariance)
    ev = res.eigenvalues

    def figure(lang):
        return scree_chart(ev["eigenvalue"], kaiser=not covariance, lang=lang)

    scores = res.scores.reset_index(drop=True)
    scores.insert(0, "row", data.index.get_indexer(res.scores.index) + 1)
    return Output([("pca", ev, "Eigenvalues", True), ("pca_loadings", res.loadings.reset_index(names="item"),
                                                      "Loadings (item-component correlations)", True),
                   ("pca_rotation", res.rotation.reset_index(names="item"), "Eigenvectors (prcomp's rotation)", False),
                   ("pca_scores", scores, "Component scores of the complete rows (row: 1-based position in the data)", False)],
                  figure=figure, notes=(f"n = {res.n} complete rows, {res.n_dropped} dropped (a missing answer).",))


@analysis("efa", "Exploratory factor analysis", figure=True, items=OPT_COLUMNS, factors=Integer(min=1),
          method=OneOf(*EFA_METHODS), rotation=OneOf(*ROTATIONS), kaiser=Boolean(), max_iter=Integer(min=1),
          seed=Integer(min=0))
def run_efa(data, *, items=None, factors=1, method="ml", rotation="varimax", kaiser=True, max_iter=1000,
            seed=0) -> Output:
    """EFA by maximum likelihood or principal axis with a rotation (:func:`acsi.methods.efa`); KMO and Bartlett."""
    cols = None if items is None else column_list(data, items, "items", "efa")
    res = efa(data, cols, factors, method=method, rotation=rotation, normalize=kaiser, max_iter=max_iter, seed=seed)
    eig = pca(data, list(res.communalities["item"])).eigenvalues["eigenvalue"]

    def figure(lang):
        return scree_chart(eig, title="Scree plot (eigenvalues of the correlation matrix)", lang=lang)

    tables = [("efa", res.loadings.reset_index(names="item"), f"Loadings ({res.method}, {res.rotation})", True),
              ("efa_communalities", res.communalities, "Communalities, uniquenesses and KMO", True),
              ("efa_variance", res.variance, "Variance explained", True),
              ("efa_fit", res.fit.to_frame("value").reset_index(names="measure"), "Fit and adequacy", True)]
    if res.rotation in ("oblimin", "promax"):
        tables += [("efa_phi", res.phi.reset_index(names="factor"), "Factor correlations", True),
                   ("efa_structure", res.structure.reset_index(names="item"), "Structure (item-factor correlations)", False)]
    return Output(tables, figure=figure, notes=tuple(res.problems))


@analysis("cluster_items", "Cluster analysis of the items", figure=True, items=OPT_COLUMNS, clusters=Integer(min=1),
          linkage=OneOf(*LINKAGES), absolute=Boolean())
def run_cluster_items(data, *, items=None, clusters=2, linkage="average", absolute=False) -> Output:
    """Hierarchical clustering of the items by the correlation distance 1 - r (:func:`acsi.methods.cluster_items`)."""
    res = cluster_items(data, None if items is None else column_list(data, items, "items", "cluster_items"), clusters,
                        linkage=linkage, absolute=absolute)

    def figure(lang):
        return res.plot()

    return Output([("cluster_items", res.clusters, f"Groups ({linkage} linkage)", True),
                   ("cluster_items_merges", res.merges, "Merges (the dendrogram)", True)], figure=figure)


@analysis("cluster_respondents", "k-means segments of respondents", items=OPT_COLUMNS, clusters=Integer(min=1),
          raw=Boolean(), n_init=Integer(min=1), seed=Integer(min=0), max_iter=Integer(min=1), id=(None, Text()))
def run_cluster_respondents(data, *, items=None, clusters=3, raw=False, n_init=10, seed=0, max_iter=300,
                            id=None) -> Output:
    """k-means (Lloyd) on standardised (or, ``raw=True``, raw) answers (:func:`acsi.methods.cluster_respondents`)."""
    where = "cluster_respondents"
    cols = None if items is None else column_list(data, items, "items", where)
    res = cluster_respondents(data, cols, clusters, standardize=not raw, n_init=n_init, seed=seed, max_iter=max_iter)
    who = data.loc[res.labels.index, [one_column(data, id, "id", where)]].reset_index(drop=True) if id is not None else \
        pd.DataFrame({"row": [i + 1 for i in data.index.get_indexer(res.labels.index)]})
    labels = who.assign(cluster=res.labels.to_numpy())
    centers = res.centers.reset_index(names="cluster")
    return Output([("cluster_respondents", centers, "Segment means on the item scales, with sizes", True),
                   ("cluster_respondents_fit", res.fit.to_frame("value").reset_index(names="measure"), "Fit", True),
                   ("cluster_respondents_members", labels, "Segment of every complete row", False)],
                  notes=(f"seed {seed}, {n_init} restarts: the same seed gives the same segments.",))


@analysis("correspondence", "Correspondence analysis", figure=True, row=(None, Text()), column=(None, Text()),
          table=Boolean(), dims=(None, Integer(min=1)))
def run_correspondence(data, *, row=None, column=None, table=False, dims=None) -> Output:
    """Simple CA of two categorical columns crossed, or of a contingency table (``table=True``: the first
    column names the rows, the other columns hold the counts); :func:`acsi.methods.correspondence`."""
    where = "correspondence"
    if table:
        if row is not None or column is not None:
            raise MethodError(f"{where}: table=True reads a contingency table; row= and column= are for respondent data.")
        label = data.columns[0]
        counts = data.set_index(label)
        counts.index = counts.index.astype(str)
        res = correspondence(counts, n_dims=dims)
    else:
        if row is None or column is None:
            raise MethodError(f"{where}: give the two categorical columns row= and column= (or table=True for counts).")
        res = correspondence(data=data, row=one_column(data, row, "row", where),
                             column=one_column(data, column, "column", where), n_dims=dims)
    n_dim = len(res.eigenvalues)

    def figure(lang):
        return res.plot()

    return Output([("correspondence", res.eigenvalues, "Principal inertias", True),
                   ("correspondence_rows", res.rows.reset_index(names="category"), "Rows (principal coordinates)", True),
                   ("correspondence_columns", res.columns.reset_index(names="category"), "Columns (principal coordinates)",
                    True), ("correspondence_fit", res.fit.to_frame("value").reset_index(names="measure"),
                            "Test of independence", True)],
                  figure=figure if n_dim >= 2 else None)


@analysis("correlation", "Correlation table with tests", items=OPT_COLUMNS, method=OneOf(*CORRELATION_METHODS),
          adjust=OneOf(*ADJUSTMENTS), confidence=CONFIDENCE)
def run_correlation(data, *, items=None, method="pearson", adjust="holm", confidence=0.95) -> Output:
    """Pairwise correlations with tests, Fisher-z intervals and multiple-testing adjustment
    (:func:`acsi.methods.correlation_table`)."""
    res = correlation_table(data, None if items is None else column_list(data, items, "items", "correlation"),
                            method=method, adjust=adjust, confidence=confidence)
    return Output([("correlation", res.pairs.assign(confidence=confidence), f"Pairs ({method}, {adjust} adjustment)", True),
                   ("correlation_matrix", res.matrix("r").reset_index(names="item"), "Correlation matrix", True)],
                  notes=(res.note,), confidence=confidence)

