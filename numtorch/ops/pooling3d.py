"""3-d pooling (max, average, adaptive, max-unpooling) and LP pooling (1-d, 2-d, 3-d).

Each 3-d op is one graph node under PyTorch's name (``MaxPool3DWithIndicesBackward0``,
``AvgPool3DBackward0``, ``AdaptiveAvgPool3DBackward0``, ``AdaptiveMaxPool3DBackward0``,
``MaxUnpool3DBackward0``), vectorised over batch and voxels the way ops/pooling.py does its 2-d
forms (whose argument checks, output sizes, bins and scatters it reuses): a window is a loop
over the few kernel offsets, each a strided slice of the whole input; max pooling runs three
stages (along W, H, then D), a later element winning only if strictly greater (or NaN), so the
index is the first maximum in scan order (the last NaN), as PyTorch's. LP pooling is PyTorch's
composition: ``(sum of x**p over the window) ** (1/p)`` through average pooling.

>>> import numtorch as torch
>>> x = torch.arange(8.0).reshape(1, 1, 2, 2, 2)
>>> max_pool3d(x, 2, return_indices=True)
(tensor([[[[[7.]]]]]), tensor([[[[[7]]]]]))
>>> avg_pool3d(x, 2)
tensor([[[[[3.5000]]]]])
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_state
from .._errors import no_kernel as _not_implemented
from ._apply import apply, _make
from . import elementwise as _E
from . import math as _M
from . import reduce as _R
from .pooling import (_data, _ints, _is_int, _out_size, _window, _running_max, _int_divide,
                      _avg_divisor, _bins, _bin_offsets, _to_axis, _unpool_size, scatter_flat,
                      MaxUnpool2D,
                      avg_pool1d, avg_pool2d, max_pool1d, max_pool2d)

__all__ = ["max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d",
           "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "max_unpool3d",
           "lp_pool1d", "lp_pool2d", "lp_pool3d"]

_POSITIONS = {"kernel_size": 2, "stride": 3, "padding": 4, "dilation": 5}
_MAX_MESSAGES = {
    "kernel_size": "kernel_size must either be a single int, or a tuple of three ints",
    "stride": "stride must either be omitted, a single int, or a tuple of three ints",
    "padding": "padding must either be a single int, or a tuple of three ints",
    "dilation": "dilation must be either a single int, or a tuple of three ints",
}
_AVG_MESSAGES = {
    "kernel_size": "kernel_size must be a single int, or a tuple of three ints",
    "stride": "stride must be omitted, a single int, or a tuple of three ints",
    "padding": "padding must be a single int, or a tuple of three ints",
}


def _triple(v, fn: str, arg: str, messages: dict, default=None) -> tuple:
    """A 3-d op's argument: an int or 1 or 3 ints (``stride``: None or empty means ``default``)."""
    if default is not None and (v is None or (isinstance(v, (tuple, list)) and len(v) == 0)):
        return default
    t = _ints(v, fn, arg, _POSITIONS[arg])
    if len(t) not in (1, 3):
        raise RuntimeError(f"{fn}: {messages[arg]}")
    return t if len(t) == 3 else t * 3


def _ntuple(v, n: int) -> tuple:
    """PyTorch's ``_pair``/``_triple`` for Python-side code: an iterable as a tuple, anything
    else repeated ``n`` times."""
    return tuple(v) if isinstance(v, Iterable) else (v,) * n


def _check_5d(x) -> None:
    if x.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")


def _shape_check(x, k, s, p, d, o, fn: str, check_input_size: bool = False) -> None:
    """PyTorch's ``pool3d_shape_check``: positive sizes, non-empty volumes, output >= 1."""
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kT: {k[0]} kH: {k[1]} "
                           f"kW: {k[2]}")
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dT: {s[0]} dH: {s[1]} "
                           f"dW: {s[2]}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationT: {d[0]} "
                           f"dilationH: {d[1]} dilationW: {d[2]}")
    if 0 in x.shape[-4:]:                    # (PyTorch names dimension 0, whichever is empty)
        raise RuntimeError(f"{fn}(): Expected input's non-batch dimensions to have positive length, "
                           f"but input has a shape of {list(x.shape)} and non-batch dimension 0 has "
                           "length zero!")
    T, H, W = x.shape[-3:]
    if check_input_size and (T < k[0] or H < k[1] or W < k[2]):
        raise RuntimeError(f"input image (T: {T} H: {H} W: {W}) smaller than kernel size (kT: {k[0]} "
                           f"kH: {k[1]} kW: {k[2]})")
    if k[0] // 2 < p[0] or k[2] // 2 < p[2] or k[1] // 2 < p[1]:
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got kT: "
                           f"{k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}")
    if min(o) < 1:
        c = x.shape[-4]
        raise RuntimeError(f"Given input size: ({c}x{T}x{H}x{W}). Calculated output size: "
                           f"({c}x{o[0]}x{o[1]}x{o[2]}). Output size is too small")


def _volumes(x: np.ndarray) -> np.ndarray:
    """``x`` as ``(B, D, H, W)``: every leading dimension is a batch of volumes."""
    return x.reshape((-1,) + x.shape[-3:])


def _padded(x: np.ndarray, p: tuple, n: tuple, fill) -> np.ndarray:
    """``x`` (B, D, H, W) with ``p`` leading entries of ``fill`` per axis, at least ``n`` long."""
    B, D, H, W = x.shape
    if not any(p) and n[0] <= D and n[1] <= H and n[2] <= W:
        return x
    shape = (B,) + tuple(max(n[i], p[i] + x.shape[i + 1]) for i in range(3))
    xp = np.full_like(x, fill, shape=shape)
    xp[:, p[0]:p[0] + D, p[1]:p[1] + H, p[2]:p[2] + W] = x
    return xp


def _take(a, axis: int, sl):
    return a[(slice(None),) * axis + (sl,)]


# -- max pooling --------------------------------------------------------------------------------

def _stage(a, axis: int, k: int, s: int, o: int, d: int, nan_rule: bool, need_arg: bool):
    """Running maximum along ``axis`` over ``k`` offsets (and the winning offset)."""
    m = arg = None
    for j in range(k):
        v = _take(a, axis, _window(None, j * d, o, s))
        if m is None:
            m = v.copy()
            if need_arg:
                arg = np.zeros(v.shape, np.intp)
            continue
        if not need_arg:
            np.maximum(m, v, out=m)
            continue
        m, better = _running_max(m, v, nan_rule)
        np.maximum(arg, better * j, out=arg)            # arg = j where better (j only grows)
    return m, arg


def _max_pool_core(x, k, s, p, d, o, need_index: bool, nan_rule: bool = False):
    """Max pooling of volumes ``x`` (B, D, H, W): the maxima and (``need_index``) PyTorch's
    flat indices into each volume."""
    B, D, H, W = x.shape
    n = tuple((o[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1 for i in range(3))
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _padded(x, p, n, fill)[:, :n[0], :n[1]]
    mw, aw = _stage(xp, 3, k[2], s[2], o[2], d[2], nan_rule, need_index)   # (B, nD, nH, ow)
    mh, ah = _stage(mw, 2, k[1], s[1], o[1], d[1], nan_rule, need_index)   # (B, nD, oh, ow)
    out, ad = _stage(mh, 1, k[0], s[0], o[0], d[0], nan_rule, need_index)  # (B, od, oh, ow)
    if not need_index:
        return out, None
    if not nan_rule and out.dtype.kind == "f" and np.isnan(np.add.reduce(out, axis=None)):
        return _max_pool_core(x, k, s, p, d, o, need_index, True)
    od, oh, ow = o
    dp = ad * d[0] + (np.arange(od) * s[0])[:, None, None]                # chosen planes
    hp = np.take_along_axis(ah, dp, axis=1) * d[1] + (np.arange(oh) * s[1])[:, None]
    nh = mw.shape[2]
    wsel = np.take_along_axis(aw.reshape(B, -1, ow), (dp * nh + hp).reshape(B, -1, ow), axis=1)
    wp = wsel.reshape(dp.shape) * d[2] + np.arange(ow) * s[2]
    if any(p) or n[0] > D or n[1] > H or n[2] > W:
        # a window whose maximum is the fill value may have chosen a padding position: PyTorch
        # keeps its first valid position then (every valid value there equals the maximum)
        bad = ((dp < p[0]) | (dp >= p[0] + D) | (hp < p[1]) | (hp >= p[1] + H) | (wp < p[2])
               | (wp >= p[2] + W))
        if bad.any():
            first = []
            for i in range(3):
                f0 = np.arange(o[i]) * s[i]
                first.append(f0 + d[i] * np.maximum(0, -(-(p[i] - f0) // d[i])))
            dp = np.where(bad, first[0][:, None, None], dp)
            hp = np.where(bad, first[1][:, None], hp)
            wp = np.where(bad, first[2], wp)
    return out, ((dp - p[0]) * H + (hp - p[1])) * W + (wp - p[2])


def _volume_offsets(idx: np.ndarray, n: int) -> np.ndarray:
    """Flat indices into the whole input from per-volume indices (volumes of ``n`` elements)."""
    if not idx.size:
        return idx.reshape(-1)
    vols = idx.reshape(-1, int(np.prod(idx.shape[-3:])))
    return (vols + (np.arange(vols.shape[0], dtype=np.int64) * n)[:, None]).reshape(-1)


class MaxPool3DWithIndices(Function):
    """3-d max pooling; the gradient goes to each window's maximum (saved flat indices)."""
    _raw = True
    _name = "MaxPool3DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, out, where):
        if where is None:                    # no graph recorded
            return out
        ctx.shape = x.shape
        ctx.idx, ctx.unique, ctx.keep = where
        return out

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        if ctx.keep is not None:
            g = g * ctx.keep
        return (scatter_flat(g, ctx.idx, int(np.prod(shape)), ctx.unique).reshape(shape),)


def _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                fn: str = "max_pool3d"):
    x = _data(input, fn)
    k = _triple(kernel_size, fn, "kernel_size", _MAX_MESSAGES)
    s = _triple(stride, fn, "stride", _MAX_MESSAGES, default=k)
    p = _triple(padding, fn, "padding", _MAX_MESSAGES)
    d = _triple(dilation, fn, "dilation", _MAX_MESSAGES)
    _check_5d(x)
    o = tuple(_out_size(n, k[i], s[i], p[i], d[i], ceil_mode) for i, n in enumerate(x.shape[-3:]))
    _shape_check(x, k, s, p, d, o, "max_pool3d_with_indices_out_cpu_template")
    if x.dtype == np.bool_:
        raise _not_implemented("max_pool3d", x.dtype)
    graph = input.requires_grad and _grad_state[0]
    shape = x.shape[:-3] + o
    where = idx = None
    if not x.size:
        out, idx = np.zeros_like(x, shape=shape), np.zeros(shape, np.int64)
        if graph:
            where = (idx.reshape(-1), True, None)
    else:
        out, idx = _max_pool_core(_volumes(x), k, s, p, d, o, graph or return_indices)
        out = out.reshape(shape)
        if idx is not None:
            idx = idx.reshape(shape)
        if graph:
            n = int(np.prod(x.shape[-3:]))
            unique = all(s[i] >= (k[i] - 1) * d[i] + 1 for i in range(3))
            flat, keep = idx, None
            if idx.max() >= n:
                # a window of padding only (dilated taps skipping the whole input): PyTorch
                # reports its first tap's index, past the volume; no gradient flows there
                keep = idx < n
                flat, unique = np.where(keep, idx, 0), False
            where = (_volume_offsets(flat, n), unique, keep)
    r = apply(MaxPool3DWithIndices, (input,), (x,), out, where)
    return (r, _make(idx)) if return_indices else r


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """3-d max pooling over the last three dimensions of a 4-d or 5-d input.

    ``stride`` defaults to ``kernel_size``; padding counts as ``-inf``; ``return_indices`` also
    returns each maximum's flat index in its volume (for ``max_unpool3d``).

    >>> import numtorch as torch
    >>> max_pool3d(torch.arange(16.0).reshape(1, 1, 2, 2, 4), (2, 2, 2))
    tensor([[[[[13., 15.]]]]])
    """
    return _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """``max_pool3d`` returning ``(values, indices)``."""
    return _max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# -- average pooling ----------------------------------------------------------------------------

class AvgPool3D(Function):
    """3-d average pooling: the gradient of each output, divided by its divisor, goes to its
    window (a loop over kernel offsets of strided slices)."""
    _raw = True
    _name = "AvgPool3DBackward0"
    constants = ("div",)

    @staticmethod
    def forward(ctx, x, out, k, s, p, div):
        ctx.shape, ctx.k, ctx.s, ctx.p, ctx.div = x.shape, k, s, p, div
        return out

    @staticmethod
    def backward(ctx, g):
        shape, k, s, p = ctx.shape, ctx.k, ctx.s, ctx.p
        D, H, W = shape[-3:]
        o = g.shape[-3:]
        gd = g.reshape((-1,) + o) / ctx.div
        n = tuple(max((o[i] - 1) * s[i] + k[i], p[i] + shape[-3 + i]) for i in range(3))
        gp = np.zeros_like(gd, shape=(gd.shape[0],) + n)
        for a in range(k[0]):
            sa = _window(None, a, o[0], s[0])
            for b in range(k[1]):
                sb = _window(None, b, o[1], s[1])
                for c in range(k[2]):
                    gp[:, sa, sb, _window(None, c, o[2], s[2])] += gd
        return (gp[:, p[0]:p[0] + D, p[1]:p[1] + H, p[2]:p[2] + W].reshape(shape),)


def _avg_pool_core(x, k, s, p, o, div):
    """Window sums of volumes ``x`` (B, D, H, W) (zero padding, scan order) over ``div``."""
    acc_dtype = x.dtype if x.dtype.kind == "f" else np.int64
    xp = _padded(x, p, tuple((o[i] - 1) * s[i] + k[i] for i in range(3)), 0)
    acc = None
    for a in range(k[0]):
        va = xp[:, _window(None, a, o[0], s[0])]
        for b in range(k[1]):
            vb = va[:, :, _window(None, b, o[1], s[1])]
            for c in range(k[2]):
                v = vb[:, :, :, _window(None, c, o[2], s[2])]
                acc = v.astype(acc_dtype) if acc is None else np.add(acc, v, out=acc, dtype=acc_dtype)
    if acc_dtype == np.int64:
        return _int_divide(acc, div).astype(x.dtype)
    return (acc / div).astype(x.dtype, copy=False)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """3-d average pooling; padding counts as zeros (in the divisor only if
    ``count_include_pad``); ``divisor_override`` replaces the divisor.

    >>> import numtorch as torch
    >>> avg_pool3d(torch.arange(16.0).reshape(1, 1, 2, 2, 4), 2)
    tensor([[[[[6.5000, 8.5000]]]]])
    """
    fn = "avg_pool3d"
    x = _data(input, fn)
    k = _triple(kernel_size, fn, "kernel_size", _AVG_MESSAGES)
    s = _triple(stride, fn, "stride", _AVG_MESSAGES, default=k)
    p = _triple(padding, fn, "padding", _AVG_MESSAGES)
    if divisor_override is not None:
        if not _is_int(divisor_override):
            raise TypeError(f"avg_pool3d(): argument 'divisor_override' must be int, not "
                            f"{type(divisor_override).__name__}")
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
    _check_5d(x)
    o = tuple(_out_size(n, k[i], s[i], p[i], 1, ceil_mode) for i, n in enumerate(x.shape[-3:]))
    _shape_check(x, k, s, p, (1, 1, 1), o, fn, check_input_size=True)
    if x.dtype.kind != "f" and x.dtype != np.int64 or x.dtype == np.float16:
        raise _not_implemented("avg_pool3d_out_frame", x.dtype)
    if divisor_override is not None:
        div = np.full(o, int(divisor_override))
    else:
        dd, dh, dw = (_avg_divisor(n, k[i], s[i], p[i], o[i], count_include_pad)
                      for i, n in enumerate(x.shape[-3:]))
        div = dd[:, None, None] * dh[:, None] * dw
    if x.dtype.kind == "f":
        div = div.astype(x.dtype)
    out = _avg_pool_core(_volumes(x), k, s, p, o, div) if x.size else np.zeros_like(x, shape=(0,) + o)
    return apply(AvgPool3D, (input,), (x,), out.reshape(x.shape[:-3] + o), k, s, p, div)


# -- adaptive pooling ---------------------------------------------------------------------------

def _adaptive_size(output_size, x) -> tuple:
    """``output_size`` as a tuple of ints (``None`` keeps that dimension), with the errors
    PyTorch's Python layer raises; the length is checked by ``_check_three``."""
    if output_size is None or (not _is_int(output_size) and not isinstance(output_size, (tuple, list))):
        raise TypeError(f"object of type '{type(output_size).__name__}' has no len()")
    if _is_int(output_size):
        return (int(output_size),) * 3
    t = tuple(output_size)
    if x.ndim <= len(t):
        raise ValueError(f"Input dimension should be at least {len(t) + 1}")
    return tuple(x.shape[-len(t) + i] if v is None else int(v) for i, v in enumerate(t))


def _check_three(o: tuple, fn: str) -> None:
    if len(o) != 3:
        if fn == "adaptive_max_pool3d":
            raise RuntimeError("adaptive_max_pool3d(): internal error: output_size.size() must be 3")
        raise RuntimeError(f"{fn}: output_size must be 3")


def _check_adaptive_input(x, fn: str) -> None:
    if x.ndim not in (4, 5):
        sep = ": " if fn == "adaptive_max_pool3d" else " "
        raise RuntimeError(f"{fn}(): Expected 4D or 5D tensor, but got{sep}{list(x.shape)}")
    for i in range(x.ndim - 4, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, "
                               f"but input has sizes {list(x.shape)} with dimension {i} being empty")


def _masked(a, axis: int, where, mask):
    """``a`` at ``where`` along ``axis`` (a slice or indices), zero where ``mask`` is False."""
    v = _take(a, axis, where)
    return v if mask is None else np.where(mask.reshape((-1,) + (1,) * (a.ndim - 1 - axis)), v, 0)


class AdaptiveAvgPool3D(Function):
    """Adaptive average pooling: each output's gradient over its bin size goes to its bin."""
    _raw = True
    _name = "AdaptiveAvgPool3DBackward0"
    constants = ("ld", "lh", "lw")

    @staticmethod
    def forward(ctx, x, out, ld, lh, lw):
        ctx.shape, ctx.ld, ctx.lh, ctx.lw = x.shape, ld, lh, lw
        return out

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        o = g.shape[-3:]
        gi = g.reshape((-1,) + o) / ctx.ld / ctx.lh / ctx.lw
        for axis in (1, 2, 3):                 # scatter each bin back, one axis at a time
            n = shape[-4 + axis]
            acc = None
            for where, mask in _bin_offsets(n, o[axis - 1]):
                v = gi if mask is None else gi * mask.reshape((-1,) + (1,) * (3 - axis))
                part = _to_axis(v, where, n, axis)
                acc = part if acc is None else acc + part
            gi = acc
        return (gi.reshape(shape),)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size: output ``i`` averages the bin
    ``floor(i*n/o) .. ceil((i+1)*n/o)`` along each of the last three dimensions (``None``
    keeps that dimension).

    >>> import numtorch as torch
    >>> adaptive_avg_pool3d(torch.arange(12.0).reshape(1, 1, 2, 2, 3), (1, 1, 2))
    tensor([[[[[5., 6.]]]]])
    """
    fn = "adaptive_avg_pool3d"
    x = _data(input, fn)
    o = _adaptive_size(output_size, x)
    _check_three(o, fn)
    if min(o) < 0:
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{o[0]}, {o[1]},{o[2]}}}")
    if o == (1, 1, 1):
        return _R.mean(input, (-3, -2, -1), True)          # as PyTorch: MeanBackward1
    _check_adaptive_input(x, fn)
    if x.dtype.kind != "f":
        raise _not_implemented("adaptive_avg_pool3d_cpu", x.dtype)
    D, H, W = x.shape[-3:]
    wide = np.float32 if x.dtype == np.float16 else x.dtype
    lens = [(e - b).astype(wide) for b, e in (_bins(n, o[i]) for i, n in enumerate((D, H, W)))]
    ld, lh, lw = lens[0][:, None, None], lens[1][:, None], lens[2]
    if 0 in o or not x.size:
        out = np.zeros_like(x, shape=x.shape[:-3] + o)
    else:
        # each bin summed in scan order (d, h, w offsets), as PyTorch: the (h, w) offsets'
        # values gathered once into one stack, each zeroed where its bin is shorter
        offs = [_bin_offsets(n, o[i]) for i, n in enumerate((D, H, W))]
        xw = [_masked(_volumes(x), 3, w, m) for w, m in offs[2]]
        stack = np.stack([_masked(a, 2, h, m) for h, m in offs[1] for a in xw], axis=2)
        acc = None
        for ds, dm in offs[0]:
            vd = _masked(stack, 1, ds, dm)                  # (B, od, t, oh, ow)
            for t in range(vd.shape[2]):
                v = vd[:, :, t]
                acc = v.astype(wide) if acc is None else np.add(acc, v, out=acc, dtype=wide)
        out = (acc / ld / lh / lw).astype(x.dtype, copy=False).reshape(x.shape[:-3] + o)
    return apply(AdaptiveAvgPool3D, (input,), (x,), out, ld.astype(x.dtype), lh.astype(x.dtype),
                 lw.astype(x.dtype))


class AdaptiveMaxPool3D(Function):
    """Adaptive max pooling: the gradient goes to each bin's maximum (flat indices; bins may
    overlap, so the gradients add)."""
    _raw = True
    _name = "AdaptiveMaxPool3DBackward0"

    @staticmethod
    def forward(ctx, x, out, idx):
        ctx.idx, ctx.shape = _volume_offsets(idx, int(np.prod(x.shape[-3:]))), x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        return (scatter_flat(g, ctx.idx, int(np.prod(shape)), False).reshape(shape),)


def _adaptive_stage(a, axis: int, n: int, n_out: int, nan_rule: bool):
    """Running bin maxima along ``axis`` and the winning positions (an offset past a short bin
    repeats the bin's last element, which never wins a tie)."""
    m = arg = None
    start, end = _bins(n, n_out)
    shape = (-1,) + (1,) * (3 - axis)
    for r in range(int((end - start).max())):
        pos = np.minimum(start + r, end - 1)
        v = _take(a, axis, pos)
        posb = pos.reshape(shape)
        if m is None:
            m, arg = v.copy(), np.broadcast_to(posb, v.shape).copy()
            continue
        m, better = _running_max(m, v, nan_rule)
        np.maximum(arg, better * posb, out=arg)     # arg = pos where better (pos only grows)
    return m, arg


def _adaptive_max_core(x, o, nan_rule: bool = False):
    """Bin maxima of volumes ``x`` (B, D, H, W) and their flat indices (three stages)."""
    B, D, H, W = x.shape
    mw, aw = _adaptive_stage(x, 3, W, o[2], nan_rule)       # (B, D, H, ow)
    mh, ah = _adaptive_stage(mw, 2, H, o[1], nan_rule)      # (B, D, oh, ow)
    out, ad = _adaptive_stage(mh, 1, D, o[0], nan_rule)     # (B, od, oh, ow)
    if not nan_rule and np.isnan(np.add.reduce(out, axis=None)):
        return _adaptive_max_core(x, o, True)
    hsel = np.take_along_axis(ah, ad, axis=1)
    ow = o[2]
    wsel = np.take_along_axis(aw.reshape(B, -1, ow), (ad * H + hsel).reshape(B, -1, ow), axis=1)
    return out, (ad * H + hsel) * W + wsel.reshape(ad.shape)


def _adaptive_max_pool3d(input, output_size, return_indices):
    fn = "adaptive_max_pool3d"
    x = _data(input, fn)
    o = _adaptive_size(output_size, x)
    _check_adaptive_input(x, fn)
    _check_three(o, fn)
    if min(o) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(o)}: "
                           f"{list(x.shape[:-3] + o)}")
    if x.dtype.kind != "f":
        raise _not_implemented("adaptive_max_pool3d_cpu", x.dtype)
    shape = x.shape[:-3] + o
    if 0 in o or not x.size:
        out, idx = np.zeros_like(x, shape=shape), np.zeros(shape, np.int64)
    else:
        out, idx = _adaptive_max_core(_volumes(x), o)
        out, idx = out.reshape(shape), idx.astype(np.int64, copy=False).reshape(shape)
    r = apply(AdaptiveMaxPool3D, (input,), (x,), out, idx)
    return (r, _make(idx)) if return_indices else r


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size (bins as ``adaptive_avg_pool3d``).

    >>> import numtorch as torch
    >>> adaptive_max_pool3d(torch.arange(12.0).reshape(1, 1, 2, 2, 3), (1, 1, 2))
    tensor([[[[[10., 11.]]]]])
    """
    return _adaptive_max_pool3d(input, output_size, return_indices)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    """``adaptive_max_pool3d`` returning ``(values, indices)``."""
    return _adaptive_max_pool3d(input, output_size, True)


# -- max unpooling ------------------------------------------------------------------------------

class MaxUnpool3D(MaxUnpool2D):
    """3-d max-unpooling (``MaxUnpool2D``'s rule over the last three dims)."""
    _raw = True
    _name = "MaxUnpool3DBackward0"


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of ``max_pool3d``: each value put at its index, zeros elsewhere.

    >>> import numtorch as torch
    >>> y, i = max_pool3d(torch.arange(8.0).reshape(1, 1, 2, 2, 2), 2, return_indices=True)
    >>> max_unpool3d(y, i, 2).flatten()
    tensor([0., 0., 0., 0., 0., 0., 0., 7.])
    """
    k = _ntuple(kernel_size, 3)
    s = _ntuple(stride, 3) if stride is not None else k
    p = _ntuple(padding, 3)
    x = _data(input, "max_unpool3d")
    idx = _data(indices, "max_unpool3d")
    size = _unpool_size(x.shape[-len(k):] if len(k) <= x.ndim else x.shape, k, s, p, output_size)
    if idx.dtype != np.int64:
        raise RuntimeError("elements in indices should be type int64")
    if x.ndim not in (4, 5):
        raise RuntimeError("Input to max_unpooling3d should be a 4d or 5d Tensor, but got a tensor "
                           f"with {x.ndim} dimensions.")
    for what, v in (("output_size", size), ("stride", s), ("padding", p)):
        if len(v) != 3:
            raise RuntimeError(f"There should be exactly three elements (depth, height, width) in "
                               f"{what}, but got {len(v)} elements.")
    if min(s) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(s)}")
    for i in range(x.ndim - 4, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError("max_unpooling3d_forward_out_cpu(): Expected input to have non-zero size "
                               f"for non-batch dimensions, but got {list(x.shape)} with dimension {i} "
                               "being empty.")
    if idx.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape)}) but got indices tensor with shape: {list(idx.shape)}")
    if x.dtype.kind != "f":
        raise _not_implemented("max_unpool3d", x.dtype)
    n = size[0] * size[1] * size[2]
    if n:
        bad = (idx < 0) | (idx >= n)
        if bad.any():
            raise RuntimeError(f"Found an invalid max index: {int(idx[bad].flat[0])} (output volumes "
                               f"are of size {size[0]}x{size[1]}x{size[2]})")
    return apply(MaxUnpool3D, (input,), (x,), idx, size)


# -- LP pooling ---------------------------------------------------------------------------------

def _lp_pool(max_pool, avg_pool, n, input, norm_type, kernel_size, stride, ceil_mode) -> Tensor:
    """LP pooling by ``avg_pool`` over windows of ``n`` elements: ``(n * mean of x**p) ** (1/p)``;
    an infinite ``norm_type`` takes the largest (``inf``) or smallest (``-inf``) absolute value
    of each window by ``max_pool``, as PyTorch."""
    if isinstance(norm_type, (int, float)) and norm_type in (np.inf, -np.inf):
        a = _M.abs(input)
        if norm_type > 0:
            return max_pool(a, kernel_size, stride, 0, 1, ceil_mode)
        return _M.neg(max_pool(_M.neg(a), kernel_size, stride, 0, 1, ceil_mode))
    if stride is not None:
        out = avg_pool(_E.pow(input, norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(_E.pow(input, norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    # (sign(out) * relu(|out|) * n) ** (1 / p): the window sums' p-th roots
    out = _E.mul(_M.sign(out), _M.relu(_M.abs(out)))
    return _E.pow(_E.mul(out, n), 1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """1-d power-average pooling: ``(sum over the window of x**p) ** (1/p)``.

    >>> import numtorch as torch
    >>> lp_pool1d(torch.tensor([[3.0, 4.0, 1.0, 1.0]]), 2, 2)
    tensor([[5.0000, 1.4142]])
    """
    return _lp_pool(max_pool1d, avg_pool1d, kernel_size, input, norm_type, kernel_size, stride,
                    ceil_mode)


def lp_pool2d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """2-d power-average pooling: ``(sum over the window of x**p) ** (1/p)``.

    >>> import numtorch as torch
    >>> lp_pool2d(torch.tensor([[[1.0, 2.0], [2.0, 4.0]]]), 2, 2)
    tensor([[[5.]]])
    """
    kw, kh = _ntuple(kernel_size, 2)
    return _lp_pool(max_pool2d, avg_pool2d, kw * kh, input, norm_type, kernel_size, stride,
                    ceil_mode)


def lp_pool3d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """3-d power-average pooling: ``(sum over the window of x**p) ** (1/p)``.

    >>> import numtorch as torch
    >>> lp_pool3d(torch.ones(1, 2, 2, 2), 1, 2)
    tensor([[[[8.]]]])
    """
    kd, kw, kh = _ntuple(kernel_size, 3)
    return _lp_pool(max_pool3d, avg_pool3d, kd * kw * kh, input, norm_type, kernel_size, stride,
                    ceil_mode)
