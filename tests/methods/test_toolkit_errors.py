"""Every bad input to the new toolkit analyses raises a MethodError that names the value."""
import numpy as np
import pandas as pd
import pytest

from acsi.errors import MethodError
from acsi.methods import (cluster_items, cluster_respondents, correlation_table, correspondence, driver_regression,
                          efa, overall_csi_from_answers, pca, relative_weights, servperf, servqual_zones, shapley_r2,
                          survey_table_score)

rng = np.random.default_rng(0)
D = pd.DataFrame(rng.integers(1, 11, size=(40, 5)).astype(float), columns=list("abcde"))
D["w"] = 1.0
D["txt"] = "x"
C = pd.DataFrame(np.eye(3), index=list("yab"), columns=list("yab"))


@pytest.mark.parametrize("call, pattern", [
    (lambda: driver_regression(D, "zz"), "outcome column 'zz' not found"),
    (lambda: driver_regression(D, "a", ["a", "b"]), "'a' is also listed as an attribute"),
    (lambda: driver_regression(D, "a", ["b", "nope"]), r"columns \['nope'\] not found"),
    (lambda: driver_regression(D, "a", ["b"], cov_type="HC9"), "cov_type must be one of .* got 'HC9'"),
    (lambda: driver_regression(D, "a", ["b", "txt"]), "column 'txt' has non-numeric values"),
    (lambda: driver_regression(D.assign(b=1.0), "a", ["b", "c"]), r"columns \['b'\] have the same value"),
    (lambda: driver_regression(D, "a", ["b"], weights="nope"), "weight column 'nope' not found"),
    (lambda: driver_regression(D.head(3), "a", ["b", "c"]), "only 3 complete rows"),
    (lambda: relative_weights(C, "q"), "outcome 'q' is not in the matrix"),
    (lambda: relative_weights(C.assign(a=[0, 1, 1.0]).T.assign(a=[0, 1, 1.0]), "y"), "perfectly collinear"),
    (lambda: shapley_r2(pd.DataFrame(np.eye(17)), 0), "limited to 15"),
    (lambda: shapley_r2(pd.DataFrame([[1, 2], [2, 1]]), 0), "unit diagonal"),
    (lambda: pca(D, ["a", "b"], n_components=3), "n_components must be an integer from 1 to 2; got 3"),
    (lambda: pca(D, ["a"]), "at least 2 numeric columns"),
    (lambda: efa(D, list("abcde"), n_factors=3), "negative degrees of freedom"),
    (lambda: efa(D, list("abcde"), n_factors=2, method="minres"), "method must be one of .* got 'minres'"),
    (lambda: efa(D, list("abcde"), rotation="equamax"), "rotation must be one of .* got 'equamax'"),
    (lambda: efa(D, list("abcde"), n_factors=0), "n_factors must be an integer from 1 to 4"),
    (lambda: efa(D.assign(e=D["a"] + D["b"]), list("abcde"), n_factors=1), "singular"),
    (lambda: cluster_items(D, list("abc"), n_clusters=4), "n_clusters must be an integer from 1 to 3; got 4"),
    (lambda: cluster_items(D, list("abc"), linkage="centroid"), "linkage must be one of .* got 'centroid'"),
    (lambda: cluster_respondents(D, list("ab"), n_clusters=0), "n_clusters must be an integer from 1 to 40"),
    (lambda: cluster_respondents(D, list("ab"), n_clusters=2, init=[[0, 0]]), r"init must be 2 x 2 .* shape \(1, 2\)"),
    (lambda: correspondence(pd.DataFrame([[1, 2]])), "at least 2 rows and 2 columns"),
    (lambda: correspondence(pd.DataFrame([[1, 0], [0, 0]])), r"empty rows \[1\] and columns \[1\]"),
    (lambda: correspondence(pd.DataFrame([[1, -1], [1, 1]])), "finite and non-negative"),
    (lambda: correspondence(data=D, row="a", column="zz"), r"not found: \['zz'\]"),
    (lambda: correspondence(), "either a contingency table or data="),
    (lambda: correlation_table(D, ["a"]), "at least two numeric items"),
    (lambda: correlation_table(D, ["a", "b"], method="phi"), "method must be one of .* got 'phi'"),
    (lambda: correlation_table(D, ["a", "b"], adjust="sidak"), "adjust must be one of .* got 'sidak'"),
    (lambda: correlation_table(D.assign(b=np.nan), ["a", "b"]), "items 'a' and 'b' have 0 complete pairs"),
    (lambda: correlation_table(D, ["a", "txt"]), "column 'txt' has non-numeric values"),
    (lambda: servqual_zones(D[["a"]], D[["b"]], D[["c"]], {"x": ["a"]}), "differ from expectation items"),
    (lambda: servperf(D[["a", "b"]], {"x": ["a"]}), r"items \['b'\] belong to no dimension"),
    (lambda: survey_table_score(pd.DataFrame([[1, 1, 1, 1, 1]]), weights=[1.0]), "weights= need raw answers"),
    (lambda: overall_csi_from_answers(pd.DataFrame({"a": [5, 7]}), pd.DataFrame({"a": [5, 4]}), {5: 100}, {5: 100, 4: 80}),
     r"importance_answers column 'a' has codes outside \[5\]"),
    (lambda: overall_csi_from_answers(pd.DataFrame({"a": [5]}), pd.DataFrame({"b": [5]}), {5: 1}, {5: 1}),
     "importance attributes"),
    (lambda: overall_csi_from_answers(pd.DataFrame({"a": [5]}), pd.DataFrame({"a": [5]}), [5], {5: 1}),
     "must map each answer code"),
])
def test_errors_name_the_value(call, pattern):
    with pytest.raises(MethodError, match=pattern):
        call()


def test_inputs_are_not_mutated():
    before = D.copy()
    driver_regression(D, "a", ["b", "c"], weights="w")
    pca(D, list("abc"))
    efa(D, list("abcde"))
    cluster_items(D, list("abc"))
    correlation_table(D, list("abc"))
    pd.testing.assert_frame_equal(D, before)
