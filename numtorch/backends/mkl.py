"""``torch.backends.mkl``: PyTorch's x86 CPU build links MKL; numtorch answers the same.

>>> import numtorch as torch
>>> torch.backends.mkl.is_available()
True
>>> with torch.backends.mkl.verbose(torch.backends.mkl.VERBOSE_ON):
...     pass
"""
from __future__ import annotations

from ._flags import Verbose

__all__ = ["is_available", "verbose", "VERBOSE_OFF", "VERBOSE_ON"]

VERBOSE_OFF = 0
VERBOSE_ON = 1


def is_available() -> bool:
    """True, as PyTorch's x86 CPU build answers."""
    return True


class verbose(Verbose):
    """Context manager for MKL's verbose output: accepted, prints nothing here."""

    def __init__(self, enable: int) -> None:
        self.enable = enable
