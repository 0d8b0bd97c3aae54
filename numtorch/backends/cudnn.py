"""``torch.backends.cudnn``: flags as on PyTorch without CUDA (cuDNN unavailable).

``enabled``, ``benchmark``, ``deterministic``, ``allow_tf32`` and ``benchmark_limit`` can be
read and set (tutorials set ``benchmark = True`` or ``deterministic = True``); they change nothing
in numtorch, whose CPU results are deterministic.

>>> import numtorch as torch
>>> torch.backends.cudnn.is_available(), torch.backends.cudnn.version()
(False, None)
>>> torch.backends.cudnn.deterministic = True
"""
from __future__ import annotations

from typing import ContextManager, Optional, Tuple

from ._flags import restoring, swap

__all__ = ["is_available", "version", "is_acceptable", "set_flags", "flags"]

enabled: bool = True
benchmark: bool = False
benchmark_limit: Optional[int] = None
deterministic: bool = False
allow_tf32: bool = True
fp32_precision: str = "none"
_depthwise_kernel: str = "auto"


def is_available() -> bool:
    """False: no cuDNN without CUDA."""
    return False


def version() -> Optional[int]:
    """None: cuDNN is not there."""
    return None


def is_acceptable(tensor) -> bool:
    """False: cuDNN accepts only CUDA tensors."""
    return False


def set_flags(_enabled: Optional[bool] = None, _benchmark: Optional[bool] = None,
              _benchmark_limit: Optional[int] = None, _deterministic: Optional[bool] = None,
              _allow_tf32: Optional[bool] = None, _fp32_precision: str = "none",
              _depthwise_kernel: Optional[str] = None) -> Tuple:
    """Set the flags given (``None`` keeps one); returns the previous values in PyTorch's order
    ``(enabled, benchmark, benchmark_limit, deterministic, allow_tf32, fp32_precision,
    depthwise_kernel)``."""
    # without cuDNN PyTorch keeps benchmark_limit at None whatever is asked
    return swap(globals(), ("enabled", "benchmark", "benchmark_limit", "deterministic",
                            "allow_tf32", "fp32_precision", "_depthwise_kernel"),
                (_enabled, _benchmark, None, _deterministic, _allow_tf32, _fp32_precision,
                 _depthwise_kernel))


def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True, fp32_precision: str = "none",
          depthwise_kernel: str = "auto") -> ContextManager[None]:
    """Set the flags inside a ``with`` block and restore them after."""
    return restoring(set_flags, enabled, benchmark, benchmark_limit, deterministic, allow_tf32,
                     fp32_precision, depthwise_kernel)
