"""``Dropout``: zero elements with probability ``p`` while training; identity in eval mode.

The masks are PyTorch's own (same seed, same zeros).

>>> import numtorch as torch
>>> m = Dropout(p=0.5)
>>> m
Dropout(p=0.5, inplace=False)
>>> m.eval()(torch.ones(3))
tensor([1., 1., 1.])
"""
from __future__ import annotations

from ...ops import nn_ops as _F
from .module import Module

__all__ = ["Dropout"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """During training, zero each element with probability ``p`` and scale the rest by 1/(1-p)."""

    def forward(self, input):
        return _F.dropout(input, self.p, self.training, self.inplace)
