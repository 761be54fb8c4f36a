"""PLS evidence in FitResult: equal to the direct calls of the PLS modules, saved and reloaded equal,
in the summary with no empty section, options checked and recorded, a unit's sample that cannot give
one piece named in its messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.errors import AcsiError, InvalidParameterError
from acsi.estimate import pls_evidence
from acsi.estimate.pls import fit_pls
from acsi.estimate.pls_fit import model_fit
from acsi.estimate.pls_ipma import ipma
from acsi.estimate.pls_predict import blindfolding, plspredict
from acsi.estimate.pls_quality import assess
from acsi.results import PLS_TABLES
from conftest import ACSI_LAVAAN, company_survey

OPTIONS = {"predict": 4, "predict_reps": 2, "blindfolding": 7, "fit_test": 20, "seed": 5}


@pytest.fixture(scope="module")
def spec():
    return acsi.parse_lavaan(ACSI_LAVAAN)


@pytest.fixture(scope="module")
def survey():
    return company_survey({"A": 150, "B": 160}, seed=30, shift=0.7, every=3, weight=2.0)


@pytest.fixture(scope="module")
def fit(survey, spec):
    return acsi.fit(survey, spec, unit="company", estimator="pls", weight="w", options=OPTIONS)


def _direct(rows: pd.DataFrame, spec):
    rows = rows.reset_index(drop=True)
    return fit_pls(rows[list(spec.item_ids)], spec.blocks, list(spec.paths), weights=rows["w"].to_numpy(),
                   scale_bounds=dict(spec.scale_bounds))


def _expected(res, target):
    """Every evidence table from the PLS modules called one by one."""
    q = assess(res)
    out = dict(q.tables())
    out["pls_effects"] = res.total_effects
    mf = model_fit(res, n_boot=OPTIONS["fit_test"], seed=OPTIONS["seed"])
    out.update(mf.tables())
    out.update(ipma(res, target).tables())
    out["pls_predict"] = plspredict(res, k=OPTIONS["predict"], reps=OPTIONS["predict_reps"], seed=OPTIONS["seed"]).items
    out["pls_blindfolding"] = blindfolding(res, omission_distance=OPTIONS["blindfolding"])
    return out


def test_unit_and_pooled_tables_equal_the_direct_calls(fit, survey, spec):
    units = fit.pls_tables()
    assert set(units) == set(pls_evidence.TABLES)  # every table asked for, for every unit
    for company in ("A", "B"):
        expected = _expected(_direct(survey[survey["company"] == company], spec), spec.headline)
        for stem, want in expected.items():
            got = units[stem].loc[units[stem]["company"] == company].drop(columns="company").reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_exact=False, rtol=1e-12, atol=1e-12,
                                          obj=f"{stem} of {company}")
    pooled = fit.pls_tables(pooled=True)
    for stem, want in _expected(_direct(survey, spec), spec.headline).items():
        pd.testing.assert_frame_equal(pooled[stem], want.reset_index(drop=True), check_exact=False, rtol=1e-12,
                                      atol=1e-12, obj=f"pooled {stem}")
    # the unit columns come first, as in fit.estimates
    assert list(units["pls_reliability"].columns[:2]) == ["company", "latent"]


def test_the_fits_themselves_are_kept(fit, survey, spec):
    res = fit.pls_result("A")
    direct = _direct(survey[survey["company"] == "A"], spec)
    np.testing.assert_allclose(res.outer_weights, direct.outer_weights, rtol=0, atol=1e-14)
    assert fit.pls_result(("B",)).n == 160 and fit.pls_result().n == 310
    with pytest.raises(AcsiError, match=r"no unit \('Z',\) in this fit; units are keyed by \['company'\]"):
        fit.pls_result("Z")


def test_saved_and_reloaded_tables_are_equal(fit, tmp_path):
    paths = fit.save(tmp_path)
    names = {p.name for p in paths}
    assert {f"{s}.{x}" for s in PLS_TABLES for x in ("csv", "parquet")} <= names
    back = acsi.load_results(tmp_path)  # verifies the manifest, which lists every PLS file
    for pooled in (False, True):
        mine, theirs = fit.pls_tables(pooled=pooled), back.pls_tables(pooled=pooled)
        assert set(mine) == set(theirs)
        for stem in mine:
            pd.testing.assert_frame_equal(theirs[stem], mine[stem], obj=stem)
    assert back.summary().as_text() == fit.summary().as_text()
    with pytest.raises(AcsiError, match="loaded from saved files, which hold no PLS fit"):
        back.pls_result()


def test_summary_of_a_pls_fit_has_content_in_every_section(fit):
    s = fit.summary()
    heads = [h for h, _ in s.sections]
    for head in ("PLS quality checks per unit", "Pooled PLS model fit", "Pooled paths", "Pooled R²",
                 "Pooled reliability and convergent validity", "Pooled discriminant validity", "Pooled PLS quality checks",
                 "Pooled PLSpredict", "Pooled blindfolding Q²"):
        assert any(h.startswith(head) for h in heads), head
    for head, body in s.sections:
        assert not (isinstance(body, pd.DataFrame) and body.empty), f"empty section {head!r}"
        assert str(body).strip(), f"empty section {head!r}"
    text = s.as_text()
    assert "Empty DataFrame" not in text and "Pooled model fit\n" not in text
    flags = fit.pls_tables(pooled=True)["pls_quality_flags"]
    n_failed = int(flags["passed"].eq(False).sum())
    assert f"{len(flags)} checks with the thresholds named in pooled_pls_quality_flags" in text
    assert f"{n_failed} failed" in text


def test_a_sem_fit_has_no_pls_tables(survey, spec):
    sem = acsi.fit(survey, spec, unit="company", weight="w")
    assert sem.pls_tables() == {} and sem.pls_tables(pooled=True) == {}
    assert not any(stem.startswith(("pls_", "pooled_pls_")) for stem in sem.tables())
    assert "Pooled model fit" in [h for h, _ in sem.summary().sections]
    with pytest.raises(AcsiError, match="pls_result\\(\\) needs a fit with estimator='pls'"):
        sem.pls_result()


@pytest.mark.parametrize("options, match", [
    ({"predict_reps": 3}, r"options\['predict_reps'\]\" parameter of acsi.fit must be given together with 'predict'"),
    ({"seed": 3}, r"options\['seed'\]\" parameter of acsi.fit must be given together with 'predict' or 'fit_test'"),
    ({"predict": 1}, r"options\['predict'\]\" parameter of acsi.fit must be an integer >= 2 \(the number of PLSpredict folds\)"),
    ({"predict": 3, "predict_technique": "da"}, r"options\['predict_technique'\]\" parameter of acsi.fit must be one of \['DA', 'EA'\]"),
    ({"refit_f2": "no"}, r"options\['refit_f2'\]\" parameter of acsi.fit must be True or False"),
    ({"blindfolding": 1}, r"options\['blindfolding'\]\" parameter of acsi.fit must be an integer >= 2"),
    ({"predict": 3, "folds": 2}, r"unknown key\(s\) \['folds'\] for estimator='pls'"),
])
def test_evidence_options_are_checked_before_the_data_are_read(options, match):
    with pytest.raises(InvalidParameterError, match=match):
        acsi.fit("no-such-file.csv", ACSI_LAVAAN, estimator="pls", options=options)


def test_evidence_options_for_sem_are_refused():
    with pytest.raises(InvalidParameterError, match=r"unknown key\(s\) \['predict'\] for estimator='sem'"):
        acsi.fit("no-such-file.csv", ACSI_LAVAAN, options={"predict": 5})


def test_a_drawn_seed_is_recorded_and_gives_the_same_folds(survey, spec):
    a = acsi.fit(survey, spec, unit="company", estimator="pls", weight="w", pooled=False,
                 options={"predict": 3, "predict_reps": 1})
    seed = a.options["estimator_options"]["seed"]
    assert isinstance(seed, int)
    b = acsi.fit(survey, spec, unit="company", estimator="pls", weight="w", pooled=False,
                 options={"predict": 3, "predict_reps": 1, "seed": seed})
    pd.testing.assert_frame_equal(a.pls_tables()["pls_predict"], b.pls_tables()["pls_predict"])


def test_a_piece_a_unit_cannot_give_is_named_and_the_unit_stays(survey, spec):
    # omission distance 5 divides company A's 150 rows, not B's 160 - 1 = 159 (one row dropped below)
    df = survey.drop(index=survey.index[survey["company"] == "B"][:1])
    res = acsi.fit(df, spec, unit="company", estimator="pls", weight="w", pooled=False, options={"blindfolding": 5})
    units = res.units.set_index("company")
    assert (units["status"] == "ok").all()
    assert "blindfolding (omission distance 5) not computed" in units.loc["A", "messages"]
    assert "must not divide the number of rows (150)" in units.loc["A", "messages"]
    assert units.loc["B", "messages"] == ""
    blind = res.pls_tables()["pls_blindfolding"]
    assert set(blind["company"]) == {"B"}
    sections = dict(res.summary().sections)
    noted = sections["PLS evidence not computed for some units (the unit and its index stay)"]
    assert list(noted["company"]) == ["A"]
    assert "pls_reliability" in res.pls_tables() and set(res.pls_tables()["pls_reliability"]["company"]) == {"A", "B"}


def test_consistent_pls_reaches_the_tables(survey, spec):
    res = acsi.fit(survey, spec, unit="company", estimator="pls", weight="w", options={"consistent": True})
    rel = res.pls_tables(pooled=True)["pls_reliability"]
    assert rel.loc[rel["n_items"] > 1, "consistent"].all()
    direct = fit_pls(survey[list(spec.item_ids)], spec.blocks, list(spec.paths), weights=survey["w"].to_numpy(),
                     scale_bounds=dict(spec.scale_bounds), consistent=True)
    est = res.pls_tables(pooled=True)["pls_effects"].set_index(["from", "to"])["direct"]
    for r in direct.path_table.itertuples():
        assert est[(r[1], r[2])] == pytest.approx(r[3], abs=1e-12)


def test_evidence_object_saves_through_the_one_writer(fit, tmp_path):
    ev = pls_evidence.evidence(fit.pls_result(), target="CS", predict=3, predict_reps=1, seed=1)
    paths = ev.save(tmp_path)
    from acsi.tables import read_manifest, verify_manifest

    listed = verify_manifest(tmp_path, read_manifest(tmp_path, "pls_evidence_manifest.json"))
    assert paths[-1].name == "pls_evidence_manifest.json" and len(listed) == len(paths) - 1
    assert {f"{s}.parquet" for s in ev.tables()} <= set(listed)
    assert "PLSpredict" in ev.summary().as_text()
    with pytest.raises(InvalidParameterError, match=r"'seed' parameter of acsi.estimate.pls_evidence.evidence must be "
                                                    r"given together with 'predict' or 'fit_test'"):
        pls_evidence.evidence(fit.pls_result(), seed=1)
    with pytest.raises(InvalidParameterError, match="must not divide the number of rows"):
        pls_evidence.evidence(fit.pls_result("A"), blindfolding=5)  # strict by default


def test_the_same_seed_gives_the_same_tables_on_one_and_two_workers(survey, spec):
    opts = {"predict": 3, "predict_reps": 2, "fit_test": 10, "seed": 8}
    one = acsi.fit(survey, spec, unit="company", estimator="pls", weight="w", pooled=False, options=opts, n_jobs=1)
    two = acsi.fit(survey, spec, unit="company", estimator="pls", weight="w", pooled=False, options=opts, n_jobs=2)
    a, b = one.pls_tables(), two.pls_tables()
    assert set(a) == set(b)
    for stem in a:
        pd.testing.assert_frame_equal(a[stem], b[stem], check_exact=True, obj=stem)
