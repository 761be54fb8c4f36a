"""Row quoting for aggregation errors: the helpers live in :mod:`acsi.data._describe`."""

from ..data._describe import MAX_ROWS, describe_keys, describe_rows

__all__ = ["MAX_ROWS", "describe_keys", "describe_rows"]
