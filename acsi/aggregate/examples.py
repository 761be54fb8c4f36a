"""Synthetic unit-index panels for examples, tests and benchmarks.

:func:`example_panel` builds a company × period table in the shape :func:`aggregate` expects
(companies nested in industries nested in sectors) plus a sales table. With
``rotation=True`` each sector is measured only once a year, in the quarter ``sector % 4``
(the way ACSI spreads its measurement over the year), so carry-forward is needed for every
quarter to include every sector.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["example_panel"]


def example_panel(n_companies: int = 100, n_industries: int = 10, n_sectors: int = 5, n_periods: int = 8, *,
                  start: str = "2015Q1", rotation: bool = False, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(indexes, sales)`` for a synthetic quarterly panel.

    Company f belongs to industry ``f % n_industries``; industry i to sector ``i % n_sectors``.
    Indexes are ``75 + company effect + period drift + noise`` clipped to 0-100, ``se`` is
    ``U(0.5, 2)``, ``n`` is 250, sales are log-normal.

    Examples
    --------
    >>> idx, sales = example_panel(20, 4, 2, 4)
    >>> idx.shape, sales.shape
    ((80, 8), (20, 2))
    """
    rng = np.random.default_rng(seed)
    f = np.arange(n_companies)
    comp = np.array([f"C{j:05d}" for j in f], dtype=object)
    ind_of = f % n_industries
    sec_of = ind_of % n_sectors
    periods = pd.period_range(start, periods=n_periods, freq="Q")
    q = np.arange(n_periods)
    ff, qq = np.repeat(f, n_periods), np.tile(q, n_companies)
    if rotation:
        keep = (periods.quarter.to_numpy()[qq] - 1) == (sec_of[ff] % 4)
        ff, qq = ff[keep], qq[keep]
    effect = rng.normal(0, 5, n_companies)
    drift = np.cumsum(rng.normal(0, 0.3, n_periods))
    index = np.clip(75 + effect[ff] + drift[qq] + rng.normal(0, 1.0, len(ff)), 0, 100)
    indexes = pd.DataFrame({
        "period": periods.astype(str).to_numpy()[qq],
        "company": comp[ff],
        "industry": np.array([f"I{i:03d}" for i in range(n_industries)], dtype=object)[ind_of[ff]],
        "sector": np.array([f"S{s:02d}" for s in range(n_sectors)], dtype=object)[sec_of[ff]],
        "index": index,
        "se": rng.uniform(0.5, 2.0, len(ff)),
        "n": np.full(len(ff), 250),
        "status": "ok",
    })
    sales = pd.DataFrame({"company": comp, "sales": rng.lognormal(3.0, 1.0, n_companies)})
    return indexes, sales
