"""English and Chinese (Simplified and Traditional) text of the report and its figures: one table.

Every heading, column header, label and flag message of the report goes through :func:`t`.

Languages (the ``lang`` option of every report function and of ``acsi report --lang``):

==========  ================================================================================
``en``      English
``zh-hans`` Simplified Chinese (简体中文), as mainland statistics bureaus publish and as two of
            the source documents are written
``zh-hant`` Traditional Chinese (繁體中文), the characters of the model files' ``name_zh``
``zh``      **Simplified** (the rule: ``zh`` means the script of the People's Republic, where
            most CSI users are; before acsi 0.2 it meant Traditional: pass ``zh-hant`` for
            the earlier reports)
==========  ================================================================================

The table :data:`TEXT` holds, per key, the English and the Traditional Chinese text (as the
model files and :mod:`acsi.methods` write Chinese); Simplified text is the Traditional text
converted by OpenCC (``t2s``, character and phrase tables), except where :data:`HANS` gives
mainland wording of its own.  Chinese text that comes from a model file (latent names, item
wording) is converted to the report's script the same way (:func:`to_script`; ``s2tw`` for
Traditional), so a report never mixes the two scripts.

Examples
--------
>>> t("national", "zh-hant"), t("national", "zh-hans"), t("national", "zh")
('全國指數', '全国指数', '全国指数')
>>> t("flag_ave", "en", unit="2024Q1/a", latent="CC", value="0.42")[:8]
'2024Q1/a'
"""

from __future__ import annotations

import functools

from ..options import OneOf, check

__all__ = ["LANGS", "TEXT", "HANS", "t", "check_lang", "latent_label", "column_label", "script", "html_lang",
           "to_script", "is_chinese", "model_title"]

LANGS = ("en", "zh", "zh-hans", "zh-hant")
#: The constraint of every ``lang`` option (:mod:`acsi.options`).
LANG = OneOf(*LANGS)

#: key -> (English, Traditional Chinese).  Messages use ``str.format`` fields.
TEXT: dict[str, tuple[str, str]] = {
    # ---- model titles (the shipped models; a model file's title is English)
    "model_title_acsi": ("American Customer Satisfaction Index", "美國顧客滿意度指數"),
    "model_title_airline": ("Airline passenger satisfaction (worked example)", "航空旅客滿意度（示例模型）"),
    "model_title_ccsi": ("China Customer Satisfaction Index (basic model)", "中國顧客滿意度指數（基本模型）"),
    "model_title_ccsi_image": ("China Customer Satisfaction Index (brand-image model)", "中國顧客滿意度指數（品牌形象模型）"),
    "model_title_ecsi": ("European Customer Satisfaction Index", "歐洲顧客滿意度指數"),
    "model_title_dk": ("German Customer Barometer (Deutsches Kundenbarometer)", "德國顧客晴雨表（Deutsches Kundenbarometer）"),
    "model_title_ncsi": ("Korean National Customer Satisfaction Index (NCSI)", "韓國國家顧客滿意度指數（NCSI）"),
    "model_title_scsb": ("Swedish Customer Satisfaction Barometer", "瑞典顧客滿意度晴雨表"),
    "model_title_swics": ("Swiss Index of Customer Satisfaction", "瑞士顧客滿意度指數"),
    # ---- toolkit section (acsi.report.toolkit)
    "toolkit": ("Toolkit analyses", "工具箱分析"),
    "tk_intro": ("The analyses listed in {file}, each with the level of its intervals.", "{file} 所列的分析，各自註明其區間的置信水平。"),
    "tk_level": ("Intervals: {level}", "區間：{level}"),
    "tk_no_intervals": ("This analysis gives no intervals.", "此分析不提供區間。"),
    "tk_english_note": ("Table captions, column names and notes of the toolkit analyses are in English.", "工具箱分析的表格說明、欄名與附註為英文。"),
    "tk_strata_title": ("Indexes by stratum", "分層指數"),
    "tk_column": ("Column", "欄位"),
    "tk_stratum": ("Stratum", "層"),
    "tk_all": ("All respondents", "全部受訪者"),
    "tk_missing": ("(missing)", "（缺失）"),
    "tk_interval": ("Interval ({level})", "區間（{level}）"),
    "tk_strata_caption": (
        "0-100 index of each latent by stratum: the weighted mean of the respondents' scores ({n} respondents used, every unit pooled, each scored with its unit's item weights), {level} Student-t intervals (index ± t·SE, n − 1 df), the rule of the unit indexes. {missing}: no value in the column.",
        "各潛變量按層的 0-100 指數：受訪者得分的加權平均（使用 {n} 名受訪者，合併所有單位，各按其單位的題項權重計分），{level} t 分佈區間（指數 ± t·標準誤，自由度 n − 1），與單位指數的規則相同。{missing}：該欄無值。",
    ),
    "tk_title_clv": ("Customer lifetime value", "顧客終身價值"),
    "tk_title_customer_value": ("Customer value (benefit − cost)", "顧客價值（總收益 − 總成本）"),
    "tk_title_customer_classes": ("Four customer classes (revenue × cost to serve)", "四類顧客（收入 × 服務成本）"),
    "tk_title_pareto": ("Pareto (80/20) key customers", "帕累托（80/20）重點顧客"),
    "tk_title_nps": ("Net Promoter Score", "淨推薦值（NPS）"),
    "tk_title_csat": ("Customer satisfaction score (CSAT)", "顧客滿意度得分（CSAT）"),
    "tk_title_top_box": ("Top-box share", "頂端選項比例（Top-box）"),
    "tk_title_ces": ("Customer effort score (CES)", "顧客費力度得分（CES）"),
    "tk_title_repurchase": ("Repurchase rate", "再購率"),
    "tk_title_churn": ("Churn rate", "流失率"),
    "tk_title_satisfaction_rate": ("Satisfaction rate", "顧客滿意率"),
    "tk_title_survey_score": ("Survey-table score", "調查表得分"),
    "tk_title_overall_csi": ("Overall CSI from graded answers", "分級答案的總體顧客滿意度指數"),
    "tk_title_kcsi": ("KCSI (top-2-box index)", "KCSI（前兩項指數）"),
    "tk_title_benchmarks": ("Benchmark flags", "基準判定"),
    "tk_title_describe": ("Descriptive and stratified statistics", "描述與分層統計"),
    "tk_title_drivers": ("Derived importance (regression, relative weights, Shapley)", "推導重要性（迴歸、相對權重、Shapley）"),
    "tk_title_pca": ("Principal components", "主成分分析"),
    "tk_title_efa": ("Exploratory factor analysis", "探索性因子分析"),
    "tk_title_cluster_items": ("Cluster analysis of the items", "題項聚類分析"),
    "tk_title_cluster_respondents": ("k-means segments of respondents", "受訪者 k-means 分群"),
    "tk_title_correspondence": ("Correspondence analysis", "對應分析"),
    "tk_title_correlation": ("Correlation table with tests", "相關係數表及檢驗"),
    "tk_title_servqual": ("SERVQUAL gaps (P − E)", "SERVQUAL 差距（P − E）"),
    "tk_title_servqual_zones": ("SERVQUAL zone of tolerance", "SERVQUAL 容忍區間"),
    "tk_title_servperf": ("SERVPERF (perceptions only)", "SERVPERF（僅感知）"),
    "tk_title_fuzzy": ("Fuzzy comprehensive evaluation", "模糊綜合評價"),
    "tk_title_kano": ("Kano categories and priorities", "Kano 分類與優先順序"),
    "tk_title_ahp": ("AHP weights and consistency", "AHP 權重與一致性"),
    "tk_title_ipa": ("Importance-performance analysis", "重要性-表現分析"),
    "tk_title_ipma": ("Importance-performance map (IPMA)", "重要性-表現圖（IPMA）"),
    "tk_title_sample_size": ("Sample size", "樣本量"),
    "tk_title_allocation": ("Stratified allocation", "分層分配"),
    "tk_title_stratified_margin": ("Margin of error of a stratified mean", "分層均值的誤差範圍"),
    "tk_title_sample": ("Draw a sample from a frame", "從抽樣框抽取樣本"),
    # ---- title and navigation
    "report_title": ("Customer satisfaction index report", "顧客滿意度指數報告"),
    "generated": ("Generated by acsi {version} on {date}", "由 acsi {version} 生成於 {date}"),
    "contents": ("Contents", "目錄"),
    "overview": ("Overview", "概要"),
    "headline_index": ("Headline index", "主指數"),
    "model": ("Model", "模型"),
    "estimator": ("Estimator", "估計方法"),
    "units": ("Units", "單位"),
    "periods": ("Periods", "期間"),
    "respondents_used": ("Respondents used", "有效受訪者"),
    "respondents_read": ("Respondents read", "讀入受訪者"),
    "confidence_level": ("Confidence level", "置信水平"),
    "confidence_units": ("Intervals of unit indexes", "單位指數的區間"),
    "confidence_aggregates": ("Intervals of aggregates", "匯總指數的區間"),
    "interval_t": ("{level} Student-t intervals (index ± t·SE, n − 1 df)", "{level} t 分佈區間（指數 ± t·標準誤，自由度 n − 1）"),
    "interval_z": ("{level} normal intervals (index ± z·SE)", "{level} 正態區間（指數 ± z·標準誤）"),
    "interval_unknown": ("level not recorded with these results", "結果中未記錄置信水平"),
    "bootstrap": ("Bootstrap", "自助法（Bootstrap）"),
    "bootstrap_text": ("{n} replicates per unit, {level} intervals", "每個單位 {n} 次重抽樣，{level} 區間"),
    "margin_of_error": ("Typical margin of error (company index, {level})", "典型誤差範圍（公司指數，{level}）"),
    "yes": ("yes", "是"),
    "list_sep": ("; ", "；"),
    "no": ("no", "否"),
    # ---- aggregate levels
    "aggregate_indexes": ("National, sector and industry indexes", "全國、部門與行業指數"),
    "national": ("National index", "全國指數"),
    "sector": ("Sector indexes", "部門指數"),
    "industry": ("Industry indexes", "行業指數"),
    "company": ("Company indexes", "公司指數"),
    "no_aggregate": (
        "No aggregation results were found: run `acsi aggregate` (or pass an aggregate result) to add "
        "industry, sector and national indexes.",
        "未找到匯總結果：請執行 `acsi aggregate`（或傳入匯總結果）以加入行業、部門與全國指數。",
    ),
    "partial_window": ("partial window: the national window of this period was not full", "不完整窗口：該期的全國窗口未滿"),
    "aggregate_caption": ("Intervals: {intervals}, from the standard errors of the unit indexes.",
                          "區間：{intervals}，由各單位指數的標準誤計算。"),
    "change_note_matched": (
        "Change from the previous period, as published (all units of each period) and like for like (only the units "
        "measured in both periods).",
        "與上一期相比的變化：按公佈口徑（各期全部單位）與同口徑（僅兩期均有測量的單位）。",
    ),
    "composition_changed": (
        "the set of units changed between the two periods: part of the published change is the composition effect "
        "(published − like for like).",
        "兩期之間單位組成有所變化：公佈口徑的變化中有一部分是組成變化的影響（公佈口徑 − 同口徑）。",
    ),
    "change_tested": (
        "Significance: two-sided z test of the {basis} change at the {alpha} level (the aggregation's test).",
        "顯著性：對{basis}變化的雙側 z 檢驗，顯著水平 {alpha}（匯總時所做的檢驗）。",
    ),
    "basis_matched": ("like-for-like", "同口徑"),
    "basis_published": ("published", "公佈口徑"),
    "change_untested_basis": (
        "These results do not record which change was tested, so no significance is shown.",
        "結果中未記錄檢驗的是哪一種變化，因此不顯示顯著性。",
    ),
    # ---- league tables
    "league_tables": ("Company league tables per industry", "各行業公司排名"),
    "league_caption": (
        "Companies ranked by their {headline} index in {period}; intervals: {intervals}. The bars of the chart start "
        "at {base}, not at 0.",
        "按 {period} 的{headline}指數排名；區間：{intervals}。圖中橫條從 {base} 起，而非從 0 起。",
    ),
    "all_indexes": ("Every index of each unit", "各單位的全部指數"),
    "all_indexes_caption": (
        "The 0-100 index of every latent variable of each unit in its latest period ({intervals} in the results' "
        "latent_indexes table).{outcomes} A dash: the index is withheld; its status and reason are in "
        "latent_indexes.",
        "各單位最新一期每個潛在變數的 0-100 指數（{intervals}見結果中的 latent_indexes 表）。{outcomes}"
        "短橫：該指數不予發佈，其狀態與原因見 latent_indexes。",
    ),
    "all_indexes_outcomes": (
        " For an observed 0/1 outcome ({names}) the index is the share answering 1, in percent (for ACSI's yes/no "
        "complaint question: the complaint rate).",
        "觀測的 0/1 結果變數（{names}）的指數為回答 1 的比例（百分比；ACSI 的是否抱怨問題即為抱怨率）。",
    ),
    "league_industry_row": ("the industry index is an aggregate: {intervals}.", "行業指數為匯總指數：{intervals}。"),
    "all_units": ("All units", "全部單位"),
    "industry_row": ("Industry index", "行業指數"),
    # ---- time series
    "timeseries": ("Indexes over time", "指數走勢"),
    "published_series": ("Published ACSI national index (reference data)", "已公佈的 ACSI 全國指數（參考數據）"),
    "published_caption": (
        "Real published ACSI national scores per quarter, read from {source}.",
        "實際公佈的 ACSI 全國季度得分，數據來源：{source}。",
    ),
    "published_caption_table": ("Real published ACSI national scores per quarter.", "實際公佈的 ACSI 全國季度得分。"),
    # ---- model
    "path_diagram": ("Path diagram of the pooled model", "合併樣本模型路徑圖"),
    "path_caption_tested": (
        "Standardised path coefficients of the model fitted to all respondents; R² under each endogenous latent "
        "variable. Dashed arrows: not significant at the {alpha} level ({test}).",
        "全部受訪者擬合模型的標準化路徑係數；內生潛變量下方為 R²。虛線：在 {alpha} 水平下不顯著（{test}）。",
    ),
    "path_caption_untested": (
        "Standardised path coefficients of the model fitted to all respondents; R² under each endogenous latent "
        "variable. No significance test was run for these paths (the estimates carry no standard errors: run the "
        "bootstrap to test them), so no arrow is marked.",
        "全部受訪者擬合模型的標準化路徑係數；內生潛變量下方為 R²。這些路徑未做顯著性檢驗（估計值沒有標準誤："
        "執行自助法即可檢驗），因此不標示任何箭頭。",
    ),
    "test_z": ("two-sided z test with the estimator's standard errors", "以估計程序標準誤所做的雙側 z 檢驗"),
    "test_bootstrap": ("two-sided bootstrap t test, estimate / bootstrap SE", "雙側自助法 t 檢驗，估計值 / 自助法標準誤"),
    "col_p_test_z": ("p (z test)", "p 值（z 檢驗）"),
    "col_p_test_bootstrap": ("p (bootstrap)", "p 值（自助法）"),
    "path_coefficients": ("Path coefficients (pooled model)", "路徑係數（合併樣本模型）"),
    # ---- IPA
    "ipa": ("Importance-performance analysis: what to improve", "重要性-表現分析：優先改進項目"),
    "ipa_caption": (
        "Importance = total effect on {headline} (direct plus indirect, T = (I − B)⁻¹ − I from the pooled "
        "path coefficients); performance = mean 0-100 score. Cut lines at the means of the drivers; whiskers: "
        "the intervals of the table; circled: fix first (beyond the intervals).",
        "重要性 = 對{headline}的總效應（直接加間接效應，由合併樣本路徑係數計算 T = (I − B)⁻¹ − I）；"
        "表現 = 0-100 平均得分；分界線為各驅動因素的平均值；誤差線：表中的區間；圈出者：優先改進（超出區間）。",
    ),
    "importance_interval": ("Importance interval ({level})", "重要性區間（{level}）"),
    "performance_interval": ("Performance interval ({level})", "表現區間（{level}）"),
    "separated": ("Separated from the cuts?", "是否與分界線明確區分"),
    "separated_yes": ("yes", "是"),
    "separated_no": ("no: within the interval", "否：在區間之內"),
    "separated_no_interval": ("no interval", "無區間"),
    "action_unsure": ("no action from these data: not separated from the cut lines", "數據不足以支持行動：與分界線未明確區分"),
    "fix_first_no_interval": (
        "No driver is named: the drivers' importance has no interval here (no standard errors; run the bootstrap), "
        "so the data cannot be said to separate them.",
        "不列出任何驅動因素：此處驅動因素的重要性沒有區間（沒有標準誤；請執行自助法），無法判斷數據能否區分它們。",
    ),
    "fix_first_cannot_separate": (
        "The data cannot separate the drivers: no driver's importance is above its cut line and its performance "
        "below its cut line by more than their {level} intervals.",
        "數據無法區分各驅動因素：沒有任何驅動因素的重要性高於分界線、同時表現低於分界線，且差距超出其 {level} 區間。",
    ),
    "quadrant_b_unsure": (
        "In quadrant B by their point estimates only (not named): {names}.",
        "僅按點估計落在 B 修補區（不列為優先改進）：{names}。",
    ),
    "ipa_interval_bootstrap": (
        "Intervals: {level} bootstrap percentile intervals of the replicates, for the values and for their gaps from "
        "the cut lines (the drivers' means, recomputed in every replicate).",
        "區間：{level} 自助法百分位區間，針對數值及其與分界線（各驅動因素平均值，每次重抽樣重新計算）的差距。",
    ),
    "ipa_interval_bound": (
        "Intervals: {level} normal intervals with a conservative standard error (Σ |∂gap/∂β| · SE(β) over the path "
        "coefficients, valid whatever their correlations; no bootstrap ran), for the values and for their gaps from "
        "the cut lines.",
        "區間：{level} 正態區間，採用保守標準誤（對路徑係數求 Σ |∂差距/∂β| · 標準誤(β)，不論係數間相關如何均成立；"
        "未執行自助法），針對數值及其與分界線的差距。",
    ),
    "ipa_interval_none": (
        "No interval: the estimates carry no standard errors and no bootstrap ran.",
        "沒有區間：估計值沒有標準誤，也未執行自助法。",
    ),
    "impacts_title": ("ACSI impacts", "ACSI 影響值"),
    "impacts_caption": (
        "Points of the headline's 0-100 index gained when a driver's 0-100 score rises by the stated number of points "
        "(the ACSI's impacts), from the total effects.",
        "驅動因素的 0-100 得分提高指定分數時，主指數 0-100 得分的增加（ACSI 的影響值），由總效應計算。",
    ),
    "impact": ("Impact of a {rise}-point rise", "提高 {rise} 分的影響"),
    "impact_interval": ("Interval ({level})", "區間（{level}）"),
    "impacts_no_interval": (
        "Computed from the pooled model's estimates and item weights; no interval: the results keep no covariance of "
        "the estimates and no bootstrap of the pooled model was given (run one for intervals).",
        "由合併模型的估計值與題項權重計算；沒有區間：結果未保存估計值的協方差，也未提供合併模型的自助法（執行自助法可得區間）。",
    ),
    "impacts_delta": (
        "The fit's impacts table (acsi.estimate.effects.acsi_impacts on the pooled model): SE and {level} normal "
        "interval by the delta method (item weights held fixed).",
        "擬合結果的影響值表（合併模型，acsi.estimate.effects.acsi_impacts）：標準誤與 {level} 正態區間由 delta 法計算"
        "（題項權重固定）。",
    ),
    "impacts_pls_ipma": (
        "From the pooled PLS IPMA: {rise} × the importance (the headline's 0-100 points per point of the driver's "
        "0-100 score; Ringle & Sarstedt 2016); no interval (the report's PLS impacts are not bootstrapped).",
        "由合併 PLS 模型的 IPMA 計算：{rise} × 重要性（驅動因素 0-100 得分每提高 1 分時主指數的 0-100 分數變化；"
        "Ringle & Sarstedt 2016）；沒有區間（報告中的 PLS 影響值未經自助法）。",
    ),
    "impacts_bootstrap": (
        "Computed from the pooled model's estimates and item weights; SE and {level} percentile interval from {n} "
        "bootstrap replicates (item weights held at the fit's).",
        "由合併模型的估計值與題項權重計算；標準誤與 {level} 百分位區間來自 {n} 次自助法重抽樣（題項權重固定為擬合值）。",
    ),
    "impacts_absent": (
        "These results carry no ACSI impacts (the change in the headline's 0-100 index per 5-point rise of a driver): "
        "the estimator did not write an impacts table for this fit.",
        "這些結果沒有 ACSI 影響值（驅動因素提高 5 分時主指數 0-100 得分的變化）：估計程序未為此擬合寫出影響值表。",
    ),
    "fix_first": ("Fix first (quadrant B beyond the intervals: high importance, low performance)",
                  "優先改進（超出區間的 B 修補區：重要性高、表現低）"),
    "fix_first_none": ("No driver falls in quadrant B.", "沒有驅動因素落在 B 修補區。"),
    "fix_first_units": ("Fix-first list per company (latest period)", "各公司優先改進清單（最近一期）"),
    "fix_first_units_caption": (
        "Per company: drivers in quadrant B of its own model beyond the intervals (importance = total effect on "
        "{headline}, performance = its 0-100 mean; cut lines at the company's driver means; the same interval rule "
        "as above, with the company's own standard errors or bootstrap). The last column lists the drivers in "
        "quadrant B by their point estimates only.",
        "每家公司：在其自身模型中超出區間落入 B 修補區的驅動因素（重要性 = 對{headline}的總效應，表現 = 0-100 平均得分；"
        "分界線為該公司各驅動因素的平均值；區間規則同上，採用該公司自身的標準誤或自助法）。最後一欄列出僅按點估計落在 B 修補區的驅動因素。",
    ),
    "none": ("none", "無"),
    "driver": ("Driver", "驅動因素"),
    "importance": ("Importance (total effect)", "重要性（總效應）"),
    "performance": ("Performance (0-100)", "表現（0-100）"),
    "quadrant": ("Quadrant", "象限"),
    "action": ("Action", "行動"),
    # ---- quality and fit
    "quality": ("Measurement quality and model fit", "測量質量與模型擬合"),
    "flags": ("Flags", "警示"),
    "no_flags_checked": ("No flags among the checks that were computed: {checks}.", "在已計算的檢查中沒有警示：{checks}。"),
    "checks_run": ("Checks computed: {checks}.", "已計算的檢查：{checks}。"),
    "check_line": ("{rule} on {n} values, {bad} flagged", "{rule}：{n} 個數值，{bad} 個警示"),
    "check_not_computable": (" ({n} not computable)", "（{n} 個無法計算）"),
    "no_checks": (
        "No quality check could be computed for these results, so the report makes no claim about measurement "
        "quality or fit.",
        "這些結果無法計算任何質量檢查，因此報告對測量質量與擬合不作任何結論。",
    ),
    "checks_not_run": ("Not checked (not computed for this estimator): {checks}.", "未檢查（此估計方法未計算）：{checks}。"),
    "flag_pls": ("{unit}: {criterion} of {target} is {value} ({rule}; {reference}).", "{unit}：{target} 的 {criterion} 為 {value}（{rule}；{reference}）。"),
    "group_pls": ("PLS quality criteria not met: {n}", "未達標的 PLS 質量準則：{n} 項"),
    "pls_table_pls_reliability": ("PLS reliability and convergent validity", "PLS 信度與收斂效度"),
    "pls_table_pls_htmt": ("PLS discriminant validity (HTMT)", "PLS 區別效度（HTMT）"),
    "pls_table_pls_fornell_larcker": ("PLS Fornell-Larcker criterion", "PLS Fornell-Larcker 準則"),
    "pls_table_pls_inner_vif": ("PLS structural collinearity (inner VIF)", "PLS 結構共線性（內部 VIF）"),
    "pls_table_pls_f2": ("PLS effect sizes (f²)", "PLS 效應量（f²）"),
    "pls_table_reliability": ("Reliability and convergent validity (α, ρc, ρA, AVE)", "信度與收斂效度（α、ρc、ρA、AVE）"),
    "pls_table_htmt": ("Discriminant validity (HTMT)", "區別效度（HTMT）"),
    "pls_table_rsquare": ("Explained variance (R²)", "解釋變異（R²）"),
    "pls_table_pls_loadings": ("PLS loadings and weights", "PLS 載荷與權重"),
    "pls_table_pls_r2": ("PLS explained variance (R²)", "PLS 解釋變異（R²）"),
    "pls_table_pls_quality_flags": ("PLS quality checks (each with its threshold and reference)", "PLS 質量檢查（各附閾值與文獻）"),
    "pls_table_pls_effects": ("PLS direct, indirect and total effects", "PLS 直接、間接與總效應"),
    "pls_table_pls_exact_fit_test": ("PLS bootstrap test of exact fit", "PLS 精確擬合的自助法檢驗"),
    "pls_table_pls_predict": ("PLSpredict (out of sample, against the linear benchmark)", "PLSpredict（樣本外預測，對照線性基準）"),
    "pls_table_pls_blindfolding": ("Blindfolding Q²", "Blindfolding Q²"),
    "pls_table_pls_model_fit": ("PLS model fit", "PLS 模型擬合"),
    "pls_table_pls_ipma_constructs": ("PLS importance-performance map (constructs)", "PLS 重要性-表現圖（構念）"),
    "pls_table_pls_ipma_indicators": ("PLS importance-performance map (indicators)", "PLS 重要性-表現圖（指標）"),
    "flags_caption": (
        "Thresholds: AVE < 0.50, RMSEA > 0.08, CFI < 0.90, SRMR > 0.08, and units that are inadmissible or failed.",
        "閾值：AVE < 0.50、RMSEA > 0.08、CFI < 0.90、SRMR > 0.08，以及不可接受或估計失敗的單位。",
    ),
    "flag_failed": (
        "{unit}: not estimated ({reason}). The unit keeps its row in every table, without an index.",
        "{unit}：未能估計（{reason}）。該單位仍保留在各表中，但沒有指數。",
    ),
    "flag_inadmissible": (
        "{unit}: inadmissible solution ({reason}). Treat its index with caution.",
        "{unit}：解不可接受（{reason}）。請謹慎解讀其指數。",
    ),
    "flag_ave": (
        "{unit}: AVE of {latent} is {value} (below 0.50): its items share less variance with the construct "
        "than with measurement error.",
        "{unit}：{latent}的 AVE 為 {value}（低於 0.50）：其題項與構念共享的變異少於測量誤差。",
    ),
    "flag_rmsea": (
        "{unit}: RMSEA is {value} (above 0.08): the model approximates the data poorly.",
        "{unit}：RMSEA 為 {value}（高於 0.08）：模型對數據的近似較差。",
    ),
    "flag_cfi": (
        "{unit}: CFI is {value} (below 0.90): the model fits clearly worse than the usual standard.",
        "{unit}：CFI 為 {value}（低於 0.90）：模型擬合明顯低於常用標準。",
    ),
    "flag_srmr": (
        "{unit}: SRMR is {value} (above 0.08): large average residual correlations.",
        "{unit}：SRMR 為 {value}（高於 0.08）：平均殘差相關較大。",
    ),
    "pooled": ("pooled model", "合併樣本模型"),
    "group_failed": ("Units not estimated: {n}", "未能估計的單位：{n} 個"),
    "group_inadmissible": ("Inadmissible solutions: {n}", "解不可接受的單位：{n} 個"),
    "group_ave": (
        "AVE of {latent} below 0.50 in {n} of {total} models: its items share less variance with the construct than "
        "with measurement error.",
        "{latent}的 AVE 在 {total} 個模型中有 {n} 個低於 0.50：其題項與構念共享的變異少於測量誤差。",
    ),
    "group_rmsea": ("RMSEA above 0.08 in {n} of {total} models: poor approximate fit.", "{total} 個模型中有 {n} 個 RMSEA 高於 0.08：近似擬合較差。"),
    "group_cfi": ("CFI below 0.90 in {n} of {total} models.", "{total} 個模型中有 {n} 個 CFI 低於 0.90。"),
    "group_srmr": ("SRMR above 0.08 in {n} of {total} models.", "{total} 個模型中有 {n} 個 SRMR 高於 0.08。"),
    "show_rows": ("show all {n} rows", "顯示全部 {n} 行"),
    "show_list": ("show the list", "顯示清單"),
    "measurement": ("Measurement quality per latent variable", "各潛變量的測量質量"),
    "measurement_caption": (
        "AVE = mean squared standardised loading; CR = composite reliability (Σλ)² / ((Σλ)² + Σ(1 − λ²)); "
        "median and minimum over the units that were estimated, and the pooled model.",
        "AVE = 標準化載荷平方的平均；CR = 組合信度 (Σλ)² / ((Σλ)² + Σ(1 − λ²))；顯示已估計單位的中位數與最小值，以及合併樣本模型。",
    ),
    "fit_measures": ("Fit measures per unit", "各單位擬合指標"),
    "unit_status": ("Unit status", "單位狀態"),
    "fit_summary": ("Model fit at a glance", "模型擬合概覽"),
    "fit_median": ("median over units", "各單位中位數"),
    "fit_worst": ("worst unit", "最差單位"),
    # ---- accounting
    "accounting": ("Data accounting", "數據核算"),
    "accounting_caption": (
        "Every respondent read is either used or dropped for one reason: rows read = rows used + dropped.",
        "每位讀入的受訪者要麼被使用，要麼因某一原因被剔除：讀入 = 使用 + 剔除。",
    ),
    "total": ("Total", "合計"),
    # ---- methods
    "methods": ("Methods", "方法說明"),
    "m_model": ("Model", "模型"),
    "m_estimator": ("Estimator", "估計方法"),
    "m_estimator_sem": (
        "Covariance-based structural equation model, maximum likelihood (lavaan's ML conventions), "
        "one model per unit and one on all respondents.",
        "基於協方差的結構方程模型，最大似然估計（採用 lavaan 的 ML 慣例），每個單位一個模型，另加全部受訪者一個模型。",
    ),
    "m_estimator_pls": (
        "Partial least squares path modelling (PLS-PM), one model per unit and one on all respondents.",
        "偏最小二乘路徑模型（PLS-PM），每個單位一個模型，另加全部受訪者一個模型。",
    ),
    "m_index": (
        "Index",
        "指數",
    ),
    "m_index_text": (
        "0-100 score of each respondent from the items' factor-score weights; a unit's index is the "
        "survey-weighted mean of its respondents' scores with a t interval.",
        "以題項的因子得分權重計算每位受訪者的 0-100 得分；單位指數為受訪者得分的調查加權平均，並給出 t 區間。",
    ),
    "m_weights": ("Survey weights", "調查權重"),
    "m_unweighted": ("none (every respondent counts once)", "無（每位受訪者權重相同）"),
    "m_missing": ("Missing data", "缺失數據"),
    "m_missing_text": (
        "{policy} deletion; codes {codes} mean no answer; out-of-range answers: {oor}; units with fewer "
        "than {min_n} complete respondents are not estimated.",
        "{policy}刪除；代碼 {codes} 視為未作答；超出量表範圍的答案：{oor}；完整受訪者少於 {min_n} 人的單位不予估計。",
    ),
    "m_confidence": ("Intervals", "區間"),
    "m_rule_units": ("Unit indexes: {intervals}.", "單位指數：{intervals}。"),
    "m_rule_aggregates": ("Aggregates: {intervals}.", "匯總指數：{intervals}。"),
    "m_rule_bootstrap": ("Bootstrap: {level} percentile and BCa intervals of the replicates.", "自助法：重抽樣的 {level} 百分位與 BCa 區間。"),
    "policy_listwise": ("listwise", "成列"),
    "oor_error": ("refused with an error", "報錯並拒絕"),
    "oor_missing": ("treated as missing", "視為缺失"),
    "m_aggregation": ("Aggregation", "匯總方法"),
    "m_aggregation_text": (
        "Industry and sector indexes are sales-weighted means of their units; the national index is the "
        "sales-weighted mean of the sectors averaged over the latest four quarters (ACSI's method).",
        "行業與部門指數為其單位的銷售額加權平均；全國指數為各部門的銷售額加權平均，再取最近四個季度的平均（ACSI 方法）。",
    ),
    "m_software": ("Software", "軟件版本"),
    "m_data": ("Data fingerprint", "數據指紋"),
    "m_groups": ("Units are defined by", "單位定義"),
    "m_source": ("Results read from", "結果來源"),
    "m_notes": ("Notes", "附註"),
    "m_reasons_en": (
        "Reasons and messages from the estimator are reproduced as written.",
        "估計程序給出的原因與訊息按原文照錄（英文）。",
    ),
    # ---- column headers
    "col_period": ("Period", "期間"),
    "col_unit": ("Unit", "單位"),
    "col_company": ("Company", "公司"),
    "col_industry": ("Industry", "行業"),
    "col_sector": ("Sector", "部門"),
    "col_parent": ("Belongs to", "所屬"),
    "col_rank": ("Rank", "排名"),
    "col_index": ("Index", "指數"),
    "col_se": ("SE", "標準誤"),
    "col_se_test_bootstrap": ("SE (bootstrap)", "標準誤（自助法）"),
    "col_alpha": ("Cronbach's α", "Cronbach α"),
    "col_below_085": ("HTMT < 0.85", "HTMT < 0.85"),
    "col_below_090": ("HTMT < 0.90", "HTMT < 0.90"),
    "col_boot_upper_95": ("Bootstrap upper bound (95%, one-sided)", "自助法上界（95%，單側）"),
    "col_consistent": ("Consistent (PLSc)", "一致性 PLS（PLSc）"),
    "col_criterion": ("Criterion", "準則"),
    "col_direct": ("Direct", "直接效應"),
    "col_estimated": ("Estimated model", "估計模型"),
    "col_f2": ("f²", "f²"),
    "col_f2_refit": ("f² (refit)", "f²（重新估計）"),
    "col_htmt": ("HTMT", "HTMT"),
    "col_htmt2": ("HTMT2", "HTMT2"),
    "col_importance": ("Importance", "重要性"),
    "col_indirect": ("Indirect", "間接效應"),
    "col_item": ("Item", "題項"),
    "col_latent_a": ("Latent variable A", "潛變量 A"),
    "col_latent_b": ("Latent variable B", "潛變量 B"),
    "col_loading": ("Loading", "載荷"),
    "col_measure": ("Measure", "指標"),
    "col_mode": ("Mode", "模式"),
    "col_n_items": ("Items", "題項數"),
    "col_n_predictors": ("Predictors", "預測變量數"),
    "col_note": ("Note", "附註"),
    "col_passed": ("Passed", "通過"),
    "col_performance": ("Performance", "表現"),
    "col_r2_adj": ("Adjusted R²", "調整後 R²"),
    "col_reference": ("Reference", "文獻"),
    "col_rescaled_weight": ("Rescaled weight", "重新標度權重"),
    "col_rho_a": ("ρA", "ρA"),
    "col_rho_c": ("ρc", "ρc"),
    "col_rule": ("Rule", "規則"),
    "col_saturated": ("Saturated model", "飽和模型"),
    "col_size": ("Size", "大小"),
    "col_size_refit": ("Size (refit)", "大小（重新估計）"),
    "col_target": ("Target", "目標"),
    "col_threshold": ("Threshold", "閾值"),
    "col_total": ("Total", "總效應"),
    "col_total_effect_std": ("Total effect (standardised)", "總效應（標準化）"),
    "col_value": ("Value", "數值"),
    "col_vif": ("VIF", "VIF"),
    "col_weight": ("Weight", "權重"),
    "col_ci": ("Interval", "置信區間"),
    "col_n": ("n", "樣本數"),
    "col_n_respondents": ("Respondents", "受訪者"),
    "col_n_units": ("Units", "單位數"),
    "col_change": ("Change", "變化"),
    "col_change_p": ("p (change)", "p 值（變化）"),
    "col_change_published": ("Change (published)", "變化（公佈口徑）"),
    "col_change_matched": ("Change (like for like)", "變化（同口徑）"),
    "col_p_matched": ("p (like for like)", "p 值（同口徑）"),
    "col_p_published": ("p (published)", "p 值（公佈口徑）"),
    "col_significant": ("Significant at {alpha}", "在 {alpha} 水平顯著"),
    "col_quadrant_b": ("Quadrant B (point estimates)", "B 修補區（點估計）"),
    "col_status": ("Status", "狀態"),
    "col_reason": ("Reason", "原因"),
    "col_latent": ("Latent variable", "潛變量"),
    "col_items": ("Items", "題項"),
    "col_ave": ("AVE", "AVE"),
    "col_cr": ("CR", "CR"),
    "col_ave_median": ("AVE (median)", "AVE（中位數）"),
    "col_ave_min": ("AVE (min)", "AVE（最小）"),
    "col_cr_median": ("CR (median)", "CR（中位數）"),
    "col_ave_pooled": ("AVE (pooled)", "AVE（合併）"),
    "col_cr_pooled": ("CR (pooled)", "CR（合併）"),
    "col_r2": ("R²", "R²"),
    "col_from": ("From", "自"),
    "col_to": ("To", "至"),
    "col_est": ("Estimate", "估計值"),
    "col_std": ("Standardised", "標準化"),
    "col_p": ("p", "p 值"),
    "col_chisq": ("χ²", "χ²"),
    "col_df": ("df", "自由度"),
    "col_cfi": ("CFI", "CFI"),
    "col_tli": ("TLI", "TLI"),
    "col_rmsea": ("RMSEA", "RMSEA"),
    "col_srmr": ("SRMR", "SRMR"),
    "col_rows_read": ("Read", "讀入"),
    "col_rows_used": ("Used", "使用"),
    "col_dropped_missing_unit": ("Dropped: no unit", "剔除：缺少單位"),
    "col_dropped_invalid_weight": ("Dropped: invalid weight", "剔除：權重無效"),
    "col_dropped_out_of_range": ("Dropped: out of range", "剔除：超出範圍"),
    "col_dropped_missing_items": ("Dropped: missing items", "剔除：題項缺失"),
    "col_dropped_unit_not_estimated": ("Dropped: unit not estimated", "剔除：單位未估計"),
    "col_fix_first": ("Fix first", "優先改進"),
    # ---- statuses
    "status_ok": ("ok", "正常"),
    "status_inadmissible": ("inadmissible", "不可接受"),
    "status_failed": ("failed", "失敗"),
    # ---- figure labels
    "fig_period": ("period", "期間"),
    "fig_index": ("index (0-100)", "指數（0-100）"),
    "fig_national_title": ("National index", "全國指數"),
    "fig_sector_title": ("Sector indexes", "部門指數"),
    "fig_industry_title": ("Industry indexes", "行業指數"),
    "fig_company_title": ("Company indexes", "公司指數"),
    "fig_published_title": ("ACSI national index, published", "ACSI 全國指數（已公佈）"),
    "fig_league_title": ("{industry}: {period}", "{industry}：{period}"),
    "fig_not_estimated": ("not estimated", "未估計"),
    "fig_path_title": ("Path model", "路徑模型"),
    "fig_interval_t": ("band: {level} Student-t interval", "陰影：{level} t 分佈區間"),
    "fig_interval_z": ("band: {level} normal interval", "陰影：{level} 正態區間"),
    "fig_partial_window": ("partial window (hollow)", "不完整窗口（空心）"),
    "fig_bars_from": ("bars start at {base}", "橫條從 {base} 起"),
    "fig_whiskers": ("whiskers: {level} Student-t intervals", "誤差線：{level} t 分佈區間"),
    "fig_path_tested": ("dashed: not significant at {alpha}% ({test})", "虛線：在 {alpha}% 水平下不顯著（{test}）"),
    "fig_path_untested": ("no significance test was run: no arrow is marked", "未做顯著性檢驗：不標示任何箭頭"),
    "fig_ipa_note_bootstrap": ("whiskers: {level} bootstrap intervals; circled: fix first", "誤差線：{level} 自助法區間；圈出者：優先改進"),
    "fig_ipa_note_bound": ("whiskers: {level} conservative normal intervals; circled: fix first",
                           "誤差線：{level} 保守正態區間；圈出者：優先改進"),
    "fig_ipa_note_none": ("no intervals (no standard errors, no bootstrap)", "沒有區間（沒有標準誤，也未執行自助法）"),
    "fig_importance": ("importance (total effect)", "重要性（總效應）"),
    "fig_performance": ("performance (0-100)", "表現（0-100）"),
    "fig_ipa_title": ("Importance-performance analysis", "四分圖（重要性-表現分析）"),
    "fig_no_data": ("no data", "無數據"),
    "figure_font_note": (
        "No font with Chinese characters was found (the font bundled with acsi is missing), so figure labels are in "
        "English. Reinstall acsi, or install e.g. fonts-noto-cjk, to get Chinese figure labels.",
        "未找到含中文字形的字體（acsi 隨附的字體缺失），圖表標籤以英文顯示。重新安裝 acsi，或安裝 fonts-noto-cjk 等字體即可顯示中文圖表標籤。",
    ),
    # ---- group comparison (acsi compare; acsi.report.compare)
    "comparison": ("Group comparison", "組間比較"),
    "cmp_title": ("Group comparison report", "組間比較報告"),
    "cmp_intro": ("{model} across {by}: {groups}. Estimator: {estimator}. The first group is the reference.",
                  "{model}按{by}比較：{groups}。估計方法：{estimator}。第一組為參照組。"),
    "cmp_invariance": ("Measurement invariance", "測量不變性"),
    "cmp_invariance_note": (
        "Each level adds equal parameters to the previous one (configural: same model; metric: equal loadings; "
        "scalar: and equal intercepts; strict: and equal residual variances). A level holds when neither the "
        "chi-square difference test nor the change in fit (ΔCFI ≥ −0.010, Cheung & Rensvold 2002; ΔRMSEA ≤ 0.015, "
        "ΔSRMR ≤ 0.030 / 0.010, Chen 2007) speaks against it; where it fails, score tests point to the parameters "
        "to free (partial invariance).",
        "各層級在前一層級上增加跨組相等的參數（形態：同一模型；度量：因子負荷相等；標量：再加截距相等；嚴格：再加殘差方差相等）。"
        "當卡方差異檢驗與擬合變化（ΔCFI ≥ −0.010，Cheung & Rensvold 2002；ΔRMSEA ≤ 0.015、ΔSRMR ≤ 0.030 / 0.010，Chen 2007）"
        "均不否定時，該層級成立；不成立時，以分數檢驗找出應釋放的參數（部分不變性）。"),
    "cmp_level": ("Highest level that holds: {level}.", "成立的最高層級：{level}。"),
    "cmp_micom": ("MICOM: measurement invariance of composites (PLS)", "MICOM：合成變量的測量不變性（PLS）"),
    "cmp_micom_note": (
        "Step 2 (compositional invariance): the correlation c of the composites built with either group's weights, "
        "against its permutation distribution. Step 3: equal composite means and variances, by permutation "
        "(Henseler, Ringle & Sarstedt 2016).",
        "第二步（組成不變性）：以兩組權重分別構成的合成變量之相關 c，與其置換分布比較。第三步：合成變量均值與方差相等，以置換檢驗"
        "（Henseler, Ringle & Sarstedt 2016）。"),
    "cmp_indexes": ("Indexes by group", "各組指數"),
    "cmp_indexes_note": ("Each difference is stated with the invariance it rests on.", "每個差異均註明其所依據的不變性層級。"),
    "cmp_paths": ("Path differences", "路徑差異"),
    "cmp_paths_note_sem": ("Equality of each path in every group: Wald test and likelihood-ratio test in the model {model}.",
                           "各路徑跨組相等的檢驗：在模型 {model} 中的 Wald 檢驗與似然比檢驗。"),
    "cmp_paths_note_pls": ("Permutation test (Chin & Dibbern 2010) and Henseler's bootstrap MGA (two-sided p).",
                           "置換檢驗（Chin & Dibbern 2010）與 Henseler 自助法多組分析（雙尾 p 值）。"),
    "cmp_latent_means": ("Latent mean differences (from the reference group)", "潛變量均值差異（相對參照組）"),
    "cmp_figure": ("Indexes and paths by group", "各組指數與路徑"),
    "cmp_notes": ("Notes", "說明"),
    "cmp_step": ("Step", "步驟"), "cmp_holds": ("Holds", "成立"), "cmp_verdict": ("Verdict", "結論"),
    "cmp_yes": ("yes", "是"), "cmp_no": ("no", "否"),
    "cmp_group": ("Group", "組"), "cmp_reference": ("Reference", "參照組"), "cmp_latent": ("Latent", "潛變量"),
    "cmp_index": ("Index", "指數"), "cmp_difference": ("Difference", "差異"), "cmp_se": ("SE", "標準誤"),
    "cmp_ci": ("Interval", "區間"), "cmp_rests_on": ("Rests on", "比較依據"), "cmp_path": ("Path", "路徑"),
    "cmp_wald_p": ("Wald p", "Wald p 值"), "cmp_lrt_p": ("LRT p", "似然比 p 值"),
    "cmp_perm_p": ("Permutation p", "置換 p 值"), "cmp_henseler_p": ("Henseler p", "Henseler p 值"),
    "cmp_invariance_col": ("Invariance", "不變性"), "cmp_p": ("p", "p 值"),
    "cmp_lvl_configural": ("configural", "形態不變"), "cmp_lvl_metric": ("metric", "度量不變"),
    "cmp_lvl_scalar": ("scalar", "標量不變"), "cmp_lvl_strict": ("strict", "嚴格不變"),
    "cmp_lvl_partial metric": ("partial metric", "部分度量不變"), "cmp_lvl_partial scalar": ("partial scalar", "部分標量不變"),
    "cmp_lvl_partial strict": ("partial strict", "部分嚴格不變"), "cmp_lvl_none": ("none", "不成立"),
    "cmp_lvl_full": ("full", "完全不變"), "cmp_lvl_partial": ("partial", "部分不變"),
    "cmp_lvl_compositional": ("compositional", "組成不變"),
    "cmp_zh_holds": ("holds", "成立：Δχ² = {chisq}（自由度 {df}，p {p}），ΔCFI {dcfi}，ΔRMSEA {drmsea}"),
    "cmp_zh_fails": ("does not hold", "不成立：Δχ² = {chisq}（自由度 {df}，p {p}），ΔCFI {dcfi}，ΔRMSEA {drmsea}"),
    "cmp_zh_configural": ("", "同一模型適用於各組：CFI {cfi}，RMSEA {rmsea}，SRMR {srmr}"),
    "cmp_rests_scalar": ("", "{latent} 的題項標量不變（負荷與截距相等）：指數差異比較的是同一構念、同一量尺"),
    "cmp_rests_strict": ("", "{latent} 的題項嚴格不變：指數差異比較的是同一構念、同一量尺"),
    "cmp_rests_partial scalar": ("", "部分標量不變：{latent} 的部分題項參數（負荷或截距）跨組不同，潛變量均值可比，但 0-100 指數亦含這些題項的差異"),
    "cmp_rests_metric": ("", "僅度量不變：指數差異可能反映題項作用方式的不同，而非 {latent} 本身"),
    "cmp_rests_partial metric": ("", "僅部分度量不變：指數差異可能反映題項作用方式的不同"),
    "cmp_rests_configural": ("", "僅形態不變：{latent} 在各組的量尺不同，指數差異不可解讀為同一量的差異"),
    "cmp_rests_compositional": ("", "MICOM 組成不變：{latent} 在兩組以相同方式構成，指數比較同一合成變量"),
    "cmp_rests_full": ("", "完全測量不變（MICOM 第二、三步）：{latent} 在兩組以相同方式構成，指數差異比較同一合成變量"),
    "cmp_rests_partial": ("", "MICOM 組成不變（第二步）成立，但 {latent} 的合成變量均值或方差不同（第三步），即指數所顯示的差異"),
    "cmp_rests_none": ("", "不具組成不變性：{latent} 在兩組的構成不同，指數差異混合了構成與水平的差異"),
}


#: Simplified text where the mainland wording differs from a character conversion of :data:`TEXT`.
HANS: dict[str, str] = {
    "m_reasons_en": "估计程序给出的原因与信息按原文照录（英文）。",
}


def script(lang: str) -> str:
    """``"en"``, ``"hans"`` or ``"hant"`` for a ``lang`` value (``zh`` is Simplified)."""
    check_lang(lang, "script")
    return {"en": "en", "zh": "hans", "zh-hans": "hans", "zh-hant": "hant"}[lang]


def is_chinese(lang: str) -> bool:
    """True for ``zh``, ``zh-hans`` and ``zh-hant``."""
    return script(lang) != "en"


def html_lang(lang: str) -> str:
    """The HTML ``lang`` attribute: ``en``, ``zh-Hans`` or ``zh-Hant``."""
    return {"en": "en", "hans": "zh-Hans", "hant": "zh-Hant"}[script(lang)]


@functools.lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=8192)
def _convert(text: str, config: str) -> str:
    return _converter(config).convert(text)


def to_script(text: str, lang: str) -> str:
    """Chinese ``text`` in the script of ``lang`` (OpenCC ``t2s`` / ``s2tw``); English and
    non-Chinese text unchanged.

    >>> to_script("感知質量", "zh-hans"), to_script("感知质量", "zh-hant"), to_script("PQ", "zh")
    ('感知质量', '感知質量', 'PQ')
    """
    sc = script(lang)
    text = str(text)
    if sc == "en" or not text or text.isascii():
        return text
    return _convert(text, "t2s" if sc == "hans" else "s2tw")


def check_lang(lang: str, where: str = "report") -> str:
    """Return ``lang`` if it is supported, else raise :class:`~acsi.errors.InvalidParameterError` naming the choices."""
    return check(where, "lang", lang, LANG)


def t(key: str, lang: str = "en", **fields) -> str:
    """Text for ``key`` in ``lang`` (``en``, ``zh``/``zh-hans``, ``zh-hant``), with ``fields`` filled in.

    Unknown keys raise ``KeyError`` naming the key (a bug in the report, not a user error).
    Field values are inserted as given (convert Chinese values with :func:`to_script`).
    """
    try:
        en, hant = TEXT[key]
    except KeyError:
        raise KeyError(f"acsi.report.i18n: no text for key {key!r}; add it to TEXT") from None
    sc = script(lang)
    text = en if sc == "en" else hant if sc == "hant" else HANS.get(key) or _convert(hant, "t2s")
    return text.format(**fields) if fields else text


def column_label(column: str, lang: str = "en") -> str:
    """Header for a table column (``index`` -> ``Index``/``指数``); unknown columns stay as they are."""
    key = f"col_{column}"
    return t(key, lang) if key in TEXT else column


def latent_label(spec, latent_id: str, lang: str = "en", *, with_id: bool = True) -> str:
    """Display name of a latent: ``"Perceived quality (PQ)"``, ``"感知质量 (PQ)"`` or ``"感知質量 (PQ)"``.

    Falls back to the English name, then to the id, when the spec is missing or has no Chinese
    name; a Chinese name is shown in the script of ``lang`` (:func:`to_script`).
    """
    name = ""
    if spec is not None:
        for lv in (*spec.latents, *getattr(spec, "observed", ())):
            if lv.id == latent_id:
                name = (to_script(lv.name_zh, lang) if is_chinese(lang) else "") or lv.name
                break
    if not name or name == latent_id:
        return str(latent_id)
    return f"{name} ({latent_id})" if with_id else name


def model_title(spec, lang: str = "en") -> str:
    """The model's title in ``lang``: the shipped models' Chinese titles (``model_title_<name>``), else
    the model file's ``title`` (English), else its name."""
    if spec is None:
        return ""
    key = f"model_title_{spec.name}"
    if is_chinese(lang) and key in TEXT:
        return t(key, lang)
    return spec.title or spec.name
