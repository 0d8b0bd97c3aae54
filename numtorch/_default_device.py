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
"""
from __future__ import annotations

from typing import Any, Optional

from ._device import device as Device

__all__ = ["set_default_device", "get_default_device"]

_default: Optional[Device] = None


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
    return _default if _default is not None else Device("cpu")
