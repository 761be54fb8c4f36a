"""KCSI with its linearised interval against R's survey package (tests/reference/methods_kcsi)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.methods import kcsi_index

CASE = Path(__file__).resolve().parents[1] / "reference" / "methods_kcsi"
TOL = 1e-10
WEIGHTS = {"default": {}, "kmac2002": {"weights": (0.4, 0.4, 0.2), "attribute_weights": [3, 2, 1]}}


@pytest.fixture(scope="module")
def ref():
    t = pd.read_csv(CASE / "expected.csv")
    return dict(zip(t["name"], t["value"]))


@pytest.mark.parametrize("design", ["unweighted", "weighted"])
@pytest.mark.parametrize("case", list(WEIGHTS))
def test_kcsi_interval_equals_svyratio_linearisation(ref, design, case):
    d = pd.read_csv(CASE / "data.csv")
    sw = d["weight"] if design == "weighted" else None
    k = kcsi_index(d["overall"], d[["product", "service", "image"]], d["repurchase"], survey_weights=sw, **WEIGHTS[case])
    shares = [ref[f"{design}.shares.{i}"] for i in range(1, 6)]
    np.testing.assert_allclose(k[["overall", "attr_product", "attr_service", "attr_image", "repurchase"]], shares, atol=TOL)
    assert k["kcsi"] == pytest.approx(ref[f"{design}.{case}.estimate"], abs=TOL)
    assert k["se"] == pytest.approx(ref[f"{design}.{case}.se"], abs=TOL)
    np.testing.assert_allclose(k[["ci_lower", "ci_upper"]], [ref[f"{design}.{case}.ci.1"], ref[f"{design}.{case}.ci.2"]],
                               atol=TOL)
    assert k["n"] == len(d)


def test_kcsi_needs_the_same_respondents():
    from acsi.errors import MethodError

    with pytest.raises(MethodError, match="same respondents"):
        kcsi_index([7, 6], pd.DataFrame({"a": [7, 6, 5]}), [7, 6, 5])
