"""The layer order of the package, written once (``docs/ARCHITECTURE.md``, section 1).

Imports point one way: a module may import (at top level or inside a function) only
modules of its own entry or of entries *below* it in :data:`ENTRIES`.  Within an entry
the imports must not form a cycle.  ``acsi/__init__.py`` (the public facade) is exempt as
an importer and may not be imported from inside the package.  ``tests/test_layers.py``
parses every import of ``acsi/`` and enforces this.

Each entry is a tuple of module names: a package or module and its aliases (``acsi.plot``
is a thin alias of ``acsi.report.plot``, so it sits in the report entry).
"""

from __future__ import annotations

__all__ = ["ENTRIES", "FACADE", "LAYERS", "entry_of", "layer_of"]

#: The public facade: exempt as an importer, never imported from inside the package.
FACADE = "acsi"

#: Layer name -> its entries, high to low.
LAYERS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("front ends", (
        ("acsi.cli", "acsi.__main__"),
    )),
    ("orchestration", (
        ("acsi.production",),  # `acsi publish`: fit -> aggregate (-> bootstrap) -> one store release
        ("acsi.demo",),  # `acsi demo`
        ("acsi.comparison",),  # acsi.compare(): invariance / MICOM, path tests, indexes across groups
        ("acsi.fitting",),  # acsi.fit()
        ("acsi.results",),  # FitResult, load_results
        ("acsi.bootstrap",),  # takes a fitted result; never fits raw data
        ("acsi.pipeline",),  # one unit: estimate -> score -> index, status rules
    )),
    ("stages", (
        ("acsi.site",),
        ("acsi.report", "acsi.plot"),
        ("acsi.methods",),
        ("acsi.aggregate",),
        ("acsi.simulate",),
        ("acsi.estimate",),
        ("acsi.score",),
        ("acsi.store",),
        ("acsi.data",),
        ("acsi.spec",),
    )),
    ("infrastructure", (
        ("acsi.tables",),  # the one table writer/reader and manifest format
        ("acsi.summary",),
        ("acsi.provenance",),
        ("acsi.frames",),  # labels and text columns of small tables, built once and shared
        ("acsi.options",),
        ("acsi.parallel",),  # run_tasks (serial, joblib, Dask) and the one BLAS-thread limit
        ("acsi.log",),
        ("acsi.errors",),
        ("acsi._layers",),
    )),
)

#: Every entry, high to low.
ENTRIES: tuple[tuple[str, ...], ...] = tuple(e for _, entries in LAYERS for e in entries)


def _rank(module: str) -> tuple[int, str] | None:
    best = None
    for rank, entry in enumerate(ENTRIES):
        for root in entry:
            if module == root or module.startswith(root + "."):
                if best is None or len(root) > len(best[1]):
                    best = (rank, root)
    return best


def entry_of(module: str) -> int | None:
    """Position of ``module``'s entry in :data:`ENTRIES` (0 = highest), or None if it has none.

    >>> entry_of("acsi.estimate.pls") > entry_of("acsi.pipeline")
    True
    >>> entry_of("acsi.plot") == entry_of("acsi.report.render")
    True
    """
    r = _rank(module)
    return None if r is None else r[0]


def layer_of(module: str) -> str | None:
    """Name of the layer (``"stages"``...) holding ``module``, or None."""
    r = entry_of(module)
    if r is None:
        return None
    entry = ENTRIES[r]
    return next(name for name, entries in LAYERS if entry in entries)
