"""Convolution layers: ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d``, as PyTorch builds them.

Same constructor arguments and defaults, the same parameter shapes and initialisation calls (so
``manual_seed`` gives PyTorch's numbers), the same ``repr`` and ``state_dict`` keys; the work is
one node of ``numtorch.ops.conv``. ``padding_mode`` other than ``"zeros"`` pads through
``F.pad`` first, as PyTorch does.

>>> import numtorch as torch
>>> torch.nn.Conv2d(1, 6, 5, padding=2)
Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
>>> torch.nn.Conv2d(1, 6, 5, padding=2)(torch.zeros(64, 1, 28, 28)).shape
torch.Size([64, 6, 28, 28])
"""
from __future__ import annotations

import collections.abc
import math
from itertools import repeat

from ..._tensor import Tensor
from ...ops import conv as _C
from ...ops.creation import empty
from .. import init
from ..functional import pad as _pad
from ..parameter import Parameter
from .linear import _factory
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


def _ntuple(n: int):
    """An iterable as a tuple, anything else repeated ``n`` times (PyTorch's ``_pair`` & co)."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))
    return parse


_single, _pair, _triple = _ntuple(1), _ntuple(2), _ntuple(3)
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, initialisation, repr."""

    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding",
                     "in_channels", "out_channels", "kernel_size"]
    _nd = 0
    _fn = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple, stride: tuple,
                 padding, dilation: tuple, transposed: bool, output_padding: tuple, groups: int,
                 bias: bool, padding_mode: str, device=None, dtype=None) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError("padding_mode must be one of {'zeros', 'reflect', 'replicate', "
                             f"'circular'}}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # what F.pad takes for a padding_mode other than zeros: (before, after) from the last dim
        if isinstance(self.padding, str):
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    self._reversed_padding_repeated_twice[2 * i] = total // 2
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - total // 2
        else:
            self._reversed_padding_repeated_twice = tuple(p for p in reversed(self.padding)
                                                          for _ in range(2))
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = Parameter(empty(shape, **kw))
        if bias:
            self.bias = Parameter(empty(out_channels, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # PyTorch's calls, in its order: the same seed gives the same numbers
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _Conv(_ConvNd):
    """``Conv1d/2d/3d``: ``forward`` = ``F.convNd`` (after ``F.pad`` for a padding_mode)."""

    _tuple = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        t = type(self)._tuple
        super().__init__(in_channels, out_channels, t(kernel_size), t(stride),
                         padding if isinstance(padding, str) else t(padding), t(dilation), False,
                         t(0), groups, bias, padding_mode, device=device, dtype=dtype)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        if self.padding_mode != "zeros":
            return type(self)._fn(_pad(input, self._reversed_padding_repeated_twice,
                                       mode=self.padding_mode),
                                  weight, bias, self.stride, (0,) * self._nd, self.dilation,
                                  self.groups)
        return type(self)._fn(input, weight, bias, self.stride, self.padding, self.dilation,
                              self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-d convolution over ``(N, C_in, L)`` (or ``(C_in, L)``) -> ``(N, C_out, L_out)``.

    >>> import numtorch as torch
    >>> torch.nn.Conv1d(16, 33, 3, stride=2)(torch.zeros(20, 16, 50)).shape
    torch.Size([20, 33, 24])
    """
    _nd = 1
    _tuple = staticmethod(_single)
    _fn = staticmethod(_C.conv1d)


class Conv2d(_Conv):
    """2-d convolution over ``(N, C_in, H, W)`` (or ``(C_in, H, W)``).

    >>> import numtorch as torch
    >>> m = torch.nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))
    >>> m(torch.zeros(2, 16, 50, 100)).shape
    torch.Size([2, 33, 28, 100])
    """
    _nd = 2
    _tuple = staticmethod(_pair)
    _fn = staticmethod(_C.conv2d)


class Conv3d(_Conv):
    """3-d convolution over ``(N, C_in, D, H, W)`` (or ``(C_in, D, H, W)``).

    >>> import numtorch as torch
    >>> torch.nn.Conv3d(2, 4, 3)(torch.zeros(1, 2, 5, 5, 5)).shape
    torch.Size([1, 4, 3, 3, 3])
    """
    _nd = 3
    _tuple = staticmethod(_triple)
    _fn = staticmethod(_C.conv3d)


class _ConvTransposeNd(_ConvNd):
    """``ConvTranspose1d/2d/3d``: the gradient of a convolution with respect to its input."""

    _tuple = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        t = type(self)._tuple
        super().__init__(in_channels, out_channels, t(kernel_size), t(stride), t(padding),
                         t(dilation), True, t(output_padding), groups, bias, padding_mode,
                         device=device, dtype=dtype)

    def _output_padding(self, input: Tensor, output_size, stride, padding, kernel_size,
                        num_spatial_dims: int, dilation=None) -> list:
        """The output_padding that gives ``output_size`` (the module's own when None)."""
        if output_size is None:
            return list(self.output_padding) if isinstance(self.output_padding, tuple) \
                else self.output_padding
        nd = num_spatial_dims
        lead = 2 if input.dim() == nd + 2 else 1
        if len(output_size) == lead + nd:
            output_size = output_size[lead:]
        if len(output_size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must have "
                             f"{nd} or {lead + nd} elements (got {len(output_size)})")
        if dilation is None:
            dilation = [1] * nd
        lo = [(input.size(d + lead) - 1) * stride[d] - 2 * padding[d]
              + dilation[d] * (kernel_size[d] - 1) + 1 for d in range(nd)]
        hi = [lo[d] + stride[d] - 1 for d in range(nd)]
        for d in range(nd):
            if not lo[d] <= output_size[d] <= hi[d]:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range "
                                 f"from {lo} to {hi} (for an input of {input.size()[2:]})")
        return [output_size[d] - lo[d] for d in range(nd)]

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        nd = self._nd
        output_padding = self._output_padding(input, output_size, self.stride, self.padding,
                                              self.kernel_size, nd, self.dilation)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding,
                              output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-d convolution; ``weight`` is ``(C_in, C_out/groups, K)``.

    >>> import numtorch as torch
    >>> torch.nn.ConvTranspose1d(4, 2, 3, stride=2)(torch.zeros(1, 4, 5)).shape
    torch.Size([1, 2, 11])
    """
    _nd = 1
    _tuple = staticmethod(_single)
    _fn = staticmethod(_C.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-d convolution ("deconvolution"); ``forward(input, output_size=None)``.

    >>> import numtorch as torch
    >>> up = torch.nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)
    >>> up(torch.zeros(1, 16, 6, 6), output_size=[12, 12]).shape
    torch.Size([1, 16, 12, 12])
    """
    _nd = 2
    _tuple = staticmethod(_pair)
    _fn = staticmethod(_C.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-d convolution.

    >>> import numtorch as torch
    >>> torch.nn.ConvTranspose3d(2, 1, 2, stride=2)(torch.zeros(1, 2, 2, 2, 2)).shape
    torch.Size([1, 1, 4, 4, 4])
    """
    _nd = 3
    _tuple = staticmethod(_triple)
    _fn = staticmethod(_C.conv_transpose3d)
