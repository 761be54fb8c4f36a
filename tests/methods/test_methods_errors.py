"""Remaining error paths of acsi.methods: each raises MethodError naming the problem."""
import numpy as np
import pandas as pd
import pytest

from acsi.errors import MethodError
from acsi.methods import (
    ahp,
    fuzzy_compose,
    fuzzy_evaluate,
    importance_performance_map,
    ipa,
    kano_plot,
    kcsi_index,
    overall_csi,
    servqual,
    sq_scores,
    stratified_margin,
    survey_table_score,
)

R2 = pd.DataFrame([[0.5, 0.5], [0.5, 0.5]], index=["a", "b"], columns=["lo", "hi"])


@pytest.mark.parametrize("call, pattern", [
    # ahp
    (lambda: ahp(pd.DataFrame([["x", 1], [1, 1]], index=["a", "b"], columns=["a", "b"])), "non-numeric entries"),
    (lambda: ahp([["x", 1], [1, 1]]), "not numeric"),
    # ipa
    (lambda: ipa(pd.Series([1, 2], index=["a", "a"]), pd.Series([1, 2], index=["a", "b"])), r"duplicated attribute names \['a'\]"),
    (lambda: ipa(pd.DataFrame({"x": [1], "y": [2]}), [1]), "one-column table"),
    (lambda: ipa({"a": 1}, {"a": 1}, cut=(np.inf, "mean")), "must be finite"),
    (lambda: importance_performance_map(pd.Series({"a": 1.0}), pd.Series({"a": -1.0})), "0-100"),
    # kano
    (lambda: kano_plot(pd.DataFrame({"better": [np.nan], "worse": [np.nan]})), "no attribute has Better/Worse"),
    # servqual
    (lambda: servqual([1], [1]), "must be DataFrames"),
    (lambda: servqual(pd.DataFrame({"a": ["x"]}), pd.DataFrame({"a": [1]}), {"d": ["a"]}), "must be numeric"),
    (lambda: servqual(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), {"d": ["a"]}, {"d": -1}, normalize=True),
     "finite and non-negative"),
    (lambda: servqual(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), {"d": ["a"]}, {"d": 0}, normalize=True),
     "cannot normalise"),
    (lambda: sq_scores(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), [0.5, 0.5]), r"2 weights for 1 entries \['a'\]"),
    # fuzzy
    (lambda: fuzzy_compose([0, 0], R2, normalize=True), "sum to 0.*cannot normalise"),
    (lambda: fuzzy_compose([0.5, 0.5], pd.DataFrame([["x", 1]])), "non-numeric"),
    (lambda: fuzzy_compose([np.nan, 1.0], R2), "finite and non-negative"),
    (lambda: fuzzy_evaluate(pd.DataFrame([[1.0, 0.0]], columns=["a", "b"]), [0.0], grade_points=[1, 2]), "sum to 0, not 1"),
    # metrics
    (lambda: survey_table_score(pd.DataFrame([[1, 1]]), points=[[1, 2]]), "points must be a sequence"),
    (lambda: survey_table_score(pd.DataFrame([["a", 1, 1, 1, 1]])), "counts must be numbers"),
    (lambda: survey_table_score(answers=pd.DataFrame({"a": [1]}), codes=[1, 2]), "2 codes for 5 grade points"),
    (lambda: kcsi_index([7], pd.DataFrame({"a": [7], "b": [6]}), [7], attribute_weights=[1, -1]), "non-negative"),
    (lambda: overall_csi(pd.DataFrame([[1.0]]), pd.DataFrame([[1.0]]), [1], [0]), "positive points"),
    (lambda: overall_csi(pd.DataFrame([[1.0]]), pd.DataFrame([[1.0]]), [1], [1, 2]), "2 satisfaction points for 1"),
    (lambda: overall_csi(pd.DataFrame([[-0.5, 1.5]]), pd.DataFrame([[1.0]]), [1, 1], [1]), "finite non-negative"),
    (lambda: overall_csi(pd.DataFrame([["x"]]), pd.DataFrame([[1.0]]), [1], [1]), "numeric shares"),
    # sampling
    (lambda: stratified_margin([10, -1], [1, 1], [1, 1]), "stratum sizes must be positive"),
    (lambda: stratified_margin([10, 10], [1, -1], [1, 1]), "sd must be non-negative"),
])
def test_error_paths(call, pattern):
    with pytest.raises(MethodError, match=pattern):
        call()
