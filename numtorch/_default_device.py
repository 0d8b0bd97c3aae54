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

from typing import Any

from ._device import device as Device, default_state

__all__ = ["set_default_device", "get_default_device"]


def set_default_device(device: Any) -> None:
    """Make ``device`` the default for new tensors (``None`` restores ``cpu``).

    Raises what creating a tensor on ``device`` raises when it is not a CPU device (for CUDA:
    ``AssertionError: Torch not compiled with CUDA enabled``).
    """
    if device is None:
        default_state[0] = None
        return
    if isinstance(device, int) and not isinstance(device, bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    d = Device(device)
    if d.type != "cpu":
        from .cuda import _require_cuda
        _require_cuda(d)
    default_state[0] = d


def get_default_device() -> Device:
    """The default device of new tensors: ``device(type='cpu')`` unless set otherwise."""
    d = default_state[0]
    if d is None:
        return Device("cpu")
    if d.type != "cpu":
        from .cuda import _require_cuda
        _require_cuda(d)
    return d
