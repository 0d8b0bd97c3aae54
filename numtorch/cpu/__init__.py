"""``torch.cpu``: the CPU device's module (numtorch's only device): it is available, there is
one, streams and synchronization are no-ops; ``torch.cpu.amp`` holds the deprecated autocast and
GradScaler names.

>>> import numtorch as torch
>>> torch.cpu.is_available(), torch.cpu.device_count(), torch.cpu.current_device()
(True, 1, 'cpu')
"""
from __future__ import annotations

from typing import Any

from . import amp

__all__ = ["amp", "is_available", "is_initialized", "device_count", "current_device",
           "set_device", "synchronize", "current_stream", "stream", "Stream", "Event",
           "StreamContext"]


def is_available() -> bool:
    return True


def is_initialized() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def set_device(device: Any) -> None:
    """Nothing to select: one CPU device."""


def synchronize(device: Any = None) -> None:
    """Nothing to wait for: CPU work is done when a call returns."""


class Stream:
    """A CPU stream: work runs in order, at once."""

    def __init__(self, priority: int = -1) -> None:
        self.priority = priority

    def wait_stream(self, stream: "Stream") -> None:
        pass

    def synchronize(self) -> None:
        pass


_default_stream = Stream()


def current_stream(device: Any = None) -> Stream:
    return _default_stream


class Event:
    """A CPU event: recorded and complete at once."""

    def query(self) -> bool:
        return True

    def record(self, stream: Any = None) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def wait(self, stream: Any = None) -> None:
        pass


class StreamContext:
    """``with torch.cpu.stream(s):`` does nothing."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        pass


def stream(stream: Any) -> StreamContext:
    return StreamContext(stream)
