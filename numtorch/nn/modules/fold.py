"""``Unfold`` and ``Fold``: sliding blocks to columns (im2col) and back (col2im).

>>> import numtorch as torch
>>> torch.nn.Unfold(kernel_size=(2, 3))(torch.zeros(2, 5, 3, 4)).shape
torch.Size([2, 30, 4])
>>> torch.nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(torch.zeros(1, 12, 12)).shape
torch.Size([1, 3, 4, 5])
"""
from __future__ import annotations

from ..._tensor import Tensor
from ...ops import conv as _C
from .module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """Sum ``(N, C*prod(kernel_size), L)`` columns into ``(N, C, *output_size)`` (``F.fold``)."""

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return _C.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                       self.stride)

    def extra_repr(self) -> str:
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, "
                "padding={padding}, stride={stride}".format(**self.__dict__))


class Unfold(Module):
    """Extract sliding blocks: ``(N, C, H, W)`` -> ``(N, C*prod(kernel_size), L)`` (``F.unfold``)."""

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return _C.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return ("kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))
