"""Less common shape and indexing ops: ``dstack``, ``hsplit``, ``take_along_dim``,
``diag_embed``, ``index_fill``/``index_copy``/``masked_scatter``, the ``*_scatter`` family,
``scatter_reduce``/``index_reduce``, ``index_put``/``put``, ``Tensor.unfold`` (the products
``tensordot``, ``addmv``, ... are in products.py).

Where PyTorch's result is a composition (``dstack`` is a ``cat``, ``hsplit`` slices), so is ours; the others are one node each, with PyTorch's node
name, whose backward works on arrays (and so, under ``create_graph``, records itself).

>>> import numtorch as torch
>>> torch.dstack([torch.tensor([1, 2]), torch.tensor([3, 4])])
tensor([[[1, 3],
         [2, 4]]])
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import apply, apply_inplace, broadcast_error
from ._scalars import NUMBER_TYPES, scalar_for
from .indexing import IndexAdd, IndexPut, IndexPutAdvanced, gather, index_add
from .shape import _check_tensor_list, _view, cat, expand, reshape, tensor_split, vstack

__all__ = ["dstack", "row_stack", "hsplit", "vsplit", "dsplit", "take_along_dim", "diag_embed",
           "index_copy", "index_fill", "masked_scatter", "select_scatter", "slice_scatter",
           "diagonal_scatter", "scatter_reduce", "index_reduce", "index_put", "put"]


def _run(cls, inplace: bool, tensors: tuple, arrays: tuple, *params) -> Tensor:
    """``apply`` (out of place) or ``apply_inplace`` into ``tensors[0]``."""
    if inplace:
        return apply_inplace(cls, tensors[0], tensors, arrays, *params)
    return apply(cls, tensors, arrays, *params)


def _legacy(t) -> str:
    return _dtype.legacy_name(t.dtype)


# -- stacking and splitting ---------------------------------------------------------------------

def _atleast_3d(t: Tensor) -> Tensor:
    n = t._data.ndim
    if n >= 3:
        return t
    return reshape(t, (1, 1, 1) if n == 0 else (1, -1, 1) if n == 1 else t._data.shape + (1,))


def dstack(tensors, *, out=None) -> Tensor:
    """Stack tensors depth-wise (along the third dimension, after making them 3-D).

    >>> import numtorch as torch
    >>> torch.dstack([torch.ones(2, 2), torch.zeros(2, 2)]).shape
    torch.Size([2, 2, 2])
    """
    _check_tensor_list("dstack", tensors)
    return cat([_atleast_3d(t) for t in tensors], 2, out=out)


def row_stack(tensors, *, out=None) -> Tensor:
    """Alias of ``vstack``: stack tensors row-wise.

    >>> import numtorch as torch
    >>> torch.row_stack([torch.tensor([1, 2]), torch.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    r = vstack(tensors)
    return r if out is None else cat([r], 0, out=out)


def _split_dim(fn: str, input: Tensor, sections, dim: int, need: int) -> tuple:
    x = input._data
    if x.ndim < need:
        raise RuntimeError(f"torch.{fn} requires a tensor with at least {need} dimension, but "
                           f"got a tensor with {x.ndim} dimensions!")
    if isinstance(sections, int) and not isinstance(sections, bool):
        n = x.shape[dim]
        if sections == 0 or n % sections:
            raise RuntimeError(f"torch.{fn} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, indices_or_sections) -> tuple:
    """Split into pieces column-wise (dimension 1, or 0 for a 1-D tensor); views.

    >>> import numtorch as torch
    >>> [t.tolist() for t in torch.hsplit(torch.arange(4), 2)]
    [[0, 1], [2, 3]]
    """
    dim = 0 if input._data.ndim == 1 else 1
    return _split_dim("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input: Tensor, indices_or_sections) -> tuple:
    """Split into pieces row-wise (dimension 0) of a tensor with at least 2 dimensions.

    >>> import numtorch as torch
    >>> [tuple(t.shape) for t in torch.vsplit(torch.ones(4, 2), [1])]
    [(1, 2), (3, 2)]
    """
    return _split_dim("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections) -> tuple:
    """Split into pieces depth-wise (dimension 2) of a tensor with at least 3 dimensions.

    >>> import numtorch as torch
    >>> [tuple(t.shape) for t in torch.dsplit(torch.ones(1, 2, 4), 2)]
    [(1, 2, 2), (1, 2, 2)]
    """
    return _split_dim("dsplit", input, indices_or_sections, 2, 3)


# -- take_along_dim / diag_embed ----------------------------------------------------------------

def take_along_dim(input: Tensor, indices: Tensor, dim=None, *, out=None) -> Tensor:
    """Values of ``input`` at ``indices`` along ``dim`` (the other dimensions broadcast);
    ``dim=None``: of the flattened input.

    >>> import numtorch as torch
    >>> x = torch.tensor([[10, 30, 20], [60, 40, 50]])
    >>> torch.take_along_dim(x, torch.tensor([[1], [0]]), dim=1)
    tensor([[30],
            [60]])
    """
    if not isinstance(indices, Tensor):
        from .._errors import not_tensor
        raise not_tensor("take_along_dim", indices, "indices", 2)
    if dim is None:
        r = gather(reshape(input, -1), 0, reshape(indices, -1))
    else:
        x, i = input._data, indices._data
        if x.ndim != i.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {x.ndim} dimensions for input, "
                               f"and {i.ndim} dimensions for indices")
        d = _wrap_dim(dim, x.ndim)
        try:
            shape = list(np.broadcast_shapes(x.shape[:d] + (1,) + x.shape[d + 1:],
                                             i.shape[:d] + (1,) + i.shape[d + 1:]))
        except ValueError:
            raise broadcast_error(np.broadcast_to(np.int8(0), x.shape),
                                  np.broadcast_to(np.int8(0), i.shape)) from None
        xs, ids = list(shape), list(shape)
        xs[d], ids[d] = x.shape[d], i.shape[d]
        a = input if list(x.shape) == xs else expand(input, xs)
        b = indices if list(i.shape) == ids else expand(indices, ids)
        r = gather(a, d, b)
    if out is not None:
        from ._apply import write_out
        return write_out("take_along_dim", r, out)
    return r


class DiagEmbed(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        n = x.shape[-1]
        m = n + abs(offset)
        out = np.zeros(x.shape[:-1] + (m, m), x.dtype)
        r = np.arange(n)
        out[..., r + max(-offset, 0), r + max(offset, 0)] = x
        return np.ascontiguousarray(np.moveaxis(out, (-2, -1), (d1, d2)))

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        gm = np.moveaxis(g, (d1, d2), (-2, -1))
        r = np.arange(gm.shape[-1] - abs(offset))
        return (gm[..., r + max(-offset, 0), r + max(offset, 0)],)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Tensors whose diagonals (of the planes ``dim1`` x ``dim2``) are the last dimension of
    ``input``; everything else is zero.

    >>> import numtorch as torch
    >>> torch.diag_embed(torch.tensor([[1, 2], [3, 4]]))
    tensor([[[1, 0],
             [0, 2]],
    <BLANKLINE>
            [[3, 0],
             [0, 4]]])
    """
    x = input._data
    d1, d2 = _wrap_dim(dim1, x.ndim + 1), _wrap_dim(dim2, x.ndim + 1)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if x.ndim == 0:
        x = x.reshape(1)
        input = reshape(input, 1)
    return apply(DiagEmbed, (input,), (x,), int(offset), d1, d2)


# -- index_copy / index_fill / masked_scatter / *_scatter ---------------------------------------

class IndexCopy(IndexPut):
    _raw = True
    _name = "IndexCopyBackward0"


class IndexFill(IndexPut):
    """``index_fill`` with a number: the value gets no gradient."""
    _raw = True
    _name = "IndexFillBackward0"

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        gx[ctx.index] = 0
        return gx, None


class IndexFillTensor(IndexPut):
    _raw = True
    _name = "IndexFillBackward1"


def _vector_index(fn: str, index, x_ndim: int, axis: int) -> np.ndarray:
    if not isinstance(index, Tensor):
        from .._errors import not_tensor
        raise not_tensor(fn, index, "index", 2)
    idx = index._data
    if idx.dtype != np.int64:
        if fn == "index_fill":
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        raise RuntimeError(f"{fn}_(): Expected a long tensor for index, but got "
                           f"{_legacy(index)}")
    if idx.ndim > 1:
        raise IndexError(f"{fn}_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    return idx.reshape(-1)


def _index_copy(input, dim, index, source, inplace):
    x = input._data
    axis = _wrap_dim(dim, x.ndim) if x.ndim else _wrap_dim(dim, 1)
    idx = _vector_index("index_copy", index, x.ndim, axis)
    s = source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_legacy(input)} and (source) {_legacy(source)}")
    n_src = s.shape[axis] if s.ndim else 1
    if idx.size != n_src:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim) ({n_src})")
    if s.ndim != x.ndim or any(s.shape[d] != x.shape[d] for d in range(s.ndim) if d != axis):
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                           f"shapes. Destination slice shape: "
                           f"{' '.join(str(n) for d, n in enumerate(x.shape) if d != axis)} at "
                           f"dimension {axis} and source slice shape: "
                           f"{' '.join(str(n) for d, n in enumerate(s.shape) if d != axis)} at "
                           f"dimension 0.")
    n = x.shape[axis] if x.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):
        bad = int(idx[np.argmax((idx >= n) | (idx < 0))])
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {axis} "
                         f"with size {n}")
    if x.ndim == 0:
        return _run(IndexCopy, inplace, (input, source), (x, s), ())
    return _run(IndexCopy, inplace, (input, source), (x, s), (slice(None),) * axis + (idx,))


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with the slices ``index`` along ``dim`` replaced by ``source``'s, in order.

    >>> import numtorch as torch
    >>> torch.zeros(3).index_copy(0, torch.tensor([2, 0]), torch.tensor([5.0, 7.0]))
    tensor([7., 0., 5.])
    """
    return _index_copy(input, dim, index, source, False)


def index_copy_(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """In-place ``index_copy``.

    >>> import numtorch as torch
    >>> torch.zeros(2).index_copy_(0, torch.tensor([1]), torch.tensor([3.0]))
    tensor([0., 3.])
    """
    return _index_copy(input, dim, index, source, True)


def _index_fill(input, dim, index, value, inplace):
    x = input._data
    axis = _wrap_dim(dim, max(x.ndim, 1))
    idx = _vector_index("index_fill", index, x.ndim, axis)
    n = x.shape[axis] if x.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx[np.argmax((idx >= n) | (idx < -n))])
        raise IndexError(f"index {bad} is out of bounds for dimension {axis} with size {n}")
    where = (slice(None),) * axis + (idx,) if x.ndim else ()
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._data.ndim} dimension(s).")
        scalar_for(x.dtype, value._data.item())      # (the same check of the value)
        return _run(IndexFillTensor, inplace, (input, value), (x, value._data.astype(x.dtype)),
                    where)
    if isinstance(value, NUMBER_TYPES):         # PyTorch's range check (300 into uint8)
        value = scalar_for(x.dtype, value)
    return _run(IndexFill, inplace, (input, None), (x, np.asarray(value, x.dtype)), where)


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """``input`` with the slices ``index`` along ``dim`` set to ``value`` (a number or a 0-d
    tensor, which then gets the gradient).

    >>> import numtorch as torch
    >>> torch.zeros(2, 3).index_fill(1, torch.tensor([0, 2]), -1.0)
    tensor([[-1.,  0., -1.],
            [-1.,  0., -1.]])
    """
    return _index_fill(input, dim, index, value, False)


def index_fill_(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """In-place ``index_fill``.

    >>> import numtorch as torch
    >>> torch.zeros(3).index_fill_(0, torch.tensor([1]), 2.0)
    tensor([0., 2., 0.])
    """
    return _index_fill(input, dim, index, value, True)


class MaskedScatter(Function):
    _raw = True
    _name = "MaskedScatterBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, src, mask):
        count = int(mask.sum())
        ctx.mask, ctx.count, ctx.src_shape = mask, count, src.shape
        out = x.copy()
        out[mask] = src.reshape(-1)[:count]
        return out

    @staticmethod
    def backward(ctx, g):
        mask = ctx.mask
        gx = np.where(mask, np.zeros((), g.dtype), g)
        gs = None
        if ctx.needs_input_grad[1]:
            gs = np.zeros_like(g, shape=(int(np.prod(ctx.src_shape)),))
            gs[:ctx.count] = g[mask]
            gs = gs.reshape(ctx.src_shape)
        return gx, gs


def _masked_scatter(input, mask, source, inplace):
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{_legacy(mask) if isinstance(mask, Tensor) else mask}")
    x, m, s = input._data, mask._data, source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but "
                           f"got {_dtype.cpp_name(input.dtype)} and "
                           f"{_dtype.cpp_name(source.dtype)}")
    try:
        shape = x.shape if inplace else np.broadcast_shapes(x.shape, m.shape)
        m = np.broadcast_to(m, shape)
    except ValueError:
        raise broadcast_error(m, x) from None
    if int(m.sum()) > s.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    if shape != x.shape:
        input = expand(input, shape)
        x = input._data
    return _run(MaskedScatter, inplace, (input, source), (x, s), m)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the positions where ``mask`` is True filled, in order, from ``source``.

    >>> import numtorch as torch
    >>> torch.zeros(4).masked_scatter(torch.tensor([True, False, True, False]),
    ...                               torch.tensor([1.0, 2.0, 3.0]))
    tensor([1., 0., 2., 0.])
    """
    return _masked_scatter(input, mask, source, False)


def masked_scatter_(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """In-place ``masked_scatter``.

    >>> import numtorch as torch
    >>> torch.zeros(2).masked_scatter_(torch.tensor([False, True]), torch.tensor([5.0]))
    tensor([0., 5.])
    """
    return _masked_scatter(input, mask, source, True)


class SelectScatter(IndexPut):
    _raw = True
    _name = "SelectScatterBackward0"


class SliceScatter(IndexPut):
    _raw = True
    _name = "SliceScatterBackward0"


class DiagonalScatter(Function):
    _raw = True
    _name = "DiagonalScatterBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, src, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = x.copy()
        view = np.moveaxis(out, (d1, d2), (-2, -1))
        r = np.arange(src.shape[-1])
        view[..., r + max(-offset, 0), r + max(offset, 0)] = src
        return out

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        gm = np.moveaxis(g, (d1, d2), (-2, -1))
        n = min(gm.shape[-2] - max(-offset, 0), gm.shape[-1] - max(offset, 0))
        r = np.arange(max(n, 0))
        rows, cols = r + max(-offset, 0), r + max(offset, 0)
        gs = gm[..., rows, cols] if ctx.needs_input_grad[1] else None
        mask = np.zeros(gm.shape[-2:], bool)
        mask[rows, cols] = True
        mask = np.moveaxis(np.broadcast_to(mask, gm.shape), (-2, -1), (d1, d2))
        return np.where(mask, np.zeros((), g.dtype), g), gs


def _check_embed(fn: str, input, src, expected: tuple):
    if not isinstance(src, Tensor):
        from .._errors import not_tensor
        raise not_tensor(fn, src, "src", 2)
    if tuple(src._data.shape) != tuple(expected):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(expected)}")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("Expected self.dtype to be equal to src.dtype")


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``.

    >>> import numtorch as torch
    >>> torch.select_scatter(torch.zeros(2, 2), torch.ones(2), 0, 0)
    tensor([[1., 1.],
            [0., 0.]])
    """
    x = input._data
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(x.shape)} at dimension {d}")
    _check_embed("select_scatter", input, src, x.shape[:d] + x.shape[d + 1:])
    return apply(SelectScatter, (input, src), (x, src._data),
                 (slice(None),) * d + (int(index) % n,))


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start=None, end=None,
                  step: int = 1) -> Tensor:
    """A copy of ``input`` with ``input[start:end:step]`` along ``dim`` replaced by ``src``.

    >>> import numtorch as torch
    >>> torch.slice_scatter(torch.zeros(4), torch.ones(2), start=0, step=2)
    tensor([1., 0., 1., 0.])
    """
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    where = (slice(None),) * d + (slice(start, end, step),)
    _check_embed("slice_scatter", input, src, x[where].shape)
    return apply(SliceScatter, (input, src), (x, src._data), where)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``.

    >>> import numtorch as torch
    >>> torch.diagonal_scatter(torch.zeros(2, 2), torch.ones(2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    x = input._data
    d1, d2 = _wrap_dim(dim1, x.ndim), _wrap_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    _check_embed("diagonal_scatter", input, src, np.diagonal(x, offset, d1, d2).shape)
    return apply(DiagonalScatter, (input, src), (x, src._data), int(offset), d1, d2)


# -- index_put / put / index_add_ ---------------------------------------------------------------

class IndexPutAccumulate(Function):
    _raw = True
    _name = "IndexPutBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, v, index):
        ctx.index, ctx.v_shape = index, np.shape(v)
        out = x.copy()
        np.add.at(out, index, v)
        return out

    @staticmethod
    def backward(ctx, g):
        gv = None
        if ctx.needs_input_grad[1]:
            gv = g[ctx.index]
            if np.shape(gv) != ctx.v_shape:
                from ..autograd.engine import unbroadcast
                gv = unbroadcast(gv, ctx.v_shape)
        return g, gv


def _index_put(input, indices, values, accumulate, inplace):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 1) must be tuple of Tensors, "
                        f"not {type(indices).__name__}")
    x, v = input._data, values._data
    if v.dtype != x.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_legacy(input).replace('Tensor', '')} for the destination and "
                           f"{_legacy(values).replace('Tensor', '')} for the source.")
    index = tuple(slice(None) if i is None else i._data for i in indices)
    if len(index) > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got {len(index)})")
    try:
        shape = x[index].shape
    except IndexError as e:
        from .indexing import _index_error
        raise _index_error(e, x.shape, index) from None
    try:
        np.broadcast_to(v, shape)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(shape)}") from None
    cls = IndexPutAccumulate if accumulate else IndexPutAdvanced
    return _run(cls, inplace, (input, values), (x, v), index)


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` with ``input[indices] = values`` (``accumulate``: ``+=``, repeats adding up).

    >>> import numtorch as torch
    >>> torch.zeros(3).index_put((torch.tensor([0, 0]),), torch.tensor(1.0), accumulate=True)
    tensor([2., 0., 0.])
    """
    return _index_put(input, indices, values, accumulate, False)


def index_put_(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """In-place ``index_put``.

    >>> import numtorch as torch
    >>> torch.zeros(3).index_put_((torch.tensor([2]),), torch.tensor(4.0))
    tensor([0., 0., 4.])
    """
    return _index_put(input, indices, values, accumulate, True)


class Put(Function):
    _raw = True
    _name = "PutBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, s, idx, accumulate):
        ctx.shape, ctx.s_shape, ctx.idx, ctx.accumulate = x.shape, s.shape, idx, accumulate
        out = x.copy()
        flat = out.reshape(-1)
        if accumulate:
            np.add.at(flat, idx, s.reshape(-1))
        else:
            flat[idx] = s.reshape(-1)
        return out

    @staticmethod
    def backward(ctx, g):
        flat = g.reshape(-1)
        gs = flat[ctx.idx].reshape(ctx.s_shape) if ctx.needs_input_grad[1] else None
        if ctx.accumulate:
            return g, gs
        gx = flat.copy()
        gx[ctx.idx] = 0
        return gx.reshape(ctx.shape), gs


def _put(input, index, source, accumulate, inplace):
    x, s = input._data, source._data
    if index._data.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_legacy(index)}")
    if s.dtype != x.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_dtype.cpp_name(input.dtype)} and source.dtype = "
                           f"{_dtype.cpp_name(source.dtype)}")
    idx = index._data.reshape(-1)
    if idx.size != s.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {s.size}, index.numel() = "
                           f"{idx.size}")
    n = x.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx[np.argmax((idx >= n) | (idx < -n))])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements.")
    return _run(Put, inplace, (input, source), (x, s), idx, bool(accumulate))


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` (as if flattened) with the elements at ``index`` set to ``source``'s.

    >>> import numtorch as torch
    >>> torch.zeros(2, 2).put(torch.tensor([1, -1]), torch.tensor([5.0, 6.0]))
    tensor([[0., 5.],
            [0., 6.]])
    """
    return _put(input, index, source, accumulate, False)


def put_(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """In-place ``put``.

    >>> import numtorch as torch
    >>> torch.zeros(3).put_(torch.tensor([0, 0]), torch.tensor([1.0, 2.0]), accumulate=True)
    tensor([3., 0., 0.])
    """
    return _put(input, index, source, accumulate, True)


def index_add_(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """In-place ``index_add``: ``alpha * source`` added at ``index`` along ``dim``.

    >>> import numtorch as torch
    >>> torch.zeros(3).index_add_(0, torch.tensor([0, 0, 2]), torch.tensor([1.0, 2.0, 3.0]))
    tensor([3., 0., 3.])
    """
    from ..autograd.grad_mode import no_grad
    with no_grad():        # the checks (and their messages) of index_add
        index_add(input, dim, index, source, alpha=alpha)
    x = input._data
    axis = _wrap_dim(dim, x.ndim)
    return apply_inplace(IndexAdd, input, (input, source), (x, source._data), axis,
                         index._data.reshape(-1), alpha)


# -- unfold (the sliding-window view) -----------------------------------------------------------

class Unfold(Function):
    _raw = True
    _name = "UnfoldBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, d, size, step):
        ctx.shape, ctx.args = x.shape, (d, size, step)
        if x.ndim == 0:
            return x.reshape(1)
        w = np.lib.stride_tricks.sliding_window_view(x, size, axis=d,
                                                     writeable=x.flags.writeable)
        return w[(slice(None),) * d + (slice(None, None, step),)]

    @staticmethod
    def backward(ctx, g):
        d, size, step = ctx.args
        if not ctx.shape:
            return (g.reshape(()),)
        out = np.zeros_like(g, shape=ctx.shape)
        n = g.shape[d]
        idx = np.arange(n)[:, None] * step + np.arange(size)
        np.add.at(out, (slice(None),) * d + (idx,), np.moveaxis(g, -1, d + 1))
        return (out,)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """A view of all slices of length ``size`` along ``dimension``, ``step`` apart (a new last
    dimension holds each slice).

    >>> import numtorch as torch
    >>> torch.arange(5).unfold(0, 2, 2)
    tensor([[0, 1],
            [2, 3]])
    """
    x = input._data
    d = _wrap_dim(dimension, max(x.ndim, 1))
    n = x.shape[d] if x.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _view(Unfold, input, x, d, int(size), int(step))


# -- scatter_reduce / index_reduce --------------------------------------------------------------

_REDUCE_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}


def _prod_grads_with_zeros(g, x, src, go, grids, touched, keep_self, zx, zs):
    """``prod``'s gradients when zeros take part (first order): an element's gradient is the
    product of the others, so a zero gets the product of the non-zero values where it is the
    only zero of its place (0 where there are more), and a non-zero value ``g * out / value``
    (0 wherever a zero took part, as ``out`` is 0 there)."""
    one = np.ones((), x.dtype)
    zeros = np.zeros(x.shape, np.int64)
    np.add.at(zeros, grids, zs.astype(np.int64))
    nonzero_prod = np.where(zx, one, x) if keep_self else np.ones_like(x)
    np.multiply.at(nonzero_prod, grids, np.where(zs, one, src))
    zeros = zeros + zx
    lone = np.where(zeros == 1, g * nonzero_prod, np.zeros((), g.dtype))
    if keep_self:
        gx = np.where(zx, lone, go / np.where(zx, one, x))
    else:
        gx = np.where(touched, np.zeros((), g.dtype), g)
    gsrc = np.where(zs, lone[grids], go[grids] / np.where(zs, one, src))
    return gx, gsrc


class ScatterReduce(Function):
    """``scatter_reduce``: each position of the result reduces its value (``include_self``)
    with the ``src`` values scattered to it."""
    _raw = True
    complex_grad = False
    saves = (0, 1)
    saves_output = True
    saved_inputs = ("x", "src")
    constants = ("count",)          # how many values met at each place: no gradient

    @staticmethod
    def forward(ctx, x, src, grids, reduce, include_self, part=None):
        ctx.src_shape = src.shape
        if part is not None:
            src = src[part]
        out = x.copy()
        touched = np.zeros(x.shape, bool)
        touched[grids] = True
        if not include_self:
            ident = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
            if ident is None:
                info = np.finfo(x.dtype) if x.dtype.kind == "f" else np.iinfo(x.dtype)
                ident = -np.inf if reduce == "amax" else np.inf
                if x.dtype.kind != "f":
                    ident = info.min if reduce == "amax" else info.max
            out[touched] = ident
        _REDUCE_UFUNC[reduce].at(out, grids, src)
        count = None
        if reduce == "mean":
            count = np.zeros(x.shape, x.dtype)
            np.add.at(count, grids, np.ones((), x.dtype))
            if include_self:
                count = count + np.ones((), x.dtype)
            count = np.maximum(count, np.ones((), x.dtype))
            out = out / count if x.dtype.kind in "fc" else np.floor_divide(out, count)
        ctx.grids, ctx.reduce, ctx.include_self, ctx.touched = grids, reduce, include_self, touched
        ctx.count = count
        ctx.x, ctx.src, ctx.out = x, src, out
        return out

    @staticmethod
    def backward(ctx, g):
        grids, reduce, touched = ctx.grids, ctx.reduce, ctx.touched
        shape = grids_shape = np.broadcast_shapes(*(np.shape(i) for i in grids))
        if ctx.needs_input_grad[1] and tuple(grids_shape) != tuple(ctx.src_shape):
            raise RuntimeError(f"Function ScatterReduceBackward0 "
                               f"returned an invalid gradient at index 1 - got {list(shape)} but "
                               f"expected shape compatible with {list(ctx.src_shape)}")
        zero = np.zeros((), g.dtype)
        keep_self = ctx.include_self
        if reduce == "sum":
            gx = g if keep_self else np.where(touched, zero, g)
            return gx, g[grids]
        if reduce == "mean":
            gc = g / ctx.count
            gx = gc if keep_self else np.where(touched, zero, gc)
            return gx, gc[grids]
        x, src, out = ctx.x, ctx.src, ctx.out
        if reduce == "prod":
            go = g * out
            zx, zs = (x == 0) & keep_self, src == 0
            if type(x) is np.ndarray and (zx.any() or zs.any()):
                return _prod_grads_with_zeros(g, x, src, go, grids, touched, keep_self, zx, zs)
            gx = go / x if keep_self else np.where(touched, zero, g)
            return gx, go[grids] / src
        # amax / amin: shared evenly among the values equal to the result
        self_is = out == x
        if not keep_self:
            self_is = self_is & ~touched
        src_is = src == out[grids]
        n = np.zeros(out.shape, g.dtype)
        np.add.at(n, grids, src_is.astype(g.dtype))
        n = n + self_is.astype(g.dtype)
        gd = g / np.maximum(n, np.ones((), g.dtype))
        return np.where(self_is, gd, zero), np.where(src_is, gd[grids], zero)


class ScatterReduceNode(ScatterReduce):
    _raw = True
    _name = "ScatterReduceBackward0"


class IndexReduceNode(ScatterReduce):
    _raw = True
    _name = "IndexReduceBackward0"


def _scatter_reduce(input, dim, index, src, reduce, include_self, inplace):
    from .indexing import _check_index, _index_shape_error, _out_of_bounds
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)     # PyTorch's old names
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    x = input._data
    idx = _check_index(index, "scatter_reduce")
    axis = _wrap_dim(dim, max(x.ndim, 1))
    s = src._data
    if s.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if idx.ndim != x.ndim and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if idx.size and (idx.max() >= x.shape[axis] or idx.min() < 0):
        raise _out_of_bounds(idx, x.shape[axis], axis)
    if idx.size > s.size or any(idx.shape[d] > s.shape[d] for d in range(idx.ndim)):
        err = _index_shape_error(idx, x, axis, s)
        if err is not None:
            raise err
    grids = list(np.indices(idx.shape, sparse=True))
    grids[axis] = idx
    part = tuple(slice(0, n) for n in idx.shape) if idx.shape != s.shape else None
    return _run(ScatterReduceNode, inplace, (input, src), (x, s), tuple(grids), reduce,
                bool(include_self), part)


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """``input`` with ``src`` scattered at ``index`` along ``dim``, reduced by ``reduce``
    (``"sum"``, ``"prod"``, ``"mean"``, ``"amax"``, ``"amin"``) with what is there
    (``include_self``) and with each other.

    >>> import numtorch as torch
    >>> torch.zeros(2).scatter_reduce(0, torch.tensor([0, 0, 1]), torch.tensor([1.0, 3.0, 2.0]),
    ...                               "amax", include_self=False)
    tensor([3., 2.])
    """
    return _scatter_reduce(input, dim, index, src, reduce, include_self, False)


def scatter_reduce_(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                    include_self: bool = True) -> Tensor:
    """In-place ``scatter_reduce``.

    >>> import numtorch as torch
    >>> torch.ones(2).scatter_reduce_(0, torch.tensor([1, 1]), torch.tensor([2.0, 3.0]), "sum")
    tensor([1., 6.])
    """
    return _scatter_reduce(input, dim, index, src, reduce, include_self, True)


def _index_reduce(input, dim, index, source, reduce, include_self, inplace):
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning,
                  stacklevel=3)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    x, s = input._data, source._data
    axis = _wrap_dim(dim, max(x.ndim, 1))
    idx = _vector_index("index_reduce", index, x.ndim, axis)
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_reduce_(): self ({_legacy(input)}) and source "
                           f"({_legacy(source)}) must have the same scalar type")
    if s.ndim != x.ndim or any(s.shape[d] != x.shape[d] for d in range(s.ndim) if d != axis):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(x.shape)} source.shape "
                           f"= {list(s.shape)}")
    if s.shape[axis] != idx.size:
        raise RuntimeError(f"index_reduce_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({s.shape[axis]}), for dim: {axis}")
    n = x.shape[axis]
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    grids = list(np.indices(s.shape, sparse=True))
    grids[axis] = idx.reshape((1,) * axis + (-1,) + (1,) * (s.ndim - axis - 1))
    return _run(IndexReduceNode, inplace, (input, source), (x, s), tuple(grids), reduce,
                bool(include_self))


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """``input`` with the slices of ``source`` reduced into the slices ``index`` along ``dim``
    (``"prod"``, ``"mean"``, ``"amax"``, ``"amin"``).

    >>> import numtorch as torch, warnings
    >>> warnings.simplefilter("ignore")
    >>> torch.ones(2).index_reduce(0, torch.tensor([0, 0]), torch.tensor([2.0, 3.0]), "prod")
    tensor([6., 1.])
    """
    return _index_reduce(input, dim, index, source, reduce, include_self, False)


def index_reduce_(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                  include_self: bool = True) -> Tensor:
    """In-place ``index_reduce``.

    >>> import numtorch as torch, warnings
    >>> warnings.simplefilter("ignore")
    >>> torch.zeros(2).index_reduce_(0, torch.tensor([1]), torch.tensor([5.0]), "amax")
    tensor([0., 5.])
    """
    return _index_reduce(input, dim, index, source, reduce, include_self, True)
