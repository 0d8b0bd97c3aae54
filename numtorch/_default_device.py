"""``torch.set_default_device`` / ``torch.get_default_device``.

numtorch computes on the CPU only, so the default device is always a CPU device. Asking for
another one raises at once the error that creating a tensor there raises (PyTorch without CUDA
accepts ``set_default_device("cuda")`` and raises the same ``AssertionError: Torch not compiled
with CUDA enabled`` at the next tensor creation; numtorch raises it one line earlier).

>>> import numtorch as torch
>>> torch.set_default_device("cpu")
>>> torch.get_default_device()
device(type='cpu')
>>> torch.set_default_device(None)   # back to the default
>>> with torch.device("cpu", 0):     # a default device for a block, as in PyTorch
...     torch.get_default_device()
device(type='cpu', index=0)

A ``with torch.device("cuda")`` block is entered, as in PyTorch; asking for the default device or
creating a tensor inside it raises PyTorch's ``AssertionError: Torch not compiled with CUDA
enabled``.
"""
from __future__ import annotations

from typing import Any, Optional

from ._device import device as Device

__all__ = ["set_default_device", "get_default_device"]

_default: Optional[Device] = None
_outer: list = []            # the defaults that ``with torch.device(...)`` blocks replaced


def set_default_device(device: Any) -> None:
    """Make ``device`` the default for new tensors (``None`` restores ``cpu``).

    Raises what creating a tensor on ``device`` raises when it is not a CPU device (for CUDA:
    ``AssertionError: Torch not compiled with CUDA enabled``).
    """
    global _default
    if device is None:
        _default = None
        return
    if isinstance(device, int) and not isinstance(device, bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    d = Device(device)
    if d.type != "cpu":
        from .cuda import _require_cuda
        _require_cuda(d)
    _default = d


def get_default_device() -> Device:
    """The default device of new tensors: ``device(type='cpu')`` unless set otherwise."""
    if _default is None:
        return Device("cpu")
    if _default.type != "cpu":
        from .cuda import _require_cuda
        _require_cuda(_default)
    return _default


def enter_device(d: Device) -> None:
    """``with d:`` -- ``d`` is the default device until the matching :func:`exit_device`.
    Not checked here (PyTorch enters a CUDA device and fails at its first use)."""
    global _default
    _outer.append(_default)
    _default = d


def exit_device() -> None:
    """The end of a ``with torch.device(...)`` block: the default before it again."""
    global _default
    _default = _outer.pop() if _outer else None
