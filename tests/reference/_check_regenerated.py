"""Check that regenerated reference files hold the same numbers as a committed revision.

Usage (from the repository root, after re-running case scripts)::

    python tests/reference/_check_regenerated.py [REV] [CASE ...]

For every CSV under ``tests/reference/<case>/`` that exists both in the working tree and at git
revision ``REV`` (default ``HEAD``), every column and row of the old file must be present in the
new one with **bit-identical** values (columns and rows may be added: the new file may hold more
fit measures, more estimate columns and the R-square rows). Rows of ``estimates.csv`` and
``partable.csv`` are matched on (lhs, op, rhs, group) where present, other tables by position.
Prints one line per file and exits 1 on any difference.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
KEYED = {"estimates.csv", "partable.csv"}


def _read(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=["NA"])


def _old(rev: str, rel: str) -> str | None:
    out = subprocess.run(["git", "show", f"{rev}:{rel}"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else None


def compare(old: pd.DataFrame, new: pd.DataFrame, keyed: bool) -> list[str]:
    """Differences between old and new (old's columns and rows must be in new, same values)."""
    problems = [f"column {c!r} dropped" for c in old.columns if c not in new.columns]
    cols = [c for c in old.columns if c in new.columns]
    if keyed:
        key = [k for k in ("lhs", "op", "rhs", "group") if k in old.columns]
        old = old.set_index(key)
        new = new.set_index(key)
        missing = old.index.difference(new.index)
        problems += [f"row {k} dropped" for k in missing]
        new = new.loc[old.index.intersection(new.index)]
        old = old.loc[new.index]
        cols = [c for c in cols if c not in key]
    else:
        if len(new) < len(old):
            problems.append(f"{len(old) - len(new)} rows dropped")
        new = new.iloc[: len(old)]
    for c in cols:
        a, b = old[c].to_numpy(), new[c].to_numpy()
        if a.dtype.kind in "fi" and b.dtype.kind in "fi":
            same = (a == b) | (np.isnan(a.astype(float)) & np.isnan(b.astype(float)))
        else:
            same = a.astype(str) == b.astype(str)
        if not same.all():
            problems.append(f"column {c!r}: {int((~same).sum())} values differ")
    return problems


def main(argv: list[str]) -> int:
    rev = argv[0] if argv else "HEAD"
    cases = argv[1:] or sorted(p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_"))
    bad = 0
    for case in cases:
        for path in sorted((HERE / case).glob("*.csv")):
            rel = path.relative_to(ROOT).as_posix()
            text = _old(rev, rel)
            if text is None:
                print(f"new   {rel}")
                continue
            problems = compare(_read(text), _read(path.read_text()), path.name.endswith(tuple(KEYED)))
            print(f"{'DIFF ' if problems else 'same '} {rel}" + "".join(f"\n      {p}" for p in problems))
            bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
