"""Tables of the report's template: headers and rows of (text, css class) cells for the ``table`` macro.

One builder for every section (:mod:`.render`, :mod:`.toolkit`, :mod:`.compare`), below them in the
import order.
"""

from __future__ import annotations

from .i18n import t

__all__ = ["table"]


def table(headers: list[str], rows: list[list], *, num: set[int] | None = None, row_classes: list[str] | None = None,
          foot: list | None = None, collapse_after: int | None = None, lang: str = "en") -> dict:
    """A table for the ``table`` macro: headers, rows of (text, css class) cells.

    Tables longer than ``collapse_after`` rows are folded in a ``<details>`` element
    (no JavaScript; the rows stay in the file).
    """
    num = num or set()

    def cell(i, c):
        if isinstance(c, tuple):
            return c
        return (str(c), "num" if i in num else "")

    return {
        "headers": [(h, "num" if i in num else "") for i, h in enumerate(headers)],
        "rows": [{"cells": [cell(i, c) for i, c in enumerate(r)], "cls": (row_classes[k] if row_classes else "")}
                 for k, r in enumerate(rows)],
        "foot": [cell(i, c) for i, c in enumerate(foot)] if foot else None,
        "collapse": t("show_rows", lang, n=len(rows)) if collapse_after is not None and len(rows) > collapse_after else "",
    }
