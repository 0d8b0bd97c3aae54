"""``torch.backends.mps``: Apple's Metal backend, never available in numtorch.

>>> import numtorch as torch
>>> torch.backends.mps.is_available(), torch.backends.mps.is_built()
(False, False)
"""
from __future__ import annotations

__all__ = ["is_available", "is_built", "is_macos_or_newer", "is_macos13_or_newer"]


def is_available() -> bool:
    """False: numtorch has no MPS backend (PyTorch's answer off macOS)."""
    return False


def is_built() -> bool:
    """False: numtorch is not built with MPS support."""
    return False


def is_macos_or_newer(major: int, minor: int) -> bool:
    """Raises ``RuntimeError`` as PyTorch does without the MPS backend."""
    raise RuntimeError("Cannot execute isOnMacOSorNewer() without MPS backend.")


def is_macos13_or_newer(minor: int = 0) -> bool:
    """Raises ``RuntimeError`` as PyTorch does without the MPS backend."""
    return is_macos_or_newer(13, minor)
