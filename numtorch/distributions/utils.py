"""Helpers shared by the distributions (``torch.distributions.utils``).

>>> import numtorch as torch
>>> a, b = broadcast_all(torch.zeros(2), 1.0)
>>> b
tensor([1., 1.])
>>> probs_to_logits(torch.tensor([0.5]), is_binary=True)
tensor([0.])
"""
from __future__ import annotations

from functools import update_wrapper
from numbers import Number
from typing import Any

import numpy as np

from .. import _dtype
from .._size import Size
from .._tensor import Tensor

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix", "euler_constant"]

euler_constant = 0.57721566490153286060  # Euler Mascheroni Constant


def _tensor(data, dtype) -> Tensor:
    from ..ops.creation import tensor
    return tensor(data, dtype=dtype)


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape; numbers become tensors of the first tensor's
    dtype (or the default dtype).

    Raises ``ValueError`` when a value is neither a tensor nor a number."""
    from ..ops.shape import broadcast_tensors
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = _dtype.get_default_dtype()
        for v in values:
            if isinstance(v, Tensor):
                dtype = v.dtype
                break
        values = [v if isinstance(v, Tensor) else _tensor(v, dtype) for v in values]
    return broadcast_tensors(*values)


def _finfo(dtype) -> np.finfo:
    return np.finfo(dtype.np if hasattr(dtype, "np") else dtype)


def _standard_normal(shape, dtype, device=None) -> Tensor:
    """``torch.empty(shape, dtype).normal_()``: the eps of every reparameterized normal."""
    from .._random_ops import normal_
    from ..ops.creation import empty
    return normal_(empty(tuple(shape), dtype=dtype))


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum out the ``dim`` rightmost dimensions of ``value`` (``dim == 0``: unchanged)."""
    if dim == 0:
        return value
    required_shape = tuple(value.shape[:-dim]) + (-1,)
    return value.reshape(required_shape).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: sigmoid (binary) or softmax over the last dimension."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Clamp probabilities into ``[eps, 1 - eps]`` (eps of their dtype)."""
    eps = float(_finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from probabilities (clamped first): log-odds (binary) or log-probabilities."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:
    """A property computed on first access and then stored in the instance's ``__dict__``
    (where a distribution's ``__repr__`` and ``expand`` find it)."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None) -> Any:
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        from ..autograd.grad_mode import enable_grad
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a ``lazy_property`` looks like on the class: both, so Sphinx and ``isinstance``
    checks see a property."""

    def __init__(self, wrapped) -> None:
        property.__init__(self, wrapped)
        lazy_property.__init__(self, wrapped)


class ProbsOrLogits:
    """Mixin of the distributions given ``probs`` or ``logits`` (kept as ``_param``): the other
    one computed lazily, ``param_shape`` and ``_new`` from ``_param``. ``_binary``: each
    probability is of one event (Bernoulli, Binomial), not a distribution over the last dim."""

    _binary = False

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=self._binary)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=self._binary)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The lower-triangular part (from diagonal ``diag``) of ``mat``'s last two dims, as a
    vector in row-major order."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = np.tril_indices(n, diag)
    idx = Tensor._make((rows * n + cols).astype(np.int64))
    return mat.reshape(tuple(mat.shape[:-2]) + (n * n,))[..., idx]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of ``tril_matrix_to_vec``: a square lower-triangular matrix."""
    from ..ops.creation import zeros
    m = vec.shape[-1]
    n = 0
    while len(np.tril_indices(n, diag)[0]) < m:
        n += 1
    if len(np.tril_indices(n, diag)[0]) != m:
        raise ValueError(f"The size of last dimension is {m} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    rows, cols = np.tril_indices(n, diag)
    flat = zeros(tuple(vec.shape[:-1]) + (n * n,), dtype=vec.dtype)
    idx = Tensor._make((rows * n + cols).astype(np.int64))
    return _put(flat, idx, vec).reshape(tuple(vec.shape[:-1]) + (n, n))


def _put(flat: Tensor, idx: Tensor, vec: Tensor) -> Tensor:
    out = flat.clone()
    out[..., idx] = vec
    return out


def _size(shape) -> Size:
    return shape if isinstance(shape, Size) else Size(tuple(shape))
