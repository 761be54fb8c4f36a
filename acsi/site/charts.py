"""Inline SVG charts for the website: index series on a time axis, and a ranked dot chart.

Why not matplotlib (which draws the report's PNG figures)? The website needs (a) a real time
axis on which a 1994-2008 published annual or quarterly series and a current quarterly series
sit with their gap, (b) text as text, so that Chinese labels render with the reader's fonts
whatever fonts the build machine has, (c) hundreds of small charts per build. A few SVG
primitives give all three without JavaScript and ~100x faster than rendering figures; the
numbers are formatted by :mod:`acsi.report.render` like everywhere else.

Every chart is an ``<svg class="chart">`` with a ``viewBox`` (it scales with the page), a
``<title>`` (its accessible name) and a ``<title>`` per point (the value on hover).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

__all__ = ["Series", "time_of", "line_chart", "dot_chart", "nice_range", "PALETTE"]

PALETTE = ("#27496d", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b")


def time_of(t: int, freq: str) -> float:
    """Middle of a period in fractional years (``t``: the ordinal of :mod:`acsi.aggregate.periods`)."""
    if freq == "Q":
        return 1970 + t / 4 + 0.125
    if freq == "M":
        return 1970 + t / 12 + 1 / 24
    return 1970 + t + 0.5


@dataclass
class Series:
    """One line: points ``(t, freq, label, value, lower, upper, hollow)``; a break where periods are missing."""

    name: str
    points: list = field(default_factory=list)
    dashed: bool = False

    def add(self, t: int, freq: str, label: str, value, lower=None, upper=None, hollow: bool = False) -> None:
        self.points.append((int(t), freq, str(label), value, lower, upper, bool(hollow)))


def _f(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def nice_range(lo: float, hi: float) -> tuple[float, float, float]:
    if hi - lo < 1e-9:
        lo, hi = lo - 2.5, hi + 2.5
    span = hi - lo
    step = next(s for s in (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50) if span / s <= 6)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step, step


def line_chart(series: list[Series], *, title: str, y_label: str = "index (0-100)", note: str = "",
               width: int = 760, height: int = 300, fmt=lambda v: f"{v:.1f}", hollow_label: str = "") -> str:
    """Index series with interval bands on a time axis; returns the ``<svg>`` element."""
    pts = [(time_of(t, fq), _f(v), _f(lo), _f(hi)) for s in series for t, fq, _, v, lo, hi, _ in s.points]
    vals = [y for p in pts for y in p[1:] if y is not None]
    if not vals:
        return _empty(title, width, height)
    x_lo = min(p[0] for p in pts) - 0.5
    x_hi = max(p[0] for p in pts) + 0.5
    y_lo, y_hi, y_step = nice_range(min(vals), max(vals))
    L, R, T, B = 52, 16, 30, 46
    pw, ph = width - L - R, height - T - B

    def X(x):
        return L + (x - x_lo) / (x_hi - x_lo) * pw

    def Y(y):
        return T + (y_hi - y) / (y_hi - y_lo) * ph

    out = _open(title, width, height, L)
    y = y_lo
    while y <= y_hi + 1e-9:
        out.append(f'<line x1="{L}" x2="{L + pw}" y1="{Y(y):.1f}" y2="{Y(y):.1f}" class="grid"/>'
                   f'<text x="{L - 6}" y="{Y(y) + 4:.1f}" class="tick" text-anchor="end">{y:g}</text>')
        y += y_step
    span = x_hi - x_lo
    step = next(s for s in (1, 2, 5, 10, 20) if span / s <= 12)
    year = math.ceil(x_lo / step) * step
    while year <= x_hi:
        out.append(f'<line x1="{X(year):.1f}" x2="{X(year):.1f}" y1="{T + ph}" y2="{T + ph + 4}" class="axis"/>'
                   f'<text x="{X(year):.1f}" y="{T + ph + 17}" class="tick" text-anchor="middle">{int(year)}</text>')
        year += step
    out.append(f'<line x1="{L}" x2="{L + pw}" y1="{T + ph}" y2="{T + ph}" class="axis"/>')
    out.append(f'<text x="14" y="{T + ph / 2:.0f}" class="tick" transform="rotate(-90 14 {T + ph / 2:.0f})" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        segs = _segments(s.points)
        for seg in segs:  # interval band
            band = [(time_of(t, fq), _f(lo), _f(hi)) for t, fq, _, v, lo, hi, _ in seg if _f(lo) is not None and _f(hi) is not None]
            if len(band) >= 2:
                poly = " ".join(f"{X(x):.1f},{Y(h):.1f}" for x, _, h in band) + " " + \
                       " ".join(f"{X(x):.1f},{Y(lo):.1f}" for x, lo, _ in reversed(band))
                out.append(f'<polygon points="{poly}" fill="{color}" fill-opacity="0.15" stroke="none"/>')
            elif len(band) == 1:
                x, lo, h = band[0]
                out.append(f'<line x1="{X(x):.1f}" x2="{X(x):.1f}" y1="{Y(lo):.1f}" y2="{Y(h):.1f}" stroke="{color}" '
                           'stroke-opacity="0.4" stroke-width="6"/>')
        for seg in segs:
            line = [(time_of(t, fq), _f(v)) for t, fq, _, v, *_ in seg if _f(v) is not None]
            if len(line) >= 2:
                d = " ".join(f"{X(x):.1f},{Y(v):.1f}" for x, v in line)
                dash = ' stroke-dasharray="5 3"' if s.dashed else ""
                out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="1.8"{dash}/>')
        r = 2.2 if len(s.points) > 40 else 3.2
        for t, fq, lab, v, lo, hi, hollow in s.points:
            v = _f(v)
            if v is None:
                continue
            tip = f"{s.name} {lab}: {fmt(v)}" + (f" [{fmt(_f(lo))}, {fmt(_f(hi))}]" if _f(lo) is not None and _f(hi) is not None else "")
            fill = "#fff" if hollow else color
            out.append(f'<circle cx="{X(time_of(t, fq)):.1f}" cy="{Y(v):.1f}" r="{r}" fill="{fill}" stroke="{color}">'
                       f"<title>{escape(tip)}</title></circle>")
    lx = L + 4
    ly = height - 10
    for k, s in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        out.append(f'<rect x="{lx}" y="{ly - 8}" width="12" height="4" fill="{color}"/>'
                   f'<text x="{lx + 16}" y="{ly - 3}" class="legend">{escape(s.name)}</text>')
        lx += 28 + 6.5 * len(s.name)
    if hollow_label and any(p[6] for s in series for p in s.points):
        out.append(f'<circle cx="{lx + 4}" cy="{ly - 6}" r="3" fill="#fff" stroke="#555"/>'
                   f'<text x="{lx + 12}" y="{ly - 3}" class="legend">{escape(hollow_label)}</text>')
    if note:
        out.append(f'<text x="{L + pw}" y="18" class="note" text-anchor="end">{escape(note)}</text>')
    out.append("</svg>")
    return "".join(out)


def _segments(points) -> list[list]:
    """Split at missing periods (and at a change of frequency)."""
    pts = sorted((p for p in points if _f(p[3]) is not None), key=lambda p: time_of(p[0], p[1]))
    segs, cur = [], []
    for p in pts:
        if cur and (p[1] != cur[-1][1] or p[0] - cur[-1][0] != 1):
            segs.append(cur)
            cur = []
        cur.append(p)
    if cur:
        segs.append(cur)
    return segs


def dot_chart(rows: list[tuple[str, float, float | None, float | None, bool]], *, title: str, axis_note: str,
              width: int = 760, fmt=lambda v: f"{v:.1f}", highlight_label: str = "") -> str:
    """Ranked dots with interval whiskers: rows ``(name, value, lower, upper, highlight)``.

    Dots need no baseline, so the axis may start near the lowest value without exaggerating
    differences the way truncated bars do; the range is stated in ``axis_note``.
    """
    rows = [r for r in rows if _f(r[1]) is not None]
    if not rows:
        return _empty(title, width, 120)
    vals = [v for r in rows for v in (r[1], r[2], r[3]) if _f(v) is not None]
    lo, hi, step = nice_range(min(vals), max(vals))
    L, R, T = 230, 24, 34
    rh = 20
    height = T + rh * len(rows) + 40
    pw = width - L - R

    def X(x):
        return L + (x - lo) / (hi - lo) * pw

    out = _open(title, width, height, 8)
    x = lo
    while x <= hi + 1e-9:
        out.append(f'<line x1="{X(x):.1f}" x2="{X(x):.1f}" y1="{T - 6}" y2="{T + rh * len(rows)}" class="grid"/>'
                   f'<text x="{X(x):.1f}" y="{T + rh * len(rows) + 14}" class="tick" text-anchor="middle">{x:g}</text>')
        x += step
    for i, (name, v, a, b, hl) in enumerate(rows):
        yy = T + rh * i + rh / 2
        color = PALETTE[1] if hl else PALETTE[0]
        label = name if len(name) <= 34 else name[:33] + "…"
        out.append(f'<text x="{L - 8}" y="{yy + 4:.1f}" class="tick" text-anchor="end">{escape(label)}</text>')
        if _f(a) is not None and _f(b) is not None:
            out.append(f'<line x1="{X(_f(a)):.1f}" x2="{X(_f(b)):.1f}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{color}" '
                       'stroke-width="2" stroke-opacity="0.55"/>')
        tip = f"{name}: {fmt(_f(v))}" + (f" [{fmt(_f(a))}, {fmt(_f(b))}]" if _f(a) is not None and _f(b) is not None else "")
        shape = (f'<rect x="{X(_f(v)) - 4:.1f}" y="{yy - 4:.1f}" width="8" height="8" fill="{color}">' if hl else
                 f'<circle cx="{X(_f(v)):.1f}" cy="{yy:.1f}" r="4" fill="{color}">')
        out.append(shape + f"<title>{escape(tip)}</title>" + ("</rect>" if hl else "</circle>"))
    out.append(f'<text x="{L}" y="{height - 8}" class="note">{escape(axis_note)}'
               + (f" ■ {escape(highlight_label)}" if highlight_label and any(r[4] for r in rows) else "") + "</text>")
    out.append("</svg>")
    return "".join(out)


def _open(title: str, width: float, height: float, title_x: float) -> list[str]:
    """The opening of a chart: scalable ``<svg>``, its accessible title, the visible title."""
    return [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">', f"<title>{escape(title)}</title>",
            f'<text x="{title_x}" y="18" class="chart-title">{escape(title)}</text>']


def _empty(title: str, width: int, height: int) -> str:
    return "".join(_open(title, width, height, 8)) + \
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="note">—</text></svg>'


