"""English and Chinese text of the website (traditional characters, as the report and the models).

Column headers and statuses shared with the report come from :mod:`acsi.report.i18n`; the
keys below are the website's own. :func:`t` looks here first, then in the report's table.
"""

from __future__ import annotations

from ..report import i18n as _report

__all__ = ["TEXT", "t"]

TEXT: dict[str, tuple[str, str]] = {
    "site_title": ("Customer satisfaction index", "顧客滿意度指數"),
    "nav_national": ("National", "全國"),
    "nav_sectors": ("Sectors", "部門"),
    "nav_industries": ("Industries", "行業"),
    "nav_companies": ("Companies", "公司"),
    "nav_league": ("League tables", "排名"),
    "nav_method": ("Methodology", "方法說明"),
    "nav_releases": ("Releases", "發佈記錄"),
    "language": ("中文", "English"),
    "choose_language": ("Choose a language", "選擇語言"),
    "latest_release": ("Latest release", "最新發佈"),
    "released_on": ("released {date}", "發佈於 {date}"),
    "national_series": ("National index", "全國指數"),
    "national_caption": (
        "The published national index per period. Estimated figures: {level} interval (normal, from the standard "
        "errors of the company indexes); hollow points: the national window was not full. Imported figures are "
        "shown as published, without intervals.",
        "各期公佈的全國指數。估計值：{level} 置信區間（由公司指數的標準誤按常態近似計算）；空心點：全國窗口未滿。"
        "導入的已公佈數據按原樣顯示，沒有區間。",
    ),
    "partial": ("window not full", "窗口未滿"),
    "estimated": ("estimated", "估計"),
    "imported": ("published (imported)", "已公佈（導入）"),
    "series_of": ("{unit}: index over time", "{unit}：指數走勢"),
    "history_table": ("Series as published", "已公佈的數列"),
    "history_caption": (
        "The latest published value of every period; 'release' names the release that published it.",
        "每期最新公佈的數值；「發佈」欄為公佈該數值的發佈版本。",
    ),
    "latest_change": ("Latest change and its significance", "最新變化及其顯著性"),
    "change_sentence": (
        "Change from {from_} to {to}: {change} (SE {se}, p = {p}): {verdict} at the {alpha} level ({basis}).",
        "{from_} 至 {to} 的變化：{change}（標準誤 {se}，p = {p}）：在 {alpha} 水平下{verdict}（{basis}）。",
    ),
    "significant": ("significant", "顯著"),
    "not_significant": ("not significant", "不顯著"),
    "basis_as_published": ("as published: all units of each period", "按公佈口徑：各期全部單位"),
    "basis_matched": ("like-for-like: the units measured in both periods", "同口徑：兩期均有測量的單位"),
    "composition_note": (
        "The units measured changed between the two periods: as published (all units) the change is {published}, "
        "of which {composition} is the composition effect.",
        "兩期測量的單位有所不同：按公佈口徑（全部單位）變化為 {published}，其中 {composition} 為組成變化的影響。",
    ),
    "no_change": ("No change can be tested: {why}.", "無法檢驗變化：{why}。"),
    "why_single": ("only one period is published", "只公佈了一期"),
    "why_external": ("published figures carry no standard errors", "已公佈數據沒有標準誤"),
    "why_none": ("the previous period has no figure", "上一期沒有數值"),
    "sectors_latest": ("Sectors, {period}", "各部門，{period}"),
    "industries_latest": ("Industries, {period}", "各行業，{period}"),
    "companies_latest": ("Companies, {period}", "各公司，{period}"),
    "league_for": ("{industry}: companies ranked, {period}", "{industry}：公司排名，{period}"),
    "league_axis": ("Dots: index; lines: {level} interval. Axis from {lo} to {hi} (not from 0).",
                    "點：指數；線：{level} 置信區間。坐標軸由 {lo} 至 {hi}（非由 0 開始）。"),
    "industry_marker": ("industry index", "行業指數"),
    "latents_latest": ("Every index of {unit}, {period}", "{unit} 的各項指數，{period}"),
    "downloads": ("Download", "下載"),
    "unit_status": ("Status", "狀態"),
    "parent": ("Part of", "所屬"),
    "members": ("Members", "成員"),
    "none_yet": ("No figures yet.", "尚無數據。"),
    "col_release": ("Release", "發佈"),
    "col_date": ("Date", "日期"),
    "col_kind": ("Kind", "類型"),
    "col_periods": ("Periods", "期間"),
    "col_notes": ("Notes", "附註"),
    "col_figures": ("Figures", "數值個數"),
    "col_revised": ("Revised figures", "修訂數值"),
    "col_window": ("Window", "窗口"),
    "col_method": ("Interval", "區間"),
    "col_level": ("Level", "層級"),
    "col_reason_rev": ("Why", "原因"),
    "col_revision": ("Revision", "修訂"),
    "col_from_value": ("Before", "修訂前"),
    "col_to_value": ("After", "修訂後"),
    "col_significant": ("Significant", "顯著"),
    "col_change_se": ("SE (change)", "標準誤（變化）"),
    "kind_estimated": ("estimated by acsi", "acsi 估計"),
    "kind_external": ("imported published figures", "導入的已公佈數據"),
    "releases_title": ("Releases and revisions", "發佈與修訂"),
    "releases_caption": (
        "Every release in publication order. A release publishes the company indexes it measured and the aggregates "
        "of its periods; figures of other periods stay as published earlier. Revised figures: values of earlier "
        "releases that this release changed, by reason.",
        "按發佈順序列出每次發佈。每次發佈公佈其測量的公司指數及其期間的匯總指數；其他期間的數值保持原先公佈的數值。"
        "修訂數值：本次發佈改動的早先數值，按原因分列。",
    ),
    "revisions_of": ("Revisions in release {release}", "發佈 {release} 的修訂"),
    "superseded": ("superseded by release {by}", "已被發佈 {by} 取代"),
    "reason_method change": ("method change", "方法變更"),
    "reason_new data": ("new data", "新數據"),
    "reason_re-estimation": ("re-estimation", "重新估計"),
    "reason_new weights": ("new weights", "新權重"),
    "method_title": ("Methodology", "方法說明"),
    "m_model_text": (
        "Each company's index comes from a structural equation model fitted to its own respondents in each period "
        "({estimator}). A respondent's 0-100 score of a latent variable weights its items by their factor-score "
        "weights; the company index is the survey-weighted mean of its respondents' scores, with a t interval.",
        "每家公司每期的指數來自以其本身受訪者擬合的結構方程模型（{estimator}）。受訪者在各潛變量上的 0-100 得分以題項的"
        "因子得分權重加權；公司指數為其受訪者得分的調查加權平均，並給出 t 區間。",
    ),
    "m_aggregation_text": (
        "Industry and sector indexes are sales-weighted means of their units; the national index is the "
        "sales-weighted mean of the sectors in each period, averaged over the latest {window} period(s). Standard "
        "errors propagate through the weights; a company measured once counts once even when carried forward.",
        "行業與部門指數為其單位的銷售額加權平均；全國指數為每期各部門的銷售額加權平均，再取最近 {window} 期的平均。"
        "標準誤按權重傳遞；被延續使用的公司測量值只計一次。",
    ),
    "m_intervals_text": (
        "Intervals: company indexes, t interval; aggregates, normal (z) interval; both at the level stated next to "
        "each figure ({levels}). Bootstrap intervals (percentile and BCa) are in the downloads when a release was "
        "bootstrapped.",
        "區間：公司指數為 t 區間；匯總指數為常態（z）區間；置信水平標示於每個數值旁（{levels}）。若發佈時做了自助法，"
        "下載檔中另有百分位與 BCa 區間。",
    ),
    "m_change_text": (
        "Changes are tested with z = change / SE(change), where the SE accounts for measurements shared by both "
        "periods (overlapping national windows, carried values). As published, a change compares all units of "
        "each period; like-for-like it compares the units measured in both.",
        "變化以 z = 變化 / 標準誤（變化）檢驗，其中標準誤已考慮兩期共用的測量值（重疊的全國窗口、延續值）。按公佈口徑"
        "比較各期全部單位；同口徑只比較兩期均有測量的單位。",
    ),
    "m_revisions_text": (
        "A figure is revised when a later release publishes the same period again. The reason is one of: method "
        "change (model, estimator, interval level, window or carry-forward changed, or imported versus estimated), "
        "new data (other respondents, or other measurements behind an aggregate), re-estimation (same data and "
        "method, different estimate) and new weights (same measurements, other sales weights).",
        "當較後的發佈再次公佈同一期間時，該數值即被修訂。原因為以下之一：方法變更（模型、估計方法、置信水平、窗口或延續"
        "規則改變，或導入與估計之別）、新數據（受訪者不同，或匯總所依據的測量值不同）、重新估計（數據與方法相同但估計值"
        "不同）、新權重（測量值相同但銷售額權重不同）。",
    ),
    "m_models": ("Models used", "使用的模型"),
    "m_sources": ("Imported published series", "導入的已公佈數列"),
    "m_store": ("Where the numbers live", "數據存放"),
    "m_store_text": (
        "Every figure on this site is read from the history store {store} (DuckDB, schema version {version}); "
        "each page's tables can be downloaded as CSV and Parquet.",
        "本網站的所有數值均讀自歷史數據庫 {store}（DuckDB，結構版本 {version}）；各頁的表格均可下載為 CSV 與 Parquet。",
    ),
    "generated_site": ("Generated by acsi {version} from {n} release(s).", "由 acsi {version} 根據 {n} 次發佈生成。"),
    "status_not_published": ("not published", "未公佈"),
    "status_not_measured": ("not measured", "未測量"),
}


def t(key: str, lang: str = "en", **fields) -> str:
    """Website text for ``key`` (falls back to :func:`acsi.report.i18n.t`)."""
    if key in TEXT:
        en, zh = TEXT[key]
        text = zh if lang == "zh" else en
        return text.format(**fields) if fields else text
    # the website is Traditional (its own table, html lang zh-Hant); the report's "zh" is Simplified
    return _report.t(key, "zh-hant" if lang == "zh" else lang, **fields)


def label(column: str, lang: str = "en") -> str:
    """A column header: the website's ``col_*`` keys, then the report's."""
    key = f"col_{column}"
    return t(key, lang) if key in TEXT or key in _report.TEXT else column


def status(value, lang: str = "en") -> str:
    s = str(value) if value is not None and value == value else ""
    key = f"status_{s}"
    return t(key, lang) if key in TEXT or key in _report.TEXT else s
