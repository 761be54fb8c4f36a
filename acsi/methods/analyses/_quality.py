"""Runners of the service-quality and priority methods: SERVQUAL (gaps, zone of tolerance, SERVPERF),
fuzzy comprehensive evaluation, Kano (with the priority list), AHP, IPA and IPMA."""

from __future__ import annotations

import pandas as pd

from ...errors import MethodError
from ...options import Boolean, InstanceOf, OneOf, Text
from ..ahp import ahp, read_matrix
from ..fuzzy import OPERATORS, fuzzy_evaluate, membership_from_answers
from ..ipa import importance_performance_map, ipa, ipa_from_answers, ipa_plot
from ..kano import kano, kano_from_long, kano_plot, kano_priority
from ..servqual import servperf, servqual, servqual_zones
from ._metrics import COLUMNS, OPT_COLUMNS
from .base import CONFIDENCE, Output, analysis, column_list, groups, mapping, numbers, one_column, weight_series
from .figures import interval_chart, zone_chart

LANG = OneOf("en", "zh")
GROUPS = (None, Text(), InstanceOf(list, tuple, dict, desc="groups such as {'name': ['col1', 'col2']}"))


def _paired(data, first, others: dict, where: str) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """Item names (the ``first`` columns) and each block of columns renamed to them (paired by position)."""
    items = column_list(data, first[1], first[0], where)
    blocks = {first[0]: data[items]}
    for option, spec in others.items():
        cols = column_list(data, spec, option, where)
        if len(cols) != len(items):
            raise MethodError(f"{where}: {len(cols)} {option} columns {cols} but {len(items)} {first[0]} columns "
                              f"{items}; give one of each per item, in the same order.")
        blocks[option] = data[cols].set_axis(items, axis=1)
    return items, blocks


def _dims(dimension, items: list[str], where: str):
    dims = groups(dimension, "dimension", where) or None
    if dims is None and len(items) != 22:
        raise MethodError(f"{where}: {len(items)} items and no dimensions; give them (dimension= / --dimension "
                          "name=col1,col2, one per dimension; a single dimension may hold every item). Without "
                          "dimensions acsi assumes the standard 22-item SERVQUAL scale.")
    return dims


def _normalize_needs_weights(normalize: bool, weights, where: str) -> None:
    if normalize and weights is None:
        raise MethodError(f"{where}: normalize=True divides the dimension weights by their sum; give dimension_weights=.")


def _dim_weights(spec, where: str):
    return mapping(spec, "dimension_weights", where) or None if spec is not None else None


_SQ = dict(dimension=GROUPS, weight=(None, Text()), confidence=CONFIDENCE, normalize=Boolean())


@analysis("servqual", "SERVQUAL gaps (P - E)", figure=True, perception=COLUMNS, expectation=COLUMNS, **_SQ)
def run_servqual(data, *, perception, expectation, dimension=None, dimension_weights=None, normalize=False,
                 weight=None, confidence=0.95) -> Output:
    """Item and dimension gaps, unweighted and weighted SQ, P/E ratio, all with intervals (:func:`acsi.methods.servqual`).

    Items are named by the perception columns; the expectation columns pair with them by
    position.  ``dimension`` groups items (``"tangibles=p1,p2;reliability=p3,p4"`` or a
    mapping); without it 22 items take the standard five dimensions.
    """
    where = "servqual"
    _normalize_needs_weights(normalize, dimension_weights, where)
    items, b = _paired(data, ("perception", perception), {"expectation": expectation}, where)
    res = servqual(b["perception"], b["expectation"], _dims(dimension, items, where),
                   _dim_weights(dimension_weights, where), normalize=normalize,
                   survey_weights=weight_series(data, weight, where), confidence=confidence)
    overall = res.intervals.reset_index().assign(confidence=confidence)
    items_t = res.items.assign(confidence=confidence)

    def figure(lang):
        return interval_chart(items_t, estimate="gap", label="item", title="SERVQUAL item gaps P - E", reference=0.0,
                              xlabel="P - E", confidence=confidence, lang=lang)

    return Output([("servqual", overall, "Overall: SQ (unweighted, weighted), mean item gap, P/E ratio", True),
                   ("servqual_dimensions", res.dimensions.assign(confidence=confidence), "Dimensions", True),
                   ("servqual_items", items_t, "Items", True)], figure=figure, confidence=confidence)


@analysis("servqual_zones", "SERVQUAL zone of tolerance", figure=True, perception=COLUMNS, desired=COLUMNS,
          adequate=COLUMNS, dimension=_SQ["dimension"], weight=(None, Text()), confidence=CONFIDENCE)
def run_servqual_zones(data, *, perception, desired, adequate, dimension=None, weight=None, confidence=0.95) -> Output:
    """Adequacy (P − A) and superiority (P − D) gaps, position in the zone (:func:`acsi.methods.servqual_zones`)."""
    where = "servqual_zones"
    items, b = _paired(data, ("perception", perception), {"desired": desired, "adequate": adequate}, where)
    res = servqual_zones(b["perception"], b["desired"], b["adequate"], _dims(dimension, items, where),
                         survey_weights=weight_series(data, weight, where), confidence=confidence)
    items_t = res.items.assign(confidence=confidence)

    def figure(lang):
        return zone_chart(items_t, lang=lang)

    return Output([("servqual_zones", res.dimensions.assign(confidence=confidence), "Dimensions: MSA = P - A, MSS = P - D",
                    True), ("servqual_zones_items", items_t, "Items", True)], figure=figure, confidence=confidence)


@analysis("servperf", "SERVPERF (perceptions only)", figure=True, perception=COLUMNS, **_SQ)
def run_servperf(data, *, perception, dimension=None, dimension_weights=None, normalize=False, weight=None,
                 confidence=0.95) -> Output:
    """Service quality from perceptions alone (Cronin & Taylor 1992; :func:`acsi.methods.servperf`)."""
    where = "servperf"
    _normalize_needs_weights(normalize, dimension_weights, where)
    items = column_list(data, perception, "perception", where)
    res = servperf(data[items], _dims(dimension, items, where), _dim_weights(dimension_weights, where),
                   normalize=normalize, survey_weights=weight_series(data, weight, where), confidence=confidence)
    items_t = res.items.assign(confidence=confidence)

    def figure(lang):
        return interval_chart(items_t, estimate="perception", label="item", title="SERVPERF item means",
                              confidence=confidence, lang=lang)

    return Output([("servperf", res.overall.reset_index().assign(confidence=confidence), "Overall", True),
                   ("servperf_dimensions", res.dimensions.assign(confidence=confidence), "Dimensions", True),
                   ("servperf_items", items_t, "Items", True)], figure=figure, confidence=confidence)


def _weights_for(names: list[str], spec, option: str, where: str):
    """Weights for ``names``: a mapping / ``a=0.5,b=0.5`` text, a list in order, or None (equal weights)."""
    if spec is None:
        return pd.Series(1.0 / len(names), index=names)
    if isinstance(spec, str) and "=" not in spec or isinstance(spec, (list, tuple)):
        vals = numbers(spec, option, where)
        if len(vals) != len(names):
            raise MethodError(f"{where}: {option} has {len(vals)} weights for {len(names)} entries {names}.")
        return pd.Series(vals, index=names)
    return pd.Series(mapping(spec, option, where))


@analysis("fuzzy", "Fuzzy comprehensive evaluation", factors=GROUPS, items=OPT_COLUMNS,
          operator=OneOf(*sorted(OPERATORS)), normalize=Boolean(), normalize_levels=Boolean())
def run_fuzzy(data, *, factors=None, items=None, factor_weights=None, item_weights=None, grades="1,2,3,4,5",
              grade_names=None, grade_points=None, operator="M(.,+)", normalize=False, normalize_levels=False) -> Output:
    """Two-level (``factors``) or one-level (``items``) fuzzy evaluation of graded answers (:func:`acsi.methods.fuzzy_evaluate`).

    Memberships are the shares of respondents giving each grade (``grades``, lowest first).
    ``factors`` groups the items (``"U1=q1,q2;U2=q3"``); ``factor_weights`` weigh the groups and
    ``item_weights`` the items (``q1=0.5,q2=0.5,q3=1`` or a list in order); without weights every
    group and every item of a group weighs the same (stated in the notes).
    """
    where = "fuzzy"
    if (factors is None) == (items is None):
        raise MethodError(f"{where}: give either factors= (two levels: groups of items) or items= (one level).")
    codes = numbers(grades, "grades", where)
    codes = [int(c) if c == int(c) else c for c in codes]
    gnames = None if grade_names is None else [g.strip() for g in (grade_names.split(",") if isinstance(grade_names, str)
                                                                    else grade_names)]
    pts = None if grade_points is None else numbers(grade_points, "grade_points", where, count=len(codes))
    notes = []
    if factors is not None:
        fac = groups(factors, "factors", where)
        mem = {}
        for f, cols in fac.items():
            mem[f] = membership_from_answers(data[column_list(data, cols, f"factors[{f}]", where)], codes, gnames)
        A = _weights_for(list(fac), factor_weights, "factor_weights", where)
        if item_weights is None:
            sub = {f: pd.Series(1.0 / len(m), index=m.index) for f, m in mem.items()}
        else:
            given = pd.Series(mapping(item_weights, "item_weights", where)) if "=" in str(item_weights) else \
                _weights_for([i for m in mem.values() for i in m.index], item_weights, "item_weights", where)
            sub = {f: given.reindex(m.index) for f, m in mem.items()}
            gaps = [i for f, s in sub.items() for i, v in s.items() if pd.isna(v)]
            if gaps:
                raise MethodError(f"{where}: item_weights give no weight for {gaps}; give one weight per item.")
        if factor_weights is None or item_weights is None:
            notes.append("Equal weights where none were given: " + ", ".join(
                x for x, given in (("factors", factor_weights), ("items within each factor", item_weights)) if given is None) + ".")
        res = fuzzy_evaluate(mem, A, sub, operator=operator, grade_points=pts, normalize=normalize,
                             normalize_levels=normalize_levels)
        membership = pd.concat([m.assign(factor=f) for f, m in mem.items()]).reset_index(names="item")
        membership = membership[["factor", "item", *[c for c in membership.columns if c not in ("factor", "item")]]]
        first = res.first_level.reset_index(names="factor")
    else:
        if factor_weights is not None or normalize_levels:
            raise MethodError(f"{where}: factor_weights= and normalize_levels= apply to two levels (factors=).")
        cols = column_list(data, items, "items", where)
        m = membership_from_answers(data[cols], codes, gnames)
        A = _weights_for(cols, item_weights, "item_weights", where)
        if item_weights is None:
            notes.append("Equal weights for the items (none were given).")
        res = fuzzy_evaluate(m, A, operator=operator, grade_points=pts, normalize=normalize)
        membership = m.reset_index(names="item")
        first = None
    vec = pd.DataFrame({"grade": list(res.grade_vector.index), "membership": res.grade_vector.to_numpy(),
                        "raw": res.raw.to_numpy()})
    head = pd.DataFrame([{"grade": res.grade, "tie": res.tie, "score": res.score, "operator": res.operator}])
    tables = [("fuzzy", head, "Result: grade of maximum membership and score", True),
              ("fuzzy_grades", vec, "Grade vector B", True), ("fuzzy_membership", membership, "Membership of each item", True)]
    if first is not None:
        tables.append(("fuzzy_first_level", first, "First level B_i per factor", True))
    return Output(tables, notes=tuple(notes))


@analysis("kano", "Kano categories and priorities", figure=True, attribute_column=Text(), functional_column=Text(),
          dysfunctional_column=Text(), functional_items=OPT_COLUMNS, dysfunctional_items=OPT_COLUMNS)
def run_kano(data, *, attribute_column=None, functional_column=None, dysfunctional_column=None,
             functional_items=None, dysfunctional_items=None) -> Output:
    """Kano categories with Better/Worse and the priority list (must-be, one-dimensional, attractive).

    Long answers (one row per respondent and attribute; the three ``*_column`` options) or wide
    ones (``functional_items`` and ``dysfunctional_items``: one column per attribute, paired by
    position, the attributes named by the functional columns).  See :func:`acsi.methods.kano`,
    :func:`acsi.methods.kano_priority` (with the documents' and GB/Z 19024's names).
    """
    where = "kano"
    b = _wide(data, ("functional_items", functional_items), ("dysfunctional_items", dysfunctional_items),
              {"attribute_column": attribute_column, "functional_column": functional_column,
               "dysfunctional_column": dysfunctional_column}, "wide answers", where)
    if b is not None:
        table = kano(b["functional_items"], b["dysfunctional_items"])
    else:
        table = kano_from_long(data, attribute=attribute_column or "attribute", functional=functional_column or "functional",
                               dysfunctional=dysfunctional_column or "dysfunctional")
    prio = kano_priority(table)

    def figure(lang):
        return kano_plot(table)

    return Output([("kano", table.reset_index(), "Categories (A, O, M, I, R, Q counts) and Better/Worse", True),
                   ("kano_priority", prio, "Improvement priority: must-be first, then one-dimensional, then attractive",
                    True)], figure=figure)


@analysis("ahp", "AHP weights and consistency", reader=read_matrix)
def run_ahp(data) -> Output:
    """Principal-eigenvector weights, lambda_max, CI, RI and CR of a pairwise-comparison matrix (:func:`acsi.methods.ahp`)."""
    res = ahp(data)
    return Output([("ahp", res.table(), "Weights", True),
                   ("ahp_consistency", res.summary().to_frame("value").T.reset_index(drop=True), "Consistency", True)])


def _not_with(options: dict, mode: str, where: str) -> None:
    given = [k for k, v in options.items() if v is not None]
    if given:
        raise MethodError(f"{where}: {given} do not apply to {mode}; drop them.")


def _wide(data, first: tuple, second: tuple, columns: dict, mode: str, where: str) -> dict | None:
    """The two blocks of paired wide answers (named by the ``first`` columns), or None for a table input."""
    if (first[1] is None) != (second[1] is None):
        raise MethodError(f"{where}: {mode} need both {first[0]}= and {second[0]}=.")
    if first[1] is None:
        return None
    _not_with(columns, f"{mode} ({first[0]}=)", where)
    return _paired(data, first, {second[0]: second[1]}, where)[1]


def _ipa_output(name: str, table: pd.DataFrame, lang: str, title: str) -> Output:
    def figure(fig_lang):
        return ipa_plot(table, lang=fig_lang)

    return Output([(name, table, title, True)], figure=figure)


def _cuts(cut, importance_cut, performance_cut, where: str):
    if cut not in ("mean", "median"):
        raise MethodError(f"{where}: cut must be 'mean' or 'median' (or give importance_cut= / performance_cut=); got {cut!r}.")
    return (cut if importance_cut is None else float(importance_cut),
            cut if performance_cut is None else float(performance_cut))


@analysis("ipa", "Importance-performance analysis", figure=True, attribute_column=Text(), importance_column=Text(),
          performance_column=Text(), importance_items=OPT_COLUMNS, performance_items=OPT_COLUMNS,
          cut=OneOf("mean", "median"), lang=LANG)
def run_ipa(data, *, attribute_column=None, importance_column=None, performance_column=None,
            importance_items=None, performance_items=None, cut="mean", importance_cut=None, performance_cut=None,
            lang="en") -> Output:
    """Quadrants A-D (四分圖) from a table of attributes or from raw answers (:func:`acsi.methods.ipa`).

    A table: one row per attribute with the three ``*_column`` columns.  Raw answers:
    ``importance_items`` and ``performance_items`` (one column per attribute, paired by
    position; attributes named by the performance columns; stated importance = the mean).
    """
    where = "ipa"
    cuts = _cuts(cut, importance_cut, performance_cut, where)
    names = {"attribute_column": attribute_column, "importance_column": importance_column,
             "performance_column": performance_column}
    b = _wide(data, ("performance_items", performance_items), ("importance_items", importance_items), names,
              "raw answers", where)
    if b is not None:
        table = ipa_from_answers(b["importance_items"], b["performance_items"], cut=cuts, labels=lang)
    else:
        cols = [one_column(data, c or o.removesuffix("_column"), o, where) for o, c in names.items()]
        idx = data[cols[0]].astype(str)
        table = ipa(pd.Series(data[cols[1]].to_numpy(), index=idx), pd.Series(data[cols[2]].to_numpy(), index=idx),
                    cut=cuts, labels=lang)
    return _ipa_output("ipa", table, lang, "Quadrants: A advantage, B repair (fix first), C opportunity, D maintain")


def read_ipma_input(path, *, unit=None, target=None) -> pd.DataFrame:
    """The IPMA input: a table file as it is, or from a fit's results folder one row per driver of ``target``.

    From a results folder (``acsi fit --out DIR``, verified against its manifest): importance =
    the driver's unstandardised total effect on ``target`` (default the model's headline; the
    one computation :func:`acsi.estimate.effects.total_effects_from_estimates`), performance =
    its 0-100 latent index; of the pooled fit, or of the unit named by ``unit``
    (``"company=A,period=2025Q1"``: the unit columns and their values).
    """
    from pathlib import Path

    from ...data import read_table
    from ...data.saved import read_results_dir
    from ...estimate.effects import total_effects_from_estimates

    p = Path(path)
    if not p.is_dir():
        if unit is not None:
            raise MethodError(f"ipma: unit= selects a unit of a results folder; {str(p)!r} is a table file.")
        return read_table(p)
    saved = read_results_dir(p, ["company_indexes", "estimates", "pooled_estimates", "latent_indexes", "pooled_indexes"])
    headline = target or (saved.spec.headline if saved.spec is not None else saved.manifest.get("headline"))
    if unit is None:
        est, perf = saved.tables.get("pooled_estimates"), saved.tables.get("pooled_indexes")
        if est is None or perf is None or est.empty:
            raise MethodError(f"ipma: {str(p)!r} has no pooled estimates; name a unit with unit=column=value.")
        what = "the pooled fit"
        status = (saved.manifest.get("pooled") or {}).get("status")
    else:
        keys = {k: str(v) for k, v in mapping(unit, "unit", "ipma", values="text").items()}
        groups_ = list(saved.manifest.get("groups") or [])
        bad = [k for k in keys if k not in groups_]
        if bad:
            raise MethodError(f"ipma: unit= names {bad}, which are not unit columns of the results; they are {groups_}.")
        est, perf = saved.tables["estimates"], saved.tables["latent_indexes"]
        for k, v in keys.items():
            est, perf = est[est[k].astype(str) == v], perf[perf[k].astype(str) == v]
        found = perf[groups_].drop_duplicates() if len(perf) else perf
        if len(found) != 1:
            raise MethodError(f"ipma: unit={unit!r} matches {len(found)} units of the results; name one "
                              f"(columns {groups_}).")
        what = ", ".join(f"{k}={v}" for k, v in keys.items())
        status = ",".join(sorted(set(map(str, perf["status"])))) if "status" in perf.columns else None
    te = total_effects_from_estimates(est)
    if headline not in te.index:
        raise MethodError(f"ipma: target {headline!r} is not a latent of the model; latents are {list(te.index)}.")
    effect = te.loc[headline].drop(labels=[headline])
    effect = effect[effect.abs() > 1e-12]
    index = perf.set_index("latent")["index"].astype(float)
    out = pd.DataFrame({"driver": list(effect.index), "importance": effect.to_numpy(dtype=float),
                        "performance": index.reindex(effect.index).to_numpy()})
    flag = f" (status {status}: read its reason in the fit's summary before acting on this map)" \
        if status not in (None, "ok") else ""
    out.attrs["source"] = f"{what} of {str(p)!r}, target {headline}{flag}"
    return out


@analysis("ipma", "Importance-performance map (IPMA)", figure=True, reader=read_ipma_input, reader_options=("unit", "target"), folders=True,
          driver_column=Text(), importance_column=Text(),
          performance_column=Text(), target=(None, Text()), cut=OneOf("mean", "median"), lang=LANG)
def run_ipma(data, *, unit=None, driver_column=None, importance_column=None, performance_column=None,
             target=None, cut="mean", importance_cut=None, performance_cut=None, lang="en") -> Output:
    """IPMA of model drivers: importance = unstandardised total effect, performance = 0-100 mean
    (:func:`acsi.methods.importance_performance_map`).

    ``data`` is a table with one row per driver (the three ``*_column`` columns), or, given as a
    path, a fit's results folder (see :func:`read_ipma_input`; ``unit`` picks a unit there).
    """
    where = "ipma"
    names = {"driver_column": driver_column, "importance_column": importance_column,
             "performance_column": performance_column}
    if data.attrs.get("source"):
        _not_with(names, "a results folder (its drivers are read from the fit)", where)
    cols = [one_column(data, c or o.removesuffix("_column"), o, where) for o, c in names.items()]
    idx = data[cols[0]].astype(str)
    table = importance_performance_map(pd.Series(data[cols[1]].to_numpy(dtype=float), index=idx),
                                       pd.Series(data[cols[2]].to_numpy(dtype=float), index=idx), target=target,
                                       cut=_cuts(cut, importance_cut, performance_cut, where), labels=lang)
    out = _ipa_output("ipma", table, lang, "IPMA: importance = total effect, performance = 0-100")
    source = data.attrs.get("source")
    return Output(out.tables, figure=out.figure, notes=(f"From {source}.",) if source else ())
