"""``torch.amp``: ``autocast`` (a region PyTorch runs in lower precision; numtorch computes in
the tensors' own dtypes, see ``autocast_mode``) and ``GradScaler`` (loss scaling with PyTorch's
values).

>>> import numtorch as torch
>>> scaler = torch.amp.GradScaler("cpu")
>>> with torch.amp.autocast("cpu"):
...     loss = torch.tensor(2.0)
>>> scaler.scale(loss)
tensor(131072.)
"""
from . import autocast_mode, grad_scaler
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_fwd", "custom_bwd", "is_autocast_available", "GradScaler",
           "autocast_mode", "grad_scaler"]
