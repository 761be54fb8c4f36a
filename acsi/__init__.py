"""acsi: structural-equation engine for customer-satisfaction indexes.

Five lines from a survey to national indexes::

    import acsi
    spec = acsi.load_model("acsi")
    fit = acsi.fit(survey, spec, unit="company")      # one SEM per company and period
    fit.indexes                                        # 0-100 index, SE, CI per company
    idx = acsi.aggregate(fit.indexes, weights=sales)   # industry, sector, national
"""

from importlib.metadata import PackageNotFoundError, version

from .aggregate import aggregate
from .data import prepare_survey, read_survey
from .errors import (
    AcsiError,
    AcsiWarning,
    AdmissibilityWarning,
    AggregationError,
    ConvergenceWarning,
    DataError,
    EstimationError,
    ScoringError,
    SpecError,
)
from .compare import compare
from .fitting import fit
from .results import FitResult
from .spec import ModelSpec, list_models, load_model, parse_lavaan

try:
    __version__ = version("acsi")
except PackageNotFoundError:  # pragma: no cover
    __version__ = "0+unknown"


def __getattr__(name):
    """Load the plotting and reporting layers on first use (``acsi.plot.path_diagram(fit)``)."""
    if name in ("plot", "report", "methods", "simulate", "bootstrap"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'acsi' has no attribute {name!r}")


def demo_survey():
    """The bundled synthetic national survey (see ``acsi/demo_data/README.md``)."""
    from .demo import demo_survey as _ds

    return _ds()


def demo_sales():
    """The sales-weight table that goes with :func:`demo_survey`."""
    from .demo import demo_sales as _dsales

    return _dsales()


__all__ = [
    "AcsiError", "AcsiWarning", "AdmissibilityWarning", "AggregationError", "ConvergenceWarning", "DataError", "EstimationError",
    "FitResult", "ModelSpec", "ScoringError", "SpecError", "aggregate", "compare", "demo_sales", "demo_survey", "fit",
    "list_models", "load_model", "parse_lavaan", "prepare_survey", "read_survey", "__version__",
]
