"""``LayerNorm``, ``GroupNorm``, ``LocalResponseNorm`` and ``RMSNorm``, as PyTorch builds them.

>>> import numtorch as torch
>>> torch.nn.LayerNorm(10)
LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)
>>> torch.nn.GroupNorm(2, 4)
GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
>>> torch.nn.LayerNorm(2)(torch.tensor([[1.0, 3.0]]))
tensor([[-1.0000,  1.0000]], grad_fn=<NativeLayerNormBackward0>)
"""
from __future__ import annotations

import numbers

from ..._tensor import Tensor
from ...ops import normalization as _N
from ...ops.creation import empty
from ...ops.nn_extra import rms_norm
from .. import init
from ..parameter import Parameter
from .batchnorm import _affine_parameters, _reset_affine
from .linear import _factory
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "LocalResponseNorm", "RMSNorm"]


def _shape_attributes(module: Module, normalized_shape, eps, elementwise_affine: bool) -> None:
    """``LayerNorm``'s and ``RMSNorm``'s settings (an int ``normalized_shape`` as a 1-tuple)."""
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    module.normalized_shape = tuple(normalized_shape)
    module.eps = eps
    module.elementwise_affine = elementwise_affine


def _shape_repr(module: Module) -> str:
    """``LayerNorm``'s and ``RMSNorm``'s shared ``extra_repr`` head."""
    return (f"{module.normalized_shape}, eps={module.eps}, "
            f"elementwise_affine={module.elementwise_affine}")


class LayerNorm(Module):
    """Normalise over the last dims given by ``normalized_shape``, then scale and shift
    element-wise (``weight`` 1, ``bias`` 0 at first)."""

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        _shape_attributes(self, normalized_shape, eps, elementwise_affine)
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, kw)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self, self.elementwise_affine)

    def forward(self, input: Tensor) -> Tensor:
        return _N.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{_shape_repr(self)}, bias={self.bias is not None}"


class GroupNorm(Module):
    """Normalise each group of ``num_channels // num_groups`` channels of each sample, then scale
    and shift per channel."""

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, num_channels, kw)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_affine(self, self.affine)

    def forward(self, input: Tensor) -> Tensor:
        return _N.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    """Divide each value by ``(k + alpha * mean of squares over size neighbouring channels)
    ** beta`` (AlexNet's normalisation)."""

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return _N.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class RMSNorm(Module):
    """Root-mean-square normalisation over the last dims given by ``normalized_shape``, then an
    element-wise ``weight`` (1 at first); ``eps=None`` is the machine epsilon of the input's dtype.

    >>> import numtorch as torch
    >>> torch.nn.RMSNorm(4)
    RMSNorm((4,), eps=None, elementwise_affine=True)
    >>> torch.nn.RMSNorm(2, eps=0.0)(torch.tensor([[3.0, 4.0]]))
    tensor([[0.8485, 1.1314]], grad_fn=<MulBackward0>)
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps: float | None = None, elementwise_affine: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        _shape_attributes(self, normalized_shape, eps, elementwise_affine)
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, **kw))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return _shape_repr(self)
