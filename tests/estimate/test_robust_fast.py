"""acsi.estimate.robust.with_scaled builds the fit measures with the scaled ones from arrays and
shared labels: the Series pd.concat of the two used to give."""

import numpy as np
import pandas as pd

from acsi.estimate.robust import with_scaled


def test_with_scaled_is_the_concatenation_of_the_two_series():
    fit = pd.Series({"npar": 40.0, "fmin": 0.1, "chisq": 123.4, "df": 80.0, "pvalue": 0.01, "baseline_chisq": 2000.0,
                     "baseline_df": 105.0, "ntotal": 250.0, "cfi": 0.97})
    test = {"chisq_scaling_factor": 1.3, "baseline_chisq_scaling_factor": 1.6, "scaling_factor_h1": 1.1}
    got = with_scaled(fit, test, 1)
    from acsi.estimate.fitmeasures import scaled_measures

    extra = scaled_measures(123.4, 80.0, 2000.0, 105.0, 250.0, c=1.3, c_b=1.6, ngroups=1, robust=None)
    extra["scaling_factor_h1"] = 1.1
    want = pd.concat([fit, pd.Series(extra, dtype=float)])
    pd.testing.assert_series_equal(got, want, check_exact=True)
    assert got.index.dtype == want.index.dtype and got.name is None and np.isfinite(got["chisq_scaled"])
