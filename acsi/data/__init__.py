"""Survey data in: readers, validation, missing codes, data accounting, the bundled demo data."""

from .bundled import demo_sales, demo_survey
from .io import read_survey, read_table
from .prepare import DEFAULT_MISSING_CODES, DROP_REASONS, PreparedData, prepare_survey

__all__ = ["read_survey", "read_table", "prepare_survey", "PreparedData", "DROP_REASONS", "DEFAULT_MISSING_CODES",
           "demo_survey", "demo_sales"]
