"""Pooling ops: max/avg/adaptive pooling and max-unpooling (shuffles and ``interpolate``: resample.py).

Each op is one graph node under PyTorch's name (``MaxPool2DWithIndicesBackward0``,
``AvgPool2DBackward0``, ...), forward and backward side by side. The 1-d forms run the 2-d op
between an ``unsqueeze`` and a ``squeeze``, as PyTorch does, so their results show the same
``grad_fn=<SqueezeBackward1>``.

Everything is vectorised over batch and pixels: a pooling window is a loop over the few kernel
offsets, each a strided slice of the whole input (a 2x2, stride-2 max-pool is the maximum of four
strided quarters). Max pooling finds the first maximum in scan order (the last NaN, if any), as
PyTorch does, and its backward puts the gradient at those flat indices; the backward formulas
are built from ops a TensorArray supports, so every op has a second derivative.

>>> import numtorch as torch
>>> x = torch.tensor([[[[1.0, 2.0], [4.0, 3.0]]]], requires_grad=True)
>>> y, i = max_pool2d(x, 2, return_indices=True)
>>> y, i
(tensor([[[[4.]]]], grad_fn=<MaxPool2DWithIndicesBackward0>), tensor([[[[2]]]]))
"""
from __future__ import annotations

from operator import index as _index

import numpy as np

from .._dtype import legacy_name_np
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_state
from .._errors import no_kernel as _not_implemented, not_tensor
from ._apply import apply, _make
from . import shape as _S
from . import reduce as _R


# -- argument handling (PyTorch's messages) -----------------------------------------------------

def _data(input, fn: str) -> np.ndarray:
    try:
        return input._data
    except AttributeError:
        raise not_tensor(fn, input) from None


def _is_int(v) -> bool:
    """An int (or anything with ``__index__``: NumPy ints, 0-d integer tensors), not a bool."""
    if isinstance(v, (bool, np.bool_)):
        return False
    try:
        _index(v)
    except TypeError:
        return False
    return True


def _ints(v, fn: str, arg: str, position: int) -> tuple:
    """``v`` (an int or a sequence of ints) as a tuple; PyTorch's TypeError otherwise."""
    if _is_int(v):
        return (_index(v),)
    if isinstance(v, (tuple, list)) and all(_is_int(e) for e in v):
        return tuple(_index(e) for e in v)
    raise TypeError(f"{fn}(): argument '{arg}' (position {position}) must be tuple of ints, not "
                    f"{type(v).__name__}")


_PAIR_MESSAGES = {
    "kernel_size": "kernel_size must either be a single int, or a tuple of two ints",
    "stride": "stride must either be omitted, a single int, or a tuple of two ints",
    "padding": "padding must either be a single int, or a tuple of two ints",
    "dilation": "dilation must be either a single int, or a tuple of two ints",
}
_POSITIONS = {"kernel_size": 2, "stride": 3, "padding": 4, "dilation": 5, "output_size": 2}


def _pair(v, fn: str, arg: str, default=None) -> tuple:
    """A 2-d op's argument: an int or 1-2 ints (``stride``: None or empty means ``default``)."""
    if default is not None and (v is None or (isinstance(v, (tuple, list)) and len(v) == 0)):
        return default
    t = _ints(v, fn, arg, _POSITIONS[arg])
    if len(t) not in (1, 2):
        raise RuntimeError(f"{fn}: {_PAIR_MESSAGES[arg]}")
    return (t[0], t[-1])


def _single(v, fn: str, arg: str, default=None) -> int:
    """A 1-d op's argument through its 2-d form: exactly one int."""
    if default is not None and (v is None or (isinstance(v, (tuple, list)) and len(v) == 0)):
        return default
    t = _ints(v, fn, arg, _POSITIONS.get(arg, 2))
    if len(t) != 1:
        raise RuntimeError(f"{fn}() argument '{arg}' should contain one int (got {len(t)})")
    return t[0]


def _out_size(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output length, with its checks on stride and padding."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > int(((k - 1) * d + 1) / 2):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                           f"kernel_size={k} and dilation={d}")
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _shape_check(x, k, s, p, d, o) -> None:
    """PyTorch's ``pool2d_shape_check``: positive sizes, non-empty planes, output >= 1."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = k, s, p, d, o
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kh} kW: {kw}")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {sh} dW: {sw}")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {dh} "
                           f"dilationW: {dw}")
    if 0 in x.shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(x.shape)}")
    if kw // 2 < pw or kh // 2 < ph:
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}")
    if oh < 1 or ow < 1:
        c, h, w = x.shape[-3:]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{oh}x{ow}). Output size is too small")


def _planes(x: np.ndarray) -> np.ndarray:
    """``x`` as ``(B, H, W)``: every leading dimension is a batch of planes."""
    return x.reshape((-1,) + x.shape[-2:])


def _window(a: np.ndarray, start: int, n: int, step: int) -> slice:
    return slice(start, start + (n - 1) * step + 1, step)


def _padded(x: np.ndarray, ph: int, pw: int, hn: int, wn: int, fill) -> np.ndarray:
    """``x`` (B, H, W) with ``ph``/``pw`` leading rows/columns of ``fill``, at least ``hn`` x ``wn``."""
    B, H, W = x.shape
    if not ph and not pw and hn <= H and wn <= W:
        return x
    xp = np.full_like(x, fill, shape=(B, max(hn, ph + H), max(wn, pw + W)))
    xp[:, ph:ph + H, pw:pw + W] = x
    return xp


# -- scatter helpers (shared with ops/resample.py) ----------------------------------------------

def scatter_flat(g, idx: np.ndarray, n: int, unique: bool):
    """``out[idx[k]] += g.flat[k]`` into ``n`` zeros (``unique``: no index repeats)."""
    v = g.reshape(-1)
    out = np.zeros_like(v, shape=(n,))
    if unique:
        out[idx] = v
    elif type(g) is np.ndarray:              # the same scatter-add, in one pass (first order)
        out = np.bincount(idx, weights=v.astype(np.float64, copy=False),
                          minlength=n).astype(g.dtype, copy=False)
    else:
        np.add.at(out, idx, v)
    return out


def axis_scatter(v, idx: np.ndarray, n: int, axis: int):
    """``out[..., idx[k], ...] += v[..., k, ...]`` along ``axis`` into ``n`` positions (``idx``
    non-decreasing), ``v``'s other dimensions kept."""
    axis %= v.ndim
    shape = v.shape[:axis] + (n,) + v.shape[axis + 1:]
    lead = (slice(None),) * axis
    if type(v) is np.ndarray:                # segment sums (first order)
        starts = np.flatnonzero(np.concatenate(([True], idx[1:] != idx[:-1])))
        red = np.add.reduceat(v, starts, axis=axis) if len(starts) < len(idx) else v
        uniq = idx[starts]
        if len(uniq) == n:
            return red
        out = np.zeros_like(v, shape=shape)
        out[lead + (uniq,)] = red
        return out
    out = np.zeros_like(v, shape=shape)
    np.add.at(out, lead + (idx,), v)
    return out


# -- max pooling --------------------------------------------------------------------------------

def _has_nan(out: np.ndarray) -> bool:
    return out.dtype.kind == "f" and bool(np.isnan(np.add.reduce(out, axis=None)))


def _running_max(m, v, nan_rule: bool):
    """One step of a running maximum ``m`` (updated in place where it can be): the new maximum,
    and where ``v`` won (strictly greater, or with ``nan_rule`` a NaN)."""
    better = v > m
    if nan_rule:
        better |= np.isnan(v)
        return np.where(better, v, m), better
    np.maximum(m, v, out=m)
    return m, better


def _max_tiled(x, kh: int, kw: int, oh: int, ow: int, need_loc: bool, nan_rule: bool = False):
    """Max pooling of planes ``x`` (B, H, W) by windows that tile it (stride = kernel, no
    padding or dilation): the maximum over the ``kh * kw`` strided sub-grids (2x2: the four
    quarters), and the winning offset in each window (the first maximum, or the last NaN)."""
    m = loc = None
    for t in range(kh * kw):
        i, j = divmod(t, kw)
        v = x[:, i:oh * kh:kh, j:ow * kw:kw]
        if m is None:
            m = v.copy()
            if need_loc:
                loc = np.zeros(v.shape, np.uint8)
            continue
        if not need_loc:
            np.maximum(m, v, out=m)
            continue
        m, better = _running_max(m, v, nan_rule)
        # offsets only grow along the loop: ``loc = t where better`` as one cheap maximum
        np.maximum(loc, better * np.uint8(t), out=loc)
    if need_loc and not nan_rule and _has_nan(m):
        return _max_tiled(x, kh, kw, oh, ow, need_loc, True)
    return m, loc


def _max_pool_core(x, k, s, p, d, o, nan_rule: bool = False):
    """Max pooling of planes ``x`` (B, H, W): values and PyTorch's flat indices. Two stages
    (along W, then along H), each a loop over kernel offsets; a later element wins only if
    strictly greater (or, with ``nan_rule``, NaN): the first maximum in scan order, or the
    last NaN."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = k, s, p, d, o
    B, H, W = x.shape
    hn, wn = (oh - 1) * sh + (kh - 1) * dh + 1, (ow - 1) * sw + (kw - 1) * dw + 1
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _padded(x, ph, pw, hn, wn, fill)[:, :hn]

    def stage(a, n_k, step, n_out, dil, axis):
        m = arg = None
        for j in range(n_k):
            sl = _window(a, j * dil, n_out, step)
            v = a[:, :, sl] if axis == 2 else a[:, sl]
            if m is None:
                m, arg = v.copy(), np.zeros(v.shape, np.int64)
                continue
            m, better = _running_max(m, v, nan_rule)
            np.maximum(arg, better * j, out=arg)       # arg = j where better (j only grows)
        return m, arg

    rm, aw = stage(xp, kw, sw, ow, dw, 2)           # (B, hn, ow): row maxima, column offsets
    out, ah = stage(rm, kh, sh, oh, dh, 1)          # (B, oh, ow): maxima, row offsets
    if not nan_rule and _has_nan(out):
        return _max_pool_core(x, k, s, p, d, o, True)
    hp = ah * dh + (np.arange(oh) * sh)[:, None]            # chosen rows (padded coordinates)
    wp = np.take_along_axis(aw, hp, axis=1) * dw + np.arange(ow) * sw
    if ph or pw or hn > H or wn > W:
        # a window whose maximum is the fill value may have chosen a padding position: PyTorch
        # keeps its first valid position then (all its valid values equal the maximum)
        bad = (hp < ph) | (hp >= ph + H) | (wp < pw) | (wp >= pw + W)
        if bad.any():
            h0 = np.arange(oh) * sh
            h0 = h0 + dh * np.maximum(0, -(-(ph - h0) // dh))
            w0 = np.arange(ow) * sw
            w0 = w0 + dw * np.maximum(0, -(-(pw - w0) // dw))
            hp = np.where(bad, h0[:, None], hp)
            wp = np.where(bad, w0, wp)
    return out, (hp - ph) * W + (wp - pw)


def _max_only(x, k, s, p, d, o):
    """The maxima alone (no indices): two stages of strided maximums."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = k, s, p, d, o
    hn, wn = (oh - 1) * sh + (kh - 1) * dh + 1, (ow - 1) * sw + (kw - 1) * dw + 1
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _padded(x, ph, pw, hn, wn, fill)[:, :hn]
    m = None
    for j in range(kw):
        v = xp[:, :, _window(xp, j * dw, ow, sw)]
        m = v.copy() if m is None else np.maximum(m, v, out=m)
    r = None
    for i in range(kh):
        v = m[:, _window(m, i * dh, oh, sh)]
        r = v.copy() if r is None else np.maximum(r, v, out=r)
    return r


def _tiled_index(loc, kh, kw, W):
    """PyTorch's flat indices from the winning offsets of tiling windows."""
    oh, ow = loc.shape[-2:]
    i, j = np.divmod(loc.astype(np.int64), kw)
    return (i + (np.arange(oh) * kh)[:, None]) * W + j + np.arange(ow) * kw


def _plane_offsets(idx: np.ndarray, n: int) -> np.ndarray:
    """Flat indices into the whole input from per-plane indices (planes of ``n`` elements)."""
    if not idx.size:
        return idx.reshape(-1)
    planes = idx.reshape(-1, idx.shape[-1] * idx.shape[-2])
    return (planes + (np.arange(planes.shape[0], dtype=np.int64) * n)[:, None]).reshape(-1)


class MaxPool2DWithIndices(Function):
    """2-d max pooling; the gradient goes to each window's maximum: by the winning offset in
    each window when the windows tile the input, else by saved flat indices."""
    _raw = True
    _name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, out, where, kernel):
        # where: ("tiled", offsets) or ("flat", indices into x, unique, keep-mask or None)
        if where is None:                    # no graph recorded
            return out
        ctx.shape, ctx.kernel = x.shape, kernel
        if where[0] == "tiled":
            ctx.loc = where[1]
        else:
            ctx.idx, ctx.unique, ctx.keep = where[1], where[2], where[3]
        return out

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        if "loc" in ctx.__dict__:
            kh, kw = ctx.kernel
            loc = ctx.loc
            oh, ow = g.shape[-2:]
            gp = g.reshape((-1, oh, ow))
            # windows that cover the whole plane write every element: no zero fill needed
            covered = (oh * kh, ow * kw) == tuple(shape[-2:]) and type(gp) is np.ndarray
            new = np.empty_like if covered else np.zeros_like
            gi = new(gp, shape=(gp.shape[0],) + shape[-2:])
            for t in range(kh * kw):
                i, j = divmod(t, kw)
                if covered:
                    np.multiply(gp, loc == t, out=gi[:, i:oh * kh:kh, j:ow * kw:kw])
                else:
                    gi[:, i:oh * kh:kh, j:ow * kw:kw] = gp * (loc == t)
            return (gi.reshape(shape),)
        if ctx.keep is not None:
            g = g * ctx.keep
        return (scatter_flat(g, ctx.idx, int(np.prod(shape)), ctx.unique).reshape(shape),)


def _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                fn: str = "max_pool2d"):
    x = _data(input, fn)
    k = _pair(kernel_size, fn, "kernel_size")
    s = _pair(stride, fn, "stride", default=k)
    p = _pair(padding, fn, "padding")
    d = _pair(dilation, fn, "dilation")
    if x.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    H, W = x.shape[-2:]
    o = tuple(_out_size(n, k[i], s[i], p[i], d[i], ceil_mode) for i, n in enumerate((H, W)))
    _shape_check(x, k, s, p, d, o)
    if x.dtype == np.bool_:
        raise _not_implemented("max_pool2d", x.dtype)
    graph = input.requires_grad and _grad_state[0]
    shape = x.shape[:-2] + o
    planes = _planes(x)
    idx = where = None
    if not x.size:
        out, idx = np.zeros_like(x, shape=shape), np.zeros(shape, np.int64)
        where = ("flat", idx.reshape(-1), True, None)
    elif s == k and p == (0, 0) and d == (1, 1) and o[0] * k[0] <= H and o[1] * k[1] <= W:
        out, loc = _max_tiled(planes, k[0], k[1], o[0], o[1], graph or return_indices)
        if return_indices:
            idx = _tiled_index(loc, k[0], k[1], W).reshape(shape)
        where = ("tiled", loc)
    elif not (graph or return_indices):
        out = _max_only(planes, k, s, p, d, o)
    else:
        out, idx = _max_pool_core(planes, k, s, p, d, o)
        idx = idx.reshape(shape)
        if graph:
            unique = s[0] >= (k[0] - 1) * d[0] + 1 and s[1] >= (k[1] - 1) * d[1] + 1
            flat, keep = idx, None
            if (d[0] > 1 or d[1] > 1) and (p[0] or p[1]) and idx.max() >= H * W:
                # a window of padding only (dilated taps skipping the whole input): PyTorch
                # reports its first tap's index, past the plane; no gradient flows there
                keep = idx < H * W
                flat, unique = np.where(keep, idx, 0), False
            where = ("flat", _plane_offsets(flat, H * W), unique, keep)
    r = apply(MaxPool2DWithIndices, (input,), (x,), out.reshape(shape), where, k)
    return (r, _make(idx)) if return_indices else r


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """2-d max pooling over the last two dimensions of a 3-d or 4-d input.

    ``stride`` defaults to ``kernel_size``; padding counts as ``-inf``; ``return_indices`` also
    returns each maximum's flat index in its plane (for ``max_unpool2d``).

    >>> import numtorch as torch
    >>> max_pool2d(torch.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """``max_pool2d`` returning ``(values, indices)``."""
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _check_1d_input(x, fn: str) -> None:
    if x.ndim not in (2, 3) or 0 in x.shape[-2:]:
        raise RuntimeError(f"{fn}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got:{list(x.shape)}")


def _check_dim_range(x, fn: str) -> None:
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for "
                           f"argument #1 'self' (while checking arguments for {fn})")


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """1-d max pooling over the last dimension of a 2-d or 3-d input (see ``max_pool2d``).

    >>> import numtorch as torch
    >>> max_pool1d(torch.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[3., 2.]]])
    """
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    x = _data(input, "max_pool1d")
    _check_1d_input(x, "max_pool1d")
    args = []
    for name, v, default in (("kernel_size", kernel_size, None), ("stride", stride, 0),
                             ("padding", padding, None), ("dilation", dilation, None)):
        if default is not None and (v is None or (isinstance(v, (tuple, list)) and not v)):
            args.append(None)
            continue
        t = _ints(v, "max_pool1d", name, _POSITIONS[name])
        if len(t) != 1:
            what = {"kernel_size": "an int, list of ints or tuple of ints",
                    "stride": "None, an int, list of ints, or tuple of ints",
                    "padding": "an int, list of ints, or tuple of ints",
                    "dilation": "an int, list of ints or tuple of ints"}[name]
            raise RuntimeError(f"max_pool1d() {name} must be {what} of size 1 but got size {len(t)}")
        args.append(t[0])
    k, s, p, d = args
    s = k if s is None else s
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    n = (x.shape[-1] + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (n - 1) * s >= x.shape[-1] + p:
        n -= 1
    if n < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {n}")
    out = _max_pool2d(_S.unsqueeze(input, -2), (1, k), (1, s), (0, p), (1, d), ceil_mode, False)
    return _S.squeeze(out, -2)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """``max_pool1d`` returning ``(values, indices)``."""
    x = _data(input, "max_pool1d_with_indices")
    fn = "max_pool1d"
    k = _single(kernel_size, fn, "kernel_size")
    s = _single(stride, fn, "stride", default=k)
    p = _single(padding, fn, "padding")
    d = _single(dilation, fn, "dilation")
    _check_dim_range(x, "max_pool1d")
    out, idx = _max_pool2d(_S.unsqueeze(input, -2), (1, k), (1, s), (0, p), (1, d), ceil_mode, True)
    return _S.squeeze(out, -2), _S.squeeze(idx, -2)


# -- average pooling ----------------------------------------------------------------------------

def _avg_divisor(n, k, s, p, o, count_include_pad):
    """Per-output window sizes along one axis: with padding (clipped at ``n + p``) or without."""
    start = np.arange(o) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def _int_divide(a: np.ndarray, b) -> np.ndarray:
    """C's integer division (truncation toward zero)."""
    q = a // b
    return q + ((a % b != 0) & ((a < 0) != (np.asarray(b) < 0)))


class AvgPool2D(Function):
    """2-d average pooling: the gradient of each output, divided by its divisor, goes to its
    window (a loop over kernel offsets of strided slices)."""
    _raw = True
    _name = "AvgPool2DBackward0"
    constants = ("div",)

    @staticmethod
    def forward(ctx, x, out, k, s, p, div):
        ctx.shape, ctx.k, ctx.s, ctx.p, ctx.div = x.shape, k, s, p, div
        return out

    @staticmethod
    def backward(ctx, g):
        shape, (kh, kw), (sh, sw), (ph, pw) = ctx.shape, ctx.k, ctx.s, ctx.p
        H, W = shape[-2:]
        oh, ow = g.shape[-2:]
        gd = g.reshape((-1, oh, ow)) / ctx.div
        hn, wn = max((oh - 1) * sh + kh, ph + H), max((ow - 1) * sw + kw, pw + W)
        gp = np.zeros_like(gd, shape=(gd.shape[0], hn, wn))
        for i in range(kh):
            for j in range(kw):
                gp[:, _window(gp, i, oh, sh), _window(gp, j, ow, sw)] += gd
        return (gp[:, ph:ph + H, pw:pw + W].reshape(shape),)


def _avg_pool_core(x, k, s, p, o, div):
    """Window sums of planes ``x`` (B, H, W) (zero padding, row-major order) over ``div``."""
    (kh, kw), (sh, sw), (ph, pw), (oh, ow) = k, s, p, o
    acc_dtype = np.float32 if x.dtype == np.float16 else (x.dtype if x.dtype.kind == "f" else np.int64)
    xp = _padded(x, ph, pw, (oh - 1) * sh + kh, (ow - 1) * sw + kw, 0)
    acc = None
    for i in range(kh):
        for j in range(kw):
            v = xp[:, _window(xp, i, oh, sh), _window(xp, j, ow, sw)]
            acc = v.astype(acc_dtype) if acc is None else np.add(acc, v, out=acc, dtype=acc_dtype)
    if acc_dtype == np.int64:
        return _int_divide(acc, div).astype(x.dtype)
    return (acc / div).astype(x.dtype, copy=False)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """2-d average pooling; padding counts as zeros (in the divisor only if
    ``count_include_pad``); ``divisor_override`` replaces the divisor.

    >>> import numtorch as torch
    >>> avg_pool2d(torch.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    return _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, "avg_pool2d")


def _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                fn):
    x = _data(input, fn)
    k = _pair(kernel_size, fn, "kernel_size")
    s = _pair(stride, fn, "stride", default=k)
    p = _pair(padding, fn, "padding")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if x.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got -3)")
    if x.ndim > 4:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(x.shape)}")
    o = tuple(_out_size(n, k[i], s[i], p[i], 1, ceil_mode) for i, n in enumerate(x.shape[-2:]))
    _shape_check(x, k, s, p, (1, 1), o)
    if x.dtype == np.bool_:
        raise _not_implemented(fn, x.dtype)
    if divisor_override is not None:
        div = np.full(o, divisor_override)
    else:
        div = np.multiply.outer(*(_avg_divisor(n, k[i], s[i], p[i], o[i], count_include_pad)
                                  for i, n in enumerate(x.shape[-2:])))
    if x.dtype.kind == "f":
        div = div.astype(np.float32 if x.dtype == np.float16 else x.dtype)
    out = _avg_pool_core(_planes(x), k, s, p, o, div) if x.size else np.zeros_like(x, shape=(0,) + o)
    if x.dtype.kind == "f":
        div = div.astype(x.dtype, copy=False)
    return apply(AvgPool2D, (input,), (x,), out.reshape(x.shape[:-2] + o), k, s, p, div)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-d average pooling over the last dimension (see ``avg_pool2d``).

    >>> import numtorch as torch
    >>> avg_pool1d(torch.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
    tensor([[[2., 1.]]])
    """
    x = _data(input, "avg_pool1d")
    _check_dim_range(x, "avg_pool1d")
    k = _single(kernel_size, "avg_pool1d", "kernel_size")
    s = _single(stride, "avg_pool1d", "stride", default=k)
    p = _single(padding, "avg_pool1d", "padding")
    out = _avg_pool2d(_S.unsqueeze(input, -2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad,
                      None, "avg_pool2d")
    return _S.squeeze(out, -2)


# -- adaptive pooling ---------------------------------------------------------------------------

def _bins(n: int, o: int):
    """PyTorch's adaptive bins along one axis: start = floor(i*n/o), end = ceil((i+1)*n/o)."""
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    return start, end


def _bin_offsets(n: int, o: int):
    """For each offset r into the bins: (index array or slice, validity mask or None)."""
    if n % o == 0:
        k = n // o
        return [(slice(r, n, k), None) for r in range(k)]
    start, end = _bins(n, o)
    length = end - start
    return [(np.minimum(start + r, end - 1), None if (r < length).all() else r < length)
            for r in range(int(length.max()))]


def _adaptive_size(output_size, x, fn: str, nd: int) -> tuple:
    if nd == 1:
        t = _ints(output_size, fn, "output_size", 2)
        if len(t) != 1:
            raise RuntimeError(f"{fn}() argument 'output_size' should contain one int (got {len(t)})")
        return t
    if output_size is None or (not _is_int(output_size) and not isinstance(output_size, (tuple, list))):
        raise TypeError(f"object of type '{type(output_size).__name__}' has no len()")
    t = (output_size, output_size) if _is_int(output_size) else tuple(output_size)
    if len(t) != 2:
        if fn == "adaptive_max_pool2d":
            raise RuntimeError("adaptive_max_pool2d(): internal error: output_size.size() must be 2")
        raise RuntimeError(f"{fn}: output_size must be 2")
    return tuple(x.shape[-2 + i] if v is None else int(v) for i, v in enumerate(t))


def _check_adaptive_input(x, fn: str) -> None:
    if x.ndim not in (3, 4):
        sep = ": " if fn == "adaptive_max_pool2d" else " "
        raise RuntimeError(f"{fn}(): Expected 3D or 4D tensor, but got{sep}{list(x.shape)}")
    first = x.ndim - 2 if fn == "adaptive_avg_pool2d" else x.ndim - 3
    for i in range(first, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, "
                               f"but input has sizes {list(x.shape)} with dimension {i} being empty")


class AdaptiveAvgPool2D(Function):
    """Adaptive average pooling: each output's gradient over its bin size goes to its bin."""
    _raw = True
    _name = "AdaptiveAvgPool2DBackward0"
    constants = ("lh", "lw")

    @staticmethod
    def forward(ctx, x, out, lh, lw):
        ctx.shape, ctx.lh, ctx.lw = x.shape, lh, lw
        return out

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        H, W = shape[-2:]
        oh, ow = g.shape[-2:]
        gd = g.reshape((-1, oh, ow)) / ctx.lh / ctx.lw
        gh = None                                   # (B, H, ow): scattered along H
        for rows, mask in _bin_offsets(H, oh):
            v = gd if mask is None else gd * mask[:, None]
            part = _to_axis(v, rows, H, 1)
            gh = part if gh is None else gh + part
        gi = None
        for cols, mask in _bin_offsets(W, ow):
            v = gh if mask is None else gh * mask
            part = _to_axis(v, cols, W, 2)
            gi = part if gi is None else gi + part
        return (gi.reshape(shape),)


def _to_axis(v, where, n: int, axis: int):
    """``v``'s slices along ``axis`` put (added) at ``where`` (a slice or indices) of ``n``."""
    if isinstance(where, slice):
        shape = v.shape[:axis] + (n,) + v.shape[axis + 1:]
        out = np.zeros_like(v, shape=shape)
        out[(slice(None),) * axis + (where,)] = v
        return out
    return axis_scatter(v, where, n, axis)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size: output ``i`` averages the bin
    ``floor(i*n/o) .. ceil((i+1)*n/o)`` (``None`` keeps that dimension).

    >>> import numtorch as torch
    >>> adaptive_avg_pool2d(torch.arange(6.0).reshape(1, 1, 2, 3), (1, 2))
    tensor([[[[2., 3.]]]])
    """
    x = _data(input, "adaptive_avg_pool2d")
    o = _adaptive_size(output_size, x, "adaptive_avg_pool2d", 2)
    if o == (1, 1) and x.ndim >= 2:
        return _R.mean(input, (-2, -1), True)          # as PyTorch: MeanBackward1
    _check_adaptive_input(x, "adaptive_avg_pool2d")
    if min(o) < 0:
        raise RuntimeError("adaptive_avg_pool2d: elements of output_size must be greater than or equal "
                           f"to 0 but received {{{o[0]}, {o[1]}}}")
    if x.dtype.kind != "f":
        raise _not_implemented("adaptive_avg_pool2d", x.dtype)
    H, W = x.shape[-2:]
    if 0 in o or not x.size:
        out = np.zeros_like(x, shape=x.shape[:-2] + o)
        return apply(AdaptiveAvgPool2D, (input,), (x,), out, np.ones((o[0], 1), x.dtype),
                     np.ones((o[1],), x.dtype))
    xb = _planes(x)
    wide = np.float32 if x.dtype == np.float16 else x.dtype
    acc = None
    for rows, rmask in _bin_offsets(H, o[0]):
        xr = xb[:, rows]
        for cols, cmask in _bin_offsets(W, o[1]):
            v = xr[:, :, cols]
            if rmask is not None or cmask is not None:
                keep = (True if rmask is None else rmask[:, None]) & (True if cmask is None else cmask)
                v = np.where(keep, v, 0)
            acc = v.astype(wide) if acc is None else np.add(acc, v, out=acc, dtype=wide)
    sh, eh = _bins(H, o[0])
    sw, ew = _bins(W, o[1])
    lh, lw = (eh - sh).astype(wide)[:, None], (ew - sw).astype(wide)
    out = (acc / lh / lw).astype(x.dtype, copy=False).reshape(x.shape[:-2] + o)
    return apply(AdaptiveAvgPool2D, (input,), (x,), out, lh.astype(x.dtype), lw.astype(x.dtype))


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """1-d adaptive average pooling over the last dimension (see ``adaptive_avg_pool2d``).

    >>> import numtorch as torch
    >>> adaptive_avg_pool1d(torch.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]]), 2)
    tensor([[[2., 4.]]])
    """
    x = _data(input, "adaptive_avg_pool1d")
    _check_dim_range(x, "adaptive_avg_pool1d")
    o = _adaptive_size(output_size, x, "adaptive_avg_pool1d", 1)
    return _S.squeeze(adaptive_avg_pool2d(_S.unsqueeze(input, -2), (1, o[0])), -2)


class AdaptiveMaxPool2D(Function):
    """Adaptive max pooling: the gradient goes to each bin's maximum (flat indices; bins may
    overlap, so the gradients add)."""
    _raw = True
    _name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out, idx):
        ctx.idx, ctx.shape = _plane_offsets(idx, x.shape[-1] * x.shape[-2]), x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        return (scatter_flat(g, ctx.idx, int(np.prod(shape)), False).reshape(shape),)


def _adaptive_max_core(x, o, nan_rule=False):
    """Bin maxima of planes ``x`` (B, H, W) and their flat indices (two stages, as max pooling;
    an offset past a short bin repeats the bin's last element, which never wins a tie)."""
    B, H, W = x.shape
    oh, ow = o

    def stage(a, n, n_out, axis):
        m = arg = None
        start, end = _bins(n, n_out)
        for r in range(int((end - start).max())):
            pos = np.minimum(start + r, end - 1)
            v = a[:, :, pos] if axis == 2 else a[:, pos]
            if m is None:
                m, arg = v.copy(), np.broadcast_to(pos if axis == 2 else pos[:, None], v.shape).copy()
                continue
            better = v > m
            if nan_rule:
                better |= np.isnan(v)
                m = np.where(better, v, m)
            else:
                np.maximum(m, v, out=m)
            # arg = pos where better (pos never decreases along the loop)
            np.maximum(arg, better * (pos if axis == 2 else pos[:, None]), out=arg)
        return m, arg

    rm, aw = stage(x, W, ow, 2)            # (B, H, ow)
    out, ah = stage(rm, H, oh, 1)          # (B, oh, ow)
    if not nan_rule and x.dtype.kind == "f" and np.isnan(out).any():
        return _adaptive_max_core(x, o, True)
    return out, ah * W + np.take_along_axis(aw, ah, axis=1)


def _adaptive_max_pool2d(input, output_size, return_indices, fn="adaptive_max_pool2d"):
    x = _data(input, fn)
    _check_adaptive_input(x, "adaptive_max_pool2d")
    o = _adaptive_size(output_size, x, "adaptive_max_pool2d", 2)
    if min(o) < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(o)}: "
                           f"{list(x.shape[:-2] + o)}")
    if x.dtype.kind != "f":
        raise _not_implemented("adaptive_max_pool2d", x.dtype)
    if 0 in o or not x.size:
        out, idx = np.zeros_like(x, shape=x.shape[:-2] + o), np.zeros(x.shape[:-2] + o, np.int64)
    else:
        out, idx = _adaptive_max_core(_planes(x), o)
        out, idx = out.reshape(x.shape[:-2] + o), idx.reshape(x.shape[:-2] + o)
    r = apply(AdaptiveMaxPool2D, (input,), (x,), out, idx)
    return (r, _make(idx)) if return_indices else r


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size (bins as ``adaptive_avg_pool2d``).

    >>> import numtorch as torch
    >>> adaptive_max_pool2d(torch.arange(6.0).reshape(1, 1, 2, 3), (1, 2))
    tensor([[[[4., 5.]]]])
    """
    return _adaptive_max_pool2d(input, output_size, return_indices)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    """``adaptive_max_pool2d`` returning ``(values, indices)``."""
    return _adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """1-d adaptive max pooling over the last dimension (see ``adaptive_max_pool2d``).

    >>> import numtorch as torch
    >>> adaptive_max_pool1d(torch.tensor([[[1.0, 5.0, 3.0, 4.0, 2.0]]]), 2)
    tensor([[[5., 4.]]])
    """
    x = _data(input, "adaptive_max_pool1d")
    _check_dim_range(x, "adaptive_max_pool1d")
    o = _adaptive_size(output_size, x, "adaptive_max_pool1d", 1)
    out, idx = _adaptive_max_pool2d(_S.unsqueeze(input, -2), (1, o[0]), True)
    out = _S.squeeze(out, -2)
    return (out, _S.squeeze(idx, -2)) if return_indices else out


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    """``adaptive_max_pool1d`` returning ``(values, indices)`` (``torch.adaptive_max_pool1d``)."""
    return adaptive_max_pool1d(input, output_size, True)


# -- max unpooling ------------------------------------------------------------------------------

class MaxUnpool2D(Function):
    """Max-unpooling (over the last ``len(size)`` dims; ``MaxUnpool3D`` is this with its own
    node name): values put at their indices in zeros; the gradient gathers them back."""
    _raw = True
    _name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, idx, size):
        nd = len(size)
        ctx.idx, ctx.shape, ctx.nd = idx, x.shape, nd
        B = int(np.prod(x.shape[:-nd], dtype=np.int64))
        m = int(np.prod(x.shape[-nd:]))
        out = np.zeros_like(x, shape=(B, int(np.prod(size))))
        if out.size:
            np.put_along_axis(out, idx.reshape(B, m), x.reshape(B, m), axis=1)
        return out.reshape(x.shape[:-nd] + tuple(size))

    @staticmethod
    def backward(ctx, g):
        shape, idx, nd = ctx.shape, ctx.idx, ctx.nd
        B = int(np.prod(shape[:-nd], dtype=np.int64))
        m = int(np.prod(shape[-nd:]))
        n = int(np.prod(g.shape[-nd:]))
        if not (B and m and n):
            return (np.zeros_like(g, shape=shape),)
        return (np.take_along_axis(g.reshape(B, n), idx.reshape(B, m), axis=1).reshape(shape),)


def _unpool_size(in_size, k, s, p, output_size) -> tuple:
    """PyTorch's ``_unpool_output_size``: the default, or ``output_size`` checked against it."""
    default = [(in_size[d] - 1) * s[d] - 2 * p[d] + k[d] for d in range(len(k))]
    if output_size is None:
        return tuple(default)
    output_size = list(output_size)
    n = len(k)
    if len(output_size) == n + 2:
        output_size = output_size[2:]
    if len(output_size) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it "
                         f"has a length of '{len(output_size)}'")
    for d in range(n):
        lo, hi = default[d] - s[d], default[d] + s[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must be between '
                             f"{lo} and {hi})")
    return tuple(int(v) for v in output_size)


def _max_unpool2d(input, indices, size):
    x = _data(input, "max_unpool2d")
    idx = _data(indices, "max_unpool2d")
    if idx.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{legacy_name_np(idx.dtype)}")
    if x.ndim not in (3, 4):
        raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor "
                           f"with {x.ndim} dimensions.")
    if idx.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape)}) but got indices tensor with shape: {list(idx.shape)}")
    if x.dtype.kind != "f":
        raise _not_implemented("max_unpool2d", x.dtype)
    n = size[0] * size[1]
    bad = (idx < 0) | (idx >= n)
    if bad.any():
        raise RuntimeError(f"Found an invalid max index: {int(idx[bad].flat[0])} (output volumes are of "
                           f"size {size[0]}x{size[1]})")
    return apply(MaxUnpool2D, (input,), (x,), idx, size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of ``max_pool2d``: each value put at its index, zeros elsewhere.

    >>> import numtorch as torch
    >>> y, i = max_pool2d(torch.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2, return_indices=True)
    >>> max_unpool2d(y, i, 2)
    tensor([[[[0., 0.],
              [4., 0.]]]])
    """
    k = _pair(kernel_size, "max_unpool2d", "kernel_size")
    s = _pair(stride, "max_unpool2d", "stride", default=k)
    p = _pair(padding, "max_unpool2d", "padding")
    x = _data(input, "max_unpool2d")
    size = _unpool_size(x.shape[-2:], k, s, p, output_size)
    return _max_unpool2d(input, indices, size)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """The partial inverse of ``max_pool1d`` (see ``max_unpool2d``).

    >>> import numtorch as torch
    >>> y, i = max_pool1d(torch.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2, return_indices=True)
    >>> max_unpool1d(y, i, 2)
    tensor([[[0., 3., 2., 0.]]])
    """
    k = _single(kernel_size, "max_unpool1d", "kernel_size")
    s = _single(stride, "max_unpool1d", "stride", default=k)
    p = _single(padding, "max_unpool1d", "padding")
    x = _data(input, "max_unpool1d")
    size = _unpool_size(x.shape[-1:], (k,), (s,), (p,), output_size)
    out = _max_unpool2d(_S.unsqueeze(input, -1), _S.unsqueeze(indices, -1), (size[0], 1))
    return _S.squeeze(out, -1)
