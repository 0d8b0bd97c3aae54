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

from contextlib import contextmanager
from typing import Iterator, Optional, Tuple

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
    global enabled, benchmark, benchmark_limit, deterministic, allow_tf32, fp32_precision
    g = globals()
    orig = (enabled, benchmark, benchmark_limit, deterministic, allow_tf32, fp32_precision,
            g["_depthwise_kernel"])
    if _enabled is not None:
        enabled = _enabled
    if _benchmark is not None:
        benchmark = _benchmark
    if _deterministic is not None:
        deterministic = _deterministic
    if _allow_tf32 is not None:
        allow_tf32 = _allow_tf32
    if _fp32_precision is not None:
        fp32_precision = _fp32_precision
    if _depthwise_kernel is not None:
        g["_depthwise_kernel"] = _depthwise_kernel
    # without cuDNN PyTorch keeps benchmark_limit at None whatever is asked
    return orig


@contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True, fp32_precision: str = "none",
          depthwise_kernel: str = "auto") -> Iterator[None]:
    """Set the flags inside a ``with`` block and restore them after."""
    orig = set_flags(enabled, benchmark, benchmark_limit, deterministic, allow_tf32,
                     fp32_precision, depthwise_kernel)
    try:
        yield
    finally:
        set_flags(*orig)
