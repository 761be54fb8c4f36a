"""The report's table of every index of each unit: each latent's 0-100 index and, for ACSI's
yes/no complaint model, the complaint rate (the share answering 1, in percent), stated as such;
withheld indexes shown as a dash, never as a number."""

import numpy as np

import acsi
from acsi.report import render_report
from reference.cases import load_case
from _report_data import page_text, quiet


def _yes_no_fit():
    case = load_case("syntax_complaint_observed")
    data = case.data.assign(company=np.where(np.arange(len(case.data)) % 2, "A", "B"))
    return data, quiet(acsi.fit, data, acsi.load_model("acsi", complaint="yes_no"), unit="company", progress=False)


def _section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i)]


def test_every_index_and_the_complaint_rate_per_unit():
    data, fit = _yes_no_fit()
    html = quiet(render_report, fit)
    sec = _section(page_text(html), "Every index of each unit", "Path diagram")
    assert "the share answering 1, in percent" in sec and "complaint rate" in sec
    for company in ("A", "B"):
        rate = 100 * data.loc[data["company"] == company, "cc1"].mean()
        li = fit.latent_indexes.set_index(["company", "latent"])
        assert abs(li.loc[(company, "cc1"), "index"] - rate) < 1e-9  # the index is the rate itself
        row = [f"{li.loc[(company, v), 'index']:.1f}" for v in ("CE", "PQ", "PV", "CS", "CL", "cc1")]
        assert f"{company} " + " ".join(row) in sec, (row, sec)


def test_withheld_index_is_a_dash_and_chinese_captions():
    from acsi.report.data import from_objects
    from acsi.report.render import _all_indexes

    _, fit = _yes_no_fit()
    data = from_objects(fit)
    li = data.tables["latent_indexes"].copy()
    li.loc[(li["company"] == "A") & (li["latent"] == "CL"), "status"] = "withheld"
    data.tables["latent_indexes"] = li
    out = _all_indexes(data, "en")
    heads = [h for h, _ in out["table"]["headers"]]
    rows = {r["cells"][0][0]: [c for c, _ in r["cells"]] for r in out["table"]["rows"]}
    cl = heads.index("Customer loyalty (CL)")
    assert rows["A"][cl] == "—" and rows["B"][cl] != "—"
    for lang, needle in (("zh-hans", "抱怨率"), ("zh-hant", "抱怨率"), ("zh-hans", "各单位的全部指数")):
        assert needle in page_text(quiet(render_report, fit, lang=lang))


def test_a_single_index_model_has_no_such_table():
    from acsi.report.data import from_objects
    from acsi.report.render import _all_indexes

    _, fit = _yes_no_fit()
    data = from_objects(fit)
    li = data.tables["latent_indexes"]
    data.tables["latent_indexes"] = li.loc[li["latent"] == "CS"]
    assert _all_indexes(data, "en") is None
