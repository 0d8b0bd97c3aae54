"""Indexing: ``x[...]`` and ``x[...] = v``, gather/scatter, index_select, masked_fill, nonzero.

>>> import numtorch as torch
>>> x = torch.tensor([[1., 2.], [3., 4.]])
>>> x[torch.tensor([1, 0]), torch.tensor([0, 1])]
tensor([3., 2.])
"""
from __future__ import annotations

import re

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import Function
from ._apply import apply, apply_inplace, check_inplace, _make, broadcast_error, expand_error
from ._scalars import NUMBER_TYPES, scalar_for
from .shape import _as_view, _zeros, _view, Slice, Select


def _convert_index(index):
    """Turn a PyTorch index (tensors, lists, ranges) into a NumPy one; also say if it is basic."""
    if not isinstance(index, tuple):
        index = (index,)
    out, basic = [], True
    for item in index:
        if isinstance(item, Tensor):
            a = item._data
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a if a.ndim else (a.item() if a.dtype.kind != "b" else a))
            basic = basic and a.ndim == 0 and a.dtype.kind != "b"
        elif isinstance(item, (list, range)):
            a = np.asarray([v.item() if isinstance(v, Tensor) else v for v in item]) if isinstance(item, list) \
                else np.arange(item.start, item.stop, item.step)
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a.astype(np.int64) if a.size == 0 else a)
            basic = False
        elif isinstance(item, np.ndarray):
            out.append(item)
            basic = False
        elif isinstance(item, (bool, np.bool_)):
            out.append(item)
            basic = False
        else:
            if type(item) is slice and item.step is not None and item.step < 0:
                raise ValueError("step must be greater than zero")
            out.append(item)
    return tuple(out), basic


def _index_error(exc, shape, index=None, idx=None):
    """PyTorch's IndexError for NumPy's (``index``: the user's index, ``idx``: NumPy's)."""
    msg = str(exc)
    if "out of bounds" in msg:
        return IndexError(msg.replace("axis", "dimension"))
    if msg.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    items = idx if isinstance(idx, tuple) else (idx,)
    if msg.startswith("boolean index did not match"):
        # NumPy: "... along axis A; size of axis is S but size of corresponding boolean axis is B"
        axis = int(re.search(r"axis (\d+)", msg).group(1))
        pos = 0
        for item in items:
            if isinstance(item, np.ndarray) and item.dtype == np.bool_:
                if pos + item.ndim > axis:
                    return IndexError(f"The shape of the mask {list(item.shape)} at index {axis - pos} "
                                      f"does not match the shape of the indexed tensor "
                                      f"{list(shape)} at index {axis}")
                pos += item.ndim
            elif item is not None:
                pos += 1
    if msg.startswith("shape mismatch: indexing arrays"):
        shapes = ", ".join("[" + ", ".join(d for d in dims.split(",") if d) + "]"
                           for dims in re.findall(r"\(([\d,]*)\)", msg))
        return IndexError(f"shape mismatch: indexing tensors could not be broadcast together with "
                          f"shapes {shapes}")
    if msg.startswith("only integers, slices"):
        bad = next((v for v in items if not isinstance(v, (int, slice, np.ndarray, np.integer))
                    and v is not None and v is not Ellipsis), None)
        return IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                          f"Variables are valid indices (got {type(bad).__name__})")
    return IndexError(msg)


def _setitem_error(exc, input, idx, basic, value, v):
    """PyTorch's error for ``input[index] = value`` when NumPy refused it (ValueError)."""
    if isinstance(value, (str, bytes)):
        return TypeError(f"can't assign a {type(value).__name__} to a {input.type()}")
    try:
        target = input._data[idx].shape
    except (IndexError, ValueError) as e:
        return _index_error(e, input._data.shape, None, idx)
    vshape = np.shape(v)
    if len(vshape) > len(target):
        vtype = value.type() if isinstance(value, Tensor) else input.type()
        return RuntimeError(f"expand({vtype}{{{list(vshape)}}}, size={list(target)}): the number of "
                            f"sizes provided ({len(target)}) must be greater or equal to the number "
                            f"of dimensions in the tensor ({len(vshape)})")
    if basic:
        return expand_error(vshape, target)
    if "broadcast" in str(exc):
        return RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast "
                            f"to indexing result of shape {list(target)}")
    return RuntimeError(str(exc))


class Index(Function):
    """Advanced indexing (integer arrays, masks): the gradient scatters back with np.add.at,
    or with a plain assignment when the indexed positions are known to be distinct."""
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, index, unique=False):
        ctx.shape, ctx.index, ctx.unique = x.shape, index, unique
        return x[index]

    @staticmethod
    def backward(ctx, g):
        out = np.zeros(ctx.shape, g.dtype) if type(g) is np.ndarray else _zeros(g, ctx.shape)
        if ctx.unique:
            out[ctx.index] = g           # no position repeats: nothing to accumulate
        else:
            np.add.at(out, ctx.index, g)
        return (out,)


def _unique_positions(index, idx) -> bool:
    """True when ``x[idx]`` reads each position at most once, so its gradient can be assigned.

    That holds when one component is a range of distinct non-negative values (``x[range(n),
    target]``) and every other advanced component is a 0-d or 1-D index of the same length: the
    index tuples then pair up one-to-one with the range's distinct values.
    """
    if type(index) is not tuple:
        return False
    n = -1
    for item in index:
        if type(item) is range:
            if item.start >= 0 and item.step > 0:
                n = len(item)
                break
    if n < 0:
        return False
    for a in idx:
        if isinstance(a, np.ndarray):
            if a.dtype.kind == "b" or (a.ndim and (a.ndim != 1 or a.shape[0] != n)):
                return False
        elif isinstance(a, (bool, np.bool_)):
            return False
    return True


def getitem(input: Tensor, index) -> Tensor:
    x = input._data
    if isinstance(index, int) and not isinstance(index, bool):
        if x.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if not -x.shape[0] <= index < x.shape[0]:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {x.shape[0]}")
        return _as_view(apply(Select, (input,), (x,), index), input, Select, index)
    if isinstance(index, slice):
        if x.ndim == 0:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if index.step is not None and index.step < 0:
            raise ValueError("step must be greater than zero")
        try:
            out = apply(Slice, (input,), (x,), index)
        except IndexError as e:
            raise _index_error(e, x.shape) from None
        return _as_view(out, input, Slice, index)
    if isinstance(index, str):
        import warnings
        warnings.warn(_SEQUENCE_INDEX, UserWarning, stacklevel=2)
        raise TypeError(f"new(): invalid data type '{type(index).__name__}'")
    idx, basic = _convert_index(index)
    try:
        if basic:
            cls = _basic_node(idx)
            return _as_view(apply(cls, (input,), (x,), idx), input, cls, idx)
        return apply(Index, (input,), (x,), idx, _unique_positions(index, idx))
    except IndexError as e:
        if "single ellipsis" in str(e):     # PyTorch reads x[..., ...] as x[...]
            err = None
            first = idx.index(Ellipsis)
            index = idx[:first + 1] + tuple(v for v in idx[first + 1:] if v is not Ellipsis)
        else:
            err = _index_error(e, x.shape, index, idx)
    if err is None:
        return getitem(input, index)
    raise err from None


_SEQUENCE_INDEX = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will "
                   "be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 "
                   "this will be interpreted as tensor index, x[torch.tensor(seq)], which will result "
                   "either in an error or a different result")


def _basic_node(idx):
    """The node PyTorch shows for basic indexing: that of the last step it applies (full
    slices ``:`` and ``...`` are no steps; with no step at all it is an alias)."""
    for item in reversed(idx):
        if item is Ellipsis or (isinstance(item, slice) and item == slice(None)):
            continue
        if item is None:
            return _UnsqueezeIndex
        return Slice if isinstance(item, slice) else Select
    return _AliasIndex


def _index_classes():
    from .shape import Slice

    class UnsqueezeIndex(Slice):
        _raw = True
        _name = "UnsqueezeBackward0"

    class AliasIndex(Slice):
        _raw = True
        _name = "AliasBackward0"
    return UnsqueezeIndex, AliasIndex


_UnsqueezeIndex, _AliasIndex = _index_classes()


class IndexPut(Function):
    """``x[index] = v`` under autograd: x keeps its gradient outside ``index``, v gets the rest."""
    _raw = True
    _name = "torch::autograd::CopySlices"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, v, index):
        ctx.index, ctx.v_shape = index, np.shape(v)
        out = x.copy()
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        gx[ctx.index] = 0
        gv = g[ctx.index]
        if ctx.needs_input_grad[1] and np.shape(gv) != ctx.v_shape:
            from ..autograd.engine import unbroadcast
            gv = unbroadcast(gv, ctx.v_shape)
        return gx, gv


class IndexPutAdvanced(IndexPut):
    _raw = True
    _name = "IndexPutBackward0"


def setitem(input: Tensor, index, value) -> None:
    idx, basic = _convert_index(index)
    tv = value if isinstance(value, Tensor) else None
    v = value._data if tv is not None else value
    if isinstance(v, np.ndarray) and v.dtype != input._data.dtype:
        v = v.astype(input._data.dtype)
    if grad_mode.state[0] and (input.requires_grad or (tv is not None and tv.requires_grad)):
        if basic and input.requires_grad and input.grad_fn is None and input._view_of is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")              # x[i] = v writes a view of x
        sub = _basic_node(idx) if basic else None       # the view x[i] = v writes through
        check_inplace(input, None if sub is _AliasIndex else sub)
        if isinstance(v, np.ndarray) and v.dtype.kind == "f" and input._data.dtype.kind != "f":
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{_dtype.legacy_name(input.dtype)} for the destination and "
                               f"{_dtype.legacy_name(tv.dtype)} for the source.")
        try:
            apply_inplace(IndexPut if basic else IndexPutAdvanced, input, (input, tv),
                          (input._data, v), idx)
        except IndexError as e:
            raise _index_error(e, input._data.shape, index, idx) from None
        except ValueError as e:
            raise _setitem_error(e, input, idx, basic, value, v) from None
        return
    try:
        input._data[idx] = v
    except IndexError as e:
        raise _index_error(e, input._data.shape, index, idx) from None
    except ValueError as e:
        raise _setitem_error(e, input, idx, basic, value, v) from None
    input._vc[0] += 1


# -- gather / scatter / index_select / masked ---------------------------------------------------

class Gather(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axis, idx, sub):
        ctx.shape, ctx.axis, ctx.idx, ctx.sub = x.shape, axis, idx, sub
        return np.take_along_axis(x[sub], idx, axis)

    @staticmethod
    def backward(ctx, g):
        out = _zeros(g, ctx.shape)
        _add_along_axis(out, ctx.idx, g, ctx.axis)   # idx < the sizes ``sub`` kept: same places
        return (out,)


def _add_along_axis(out, idx, values, axis):
    grids = list(np.indices(idx.shape, sparse=True))
    grids[axis] = idx
    np.add.at(out, tuple(grids), values)


def _check_index(index, name):
    if not isinstance(index, Tensor):
        from .._errors import not_tensor
        raise not_tensor(name, index, "index", 2)
    idx = index._data
    if idx.dtype != np.int64 and idx.dtype != np.int32:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    return idx


def _out_of_bounds(idx, n, axis) -> RuntimeError:
    """PyTorch's error for the first index (in order) outside [0, n)."""
    flat = idx.reshape(-1)
    bad = int(flat[np.argmax((flat >= n) | (flat < 0))])
    return RuntimeError(f"index {bad} is out of bounds for dimension {axis} with size {n}")


def _index_shape_error(idx, x, axis, src=None):
    """The error when the index is larger than ``x`` (or ``src``) outside ``axis``, else None
    (error path only: callers run it when NumPy failed, or when index has more elements than
    ``src``)."""
    for d in range(idx.ndim):
        if d != axis and idx.shape[d] > x.shape[d] or (src is not None and idx.shape[d] > src.shape[d]):
            if src is None:
                return RuntimeError(f"Size does not match at dimension {d} expected index "
                                    f"{list(idx.shape)} to be no larger than self {list(x.shape)} "
                                    f"apart from dimension {axis}")
            return RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                                f"{list(x.shape)} apart from dimension {axis} and to be no larger "
                                f"size than src {list(src.shape)}")
    return None


def gather(input, dim: int, index, *, sparse_grad=False) -> Tensor:
    """Values of ``input`` at ``index`` along ``dim``: out[i][j] = input[i][index[i][j]] for dim=1."""
    x = input._data
    idx = _check_index(index, "gather")
    axis = _wrap_dim(dim, x.ndim)
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if idx.size and (idx.max() >= x.shape[axis] or idx.min() < 0):
        raise _out_of_bounds(idx, x.shape[axis], axis)
    sub = tuple(slice(0, idx.shape[d]) if d != axis else slice(None) for d in range(x.ndim))
    try:
        return apply(Gather, (input,), (x,), axis, idx, sub)
    except (IndexError, ValueError) as e:
        err = _index_shape_error(idx, x, axis) or RuntimeError(f"gather(): {e}")
    raise err from None


class Scatter(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, src, axis, idx, reduce_add):
        ctx.axis, ctx.idx, ctx.reduce_add = axis, idx, reduce_add
        out = x.copy()
        grids = list(np.indices(idx.shape, sparse=True))
        grids[axis] = idx
        src_part = src[tuple(slice(0, s) for s in idx.shape)] if isinstance(src, np.ndarray) \
            and src.ndim else src
        if reduce_add:
            np.add.at(out, tuple(grids), src_part)
        else:
            out[tuple(grids)] = src_part
        return out

    @staticmethod
    def backward(ctx, g):
        grids = list(np.indices(ctx.idx.shape, sparse=True))
        grids[ctx.axis] = ctx.idx
        gsrc = g[tuple(grids)]
        if ctx.reduce_add:
            return g, gsrc
        gx = g.copy()
        gx[tuple(grids)] = 0
        return gx, gsrc


def _scatter(input, dim, index, src, reduce_add, inplace):
    x = input._data
    idx = _check_index(index, "scatter")
    axis = _wrap_dim(dim, x.ndim)
    ts = src if isinstance(src, Tensor) else None
    if ts is not None and ts._data.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    s = src._data if ts is not None else src
    if idx.ndim != x.ndim and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if idx.size and (idx.max() >= x.shape[axis] or idx.min() < 0):
        raise _out_of_bounds(idx, x.shape[axis], axis)
    if ts is not None and s.ndim == idx.ndim and idx.size > s.size:
        err = _index_shape_error(idx, x, axis, s)
        if err is not None:
            raise err
    cls = ScatterAdd if reduce_add else Scatter if ts is not None else ScatterValue
    if inplace:
        return apply_inplace(cls, input, (input, ts), (x, s), axis, idx, reduce_add)
    return apply(cls, (input, ts), (x, s), axis, idx, reduce_add)


class ScatterValue(Scatter):
    _raw = True
    _name = "ScatterBackward1"


class ScatterAdd(Scatter):
    _raw = True
    _name = "ScatterAddBackward0"


def scatter(input, dim, index, src=None, *, value=None, reduce=None) -> Tensor:
    return _scatter(input, dim, index, src if src is not None else value, reduce == "add", False)


def scatter_(input, dim, index, src=None, *, value=None, reduce=None) -> Tensor:
    return _scatter(input, dim, index, src if src is not None else value, reduce == "add", True)


def scatter_add(input, dim, index, src) -> Tensor:
    return _scatter(input, dim, index, src, True, False)


def scatter_add_(input, dim, index, src) -> Tensor:
    return _scatter(input, dim, index, src, True, True)


class IndexSelect(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axis, idx):
        ctx.shape, ctx.axis, ctx.idx = x.shape, axis, idx
        return np.take(x, idx, axis=axis)

    @staticmethod
    def backward(ctx, g):
        out = _zeros(g, ctx.shape)
        index = (slice(None),) * ctx.axis + (ctx.idx,)
        np.add.at(out, index, g)
        return (out,)


def index_select(input, dim: int, index) -> Tensor:
    x = input._data
    if not isinstance(index, Tensor):
        from .._errors import not_tensor
        raise not_tensor("index_select", index, "index", 2)
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = index._data.reshape(-1)
    axis = _wrap_dim(dim, x.ndim)
    if idx.size and (idx.max() >= max(x.shape[axis] if x.ndim else 1, 1) or idx.min() < 0):
        raise IndexError(f"index out of range in self")
    if x.ndim == 0:
        return apply(IndexSelect, (input,), (x.reshape(1),), 0, idx).reshape(())
    return apply(IndexSelect, (input,), (x,), axis, idx)


class MaskedFill(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        return np.where(mask, np.asarray(value, x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        return (np.where(ctx.mask, np.zeros((), g.dtype), g),)


def _mask_value(mask, value, name, input):
    if not isinstance(mask, Tensor):
        from .._errors import invalid_combination
        raise invalid_combination("masked_fill", (mask, value), _MASKED_FILL_SIGNATURES)
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype "
                           f"{_dtype.cpp_name(_dtype._BY_NP[m.dtype])}")
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        value = value.item()
    if isinstance(value, NUMBER_TYPES) and isinstance(input, Tensor):
        value = scalar_for(input._data.dtype, value)    # PyTorch's range check (300 into uint8)
    return m, value


class MaskedFillTensor(Function):
    """``masked_fill`` with a 0-d tensor value: the value's gradient is the masked sum."""
    _raw = True
    _name = "MaskedFillBackward1"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, v, mask):
        ctx.mask = mask
        return np.where(mask, v.astype(x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        zero = np.zeros((), g.dtype)
        mask = ctx.mask
        gv = np.sum(np.where(mask, g, zero)) if ctx.needs_input_grad[1] else None
        return np.where(mask, zero, g), gv


def masked_fill(input, mask, value) -> Tensor:
    """``input`` with ``value`` where ``mask`` is True (the mask broadcasts)."""
    if isinstance(value, Tensor):
        m, _ = _mask_value(mask, value, "masked_fill_", input)
        return apply(MaskedFillTensor, (input, value), (input._data, value._data), m)
    m, value = _mask_value(mask, value, "masked_fill_", input)
    try:
        return apply(MaskedFill, (input,), (input._data,), m, value)
    except (ValueError, TypeError):
        raise _masked_fill_error(m, input, value) from None


def masked_fill_(input, mask, value) -> Tensor:
    if isinstance(value, Tensor):            # a 0-d tensor value gets its gradient, as out of place
        m, _ = _mask_value(mask, value, "masked_fill_", input)
        return apply_inplace(MaskedFillTensor, input, (input, value), (input._data, value._data), m)
    m, value = _mask_value(mask, value, "masked_fill_", input)
    try:
        return apply_inplace(MaskedFill, input, (input,), (input._data,), m, value)
    except (ValueError, TypeError):
        raise _masked_fill_error(m, input, value) from None


def _masked_fill_error(m, input, value) -> Exception:
    """Why NumPy refused ``masked_fill``: a value that is not a number, or shapes."""
    if not isinstance(value, (int, float, complex, np.number, np.bool_)):
        from .._errors import invalid_combination
        return invalid_combination("masked_fill", (input, value), _MASKED_FILL_SIGNATURES)
    return broadcast_error(m, input._data)


_MASKED_FILL_SIGNATURES = "(Tensor mask, Tensor value), (Tensor mask, Number value)"


class MaskedSelect(Index):
    _raw = True
    _name = "MaskedSelectBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, mask):
        ctx.shape, ctx.mask = x.shape, mask
        return np.broadcast_to(x, mask.shape)[mask]

    @staticmethod
    def backward(ctx, g):
        from ..autograd.engine import unbroadcast
        out = _zeros(g, ctx.mask.shape)
        out[ctx.mask] = g
        return (unbroadcast(out, ctx.shape),)


def masked_select(input, mask) -> Tensor:
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask")
    try:
        shape = np.broadcast_shapes(input._data.shape, m.shape)
    except ValueError:
        raise broadcast_error(m, input._data) from None
    return apply(MaskedSelect, (input,), (input._data,), np.broadcast_to(m, shape))


def nonzero(input, *, as_tuple=False):
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in idx) if input._data.ndim else \
            (_make(np.zeros(int(bool(input._data)), np.int64)),)
    return _make(np.stack(idx, axis=1).astype(np.int64) if input._data.ndim else
                 np.zeros((int(bool(input._data)), 0), np.int64))


def argwhere(input) -> Tensor:
    return nonzero(input)


class Take(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, idx):
        ctx.shape, ctx.idx = x.shape, idx
        return x.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, g):
        out = _zeros(g, (int(np.prod(ctx.shape)),))
        np.add.at(out, ctx.idx, g)
        return (out.reshape(ctx.shape),)


def take(input, index) -> Tensor:
    """``input`` as if flattened, at ``index`` (the result has the index's shape)."""
    if not isinstance(index, Tensor) or index._data.dtype != np.int64:
        if not isinstance(index, Tensor):
            from .._errors import not_tensor
            raise not_tensor("take", index, "index", 2)
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{_dtype.legacy_name(index.dtype)}")
    idx = index._data
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return apply(Take, (input,), (input._data,), idx)


class IndexAdd(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, s, axis, idx, alpha):
        ctx.axis, ctx.idx, ctx.alpha = axis, idx, alpha
        out = x.copy()
        np.add.at(out, (slice(None),) * axis + (idx,), s * alpha if alpha != 1 else s)
        return out

    @staticmethod
    def backward(ctx, g):
        gs = np.take(g, ctx.idx, axis=ctx.axis) if ctx.needs_input_grad[1] else None
        if gs is not None and ctx.alpha != 1:
            gs = gs * ctx.alpha
        return g, gs


def index_add(input, dim, index, source, *, alpha=1) -> Tensor:
    """``input`` with ``alpha * source`` added at ``index`` along ``dim`` (repeats accumulate)."""
    x = input._data
    axis = _wrap_dim(dim, x.ndim)
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{index._data.ndim} with type: {_dtype.legacy_name(index.dtype)} and size: "
                         f"{list(index._data.shape)}")
    idx = index._data.reshape(-1)
    if idx.size and (idx.max() >= x.shape[axis] or idx.min() < 0):
        raise IndexError("index out of range in self")
    s = source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_add_(): self ({_dtype.legacy_name(input.dtype)}) and source "
                           f"({_dtype.legacy_name(source.dtype)}) must have the same scalar type")
    if s.ndim != max(x.ndim, 1) or any(s.shape[d] != x.shape[d] for d in range(s.ndim) if d != axis):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(x.shape)} source.shape = "
                           f"{list(s.shape)}")
    if (s.shape[axis] if s.ndim else 1) != idx.size:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({s.shape[axis] if s.ndim else 1}), for dim: {axis}")
    return apply(IndexAdd, (input, source), (x, s), axis, idx, alpha)


class Diag(Function):
    """``diag``: a 1-D input becomes a diagonal matrix, a 2-D input gives its diagonal."""
    _raw = True
    _name = "DiagEmbedBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, k):
        ctx.shape, ctx.k = x.shape, k
        if x.ndim not in (1, 2):
            raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{x.ndim}D")
        return np.diag(x, k).copy()

    @staticmethod
    def backward(ctx, g):
        if len(ctx.shape) == 1:
            return (np.diag(g, ctx.k).copy(),)
        out = _zeros(g, ctx.shape)
        n = g.shape[0]
        rows = np.arange(n) + max(-ctx.k, 0)
        cols = np.arange(n) + max(ctx.k, 0)
        out[rows, cols] = g
        return (out,)


class DiagMatrix(Diag):
    _raw = True
    _name = "DiagonalBackward0_copy"


class Diagonal(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.shape, ctx.args = x.shape, (offset, d1, d2)
        return np.diagonal(x, offset, d1, d2)          # a view (see diagonal below)

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        rest = [n for i, n in enumerate(ctx.shape) if i != d1 % len(ctx.shape)
                and i != d2 % len(ctx.shape)]
        out = _zeros(g, tuple(rest) + (ctx.shape[d1], ctx.shape[d2]))   # d1, d2 moved last
        r = np.arange(g.shape[-1])
        out[..., r + max(-offset, 0), r + max(offset, 0)] = g
        if len(rest) == d1 % len(ctx.shape) == d2 % len(ctx.shape) - 1:
            return (out,)                                    # d1, d2 were the last two already
        return (np.moveaxis(out, (-2, -1), (d1, d2)).copy(),)     # a C-ordered array


def diag(input, diagonal: int = 0) -> Tensor:
    return apply(DiagMatrix if input._data.ndim == 2 else Diag, (input,), (input._data,), diagonal)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal (``offset`` above the main one) of the planes ``dim1`` x ``dim2``; a view."""
    x = input._data
    d1, d2 = _wrap_dim(dim1, x.ndim), _wrap_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = _view(Diagonal, input, x, int(offset), d1, d2)
    if x.flags.writeable:
        out._data.flags.writeable = True    # NumPy's diagonal is a read-only view; PyTorch's is not
    return out
