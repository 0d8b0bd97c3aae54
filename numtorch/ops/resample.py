"""Resampling: ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, trilinear,
area) with PyTorch's output sizes, source-index formulas and node names; and the pixel and
channel shuffles (``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``).

Every mode but ``area`` is separable: along each spatial axis an output element is a weighted
sum of at most four input elements (its *taps*: indices and weights), computed once per axis
from PyTorch's formulas, in PyTorch's precision (float32 for float32 data, with the fused
multiply-adds PyTorch's CPU build uses, so float32 results are PyTorch's to the bit). The data
then go through one gather-multiply-add per tap and axis; the backward adds each gradient back
at the taps (one formula, which also records itself under ``create_graph=True``). ``area`` is
adaptive average pooling. ``antialias=True`` (bilinear, bicubic) widens the filter by the
downscaling factor; its weights (``_aa_taps``, also torchvision's resize) are PyTorch's to the bit
in float32, and the gradient goes back through them as matrices.

>>> import numtorch as torch
>>> interpolate(torch.tensor([[[1.0, 2.0]]]), scale_factor=2, mode="linear")
tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
"""
from __future__ import annotations

import math
from operator import index as _index

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply
from .._threads import get_num_threads
from .pooling import (axis_scatter, adaptive_avg_pool1d, adaptive_avg_pool2d, _data, _not_implemented,
                      _is_int)

_f32, _f64 = np.float32, np.float64


def _fma(a, b, c):
    """``a * b + c`` rounded once, as a fused multiply-add (exact for float32 operands)."""
    if a.dtype == _f32:
        t = a.astype(_f64)
        t *= b
        t += c
        return t.astype(_f32)
    return a * b + c


# -- taps: per axis, the input indices and weights of each output -------------------------------

def _scale(n_in: int, n_out: int, align_corners: bool, scale, dt):
    """PyTorch's ``area_pixel_compute_scale`` in the op's precision ``dt``."""
    if align_corners:
        return dt(n_in - 1) / dt(n_out - 1) if n_out > 1 else dt(0)
    if scale is not None and scale > 0:
        return dt(1.0 / scale)
    return dt(n_in) / dt(n_out)


def _source(r, n_out: int, align_corners: bool, dt):
    d = np.arange(n_out).astype(dt)
    if align_corners:
        return r * d
    return _fma(d + dt(0.5), r, dt(-0.5)) if dt is _f32 else r * (d + dt(0.5)) - dt(0.5)


def _taps(mode: str, n_in: int, n_out: int, align_corners: bool, scale, dt, shortcut=True) -> tuple:
    """``((index, weight or None), ...)`` for one axis (indices non-decreasing). ``shortcut``:
    nearest's same-size and double-size special cases (PyTorch's 2-d forward and every
    backward take them; its 1-d and 3-d forwards compute the formula)."""
    dst = np.arange(n_out)
    if mode == "nearest" or mode == "nearest-exact":
        if mode == "nearest" and shortcut and n_out == n_in:
            return ((dst, None),)
        if mode == "nearest" and shortcut and n_out == 2 * n_in:
            return ((dst >> 1, None),)
        s = _f32(1.0 / scale) if scale is not None and scale > 0 else _f32(n_in) / _f32(n_out)
        d = dst.astype(_f32)
        src = np.floor(d * s if mode == "nearest" else (d + _f32(0.5)) * s)
        return ((np.minimum(src.astype(np.int64), n_in - 1), None),)
    if mode == "linear":
        if n_out == n_in:
            return ((dst, np.ones(n_out, dt)), (dst, np.zeros(n_out, dt)))
        src = _source(_scale(n_in, n_out, align_corners, scale, dt), n_out, align_corners, dt)
        if not align_corners:
            src = np.where(src < 0, dt(0), src)
        i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        l1 = np.minimum(np.maximum(src - i0.astype(dt), dt(0)), dt(1))
        return ((i0, dt(1) - l1), (i0 + (i0 < n_in - 1), l1))
    # cubic (A = -0.75), taps clamped to the edges
    src = _source(_scale(n_in, n_out, align_corners, scale, dt), n_out, align_corners, dt)
    i = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    t = np.minimum(np.maximum(src - i.astype(dt), dt(0)), dt(1))
    A, one = dt(-0.75), dt(1)

    def near(x):        # |x| <= 1
        return ((_fma(x, A + dt(2), -(A + dt(3))) * x) * x + one).astype(dt)

    def far(x):         # 1 < |x| < 2
        return (_fma(_fma(x, A, dt(-5) * A), x, dt(8) * A) * x - dt(4) * A).astype(dt)

    w = (far(t + one), near(t), near(one - t), far((one - t) + one))
    return tuple((np.clip(i + k - 1, 0, n_in - 1), w[k]) for k in range(4))


def _along(x, taps, axis: int):
    """One axis of the resampling: ``sum_k x[..., idx_k, ...] * w_k`` (PyTorch's order)."""
    if taps[0][1] is None:
        return np.take(x, taps[0][0], axis=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    vals = [np.take(x, i, axis=axis) for i, _ in taps]
    ws = [w.reshape(shape) for _, w in taps]
    out = _fma(vals[0], ws[0], vals[1] * ws[1])
    for v, w in zip(vals[2:], ws[2:]):
        out = _fma(v, w, out)
    return out


def _bilinear_4(x, th, tw):
    """PyTorch's vectorised bilinear kernel (small outputs): four taps with product weights."""
    (h0, a0), (h1, a1) = th
    (w0, b0), (w1, b1) = tw

    r0, r1 = np.take(x, h0, axis=-2), np.take(x, h1, axis=-2)

    def at(hi, wi):
        return np.take(r0 if hi is h0 else r1, wi, axis=-1)

    out = at(h0, w1) * (a0[:, None] * b1)
    out = _fma(at(h0, w0), a0[:, None] * b0, out)
    out = _fma(at(h1, w0), a1[:, None] * b0, out)
    return _fma(at(h1, w1), a1[:, None] * b1, out)


class _Upsample(Function):
    """Separable resampling; the gradient goes back through each axis's taps."""
    _raw = True

    @staticmethod
    def forward(ctx, x, out, taps):
        ctx.shape, ctx.taps = x.shape, taps
        return out

    @staticmethod
    def backward(ctx, g):
        shape, taps = ctx.shape, ctx.taps
        nd = len(taps)
        for k, axis_taps in enumerate(taps):
            axis = len(shape) - nd + k
            n = shape[axis]
            if axis_taps[0][1] is None:
                g = axis_scatter(g, axis_taps[0][0], n, axis)
                continue
            bshape = [1] * len(shape)
            bshape[axis] = -1
            acc = None
            for idx, w in axis_taps:
                part = axis_scatter(g * w.astype(g.dtype).reshape(bshape), idx, n, axis)
                acc = part if acc is None else acc + part
            g = acc
        return (g,)


def _node(name: str):
    return type(name[:-9], (_Upsample,), {"_raw": True, "_name": name, "__module__": __name__})


_NODES = {(mode, nd): _node(f"Upsample{label}{nd}DBackward0")
          for mode, label in (("nearest", "Nearest"), ("nearest-exact", "NearestExact"))
          for nd in (1, 2, 3)}


class UpsampleBicubic2D(_Upsample):
    _raw = True
    _name = "UpsampleBicubic2DBackward0"

    @staticmethod
    def backward(ctx, g):
        # PyTorch's bicubic backward passes the gradient through unchanged when the output has
        # the input's size, even where the forward (a scale_factor other than 1) was not the
        # identity; numtorch gives PyTorch's gradients
        if g.shape == ctx.shape:
            return (g,)
        return _Upsample.backward(ctx, g)


_NODES.update({("linear", 1): _node("UpsampleLinear1DBackward0"),
               ("linear", 2): _node("UpsampleBilinear2DBackward0"),
               ("linear", 3): _node("UpsampleTrilinear3DBackward0"),
               ("cubic", 2): UpsampleBicubic2D})

_KERNEL = {("nearest", 1): "compute_indices_weights_nearest",
           ("nearest", 2): "upsample_nearest2d_channels_last",
           ("nearest", 3): "compute_indices_weights_nearest",
           ("linear", 1): "compute_indices_weights_linear",
           ("linear", 2): "upsample_bilinear2d_channels_last",
           ("linear", 3): "compute_indices_weights_linear",
           ("cubic", 2): "compute_indices_weights_cubic"}


def _check_sizes(x, size: tuple) -> None:
    """PyTorch's checks of the spatial sizes in and out, and of an empty input."""
    nd = len(size)
    spatial = x.shape[2:]
    names = "DHW"[3 - nd:]
    if min(spatial) <= 0 or min(size) <= 0:
        given = ", ".join(f"{c}: {n}" for c, n in zip(names, spatial))
        want = ", ".join(f"{c}: {n}" for c, n in zip(names, size))
        sep = " and" if nd == 1 else ""
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given})"
                           f"{sep} output ({want})")
    if x.size == 0 and math.prod(x.shape[1:]) == 0:
        raise RuntimeError(f"Non-empty {x.ndim}D data tensor expected but got a tensor with sizes "
                           f"{list(x.shape)}")


def _upsample(input, x, mode: str, size: tuple, scales, align_corners: bool):
    _check_sizes(x, size)
    nd = len(size)
    spatial = x.shape[2:]
    dtype = x.dtype
    base = "nearest" if mode.startswith("nearest") else mode
    if dtype.kind != "f" and not (dtype == np.uint8 and (base == "nearest" or nd == 2)):
        raise _not_implemented(_KERNEL[(base, nd)], dtype)
    work = _f64 if dtype == _f64 else _f32           # PyTorch's opmath type
    taps = tuple(_taps(mode, spatial[k], size[k], align_corners, None if scales is None else scales[k],
                       work, nd == 2) for k in range(nd))
    data = x if base == "nearest" or (dtype.kind == "f" and dtype != np.float16) else x.astype(work)
    byte = dtype == np.uint8 and base != "nearest"
    if base == "linear" and nd == 2 and work is _f32 and not byte and (
            sum(size) <= 128 or (spatial == (1, 1) and x.shape[1] > 3)
            or (x.shape[1] == 3 and get_num_threads() == 1)):
        out = _bilinear_4(data, taps[0], taps[1])
    else:
        out = data
        for k in range(nd - 1, -1, -1):
            out = _along(out, taps[k], x.ndim - nd + k)
            if byte:
                # images of bytes: each pass rounded to bytes, as PyTorch's separable uint8
                # kernel does (its fixed-point weights can still differ by 1 on a few pixels)
                out = np.clip(np.floor(out + 0.5), 0, 255)
    if out.dtype != dtype:
        out = out.astype(dtype)
    key = (mode if base == "nearest" else base, nd)
    if mode == "nearest" and nd != 2:
        # PyTorch's backward maps gradients with the shortcuts its 1-d/3-d forward does not take
        taps = tuple(_taps(mode, spatial[k], size[k], align_corners,
                           None if scales is None else scales[k], work) for k in range(nd))
    return apply(_NODES[key], (input,), (x,), np.ascontiguousarray(out), taps)


# -- antialiased bilinear / bicubic (interpolate(antialias=True), torchvision's resize) ----------

def _triangle(x):
    t = x.dtype.type
    return np.maximum(t(1) - np.abs(x), t(0))


def _keys_cubic(x):
    """Keys' cubic convolution kernel (``a = -0.5``), in ``x``'s precision; float32 with the
    fused multiply-adds of PyTorch's CPU build."""
    t = x.dtype.type
    a = t(-0.5)
    x = np.abs(x)
    near = _fma(_fma(x, a + t(2), -(a + t(3))) * x, x, t(1))
    far = _fma(_fma(_fma(x, a, t(-5) * a), x, t(8) * a), x, -(t(4) * a))
    return np.where(x < 1, near, np.where(x < 2, far, t(0)))


def _aa_taps(n_in: int, n_out: int, cubic: bool, dt=_f64, scale=None, align_corners: bool = False):
    """The antialiased resampling weights along one axis: ``(first, count, weights)``, output
    ``i`` being ``sum_j x[first[i] + j] * weights[i, j]`` for ``j < count[i]``.

    Output ``i`` is centred at ``c = (i + 0.5) * s`` in input coordinates (``s`` the scale); the
    filter (support 1 for the triangle, 2 for cubic) is stretched by ``s`` when it shrinks, its
    taps are the inputs whose centres fall in ``[c - support, c + support)``, and the weights are
    normalised to sum to 1. Computed in ``dt`` with PyTorch's mixed float/double steps (its
    float32 weights to the bit); in float64 they are also Pillow's (up to the last bit).
    """
    s = _scale(n_in, n_out, align_corners, scale, dt)
    half = 2.0 if cubic else 1.0
    support = dt(half * float(s)) if s >= 1 else dt(half)        # products in double, as PyTorch
    invscale = dt(1.0 / float(s)) if s >= 1 else dt(1)
    k = int(math.ceil(support)) * 2 + 1
    center = (s * (np.arange(n_out) + 0.5)).astype(dt)
    first = np.maximum(((center - support).astype(_f64) + 0.5).astype(np.int64), 0)
    last = np.minimum(((center + support).astype(_f64) + 0.5).astype(np.int64), n_in)
    count = np.clip(last - first, 0, k)
    j = np.arange(k)
    dist = (first[:, None] + j).astype(dt) - center[:, None]
    arg = ((dist.astype(_f64) + 0.5) * invscale).astype(dt)
    w = np.where(j < count[:, None], _keys_cubic(arg) if cubic else _triangle(arg), dt(0))
    total = w[:, 0].copy()
    for col in w.T[1:]:                     # summed in order, as the weights are made
        total += col
    nz = total != 0
    w[nz] /= total[nz, None]
    return first, count, w


def _aa_matrix(n_in: int, n_out: int, cubic: bool, dt=_f64, scale=None,
               align_corners: bool = False) -> np.ndarray:
    """The ``(n_out, n_in)`` matrix of ``_aa_taps``' weights."""
    first, count, w = _aa_taps(n_in, n_out, cubic, dt, scale, align_corners)
    m = np.zeros((n_out, n_in), dt)
    rows, cols = np.nonzero(np.arange(w.shape[1]) < count[:, None])
    m[rows, first[rows] + cols] = w[rows, cols]
    return m


def _resample_aa(arr: np.ndarray, out_h: int, out_w: int, cubic: bool,
                 hw_axes: tuple) -> np.ndarray:
    """Antialiased bilinear/bicubic resampling of ``arr`` along ``hw_axes``, in float64."""
    ya, xa = hw_axes
    x = np.moveaxis(arr.astype(_f64, copy=False), (ya, xa), (-2, -1))
    if x.shape[-1] != out_w:
        x = x @ _aa_matrix(x.shape[-1], out_w, cubic).T
    if x.shape[-2] != out_h:
        x = _aa_matrix(x.shape[-2], out_h, cubic) @ x
    return np.moveaxis(x, (-2, -1), (ya, xa))


def _aa_along(x, taps, axis: int):
    """One axis of ``interpolate(antialias=True)`` in PyTorch's order: the first tap's product,
    then taps ``1 .. 4m`` (whole groups of four) added as rounded products, the rest by fused
    multiply-adds (float32: PyTorch's bits)."""
    first, count, w = taps
    last = x.shape[axis] - 1
    x = np.moveaxis(x, axis, -1)
    out = np.take(x, np.minimum(first, last), axis=-1) * w[:, 0]
    grouped = (count - 1) // 4 * 4
    for j in range(1, w.shape[1]):
        v = np.take(x, np.minimum(first + j, last), axis=-1)
        plain = j <= grouped
        if x.dtype != _f32 or plain.all():
            new = out + v * w[:, j]
        elif not plain.any():
            new = _fma(v, w[:, j], out)
        else:
            new = np.where(plain, out + v * w[:, j], _fma(v, w[:, j], out))
        out = np.where(j < count, new, out)
    return np.moveaxis(out, -1, axis)


class _UpsampleAa(Function):
    """Antialiased resampling; the gradient goes back through the weight matrices."""
    _raw = True
    constants = ("wh", "ww")            # the weights depend on the sizes only

    @staticmethod
    def forward(ctx, x, out, wh, ww):
        ctx.wh, ctx.ww = wh, ww
        return out

    @staticmethod
    def backward(ctx, g):
        if ctx.ww is not None:
            g = g @ ctx.ww
        return (g if ctx.wh is None else np.matmul(ctx.wh.T, g),)


class UpsampleBilinear2DAa(_UpsampleAa):
    _raw = True
    _name = "UpsampleBilinear2DAaBackward0"


class UpsampleBicubic2DAa(_UpsampleAa):
    _raw = True
    _name = "UpsampleBicubic2DAaBackward0"


def _upsample_aa(input, x, cubic: bool, size: tuple, scales, align_corners: bool):
    _check_sizes(x, size)
    if x.dtype == np.uint8:
        raise NotImplementedError("numtorch: interpolate(antialias=True) of uint8 images is not "
                                  "supported yet; convert to float first")
    if x.dtype != _f32 and x.dtype != _f64:
        raise _not_implemented("compute_index_ranges_weights", x.dtype)
    out, mats = x, []
    for axis in (3, 2):                 # width first, as PyTorch
        n_in, n_out = x.shape[axis], size[axis - 2]
        if n_in == n_out:
            mats.append(None)
            continue
        scale = None if scales is None else scales[axis - 2]
        out = _aa_along(out, _aa_taps(n_in, n_out, cubic, x.dtype.type, scale, align_corners), axis)
        mats.append(_aa_matrix(n_in, n_out, cubic, x.dtype.type, scale, align_corners))
        if axis == 2 and out.shape[3] == 1:
            # PyTorch 2.13's CPU kernel, one pixel wide: every row of the height pass repeats the
            # first (its gradient is the true one); numtorch gives PyTorch's values
            out = np.repeat(out[:, :, :1], n_out, axis=2)
    cls = UpsampleBicubic2DAa if cubic else UpsampleBilinear2DAa
    return apply(cls, (input,), (x,), np.ascontiguousarray(out), mats[1], mats[0])


_INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resample the spatial dimensions of a 3-d, 4-d or 5-d input (``(N, C, ...)``) to ``size``
    or by ``scale_factor``, with PyTorch's modes, output sizes and source-index formulas.

    >>> import numtorch as torch
    >>> interpolate(torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]]), scale_factor=2)
    tensor([[[[1., 1., 2., 2.],
              [1., 1., 2., 2.],
              [3., 3., 4., 4.],
              [3., 3., 4., 4.]]]])
    """
    x = _data(input, "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = x.ndim - 2
    spatial = list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and output size of {size}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                                 "size in (o1, o2, ...,oK) format.")
            out_size = list(size)
        else:
            out_size = [size] * dim
    elif scale_factor is not None:
        out_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, "
                                 f"but got input with spatial dimensions of {spatial} and scale_factor of "
                                 f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                                 "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor and scales is not None:
        out_size = [math.floor(float(spatial[i]) * scales[i]) for i in range(dim)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic") and x.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                         "requires a 4-D tensor as input")
    if out_size is None:
        out_size = [int(spatial[i] * scales[i]) for i in range(dim)]
    for i, v in enumerate(out_size):
        if not _is_int(v):
            raise TypeError(f"interpolate(): output size must be a tuple of ints, but found element of "
                            f"type {type(v).__name__} at pos {i}")
    out_size = tuple(_index(v) for v in out_size)
    wanted = {"linear": 3, "bilinear": 4, "trilinear": 5}
    if mode in wanted and x.ndim in (3, 4, 5) and x.ndim != wanted[mode]:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {wanted[mode]}D input")
    known = ("nearest", "nearest-exact", "area") + _INTERPOLATING
    if x.ndim not in (3, 4, 5) or mode not in known or (mode == "bicubic" and x.ndim != 4):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{x.ndim}D) for the modes: {_MODES} (got {mode})")
    if antialias:
        return _upsample_aa(input, x, mode == "bicubic", out_size, scales, bool(align_corners))
    if mode == "area":
        if x.ndim == 3:
            return adaptive_avg_pool1d(input, out_size)
        if x.ndim == 4:
            return adaptive_avg_pool2d(input, out_size)
        raise NotImplementedError("numtorch: interpolate(mode='area') of a 5-d input (adaptive_avg_pool3d) "
                                  "is not supported yet")
    base = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    return _upsample(input, x, base, out_size, scales, bool(align_corners))


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of ``interpolate`` (with PyTorch's warning)."""
    import warnings
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(mode='nearest')`` (with PyTorch's warning)."""
    import warnings
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(mode='bilinear', align_corners=True)`` (with PyTorch's warning)."""
    import warnings
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- pixel and channel shuffles -----------------------------------------------------------------

def _shuffle(a, r: int):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    n = len(lead)
    v = a.reshape(lead + (c // (r * r), r, r, h, w))
    axes = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    return v.transpose(axes).reshape(lead + (c // (r * r), h * r, w * r))


def _unshuffle(a, r: int):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    n = len(lead)
    v = a.reshape(lead + (c, h // r, r, w // r, r))
    axes = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
    return v.transpose(axes).reshape(lead + (c * r * r, h // r, w // r))


class PixelShuffle(Function):
    """``pixel_shuffle`` (``up``) or ``pixel_unshuffle``: each one's gradient is the other."""
    _raw = True
    _name = "PixelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, r, up):
        ctx.r, ctx.up = r, up
        return np.ascontiguousarray(_shuffle(x, r) if up else _unshuffle(x, r))

    @staticmethod
    def backward(ctx, g):
        return (_unshuffle(g, ctx.r) if ctx.up else _shuffle(g, ctx.r),)


class PixelUnshuffle(PixelShuffle):
    _raw = True
    _name = "PixelUnshuffleBackward0"


def _factor(v, fn: str, arg: str) -> int:
    if not _is_int(v):
        raise TypeError(f"{fn}(): argument '{arg}' (position 2) must be int, not {type(v).__name__}")
    v = int(v)
    if v <= 0:
        raise RuntimeError(f"{fn} expects a positive {arg}, but got {v}")
    return v


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange ``(*, C*r*r, H, W)`` into ``(*, C, H*r, W*r)``.

    >>> import numtorch as torch
    >>> pixel_shuffle(torch.arange(4.0).reshape(4, 1, 1), 2)
    tensor([[[0., 1.],
             [2., 3.]]])
    """
    x = _data(input, "pixel_shuffle")
    r = _factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if x.shape[-3] % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible "
                           f"by {r * r}")
    return apply(PixelShuffle, (input,), (x,), r, True)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange ``(*, C, H*r, W*r)`` into ``(*, C*r*r, H, W)`` (inverse of ``pixel_shuffle``).

    >>> import numtorch as torch
    >>> pixel_unshuffle(torch.arange(4.0).reshape(1, 2, 2), 2).flatten()
    tensor([0., 1., 2., 3.])
    """
    x = _data(input, "pixel_unshuffle")
    r = _factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if x.shape[-2] % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={x.shape[-2]} is not divisible by {r}")
    if x.shape[-1] % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={x.shape[-1]} is not divisible by {r}")
    return apply(PixelUnshuffle, (input,), (x,), r, False)


def _channel_perm(a, groups: int):
    """(N, C, *) -> channels regrouped: (N, g, C/g, *) transposed to (N, C/g, g, *)."""
    n, c = a.shape[:2]
    rest = a.shape[2:]
    v = a.reshape((n, groups, c // groups) + rest)
    axes = (0, 2, 1) + tuple(range(3, 3 + len(rest)))
    return v.transpose(axes).reshape(a.shape)


class ChannelShuffle(Function):
    _raw = True
    _name = "ChannelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, groups):
        ctx.groups = groups
        return np.ascontiguousarray(_channel_perm(x, groups))

    @staticmethod
    def backward(ctx, g):
        return (_channel_perm(g, g.shape[1] // ctx.groups),)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Split the channels of ``(N, C, *)`` into ``groups`` and interleave them.

    >>> import numtorch as torch
    >>> channel_shuffle(torch.arange(6.0).reshape(1, 6, 1), 2).flatten()
    tensor([0., 3., 1., 4., 2., 5.])
    """
    x = _data(input, "channel_shuffle")
    if not _is_int(groups):
        raise TypeError(f"channel_shuffle(): argument 'groups' (position 2) must be int, not "
                        f"{type(groups).__name__}")
    if x.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(x.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if x.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {x.shape[1]} channels "
                           f"and {groups} groups.")
    return apply(ChannelShuffle, (input,), (x,), int(groups))


native_channel_shuffle = channel_shuffle
