"""Sampling an image at arbitrary points: ``grid_sample`` and ``affine_grid`` (the two halves of a
spatial transformer network).

``grid_sample(input, grid)`` reads ``input`` ``(N, C, *S)`` at the points of ``grid``
``(N, *O, d)``, whose last axis holds coordinates in ``[-1, 1]`` in the order ``(x, y[, z])``
(x runs along the LAST spatial axis). Each coordinate becomes a pixel position (``_unnormalize``),
is folded back into the image by the padding mode (``_pad``), and then

    bilinear / trilinear   out = sum over the 2**d surrounding pixels of value * weight,
                           weight = product over axes of (t or 1 - t), t = p - floor(p)
    nearest                out = value at the nearest pixel (halves round to even)

Pixels outside the image read as zero. Both foldings (``border`` clips, ``reflection`` mirrors)
are piecewise affine, so the pixel position is ``slope * grid + offset`` with constant ``slope``
and ``offset`` around each point: the backward uses that to differentiate through them, and, under
``create_graph=True``, to rebuild the position from the traced grid, so gradients of any order
come out of the one formula. float32 results are PyTorch's to the bit for 2-d bilinear and
nearest sampling (the same fused multiply-adds as its CPU kernel).

>>> import numtorch as torch
>>> img = torch.arange(4.0).reshape(1, 1, 2, 2)
>>> grid_sample(img, torch.tensor([[[[0.0, 0.0]]]]), align_corners=True)     # the centre
tensor([[[[1.5000]]]])
"""
from __future__ import annotations

import itertools
import warnings
from math import prod

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply
from .creation import linspace
from .resample import _fma

__all__ = ["grid_sample", "affine_grid"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False "
                  "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
                  "See the documentation of grid_sample for details.")
_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}
_CUBIC_A = -0.75


# -- coordinates ----------------------------------------------------------------------------------

def _unnormalize(c: np.ndarray, size: int, align: bool):
    """Grid coordinates -> pixel positions (PyTorch's arithmetic), and d(position)/d(coordinate)."""
    if align:
        return ((c + 1) / 2) * (size - 1), (size - 1) / 2
    return _fma(c + 1, size, -1) / 2, size / 2


def _clip(p: np.ndarray, size: int):
    """``border``: positions clipped into ``[0, size - 1]``; slope 0 at and beyond the edges."""
    hi = size - 1
    return np.clip(p, 0, hi), ((p > 0) & (p < hi)).astype(p.dtype)


def _reflect(p: np.ndarray, twice_lo: int, twice_hi: int):
    """Positions mirrored at ``twice_lo / 2`` and ``twice_hi / 2`` (repeatedly), and the slope
    (+1 or -1: each mirroring reverses the direction)."""
    if twice_lo == twice_hi:
        return np.zeros_like(p), np.zeros_like(p)
    dt = p.dtype.type
    low, span = dt(twice_lo) / dt(2), dt(twice_hi - twice_lo) / dt(2)
    d = np.abs(p - low)
    extra = np.fmod(d, span)
    odd = np.floor(d / span) % 2 == 1
    out = np.where(odd, span - extra + low, extra + low)
    slope = np.where((p < low) != odd, dt(-1), dt(1))
    return out, slope


def _pad(p: np.ndarray, size: int, padding: int, align: bool):
    """The padding mode's folding of pixel positions, and its slope."""
    if padding == 1:
        return _clip(p, size)
    if padding == 2:
        q, s = _reflect(p, 0, 2 * (size - 1)) if align else _reflect(p, -1, 2 * size - 1)
        q, s2 = _clip(q, size)
        return q, s * s2
    return p, None


def _positions(grid: np.ndarray, sizes, padding: int, align: bool, fold: bool = True):
    """Per spatial axis of the input (in order): the folded pixel positions ``(N, Q)``, their
    slope with respect to the grid coordinate, and the offset (``position = slope * coord +
    offset`` around each point)."""
    d = len(sizes)
    coords = grid.reshape(grid.shape[0], -1, d)
    out = []
    for k, size in enumerate(sizes):
        c = coords[..., d - 1 - k]                  # grid's last axis runs (x, y, z)
        p, scale = _unnormalize(c, size, align)
        slope = np.full_like(p, scale)
        if fold:
            p, s = _pad(p, size, padding, align)
            if s is not None:
                slope = slope * s
        p = np.where(np.isfinite(p), p, p.dtype.type(-100))        # NaN and inf read as zero
        out.append((p, slope, p - slope * c))
    return out


# -- taps: which pixels each point reads, with which weights ---------------------------------------

def _corner_index(idx, sizes):
    """Flat indices of integer positions per axis (clipped), and where all lie inside."""
    lin = 0
    inside = True
    for i, size in zip(idx, sizes):
        inside = inside & (i >= 0) & (i < size)
        lin = lin * size + np.clip(i, 0, size - 1).astype(np.int64)
    return lin, inside


def _linear_parts(p, i0):
    """Per axis, the weights of the lower and upper neighbour: ``(i0 + 1 - p, p - i0)``."""
    return [(j + 1 - q, q - j) for q, j in zip(p, i0)]


def _corners(d: int):
    """The ``2**d`` neighbours as bits per axis, in PyTorch's order (nw, ne, sw, se for 2-d)."""
    return list(itertools.product((0, 1), repeat=d))


def _weight(parts, bits, skip=None):
    """A neighbour's weight: the product of its per-axis parts in grid order (x first)."""
    w = None
    for k in reversed(range(len(bits))):
        if k == skip:
            continue
        f = parts[k][bits[k]]
        w = f if w is None else w * f
    return w


def _gather(x_flat, lin):
    """``x_flat`` ``(N, C, P)`` at the flat indices ``lin`` ``(N, Q)``: ``(N, C, Q)``."""
    n, c = x_flat.shape[:2]
    return np.take_along_axis(x_flat, np.broadcast_to(lin[:, None, :], (n, c, lin.shape[1])), 2)


def _scatter(g, lins, weights, shape):
    """The adjoint of the weighted gathers: ``sum_k weights[k] * g`` added at ``lins[k]``, into
    ``(N, C, P)``."""
    n, c, size = shape
    base = (np.arange(n * c, dtype=np.int64) * size).reshape(n, c, 1)
    if type(g) is np.ndarray:                       # first order: one bincount
        idx = np.concatenate([(base + lin[:, None, :]).ravel() for lin in lins])
        vals = np.concatenate([(g * w[:, None, :]).ravel() for w in weights])
        return np.bincount(idx, vals, n * c * size).astype(g.dtype).reshape(shape)
    out = np.zeros_like(g, shape=(n * c * size,))
    for lin, w in zip(lins, weights):
        np.add.at(out, (base + lin[:, None, :]).ravel(), (g * w[:, None, :]).reshape(-1))
    return out.reshape(shape)


def _cubic_coefficients(t):
    """The four cubic-convolution weights (A = -0.75) of the taps at -1, 0, 1, 2 from the floor,
    and their derivatives in ``t``."""
    a = _CUBIC_A

    def near(x):                                     # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):                                      # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def d_near(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def d_far(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    u = 1 - t
    coeffs = [far(t + 1), near(t), near(u), far(u + 1)]
    slopes = [d_far(t + 1), d_near(t), -d_near(u), -d_far(u + 1)]
    return coeffs, slopes


# -- the node -------------------------------------------------------------------------------------

class _GridSampler(Function):
    """``out = sample(x, grid)``; saves both inputs and the pixel positions of the points."""
    _raw = True
    saves = (0, 1)
    saved_inputs = ("x", "grid")

    @staticmethod
    def forward(ctx, x, grid, mode: int, padding: int, align: bool):
        n, c, sizes = x.shape[0], x.shape[1], x.shape[2:]
        plan = _plan(grid, sizes, mode, padding, align)
        out = _sample(x.reshape(n, c, -1), plan, sizes)
        ctx.x, ctx.grid = x, grid
        ctx.plan = plan
        return out.reshape((n, c) + grid.shape[1:-1])

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        x, grid, plan = ctx.x, ctx.grid, ctx.plan
        n, c, sizes = x.shape[0], x.shape[1], tuple(x.shape[2:])
        g = g.reshape(n, c, -1)
        taps = _taps(plan, sizes, None if type(grid) is np.ndarray else grid)
        gx = ggrid = None
        if need[0]:
            lins = [t[0] for t in taps]
            weights = [t[1] * t[2] for t in taps]
            gx = _scatter(g, lins, weights, (n, c, prod(sizes))).reshape(x.shape)
        if need[1]:
            ggrid = _grid_grad(g, x.reshape(n, c, -1), plan, taps, grid)
        if plan["mode"] == 1 and type(grid) is not np.ndarray:
            # nearest, under create_graph: as PyTorch, both gradients are tied to the grid with
            # a zero derivative (they are piecewise constant in it)
            name = f"GridSampler{len(sizes)}DBackwardBackward0"
            gx = None if gx is None else gx.linked(grid.t, name)
            ggrid = None if ggrid is None else ggrid.linked(grid.t, name)
        return gx, ggrid


class GridSampler2D(_GridSampler):
    _raw = True
    _name = "GridSampler2DBackward0"


class GridSampler3D(_GridSampler):
    _raw = True
    _name = "GridSampler3DBackward0"


def _plan(grid: np.ndarray, sizes, mode: int, padding: int, align: bool) -> dict:
    """What the forward computes once and the backward reuses: the positions, slopes and
    offsets per axis, and the integer taps."""
    pos = _positions(grid, sizes, padding, align, fold=mode != 2)
    p = [q for q, _, _ in pos]
    if mode == 1:
        base = [np.rint(q) for q in p]
    else:
        base = [np.floor(q) for q in p]
    return {"mode": mode, "padding": padding, "align": align, "pos": pos, "base": base}


def _taps(plan: dict, sizes, grid=None) -> list:
    """``(flat index, inside mask, weight, bits)`` per tap; with ``grid`` (a traced grid under
    create_graph) the weights are rebuilt from it, so they carry its graph."""
    mode, base, d = plan["mode"], plan["base"], len(sizes)
    if grid is None:
        p = [q for q, _, _ in plan["pos"]]
    else:
        coords = grid.reshape(grid.shape[0], -1, d)
        p = [coords[..., d - 1 - k] * s + o for k, (_, s, o) in enumerate(plan["pos"])]
    if mode == 1:
        lin, inside = _corner_index(base, sizes)
        return [(lin, inside.astype(base[0].dtype), 1, None)]
    if mode == 0:
        parts = _linear_parts(p, base)
        out = []
        for bits in _corners(d):
            lin, inside = _corner_index([b + i for b, i in zip(base, bits)], sizes)
            out.append((lin, inside.astype(base[0].dtype), _weight(parts, bits), (bits, parts)))
        return out
    # bicubic (2-d): 16 taps; the padding folds each tap's integer position
    ts = [q - b for q, b in zip(p, base)]
    cy, sy = _cubic_coefficients(ts[0])
    cx, sx = _cubic_coefficients(ts[1])
    out = []
    for j in range(4):
        for i in range(4):
            idx = []
            for b, off, size in zip(base, (j - 1, i - 1), sizes):
                q, _ = _pad(b + off, size, plan["padding"], plan["align"])
                idx.append(q)
            lin, inside = _corner_index(idx, sizes)
            out.append((lin, inside.astype(base[0].dtype), cx[i] * cy[j],
                        ((j, i), (cy, sy, cx, sx))))
    return out


def _sample(x_flat: np.ndarray, plan: dict, sizes) -> np.ndarray:
    """The forward on arrays: taps accumulated in PyTorch's order with fused multiply-adds."""
    taps = _taps(plan, sizes)
    if plan["mode"] == 2:                   # bicubic: along x in each of 4 rows, then along y
        out = None
        for j in range(4):
            row = None
            for lin, inside, _, ((_, i), (cy, _, cx, _)) in taps[4 * j:4 * j + 4]:
                v = _gather(x_flat, lin) * inside[:, None, :]
                w = cx[i][:, None, :]
                row = v * w if row is None else _fma(v, w, row)
            w = cy[j][:, None, :]
            out = row * w if out is None else _fma(row, w, out)
        return out
    out = None
    for lin, inside, w, _ in taps:
        v = _gather(x_flat, lin) * inside[:, None, :]
        if type(w) is int:
            return v
        w = w[:, None, :]
        out = v * w if out is None else _fma(v, w, out)
    return out


def _grid_grad(g, x_flat, plan: dict, taps, grid):
    """d(loss)/d(grid): per axis, ``sum_taps (g . value) * d(weight)/d(position) * slope``."""
    d = len(plan["pos"])
    if plan["mode"] == 1:                        # nearest: piecewise constant in the grid
        return np.zeros_like(g, shape=grid.shape)
    per_axis = [None] * d
    for lin, inside, _, (bits, parts) in taps:
        gv = (g * _gather(x_flat, lin)).sum(axis=1) * inside          # (N, Q)
        for k in range(d):
            if plan["mode"] == 0:
                other = _weight(parts, bits, skip=k)
                dw = other if bits[k] else -other
            else:
                (j, i), (cy, sy, cx, sx) = bits, parts
                dw = sy[j] * cx[i] if k == 0 else cy[j] * sx[i]
            term = gv * dw
            per_axis[k] = term if per_axis[k] is None else per_axis[k] + term
    comps = [per_axis[k] * plan["pos"][k][1] for k in reversed(range(d))]
    return np.stack(comps, axis=-1).reshape(grid.shape)


# -- the functions --------------------------------------------------------------------------------

def _align_corners(align_corners) -> bool:
    """``align_corners``, with PyTorch's warning when it is left out (then False)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None) -> Tensor:
    """``input`` ``(N, C, H, W)`` (or ``(N, C, D, H, W)``) sampled at ``grid`` ``(N, Ho, Wo, 2)``
    (or ``(N, Do, Ho, Wo, 3)``) of coordinates in ``[-1, 1]``, as ``torch.nn.functional.grid_sample``.

    >>> import numtorch as torch
    >>> img = torch.tensor([[[[0.0, 10.0]]]])
    >>> grid_sample(img, torch.tensor([[[[-0.5, 0.0]]]]), align_corners=True)
    tensor([[[[2.5000]]]])
    """
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' "
                         f"or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align_corners = _align_corners(align_corners)
    x, gr = input._data, grid._data
    if x.shape[:1] != gr.shape[:1]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but "
                           f"got input with sizes {list(x.shape)} and grid with sizes "
                           f"{list(gr.shape)}")
    d = x.ndim - 2
    if gr.shape[-1:] != (d,):
        raise RuntimeError(f"grid_sampler(): expected grid to have size {d} in last dimension, but "
                           f"got grid with sizes {list(gr.shape)}")
    if x.ndim != gr.ndim or x.ndim not in (4, 5):
        raise RuntimeError("grid_sampler(): expected 4D or 5D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(x.shape)} and grid with "
                           f"sizes {list(gr.shape)}")
    for k in range(2, x.ndim):
        if x.shape[k] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(x.shape)} with dimension "
                               f"{k} being empty")
    if mode == "bicubic" and d != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if x.dtype.kind != "f":
        kernel = "grid_sampler_2d_cpu_kernel_impl" if d == 2 else "grid_sampler_3d_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_dtype.legacy_name_np(x.dtype)}'")
    if gr.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.legacy_name_np(x.dtype)} but found "
                           f"{_dtype.legacy_name_np(gr.dtype)}")
    node = GridSampler2D if d == 2 else GridSampler3D
    return apply(node, (input, grid), (x, gr), _MODES[mode], _PADDINGS[padding_mode],
                 align_corners)


class AffineGridGenerator(Function):
    """``grid = base @ theta^T``; ``base`` (the output's own coordinates) is a constant."""
    _raw = True
    _name = "AffineGridGeneratorBackward0"
    constants = ("base",)

    @staticmethod
    def forward(ctx, theta, base, shape):
        ctx.base = base
        # the products summed one term after the other, as PyTorch's batched product does
        # (its values to the bit); base (1, P, d + 1), theta (N, d, d + 1)
        out = None
        for k in range(base.shape[-1]):
            term = base[..., k:k + 1] * theta[:, None, :, k]
            out = term if out is None else out + term
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(g.shape[0], -1, g.shape[-1])
        return (np.matmul(g.transpose(0, 2, 1), ctx.base),)


def _steps(n: int, align: bool, dtype) -> np.ndarray:
    """``n`` coordinates from -1 to 1 (the pixel centres when not ``align``), as PyTorch's."""
    if n <= 1:
        return np.zeros(1, dtype)
    r = linspace(-1.0, 1.0, n, dtype=_dtype.from_numpy_dtype(dtype))._data
    return r if align else (r * (n - 1)) / n


def affine_grid(theta: Tensor, size, align_corners=None) -> Tensor:
    """The sampling grid of the affine maps ``theta`` ``(N, 2, 3)`` (or ``(N, 3, 4)``) for an
    output of ``size`` ``(N, C, H, W)`` (or ``(N, C, D, H, W)``), as
    ``torch.nn.functional.affine_grid``.

    >>> import numtorch as torch
    >>> identity = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> affine_grid(identity, [1, 1, 1, 2], align_corners=True)[0, 0]
    tensor([[-1.,  0.],
            [ 1.,  0.]])
    """
    align_corners = _align_corners(align_corners)
    t = theta._data
    if t.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if t.ndim != 3 or t.shape[1:] != (2, 3):
            raise ValueError("Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{list(size)}. Got {theta.shape}.")
    elif len(size) == 5:
        if t.ndim != 3 or t.shape[1:] != (3, 4):
            raise ValueError("Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{list(size)}. Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {list(size)}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {list(size)}")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", UserWarning,
                      stacklevel=2)
    d = len(size) - 2
    if size[0] != t.shape[0]:
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {d + 1}] but got: [{t.shape[0]}, {d + 1}].")
    spatial = size[2:]
    axes = [_steps(n, align_corners, t.dtype) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")                      # per spatial axis
    base = np.stack([m for m in reversed(mesh)] + [np.ones_like(mesh[0])], axis=-1)
    return apply(AffineGridGenerator, (theta,), (t,), base.reshape(1, -1, d + 1),
                 (size[0],) + tuple(spatial) + (d,))
