"""``as_strided`` and its family: views of a tensor's storage with any sizes and strides.

A tensor's storage is the memory its NumPy array lives in: the array that owns it, reached
through ``.base`` (``numtorch._storage.storage_of``). Strides and the storage offset are counted in elements, as
PyTorch counts them, and the offset defaults to the input's own (``x[2:].as_strided(...)``
starts at element 2 of the storage).

The gradient of ``as_strided`` is PyTorch's: the output's gradient is summed into a zero
storage (overlapping windows add up), then read back through the input's geometry; where the
input itself overlaps (an expanded tensor), each storage element's sum is shared equally among
the input elements that read it. The backward is written with ``np.add.at`` and indexing, so it
runs again on TensorArrays: higher derivatives come for free.

>>> import numtorch as torch
>>> x = torch.arange(6.)
>>> torch.as_strided(x, (3, 2), (1, 1))
tensor([[0., 1.],
        [1., 2.],
        [2., 3.]])
>>> x[2:].as_strided((2,), (2,)).storage_offset()
2
"""
from __future__ import annotations

import numpy as np

from .._errors import arg_error, type_name
from .._storage import storage_of
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Function
from ._apply import _NO_CTX, _wire, apply, apply2, check_inplace, write_out
from .shape import _as_view

_state = grad_mode.state


def _strides_of(a: np.ndarray) -> tuple:
    item = a.dtype.itemsize
    return tuple(s // item for s in a.strides)


def _positions(shape, strides, offset) -> np.ndarray:
    """The storage index of each element of the geometry (shape, strides, offset)."""
    idx = np.full(shape, offset, np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        if n > 1 and s:
            step = np.arange(n, dtype=np.int64) * s
            idx += step.reshape((n,) + (1,) * (len(shape) - d - 1))
    return idx


def _list(v) -> str:
    return "[" + ", ".join(str(int(s)) for s in v) + "]"


def _ints(fn: str, name: str, position: int, value) -> tuple:
    """``value`` as a tuple of ints (a list, tuple or torch.Size), with PyTorch's errors."""
    if isinstance(value, Tensor) or not isinstance(value, (tuple, list)):
        raise arg_error(fn, name, position, "tuple of ints", value)
    for i, s in enumerate(value):
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be tuple of "
                            f"ints, but found element of type {type_name(s)} at pos {i}")
    return tuple(int(s) for s in value)


def _geometry(fn: str, input, size, stride, storage_offset, first=1):
    """Check the arguments as PyTorch does; return ``(size, stride, offset)`` (offset None:
    the input's own)."""
    if not isinstance(input, Tensor):
        raise arg_error(fn, "input", 1, "Tensor", input)
    size = _ints(fn, "size", first, size)
    stride = _ints(fn, "stride", first + 1, stride)
    if storage_offset is not None and (isinstance(storage_offset, bool) or
                                       not isinstance(storage_offset, (int, np.integer))):
        raise arg_error(fn, "storage_offset", first + 2, "int", storage_offset)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {_list(stride)}")
    if storage_offset is not None and storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {int(storage_offset)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={_list(size)} and "
                           f"strides={_list(stride)}")
    return size, stride, None if storage_offset is None else int(storage_offset)


def _check_bounds(size, stride, offset, item, n_storage) -> None:
    if 0 in size:
        return
    need = (offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))) * item
    if need > n_storage * item:
        raise RuntimeError(f"setStorage: sizes {_list(size)}, strides {_list(stride)}, storage "
                           f"offset {offset}, and itemsize {item} requiring a storage size of "
                           f"{need} are out of bounds for storage of size {n_storage * item}")


def _view_of_storage(flat, size, stride, offset, writeable=True) -> np.ndarray:
    item = flat.dtype.itemsize
    start = flat[min(offset, flat.size):]         # (an empty view may start past the end)
    return np.lib.stride_tricks.as_strided(start, size, tuple(s * item for s in stride),
                                           writeable=writeable and flat.flags.writeable)


def _strided_grad(g, n, in_idx, out_idx, in_overlap):
    """The input's gradient: ``g`` summed into a zero storage of ``n`` elements at ``out_idx``,
    shared among overlapping input elements, read back at ``in_idx``."""
    store = np.zeros_like(g, shape=(n,))
    np.add.at(store, out_idx, g)
    if in_overlap is not None:
        store = store / in_overlap
    return store[in_idx]


class AsStrided(Function):
    """``as_strided``: its backward follows PyTorch's (see the module's notes)."""
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, size, stride, offset, geometry=None):
        if geometry is not None:
            # replayed on another array of the input's shape (a gradient: ops/_views.py): the
            # input's recorded geometry places its elements in a storage of their own
            in_stride, own = geometry
            ctx.geometry = (x.shape, in_stride, own, size, stride, offset)
            in_idx = _positions(x.shape, in_stride, own)
            out_idx = _positions(size, stride, offset)
            n = int(max(in_idx.max(initial=0), out_idx.max(initial=0))) + 1
            store = np.zeros_like(x, shape=(n,))
            store[in_idx] = x
            return store[out_idx]
        flat, own = storage_of(x)
        if offset is None:
            offset = own
        _check_bounds(size, stride, offset, x.dtype.itemsize, flat.size)
        ctx.geometry = (x.shape, _strides_of(x), own, size, stride, offset)
        return _view_of_storage(flat, size, stride, offset, x.flags.writeable)

    @staticmethod
    def backward(ctx, g):
        in_shape, in_stride, in_off, size, stride, offset = ctx.geometry
        in_idx = _positions(in_shape, in_stride, in_off)
        out_idx = _positions(size, stride, offset)
        lo = min(in_idx.min(initial=in_off), out_idx.min(initial=offset))
        in_idx, out_idx = in_idx - lo, out_idx - lo
        n = int(max(in_idx.max(initial=0), out_idx.max(initial=0))) + 1
        counts = np.bincount(in_idx.reshape(-1), minlength=n)
        share = None
        if counts.size and counts.max() > 1:
            share = np.maximum(counts, 1).astype(g.dtype)
        return (_strided_grad(g, n, in_idx, out_idx, share),)


class AsStridedInplace(AsStrided):
    _raw = True
    _name = "AsStridedBackward1"


class AsStridedCopy(AsStrided):
    _raw = True
    _name = "AsStridedBackward0_copy"

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        return AsStrided.forward(ctx, x, size, stride, offset).copy()


def as_strided(input, size, stride, storage_offset=None) -> Tensor:
    """A view of ``input``'s storage with the given ``size``, ``stride`` (in elements) and
    ``storage_offset`` (default: ``input``'s own). Elements may overlap.

    >>> import numtorch as torch
    >>> torch.arange(10.).as_strided((2, 3), (4, 1), 1)
    tensor([[1., 2., 3.],
            [5., 6., 7.]])
    """
    # (positions in messages are the method's, x.as_strided(size, stride, offset))
    size, stride, offset = _geometry("as_strided", input, size, stride, storage_offset)
    out = apply(AsStrided, (input,), (input._data,), size, stride, offset)
    if not input.requires_grad:
        return _as_view(out, input, AsStrided, size, stride, offset)
    x = input._data
    own = storage_of(x)[1]
    return _as_view(out, input, AsStrided, size, stride, own if offset is None else offset,
                    (_strides_of(x), own))


def as_strided_copy(input, size, stride, storage_offset=None, *, out=None) -> Tensor:
    """``as_strided`` followed by a copy: the result has storage of its own.

    >>> import numtorch as torch
    >>> torch.as_strided_copy(torch.arange(4.), (2, 2), (1, 1))
    tensor([[0., 1.],
            [1., 2.]])
    """
    size, stride, offset = _geometry("as_strided_copy", input, size, stride, storage_offset, 2)
    result = apply(AsStridedCopy, (input,), (input._data,), size, stride, offset)
    return result if out is None else write_out("as_strided_copy", result, out)


def as_strided_(input, size, stride, storage_offset=None) -> Tensor:
    """``input`` itself, made to see its storage with the given geometry (in place).

    >>> import numtorch as torch
    >>> x = torch.arange(6.)
    >>> x.as_strided_((2, 2), (1, 2), 1)
    tensor([[1., 3.],
            [2., 4.]])
    >>> x.stride(), x.storage_offset()
    ((1, 2), 1)
    """
    size, stride, offset = _geometry("as_strided_", input, size, stride, storage_offset)
    if _state[0] and input.requires_grad:
        check_inplace(input)
        ctx = object.__new__(AsStridedInplace)
        data = AsStridedInplace.forward(ctx, input._data, size, stride, offset)
        _wire(ctx, (input,))
        input.grad_fn = ctx
    else:
        data = AsStridedInplace.forward(_NO_CTX, input._data, size, stride, offset)
    input._data = data
    input._vc[0] += 1                   # an in-place op: the version bumps, as in PyTorch
    return input


class AsStridedScatter(Function):
    """``input`` (copied) with ``src`` written through an ``as_strided`` view of the copy. The
    gradient: the output's, zero where ``src`` was written, for ``input``; the output's read
    through the view for ``src`` (the mathematical gradient: PyTorch 2.13's differs, see the
    function's notes)."""
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, src, size, stride, offset):
        flat = np.array(x, order="C").reshape(-1)
        if src.dtype != flat.dtype:
            src = src.astype(flat.dtype)
        _check_bounds(size, stride, offset, flat.dtype.itemsize, flat.size)
        if src.shape != size:
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                               f"= {_list(src.shape)}, slice size = {_list(size)}")
        idx = _positions(size, stride, offset)
        flat[idx.reshape(-1)] = src.reshape(-1)
        ctx.shape, ctx.idx = x.shape, idx
        return flat.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        idx = ctx.idx
        flat = g.reshape(-1)
        keep = np.ones(flat.shape, np.bool_)
        keep[idx.reshape(-1)] = False
        gx = np.where(keep, flat, np.zeros((), g.dtype)).reshape(ctx.shape)
        return gx, flat[idx]


def as_strided_scatter(input, src, size, stride, storage_offset=None) -> Tensor:
    """A copy of ``input`` with ``src`` embedded where ``input.as_strided(size, stride,
    storage_offset)`` looks (offsets count from the copy's first element).

    PyTorch 2.13 computes ``input``'s gradient wrongly (its own gradcheck fails); numtorch's is
    the mathematical one: the output's gradient, zero where ``src`` was written.

    >>> import numtorch as torch
    >>> torch.as_strided_scatter(torch.zeros(6), torch.ones(2, 2), (2, 2), (1, 2), 1)
    tensor([0., 1., 1., 1., 1., 0.])
    """
    if not isinstance(src, Tensor):
        raise arg_error("as_strided_scatter", "src", 1, "Tensor", src)
    size, stride, offset = _geometry("as_strided_scatter", input, size, stride, storage_offset, 2)
    return apply2(AsStridedScatter, input, src, input._data, src._data, size, stride,
                  0 if offset is None else offset)


__all__ = ["as_strided", "as_strided_", "as_strided_copy", "as_strided_scatter"]
