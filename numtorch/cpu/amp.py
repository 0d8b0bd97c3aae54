"""``torch.cpu.amp``: deprecated names for ``torch.amp.autocast("cpu")`` and
``torch.amp.GradScaler("cpu")`` (each warns with PyTorch's ``FutureWarning``).

>>> import warnings, numtorch as torch
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     torch.cpu.amp.GradScaler().is_enabled()
True
"""
from __future__ import annotations

from .._foreign_dtype import bfloat16
from ..amp import autocast_mode, grad_scaler
from ..amp.autocast_mode import _warn_device_amp

__all__ = ["autocast", "GradScaler"]


class autocast(autocast_mode.autocast):
    """``torch.autocast("cpu", ...)`` under its deprecated name."""

    def __init__(self, enabled: bool = True, dtype=bfloat16, cache_enabled: bool = True) -> None:
        _warn_device_amp("autocast", "cpu")
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(grad_scaler.GradScaler):
    """``torch.amp.GradScaler("cpu", ...)`` under its deprecated name."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        _warn_device_amp("GradScaler", "cpu")
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
