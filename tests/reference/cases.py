"""One loader for the lavaan reference cases in ``tests/reference/<case>/``.

Every case folder written by ``tests/reference/_harness.R`` holds one or more *fits*. A fit is
described by ``<prefix>options.json`` (the lavaan call: function, model file, data file, the
options as passed and the options lavaan resolved) and its outputs carry the same prefix:
``<prefix>estimates.csv``, ``<prefix>partable.csv``, ``<prefix>fit_measures.csv``,
``<prefix>sample_cov.csv`` (``<prefix>sample_mean.csv``), ``<prefix>vcov.csv``. The main fit
of a folder has prefix ``""``; a variant such as the exact-data fit of ``acsi_sim`` has prefix
``"exact_"`` and is addressed as ``"acsi_sim/exact"``. Other CSVs of a fit (factor scores, the
population covariance of an exact case, likelihood-ratio tests, ...) are its ``extra`` tables, keyed by file
name without prefix and extension.

Usage (statsmodels style: one parametrised fixture runs every case)::

    from reference.cases import case_ids, load_case

    @pytest.fixture(scope="module", params=case_ids())
    def case(request):
        return load_case(request.param)

    def test_estimates(case):
        ours = my_fit(case.data, case.model_text, **case.options)
        ...compare with case.parameters, case.rsquare, case.fit_measures at case.tol[...]

Tables are read once and returned as copies, so a test cannot change what another one sees.
Numbers in the files have 17 significant digits; ``NA`` (undefined: z of a fixed parameter, SE
of an R-square) reads as NaN. Labels read as strings ("" when there is none).
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import pandas as pd

HERE = Path(__file__).resolve().parent
OPTIONS = "options.json"
STANDARD = ("estimates", "partable", "fit_measures", "sample_cov", "sample_mean", "vcov")

# Tolerances every new case uses unless its tolerances.json says otherwise (issue 11: 1e-4 for
# estimates and SEs, 1e-6 relative for fit measures). ``fit_atol`` is the floor for measures
# that are 0 or close to it (an RMSEA interval bound at 0, a p-value that underflows).
DEFAULT_TOLERANCES = MappingProxyType({
    "est_atol": 1e-4,      # est, ci_lower, ci_upper
    "se_atol": 1e-4,       # se of free parameters and of := rows
    "std_atol": 1e-4,      # std_lv, std_all, std_nox, r2
    "z_atol": 1e-3,        # large z amplifies small SE differences
    "pvalue_atol": 1e-4,
    "fit_rtol": 1e-6,      # chisq, logl, aic, bic, cfi, tli, rmsea, srmr, scaling factors, ...
    "fit_atol": 1e-8,
    "sample_atol": 1e-12,  # sample moments depend only on the data
})


def _read_csv(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, keep_default_na=False, na_values=["NA"])
    for col in ("label", "plabel", "name"):
        if col in df.columns:
            df[col] = df[col].fillna("").astype(str)
    return df


class Case:
    """One lavaan fit of a reference case: its inputs, lavaan's outputs and the tolerances."""

    def __init__(self, folder: str, variant: str = ""):
        self.folder = folder
        self.variant = variant
        self.path = HERE / folder
        self.prefix = f"{variant}_" if variant else ""
        spec_file = self.path / f"{self.prefix}{OPTIONS}"
        if not spec_file.is_file():
            raise FileNotFoundError(
                f"reference case {self.name!r} has no {spec_file.name} in {self.path}; "
                f"known cases: {', '.join(case_ids())}")
        self._spec = json.loads(spec_file.read_text())
        self._cache: dict[str, object] = {}

    # ------------------------------------------------------------------ identity and call
    @property
    def name(self) -> str:
        """``"folder"`` or ``"folder/variant"`` (what :func:`load_case` accepts)."""
        return f"{self.folder}/{self.variant}" if self.variant else self.folder

    def __repr__(self) -> str:
        return f"Case({self.name!r}: lavaan::{self.function}, options {self.options})"

    @property
    def function(self) -> str:
        """The lavaan function called: ``"sem"``, ``"cfa"`` or ``"lavaan"``."""
        return self._spec["function"]

    @property
    def options(self) -> dict:
        """The lavaan arguments exactly as passed (lavaan's spelling: ``"std.lv"``, ...)."""
        return json.loads(json.dumps(self._spec["options"]))

    @property
    def lavaan(self) -> dict:
        """What lavaan resolved: estimator, se, test, information, fixed.x, meanstructure, ...

        Also ``ngroups``, ``group_labels``, ``nobs``, ``ov_names`` (lavaan's observed-variable
        order), ``lv_names``, ``converged``, ``iterations``.
        """
        return json.loads(json.dumps(self._spec["lavaan"]))

    @property
    def model_file(self) -> Path:
        return self.path / self._spec["model"]

    @property
    def data_file(self) -> Path:
        return self.path / self._spec["data"]

    @cached_property
    def model_text(self) -> str:
        return self.model_file.read_text()

    @cached_property
    def provenance(self) -> str:
        return (self.path / "provenance.txt").read_text()

    @cached_property
    def readme(self) -> str:
        return (self.path / "README.md").read_text()

    # ------------------------------------------------------------------ tables
    def _table(self, stem: str) -> pd.DataFrame | None:
        if stem not in self._cache:
            f = self.path / f"{self.prefix}{stem}.csv"
            self._cache[stem] = _read_csv(f) if f.is_file() else None
        t = self._cache[stem]
        return None if t is None else t.copy()

    @property
    def data(self) -> pd.DataFrame:
        """The respondent data lavaan read (empty cells are NaN)."""
        if "__data" not in self._cache:
            self._cache["__data"] = pd.read_csv(self.data_file)
        return self._cache["__data"].copy()

    @property
    def estimates(self) -> pd.DataFrame:
        """``parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)``, lavaan's row order.

        Columns ``lhs, op, rhs, group, label, est, se, z, pvalue, ci_lower, ci_upper, std_lv,
        std_all, std_nox`` (``group`` 0 for ``:=``/``==``/``<``/``>`` rows); the R-square rows
        (``op == "r2"``) come last, as lavaan prints them.
        """
        return self._table("estimates")

    @property
    def parameters(self) -> pd.DataFrame:
        """:attr:`estimates` without the R-square rows (parameters, ``:=`` and constraints)."""
        est = self.estimates
        return est[est["op"] != "r2"].reset_index(drop=True)

    @property
    def rsquare(self) -> pd.Series:
        """R-square of every endogenous variable (items included), indexed by (group, name)."""
        est = self.estimates
        r2 = est[est["op"] == "r2"]
        return pd.Series(r2["est"].to_numpy(), index=pd.MultiIndex.from_frame(
            r2[["group", "lhs"]].rename(columns={"lhs": "variable"})), name="r2")

    @property
    def partable(self) -> pd.DataFrame | None:
        """``parTable(fit)``: id, lhs, op, rhs, user, block, group, free, ustart, exo, label,
        plabel, start, est, se (None for the few fits stored before the harness kept it)."""
        return self._table("partable")

    @property
    def fit_measures(self) -> pd.Series:
        """``fitMeasures(fit)``, names with ``.`` replaced by ``_`` (``chisq_scaled``, ...)."""
        return self._table("fit_measures").iloc[0]

    def _by_group(self, stem: str, index: str):
        t = self._table(stem)
        if t is None:
            return None
        if "group" in t.columns:  # keyed by lavaan's group label (a string, as in options.json)
            return {str(g): part.drop(columns="group").set_index(index)
                    for g, part in t.groupby("group", sort=False)}
        return t.set_index(index)

    @property
    def sample_cov(self):
        """lavaan's sample covariance (denominator N; weighted; EM for missing = "ml").

        One group: a DataFrame indexed and labelled by the observed variables in lavaan's order.
        Several groups: a dict group label -> DataFrame.
        """
        return self._by_group("sample_cov", "item")

    @property
    def sample_mean(self):
        """lavaan's sample means (Series, or dict group label -> Series), None without means."""
        m = self._by_group("sample_mean", "item")
        if m is None:
            return None
        if isinstance(m, dict):
            return {g: part["mean"] for g, part in m.items()}
        return m["mean"]

    @property
    def vcov(self) -> pd.DataFrame | None:
        """``lavInspect(fit, "vcov")`` indexed by the free-parameter number (parTable ``free``),
        columns the same numbers; ``vcov_names`` gives lavaan's names of the rows."""
        t = self._table("vcov")
        if t is None:
            return None
        m = t.drop(columns=["name"]).set_index("free")
        m.columns = m.index
        return m

    @property
    def vcov_names(self) -> pd.Series | None:
        t = self._table("vcov")
        return None if t is None else t.set_index("free")["name"]

    @cached_property
    def extra_names(self) -> tuple[str, ...]:
        """Names of the fit's other CSV tables (see :meth:`extra`).

        A file belongs to the variant with the longest matching prefix (``metric_equal_path_*``
        is not ``metric_``'s), and data files named in any variant's options.json are not tables.
        """
        fits = [Case(self.folder, v) if v != self.variant else self for v in variants(self.folder)]
        prefixes = sorted((c.prefix for c in fits), key=len, reverse=True)
        data_files = {c._spec["data"] for c in fits} | {c._spec.get("truth") for c in fits}
        names = []
        for f in sorted(self.path.glob(f"{self.prefix}*.csv")):
            owner = next(p for p in prefixes if f.name.startswith(p))
            if owner != self.prefix or f.name in data_files:
                continue
            stem = f.stem[len(self.prefix):]
            if stem not in STANDARD:
                names.append(stem)
        return tuple(names)

    @property
    def truth(self) -> pd.DataFrame | None:
        """The true parameters (``lhs, op, rhs, value``; ``group`` when there are groups) of an
        exact-moment fit, whose data reproduce a known population exactly; None otherwise."""
        name = self._spec.get("truth")
        if name is None:
            return None
        if "__truth" not in self._cache:
            self._cache["__truth"] = _read_csv(self.path / name)
        return self._cache["__truth"].copy()

    def extra(self, name: str) -> pd.DataFrame:
        """Another table of this fit, e.g. ``extra("factor_scores")``, ``extra("lrt")``."""
        if name not in self.extra_names:
            raise KeyError(f"reference case {self.name!r} has no table {name!r}; "
                           f"it has {', '.join(self.extra_names) or 'none'}")
        return self._table(name)

    @cached_property
    def tol(self) -> MappingProxyType:
        """Tolerances: DEFAULT_TOLERANCES updated by the folder's tolerances.json (if any)."""
        tol = dict(DEFAULT_TOLERANCES)
        f = self.path / "tolerances.json"
        if f.is_file():
            tol.update(json.loads(f.read_text()))
        return MappingProxyType(tol)


def variants(folder: str) -> list[str]:
    """The fits stored in a case folder: ``""`` for the main fit, then the named variants."""
    path = HERE / folder
    out = []
    for f in sorted(path.glob(f"*{OPTIONS}")):
        prefix = f.name[: -len(OPTIONS)]
        out.append(prefix[:-1] if prefix.endswith("_") else prefix)
    return sorted(out, key=lambda v: (v != "", v))


def case_ids(*, prefix: str | None = None, where=None) -> list[str]:
    """Every stored fit as ``"folder"`` or ``"folder/variant"``, sorted.

    ``prefix`` keeps folders whose name starts with it (``"syntax_"``, ``"mg_"``,
    ``"robust_"``); ``where`` is a predicate on the :class:`Case` (e.g.
    ``lambda c: c.lavaan["ngroups"] == 1``).
    """
    ids = []
    for path in sorted(p for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_")):
        if prefix is not None and not path.name.startswith(prefix):
            continue
        for v in variants(path.name):
            ids.append(f"{path.name}/{v}" if v else path.name)
    if where is not None:
        ids = [i for i in ids if where(load_case(i))]
    return ids


_LOADED: dict[str, Case] = {}


def load_case(name: str, variant: str | None = None) -> Case:
    """The :class:`Case` ``name`` (``"acsi_sim"``, ``"acsi_sim/exact"``, or name + variant)."""
    if variant is None and "/" in name:
        name, variant = name.split("/", 1)
    key = f"{name}/{variant or ''}"
    if key not in _LOADED:
        _LOADED[key] = Case(name, variant or "")
    return _LOADED[key]


def match_estimates(ref: pd.DataFrame, ours: pd.DataFrame, *, suffixes=("_ref", "")) -> pd.DataFrame:
    """Rows of ``ref`` joined with ``ours`` on (lhs, op, rhs[, group]); a covariance matches
    in either orientation (lavaan writes ``a ~~ b`` once, in its own order). Rows of ``ref``
    without a partner keep NaN in ``ours``'s columns."""
    def key(df):
        sym = df["op"] == "~~"
        lo = df[["lhs", "rhs"]].min(axis=1).where(sym, df["lhs"])
        hi = df[["lhs", "rhs"]].max(axis=1).where(sym, df["rhs"])
        parts = [lo, df["op"], hi]
        if "group" in df.columns and "group" in ref.columns and "group" in ours.columns:
            parts.append(df["group"].astype(int).astype(str))
        return pd.Series(list(zip(*parts)), index=df.index)

    a, b = ref.copy(), ours.copy()
    a["_key"], b["_key"] = key(a), key(b)
    return a.merge(b, on="_key", how="left", suffixes=suffixes).drop(columns="_key")
