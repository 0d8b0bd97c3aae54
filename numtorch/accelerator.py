"""``torch.accelerator``: the device-agnostic accelerator API; numtorch has no accelerator.

>>> import numtorch as torch
>>> torch.accelerator.is_available(), torch.accelerator.current_accelerator()
(False, None)
>>> device = torch.accelerator.current_accelerator() or torch.device("cpu")
>>> device
device(type='cpu')
"""
from __future__ import annotations

from typing import Any, Optional

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "current_stream",
           "set_stream", "synchronize", "empty_cache", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "max_memory_reserved", "memory_stats",
           "reset_peak_memory_stats", "reset_accumulated_memory_stats", "device_index"]

_NONE = "Cannot access accelerator device when none is available."


def _none(*args: Any, **kwargs: Any):
    raise RuntimeError(_NONE)


def is_available() -> bool:
    """False: numtorch computes on the CPU."""
    return False


def current_accelerator(check_available: bool = False) -> Optional[Any]:
    """None: no accelerator was built in."""
    return None


def device_count() -> int:
    """0 accelerators."""
    return 0


def current_device_index() -> int:
    """Raises ``RuntimeError``: there is no accelerator device."""
    _none()


current_device_idx = current_device_index


def set_device_index(device: Any, /) -> None:
    """Raises ``RuntimeError``: there is no accelerator device."""
    _none()


set_device_idx = set_device_index


def current_stream(device: Any = None, /):
    _none()


def set_stream(stream: Any) -> None:
    _none()


def synchronize(device: Any = None, /) -> None:
    """Raises ``RuntimeError``, as PyTorch does without an accelerator."""
    _none()


def empty_cache() -> None:
    _none()


def memory_allocated(device_index: Any = None, /) -> int:
    _none()


def max_memory_allocated(device_index: Any = None, /) -> int:
    _none()


def memory_reserved(device_index: Any = None, /) -> int:
    _none()


def max_memory_reserved(device_index: Any = None, /) -> int:
    _none()


def memory_stats(device_index: Any = None, /):
    _none()


def reset_peak_memory_stats(device_index: Any = None, /) -> None:
    _none()


def reset_accumulated_memory_stats(device_index: Any = None, /) -> None:
    _none()


class device_index:
    """``with torch.accelerator.device_index(i):``: nothing to select without an accelerator
    (an index other than ``None`` raises on entry, as in PyTorch)."""

    def __init__(self, device: Optional[int], /) -> None:
        self.idx = device
        self.prev_idx = -1

    def __enter__(self) -> "device_index":
        if self.idx is not None:
            _none()
        return self

    def __exit__(self, *exc) -> bool:
        return False
