"""``TensorArray``: a tensor that looks like a NumPy array, so one gradient formula serves twice.

A built-in op's ``backward`` is written on NumPy arrays (the fast first-order path). Under
``create_graph=True`` the engine hands the same ``backward`` TensorArrays instead: the gradient
and the node's saved values, each wrapping a tensor tied to the graph. Every operator, ufunc
(``np.exp``, ``np.add.reduce``, ...), NumPy function (``np.where``, ``np.broadcast_to``, ...) and
array method the formula calls runs as the matching numtorch op, so the gradient comes out as a
tensor with its own ``grad_fn``: the backward pass is recorded, and can be differentiated again.

Anything a formula does that has no differentiable meaning here raises ``TypeError`` (it never
silently turns into a constant): NumPy calls ``__array__``, which refuses.

>>> import numpy as np, numtorch as torch
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> a = TensorArray(x)
>>> (np.exp(a) * 2).t.grad_fn.name()
'MulBackward0'
"""
from __future__ import annotations

import operator

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply
from . import elementwise as E, math as M, reduce as R, shape as S, indexing as I, linalg as L
from . import convert as C
from . import cumulative as CU

_make = Tensor._make


def _t(v):
    """The tensor behind an operand: TensorArrays unwrap, arrays become constants, scalars stay."""
    if type(v) is TensorArray:
        return v.t
    if isinstance(v, np.ndarray):
        return _make(v)
    if isinstance(v, np.generic):
        return _make(np.asarray(v))
    return v


def _wrap(t):
    return TensorArray(t) if isinstance(t, Tensor) else t


def _axes(axis, ndim):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(int(a) for a in axis)
    return int(axis)


def _reduce_all(fn, t, axis, keepdims):
    """``fn(t, dim, keepdim)`` over ``axis`` (None: every axis), as NumPy's reductions."""
    if axis is None:
        axis = tuple(range(t._data.ndim))
    if isinstance(axis, tuple):
        if not axis:
            return t
        axis = tuple(a % t._data.ndim for a in axis)
    return fn(t, axis, keepdims)


def _sum(t, axis=None, dtype=None, out=None, keepdims=False, **_):
    if dtype is not None and np.dtype(dtype) != t._data.dtype:
        t = C.to(t, _dtype_of(dtype))
    if axis == ():
        return t
    if axis is None:
        return R.sum(t, tuple(range(t._data.ndim)), True) if keepdims else R.sum(t)
    return R.sum(t, _axes(axis, t._data.ndim), keepdims)


def _amax(t, axis=None, keepdims=False):
    return _reduce_all(R.amax, t, _axes(axis, t._data.ndim), keepdims)


def _amin(t, axis=None, keepdims=False):
    return _reduce_all(R.amin, t, _axes(axis, t._data.ndim), keepdims)


def _dtype_of(np_dtype):
    from .._dtype import _BY_NP
    return _BY_NP[np.dtype(np_dtype)]


# ufunc -> the numtorch function computing it on tensors (differentiable where PyTorch is)
_UFUNCS = {
    np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
    np.true_divide: operator.truediv, np.power: operator.pow, np.float_power: operator.pow,
    np.matmul: operator.matmul, np.negative: operator.neg, np.positive: lambda x: x,
    np.maximum: M.maximum, np.minimum: M.minimum, np.fmax: M.fmax, np.fmin: M.fmin,
    np.exp: M.exp, np.expm1: M.expm1, np.log: M.log, np.log1p: M.log1p, np.log2: M.log2,
    np.log10: M.log10, np.sqrt: M.sqrt, np.square: M.square, np.reciprocal: M.reciprocal,
    np.sin: M.sin, np.cos: M.cos, np.tan: M.tan, np.sinh: M.sinh, np.cosh: M.cosh, np.tanh: M.tanh,
    np.arcsin: M.asin, np.arccos: M.acos, np.arctan: M.atan, np.arctan2: M.atan2,
    np.absolute: M.abs, np.fabs: M.abs, np.sign: M.sign, np.floor: M.floor, np.ceil: M.ceil,
    np.trunc: M.trunc, np.rint: M.round, np.fmod: E.fmod, np.remainder: E.remainder,
    # the value of a floor division inside a gradient formula: piecewise constant, zero
    # gradient (PyTorch's formulas use div(rounding_mode='floor') there)
    np.floor_divide: lambda a, b: E.div(a, b, rounding_mode="floor"),
    np.conjugate: lambda z: z.conj_physical(),      # (Tensor.conj_physical: ops/complex_ops.py)
}
# ufuncs whose result is a mask or an integer: computed on the values, a constant of the graph
_CONSTANT_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal, np.isnan,
    np.isinf, np.isfinite, np.signbit, np.logical_and, np.logical_or, np.logical_xor,
    np.logical_not, np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert,
}


def _const(v):
    return v.t._data if type(v) is TensorArray else v


def _not_differentiable(what: str):
    return TypeError(f"numtorch: {what} has no differentiable form for create_graph=True yet "
                     "(double backward through this op is not supported)")


class TensorArray:
    """A tensor in a NumPy array's clothes (see the module docstring); ``.t`` is the tensor."""

    __slots__ = ("t",)
    __array_priority__ = 1000

    def __init__(self, t: Tensor):
        self.t = t

    # -- what an array tells about itself -------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.t._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.t._data.dtype

    @property
    def ndim(self) -> int:
        return self.t._data.ndim

    @property
    def size(self) -> int:
        return self.t._data.size

    @property
    def base(self):
        return None

    def __len__(self) -> int:
        return len(self.t._data)

    def __repr__(self) -> str:
        return f"TensorArray({self.t!r})"

    def __array__(self, dtype=None, copy=None):
        raise _not_differentiable("turning a gradient into a NumPy array")

    # -- arithmetic -----------------------------------------------------------------------------
    def __add__(self, o): return TensorArray(self.t + _t(o))
    def __radd__(self, o): return TensorArray(_t(o) + self.t)
    def __sub__(self, o): return TensorArray(self.t - _t(o))
    def __rsub__(self, o): return TensorArray(_t(o) - self.t)
    def __mul__(self, o): return TensorArray(self.t * _t(o))
    def __rmul__(self, o): return TensorArray(_t(o) * self.t)
    def __truediv__(self, o): return TensorArray(self.t / _t(o))
    def __rtruediv__(self, o): return TensorArray(_t(o) / self.t)
    def __pow__(self, o): return TensorArray(self.t ** _t(o))
    def __rpow__(self, o): return TensorArray(_t(o) ** self.t)
    def __matmul__(self, o): return TensorArray(self.t @ _t(o))
    def __rmatmul__(self, o): return TensorArray(_t(o) @ self.t)
    def __neg__(self): return TensorArray(-self.t)
    def __pos__(self): return self
    def __abs__(self): return TensorArray(M.abs(self.t))

    # comparisons give masks: constants of the graph
    def __gt__(self, o): return self.t._data > _const(o)
    def __ge__(self, o): return self.t._data >= _const(o)
    def __lt__(self, o): return self.t._data < _const(o)
    def __le__(self, o): return self.t._data <= _const(o)
    def __eq__(self, o): return self.t._data == _const(o)
    def __ne__(self, o): return self.t._data != _const(o)
    __hash__ = None

    # -- methods --------------------------------------------------------------------------------
    @property
    def T(self):
        return TensorArray(S.permute(self.t, tuple(range(self.ndim - 1, -1, -1))))

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return TensorArray(S.reshape(self.t, tuple(shape)))

    def ravel(self):
        return TensorArray(S.reshape(self.t, (-1,)))

    def transpose(self, *axes):
        if not axes:
            axes = tuple(range(self.ndim - 1, -1, -1))
        elif len(axes) == 1 and isinstance(axes[0], (tuple, list, np.ndarray)):
            axes = tuple(int(a) for a in axes[0])
        return TensorArray(S.permute(self.t, tuple(axes)))

    def swapaxes(self, a, b):
        return TensorArray(S.transpose(self.t, a, b))

    def squeeze(self, axis=None):
        return TensorArray(S.squeeze(self.t, axis) if axis is not None else S.squeeze(self.t))

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return TensorArray(_sum(self.t, axis, dtype, out, keepdims))

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        n = self.size if axis is None else int(np.prod([self.shape[a] for a in np.atleast_1d(axis)]))
        return TensorArray(_sum(self.t, axis, dtype, out, keepdims) / n)

    def max(self, axis=None, out=None, keepdims=False, **kw):
        return TensorArray(_amax(self.t, axis, keepdims))

    def min(self, axis=None, out=None, keepdims=False, **kw):
        return TensorArray(_amin(self.t, axis, keepdims))

    def astype(self, dtype, copy=True, **kw):
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return TensorArray(self.t) if not copy else self
        if dtype.kind not in "fc":
            return self.t._data.astype(dtype)          # an integer/bool view: a constant
        return TensorArray(C.to(self.t, _dtype_of(dtype)))

    def copy(self, order="C"):
        return TensorArray(self.t)          # TensorArrays are never written in place

    def item(self):
        return self.t._data.item()

    def __getitem__(self, index):
        return TensorArray(self.t[_index(index)])

    def __setitem__(self, index, value):
        # a functional write: self now wraps a new tensor with ``value`` at ``index``
        t = self.t.clone()
        t[_index(index)] = _t(value)
        self.t = t

    # -- NumPy's protocols ----------------------------------------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.pop("out", None)
        if ufunc in _CONSTANT_UFUNCS and method == "__call__":
            return ufunc(*[_const(v) for v in inputs], **kwargs)
        if method == "__call__":
            fn = _UFUNCS.get(ufunc)
            if fn is None or kwargs.get("where", True) is not True:
                raise _not_differentiable(f"np.{ufunc.__name__}")
            result = fn(*[_t(v) for v in inputs])
        elif method == "reduce":
            result = _ufunc_reduce(ufunc, *inputs, **kwargs)
        elif method == "accumulate":
            result = _ufunc_accumulate(ufunc, *inputs, **kwargs)
        elif method == "at":
            target, index = inputs[0], inputs[1]
            value = inputs[2] if len(inputs) > 2 else None
            if type(target) is not TensorArray or ufunc is not np.add:
                raise _not_differentiable(f"np.{ufunc.__name__}.at into a NumPy array")
            target.t = _index_add(target.t, index, _t(value))
            return None
        else:
            raise _not_differentiable(f"np.{ufunc.__name__}.{method}")
        return _deliver(_wrap(result), out)

    def linked(self, x: Tensor, name: str) -> "TensorArray":
        """This gradient, tied to input ``x`` with a zero derivative by a node called ``name``
        (see ``Function.linked_backward``)."""
        cls = _LINKS.get(name)
        if cls is None:
            cls = _LINKS[name] = type(name, (ZeroLink,), {"_name": name})
        return TensorArray(apply(cls, (self.t, x), (self.t._data, x._data)))

    def __array_function__(self, func, types, args, kwargs):
        impl = _FUNCTIONS.get(func)
        if impl is None:
            raise _not_differentiable(f"np.{func.__name__}")
        return impl(*args, **kwargs)


class ZeroLink(Function):
    """``g`` itself, with ``x`` as a second input of zero derivative."""
    _raw = True

    @staticmethod
    def forward(ctx, g, x):
        ctx.shape = x.shape
        return g

    @staticmethod
    def backward(ctx, gg):
        return gg, np.zeros_like(gg, shape=ctx.shape)


_LINKS: dict = {}


def _deliver(result, out):
    """Honour ``out=``: a TensorArray target takes the result (functionally); arrays refuse."""
    if out is None:
        return result
    target = out[0] if isinstance(out, tuple) else out
    if type(target) is not TensorArray:
        raise _not_differentiable("writing a gradient into a NumPy array (out=)")
    target.t = result.t if type(result) is TensorArray else _make(np.asarray(result))
    return target


def _index(index):
    """An index for a tensor: TensorArrays inside it are read as constants."""
    if type(index) is tuple:
        return tuple(_index(i) for i in index)
    if type(index) is TensorArray:
        return index.t._data
    return index


def _index_add(t, index, value):
    """``t`` with ``value`` added at ``index`` (repeated positions add up): ``np.add.at``."""
    positions = np.arange(t._data.size).reshape(t._data.shape)[_index(index)]
    if not isinstance(value, Tensor):
        value = _make(np.asarray(value, t._data.dtype))
    value = S.broadcast_to(value, positions.shape) if value._data.shape != positions.shape else value
    flat = I.index_add(S.reshape(t, (-1,)), 0, _make(positions.reshape(-1).astype(np.int64)),
                       S.reshape(value, (-1,)))
    return S.reshape(flat, t._data.shape)


def _ufunc_reduce(ufunc, a, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=True):
    t = _t(a)
    if ufunc is np.add:
        return _sum(t, _axes(axis, t._data.ndim), dtype, None, keepdims)
    if ufunc is np.maximum:
        return _amax(t, _axes(axis, t._data.ndim), keepdims)
    if ufunc is np.minimum:
        return _amin(t, _axes(axis, t._data.ndim), keepdims)
    if ufunc is np.multiply and isinstance(axis, int):
        return R.prod(t, axis, keepdims)
    raise _not_differentiable(f"np.{ufunc.__name__}.reduce")


def _ufunc_accumulate(ufunc, a, axis=0, dtype=None, out=None):
    t = _t(a)
    if ufunc is np.add:
        return R.cumsum(t, axis)
    if ufunc is np.multiply:
        return R.cumprod(t, axis)
    if ufunc is np.logaddexp:
        return CU.logcumsumexp(t, axis)
    raise _not_differentiable(f"np.{ufunc.__name__}.accumulate")


# -- NumPy functions ----------------------------------------------------------------------------

def _like(fill):
    def make(a, dtype=None, order="K", subok=True, shape=None, **kw):
        shape = a.shape if shape is None else (shape if isinstance(shape, tuple) else tuple(np.atleast_1d(shape)))
        dt = np.dtype(dtype) if dtype is not None else a.dtype
        value = fill if fill is not None else kw.get("fill_value", 0)
        return TensorArray(_make(np.full(shape, _const(value), dt)))
    return make


def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    return _like(None)(a, dtype, order, subok, shape, fill_value=fill_value)


def _where(cond, x=None, y=None):
    if x is None:
        return np.where(_const(cond))
    cond = _const(cond)
    tx, ty = _t(x), _t(y)
    if not isinstance(tx, Tensor):
        tx = _make(np.asarray(tx, ty._data.dtype if isinstance(ty, Tensor) else None))
    return TensorArray(M.where(_make(np.asarray(cond, bool)), tx, ty))


def _broadcast_to(a, shape, subok=False):
    return TensorArray(S.broadcast_to(_t(a), tuple(shape)))


def _expand_dims(a, axis):
    t = _t(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = t._data.ndim + len(axes)
    for ax in sorted(a % ndim for a in axes):
        t = S.unsqueeze(t, ax)
    return TensorArray(t)


def _moveaxis(a, source, destination):
    return TensorArray(S.movedim(_t(a), source, destination))


def _concatenate(arrays, axis=0, out=None, **kw):
    ts = [_t(v) for v in arrays]
    return TensorArray(S.cat(ts, axis))


def _stack(arrays, axis=0, out=None, **kw):
    return TensorArray(S.stack([_t(v) for v in arrays], axis))


def _take_along_axis(arr, indices, axis):
    t = _t(arr)
    idx = _const(indices)
    if axis is None:
        return TensorArray(I.take(t, _make(np.asarray(idx, np.int64))))
    shape = np.broadcast_shapes(tuple(n if i != axis % t._data.ndim else 1 for i, n in enumerate(t._data.shape)),
                                tuple(n if i != axis % t._data.ndim else 1 for i, n in enumerate(idx.shape)))
    idx_shape = list(shape)
    idx_shape[axis % t._data.ndim] = idx.shape[axis % t._data.ndim]
    idx = np.broadcast_to(idx, idx_shape)
    return TensorArray(I.gather(t, axis, _make(np.ascontiguousarray(idx, np.int64))))


def _put_along_axis(arr, indices, values, axis):
    if type(arr) is not TensorArray:
        raise _not_differentiable("np.put_along_axis into a NumPy array")
    idx = np.asarray(_const(indices), np.int64)
    v = _t(values)
    if not isinstance(v, Tensor):
        v = _make(np.asarray(v, arr.dtype))
    v = S.broadcast_to(v, idx.shape) if v._data.shape != idx.shape else v
    arr.t = I.scatter(arr.t, axis, _make(np.ascontiguousarray(idx)), v)


def _einsum(subscripts, *operands, **kw):
    return TensorArray(L.einsum(subscripts, *[_t(o) for o in operands]))


def _tri(fn):
    def run(m, k=0):
        return TensorArray(fn(_t(m), k))
    return run


def _flip(m, axis=None):
    t = _t(m)
    dims = tuple(range(t._data.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int) else tuple(axis))
    return TensorArray(S.flip(t, dims))


def _roll(a, shift, axis=None):
    return TensorArray(S.roll(_t(a), shift, axis))


def _transpose(a, axes=None):
    return a.transpose(*(() if axes is None else (tuple(axes),)))


def _reshape(a, shape=None, order="C", **kw):
    return a.reshape(shape if shape is not None else kw["newshape"])


def _clip(a, a_min=None, a_max=None, out=None, **kw):
    return TensorArray(M.clamp(_t(a), _const(a_min), _const(a_max)))


def _tile(a, reps):
    return TensorArray(S.tile(_t(a), (reps,) if isinstance(reps, int) else tuple(reps)))


def _repeat(a, repeats, axis=None):
    t = _t(a)
    if axis is None:
        t, axis = S.reshape(t, (-1,)), 0
    idx = np.repeat(np.arange(t._data.shape[axis]), repeats)
    return TensorArray(I.index_select(t, axis, _make(idx.astype(np.int64))))


def _diagonal(a, offset=0, axis1=0, axis2=1):
    return TensorArray(I.diagonal(_t(a), offset, axis1, axis2))


def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return TensorArray(R.sum(I.diagonal(_t(a), offset, axis1, axis2), -1))


def _outer(a, b, out=None):
    ta, tb = _t(a), _t(b)
    return TensorArray(S.reshape(ta, (-1, 1)) * S.reshape(tb, (1, -1)))


def _dot(a, b, out=None):
    return TensorArray(_t(a) @ _t(b))


def _squeeze(a, axis=None):
    return a.squeeze(axis)


def _shape(a):
    return a.shape


def _ndim(a):
    return a.ndim


def _size(a, axis=None):
    return a.size if axis is None else a.shape[axis]


def _result_type(*args):
    return np.result_type(*[v.dtype if type(v) is TensorArray else v for v in args])


def _copyto(dst, src, casting="same_kind", where=True):
    if type(dst) is not TensorArray:
        raise _not_differentiable("np.copyto into a NumPy array")
    dst.t = S.broadcast_to(_t(src), dst.shape) if np.shape(_const(src)) != dst.shape else _t(src)


def _cumulative(fn):
    """``np.cumsum`` / ``np.cumprod`` (``axis=None``: over the flattened array)."""
    def run(a, axis=None, dtype=None, out=None):
        t = _t(a)
        if axis is None:
            t, axis = S.reshape(t, (-1,)), 0
        if dtype is not None and np.dtype(dtype) != t._data.dtype:
            t = C.to(t, _dtype_of(dtype))
        return _deliver(TensorArray(fn(t, int(axis))), out)
    return run


def _reduction(fn):
    def run(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return fn(a, axis=axis, keepdims=keepdims) if fn is not TensorArray.sum else \
            a.sum(axis=axis, dtype=dtype, keepdims=keepdims)
    return run


def _pieces(t, bounds, axis):
    """``t`` cut at ``bounds`` along ``axis`` (NumPy's slicing rules: clipped, maybe empty)."""
    lead = (slice(None),) * (axis % t._data.ndim)
    edges = [0] + list(bounds) + [None]
    return [TensorArray(t[lead + (slice(a, b),)]) for a, b in zip(edges[:-1], edges[1:])]


def _split(ary, indices_or_sections, axis=0):
    t = _t(ary)
    if isinstance(indices_or_sections, (int, np.integer)):
        n, k = t._data.shape[axis], int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError("array split does not result in an equal division")
        indices_or_sections = range(n // k, n, n // k)
    return _pieces(t, [int(i) for i in indices_or_sections], axis)


def _array_split(ary, indices_or_sections, axis=0):
    t = _t(ary)
    if isinstance(indices_or_sections, (int, np.integer)):
        n, k = t._data.shape[axis], int(indices_or_sections)
        if k <= 0:
            raise ValueError("number sections must be larger than 0.")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        indices_or_sections = list(np.cumsum(sizes[:-1]))
    return _pieces(t, [int(i) for i in indices_or_sections], axis)


def _take(a, indices, axis=None, out=None, mode="raise"):
    t = _t(a)
    idx = np.asarray(_const(indices))
    if axis is None:
        t, axis = S.reshape(t, (-1,)), 0
    axis %= t._data.ndim
    n = t._data.shape[axis]
    flat = idx.reshape(-1).astype(np.int64)
    flat = np.where(flat < 0, flat + n, flat)
    r = I.index_select(t, axis, _make(flat))
    shape = t._data.shape[:axis] + idx.shape + t._data.shape[axis + 1:]
    return _deliver(TensorArray(r if r._data.shape == shape else S.reshape(r, shape)), out)


def _diag(v, k=0):
    return TensorArray(I.diag(_t(v), int(k)))


def _pad(array, pad_width, mode="constant", **kw):
    """``np.pad`` with zeros: the input written into a zero array (differentiable in it)."""
    if mode != "constant" or np.any(np.asarray(kw.get("constant_values", 0)) != 0):
        raise _not_differentiable(f"np.pad(mode={mode!r}) with non-zero values")
    t = _t(array)
    width = np.broadcast_to(np.asarray(pad_width, np.int64), (t._data.ndim, 2))
    shape = tuple(int(n + a + b) for n, (a, b) in zip(t._data.shape, width))
    out = TensorArray(_make(np.zeros(shape, t._data.dtype)))
    out[tuple(slice(int(a), int(a) + n) for n, (a, _) in zip(t._data.shape, width))] = t
    return out


_FUNCTIONS = {
    np.split: _split, np.array_split: _array_split, np.take: _take, np.diag: _diag,
    np.pad: _pad,
    np.zeros_like: _like(0), np.ones_like: _like(1), np.empty_like: _like(0),
    np.full_like: _full_like, np.where: _where, np.broadcast_to: _broadcast_to,
    np.expand_dims: _expand_dims, np.moveaxis: _moveaxis, np.concatenate: _concatenate,
    np.stack: _stack, np.take_along_axis: _take_along_axis, np.put_along_axis: _put_along_axis,
    np.einsum: _einsum, np.tril: _tri(S.tril), np.triu: _tri(S.triu), np.flip: _flip,
    np.roll: _roll, np.transpose: _transpose, np.reshape: _reshape, np.clip: _clip,
    np.tile: _tile, np.repeat: _repeat, np.diagonal: _diagonal, np.trace: _trace,
    np.outer: _outer, np.dot: _dot, np.squeeze: _squeeze, np.shape: _shape, np.ndim: _ndim,
    np.size: _size, np.result_type: _result_type, np.copyto: _copyto,
    np.sum: _reduction(TensorArray.sum), np.mean: _reduction(TensorArray.mean),
    np.max: _reduction(TensorArray.max), np.amax: _reduction(TensorArray.max),
    np.min: _reduction(TensorArray.min), np.amin: _reduction(TensorArray.min),
    np.swapaxes: lambda a, x, y: a.swapaxes(x, y), np.ravel: lambda a, order="C": a.ravel(),
    np.copy: lambda a, order="K", subok=False: a,
    np.atleast_1d: lambda a: a if a.ndim else a.reshape(1),
    np.matmul: lambda a, b, **kw: TensorArray(_t(a) @ _t(b)),
    np.cumsum: _cumulative(R.cumsum), np.cumprod: _cumulative(R.cumprod),
}
