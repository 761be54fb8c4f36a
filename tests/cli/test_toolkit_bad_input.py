"""Bad input to every toolkit command: one line on stderr naming what is wrong, the documented exit code.

The generic option test (test_cli_errors.py) gives every option a bad value; here each command gets
bad *data* (an answer off the scale, text in a number column, mismatched column lists, ...) and the
message must say what and where.
"""
from __future__ import annotations

import pandas as pd
import pytest
from _toolkit_cases import SURVEY

from acsi.cli import EXIT_ERROR, EXIT_FILE, main


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    d = pd.read_csv(SURVEY).head(40)
    d = d.astype({"recommend": object, "csat5": object, "effort": float, "repurchased": object})
    d.loc[3, "recommend"] = 11
    d.loc[5, "csat5"] = "good"
    d.loc[2, "effort"] = 9
    d.loc[1, "repurchased"] = 2
    path = tmp_path_factory.mktemp("bad") / "bad.csv"
    d.to_csv(path, index=False)
    return path


B = "{bad}"
CASES = [
    (["metrics", "nps", B, "--column", "recommend"], "outside the scale 0-10 (integers) at rows [3]: [11.0]"),
    (["metrics", "csat", B, "--columns", "csat5"], "non-numeric answers at rows [5]: ['good']"),
    (["metrics", "top-box", B, "--columns", "price", "--scale", "1,5"], "answers outside the scale 1-5"),
    (["metrics", "ces", B, "--columns", "effort"], "outside the scale 1-7 at rows [2]: [9.0]"),
    (["metrics", "satisfaction-rate", "--satisfied", "70", "--targeted", "60"], "satisfied S must be within 0..C"),
    (["metrics", "survey-score", B, "--items", "price"], "item 'price' has answers outside the codes [5, 4, 3, 2, 1]"),
    (["metrics", "overall-csi", B, "--importance", "imp_price", "--satisfaction", "price"], "column 'price' has codes outside"),
    (["metrics", "overall-csi", B, "--importance", "imp_price,imp_speed", "--satisfaction", "sat_price"],
     "2 importance columns ['imp_price', 'imp_speed'] but 1 satisfaction columns"),
    (["metrics", "kcsi", B, "--overall", "overall", "--attributes", "price", "--repurchase", "speed"],
     "kcsi_index (overall): answers outside the scale 1-7"),
    (["metrics", "benchmarks", "--nps", "1,2"], "nps must be a column of the data or a number"),
    (["customers", "repurchase", B, "--column", "repurchased"], "must be 0/1 or True/False; got [2] at rows [1]"),
    (["customers", "churn", B], "give the 0/1 column"),
    (["customers", "clv", "--margin", "100", "--retention", "1.2", "--discount", "0.1"], "retention must be within 0..1"),
    (["customers", "clv", "--margin", "100", "--retention", "0.8", "--discount", "0.1", "--id", "customer"],
     "id= names a column of a customer table; none given"),
    (["customers", "value", B, "--benefits", "price", "--costs", "price"], "listed as benefits and as costs"),
    (["customers", "classes", B, "--revenue", "region", "--cost", "price"], "column 'region' has missing or non-numeric"),
    (["customers", "pareto", B, "--revenue", "region"], "column 'region' has missing or non-numeric"),
    (["servqual", "gaps", B, "--perception", "price,speed", "--expectation", "staff", "--dimension", "a=price,speed"],
     "1 expectation columns ['staff'] but 2 perception columns"),
    (["servqual", "gaps", B, "--perception", "price,speed", "--expectation", "staff,clean"], "2 items and no dimensions"),
    (["servqual", "gaps", B, "--perception", "price", "--expectation", "staff", "--dimension", "a=price", "--normalize"],
     "normalize=True divides the dimension weights by their sum"),
    (["servqual", "zones", B, "--perception", "price", "--desired", "speed", "--adequate", "staff,clean", "--dimension",
      "a=price"], "2 adequate columns ['staff', 'clean'] but 1 perception columns"),
    (["servqual", "servperf", B, "--perception", "region", "--dimension", "a=region"], "must be numeric answers"),
    (["fuzzy", B, "--items", "price"], "item 'price' has answers outside the grades [1, 2, 3, 4, 5]"),
    (["fuzzy", B, "--items", "sat_price", "--factor-weights", "1"], "apply to two levels (factors=)"),
    (["kano", B], "columns ['attribute', 'functional', 'dysfunctional'] not found"),
    (["kano", B, "--functional-items", "price", "--dysfunctional-items", "speed", "--attribute-column", "region"],
     "['attribute_column'] do not apply to wide answers"),
    (["ahp", B], "neither numbers nor fractions"),
    (["ipa", B], "column 'attribute' not found (attribute_column= / --attribute-column)"),
    (["ipma", B], "column 'driver' not found"),
    (["describe", B, "--items", "region"], "item 'region' has non-numeric answers"),
    (["describe", B, "--by-covariates"], "by_covariates=True needs model="),
    (["drivers", B, "--outcome", "overall", "--attributes", "overall"], "also listed as an attribute"),
    (["pca", B, "--items", "price"], "needs at least 2 numeric columns"),
    (["efa", B, "--items", "price,speed,staff", "--factors", "2"], "negative degrees of freedom"),
    (["cluster", "items", B, "--items", "price,speed", "--clusters", "5"], "n_clusters must be an integer from 1 to 2"),
    (["cluster", "respondents", B, "--items", "price", "--clusters", "100"], "from 1 to 40; got 100"),
    (["correspondence", B, "--row", "region"], "give the two categorical columns row= and column="),
    (["correspondence", B, "--table", "--row", "region"], "table=True reads a contingency table"),
    (["correlation", B, "--items", "price"], "needs at least two numeric items"),
    (["sampling", "size", "--margin", "0"], "margin must be a proportion in (0, 1)"),
    (["sampling", "allocate", B, "--stratum", "region", "--size", "price", "--n", "10"], "appear on more than one row"),
    (["sampling", "margin", B, "--stratum", "region", "--size", "price", "--sd", "speed", "--n-column", "staff"],
     "appear on more than one row"),
    (["sampling", "draw", B, "--n", "1000", "--seed", "1"], "n must be an integer from 1 to the frame size 40"),
    (["sampling", "draw", B, "--n", "5", "--seed", "1", "--allocation", "neyman"], "allocation= applies to design='stratified'"),
    (["sample-size", "--margin", "5"], "margin must be a proportion"),
    (["nps", B, "--column", "recommend"], "outside the scale 0-10"),
]


@pytest.mark.parametrize("argv, fragment", CASES, ids=[" ".join(a[:2]) + f" {i}" for i, (a, _) in enumerate(CASES)])
def test_bad_input_gives_one_clear_line(argv, fragment, bad, capsys):
    code = main([a.format(bad=bad) for a in argv])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR, err
    assert err.count("\n") == 1 and err.startswith(f"acsi {argv[0]}") and "Traceback" not in err
    assert fragment in err, err


def test_a_missing_results_folder_or_file_is_an_input_file_error(tmp_path, capsys):
    for argv in (["ipma", tmp_path / "nothing"], ["metrics", "nps", tmp_path / "x.csv", "--column", "a"],
                 ["ahp", tmp_path]):
        assert main([str(a) for a in argv]) == EXIT_FILE
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error: input file" in err
