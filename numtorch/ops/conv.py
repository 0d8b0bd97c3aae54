"""Convolutions and sliding blocks: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``, ``unfold``, ``fold``.

One node per layer (PyTorch's ``ConvolutionBackward0``) and one BLAS matrix product per direction
over a strided (im2col) view: no Python loop over pixels or batch items.

Layout. The kernels work with the batch as the *last* axis: an input ``(N, C, *S)`` is copied
(transposed and zero-padded in one step) to ``(C, *S_padded, N)``; its sliding windows are then a
strided view ``(C, *K, *O, N)`` that reshapes to the ``(C*K, O*N)`` column matrix, and

    forward         y  = W (Cout, C*K)  @ cols (C*K, O*N)
    grad weight     gW = g (Cout, O*N)  @ cols.T
    grad input      gcols = W.T @ g, then col2im: one strided add per kernel position

With the batch innermost, each strided add of col2im runs over rows of ``O_w * N`` contiguous
numbers (not ``O_w``), which is what makes col2im cheap; groups are a batched product.

Three linear maps close under differentiation (``<g, C(x, w)> = <T(g, w), x> = <W(x, g), w>``):

    C(x, w)  convolution          (the forward of conv)
    T(g, w)  its adjoint in x     (conv's grad input = the forward of conv_transpose)
    W(x, g)  its adjoint in w     (conv's grad weight)

so every backward here is written once, on ``C``, ``T`` and ``W``: on NumPy arrays they run the
kernels; on the TensorArrays of ``create_graph=True`` they record the matching node (``_recorded``),
so gradients of any order come out of the same formulas.

>>> import numtorch as torch
>>> x = torch.ones(1, 1, 3, 3, requires_grad=True)
>>> y = conv2d(x, torch.ones(1, 1, 2, 2), padding=1)
>>> y.detach()[0, 0]
tensor([[1., 2., 2., 1.],
        [2., 4., 4., 2.],
        [2., 4., 4., 2.],
        [1., 2., 2., 1.]])
>>> y.grad_fn.name()
'ConvolutionBackward0'
"""
from __future__ import annotations

import itertools
import warnings
from math import prod

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _dtype
from .._errors import arg_error, type_name
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Function
from ._apply import apply
from . import shape as S
from ._tensor_array import TensorArray

_nd = np.ndarray
_make = Tensor._make
_state = grad_mode.state

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "unfold", "fold"]


# -- kernels on NumPy arrays ----------------------------------------------------------------------

def _windows(a: np.ndarray, first: int, ksize, out, stride, dilation) -> np.ndarray:
    """A read-only view of ``a`` whose spatial axes ``first:first+nd`` become ``(*ksize, *out)``:
    ``view[..., k, o, ...] = a[..., o*stride + k*dilation, ...]``."""
    nd = len(ksize)
    st = a.strides
    sp = st[first:first + nd]
    return as_strided(a, a.shape[:first] + tuple(ksize) + tuple(out) + a.shape[first + nd:],
                      st[:first] + tuple(s * d for s, d in zip(sp, dilation))
                      + tuple(s * t for s, t in zip(sp, stride)) + st[first + nd:],
                      writeable=False)


def _overlap_add(target: np.ndarray, cols: np.ndarray, first: int, ksize, out, stride,
                 dilation) -> None:
    """col2im, the adjoint of ``_windows``: ``target[..., o*stride + k*dilation, ...] +=
    cols[..., k, o, ...]``, one strided add per kernel position."""
    lead = (slice(None),) * first
    for k in itertools.product(*[range(n) for n in ksize]):
        where = tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                      for i, d, s, o in zip(k, dilation, stride, out))
        target[lead + where] += cols[lead + k]


def _out_size(size, ksize, stride, pads, dilation) -> tuple:
    """Output size of a convolution; ``pads`` are ``(before, after)`` pairs."""
    return tuple((n + lo + hi - d * (k - 1) - 1) // s + 1
                 for n, k, s, (lo, hi), d in zip(size, ksize, stride, pads, dilation))


def _padded(size, pads) -> tuple:
    return tuple(n + lo + hi for n, (lo, hi) in zip(size, pads))


def _inside(size, pads) -> tuple:
    """The slices of a padded array that hold the unpadded one."""
    return tuple(slice(lo, lo + n) for n, (lo, _) in zip(size, pads))


_TILE = 1 << 15       # elements: smaller arrays are transposed in one copy
_ALIAS = 1024         # bytes: see _gather_batch_last


def _gather_batch_last(out: np.ndarray, x: np.ndarray) -> None:
    """``out[c, ..., n] = x[n, c, ...]``: ``x`` ``(N, C, *S)`` into ``out`` ``(C, *S, N)`` (which
    may be the inside of a padded array), as one transposing copy.

    When ``x``'s batch stride is a multiple of 1 KiB (64 channels of 24x24, 3 of 32x32, ...),
    the N numbers read for one row of ``out`` fall into the same few cache sets and that copy
    runs 5-20x slower; then each channel goes first, as plain rows, through a scratch whose
    rows are an odd number of cache lines long."""
    if x.strides[0] % _ALIAS or x.size <= _TILE:
        np.copyto(out, x.transpose(tuple(range(1, x.ndim)) + (0,)))
        return
    n, size = x.shape[0], x.shape[2:]
    hw = prod(size)
    row = -(-hw // 128) * 128 + 16
    tmp = np.empty_like(x, shape=(n, row))[:, :hw].reshape((n,) + size)
    perm = tuple(range(1, x.ndim - 1)) + (0,)
    for c in range(x.shape[1]):
        np.copyto(tmp, x[:, c])
        np.copyto(out[c], tmp.transpose(perm))


def _batch_last(x: np.ndarray, pads) -> np.ndarray:
    """``(N, C, *S)`` -> a zero-padded ``(C, *S_padded, N)`` contiguous array (one copy)."""
    shape = (x.shape[1],) + _padded(x.shape[2:], pads) + (x.shape[0],)
    if not any(lo or hi for lo, hi in pads):
        out = np.empty_like(x, shape=shape)
        _gather_batch_last(out, x)
        return out
    out = np.zeros_like(x, shape=shape)
    _gather_batch_last(out[(slice(None),) + _inside(x.shape[2:], pads)], x)
    return out


def _columns(x: np.ndarray, ksize, geo, out=None) -> tuple:
    """im2col of ``x`` ``(N, C, *S)``: ``(G, C/G*K, O*N)`` and the output size ``O`` (the first
    ``out`` windows when given: a transposed convolution's output_padding can leave windows
    past the end of its input that its gradient does not read)."""
    stride, padding, dilation, groups = geo
    xp = _batch_last(x, padding)
    if out is None:
        out = _out_size(x.shape[2:], ksize, stride, padding, dilation)
    view = _windows(xp, 1, ksize, out, stride, dilation)            # (C, *K, *O, N)
    return view.reshape(groups, x.shape[1] // groups * prod(ksize), prod(out) * x.shape[0]), out


def _g_columns(g: np.ndarray, groups: int, memo) -> np.ndarray:
    """The output gradient ``(N, Cout, *O)`` as ``(G, Cout/G, O*N)`` (shared by both grads)."""
    g2 = None if memo is None else memo.get("g")
    if g2 is None:
        g2 = np.empty_like(g, shape=g.shape[1:] + g.shape[:1])
        _gather_batch_last(g2, g)
        g2 = g2.reshape(groups, g.shape[1] // groups, g.size // max(g.shape[1], 1))
        if memo is not None:
            memo["g"] = g2
    return g2


def _to_batch_first(y: np.ndarray, channels: int, size, n: int, bias) -> np.ndarray:
    """A scratch batch-last ``(C, *size, N)`` array (``y``, any shape with that order) -> a new
    contiguous ``(N, C, *size)`` one; ``bias`` is added to ``y`` first, in place.

    A large transposing copy runs one channel at a time: each channel's reads and writes stay
    in cache (a plain copy of a 64 x 300k array is several times slower)."""
    nd = len(size)
    bl = y.reshape((channels,) + tuple(size) + (n,))
    if bias is not None:
        bl += bias.reshape((channels,) + (1,) * (nd + 1))
    out = np.empty_like(y, shape=(n, channels) + tuple(size))
    if y.size <= _TILE or not size:
        np.copyto(out, bl.transpose((nd + 1,) + tuple(range(nd + 1))))
        return out
    perm = (nd,) + tuple(range(nd))
    for c in range(channels):
        np.copyto(out[:, c], bl[c].transpose(perm))
    return out


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A product per group; one group is one plain 2-d product (NumPy's stacked matmul is
    slower on a transposed operand)."""
    if a.shape[0] == 1:
        return np.matmul(a[0], b[0])[None]
    return np.matmul(a, b)


def conv_kernel(x: np.ndarray, w: np.ndarray, b, geo, memo=None, out=None) -> np.ndarray:
    """``C``: the convolution of ``x`` ``(N, C, *S)`` with ``w`` ``(Cout, C/G, *K)`` (+ ``b``),
    of output size ``out`` (default: all windows).

    ``memo`` (a dict), when given, receives the column matrix for a later ``W``.
    """
    groups = geo[3]
    cols, out = _columns(x, w.shape[2:], geo, out)
    if memo is not None:
        memo["cols"] = cols
    y = _mm(w.reshape(groups, w.shape[0] // groups, -1), cols)           # (G, Cout/G, O*N)
    return _to_batch_first(y, w.shape[0], out, x.shape[0], b)


def conv_t_kernel(g: np.ndarray, w: np.ndarray, b, geo, size, memo=None) -> np.ndarray:
    """``T``: the adjoint of ``C`` in its input: ``g`` ``(N, Cout, *O)`` -> ``(N, C, *size)``
    (conv's grad input; the transposed convolution), + ``b``."""
    stride, padding, dilation, groups = geo
    ksize, out, n = w.shape[2:], g.shape[2:], g.shape[0]
    c = w.shape[1] * groups
    wm = w.reshape(groups, w.shape[0] // groups, -1)
    gcols = _mm(wm.transpose(0, 2, 1), _g_columns(g, groups, memo))        # (G, C/G*K, O*N)
    target = np.zeros_like(gcols, shape=(c,) + _padded(size, padding) + (n,))
    _overlap_add(target, gcols.reshape((c,) + tuple(ksize) + tuple(out) + (n,)), 1, ksize, out,
                 stride, dilation)
    crop = target[(slice(None),) + _inside(size, padding)]
    return _to_batch_first(crop, c, size, n, b)


def conv_w_kernel(x: np.ndarray, g: np.ndarray, geo, ksize, memo=None) -> np.ndarray:
    """``W``: the adjoint of ``C`` in its weight: ``(Cout, C/G, *ksize)`` from ``x`` and ``g``."""
    groups = geo[3]
    cols = None if memo is None else memo.get("cols")
    if cols is None:
        cols, _ = _columns(x, ksize, geo, g.shape[2:])
    gw = _mm(_g_columns(g, groups, memo), cols.transpose(0, 2, 1))         # (G, Cout/G, C/G*K)
    return gw.reshape((g.shape[1], x.shape[1] // groups) + tuple(ksize))


# -- the nodes ------------------------------------------------------------------------------------

def _tensor(v) -> Tensor:
    return v.t if type(v) is TensorArray else _make(v)


def _recorded(cls, a, b, *params) -> TensorArray:
    """``cls`` applied to two operands of a create_graph backward: a recorded node."""
    ta, tb = _tensor(a), _tensor(b)
    return TensorArray(apply(cls, (ta, tb, None), (ta._data, tb._data, None), *params))


def _conv(ops, x, w, geo, osize, memo=None):
    """``C(x, w)`` of output size ``osize`` inside a backward formula (arrays: the kernel;
    TensorArrays: a node). ``memo``: arrays shared by the formulas of one backward."""
    if type(x) is _nd and type(w) is _nd:
        return conv_kernel(x, w, None, geo, memo, osize)
    return _recorded(ops[0], x, w, geo, False, osize)


def _conv_t(ops, g, w, geo, size, memo=None):
    """``T(g, w)`` inside a backward formula."""
    if type(g) is _nd and type(w) is _nd:
        return conv_t_kernel(g, w, None, geo, size, memo)
    return _recorded(ops[1], g, w, geo, size)


def _conv_w(ops, x, g, geo, ksize, memo=None):
    """``W(x, g)`` inside a backward formula."""
    if type(x) is _nd and type(g) is _nd:
        return conv_w_kernel(x, g, geo, ksize, memo)
    return _recorded(ops[2], x, g, geo, ksize)


def _bias_grad(g):
    # over the batch first: two contiguous reductions beat one over axes (0, 2, 3)
    return g.sum(axis=0).sum(axis=tuple(range(1, g.ndim - 1)))


class _Convolution(Function):
    """``y = C(x, w) + b``; ``geo = (stride, pads, dilation, groups)``, ``pads`` as
    ``((before, after), ...)`` per spatial dim."""
    _raw = True
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")
    # the column matrix is a cache for the weight gradient: under create_graph the formula
    # recomputes it from the traced input instead
    traced = {"cols": lambda ctx: None}
    _ops = ()            # (C, T, W) of the family the backward records under create_graph

    @staticmethod
    def forward(ctx, x, w, b, geo, keep, osize=None):
        memo = {} if keep else None
        y = conv_kernel(x, w, b, geo, memo, osize)
        ctx.x, ctx.w, ctx.geo = x, w, geo
        if keep:
            ctx.cols = memo["cols"]
        return y

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        x, w, geo = ctx.x, ctx.w, ctx.geo
        memo = {"cols": getattr(ctx, "cols", None)}
        gx = _conv_t(ctx._ops, g, w, geo, x.shape[2:], memo) if need[0] else None
        gw = _conv_w(ctx._ops, x, g, geo, w.shape[2:], memo) if need[1] else None
        return gx, gw, (_bias_grad(g) if need[2] else None)


class _ConvTranspose(Function):
    """``y = T(x, w) + b`` to spatial size ``size``: the transposed convolution."""
    _raw = True
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")
    _ops = ()

    @staticmethod
    def forward(ctx, x, w, b, geo, size):
        ctx.x, ctx.w, ctx.geo = x, w, geo
        return conv_t_kernel(x, w, b, geo, size)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        x, w, geo = ctx.x, ctx.w, ctx.geo
        memo = {}                   # both grads read the columns of g
        gx = _conv(ctx._ops, g, w, geo, x.shape[2:], memo) if need[0] else None
        gw = _conv_w(ctx._ops, g, x, geo, w.shape[2:], memo) if need[1] else None
        return gx, gw, (_bias_grad(g) if need[2] else None)


class _ConvWeight(Function):
    """``W(x, g)``: conv's weight gradient as an op (recorded only under create_graph)."""
    _raw = True
    saves = (0, 1)
    saved_inputs = ("x", "y")
    _ops = ()

    @staticmethod
    def forward(ctx, x, g, b, geo, ksize):
        ctx.x, ctx.y, ctx.geo = x, g, geo
        return conv_w_kernel(x, g, geo, ksize)

    @staticmethod
    def backward(ctx, h):
        need = ctx.needs_input_grad
        x, g, geo = ctx.x, ctx.y, ctx.geo
        gx = _conv_t(ctx._ops, g, h, geo, x.shape[2:]) if need[0] else None
        gg = _conv(ctx._ops, x, h, geo, g.shape[2:]) if need[1] else None
        return gx, gg, None


# PyTorch names the forward node ConvolutionBackward0 and the node of its gradients (recorded
# under create_graph) ConvolutionBackwardBackward0, whose own gradients are convolutions again
class Convolution(_Convolution):
    _raw = True
    _name = "ConvolutionBackward0"


class ConvTranspose(_ConvTranspose):
    _raw = True
    _name = "ConvolutionBackward0"


class ConvWeight(_ConvWeight):
    _raw = True
    _name = "ConvolutionBackward0"


class ConvolutionGrad(_Convolution):
    _raw = True
    _name = "ConvolutionBackwardBackward0"


class ConvTransposeGrad(_ConvTranspose):
    _raw = True
    _name = "ConvolutionBackwardBackward0"


class ConvWeightGrad(_ConvWeight):
    _raw = True
    _name = "ConvolutionBackwardBackward0"


for _cls in (Convolution, ConvTranspose, ConvWeight):
    _cls._ops = (ConvolutionGrad, ConvTransposeGrad, ConvWeightGrad)
for _cls in (ConvolutionGrad, ConvTransposeGrad, ConvWeightGrad):
    _cls._ops = (Convolution, ConvTranspose, ConvWeight)


# -- argument checks (PyTorch's order and messages) -----------------------------------------------

_DEFAULTS = (("bias", None), ("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1),
             ("output_padding", 0))
_OVERLOADS = (
    "\n * (Tensor input, Tensor weight, Tensor bias = None, tuple of ints stride = 1, tuple of ints "
    "padding = 0, tuple of ints dilation = 1, int groups = 1)\n * (Tensor input, Tensor weight, "
    "Tensor bias = None, tuple of ints stride = 1, str padding = \"valid\", tuple of ints dilation = "
    "1, int groups = 1)\n")
# a transposed convolution's one signature: (name, expected type) by position
_TRANSPOSED_ARGS = (("input", "Tensor"), ("weight", "Tensor"), ("bias", "Tensor"),
                    ("stride", "tuple of ints"), ("padding", "tuple of ints"),
                    ("output_padding", "tuple of ints"), ("groups", "int"),
                    ("dilation", "tuple of ints"))


def _bad_args(name: str, given: dict) -> TypeError:
    """PyTorch's argument error: a convolution lists its two overloads, with the arguments that
    differ from their defaults; a transposed one names the first argument of a wrong type."""
    if "output_padding" in given:
        for i, (arg, kind) in enumerate(_TRANSPOSED_ARGS):
            if not _is_a(given[arg], kind, arg):
                return arg_error(name, arg, i + 1, kind, given[arg])
    got = [type_name(given["input"]), type_name(given["weight"])]
    got += [f"{k}={type_name(given[k])}" for k, default in _DEFAULTS
            if k in given and not (given[k] is default or (_is_int(given[k]) and given[k] == default))]
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:{_OVERLOADS}")


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_a(v, kind: str, arg: str) -> bool:
    """Whether ``v`` is what the argument parser takes as ``kind``."""
    if kind == "Tensor":
        return isinstance(v, Tensor) or (v is None and arg == "bias")
    if kind == "int":
        return _is_int(v)
    return _is_int(v) or (isinstance(v, (tuple, list)) and all(_is_int(e) for e in v))


def _ints(value, nd: int, fn: str, given: dict) -> tuple:
    """An int (repeated ``nd`` times) or a sequence of ints, as a tuple."""
    if _is_int(value):
        return (int(value),) * nd
    try:
        out = tuple(value)
    except TypeError:
        raise _bad_args(fn, given) from None
    if not all(_is_int(v) for v in out):
        raise _bad_args(fn, given)
    return tuple(int(v) for v in out)


def _fit(name: str, value: tuple, k: int) -> tuple:
    """A per-dimension parameter for ``k`` spatial dims: one value is repeated."""
    if len(value) == 1 and k != 1:
        return value * k
    if len(value) != k:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {k} values "
                           f"to match the convolution dimensions, but got {name}={list(value)}")
    return value


def _sizes(values) -> str:
    return " x ".join(str(v) for v in values)


def _check(x, w, b, stride, pads, dilation, groups, transposed, output_padding):
    """PyTorch's shape checks of a convolution, in its order (``x`` is batched)."""
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(p < 0 for pair in pads for p in pair):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if w.ndim != x.ndim:
        raise RuntimeError(f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional weight "
                           f"{list(w.shape)}, but got {x.ndim}-dimensional input of size "
                           f"{list(x.shape)} instead")
    if w.shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {list(w.shape)} instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{list(w.shape)}] instead")
    ksize = w.shape[2:]
    if not transposed:
        if x.shape[1] != w.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                               f"input{list(x.shape)} to have {w.shape[1] * groups} channels, but "
                               f"got {x.shape[1]} channels instead")
        if b is not None:
            if b.dtype != x.dtype:
                raise RuntimeError(f"Input type ({_cpp(x.dtype)}) and bias type ({_cpp(b.dtype)}) "
                                   "should be the same")
            if b.ndim != 1 or b.shape[0] != w.shape[0]:
                raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be "
                                   f"1-dimensional with {w.shape[0]} elements, but got bias of size "
                                   f"{list(b.shape)} instead")
        padded = _padded(x.shape[2:], pads)
        kernel = [d * (k - 1) + 1 for k, d in zip(ksize, dilation)]
        if any(p < k for p, k in zip(padded, kernel)):
            raise RuntimeError(f"Calculated padded input size per channel: ({_sizes(padded)}). "
                               f"Kernel size: ({_sizes(kernel)}). Kernel size can't be greater than "
                               "actual input size")
    else:
        if x.shape[1] != w.shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                               f"input{list(x.shape)} to have {w.shape[0]} channels, but got "
                               f"{x.shape[1]} channels instead")
        if b is not None and (b.ndim != 1 or b.shape[0] != w.shape[1] * groups):
            raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected bias to "
                               f"be 1-dimensional with {w.shape[1] * groups} elements, but got bias "
                               f"of size {list(b.shape)} instead")
        size = _transposed_size(x.shape[2:], ksize, stride, pads, output_padding, dilation)
        if any(n < 1 for n in size):
            raise RuntimeError(f"Given input size per channel: ({_sizes(x.shape[2:])}). Calculated "
                               f"output size per channel: ({_sizes(size)}). Output size is too small")
        if any(p >= s and p >= d for p, s, d in zip(output_padding, stride, dilation)):
            raise RuntimeError(_output_padding_message(output_padding, stride, dilation))
    if w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.legacy_name(_dtype._BY_NP[x.dtype])} but "
                           f"found {_dtype.legacy_name(_dtype._BY_NP[w.dtype])}")
    if x.dtype.kind not in "fiu":
        op = "slow_conv_transpose2d_out_cpu" if transposed else "slow_conv2d_cpu"
        raise NotImplementedError(f'"{op}" not implemented for '
                                  f"'{_dtype.legacy_name(_dtype._BY_NP[x.dtype])}'")


def _cpp(npd) -> str:
    return _dtype.cpp_name(_dtype._BY_NP[npd]).replace("long int", "long")


def _transposed_size(size, ksize, stride, pads, output_padding, dilation) -> tuple:
    return tuple((n - 1) * s - lo - hi + d * (k - 1) + op + 1
                 for n, k, s, (lo, hi), op, d in zip(size, ksize, stride, pads, output_padding,
                                                      dilation))


def _output_padding_message(output_padding, stride, dilation) -> str:
    names = ("depth", "height", "width")[-len(output_padding):] if len(output_padding) > 1 \
        else ("height", "width")
    if len(output_padding) == 1:                  # conv1d runs as a 2-d convolution in PyTorch
        output_padding, stride, dilation = (0,) + output_padding, (1,) + stride, (1,) + dilation
    parts = [f"output_padding_{n}: {v}" for n, v in zip(names, output_padding)]
    parts += [f"stride_{n}: {v}" for n, v in zip(names, stride)]
    parts += [f"dilation_{n}: {v}" for n, v in zip(names, dilation)]
    return "output padding must be smaller than either stride or dilation, but got " + " ".join(parts)


# -- the functions ----------------------------------------------------------------------------------

def _convolution(nd: int, name: str, transposed: bool, input, weight, bias, stride, padding,
                 dilation, groups, output_padding=0) -> Tensor:
    """The convolutions' common path: check as PyTorch does, then one node."""
    given = dict(input=input, weight=weight, bias=bias, stride=stride, padding=padding,
                 dilation=dilation, groups=groups)
    if transposed:
        given["output_padding"] = output_padding
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor) or \
            (bias is not None and not isinstance(bias, Tensor)) or not _is_int(groups):
        raise _bad_args(name, given)
    x, w = input._data, weight._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                           f"but got input of size: {list(x.shape)}")
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    k = w.ndim - 2
    stride = _fit("stride", _ints(stride, nd, name, given), k)
    if not isinstance(padding, str):
        padding = _fit("padding", _ints(padding, nd, name, given), k)
    dilation = _fit("dilation", _ints(dilation, nd, name, given), k)
    output_padding = _fit("output_padding", _ints(output_padding, nd, name, given), k) \
        if transposed else (0,) * k
    groups = int(groups)
    batched = x.ndim == nd + 2
    if not batched:
        input = S.unsqueeze(input, 0)
        x = input._data
    if padding == "valid":
        pads = ((0, 0),) * k
    elif padding == "same":
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = _same_pads(w.shape[2:], dilation)
    else:
        pads = tuple((p, p) for p in padding)
    b = None if bias is None else bias._data
    _check(x, w, b, stride, pads, dilation, groups, transposed, output_padding)
    geo = (stride, pads, dilation, groups)
    if transposed:
        if b is not None and b.dtype != x.dtype:
            b = b.astype(x.dtype)
        size = _transposed_size(x.shape[2:], w.shape[2:], stride, pads, output_padding, dilation)
        out = apply(ConvTranspose, (input, weight, bias), (x, w, b), geo, size)
    else:
        keep = _state[0] and weight.requires_grad
        out = apply(Convolution, (input, weight, bias), (x, w, b), geo, keep)
    return out if batched else S.squeeze(out, 0)


def _same_pads(ksize, dilation) -> tuple:
    """padding='same': ``d*(k-1)`` split in two, the odd one out after (as PyTorch pads)."""
    total = [d * (k - 1) for k, d in zip(ksize, dilation)]
    if any(t % 2 for t in total):
        warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                      "zero-padded copy of the input be created", UserWarning, stacklevel=4)
    return tuple((t // 2, t - t // 2) for t in total)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """1-d convolution (cross-correlation) of ``(N, C, L)`` or ``(C, L)`` with ``(Cout, C/groups, K)``.

    ``padding``: int, tuple or ``"valid"`` / ``"same"``.

    >>> conv1d(torch.tensor([[[1., 2., 3.]]]), torch.tensor([[[1., 1.]]]))
    tensor([[[3., 5.]]])
    """
    return _convolution(1, "conv1d", False, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-d convolution of ``(N, C, H, W)`` or ``(C, H, W)`` with ``(Cout, C/groups, kH, kW)``.

    >>> conv2d(torch.ones(1, 1, 3, 3), torch.ones(2, 1, 2, 2)).shape
    torch.Size([1, 2, 2, 2])
    """
    return _convolution(2, "conv2d", False, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """3-d convolution of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    >>> conv3d(torch.ones(1, 1, 2, 2, 2), torch.ones(1, 1, 2, 2, 2)).flatten()
    tensor([8.])
    """
    return _convolution(3, "conv3d", False, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-d convolution ("deconvolution"): the gradient of ``conv1d`` in its input.

    ``weight`` is ``(Cin, Cout/groups, K)``; the output length is
    ``(L - 1)*stride - 2*padding + dilation*(K - 1) + output_padding + 1``.

    >>> conv_transpose1d(torch.tensor([[[1., 2.]]]), torch.tensor([[[1., 1.]]]))
    tensor([[[1., 3., 2.]]])
    """
    return _convolution(1, "conv_transpose1d", True, input, weight, bias, stride, padding, dilation,
                        groups, output_padding)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 2-d convolution; ``weight`` is ``(Cin, Cout/groups, kH, kW)``.

    >>> conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), stride=2).shape
    torch.Size([1, 1, 4, 4])
    """
    return _convolution(2, "conv_transpose2d", True, input, weight, bias, stride, padding, dilation,
                        groups, output_padding)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 3-d convolution; ``weight`` is ``(Cin, Cout/groups, kD, kH, kW)``.

    >>> conv_transpose3d(torch.ones(1, 1, 1, 1, 1), torch.ones(1, 1, 2, 2, 2)).shape
    torch.Size([1, 1, 2, 2, 2])
    """
    return _convolution(3, "conv_transpose3d", True, input, weight, bias, stride, padding, dilation,
                        groups, output_padding)


# -- unfold / fold (im2col / col2im of NCHW tensors) ------------------------------------------------

def _unfold_kernel(x: np.ndarray, geo) -> np.ndarray:
    """``(N, C, H, W)`` -> ``(N, C*kH*kW, L)`` (PyTorch's layout: channel, then kernel position)."""
    ksize, dilation, padding, stride = geo
    n, c = x.shape[:2]
    pads = tuple((p, p) for p in padding)
    if any(padding):
        xp = np.zeros_like(x, shape=(n, c) + _padded(x.shape[2:], pads))
        xp[(slice(None), slice(None)) + _inside(x.shape[2:], pads)] = x
    else:
        xp = x
    out = _out_size(x.shape[2:], ksize, stride, pads, dilation)
    return _windows(xp, 2, ksize, out, stride, dilation).reshape(n, c * prod(ksize), prod(out))


def _fold_kernel(cols: np.ndarray, size, geo) -> np.ndarray:
    """``(N, C*kH*kW, L)`` -> ``(N, C, *size)``: the blocks summed back where they came from."""
    ksize, dilation, padding, stride = geo
    n = cols.shape[0]
    c = cols.shape[1] // prod(ksize)
    pads = tuple((p, p) for p in padding)
    out = _out_size(size, ksize, stride, pads, dilation)
    target = np.zeros_like(cols, shape=(n, c) + _padded(size, pads))
    _overlap_add(target, cols.reshape((n, c) + tuple(ksize) + out), 2, ksize, out, stride, dilation)
    crop = target[(slice(None), slice(None)) + _inside(size, pads)]
    return np.ascontiguousarray(crop)


def _unfold_array(x: np.ndarray, geo) -> np.ndarray:
    return _unfold_kernel(x, geo) if x.ndim == 4 else _unfold_kernel(x[None], geo)[0]


def _fold_array(cols: np.ndarray, size, geo) -> np.ndarray:
    return _fold_kernel(cols, size, geo) if cols.ndim == 3 else _fold_kernel(cols[None], size, geo)[0]


class Im2Col(Function):
    """``unfold`` of a batched ``(N, C, H, W)`` or unbatched ``(C, H, W)`` input."""
    _raw = True
    _name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, geo):
        ctx.size, ctx.geo = x.shape[-2:], geo
        return _unfold_array(x, geo)

    @staticmethod
    def backward(ctx, g):
        if type(g) is _nd:
            return (_fold_array(g, ctx.size, ctx.geo),)
        return (TensorArray(apply(Col2Im, (g.t,), (g.t._data,), ctx.size, ctx.geo)),)


class Col2Im(Function):
    """``fold`` of a batched ``(N, C*K, L)`` or unbatched ``(C*K, L)`` input."""
    _raw = True
    _name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, size, geo):
        ctx.geo = geo
        return _fold_array(cols, size, geo)

    @staticmethod
    def backward(ctx, g):
        if type(g) is _nd:
            return (_unfold_array(g, ctx.geo),)
        return (TensorArray(apply(Im2Col, (g.t,), (g.t._data,), ctx.geo)),)


def _pair_arg(name: str, value) -> tuple:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * 2
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
    return value


def _block_checks(ksize, dilation, padding, stride) -> None:
    if any(k <= 0 for k in ksize):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{ksize[0]} kernel_width: {ksize[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {stride[0]} "
                           f"stride_width: {stride[1]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{dilation[0]} dilation_width: {dilation[1]}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding blocks of a ``(N, C, H, W)`` (or ``(C, H, W)``) tensor as columns:
    ``(N, C*kH*kW, L)`` with ``L`` the number of blocks (im2col).

    >>> unfold(torch.arange(4.).reshape(1, 1, 2, 2), 1)
    tensor([[[0., 1., 2., 3.]]])
    """
    x = input._data
    if x.ndim not in (3, 4) or 0 in x.shape[1:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(x.shape)}")
    ksize = _pair_arg("kernel_size", kernel_size)
    dilation, padding, stride = (_pair_arg("dilation", dilation), _pair_arg("padding", padding),
                                 _pair_arg("stride", stride))
    _block_checks(ksize, dilation, padding, stride)
    out = _out_size(x.shape[-2:], ksize, stride, ((padding[0],) * 2, (padding[1],) * 2), dilation)
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given input with spatial size {tuple(x.shape[-2:])}, kernel_size={ksize}, "
                           f"dilation={dilation}, padding={padding}, calculated shape of the array of "
                           f"sliding blocks as {out}, but its components must be at least one.")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"im2col_out_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name(_dtype._BY_NP[x.dtype])}'")
    return apply(Im2Col, (input,), (x,), (ksize, dilation, padding, stride))


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum columns of sliding blocks ``(N, C*kH*kW, L)`` back into a ``(N, C, *output_size)``
    tensor (col2im; the adjoint of ``unfold``).

    >>> fold(torch.ones(1, 4, 4), (3, 3), 2)
    tensor([[[[1., 2., 1.],
              [2., 4., 2.],
              [1., 2., 1.]]]])
    """
    x = input._data
    if x.ndim not in (2, 3) or 0 in x.shape[1:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size "
                           f"and non-zero dimensions for input, but got: {list(x.shape)}")
    size = _pair_arg("output_size", output_size)
    ksize = _pair_arg("kernel_size", kernel_size)
    dilation, padding, stride = (_pair_arg("dilation", dilation), _pair_arg("padding", padding),
                                 _pair_arg("stride", stride))
    _block_checks(ksize, dilation, padding, stride)
    if x.shape[-2] % prod(ksize):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={x.shape[-2]} and "
                           f"kernel_size={ksize}.")
    out = _out_size(size, ksize, stride, ((padding[0],) * 2, (padding[1],) * 2), dilation)
    if x.shape[-1] != prod(out) or any(o < 1 for o in out):
        raise RuntimeError(f"Given output_size={size}, kernel_size={ksize}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 "
                           f"to match the calculated number of sliding blocks {out[0]} * {out[1]} = "
                           f"{prod(out)}, but got input.size(2)={x.shape[-1]}.")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"col2im_out_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name(_dtype._BY_NP[x.dtype])}'")
    return apply(Col2Im, (input,), (x,), size, (ksize, dilation, padding, stride))
