"""Shape ops: reshape/view, squeeze/unsqueeze, transpose/permute, expand/repeat, cat/stack/split...

Views share memory (and the version counter) with their input, as in PyTorch.

>>> import numtorch as torch
>>> torch.arange(6).view(2, 3).t()
tensor([[0, 3],
        [1, 4],
        [2, 5]])
"""
from __future__ import annotations

from itertools import accumulate

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import apply, _make, write_out


def _shape_arg(shape):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(torch.Size)``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer(shape, size):
    """Resolve a single -1 and check the element count, with PyTorch's message."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def _as_view(out: Tensor, input: Tensor) -> Tensor:
    out._vc = input._vc
    if input.requires_grad and (input.grad_fn is None or input._leaf_view):
        out._leaf_view = True
    return out


class View(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx.in_shape),)


class Reshape(View):
    _raw = True
    _name = "ViewBackward0"


class UnsafeView(View):
    _raw = True
    _name = "UnsafeViewBackward0"


def view(input, *shape) -> Tensor:
    """Same data, new shape (no copy; the tensor must be laid out compatibly)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        from .convert import view_dtype
        return view_dtype(input, shape[0])
    x = input._data
    shape = _infer(_shape_arg(shape), x.size)
    if not x.flags.c_contiguous and x.size > 1:
        try:
            np.reshape(x, shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                               "least one dimension spans across two contiguous subspaces). Use "
                               ".reshape(...) instead.") from None
    return _as_view(apply(View, (input,), (x,), shape), input)


def reshape(input, *shape) -> Tensor:
    x = input._data
    shape = _infer(_shape_arg(shape), x.size)
    out = apply(View, (input,), (x,), shape)
    if np.shares_memory(out._data, x) if x.size else False:
        _as_view(out, input)
    return out


def view_as(input, other) -> Tensor:
    return view(input, other._data.shape)


def reshape_as(input, other) -> Tensor:
    return reshape(input, other._data.shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    x = input._data
    if x.ndim == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, x.ndim), _wrap_dim(end_dim, x.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:]
    return reshape(input, shape)


def ravel(input) -> Tensor:
    return reshape(input, -1)


def unflatten(input, dim: int, sizes) -> Tensor:
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = _infer(sizes, x.shape[d])
    elif int(np.prod(sizes)) != x.shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of "
                           f"dim {dim} ({x.shape[d]}) in the input tensor")
    return view(input, x.shape[:d] + sizes + x.shape[d + 1:])


class Squeeze(View):
    _raw = True
    _name = "SqueezeBackward0"


class SqueezeDim(View):
    _raw = True
    _name = "SqueezeBackward1"


class SqueezeDims(View):
    _raw = True
    _name = "SqueezeBackward2"


class Unsqueeze(View):
    _raw = True
    _name = "UnsqueezeBackward0"


def squeeze(input, dim=None) -> Tensor:
    """Drop size-1 dimensions (all, or those in ``dim``: an int or a tuple)."""
    x = input._data
    if dim is None:
        shape = tuple(s for s in x.shape if s != 1)
        cls = Squeeze
    else:
        cls = SqueezeDims if isinstance(dim, (tuple, list)) else SqueezeDim
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {_wrap_dim(d, x.ndim) for d in dims}
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    return _as_view(apply(cls, (input,), (x,), shape), input)


def unsqueeze(input, dim: int) -> Tensor:
    x = input._data
    d = _wrap_dim(dim, x.ndim + 1)
    shape = x.shape[:d] + (1,) + x.shape[d:]
    return _as_view(apply(Unsqueeze, (input,), (x,), shape), input)


class Permute(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return (g.transpose(np.argsort(ctx.axes)),)


class Transpose(Permute):
    _raw = True


class T(Permute):
    _raw = True
    _name = "TBackward0"


def permute(input, *dims) -> Tensor:
    x = input._data
    dims = _shape_arg(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {x.ndim} is not equal to len(dims) = {len(dims)}")
    axes = tuple(_wrap_dim(d, x.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(apply(Permute, (input,), (x,), axes), input)


def transpose(input, dim0: int, dim1: int) -> Tensor:
    x = input._data
    if x.ndim == 0:
        return _as_view(apply(Transpose, (input,), (x,), ()), input)
    a, b = _wrap_dim(dim0, x.ndim), _wrap_dim(dim1, x.ndim)
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return _as_view(apply(Transpose, (input,), (x,), tuple(axes)), input)


swapaxes = swapdims = transpose


def t(input) -> Tensor:
    x = input._data
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    axes = (1, 0) if x.ndim == 2 else tuple(range(x.ndim))
    return _as_view(apply(T, (input,), (x,), axes), input)


def movedim(input, source, destination) -> Tensor:
    x = input._data
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    perm = [n for n in range(x.ndim) if n not in [_wrap_dim(s, x.ndim) for s in src]]
    for d, s in sorted(zip([_wrap_dim(d, x.ndim) for d in dst], [_wrap_dim(s, x.ndim) for s in src])):
        perm.insert(d, s)
    return permute(input, perm)


moveaxis = movedim


class Expand(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return (g,)          # the engine sums back to the input's shape


def expand(input, *sizes) -> Tensor:
    x = input._data
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand({input.type()}{{{list(x.shape)}}}, size={list(sizes)}): the number "
                           f"of sizes provided ({len(sizes)}) must be greater or equal to the number "
                           f"of dimensions in the tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i in range(x.ndim):
        if x.shape[i] != 1 and x.shape[i] != shape[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[i + lead]}) must match the "
                               f"existing size ({x.shape[i]}) at non-singleton dimension {i + lead}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(x.shape)}")
    return _as_view(apply(Expand, (input,), (x,), shape), input)


def expand_as(input, other) -> Tensor:
    return expand(input, other._data.shape)


def broadcast_to(input, shape) -> Tensor:
    return expand(input, tuple(shape))


def broadcast_tensors(*tensors):
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


class Repeat(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, reps):
        x = x.reshape((1,) * (len(reps) - x.ndim) + x.shape)
        ctx.shape, ctx.reps = x.shape, reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, g):
        shape = []
        for r, s in zip(ctx.reps, ctx.shape):
            shape += [r, s]
        g = g.reshape(shape).sum(axis=tuple(range(0, len(shape), 2)))
        return (g,)


def repeat(input, *sizes) -> Tensor:
    reps = _shape_arg(sizes)
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    out = apply(Repeat, (input,), (input._data,), reps)
    return out


def tile(input, dims) -> Tensor:
    dims = tuple(dims)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


class Cat(Function):
    _raw = True

    @staticmethod
    def forward(ctx, *arrays_axis):
        *arrays, axis = arrays_axis
        ctx.axis = axis
        ctx.bounds = list(accumulate(a.shape[axis] for a in arrays))[:-1]   # sizes, as ints
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.bounds, axis=ctx.axis))


def _result_dtype(tensors):
    from ._apply import tensor_dtype_pair
    d = tensors[0]
    dt = d._data.dtype
    for t in tensors[1:]:
        if t._data.dtype != dt:
            from .. import _dtype
            dt = _dtype.promote_types(_dtype._BY_NP[dt], t.dtype).np
    return dt


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors along an existing dimension."""
    if out is not None:
        return write_out("cat", cat(tensors, dim), out)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {tensors.index(t)} in argument 0, but got "
                            f"{type(t).__name__}")
    # legacy behaviour: 1-D empty tensors are skipped
    keep = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or tensors[:1]
    ref = keep[0]._data
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    axis = _wrap_dim(dim, ref.ndim)
    dt = _result_dtype(keep)
    arrays = []
    for i, t in enumerate(keep):
        a = t._data
        if a.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
        for d in range(ref.ndim):
            if d != axis and a.shape[d] != ref.shape[d]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {axis}. Expected "
                                   f"size {ref.shape[d]} but got size {a.shape[d]} for tensor number "
                                   f"{i} in the list.")
        arrays.append(a if a.dtype == dt else a.astype(dt))
    return apply(Cat, tuple(keep), tuple(arrays), axis)


concat = concatenate = cat


class Stack(Function):
    _raw = True

    @staticmethod
    def forward(ctx, *arrays_axis):
        *arrays, axis = arrays_axis
        ctx.axis, ctx.n = axis, len(arrays)
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.axis, 0))


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join same-shape tensors along a new dimension."""
    if out is not None:
        return write_out("stack", stack(tensors, dim), out)
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data
    for i, t in enumerate(tensors):
        if t._data.shape != ref.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref.shape)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
    axis = _wrap_dim(dim, ref.ndim + 1)
    dt = _result_dtype(tensors)
    arrays = tuple(t._data if t._data.dtype == dt else t._data.astype(dt) for t in tensors)
    return apply(Stack, tuple(tensors), arrays, axis)


def hstack(tensors) -> Tensor:
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    return cat([atleast_2d(t) for t in tensors], 0)


def column_stack(tensors) -> Tensor:
    return cat([t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors], 1)


def atleast_1d(t): return t if t._data.ndim >= 1 else reshape(t, 1)
def atleast_2d(t): return t if t._data.ndim >= 2 else reshape(t, (1, -1) if t._data.ndim else (1, 1))


class Slice(Function):
    """Basic (view) indexing: ``x[index]`` with slices, ints, None and Ellipsis."""
    _raw = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx, g):
        out = np.zeros(ctx.shape, g.dtype)
        out[ctx.index] = g
        return (out,)


class Select(Slice):
    _raw = True


class Narrow(Slice):
    _raw = True
    _name = "SliceBackward0"


class Unbind(Slice):
    _raw = True
    _name = "UnbindBackward0"


class Split(Slice):
    _raw = True
    _name = "SplitBackward0"


class SplitWithSizes(Slice):
    _raw = True
    _name = "SplitWithSizesBackward0"


def narrow(input, dim: int, start: int, length: int) -> Tensor:
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    start = int(start)
    if start < 0:
        start += x.shape[d]
    if start + length > x.shape[d] or start < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({x.shape[d]}).")
    index = (slice(None),) * d + (slice(start, start + length),)
    return _as_view(apply(Narrow, (input,), (x,), index), input)


def unbind(input, dim: int = 0) -> tuple:
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    return tuple(_as_view(apply(Unbind, (input,), (x,), (slice(None),) * d + (i,)), input)
                 for i in range(x.shape[d]))


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    x = tensor._data
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    cls = Split
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                               f"size of {n}")
        sizes = [min(step, n - s) for s in range(0, n, step)] if n else [0]
    else:
        cls = SplitWithSizes
        sizes = [int(v) for v in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                               f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        index = (slice(None),) * d + (slice(start, start + s),)
        out.append(_as_view(apply(cls, (tensor,), (x,), index), tensor))
        start += s
    return tuple(out)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input._data.shape[_wrap_dim(dim, input._data.ndim)]
    size = -(-n // chunks) if n else 0
    return split(input, size if size else 1, dim) if n else split(input, 0, dim)


def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    else:
        idx = [0] + list(indices_or_sections) + [n]
        sizes = [max(0, min(b, n) - min(a, n)) for a, b in zip(idx[:-1], idx[1:])]
    return split(input, sizes, dim)


class Flip(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return np.flip(x, axes).copy()

    @staticmethod
    def backward(ctx, g):
        return (np.flip(g, ctx.axes),)


def flip(input, dims) -> Tensor:
    x = input._data
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return apply(Flip, (input,), (x,), tuple(_wrap_dim(d, x.ndim) for d in dims))


def fliplr(input) -> Tensor: return flip(input, (1,))
def flipud(input) -> Tensor: return flip(input, (0,))


class Roll(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return np.roll(x, shifts, axes)

    @staticmethod
    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return (np.roll(g, neg, ctx.axes),)


def roll(input, shifts, dims=None) -> Tensor:
    shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else shifts
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else dims
    return apply(Roll, (input,), (input._data,), shifts, dims)


class Tril(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, k, upper):
        ctx.k, ctx.upper = k, upper
        return np.triu(x, k) if upper else np.tril(x, k)

    @staticmethod
    def backward(ctx, g):
        return (np.triu(g, ctx.k) if ctx.upper else np.tril(g, ctx.k),)


class Triu(Tril):
    _raw = True


def tril(input, diagonal: int = 0) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return apply(Tril, (input,), (input._data,), diagonal, False)


def triu(input, diagonal: int = 0) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return apply(Triu, (input,), (input._data,), diagonal, True)


class Clone(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return (g,)


def clone(input, *, memory_format=None) -> Tensor:
    return apply(Clone, (input,), (input._data,))


def contiguous(input, memory_format=None) -> Tensor:
    if input._data.flags.c_contiguous:
        return input
    return apply(Clone, (input,), (np.ascontiguousarray(input._data),))


def diag(input, diagonal: int = 0) -> Tensor:
    from .indexing import Diag, DiagMatrix
    return apply(DiagMatrix if input._data.ndim == 2 else Diag, (input,), (input._data,), diagonal)


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    from .indexing import Diagonal
    return apply(Diagonal, (input,), (input._data,), offset, dim1, dim2)
