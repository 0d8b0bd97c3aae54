"""Running and sequence ops: cummax, cummin, logcumsumexp, diff, repeat_interleave.

(``cumsum`` and ``cumprod`` live with the reductions in ``reduce.py``.)

``cummax``/``cummin`` return PyTorch's indices: a tie moves the index to the later element, and
once a NaN is met it is the running value, its index moving with every later NaN.

>>> import numtorch as torch
>>> torch.cummax(torch.tensor([1., 3., 2., 3.]), 0)
torch.return_types.cummax(
values=tensor([1., 3., 3., 3.]),
indices=tensor([0, 1, 1, 3]))
>>> torch.diff(torch.tensor([1, 4, 9, 16]))
tensor([3, 5, 7])
"""
from __future__ import annotations

import numpy as np

from .._errors import arg_error, no_kernel as _no_kernel, not_tensor, type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function, HOLOMORPHIC
from ._apply import apply, _make, write_out
from .reduce import return_types
from . import shape as S, indexing as I, elementwise as E, convert as C


def _data(fn: str, input) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise not_tensor(fn, input)
    return input._data


# -- cummax / cummin ----------------------------------------------------------------------------

class Cummax(Function):
    """Running max along ``axis``; the gradient of each output goes to its index (adding up)."""
    _raw = True

    @staticmethod
    def forward(ctx, x, axis, idx, ufunc):
        ctx.shape, ctx.axis, ctx.idx = x.shape, axis, idx
        if x.ndim == 0:
            return x.copy()
        return ufunc.accumulate(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        if not ctx.shape:
            return (g,)
        out = np.zeros_like(g, shape=ctx.shape)
        where = list(np.ix_(*[np.arange(n) for n in ctx.shape]))
        where[ctx.axis] = ctx.idx
        np.add.at(out, tuple(where), g)
        return (out,)


class Cummin(Cummax):
    pass


def _running(name, cls, ufunc, input, dim, out):
    x = _data(name, input)
    if out is not None:
        if not isinstance(out, (tuple, list)):
            raise arg_error(name, "out", None, "tuple of Tensors", out)
        res = _running(name, cls, ufunc, input, dim, None)
        write_out(name, res[0], out[0])
        write_out(name, res[1], out[1])
        return type(res)(out[0], out[1])
    axis = _wrap_dim(dim, x.ndim)
    kind = getattr(return_types, name)
    if x.ndim == 0 or x.size == 0:
        idx = np.zeros(x.shape, np.int64)
        return kind(apply(cls, (input,), (x,), axis, idx, ufunc), _make(idx))
    if x.dtype.kind == "c":
        raise _no_kernel(f"{name}_cpu", x.dtype)
    values = ufunc.accumulate(x, axis=axis)
    # the index moves where the element reaches the running value (ties: the later one), and
    # at every NaN (NaN compares false, so after a NaN only NaNs move it)
    n = x.shape[axis]
    before = np.concatenate([values.take([0], axis), values.take(np.arange(n - 1), axis)], axis)
    reach = x >= before if ufunc is np.maximum else x <= before
    if x.dtype.kind == "f":
        reach |= np.isnan(x)
    pos = np.arange(n).reshape((-1,) + (1,) * (x.ndim - 1 - axis))
    idx = np.maximum.accumulate(np.where(reach, pos, 0), axis=axis).astype(np.int64)
    return kind(apply(cls, (input,), (x,), axis, idx, ufunc), _make(idx))


def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and the index of each running value.

    >>> import numtorch as torch
    >>> torch.tensor([[2, 1, 2]]).cummax(1).indices
    tensor([[0, 0, 2]])
    """
    return _running("cummax", Cummax, np.maximum, input, dim, out)


def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and the index of each running value.

    >>> import numtorch as torch
    >>> torch.tensor([[2, 1, 1]]).cummin(1).indices
    tensor([[0, 1, 2]])
    """
    return _running("cummin", Cummin, np.minimum, input, dim, out)


# -- logcumsumexp -------------------------------------------------------------------------------

def _reverse_logcumsumexp(v, axis):
    return np.flip(np.logaddexp.accumulate(np.flip(v, axis), axis=axis), axis)


class Logcumsumexp(Function):
    """``log(cumsum(exp(x)))`` without overflow. The gradient, ``sum_{j >= i} g_j
    exp(x_i - out_j)``, is taken in the log domain, the positive and negative parts of ``g``
    apart (the lowest finite number standing in for log 0, as in PyTorch)."""
    _raw = True
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.x, ctx.axis = x, axis
        if x.ndim == 0:
            out = x.copy()
        elif x.dtype == np.float16:
            out = np.logaddexp.accumulate(x.astype(np.float32), axis=axis).astype(x.dtype)
        else:
            out = np.logaddexp.accumulate(x, axis=axis)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        x, out, axis = ctx.x, ctx.out, ctx.axis
        if not x.shape:
            return (g,)
        lowest = np.finfo(g.dtype).min
        pos, neg = g > 0, g < 0
        log_pos = np.where(pos, np.log(np.where(pos, g, 1)), lowest)
        log_neg = np.where(neg, np.log(np.where(neg, -g, 1)), lowest)
        return (np.exp(_reverse_logcumsumexp(log_pos - out, axis) + x)
                - np.exp(_reverse_logcumsumexp(log_neg - out, axis) + x),)


def _complex_log1p(z):
    """``log(1 + z)`` accurate for small ``z``: ``log|1 + z|`` from ``log1p(2a + a^2 + b^2)``."""
    a, b = z.real, z.imag
    return 0.5 * np.log1p(a * (2 + a) + b * b) + 1j * np.arctan2(b, 1 + a)


def _complex_logaddexp(acc, x):
    """``log(exp(acc) + exp(x))`` for complex arrays as PyTorch's running sum takes it: the
    larger real part first (``acc`` on a tie), NaN anywhere gives NaN, two ``-inf`` real parts
    give ``acc``, two ``+inf`` ones the plain formula."""
    first = acc.real <= x.real
    lo = np.where(first, acc, x)
    hi = np.where(first, x, acc)
    out = hi + _complex_log1p(np.exp(lo - hi))
    both_inf = np.isinf(lo.real) & (lo.real == hi.real)
    out = np.where(both_inf & (lo.real < 0), lo, out)
    out = np.where(both_inf & (lo.real > 0), np.log(np.exp(lo) + np.exp(hi)), out)
    nan = np.isnan(acc) | np.isnan(x)
    return np.where(nan, np.complex128(complex(np.nan, np.nan)), out)


def _complex_logcumsumexp(x, axis, reverse=False):
    """The running ``log(sum(exp(x)))`` of a complex array along ``axis`` (complex128 inside),
    in order (last to first if ``reverse``), starting from ``-inf + 0j``."""
    v = np.moveaxis(x.astype(np.complex128), axis, 0)
    out = np.empty_like(v)
    acc = np.full(v.shape[1:], complex(-np.inf, 0.0))
    for i in (range(len(v) - 1, -1, -1) if reverse else range(len(v))):
        acc = _complex_logaddexp(acc, v[i])
        out[i] = acc
    return np.moveaxis(out, 0, axis).astype(x.dtype)


class LogcumsumexpComplex(Function):
    """``logcumsumexp`` of complex tensors: a running complex ``logaddexp``. Holomorphic: the
    derivative ``sum_{j >= i} g_j exp(x_i - out_j)`` is taken with the same running sum, from
    the last element back, over ``log(g_j) - out_j``."""
    _raw = True
    _name = "LogcumsumexpBackward0"
    complex_grad = HOLOMORPHIC

    @staticmethod
    def forward(ctx, x, axis):
        out = x.copy() if x.ndim == 0 else _complex_logcumsumexp(x, axis)
        ctx.x, ctx.axis, ctx.out = x, axis, out
        return out

    @staticmethod
    def backward(ctx, g):
        x, out, axis = ctx.x, ctx.out, ctx.axis
        if not x.shape:
            return (g,)
        g = g.astype(x.dtype)
        s = _complex_logcumsumexp(np.log(g) - out, axis, reverse=True)
        return (np.exp(s.astype(np.complex128) + x).astype(x.dtype),)


def logcumsumexp(input, dim, *, out=None) -> Tensor:
    """``log(cumsum(exp(input), dim))``, computed stably.

    >>> import numtorch as torch
    >>> torch.logcumsumexp(torch.tensor([0., 0., 0.]), 0)
    tensor([0.0000, 0.6931, 1.0986])
    """
    x = _data("logcumsumexp", input)
    if out is not None:
        return write_out("logcumsumexp", logcumsumexp(input, dim), out)
    axis = _wrap_dim(dim, x.ndim)
    if x.dtype.kind == "c":
        return apply(LogcumsumexpComplex, (input,), (x,), axis)
    if x.dtype.kind != "f":
        raise _no_kernel("logcumsumexp_out_cpu", x.dtype)
    return apply(Logcumsumexp, (input,), (x,), axis)


# -- diff ---------------------------------------------------------------------------------------

def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (``prepend``/``append`` joined first);
    for bool tensors, ``!=`` of neighbours.

    >>> import numtorch as torch
    >>> torch.diff(torch.tensor([1., 4., 9.]), prepend=torch.tensor([0.]))
    tensor([1., 3., 5.])
    """
    x = _data("diff", input)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise arg_error("diff", "n", 2, "int", n)
    for name, t in (("prepend", prepend), ("append", append)):
        if t is not None and not isinstance(t, Tensor):
            raise arg_error("diff", name, None, "Tensor", t)
    if out is not None:
        return write_out("diff", diff(input, n, dim, prepend, append), out)
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    axis = _wrap_dim(dim, x.ndim)
    if n == 0:                  # the input, copied (``prepend``/``append`` are not joined)
        return C.copy_(_make(np.empty_like(x)), input)
    parts = []
    for t in (prepend, input, append):
        if t is None:
            continue
        a = t._data
        if a.ndim != x.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for d in range(x.ndim):
            if d != axis and a.shape[d] != x.shape[d]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of input "
                    f"except along the differencing dimension; input.size({d}) = {x.shape[d]}, "
                    f"but got tensor.size({d}) = {a.shape[d]}")
        parts.append(t)
    y = S.cat(parts, axis) if len(parts) > 1 else input
    lead = (slice(None),) * axis
    if y._data.shape[axis] == 0:                 # nothing to difference: PyTorch returns it
        return y
    for _ in range(min(n, y._data.shape[axis])):
        m = y._data.shape[axis]
        hi, lo = y[lead + (slice(1, m),)], y[lead + (slice(0, m - 1),)]
        y = E.ne(hi, lo) if y._data.dtype.kind == "b" else E.sub(hi, lo)
    return y


# -- repeat_interleave --------------------------------------------------------------------------

_REPEAT_OVERLOADS = ("\n * (Tensor input, Tensor repeats, int dim = None, *, int output_size = "
                     "None)\n * (Tensor repeats, *, int output_size = None)\n * (Tensor input, int "
                     "repeats, int dim = None, *, int output_size = None)\n")


def _repeat_counts(repeats: np.ndarray, output_size) -> np.ndarray:
    """Check a tensor of repeats and return it as int64."""
    if repeats.dtype.kind not in "iu":
        raise _no_kernel("repeat_interleave_cpu", repeats.dtype)
    if repeats.size and repeats.min() < 0:
        raise RuntimeError("repeats can not be negative")
    if output_size is not None and int(repeats.sum()) != output_size:
        raise RuntimeError("allocated size does not match required size")
    return repeats.astype(np.int64)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element (``dim``: each slice) ``repeats`` times (an int, or one count per
    element). With only a tensor of counts, ``repeat_interleave(r)`` is
    ``arange(len(r)).repeat_interleave(r)``.

    >>> import numtorch as torch
    >>> torch.repeat_interleave(torch.tensor([[1, 2], [3, 4]]), torch.tensor([1, 2]), dim=0)
    tensor([[1, 2],
            [3, 4],
            [3, 4]])
    """
    if not isinstance(input, Tensor):
        got = type_name(input) + ("" if repeats is None else f", {type_name(repeats)}")
        raise TypeError(f"repeat_interleave() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:{_REPEAT_OVERLOADS}")
    x = input._data
    if repeats is None:                                  # repeat_interleave(repeats)
        if x.dtype.kind not in "iu":
            raise _no_kernel("repeat_interleave_cpu", x.dtype)
        if x.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        r = _repeat_counts(x, output_size)
        return _make(np.repeat(np.arange(len(r), dtype=x.dtype), r))
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if dim is None:
            input, x, axis = S.flatten(input), x.reshape(-1), 0
        else:
            axis = _wrap_dim(dim, x.ndim)
        size = x.shape[axis] if x.ndim else 1
        if r.ndim == 1 and len(r) != 1 and len(r) != size:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {len(r)} and input.size({axis}) = {size}")
        r = _repeat_counts(np.broadcast_to(r.reshape(-1), (size,)), output_size)
        index = _make(np.repeat(np.arange(size, dtype=np.int64), r))
        return I.index_select(input, axis, index)
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)):
        got = f"Tensor, {type_name(repeats)}"
        raise TypeError(f"repeat_interleave() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:{_REPEAT_OVERLOADS}")
    repeats = int(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if dim is None:
        input, axis = S.flatten(input), 0
    else:
        if x.ndim == 0:                                   # PyTorch unsqueezes at dim + 1
            _wrap_dim(_wrap_dim(dim, 0) + 1, 1)
        axis = _wrap_dim(dim, x.ndim)
    shape = input._data.shape
    expected = shape[axis] * repeats
    if output_size is not None and output_size != expected:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {expected} but got "
                           f"{output_size}")
    wide = shape[:axis + 1] + (repeats,) + shape[axis + 1:]
    y = S.clone(S.expand(S.unsqueeze(input, axis + 1), wide))
    return S.view(y, shape[:axis] + (expected,) + shape[axis + 1:])
