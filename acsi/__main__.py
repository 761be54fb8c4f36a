"""``python -m acsi COMMAND ...``: the same command line as ``acsi``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
