"""``torch.cuda.amp``: deprecated names for ``torch.amp.autocast("cuda")``,
``torch.amp.GradScaler("cuda")``, ``custom_fwd`` and ``custom_bwd``. Each warns with PyTorch's
``FutureWarning``; without CUDA, ``autocast`` and ``GradScaler`` then warn and disable themselves,
as PyTorch does.

>>> import warnings, numtorch as torch
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     torch.cuda.amp.GradScaler().is_enabled()
False
"""
from __future__ import annotations

from .. import _dtype
from ..amp import autocast_mode, grad_scaler
from ..amp.autocast_mode import _warn_device_amp

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


class autocast(autocast_mode.autocast):
    """``torch.autocast("cuda", ...)`` under its deprecated name (disabled without CUDA)."""

    def __init__(self, enabled: bool = True, dtype=_dtype.float16,
                 cache_enabled: bool = True) -> None:
        _warn_device_amp("autocast", "cuda")
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(grad_scaler.GradScaler):
    """``torch.amp.GradScaler("cuda", ...)`` under its deprecated name (disabled without CUDA)."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        _warn_device_amp("GradScaler", "cuda")
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    """``torch.amp.custom_fwd(device_type="cuda")`` under its deprecated name."""
    _warn_device_amp("custom_fwd", "cuda")
    return autocast_mode.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd=None):
    """``torch.amp.custom_bwd(device_type="cuda")`` under its deprecated name."""
    _warn_device_amp("custom_bwd", "cuda")
    return autocast_mode.custom_bwd(bwd, device_type="cuda")
