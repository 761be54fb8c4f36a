"""The ``acsi`` logger: messages from the package go to ``logging.getLogger("acsi")``.

acsi never adds handlers to the root logger.  Libraries log; applications decide what to
show: the command line calls :func:`configure` with its ``-v``/``-q`` flags, a notebook or
script can call it too (or configure :mod:`logging` itself).  Without configuration,
Python's last-resort handler prints warnings and errors only, as for any library.

>>> import logging
>>> get_logger("acsi.fitting").name
'acsi.fitting'
"""

from __future__ import annotations

import logging

__all__ = ["LOGGER_NAME", "PROGRESS_MIN_ITEMS", "configure", "get_logger", "progress_bar", "verbosity_level"]

LOGGER_NAME = "acsi"
#: A progress bar is shown by default from this many units (fit) or tasks (bootstrap).
PROGRESS_MIN_ITEMS = 20
_HANDLER_NAME = "acsi-cli"


def get_logger(name: str = LOGGER_NAME) -> logging.Logger:
    """The ``acsi`` logger or one of its children (``acsi.fitting``...)."""
    if name != LOGGER_NAME and not name.startswith(LOGGER_NAME + "."):
        name = f"{LOGGER_NAME}.{name}"
    return logging.getLogger(name)


def verbosity_level(verbose: int = 0, quiet: bool = False) -> int:
    """``logging`` level for a verbosity count: quiet -> ERROR, 0 -> WARNING, 1 -> INFO, 2+ -> DEBUG."""
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (like logging's last resort)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        import sys

        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ assigns it; the property ignores it
        pass


def configure(verbose: int = 0, quiet: bool = False, stream=None) -> logging.Logger:
    """Show the ``acsi`` logger's messages at the given verbosity on ``stream`` (stderr).

    Adds one handler to the ``acsi`` logger (replacing the one an earlier call added),
    never to the root logger.
    """
    logger = logging.getLogger(LOGGER_NAME)
    for h in list(logger.handlers):
        if h.get_name() == _HANDLER_NAME:
            logger.removeHandler(h)
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("acsi: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(verbosity_level(verbose, quiet))
    logger.propagate = False
    return logger


class _NoBar:
    """Stands in for a progress bar when none is shown."""

    def __init__(self, iterable=None):
        self._it = iterable

    def __iter__(self):
        return iter(self._it)

    def update(self, k: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(iterable=None, *, total: int | None = None, desc: str = "", unit: str = "it", enabled: bool = True):
    """A ``tqdm.auto`` progress bar: a text bar in a terminal, a widget in Jupyter; a no-op when disabled.

    Iterate over it (``iterable`` given) or call ``update(k)`` and ``close()``.
    """
    if not enabled:
        return _NoBar(iterable)
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit)
