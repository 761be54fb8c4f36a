"""Exceptions and warnings raised by acsi.

Every error names what is wrong, which values or columns, and how to fix it.
All errors derive from :class:`AcsiError`; the ones caused by user input also
derive from :class:`ValueError` so that generic handlers keep working.
"""

from __future__ import annotations

__all__ = [
    "AcsiError",
    "SpecError",
    "DataError",
    "InputFileError",
    "OutputError",
    "EstimationError",
    "ScoringError",
    "AggregationError",
    "MethodError",
    "InvalidParameterError",
    "AcsiWarning",
    "ConvergenceWarning",
    "AdmissibilityWarning",
    "ConsistencyWarning",
    "DataWarning",
    "NoIndexError",
]


class AcsiError(Exception):
    """Root of every exception raised by acsi."""


class SpecError(AcsiError, ValueError):
    """A model specification (file or lavaan-style text) is malformed."""


class DataError(AcsiError, ValueError):
    """Survey data do not match the model or contain invalid values."""


class InputFileError(DataError, FileNotFoundError):
    """An input file or directory does not exist or cannot be read (the command line exits with 3)."""


class OutputError(AcsiError, OSError):
    """A result cannot be written where asked: a file in the way, a folder that cannot be written, too
    little free space, another run writing the same folder, or files acsi did not write (exit 3)."""


class EstimationError(AcsiError):
    """A model could not be estimated."""


class ScoringError(AcsiError, ValueError):
    """Latent scores or indexes cannot be computed meaningfully."""


class AggregationError(AcsiError, ValueError):
    """Unit indexes or weights cannot be aggregated as asked."""


class MethodError(AcsiError, ValueError):
    """Invalid input to one of the toolkit methods in :mod:`acsi.methods`."""


class InvalidParameterError(AcsiError, ValueError, TypeError):
    """A function or command was given an option value it does not accept.

    Message form (scikit-learn's): ``The 'x' parameter of F must be <what>. Got <value> instead.``
    """


class AcsiWarning(UserWarning):
    """Root of every warning issued by acsi."""


class ConvergenceWarning(AcsiWarning):
    """The optimizer did not converge."""


class AdmissibilityWarning(AcsiWarning):
    """A solution is inadmissible (negative variance, non-PD covariance)."""


class NoIndexError(AcsiError):
    """A fit ran and was saved, but no unit produced an index (``acsi fit`` exits 4)."""


class DataWarning(AcsiWarning):
    """The data are usable but look wrong (repeated respondent ids)."""


class ConsistencyWarning(AcsiWarning):
    """A pairwise-comparison matrix is not acceptably consistent (AHP CR >= 0.1)."""
