"""Runners of the sampling design: sample size, stratified allocation, its margin of error, and the samplers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import MethodError
from ...options import Boolean, Integer, OneOf, Text
from ..sampling import (allocate, sample_size_mean, sample_size_proportion, simple_random_sample, stratified_margin,
                        stratified_sample, systematic_sample)
from .base import CONFIDENCE, Output, analysis, one_column

ALLOCATIONS = ("proportional", "neyman")


@analysis("sample_size", "Sample size", data="none", population=(None, Integer(min=1)), confidence=CONFIDENCE)
def run_sample_size(data=None, *, margin, p=0.5, sd=None, confidence=0.95, population=None) -> Output:
    """Cochran's size for a proportion (``p``) or, with ``sd``, a mean, with the finite-population correction.

    See :func:`acsi.methods.sample_size_proportion` and :func:`acsi.methods.sample_size_mean`
    (the margin is a proportion for ``p`` and in the answers' unit for ``sd``).
    """
    if sd is not None:
        res = sample_size_mean(sd, margin, confidence=confidence, population=population)
    else:
        res = sample_size_proportion(p, margin, confidence=confidence, population=population)
    return Output([("sample_size", res.to_series().to_frame().T.reset_index(drop=True),
                    "Sample size n = ceil(n_fpc)", True)])


def _strata_table(data, stratum, size, where: str, sd=None) -> pd.DataFrame:
    cols = {"stratum": one_column(data, stratum, "stratum", where), "size": one_column(data, size, "size", where)}
    if sd is not None:
        cols["sd"] = one_column(data, sd, "sd", where)
    t = pd.DataFrame({k: data[c].to_numpy() for k, c in cols.items()})
    if t["stratum"].duplicated().any():
        dups = sorted(set(map(str, t.loc[t["stratum"].duplicated(), "stratum"])))
        raise MethodError(f"{where}: strata {dups} appear on more than one row; give one row per stratum.")
    for k in [k for k in ("size", "sd") if k in t]:
        num = pd.to_numeric(t[k], errors="coerce")
        if num.isna().any():
            raise MethodError(f"{where}: column {cols[k]!r} has missing or non-numeric values for strata "
                              f"{list(t.loc[num.isna(), 'stratum'])[:10]}.")
        t[k] = num.astype(float)
    t.index = t["stratum"].astype(str)
    return t


@analysis("allocation", "Stratified allocation", stratum=Text(), size=Text(), n=Integer(min=1),
          method=OneOf(*ALLOCATIONS), sd=(None, Text()), confidence=CONFIDENCE)
def run_allocation(data, *, stratum, size, n, method="proportional", sd=None, confidence=None) -> Output:
    """Allocate ``n`` to the strata (proportional or Neyman; :func:`acsi.methods.allocate`); with ``sd`` also the
    standard error and margin of the stratified mean (:func:`acsi.methods.stratified_margin`)."""
    where = "allocation"
    if confidence is not None and sd is None:
        raise MethodError(f"{where}: confidence= is the level of the margin of error, which needs sd= (the strata's "
                          "standard deviations).")
    confidence = 0.95 if confidence is None else confidence
    t = _strata_table(data, stratum, size, where, sd)
    alloc = allocate(t["size"], n, method=method, sd=None if sd is None else t["sd"])
    out = t.assign(n=alloc.to_numpy(), share=alloc.to_numpy() / n).reset_index(drop=True)
    tables = [("allocation", out, f"Allocation of n = {n} ({method})", True)]
    if sd is not None:
        positive = alloc[alloc > 0]
        m = stratified_margin(t.loc[positive.index, "size"], t.loc[positive.index, "sd"], positive, confidence)
        tables.append(("allocation_margin", m.to_frame().T.reset_index(drop=True),
                       "Standard error and margin of the stratified mean", True))
    return Output(tables)


@analysis("stratified_margin", "Margin of error of a stratified mean", stratum=Text(), size=Text(), sd=Text(),
          n_column=Text(), fpc=Boolean(), confidence=CONFIDENCE)
def run_stratified_margin(data, *, stratum, size, sd, n_column, confidence=0.95, fpc=True) -> Output:
    """``V = Σ W_h² (1 − f_h) S_h² / n_h`` and the margin ``z √V`` (:func:`acsi.methods.stratified_margin`)."""
    where = "stratified_margin"
    t = _strata_table(data, stratum, size, where, sd)
    nh = pd.to_numeric(data[one_column(data, n_column, "n_column", where)], errors="coerce")
    if nh.isna().any():
        raise MethodError(f"{where}: the sample sizes ({n_column!r}) have missing or non-numeric values.")
    m = stratified_margin(t["size"], t["sd"], pd.Series(nh.to_numpy(dtype=float), index=t.index), confidence, fpc=fpc)
    return Output([("stratified_margin", m.to_frame().T.reset_index(drop=True), "Stratified mean: se and margin", True)])


@analysis("sample", "Draw a sample from a frame", n=Integer(min=1), design=OneOf("simple", "systematic", "stratified"),
          strata=(None, Text()), allocation=OneOf(*ALLOCATIONS), seed=(None, Integer(min=0)))
def run_sample(data, *, n, design="simple", strata=None, allocation=None, seed=None) -> Output:
    """Simple random, systematic or stratified sample of ``n`` rows of the frame (:mod:`acsi.methods.sampling`).

    The drawn rows keep every column of the frame plus ``frame_row`` (1-based position in it);
    the same ``seed`` draws the same rows.
    """
    where = "sample"
    if (design == "stratified") != (strata is not None):
        raise MethodError(f"{where}: design='stratified' needs strata= (the stratum column) and strata= needs "
                          "design='stratified'.")
    if allocation is not None and design != "stratified":
        raise MethodError(f"{where}: allocation= applies to design='stratified'.")
    allocation = allocation or "proportional"
    if seed is None:
        raise MethodError(f"{where}: give seed= (a whole number) so that the sample can be drawn again.")
    frame = data.reset_index(drop=True).assign(frame_row=np.arange(1, len(data) + 1))
    if design == "simple":
        s = simple_random_sample(frame, n, seed=seed)
    elif design == "systematic":
        s = systematic_sample(frame, n, seed=seed)
    else:
        s = stratified_sample(frame, one_column(data, strata, "strata", where), n, seed=seed, method=allocation)
    head = pd.DataFrame([{"frame": len(data), "n": len(s), "design": design, "seed": seed}])
    return Output([("sample", head, "Sample drawn", True), ("sample_rows", s.reset_index(drop=True), "Sampled rows", False)])
