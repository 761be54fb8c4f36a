"""``build_site(store, out_dir)``: the static website of a history store.

Layout of ``out_dir`` (static files only; no server, no JavaScript)::

    index.html                 language choice
    style.css
    data/*.csv, data/*.parquet every table of every page (shared by the languages)
    en/index.html              national index: the long series, the latest release, the sectors
    en/sector/<slug>.html      one page per sector, industry and company: its history, the
    en/industry/<slug>.html    significance of its latest change, its members (league tables)
    en/company/<slug>.html
    en/league.html             every industry's companies ranked in its latest period
    en/units.html              every sector, industry and company
    en/methodology.html        methods, models, imported sources
    en/releases.html           release notes and the revisions of every release
    zh/...                     the same in Chinese

Every figure shown is the latest published value of its period (:func:`acsi.store.latest`),
with the release that published it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import AcsiError
from ..report.i18n import latent_label
from ..report.render import fmt_change, fmt_ci, fmt_index, fmt_int, fmt_p, fmt_pct, fmt_se
from ..store import as_store, latest, revisions
from .charts import Series, dot_chart, line_chart, nice_range
from .i18n import label, status, t

__all__ = ["build_site", "LANGS"]

LANGS = ("en", "zh")
_LEVEL_DIR = {"sector": "sector", "industry": "industry", "company": "company"}


def _slug(level: str, unit: str) -> str:
    base = re.sub(r"[^0-9A-Za-z]+", "-", str(unit)).strip("-").lower()[:48] or "unit"
    return f"{base}-{hashlib.sha1(f'{level}|{unit}'.encode()).hexdigest()[:6]}"


@dataclass
class _Data:
    fig: pd.DataFrame  # headline figures of the latest vintage
    all_fig: pd.DataFrame  # every latent
    releases: pd.DataFrame
    changes: pd.DataFrame
    units: pd.DataFrame  # level, unit, parent, industry, sector, page
    revisions: dict  # release_key -> DataFrame of revisions against the previous current release
    store_path: str
    version: int


def _load(st) -> _Data:
    rel = st.releases(include_superseded=True)
    allf = latest(st)
    if len(allf):
        head = dict(zip(rel["release_key"], rel["model_headline"]))
        allf = allf.assign(is_headline=allf["latent"].to_numpy() == allf["release_key"].map(head).to_numpy())
    else:
        allf = allf.assign(is_headline=pd.Series(dtype=bool))
    fig = allf.loc[allf["is_headline"]].reset_index(drop=True)
    keys = sorted(set(fig["release_key"])) if len(fig) else []
    if keys:
        ph = ",".join("?" * len(keys))
        ch = st.query(f"SELECT * FROM changes WHERE release_key IN ({ph})", keys)
    else:
        ch = pd.DataFrame(columns=st.columns("changes"))
    levels = fig.loc[fig["level"].isin(_LEVEL_DIR)]
    u = levels.sort_values("t").groupby(["level", "unit"], sort=False).agg(
        parent=("parent", "last"), industry=("industry", "last"), sector=("sector", "last")).reset_index()
    u["page"] = [f"{_LEVEL_DIR[lv]}/{_slug(lv, n)}.html" for lv, n in zip(u["level"], u["unit"])]
    cur = rel.loc[rel["status"] == "current"].sort_values("release_key")
    revs = {}
    prev = None
    for k in cur["release_key"]:
        if prev is not None:
            revs[int(k)] = revisions(st, f"#{prev}", f"#{int(k)}")
        prev = int(k)
    return _Data(fig=fig, all_fig=allf, releases=rel, changes=ch, units=u, revisions=revs, store_path=str(st.path),
                 version=st.version())


# ============================================================================ page model
@dataclass
class _Table:
    id: str
    title: str
    headers: list
    rows: list
    csv: str
    parquet: str
    caption: str = ""
    kind: str = "table"


class _Builder:
    def __init__(self, data: _Data, out: Path, lang: str, title: str | None):
        self.d = data
        self.out = out
        self.lang = lang
        self.site_title = title or t("site_title", lang)
        self.written: list[Path] = []
        self.data_files: set[str] = set()
        self.unit_page = {(r.level, r.unit): r.page for r in data.units.itertuples(index=False)}
        self._specs: dict = {}

    # -------------------------------------------------------------- helpers
    def href(self, page: str, target: str) -> str:
        """Relative link from ``page`` (path under <lang>/) to ``target`` (under <lang>/, or '/x' at the root)."""
        here = os.path.dirname(f"{self.lang}/{page}") or "."
        if target == "/":
            return os.path.relpath(".", here).replace(os.sep, "/") + "/"
        to = target[1:] if target.startswith("/") else f"{self.lang}/{target}"
        return os.path.relpath(to, here).replace(os.sep, "/")

    def unit_link(self, page, level, unit):
        if level == "national":
            return self.href(page, "index.html")
        p = self.unit_page.get((level, unit))
        return self.href(page, p) if p else None

    def table(self, page: str, name: str, df: pd.DataFrame, headers: list[tuple[str, str]], rows: list,
              title: str = "", caption: str = "") -> dict:
        stem = re.sub(r"[^0-9A-Za-z]+", "_", page.removesuffix(".html")) + "__" + name
        if stem not in self.data_files:  # the same table of both languages is written once
            from ..tables import write_tables

            self.written += write_tables(self.out / "data", {stem: df})
            self.data_files.add(stem)
        return {"kind": "table", "id": f"t-{name}", "title": title, "headers": headers, "rows": rows,
                "csv": self.href(page, f"/data/{stem}.csv"), "parquet": self.href(page, f"/data/{stem}.parquet"),
                "caption": caption}

    def series_of(self, level, unit) -> pd.DataFrame:
        f = self.d.fig
        return f.loc[(f["level"] == level) & (f["unit"] == unit)].sort_values(["t", "frequency"]).reset_index(drop=True)

    def chart(self, level, unit, title) -> dict:
        s = self.series_of(level, unit)
        if not s["index"].notna().any():
            return {"kind": "text", "text": t("none_yet", self.lang), "cls": "muted"}
        series = []
        for (origin, freq), g in s.groupby(["origin", "frequency"], sort=False):
            kind = t("imported", self.lang) if origin == "external" else t("estimated", self.lang)
            per = {"Q": "Q", "Y": "Y", "M": "M"}[freq]
            ser = Series(f"{kind} ({per})", dashed=origin == "external")
            for r in g.itertuples(index=False):
                hollow = level == "national" and _false(r.window_full)
                ser.add(r.t, r.frequency, r.period, r.index, r.ci_lower, r.ci_upper, hollow=bool(hollow))
            series.append(ser)
        series.sort(key=lambda x: x.dashed, reverse=True)
        svg = line_chart(series, title=title, y_label=t("fig_index", self.lang), fmt=fmt_index,
                         hollow_label=t("partial", self.lang))
        levels = sorted({f"{x:.0%}" for x in s["ci_level"].dropna()})
        cap = t("national_caption", self.lang, level="/".join(levels) or "—") if level == "national" else ""
        return {"kind": "svg", "id": f"chart-{level}", "svg": svg, "caption": cap}

    def history_table(self, page, level, unit) -> dict:
        s = self.series_of(level, unit)
        cols = ["period", "index", "se", "ci_lower", "ci_upper", "ci_level", "ci_method", "n", "n_units", "status",
                "reason", "published_in", "origin"] + (["window_periods", "window_full"] if level == "national" else [])
        headers = [(label("period", self.lang), ""), (label("index", self.lang), "num"), (label("se", self.lang), "num"),
                   (label("ci", self.lang), "num"), (label("n", self.lang), "num")]
        if level != "company":
            headers.append((label("n_units", self.lang), "num"))
        if level == "national":
            headers.append((label("window", self.lang), "num"))
        headers += [(label("status", self.lang), ""), (label("release", self.lang), "")]
        rows = []
        for r in s.itertuples(index=False):
            idx = fmt_index(r.index)
            partial = level == "national" and _false(r.window_full) and r.index == r.index
            cells = [(r.period, "", None), (idx + ("*" if partial else ""), "num partial" if partial else "num", None),
                     (fmt_se(r.se), "num", None), (_ci(r), "num", None), (fmt_int(r.n), "num", None)]
            if level != "company":
                cells.append((fmt_int(r.n_units), "num", None))
            if level == "national":
                cells.append((fmt_int(r.window_periods), "num", None))
            st = status(r.status, self.lang) + (f" ({r.reason})" if r.reason and r.status != "ok" else "")
            cells += [(st, "", None), (r.published_in, "", self.href(page, f"releases.html#r{int(r.release_key)}"))]
            rows.append({"cells": cells, "cls": "muted" if r.index != r.index else ""})
        return self.table(page, "history", s[[c for c in cols if c in s.columns]], headers, rows,
                          title=t("history_table", self.lang), caption=t("history_caption", self.lang))

    def significance(self, level, unit) -> dict:
        s = self.series_of(level, unit)
        s = s.loc[s["index"].notna()]
        if s.empty:
            return {"kind": "text", "text": t("none_yet", self.lang)}
        last = s.iloc[-1]
        if last["origin"] == "external":
            return {"kind": "text", "text": t("no_change", self.lang, why=t("why_external", self.lang))}
        ch = self.d.changes
        c = ch.loc[(ch["release_key"] == last["release_key"]) & (ch["level"] == level) & (ch["unit"] == unit)
                   & (ch["period"] == last["period"]) & (ch["kind"] == "change")]
        if c.empty or c["p"].isna().all():
            why = "why_single" if len(s) < 2 else "why_none"
            return {"kind": "text", "text": t("no_change", self.lang, why=t(why, self.lang))}
        tested = c.loc[c["tested"].fillna(False).astype(bool)]
        if tested.empty or pd.isna(tested["significant"].iloc[0]):
            return {"kind": "text", "text": t("no_change", self.lang, why=t("why_none", self.lang))}
        row = tested.iloc[0]  # the change the aggregation tested (like-for-like unless asked otherwise)
        matched = row["basis"] == "matched"
        level_ = float(last["ci_level"]) if last["ci_level"] == last["ci_level"] else 0.95
        sig = bool(row["significant"])
        basis = t("basis_matched" if matched else "basis_as_published", self.lang)
        text = t("change_sentence", self.lang, from_=row["period_from"], to=row["period"], change=fmt_change(row["change"]),
                 se=fmt_se(row["se"]), p=fmt_p(row["p"]), verdict=t("significant" if sig else "not_significant", self.lang),
                 alpha=fmt_pct(1 - level_), basis=basis)
        pub = c.loc[c["basis"] == "as_published"]
        if matched and len(pub) and not pd.isna(row["composition_changed"]) and bool(row["composition_changed"]):
            text += " " + t("composition_note", self.lang, published=fmt_change(pub["change"].iloc[0]),
                            composition=fmt_change(row["composition"]))
        return {"kind": "text", "text": text, "cls": "verdict-significant" if sig else ""}

    def members(self, page, level, unit, title_key) -> list[dict]:
        """Latest-period table (and dot chart for an industry) of the units directly below ``unit``."""
        f = self.d.fig
        child = {"national": "sector", "sector": "industry", "industry": "company"}[level]
        own = self.series_of(level, unit)
        own = own.loc[own["index"].notna()]
        kids = f.loc[(f["level"] == child) & ((f["parent"] == unit) if level != "national" else True)]
        if kids.empty:
            return []
        period = own["period"].iloc[-1] if len(own) else kids.sort_values("t")["period"].iloc[-1]
        k = kids.loc[kids["period"] == period].sort_values("index", ascending=False, na_position="last")
        if k.empty:
            return []
        blocks = []
        if child == "company":
            rows = [(r.unit, r.index, r.ci_lower, r.ci_upper, False) for r in k.itertuples(index=False)]
            if len(own):
                o = own.iloc[-1]
                rows.append((f"{unit} ({t('industry_marker', self.lang)})", o["index"], o["ci_lower"], o["ci_upper"], True))
                rows.sort(key=lambda r: -(r[1] if r[1] == r[1] else -1))
            vals = [v for r in rows for v in r[1:4] if v is not None and v == v]
            lv = sorted({f"{x:.0%}" for x in k["ci_level"].dropna()}) or ["—"]
            lo, hi, _ = nice_range(min(vals), max(vals)) if vals else (0, 100, 10)
            svg = dot_chart(rows, title=t("league_for", self.lang, industry=unit, period=period),
                            axis_note=t("league_axis", self.lang, level="/".join(lv), lo=f"{lo:g}", hi=f"{hi:g}"),
                            fmt=fmt_index, highlight_label=t("industry_marker", self.lang))
            blocks.append({"kind": "svg", "id": f"league-{_slug('industry', unit)}", "svg": svg, "caption": ""})
        headers = [(label("rank", self.lang), "num"), (label(child, self.lang), ""), (label("index", self.lang), "num"),
                   (label("ci", self.lang), "num"), (label("se", self.lang), "num"), (label("n", self.lang), "num"),
                   (label("status", self.lang), "")]
        rows = []
        for i, r in enumerate(k.itertuples(index=False), start=1):
            rows.append({"cells": [(str(i) if r.index == r.index else "—", "num", None),
                                   (r.unit, "", self.unit_link(page, child, r.unit)), (fmt_index(r.index), "num", None),
                                   (_ci(r), "num", None), (fmt_se(r.se), "num", None), (fmt_int(r.n), "num", None),
                                   (status(r.status, self.lang) + (f" ({r.reason})" if r.reason and r.status != "ok" else ""), "", None)],
                         "cls": "muted" if r.index != r.index else ""})
        df = k[["period", "unit", "parent", "index", "se", "ci_lower", "ci_upper", "ci_level", "n", "status", "reason",
                "published_in"]]
        blocks.append(self.table(page, f"members_{child}", df, headers, rows,
                                 title=t(title_key, self.lang, period=period)))
        return blocks

    def spec_of(self, release_key: int):
        """The model of a release, read back from its stored TOML (or lavaan) text; None if unreadable."""
        if release_key not in self._specs:
            r = self.d.releases.set_index("release_key").loc[release_key]
            spec = None
            try:
                from ..spec import parse_lavaan, read_toml

                if isinstance(r["model_toml"], str) and r["model_toml"]:
                    spec = read_toml(r["model_toml"], source=f"release {r['release_id']}")
                elif isinstance(r["model_lavaan"], str) and r["model_lavaan"]:
                    spec = parse_lavaan(r["model_lavaan"])
            except (AcsiError, ValueError, TypeError):  # an old or foreign model text: ids stay as they are
                spec = None
            self._specs[release_key] = spec
        return self._specs[release_key]

    # -------------------------------------------------------------- pages
    def render(self, page: str, title: str, sections: list[dict], *, subtitle: str = "", crumbs=()) -> None:
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                          autoescape=select_autoescape(["html", "j2"]))
        other = "zh" if self.lang == "en" else "en"
        nav_items = [("index.html", "nav_national"), ("league.html", "nav_league"), ("units.html", "nav_companies"),
                     ("methodology.html", "nav_method"), ("releases.html", "nav_releases")]
        html = env.get_template("page.html.j2").render(
            html_lang="zh-Hant" if self.lang == "zh" else "en", lang=self.lang, title=title, subtitle=subtitle,
            site_title=self.site_title, root=self.href(page, "/"),
            nav=[(self.href(page, p), t(k, self.lang), p == page) for p, k in nav_items],
            other_lang=other, other_lang_label=t("language", self.lang),
            other_lang_href=self.href(page, f"/{other}/{page}"),
            crumbs=[(self.href(page, h), x) for h, x in crumbs], sections=sections, downloads=t("downloads", self.lang),
            footer=t("generated_site", self.lang, version=_version(), n=int((self.d.releases["status"] == "current").sum())),
        )
        path = self.out / self.lang / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        self.written.append(path)

    def national(self) -> None:
        page = "index.html"
        L = self.lang
        s = self.series_of("national", "national")
        cur = self.d.releases.loc[self.d.releases["status"] == "current"].sort_values("release_key")
        facts = []
        if len(cur):
            r = cur.iloc[-1]
            facts.append((t("latest_release", L), f"{r['release_id']} ({t('released_on', L, date=r['release_date'].date() if hasattr(r['release_date'], 'date') else r['release_date'])})"))
        ok = s.loc[s["index"].notna()]
        if len(ok):
            last = ok.iloc[-1]
            facts.append((f"{t('national_series', L)} {last['period']}", f"{fmt_index(last['index'])} {_ci(last)}"))
        sections = [{"id": "latest", "title": t("latest_release", L), "blocks": [{"kind": "facts", "items": facts},
                                                                                  self.significance("national", "national")]}]
        if len(s):
            sections.append({"id": "series", "title": t("national_series", L),
                             "blocks": [self.chart("national", "national", t("national_series", L)),
                                        self.history_table(page, "national", "national")]})
        else:
            sections.append({"id": "series", "title": t("national_series", L), "blocks": [{"kind": "text", "text": t("none_yet", L)}]})
        mem = self.members(page, "national", "national", "sectors_latest")
        if mem:
            sections.append({"id": "sectors", "title": t("nav_sectors", L), "blocks": mem})
        self.render(page, t("national_series", L), sections, subtitle=self.site_title)

    def unit(self, level: str, unit: str, page: str, parent: str | None) -> None:
        L = self.lang
        blocks = [self.significance(level, unit), self.chart(level, unit, t("series_of", L, unit=unit))]
        sections = [{"id": "latest", "title": t("latest_change", L), "blocks": blocks[:1]},
                    {"id": "series", "title": t("history_table", L), "blocks": [blocks[1], self.history_table(page, level, unit)]}]
        if level in ("sector", "industry"):
            mem = self.members(page, level, unit, "industries_latest" if level == "sector" else "companies_latest")
            if mem:
                sections.append({"id": "members", "title": t("members", L), "blocks": mem})
        if level == "company":
            sections.insert(1, {"id": "latents", "title": "", "blocks": [self.latents(page, unit)]})
        crumbs = [("index.html", t("nav_national", L))]
        up_level = {"company": "industry", "industry": "sector"}.get(level)
        if parent and up_level and (up_level, parent) in self.unit_page:
            sec = self.d.units.loc[(self.d.units["level"] == up_level) & (self.d.units["unit"] == parent)]
            if up_level == "industry" and len(sec) and ("sector", sec["parent"].iloc[0]) in self.unit_page:
                crumbs.append((self.unit_page[("sector", sec["parent"].iloc[0])], sec["parent"].iloc[0]))
            crumbs.append((self.unit_page[(up_level, parent)], parent))
        self.render(page, unit, sections, subtitle=label(level, L), crumbs=crumbs)

    def latents(self, page, unit) -> dict:
        L = self.lang
        a = self.d.all_fig
        a = a.loc[(a["level"] == "company") & (a["unit"] == unit) & (a["origin"] == "measured")]
        if a.empty:
            a = self.d.all_fig.loc[(self.d.all_fig["level"] == "company") & (self.d.all_fig["unit"] == unit)]
        last_t = a["t"].max()
        a = a.loc[a["t"] == last_t]
        period = a["period"].iloc[0]
        spec = self.spec_of(int(a["release_key"].iloc[0]))
        if spec is not None:  # the model's order and the latents' names in the page's language
            order = {lv: i for i, lv in enumerate(spec.latent_ids)}
            a = a.assign(_o=a["latent"].map(order).fillna(len(order))).sort_values("_o").drop(columns="_o")
            a = a.assign(latent=[latent_label(spec, x, "zh-hant" if L == "zh" else L) for x in a["latent"]])
        headers = [(label("latent", L), ""), (label("index", L), "num"), (label("ci", L), "num"), (label("se", L), "num"),
                   (label("status", L), ""), (label("reason", L), "")]
        rows = [{"cells": [(r.latent, "", None), (fmt_index(r.index), "num", None), (_ci(r), "num", None),
                           (fmt_se(r.se), "num", None), (status(r.status, L), "", None), (r.reason or "", "reason", None)],
                 "cls": "muted" if r.index != r.index else ""} for r in a.itertuples(index=False)]
        df = a[["period", "unit", "latent", "index", "se", "ci_lower", "ci_upper", "ci_level", "n", "status", "reason",
                "published_in"]]
        return self.table(page, "latents", df, headers, rows, title=t("latents_latest", L, unit=unit, period=period))

    def league(self) -> None:
        page = "league.html"
        blocks = []
        for ind in sorted(self.d.units.loc[self.d.units["level"] == "industry", "unit"]):
            blocks += self.members(page, "industry", ind, "companies_latest")
        self.render(page, t("nav_league", self.lang), [{"id": "league", "title": "", "blocks": blocks or
                                                        [{"kind": "text", "text": t("none_yet", self.lang)}]}])

    def units_index(self) -> None:
        page = "units.html"
        sections = []
        for level in ("sector", "industry", "company"):
            u = self.d.units.loc[self.d.units["level"] == level].sort_values("unit")
            items = [(self.href(page, r.page), r.unit, r.parent or "") for r in u.itertuples(index=False)]
            if items:
                sections.append({"id": level, "title": t({"sector": "nav_sectors", "industry": "nav_industries",
                                                          "company": "nav_companies"}[level], self.lang),
                                 "blocks": [{"kind": "links", "items": items}]})
        self.render(page, t("nav_companies", self.lang), sections or [{"id": "none", "title": "", "blocks": [
            {"kind": "text", "text": t("none_yet", self.lang)}]}])

    def methodology(self) -> None:
        L = self.lang
        rel = self.d.releases.loc[self.d.releases["status"] == "current"]
        est = rel.loc[rel["kind"] == "estimated"]
        import json

        opts = [json.loads(o) for o in est["options"].dropna()]
        windows = sorted({str(o.get("window")) for o in opts}) or ["4"]
        levels = sorted({f"{float(o.get('confidence', 0.95)):.0%}" for o in opts}) or ["95%"]
        estimators = sorted({str(e).upper() for e in est["estimator"].dropna()}) or ["SEM"]
        sections = [{"id": "method", "title": t("method_title", L), "blocks": [
            {"kind": "text", "text": t("m_model_text", L, estimator=", ".join(estimators))},
            {"kind": "text", "text": t("m_aggregation_text", L, window="/".join(windows))},
            {"kind": "text", "text": t("m_intervals_text", L, levels=", ".join(levels))},
            {"kind": "text", "text": t("m_change_text", L)},
            {"kind": "text", "text": t("m_revisions_text", L)},
        ]}]
        models = est.drop_duplicates("model_hash")
        mblocks = []
        for r in models.itertuples(index=False):
            mblocks.append({"kind": "text", "text": f"{r.model_name} — {r.model_title or ''} (headline {r.model_headline})"})
            mblocks.append({"kind": "pre", "text": r.model_lavaan or ""})
        if mblocks:
            sections.append({"id": "models", "title": t("m_models", L), "blocks": mblocks})
        ext = rel.loc[rel["kind"] == "external"]
        if len(ext):
            sections.append({"id": "sources", "title": t("m_sources", L), "blocks": [
                {"kind": "links", "items": [(self.href("methodology.html", f"releases.html#r{int(r.release_key)}"),
                                             r.release_id, f"{r.notes or ''} {r.source or ''}") for r in ext.itertuples(index=False)]}]})
        sections.append({"id": "store", "title": t("m_store", L), "blocks": [
            {"kind": "text", "text": t("m_store_text", L, store=Path(self.d.store_path).name, version=self.d.version)}]})
        self.render("methodology.html", t("method_title", L), sections)

    def releases_page(self) -> None:
        L = self.lang
        page = "releases.html"
        rel = self.d.releases.sort_values("release_key")
        counts = self.d.fig.groupby("release_key").size() if len(self.d.fig) else pd.Series(dtype=int)
        by_key = dict(zip(rel["release_key"], rel["release_id"]))
        headers = [(label("release", L), ""), (label("date", L), ""), (label("kind", L), ""), (label("model", L), ""),
                   (label("periods", L), ""), (label("figures", L), "num"), (label("revised", L), ""), (label("notes", L), "")]
        rows, blocks = [], []
        for r in rel.itertuples(index=False):
            rv = self.d.revisions.get(int(r.release_key))
            rtext = "—" if rv is None or rv.empty else ", ".join(
                f"{n} {t('reason_' + k, L)}" for k, n in rv["reason"].value_counts().items())
            note = r.notes or ""
            if r.status == "superseded":
                note = f"{t('superseded', L, by=by_key.get(r.superseded_by, r.superseded_by))}. {note}"
            periods = ", ".join(_json_list(r.periods)[:8])
            rows.append({"cells": [(r.release_id, "", f"#r{int(r.release_key)}"), (str(pd.Timestamp(r.release_date).date()), "", None),
                                   (t(f"kind_{r.kind}", L), "", None), (r.model_name or "—", "", None), (periods, "", None),
                                   (fmt_int(counts.get(r.release_key, 0)), "num", None), (rtext, "", None), (note, "reason", None)],
                         "cls": "muted" if r.status == "superseded" else ""})
        df = rel[["release_key", "release_id", "release_date", "kind", "status", "superseded_by", "model_name", "estimator",
                  "frequency", "periods", "notes", "source"]]
        blocks.append(self.table(page, "releases", df, headers, rows, caption=t("releases_caption", L)))
        sections = [{"id": "releases", "title": t("releases_title", L), "blocks": blocks}]
        for key, rv in self.d.revisions.items():
            if rv.empty:
                continue
            h = [(label("level", L), ""), (label("unit", L), ""), (label("period", L), ""), (label("latent", L), ""),
                 (label("from_value", L), "num"), (label("to_value", L), "num"), (label("revision", L), "num"),
                 (label("reason_rev", L), ""), (label("reason", L), "")]
            rr = [{"cells": [(x.level, "", None), (x.unit, "", self.unit_link(page, x.level, x.unit)), (x.period, "", None),
                             (x.latent, "", None), (fmt_index(x.index_from), "num", None), (fmt_index(x.index_to), "num", None),
                             (_fmt_rev(x.revision), "num", None), (t("reason_" + x.reason, L) if x.reason else "", "", None),
                             (x.detail, "reason", None)], "cls": ""} for x in rv.itertuples(index=False)]
            sections.append({"id": f"r{key}", "title": t("revisions_of", L, release=by_key[key]),
                             "blocks": [self.table(page, f"revisions_{key}", rv, h, rr)]})
        for r in rel.itertuples(index=False):  # an anchor for every release without revisions too
            if int(r.release_key) not in self.d.revisions or self.d.revisions[int(r.release_key)].empty:
                sections.append({"id": f"r{int(r.release_key)}", "title": r.release_id, "blocks": [
                    {"kind": "text", "text": (r.notes or "") + (f" ({r.source})" if r.source else ""), "cls": "muted"}]})
        self.render(page, t("releases_title", L), sections)

    def build(self) -> list[Path]:
        self.national()
        for r in self.d.units.itertuples(index=False):
            self.unit(r.level, r.unit, r.page, r.parent)
        self.league()
        self.units_index()
        self.methodology()
        self.releases_page()
        return self.written


def _false(v) -> bool:
    """True for a recorded False (not for a missing value)."""
    return v is not None and v is not pd.NA and v == v and not bool(v)


def _ci(r) -> str:
    g = r.get if isinstance(r, (pd.Series, dict)) else (lambda k: getattr(r, k))
    text = fmt_ci(g("ci_lower"), g("ci_upper"))
    lvl = g("ci_level")
    return text if text == "—" or lvl is None or lvl != lvl else f"{text} {float(lvl):.0%}"


def _fmt_rev(v) -> str:
    if v is None or v != v:
        return "—"
    return f"{v:+.3f}" if abs(v) < 0.05 else fmt_change(v)


def _json_list(text) -> list:
    import json

    try:
        v = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return []
    return [str(x) for x in (v or [])]


def _version() -> str:
    from ..provenance import acsi_version

    return acsi_version()


def build_site(store, out_dir, *, lang=LANGS, title: str | None = None) -> list[Path]:
    """Write the static website of ``store`` into ``out_dir``; returns the files written.

    Parameters
    ----------
    store : path or HistoryStore
    out_dir : path
        Created if missing; files of an earlier build are overwritten.
    lang : str or sequence of {"en", "zh"}
        Languages (default both); each gets its own folder.
    title : str, optional
        Site title (default "Customer satisfaction index" / 顧客滿意度指數).
    """
    from ..report.i18n import check_lang

    langs = (lang,) if isinstance(lang, str) else tuple(lang)
    for x in langs:
        check_lang(x, "build_site")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    st, mine = as_store(store)
    try:
        data = _load(st)
    finally:
        if mine:
            st.close()
    written: list[Path] = []
    css = out / "style.css"
    css.write_text((Path(__file__).parent / "templates" / "style.css").read_text(encoding="utf-8"), encoding="utf-8")
    written.append(css)
    shared_files: set[str] = set()
    for x in langs:
        b = _Builder(data, out, x, title)
        b.data_files = shared_files
        written += b.build()
    links = "".join(f'<li><a href="{x}/index.html" hreflang="{x}">{t("site_title", x)} — {"English" if x == "en" else "中文"}</a></li>'
                    for x in langs)
    root = out / "index.html"
    root.write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title or t("site_title", "en")}</title>'
        f'<link rel="stylesheet" href="style.css"></head><body><header class="masthead"><h1>{title or t("site_title", "en")}</h1>'
        f'<p class="subtitle">{" / ".join(t("choose_language", x) for x in langs)}</p></header><main><section><ul class="links">'
        f"{links}</ul></section></main></body></html>", encoding="utf-8")
    written.append(root)
    return written
