"""Write the shipped models' lavaan syntax next to this script (``<model>.lav``, and
``acsi_yes_no.lav`` for ``load_model("acsi", complaint="yes_no")``) for ``make_reference.R``.

Usage (from the repository root):  python tests/reference/partable/make_models.py

The text is ``spec.to_lavaan()`` without the ``x ~~ 0*x`` lines of single indicators: that
line restates lavaan's ``auto.fix.single`` rule, which acsi's parameter table applies as a
default row (``user = 0``), as lavaan does for a model that does not write it.
"""

import re
from pathlib import Path

from acsi.spec import list_models, load_model

HERE = Path(__file__).resolve().parent
ZERO = re.compile(r"^(\S+) ~~ 0\*\1$")

# shipped models, and variants loaded with model options
MODELS = {name: (name, {}) for name in list_models()}
MODELS["acsi_yes_no"] = ("acsi", {"complaint": "yes_no"})

for case, (name, options) in MODELS.items():
    lines = [ln for ln in load_model(name, **options).to_lavaan().splitlines() if not ZERO.match(ln)]
    (HERE / f"{case}.lav").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(case)
