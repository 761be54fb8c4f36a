"""The index history: an embedded DuckDB store of releases (vintages) and every published figure.

>>> from acsi.store import open_store, history, revisions       # doctest: +SKIP
>>> history("acsi-history.duckdb", unit="Delta Air Lines")       # doctest: +SKIP
>>> revisions("acsi-history.duckdb", "2025Q3", "2025Q4")         # doctest: +SKIP

Releases are written by :func:`acsi.production.publish` (fit -> aggregate -> bootstrap -> one
release) and :func:`acsi.production.import_published` (published tables as external releases);
this package only persists and queries. The schema and its migrations are in
:mod:`acsi.store.schema`.
"""

from .core import (
    DEFAULT_STORE, HistoryStore, ReleaseExistsError, StoreError, StoreLockedError, StoreNotFoundError, StoreVersionError,
    as_store,
    open_store,
)
from .queries import REASONS, find_unit, history, latest, revisions, series, vintage
from .schema import SCHEMA_VERSION

__all__ = [
    "DEFAULT_STORE", "HistoryStore", "REASONS", "ReleaseExistsError", "SCHEMA_VERSION", "StoreError",
    "StoreLockedError", "StoreNotFoundError", "StoreVersionError", "as_store", "find_unit", "history", "latest", "open_store",
    "releases", "revisions", "series", "vintage",
]


def releases(store, *, include_superseded: bool = False):
    """The releases of a store (path or open store), in publication order."""
    st, mine = as_store(store)
    try:
        return st.releases(include_superseded=include_superseded)
    finally:
        if mine:
            st.close()
