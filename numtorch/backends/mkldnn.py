"""``torch.backends.mkldnn`` (oneDNN): flags as on a CPU build of PyTorch.

>>> import numtorch as torch
>>> torch.backends.mkldnn.is_available(), torch.backends.mkldnn.enabled
(True, True)
"""
from __future__ import annotations

from typing import ContextManager, Optional, Tuple

from ._flags import Verbose, restoring, swap

__all__ = ["is_available", "is_acl_available", "set_flags", "flags", "verbose",
           "VERBOSE_OFF", "VERBOSE_ON", "VERBOSE_ON_CREATION"]

VERBOSE_OFF = 0
VERBOSE_ON = 1
VERBOSE_ON_CREATION = 2

enabled: bool = True
deterministic: bool = False
allow_tf32: Optional[bool] = None
fp32_precision: str = "none"


def is_available() -> bool:
    """True, as a CPU build of PyTorch answers."""
    return True


def is_acl_available() -> bool:
    """False: no Arm Compute Library."""
    return False


def set_flags(_enabled: Optional[bool] = None, _deterministic: Optional[bool] = None,
              _allow_tf32: Optional[bool] = None, _fp32_precision: str = "none") -> Tuple:
    """Set the flags given (``None`` keeps one); returns the previous
    ``(enabled, deterministic, allow_tf32, fp32_precision)``."""
    return swap(globals(), ("enabled", "deterministic", "allow_tf32", "fp32_precision"),
                (_enabled, _deterministic, _allow_tf32, _fp32_precision))


def flags(enabled: bool = False, deterministic: bool = False, allow_tf32: bool = True,
          fp32_precision: str = "none") -> ContextManager[None]:
    """Set the flags inside a ``with`` block and restore them after."""
    return restoring(set_flags, enabled, deterministic, allow_tf32, fp32_precision)


class verbose(Verbose):
    """Context manager for oneDNN's verbose output: accepted, prints nothing here."""

    def __init__(self, level: int) -> None:
        self.level = level
