"""``acsi.compare``: do the groups of a survey (periods, segments, regions) measure the same
thing, and where do they differ?

1. resolve the model, read the survey, validate it and delete incomplete respondents
   listwise (:func:`acsi.data.prepare_survey`, accounted for per group);
2. order the groups (a period column chronologically, otherwise ``groups=`` or lavaan's
   order of first appearance); group 1 is the reference;
3. CB-SEM (``estimator="sem"``): the invariance sequence configural → metric → scalar →
   strict with partial invariance (:func:`acsi.estimate.invariance.invariance`), the latent
   mean differences under (partial) scalar invariance, the equality of every structural path
   across the groups by a Wald test and a likelihood-ratio test in the highest accepted model
   (:func:`acsi.estimate.multigroup.path_difference`), and the 0-100 indexes side by side with
   the invariance level each comparison rests on;
   PLS (``estimator="pls"``): for every group against the reference, MICOM steps 1-3, the
   permutation test of path differences and Henseler's bootstrap MGA
   (:func:`acsi.estimate.pls_mga.pls_mga`), and the indexes with bootstrap SEs;
4. return a :class:`ComparisonResult` whose tables :meth:`ComparisonResult.save` writes.

Equivalent R: ``semTools::measEq.syntax`` / ``lavTestLRT`` / ``lavTestScore`` /
``lavTestWald`` (CB-SEM); ``cSEM::testMICOM`` and ``cSEM::testMGD`` (PLS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from .data import DEFAULT_MISSING_CODES, prepare_survey, read_survey
from .data.periods import canonical_periods
from .errors import DataError, InvalidParameterError
from .options import InstanceOf, Integer, OneOf, Real, Text, validate_params
from .provenance import hash_tables, stamp
from .spec import resolve_model
from .tables import staged_output, write_manifest, write_tables

__all__ = ["ComparisonResult", "compare"]

ESTIMATORS = ("sem", "pls")


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """Everything one :func:`compare` produced.

    Tables (DataFrames):

    ``invariance``
        CB-SEM: one row per model of the invariance sequence (fit, tests against the previous
        accepted level, ``holds``, ``verdict``); PLS: MICOM per latent and group pair.
    ``paths``
        Per structural path: the estimate in every group and the tests of equality (CB-SEM:
        ``wald_stat, wald_df, wald_p, lrt_chisq, lrt_df, lrt_p``; PLS: permutation and Henseler
        p-values per group pair).
    ``indexes``
        Per latent (and group against the reference): the 0-100 index in both groups, the
        difference with its SE and interval, and what the comparison rests on
        (``invariance``, ``rests_on``).
    ``latent_means``
        CB-SEM: latent mean differences from the reference under (partial) scalar invariance
        (empty with the reason in ``notes`` when that level fails).
    ``score_tests``
        CB-SEM: the univariate score tests of every constrained level (``level`` column).
    ``accounting``
        Per group: rows read, used, dropped by reason.
    """

    spec: object
    estimator: str
    by: str
    groups: tuple
    invariance: pd.DataFrame
    paths: pd.DataFrame
    indexes: pd.DataFrame
    latent_means: pd.DataFrame
    score_tests: pd.DataFrame
    accounting: pd.DataFrame
    level: str
    notes: tuple = ()
    options: dict = field(default_factory=dict)
    detail: object = field(default=None, repr=False)
    data_hash: str = ""

    def summary(self) -> str:
        """A plain-language account of the comparison."""
        n = self.accounting.set_index(self.by)["rows_used"] if not self.accounting.empty else {}
        head = (f"Comparison of {self.spec.name} across {self.by}: {', '.join(f'{g} (n={int(n[g])})' for g in self.groups)}; "
                f"estimator {self.estimator}.")
        lines = [head]
        if self.estimator == "sem":
            lines.append(self.detail.summary())
        else:
            for r in self.detail:
                lines.append(r.summary())
        lines.append("Indexes (difference from the reference group, and what it rests on):")
        for _, r in self.indexes.iterrows():
            lines.append(f"- {r['latent']} {r['group']} vs {r['reference']}: {r['index']:.1f} vs {r['reference_index']:.1f}, "
                         f"difference {r['difference']:+.1f} (SE {r['difference_se']:.2f}); {r['rests_on']}")
        for note in self.notes:
            lines.append(f"Note: {note}")
        return "\n".join(lines)

    def report_section(self, lang: str = "en") -> dict:
        """The report's group-comparison section (:func:`acsi.report.compare.comparison_section`,
        figure included), for :func:`acsi.report.render_report` with ``comparison=``."""
        from .report.compare import comparison_section, section_figure

        return comparison_section(self, lang, section_figure(self, lang))

    def save(self, out_dir) -> list[Path]:
        """Write the tables (CSV), ``summary.txt``, the figure ``comparison.png`` and
        ``manifest.json`` (every file with its size and SHA-256, provenance, options, the model
        as lavaan text and TOML) to ``out_dir``."""
        from .report.compare import comparison_figure, figure_png

        tables = {name: getattr(self, name)
                  for name in ("invariance", "paths", "indexes", "latent_means", "score_tests", "accounting")}
        png = figure_png(comparison_figure(self))
        header = {**stamp(_jsonable(self.options)), "input_sha256_16": self.data_hash, "model": self.spec.name,
                  "model_lavaan": self.spec.to_lavaan(), "model_toml": self.spec.to_toml(),
                  "estimator": self.estimator, "by": self.by, "groups": list(self.groups), "level": self.level,
                  "notes": list(self.notes)}
        with staged_output(out_dir) as stage:  # the folder is written whole or not at all, and replaced whole
            paths = write_tables(stage, tables, formats=("csv",))
            (stage / "summary.txt").write_text(self.summary() + "\n", encoding="utf-8")
            (stage / "comparison.png").write_bytes(png)
            paths += [stage / "summary.txt", stage / "comparison.png"]
            paths.append(write_manifest(stage, "manifest.json", "comparison", header, paths))
        return [Path(out_dir) / p.name for p in paths]


def _jsonable(options: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}


@validate_params(
    "acsi.compare",
    by=Text(), groups=(None, InstanceOf(list, tuple, desc="a list of group labels")), estimator=OneOf(*ESTIMATORS),
    weight=(None, Text()), item_map=(None, InstanceOf(dict, desc="a dict {column_in_data: item_id}")),
    out_of_range=OneOf("error", "missing"), min_n=Integer(min=2),
    levels=InstanceOf(list, tuple, desc="a list of invariance levels"), rule=OneOf("both", "chisq", "fit"),
    alpha=Real(0, 1, closed="neither"), n_perm=Integer(min=19), n_boot=Integer(min=0), seed=(None, Integer(min=0)),
    n_jobs=Integer(nonzero=True, desc="a non-zero integer (-1: all cores)"), confidence=Real(0, 1, closed="neither"),
    options=(None, InstanceOf(dict, desc="a dict of PLS options")),
)
def compare(data, model="acsi", *, by: str | None = None, groups=None, estimator: str = "sem", weight: str | None = None,
            item_map: dict | None = None, missing_codes=DEFAULT_MISSING_CODES, out_of_range: str = "error",
            min_n: int = 30, levels=("configural", "metric", "scalar", "strict"), rule: str = "both",
            alpha: float = 0.05, n_perm: int = 1000, n_boot: int = 1000, seed: int | None = None, n_jobs: int = 1,
            confidence: float = 0.95, options: dict | None = None) -> ComparisonResult:
    """Compare the groups of ``data[by]``: measurement invariance, path differences and indexes
    (module docstring).

    Parameters
    ----------
    data : DataFrame or path
        Respondent-level survey.
    model : ModelSpec, str or path
        A shipped model name, a model file or lavaan text.
    by : str
        The column whose values are the groups (``"period"``, ``"segment"``, ...).
    groups : sequence of str, optional
        The groups to compare, in order (the first is the reference); default all, a period
        column in chronological order, otherwise in order of first appearance.
    estimator : {"sem", "pls"}
    weight : str, optional
        Survey-weight column (the 0-100 indexes' means; weighted PLS).
    item_map, missing_codes, out_of_range
        As :func:`acsi.fit`.
    min_n : int
        Fewest complete respondents a group may have.
    levels, rule, alpha
        The invariance sequence (:func:`acsi.estimate.invariance.invariance`); ``alpha`` is also
        the level of the PLS tests.
    n_perm, n_boot, seed, n_jobs
        PLS: permutations, bootstrap replicates per group, seed, workers (results do not
        depend on ``n_jobs``).
    confidence : float
        Level of the index intervals.
    options : dict, optional
        PLS options (``scheme``, ``modes``, ...).

    Returns
    -------
    ComparisonResult

    Examples
    --------
    >>> cmp = acsi.compare(survey, "acsi", by="segment")            # doctest: +SKIP
    >>> cmp.invariance[["step", "chisq", "df", "delta_cfi", "holds"]]  # doctest: +SKIP
    >>> print(cmp.summary())                                          # doctest: +SKIP
    """
    if by is None:
        raise InvalidParameterError("The 'by' parameter of acsi.compare must be the column whose values are the groups "
                                    "(e.g. by='period'). Got None instead.")
    if options and estimator == "sem":
        raise InvalidParameterError("The 'options' parameter of acsi.compare applies to estimator='pls' (PLS options); "
                                    f"the ML engine takes none. Got {options!r} instead.")
    spec = resolve_model(model)
    if isinstance(data, (str, Path)):
        data = read_survey(data)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a DataFrame or a path to a survey file; got {type(data).__name__}")
    if by not in data.columns:
        raise DataError(f"the column {by!r} (--by) is not in the survey; columns: {', '.join(map(str, data.columns[:30]))}")
    chronological = False
    if not isinstance(data[by].dtype, pd.CategoricalDtype):
        lab, freq = canonical_periods(data[by], table="survey", labels_only=True)
        if freq is not None:
            data = data.assign(**{by: lab})
            chronological = True
    prepared = prepare_survey(data, spec, groups=[by], weight=weight, item_map=item_map, missing_codes=missing_codes,
                              out_of_range=out_of_range, missing="listwise", carry=())
    frame = prepared.data
    frame = frame.assign(**{by: frame[by].map(lambda v: v if pd.isna(v) else str(v))})
    wcol = None
    if weight:  # the survey weights travel as an array (PreparedData.weights); a column no item can be called
        wcol = "\x00weight"
        frame = frame.assign(**{wcol: prepared.weights})
    present = [str(v) for v in pd.unique(frame[by].dropna())]
    if groups is not None:
        order = [str(g) for g in groups]
        missing = [g for g in order if g not in present]
        if missing or len(set(order)) != len(order) or len(order) < 2:
            raise InvalidParameterError(f"The 'groups' parameter of acsi.compare must name two or more distinct groups "
                                        f"of {by!r} with complete respondents ({present}). Got {list(groups)!r} instead.")
        frame = frame[frame[by].isin(order)]
    elif chronological:
        order = sorted(present)
    elif isinstance(data[by].dtype, pd.CategoricalDtype):
        order = [str(c) for c in data[by].cat.categories if str(c) in present]
    else:
        order = present
    acc = prepared.accounting
    acc = acc.assign(**{by: acc[by].map(str)})
    notes = []
    if estimator == "sem":
        from .estimate.invariance import index_comparison, invariance
        from .estimate.multigroup import path_difference

        res = invariance(spec, frame, by, groups=order, levels=levels, rule=rule, alpha=alpha, min_n=min_n)
        base = res.accepted
        if "loadings" not in base.group_equal:
            notes.append("metric invariance does not hold: the path comparisons use the configural model, in which "
                         "the latent scales may differ between groups")
        prow = []
        for a, b in spec.paths:
            pdiff = path_difference(base, f"{b} ~ {a}")
            row = {"from": a, "to": b, "model": base.name}
            for _, e in pdiff["estimates"].iterrows():
                row[f"est_{e['group']}"] = e["est"]
                row[f"se_{e['group']}"] = e["se"]
            row.update(wald_stat=pdiff["wald"]["stat"], wald_df=int(pdiff["wald"]["df"]), wald_p=pdiff["wald"]["pvalue"],
                       lrt_chisq=pdiff["lrt"]["chisq_diff"], lrt_df=int(pdiff["lrt"]["df_diff"]),
                       lrt_p=pdiff["lrt"]["pvalue"])
            prow.append(row)
        paths = pd.DataFrame(prow)
        indexes = index_comparison(res, frame, weight=wcol, confidence=confidence)
        lm = res.latent_means if res.latent_means is not None else pd.DataFrame(
            columns=["latent", "group", "reference", "difference", "se", "z", "pvalue", "ci_lower", "ci_upper",
                     "std_difference"])
        if res.latent_means is None:
            notes.append(f"latent means {res.latent_means_reason}")
        st = [sc.uni.assign(level=lev) for lev, sc in res.score.items()]
        score = pd.concat(st, ignore_index=True) if st else pd.DataFrame()
        level, inv_table, detail = res.level, res.table, res
    else:
        from .estimate.pls_mga import pls_mga

        if len(order) < 2:
            raise DataError(f"the column {by!r} has one group with complete respondents ({', '.join(order) or 'none'}): "
                            "a comparison needs two or more")
        detail, mic, prow, irow = [], [], [], []
        for g in order[1:]:
            r = pls_mga(spec, frame, by, groups=[order[0], g], n_perm=n_perm, n_boot=n_boot, seed=seed, alpha=alpha,
                        weight=wcol, options=options, min_n=min_n, n_jobs=n_jobs)
            detail.append(r)
            mic.append(r.micom.assign(group=g, reference=order[0]))
            prow.append(r.paths.assign(group=g, reference=order[0]))
            ix = r.indexes.assign(group=g, reference=order[0])
            irow.append(ix)
        inv_table = pd.concat(mic, ignore_index=True)
        inv_table = inv_table[["group", "reference"] + [c for c in inv_table.columns if c not in ("group", "reference")]]
        paths = pd.concat(prow, ignore_index=True)
        paths = paths[["group", "reference"] + [c for c in paths.columns if c not in ("group", "reference")]]
        ix = pd.concat(irow, ignore_index=True)
        indexes = pd.DataFrame({
            "latent": ix["latent"], "group": ix["group"], "reference": ix["reference"], "index": ix["index_2"],
            "se": ix["boot_se_2"], "reference_index": ix["index_1"], "reference_se": ix["boot_se_1"],
            "difference": ix["index_2"] - ix["index_1"], "difference_se": ix["difference_se"],
            "ci_lower": -ix["ci_upper"], "ci_upper": -ix["ci_lower"],
            "pvalue": 2 * special.ndtr(-np.abs((ix["index_2"] - ix["index_1"]) / ix["difference_se"])),
        })
        mrows = list(_micom_rows(inv_table, indexes))
        indexes["invariance"] = [m["invariance"] for m in mrows]
        indexes["rests_on"] = [_pls_rests_on(r, m) for r, m in zip(indexes.itertuples(), mrows)]
        lm = pd.DataFrame()
        score = pd.DataFrame()
        worst = inv_table["invariance"]
        level = "none" if (worst == "none").any() else ("partial" if (worst == "partial").any() else "full")
    acc = acc[acc[by].isin(order)] if not acc.empty else acc
    return ComparisonResult(
        spec=spec, estimator=estimator, by=by, groups=tuple(order), invariance=inv_table, paths=paths, indexes=indexes,
        latent_means=lm, score_tests=score, accounting=acc.reset_index(drop=True), level=level, notes=tuple(notes),
        options={"by": by, "groups": list(order), "estimator": estimator, "rule": rule, "alpha": alpha,
                 "levels": list(levels), "min_n": min_n, "n_perm": n_perm, "n_boot": n_boot, "seed": seed,
                 "weight": weight, "confidence": confidence},
        detail=detail, data_hash=hash_tables(data))


def _micom_rows(micom: pd.DataFrame, indexes: pd.DataFrame):
    key = micom.set_index(["group", "latent"])
    for g, lv in zip(indexes["group"], indexes["latent"]):
        yield key.loc[(g, lv)]


def _pls_rests_on(r, m) -> str:
    """What a PLS index comparison rests on (MICOM, Henseler et al. 2016)."""
    if m["invariance"] == "none":
        return (f"no compositional invariance (MICOM step 2: c = {m['c']:.4f}, p {m['p_composition']:.3f}): the groups "
                f"build {r.latent} from its items differently, so the index difference mixes composition and level")
    if m["invariance"] == "partial":
        return (f"compositional invariance (MICOM step 2, c = {m['c']:.4f}); the composite means or variances differ "
                "(step 3), which is the difference the indexes show")
    return (f"full measurement invariance (MICOM steps 2-3, c = {m['c']:.4f}): {r.latent} is built alike in both groups; "
            "the index difference compares the same composite")
