"""``python -m numtorch``: the ``numtorch`` command (see :mod:`numtorch.cli`)."""
from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point: ``numtorch examples | run | info``."""
    from .cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
