"""``torch.backends.openmp``: a CPU build of PyTorch is built with OpenMP.

>>> import numtorch as torch
>>> torch.backends.openmp.is_available()
True
"""
from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """True, as a CPU build of PyTorch answers (numtorch's BLAS threads itself)."""
    return True
