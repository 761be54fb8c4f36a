"""The command line: ``acsi COMMAND ...`` (and ``python -m acsi COMMAND ...``).

One package for every command (:data:`acsi.cli.app.COMMANDS`, an explicit registry), one
error handler and one exit-code table (:data:`EXIT_CODES`, shown by ``acsi --help``).  The
commands only parse arguments and call the public API; the library validates the values.
Importing this package is light (argparse only), so ``acsi --version`` and ``acsi --help``
answer at once.
"""

from .app import (
    EXIT_CODES, EXIT_ERROR, EXIT_FILE, EXIT_INTERRUPTED, EXIT_NO_INDEX, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE,
    build_parser, main,
)

__all__ = ["EXIT_CODES", "EXIT_ERROR", "EXIT_FILE", "EXIT_INTERRUPTED", "EXIT_NO_INDEX", "EXIT_OK", "EXIT_TERMINATED",
           "EXIT_USAGE", "build_parser", "main"]
