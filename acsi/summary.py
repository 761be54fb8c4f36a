"""Printable summaries shared by every result object (fit, aggregation, bootstrap)."""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["Summary"]


class Summary:
    """Printable summary: ``str()``/``as_text()`` for terminals, ``as_html()`` for notebooks.

    Summaries only collect; rounding happens here, at rendering (``digits``).
    """

    def __init__(self, title: str, sections: list[tuple[str, pd.DataFrame | str]], *, digits: int = 3):
        self.title = title
        self.sections = list(sections)
        self.digits = digits

    def _fmt(self, v: float) -> str:
        return f"{v:.{self.digits}f}"

    def as_text(self) -> str:
        out = [self.title, "=" * len(self.title)]
        for head, body in self.sections:
            out += ["", head, "-" * len(head)]
            if isinstance(body, pd.DataFrame):
                with pd.option_context("display.width", 160, "display.max_columns", 40, "display.max_rows", 500):
                    out.append(body.to_string(index=False, float_format=self._fmt, na_rep=""))
            else:
                out.append(str(body))
        return "\n".join(out)

    def as_html(self) -> str:
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        for head, body in self.sections:
            parts.append(f"<h4>{html.escape(head)}</h4>")
            if isinstance(body, pd.DataFrame):
                parts.append(body.to_html(index=False, float_format=self._fmt, na_rep=""))
            else:
                parts.append(f"<pre>{html.escape(str(body))}</pre>")
        return "\n".join(parts)

    _repr_html_ = as_html

    def __str__(self) -> str:
        return self.as_text()

    __repr__ = __str__
