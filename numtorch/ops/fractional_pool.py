"""Fractional max pooling (2-d and 3-d), PyTorch's ``fractional_max_pool2d/3d``.

Each plane gets one random sample ``u`` per pooled dimension (``_random_samples`` of shape
``(N, C, 2)`` or ``(N, C, 3)``, drawn by ``torch.rand(N, C, k, dtype=input.dtype)`` when not
given; ``N`` is 1 for unbatched input). A dimension of ``n`` inputs pooled to ``o`` outputs by
windows of ``k`` starts its windows at ``int((i + u) * a) - int(u * a)`` for ``i < o - 1``, with
``a = (n - k) / (o - 1)``, each operation rounded to the input's float type (half too),
and its last window at ``n - k``.
In 2-d, sample ``0`` drives the width and ``1`` the height; in 3-d, ``0, 1, 2`` drive time,
height and width.
The maximum of each window is the first in scan order (the last NaN); the gradient goes to it,
added in output order in the input's type, as PyTorch's.

>>> import numtorch as torch
>>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
>>> fractional_max_pool2d(x, 2, output_size=2, return_indices=True,
...                       _random_samples=torch.tensor([[[0.5, 0.5]]]))
(tensor([[[[ 5.,  7.],
          [13., 15.]]]]), tensor([[[[ 5,  7],
          [13, 15]]]]))
"""
from __future__ import annotations

import itertools

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from .._errors import no_kernel as _not_implemented
from .._random_ops import rand as _rand
from ._apply import apply, _make
from .pooling import _data, _ints as _pool_ints, _is_int, scatter_flat

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
           "fractional_max_pool3d_with_indices"]

_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


class _FractionalMaxPool(Function):
    """The gradient goes to each window's maximum (windows may overlap: gradients add)."""
    _raw = True

    @staticmethod
    def forward(ctx, x, out, flat):
        ctx.flat, ctx.shape = flat, x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        if type(g) is np.ndarray:            # sequential adds in output order (float32 sums)
            out = np.zeros_like(g, shape=(int(np.prod(shape)),))
            np.add.at(out, ctx.flat, g.reshape(-1))
            return (out.reshape(shape),)
        return (scatter_flat(g, ctx.flat, int(np.prod(shape)), False).reshape(shape),)


class FractionalMaxPool2D(_FractionalMaxPool):
    _name = "FractionalMaxPool2DBackward0"


class FractionalMaxPool3D(_FractionalMaxPool):
    _name = "FractionalMaxPool3DBackward0"


def _ints(v, fn: str, arg: str, n: int) -> tuple:
    """``kernel_size`` / ``output_size``: an int or ``n`` ints (PyTorch's errors otherwise)."""
    if isinstance(v, (tuple, list)):
        for pos, e in enumerate(v, 1):
            if not _is_int(e):
                raise TypeError(f"{fn}(): argument '{arg}' failed to unpack the object at pos {pos} "
                                f"with error \"type must be tuple of ints,but got "
                                f"{type(e).__name__}\"")
    t = _pool_ints(v, fn, arg, 2 if arg == "kernel_size" else 3)
    if len(t) not in (1, n):
        what = "a single Int or tuple of Ints" if n == 2 else "a single Int or tuple of three Ints"
        raise RuntimeError(f"{fn}: {arg} must either be {what}")
    return t * (n if len(t) == 1 else 1)


def _starts(u: np.ndarray, n: int, k: int, o: int) -> np.ndarray:
    """Window starts (B, o) along a dimension of ``n`` from samples ``u`` (B,) of the input's
    float type (the arithmetic rounds in that type)."""
    last = np.full((u.shape[0], 1), n - k, np.int64)
    if o <= 1:
        return last[:, :max(o, 0)]
    a = np.asarray(n - k, u.dtype) / np.asarray(o - 1, u.dtype)
    i = np.arange(o - 1, dtype=u.dtype)
    s = ((i + u[:, None]) * a).astype(np.int64) - (u * a).astype(np.int64)[:, None]
    return np.concatenate([s, last], axis=1)


def _core(x: np.ndarray, k: tuple, o: tuple, u: np.ndarray):
    """Window maxima of planes ``x`` (B, *spatial) and their flat indices in the plane."""
    nd = len(k)
    B, spatial = x.shape[0], x.shape[1:]
    starts = []
    for d in range(nd):
        col = nd - 1 - d if nd == 2 else d      # 2-d: sample 0 is width; 3-d: time
        s = _starts(u[:, col], spatial[d], k[d], o[d])
        starts.append(s.reshape((B,) + (1,) * d + (o[d],) + (1,) * (nd - 1 - d)))
    strides = [int(np.prod(spatial[d + 1:])) for d in range(nd)]
    base = sum(s * st for s, st in zip(starts, strides))
    base = np.broadcast_to(base, (B,) + o).reshape(B, -1)
    xf = x.reshape(B, -1)
    m = np.full(base.shape, -np.inf, x.dtype)
    idx = base.copy()
    for off in itertools.product(*(range(kd) for kd in k)):
        flat = base + sum(t * st for t, st in zip(off, strides))
        v = np.take_along_axis(xf, flat, axis=1)
        better = (v > m) | np.isnan(v)
        np.copyto(m, v, where=better)
        np.copyto(idx, flat, where=better)
    return m.reshape((B,) + o), idx.reshape((B,) + o)


def _fractional(input, kernel_size, output_size, output_ratio, return_indices, _random_samples,
                nd: int):
    fn = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratio = output_ratio
        if nd == 3 and not isinstance(ratio, (tuple, list)):
            ratio = (ratio,) * 3
        if not hasattr(ratio, "__len__"):
            raise TypeError(f"object of type '{type(ratio).__name__}' has no len()")
        output_size = [int(input.size(-nd + i) * ratio[i]) for i in range(nd)]
    x = _data(input, fn)
    if _random_samples is None:
        if 0 < x.ndim <= nd:                 # PyTorch's input.size(-nd - 1) fails first
            raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim}, "
                             f"{x.ndim - 1}], but got {-nd - 1})")
        n_batch = 1 if x.ndim == nd + 1 else x.shape[0]
        if x.dtype.kind != "f":
            raise _not_implemented("check_uniform_bounds", x.dtype)
        _random_samples = _rand(n_batch, x.shape[-nd - 1], nd, dtype=input.dtype)
    k = _ints(kernel_size, fn, "kernel_size", nd)
    o = _ints(output_size, fn, "output_size", nd)
    if x.ndim not in (nd + 1, nd + 2):
        shape = list(x.shape)
        if nd == 2:
            raise RuntimeError(f"fractional_max_pool2d(): Expected 3D or 4D tensor, but got: {shape}")
        raise RuntimeError(f"fractional_max_pool3d_out(): Expected 4D or 5D tensor, but got: {shape}")
    r = _data(_random_samples, fn)
    if r.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {r.ndim}")
    if r.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    batched = x.ndim == nd + 2
    xb = x if batched else x[None]
    N, C = xb.shape[:2]
    if r.shape[0] < N:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if r.shape[1] != C:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if r.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {r.shape[2]}.")
    for d in range(1, nd + 2):
        if xb.shape[d] == 0:
            where = d if batched else d - 1
            raise RuntimeError(f"{'fractional_max_pool2d()' if nd == 2 else 'fractional_max_pool3d_out()'}"
                               f": Expected input to have non-zero size for non-batch dimensions, "
                               f"but got{list(x.shape)} with dimension {where} being empty.")
    pre = "fractional_max_pool2d()" if nd == 2 else "fractional_max_pool3d_out()"
    for d in range(nd):
        n = xb.shape[2 + d]
        if o[d] + k[d] - 1 > n - (nd == 3):      # 3-d also refuses o + k - 1 == n
            name = _DIM_NAMES[nd][d]
            raise RuntimeError(f"{pre}: pool {name} {k[d]} too large relative to input {name} {n}")
    if min(o) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(o)}: "
                           f"{list(x.shape[:-nd]) + list(o)}")
    if x.dtype.kind != "f":
        raise _not_implemented(fn, x.dtype)
    shape = xb.shape[:2] + o
    planes = xb.reshape((N * C,) + xb.shape[2:])
    u = np.ascontiguousarray(r[:N]).reshape(N * C, nd)
    if 0 in shape:
        out, idx = np.zeros(shape, x.dtype), np.zeros(shape, np.int64)
    else:
        work = np.float32 if x.dtype.itemsize < 4 else x.dtype
        out, idx = _core(planes.astype(work, copy=False), k, o, u)   # u: rounds as x's type
        out, idx = out.astype(x.dtype, copy=False).reshape(shape), idx.reshape(shape)
    n = int(np.prod(xb.shape[2:]))
    flat = (idx.reshape(N * C, int(np.prod(o))) + (np.arange(N * C, dtype=np.int64) * n)[:, None]).reshape(-1)
    if not batched:
        out, idx = out[0], idx[0]
    node = FractionalMaxPool2D if nd == 2 else FractionalMaxPool3D
    res = apply(node, (input,), (x,), out, flat)
    return (res, _make(idx)) if return_indices else res


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """Fractional max pooling over the last two dimensions of a 3-d or 4-d input (windows of
    ``kernel_size`` at pseudo-random fractional strides, to ``output_size`` or
    ``output_ratio`` times the input size).

    >>> import numtorch as torch
    >>> _ = torch.manual_seed(0)
    >>> fractional_max_pool2d(torch.arange(25.0).reshape(1, 5, 5), 2, output_size=(2, 3))
    tensor([[[ 6.,  8.,  9.],
             [21., 23., 24.]]])
    """
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 2)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples=None):
    """``fractional_max_pool2d`` returning ``(values, indices)``."""
    return _fractional(input, kernel_size, output_size, output_ratio, True, _random_samples, 2)


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """Fractional max pooling over the last three dimensions of a 4-d or 5-d input.

    >>> import numtorch as torch
    >>> _ = torch.manual_seed(0)
    >>> fractional_max_pool3d(torch.arange(8.0).reshape(1, 2, 2, 2), 1, output_ratio=0.5)
    tensor([[[[7.]]]])
    """
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 3)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples=None):
    """``fractional_max_pool3d`` returning ``(values, indices)``."""
    return _fractional(input, kernel_size, output_size, output_ratio, True, _random_samples, 3)
