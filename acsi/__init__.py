"""acsi: structural-equation engine for customer-satisfaction indexes.

Five lines from a survey to national indexes::

    import acsi
    spec = acsi.load_model("acsi")
    fit = acsi.fit(survey, spec, unit="company")      # one SEM per company and period
    fit.indexes                                        # 0-100 index, SE, CI per company
    idx = acsi.aggregate(fit.indexes, weights=sales)   # industry, sector, national

``import acsi`` is light: the public names below are loaded on first use (numpy, pandas,
scipy, semopy and matplotlib only when a function needs them).  This module is the public
facade; the layers behind it are described in ``docs/ARCHITECTURE.md``.
"""

from .errors import (
    AcsiError,
    AcsiWarning,
    AdmissibilityWarning,
    AggregationError,
    ConvergenceWarning,
    DataError,
    DataWarning,
    EstimationError,
    InvalidParameterError,
    OutputError,
    ScoringError,
    SpecError,
)

#: Public name -> module that defines it (loaded on first access).
_LAZY = {
    "aggregate": "acsi.aggregate",
    "compare": "acsi.comparison",
    "ComparisonResult": "acsi.comparison",
    "fit": "acsi.fitting",
    "FitResult": "acsi.results",
    "load_results": "acsi.results",
    "ModelSpec": "acsi.spec",
    "list_models": "acsi.spec",
    "load_model": "acsi.spec",
    "parse_lavaan": "acsi.spec",
    "prepare_survey": "acsi.data",
    "read_survey": "acsi.data",
    "demo_survey": "acsi.data",
    "demo_sales": "acsi.data",
}
#: Subpackages and modules reachable as attributes (``acsi.plot.path_diagram(fit)``).
_SUBMODULES = ("bootstrap", "cli", "data", "demo", "estimate", "methods", "options", "pipeline", "plot",
               "provenance", "report", "results", "score", "simulate", "spec", "tables")


def __getattr__(name: str):
    import importlib

    if name == "__version__":
        from .provenance import acsi_version

        value = acsi_version()
    elif name == "aggregate":
        value = importlib.import_module("acsi.aggregate")  # the callable module: acsi.aggregate(indexes, weights)
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"acsi.{name}")
    else:
        raise AttributeError(f"module 'acsi' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBMODULES) | {"__version__"})


__all__ = [
    "AcsiError", "AcsiWarning", "AdmissibilityWarning", "AggregationError", "ConvergenceWarning", "DataError",
    "ComparisonResult", "DataWarning", "EstimationError", "FitResult", "InvalidParameterError", "ModelSpec",
    "OutputError", "ScoringError", "SpecError", "aggregate", "compare",
    "demo_sales", "demo_survey", "fit", "list_models", "load_model", "load_results", "parse_lavaan",
    "prepare_survey", "read_survey", "__version__",
]
