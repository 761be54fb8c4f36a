"""The static website of the index history: ``build_site(store, out_dir, lang=("en", "zh"))``.

National page with the long series and the latest release, one page per sector, industry and
company with its history, league tables, the significance of the latest change, methodology and
release notes, CSV/Parquet downloads for every table, in English and Chinese. Static files only;
charts are inline SVG (:mod:`acsi.site.charts`), no JavaScript. See :mod:`acsi.site.build`.
"""

from .build import LANGS, build_site

__all__ = ["build_site", "LANGS"]
