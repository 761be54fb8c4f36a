"""Survey data in: readers, validation, missing codes, data accounting."""

from .io import read_survey, write_table
from .prepare import DEFAULT_MISSING_CODES, DROP_REASONS, PreparedData, prepare_survey

__all__ = ["read_survey", "write_table", "prepare_survey", "PreparedData", "DROP_REASONS", "DEFAULT_MISSING_CODES"]
