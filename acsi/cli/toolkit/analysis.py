"""The data-processing list on the command line: ``acsi describe``, ``drivers``, ``pca``, ``efa``,
``cluster items|respondents``, ``correspondence``, ``correlation``."""

from __future__ import annotations

from .common import add_by, add_file, add_tail, group, leaf, runs

__all__ = ["register"]


_describe = runs("describe", "items", "by", "weight", "confidence", "model", "by_covariates")
_drivers = runs("drivers", "outcome", "attributes", "weight", "cov_type", "confidence")
_pca = runs("pca", "items", "components", "covariance")
_efa = runs("efa", "items", "factors", "method", "rotation", "max_iter", "seed", kaiser=lambda a: not a.no_kaiser)
_cluster_items = runs("cluster_items", "items", "clusters", "linkage", "absolute")
_cluster_respondents = runs("cluster_respondents", "items", "clusters", "raw", "n_init", "seed", "max_iter", "id")
_correspondence = runs("correspondence", "row", "column", "table", "dims")
_correlation = runs("correlation", "items", "method", "adjust", "confidence")


def _items(p, help: str = "item columns (default: every numeric column)") -> None:
    p.add_argument("--items", metavar="COLS", default=None, help=help)


def register(sub) -> None:
    """Add the data-processing commands."""
    p = leaf(sub, "describe", "descriptive and stratified statistics of survey items",
             "Per item n, mean, median, mode, sd, IQR, range and the mean's interval (weighted with --weight); "
             "each --by gives a table by that stratum ('a,b' crosses two); --model uses the model's items and, "
             "with --by-covariates, one table per demographic the model declares.",
             ["acsi describe survey.csv --items 'q*' --by region --by age_band",
              "acsi describe airline.csv --model airline --by-covariates --weight w --out tables/"], _describe)
    add_file(p)
    _items(p, "item columns (default: the model's items, else every numeric column)")
    add_by(p, repeat=True)
    p.add_argument("--model", metavar="MODEL", default=None, help="shipped model name or model file: its items and covariates")
    p.add_argument("--by-covariates", action="store_true", help="one table per covariate (demographic) of --model")
    add_tail(p)

    p = leaf(sub, "drivers", "derived importance: OLS/WLS with robust SEs, VIF, relative weights, Shapley",
             "Regress the overall rating on the attribute ratings (statsmodels; HC3 standard errors by default), "
             "with each attribute's VIF, Johnson's relative weight and its Shapley share of R^2.",
             ["acsi drivers survey.csv --outcome overall --attributes price,speed,staff,clean",
              "acsi drivers survey.csv --outcome overall --weight w --cov-type HC1 --out drivers/"], _drivers)
    add_file(p)
    p.add_argument("--outcome", metavar="COL", required=True, help="overall-satisfaction column")
    p.add_argument("--attributes", metavar="COLS", default=None, help="attribute columns (default: every other numeric column)")
    p.add_argument("--cov-type", choices=("HC3", "HC0", "HC1", "HC2", "nonrobust"), default="HC3",
                   help="standard errors (default HC3, R sandwich::vcovHC's default)")
    add_tail(p, figure=True)

    p = leaf(sub, "pca", "principal-component analysis of the items",
             "PCA of the correlation matrix (R prcomp(scale. = TRUE); --covariance for the covariance matrix); "
             "components with eigenvalue > 1 by default; scree plot.",
             ["acsi pca survey.csv --items price,speed,staff,clean,choice,comfort",
              "acsi pca survey.csv --items 'q*' --components 3 --out pca/"], _pca)
    add_file(p)
    _items(p)
    p.add_argument("--components", type=int, default=None, help="components to keep (default: eigenvalue > 1)")
    p.add_argument("--covariance", action="store_true", help="analyse the covariance matrix (raw scales)")
    add_tail(p, weight=False, confidence=False, figure=True)

    p = leaf(sub, "efa", "exploratory factor analysis with rotation, KMO and Bartlett",
             "Maximum likelihood (R factanal) or principal axis (psych::fa(fm = 'pa')) with varimax, quartimax, "
             "oblimin or promax rotation (Kaiser normalisation unless --no-kaiser).",
             ["acsi efa survey.csv --items 'q*' --factors 2", "acsi efa survey.csv --items 'q*' --factors 2 --method pa "
              "--rotation promax --out efa/"], _efa)
    add_file(p)
    _items(p)
    p.add_argument("--factors", type=int, default=1, help="number of factors (default 1)")
    p.add_argument("--method", choices=("ml", "pa"), default="ml", help="extraction (default ml)")
    p.add_argument("--rotation", choices=("varimax", "quartimax", "oblimin", "promax", "none"), default="varimax",
                   help="rotation (default varimax)")
    p.add_argument("--no-kaiser", action="store_true", help="rotate without Kaiser's row normalisation")
    p.add_argument("--max-iter", type=int, default=1000, help="iterations of the extraction (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the ML starting values (default 0)")
    add_tail(p, weight=False, confidence=False, figure=True)

    g = group(sub, "cluster", "cluster analysis: items (hierarchical) or respondents (k-means)",
              "Cluster analysis of the indicators or of the respondents.", "cluster_method")
    p = leaf(g, "items", "hierarchical clustering of the items by 1 - r",
             "Agglomerative clustering of the items with the correlation distance 1 - r (R hclust(as.dist(1 - cor(x))) "
             "with average linkage by default), cut into --clusters groups; dendrogram.",
             ["acsi cluster items survey.csv --items 'q*' --clusters 3",
              "acsi cluster items survey.csv --items 'q*' --linkage ward --out clusters/"], _cluster_items)
    add_file(p)
    _items(p)
    p.add_argument("--clusters", type=int, default=2, help="number of groups (default 2)")
    p.add_argument("--linkage", choices=("average", "complete", "single", "ward"), default="average")
    p.add_argument("--absolute", action="store_true", help="distance 1 - |r|")
    add_tail(p, weight=False, confidence=False, figure=True)

    p = leaf(g, "respondents", "k-means segments of the respondents",
             "k-means (Lloyd) of the standardised answers (--raw for the answers themselves), --n-init seeded "
             "restarts; the same --seed gives the same segments.",
             ["acsi cluster respondents survey.csv --items 'q*' --clusters 4 --seed 7 --id respondent --out segments/"],
             _cluster_respondents)
    add_file(p)
    _items(p)
    p.add_argument("--clusters", type=int, default=3, help="number of segments (default 3)")
    p.add_argument("--raw", action="store_true", help="cluster the raw answers, not z-scores")
    p.add_argument("--n-init", type=int, default=10, help="restarts (default 10)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--max-iter", type=int, default=300, help="iterations per run (default 300)")
    p.add_argument("--id", metavar="COL", default=None, help="respondent id column for the member table")
    add_tail(p, weight=False, confidence=False)

    p = leaf(sub, "correspondence", "correspondence analysis of two categorical columns or a contingency table",
             "Simple CA (Greenacre 2017; R ca::ca): principal inertias, row and column coordinates, masses, "
             "cos^2, the chi-square test; symmetric map.",
             ["acsi correspondence survey.csv --row region --column channel",
              "acsi correspondence counts.csv --table --out ca/"], _correspondence)
    add_file(p)
    p.add_argument("--row", metavar="COL", default=None, help="categorical column for the rows")
    p.add_argument("--column", metavar="COL", default=None, help="categorical column for the columns")
    p.add_argument("--table", action="store_true", help="FILE is a contingency table (first column: row names)")
    p.add_argument("--dims", type=int, default=None, help="dimensions to report (default all)")
    add_tail(p, weight=False, confidence=False, figure=True)

    p = leaf(sub, "correlation", "correlation table with tests and multiple-testing adjustment",
             "Pairwise Pearson (Fisher-z interval), Spearman or Kendall correlations with p-values adjusted over "
             "all pairs (Holm by default).",
             ["acsi correlation survey.csv --items price,speed,choice,recommend",
              "acsi correlation survey.csv --items 'q*' --method spearman --adjust fdr_bh --out corr/"], _correlation)
    add_file(p)
    _items(p)
    p.add_argument("--method", choices=("pearson", "spearman", "kendall"), default="pearson")
    p.add_argument("--adjust", choices=("holm", "bonferroni", "fdr_bh", "none"), default="holm",
                   help="multiple-testing adjustment (default holm)")
    add_tail(p, weight=False)

