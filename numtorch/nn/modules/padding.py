"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad`` and
``CircularPad``, each for 1, 2 and 3 dims; ``forward`` is ``F.pad`` with the layer's mode.

``padding`` is an int (the same on every side) or a tuple ``(left, right[, top, bottom[, front,
back]])``, last dim first, as ``F.pad`` takes it; negative values crop.

>>> import numtorch as torch
>>> m = torch.nn.ZeroPad2d((1, 1, 2, 0))
>>> m
ZeroPad2d((1, 1, 2, 0))
>>> m(torch.ones(1, 1, 1, 1))
tensor([[[[0., 0., 0.],
          [0., 0., 0.],
          [0., 1., 0.]]]])
>>> torch.nn.ReflectionPad1d(2)(torch.tensor([[1.0, 2.0, 3.0]]))
tensor([[3., 2., 1., 2., 3., 2., 1.]])
"""
from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor
from ..functional import pad as _pad
from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d"]


def _sides(padding, n: int) -> tuple:
    """An int (or any non-iterable) repeated on all ``n`` sides; an iterable as a tuple."""
    return tuple(padding) if isinstance(padding, Iterable) else (padding,) * n


class _PadNd(Module):
    """Common part: ``padding`` (a tuple) and ``forward`` through ``F.pad`` in ``_mode``."""

    __constants__ = ["padding"]
    _mode = "constant"
    _sides_count = 2

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, self._sides_count)

    def forward(self, input: Tensor) -> Tensor:
        return _pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


# -- constant / zero ------------------------------------------------------------------------------

class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return _pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``.

    >>> import numtorch as torch
    >>> torch.nn.ConstantPad1d((1, 0), 9.0)(torch.tensor([[1.0, 2.0]]))
    tensor([[9., 1., 2.]])
    """

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value`` (``padding``: int or (left, right, top, bottom))."""
    _sides_count = 4

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value`` (``padding``: int or a 6-tuple)."""
    _sides_count = 6

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding, value)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros.

    >>> import numtorch as torch
    >>> torch.nn.ZeroPad1d(1)
    ZeroPad1d((1, 1))
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last 2 dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last 3 dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


# -- reflection / replication ---------------------------------------------------------------------

class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """Reflect the last dim at its edges (edge not repeated): input (C, W) or (N, C, W)."""

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReflectionPad2d(_ReflectionPadNd):
    """Reflect the last 2 dims: input (C, H, W) or (N, C, H, W)."""
    _sides_count = 4

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReflectionPad3d(_ReflectionPadNd):
    """Reflect the last 3 dims: input (C, D, H, W) or (N, C, D, H, W)."""
    _sides_count = 6

    def __init__(self, padding) -> None:
        super().__init__(padding)


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """Repeat the edge values of the last dim: input (C, W) or (N, C, W).

    >>> import numtorch as torch
    >>> torch.nn.ReplicationPad1d((2, 1))(torch.tensor([[1.0, 2.0]]))
    tensor([[1., 1., 1., 2., 2.]])
    """

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReplicationPad2d(_ReplicationPadNd):
    """Repeat the edge values of the last 2 dims: input (C, H, W) or (N, C, H, W)."""
    _sides_count = 4

    def __init__(self, padding) -> None:
        super().__init__(padding)


class ReplicationPad3d(_ReplicationPadNd):
    """Repeat the edge values of the last 3 dims: input (C, D, H, W) or (N, C, D, H, W)."""
    _sides_count = 6

    def __init__(self, padding) -> None:
        super().__init__(padding)


# -- circular -------------------------------------------------------------------------------------

class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        k = self._sides_count // 2
        if input.ndim not in (k + 1, k + 2):
            raise ValueError(f"expected {k + 1}D or {k + 2}D input (got {input.ndim}D input)")
        return _pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Wrap the last dim around: input (C, W) or (N, C, W).

    >>> import numtorch as torch
    >>> torch.nn.CircularPad1d(1)(torch.tensor([[1.0, 2.0, 3.0]]))
    tensor([[3., 1., 2., 3., 1.]])
    """

    def __init__(self, padding) -> None:
        super().__init__(padding)


class CircularPad2d(_CircularPadNd):
    """Wrap the last 2 dims around: input (C, H, W) or (N, C, H, W)."""
    _sides_count = 4

    def __init__(self, padding) -> None:
        super().__init__(padding)


class CircularPad3d(_CircularPadNd):
    """Wrap the last 3 dims around: input (C, D, H, W) or (N, C, D, H, W)."""
    _sides_count = 6

    def __init__(self, padding) -> None:
        super().__init__(padding)
