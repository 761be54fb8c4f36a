"""Cluster analysis (聚類分析): of the indicators (hierarchical) and of the respondents (k-means).

* ``cluster_items``: agglomerative clustering of the items with the correlation distance
  ``d_ij = 1 − r_ij`` (or ``1 − |r_ij|`` with ``absolute=True``), SciPy's ``linkage`` with
  ``average`` (UPGMA, default), ``complete``, ``single`` or ``ward`` linkage, cut into ``k``
  groups with ``fcluster(..., "maxclust")``.  Equivalent R:
  ``hclust(as.dist(1 - cor(x)), method = "average")`` and ``cutree(h, k)`` (merge heights
  equal; group numbers may differ, so acsi numbers the groups in order of their first item).
* ``cluster_respondents``: k-means segmentation of the (optionally standardised)
  respondents, scikit-learn's ``KMeans`` (Lloyd's algorithm, ``n_init`` seeded restarts,
  or given starting centres); equivalent R: ``kmeans(x, centers, algorithm = "Lloyd")``.
  Clusters are numbered by decreasing size (ties: by the first member's row).

References
----------
Sokal, R. R., & Michener, C. D. (1958). A statistical method for evaluating systematic
relationships. *University of Kansas Science Bulletin* 38, 1409-1438 (UPGMA).
Lloyd, S. P. (1982). Least squares quantization in PCM. *IEEE Trans. Inf. Theory* 28, 129-137.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import MethodError
from ..summary import Summary
from ._data import numeric_block, require

__all__ = ["LINKAGES", "ItemClusters", "RespondentClusters", "cluster_items", "cluster_respondents"]

LINKAGES: tuple[str, ...] = ("average", "complete", "single", "ward")


def _renumber(labels: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Map cluster labels to 1..k in the given order of first appearance."""
    mapping = {}
    for lab in labels[order]:
        if lab not in mapping:
            mapping[lab] = len(mapping) + 1
    return np.array([mapping[lab] for lab in labels])


@dataclass(frozen=True)
class ItemClusters:
    """Result of :func:`cluster_items`.

    Attributes
    ----------
    clusters : DataFrame
        ``item, cluster`` (1..k, numbered in order of the items).
    merges : DataFrame
        The dendrogram: ``step, left, right, height, size`` (SciPy's linkage matrix with
        names: leaves are item names, inner nodes ``"node<step>"``).
    distance : DataFrame
        The item distance matrix.
    linkage : str
    """

    clusters: pd.DataFrame
    merges: pd.DataFrame
    distance: pd.DataFrame
    linkage: str
    linkage_matrix: np.ndarray

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary(f"Item clusters ({self.linkage} linkage, {self.clusters['cluster'].nunique()} groups)",
                       [("Clusters", self.clusters), ("Merges", self.merges)])

    def plot(self, ax=None):
        """Dendrogram (matplotlib Figure)."""
        from matplotlib.figure import Figure
        hierarchy = require("scipy.cluster.hierarchy", "ItemClusters.plot")
        if ax is None:
            fig = Figure(figsize=(6.4, 4.0))
            ax = fig.add_subplot(1, 1, 1)
        hierarchy.dendrogram(self.linkage_matrix, labels=list(self.distance.index), ax=ax)
        ax.set_ylabel("distance (1 - r)")
        ax.set_title("Item clusters")
        return ax.figure


def cluster_items(data: pd.DataFrame, items: Sequence[str] | None = None, n_clusters: int = 2, *,
                  linkage: str = "average", absolute: bool = False) -> ItemClusters:
    """Hierarchical clustering of the items by correlation distance.

    Parameters
    ----------
    data : DataFrame
        Respondents x items (complete rows used).
    items : sequence of str, optional
    n_clusters : int
        Number of groups to cut the tree into (``1 <= k <= p``).
    linkage : {"average", "complete", "single", "ward"}
    absolute : bool
        Use ``1 − |r|`` (items that move against each other count as close).

    Returns
    -------
    ItemClusters

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(200, 2))
    >>> d = pd.DataFrame(np.repeat(f, 2, axis=1) + 0.4 * rng.normal(size=(200, 4)), columns=["a", "b", "c", "d"])
    >>> cluster_items(d, n_clusters=2).clusters["cluster"].tolist()
    [1, 1, 2, 2]
    """
    if linkage not in LINKAGES:
        raise MethodError(f"cluster_items: linkage must be one of {list(LINKAGES)}; got {linkage!r}.")
    block, _, _ = numeric_block(data, items, "cluster_items", min_columns=2, min_rows=3)
    p = block.shape[1]
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) or not 1 <= n_clusters <= p:
        raise MethodError(f"cluster_items: n_clusters must be an integer from 1 to {p}; got {n_clusters!r}.")
    hierarchy = require("scipy.cluster.hierarchy", "cluster_items")
    from scipy.spatial.distance import squareform

    r = np.corrcoef(block.to_numpy(), rowvar=False)
    dist = 1.0 - (np.abs(r) if absolute else r)
    np.fill_diagonal(dist, 0.0)
    dist = (dist + dist.T) / 2
    Z = hierarchy.linkage(squareform(np.clip(dist, 0, None), checks=False), method=linkage)
    labels = hierarchy.fcluster(Z, t=int(n_clusters), criterion="maxclust")
    cols = list(block.columns)
    labels = _renumber(labels, np.arange(p))

    def name(i):
        i = int(i)
        return cols[i] if i < p else f"node{i - p + 1}"

    merges = pd.DataFrame({"step": np.arange(1, len(Z) + 1), "left": [name(a) for a in Z[:, 0]],
                           "right": [name(b) for b in Z[:, 1]], "height": Z[:, 2], "size": Z[:, 3].astype(int)})
    return ItemClusters(clusters=pd.DataFrame({"item": cols, "cluster": labels}), merges=merges,
                        distance=pd.DataFrame(dist, index=cols, columns=cols), linkage=linkage, linkage_matrix=Z)


@dataclass(frozen=True)
class RespondentClusters:
    """Result of :func:`cluster_respondents`.

    Attributes
    ----------
    labels : Series
        Cluster (1..k, by decreasing size) of every complete row, indexed like the input.
    centers : DataFrame
        Cluster means on the original item scales (rows ``1..k``) with ``size``.
    fit : Series
        ``n, n_dropped, k, within_ss, between_ss, total_ss, r2`` (between / total, on the
        analysed scale) and ``iterations``.
    """

    labels: pd.Series
    centers: pd.DataFrame
    fit: pd.Series

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary(f"k-means segments (k = {int(self.fit['k'])})",
                       [("Fit", self.fit.to_frame("value").reset_index(names="measure")),
                        ("Centres", self.centers.reset_index(names="cluster"))])


def cluster_respondents(data: pd.DataFrame, items: Sequence[str] | None = None, n_clusters: int = 3, *,
                        standardize: bool = True, n_init: int = 10, seed: int = 0, init=None,
                        max_iter: int = 300) -> RespondentClusters:
    """k-means segmentation of respondents on their item answers.

    Parameters
    ----------
    data : DataFrame
        Respondents x items (complete rows used; the others are counted in ``n_dropped``).
    items : sequence of str, optional
    n_clusters : int
        ``k``, from 1 to the number of complete rows.
    standardize : bool
        Cluster z-scores (``n − 1`` standard deviations) rather than raw answers.
    n_init, seed : int
        Restarts (k-means++ starts drawn from ``seed``); the best within-sum-of-squares wins.
    init : array-like (k x items), optional
        Starting centres on the analysed scale instead (then one run).
    max_iter : int

    Returns
    -------
    RespondentClusters

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1, 1, 2, 9, 9, 8], "b": [1, 2, 1, 9, 8, 9]})
    >>> cluster_respondents(d, n_clusters=2).labels.tolist()
    [1, 1, 1, 2, 2, 2]
    """
    block, _, dropped = numeric_block(data, items, "cluster_respondents", min_columns=1, min_rows=2)
    n = len(block)
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) or not 1 <= n_clusters <= n:
        raise MethodError(f"cluster_respondents: n_clusters must be an integer from 1 to {n}; got {n_clusters!r}.")
    for label, v in (("n_init", n_init), ("max_iter", max_iter)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise MethodError(f"cluster_respondents: {label} must be a positive integer; got {v!r}.")
    cluster = require("sklearn.cluster", "cluster_respondents")
    X = block.to_numpy()
    mu, sd = X.mean(axis=0), X.std(axis=0, ddof=1)
    Z = (X - mu) / sd if standardize else X - 0.0
    if init is not None:
        start = np.asarray(init, dtype=float)
        if start.shape != (n_clusters, X.shape[1]):
            raise MethodError(f"cluster_respondents: init must be {n_clusters} x {X.shape[1]} starting centres "
                              f"(on the {'standardised' if standardize else 'raw'} scale); got shape {start.shape}.")
        km = cluster.KMeans(n_clusters=int(n_clusters), init=start, n_init=1, max_iter=int(max_iter),
                            algorithm="lloyd", tol=0.0)
    else:
        km = cluster.KMeans(n_clusters=int(n_clusters), n_init=int(n_init), random_state=int(seed),
                            max_iter=int(max_iter), algorithm="lloyd", tol=0.0)
    raw = km.fit_predict(Z)
    sizes = np.bincount(raw, minlength=n_clusters)
    first = np.array([np.argmax(raw == c) for c in range(n_clusters)])
    order = sorted(range(n_clusters), key=lambda c: (-sizes[c], first[c]))
    relabel = {c: i + 1 for i, c in enumerate(order)}
    labels = np.array([relabel[c] for c in raw])
    centers = block.groupby(labels).mean()
    centers.index.name = None
    centers["size"] = np.bincount(labels)[1:]
    total = float(((Z - Z.mean(axis=0)) ** 2).sum())
    within = float(km.inertia_)
    fit = pd.Series({"n": float(n), "n_dropped": float(dropped), "k": float(n_clusters), "within_ss": within,
                     "between_ss": total - within, "total_ss": total, "r2": (total - within) / total if total else np.nan,
                     "iterations": float(km.n_iter_)}, name="fit")
    return RespondentClusters(labels=pd.Series(labels, index=block.index, name="cluster"), centers=centers, fit=fit)
