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

from ...ops import dropout as _D
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


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
        return _D.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """During training, zero whole channels of ``(N, C, L)`` / ``(C, L)`` inputs."""

    def forward(self, input):
        return _D.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """During training, zero whole channels of ``(N, C, H, W)`` inputs."""

    def forward(self, input):
        return _D.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """During training, zero whole channels of ``(N, C, D, H, W)`` / ``(C, D, H, W)`` inputs."""

    def forward(self, input):
        return _D.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout that keeps SELU activations' mean and variance (training only)."""

    def forward(self, input):
        return _D.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (training only)."""

    def forward(self, input):
        return _D.feature_alpha_dropout(input, self.p, self.training)
