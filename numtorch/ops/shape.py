"""Shape ops: reshape/view, squeeze/unsqueeze, transpose/permute, expand/repeat, cat/stack/split...

Views share memory (and the version counter) with their input, as in PyTorch.

>>> import numtorch as torch
>>> torch.arange(6).view(2, 3).t()
tensor([[0, 3],
        [1, 4],
        [2, 5]])
"""
from __future__ import annotations

import operator
from itertools import accumulate

import numpy as np

from .._errors import repeated_dim_error
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import apply, _make, write_out, expand_error

_index = operator.index
from . import _views


def _shape_arg(shape, arg="size"):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(torch.Size)``."""
    given = shape
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple([_index(s) for s in shape])
    except TypeError:
        raise _shape_error(given, arg) from None


def _shape_error(given, arg):
    """PyTorch's error for a size argument that is not ints (error path only)."""
    from .._errors import size_error, _public_frame
    f = _public_frame()
    fn = f.f_code.co_name if f is not None else "view"
    err = size_error(fn, given)
    msg = str(err).replace("argument 'size'", f"argument '{arg}'")
    return TypeError(msg)


def _infer(shape, size):
    """Resolve a single -1 and check the element count, with PyTorch's message."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
            known *= s
    if -1 in shape:
        if known == 0 and size == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because "
                               "the unspecified dimension size -1 can be any value and is ambiguous")
        if known == 0 or size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def _as_view(out: Tensor, input: Tensor, cls, *params, multi=None) -> Tensor:
    """Make ``out`` (= ``cls.forward(ctx, input's array, *params)``) a view of ``input``: it
    shares the version counter, and when ``input`` requires grad it remembers its base and how
    it was made, so that in-place ops on it rewrite the base's history (``ops/_views.py``)."""
    out._vc = input._vc
    if input.requires_grad:
        _views.track(out, input, cls, params, multi)
    return out


def _view(cls, input: Tensor, x, *params) -> Tensor:
    """Run the view op ``cls`` on ``input`` (array ``x``) and make the result its view."""
    out = apply(cls, (input,), (x,), *params)
    out._vc = input._vc
    if input.requires_grad:
        _views.track(out, input, cls, params)
    return out


class View(Function):
    _raw = True
    complex_grad = True

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
        from .. import _dtype
        if not isinstance(shape[0], _dtype.dtype) and not hasattr(shape[0], "__index__"):
            from .._errors import invalid_combination
            raise invalid_combination("view", shape, "(torch.dtype dtype), (tuple of ints size)")
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
    return _view(View, input, x, shape)


def reshape(input, *shape) -> Tensor:
    try:
        x = input._data
    except AttributeError:
        from .._errors import not_tensor
        raise not_tensor("reshape", input) from None
    if not shape:
        from .._errors import missing_arguments
        raise missing_arguments("reshape", ["shape"])
    shape = _infer(_shape_arg(shape, "shape"), x.size)
    out = apply(View, (input,), (x,), shape)
    if np.shares_memory(out._data, x) if x.size else False:
        _as_view(out, input, View, shape)
    return out


def _other_shape(other, fn):
    try:
        return other._data.shape
    except AttributeError:
        from .._errors import not_tensor
        raise not_tensor(fn, other, "other") from None


def view_as(input, other) -> Tensor:
    return view(input, _other_shape(other, "view_as"))


def reshape_as(input, other) -> Tensor:
    return reshape(input, _other_shape(other, "reshape_as"))


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
    return _view(cls, input, x, shape)


def unsqueeze(input, dim: int) -> Tensor:
    x = input._data
    d = _wrap_dim(dim, x.ndim + 1)
    try:
        shape = x.shape[:d] + (1,) + x.shape[d:]
    except TypeError:                           # a float dim
        from .._errors import dim_type_error
        raise dim_type_error(dim) from None
    return _view(Unsqueeze, input, x, shape)


class Permute(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return (g.transpose(_inverse(ctx.axes)),)


def _inverse(axes: tuple) -> tuple:
    """The permutation undoing ``axes`` (a tuple: cheaper than ``np.argsort`` on small tuples)."""
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    return tuple(inv)


class Transpose(Permute):
    _raw = True


class T(Permute):
    _raw = True
    _name = "TBackward0"


def permute(input, *dims) -> Tensor:
    x = input._data
    if not dims:
        from .._errors import missing_arguments
        raise missing_arguments("permute", ["dims"])
    dims = _shape_arg(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {x.ndim} is not equal to len(dims) = {len(dims)}")
    axes = tuple(_wrap_dim(d, x.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view(Permute, input, x, axes)


def transpose(input, dim0: int, dim1: int) -> Tensor:
    x = input._data
    if x.ndim == 0:
        return _view(Transpose, input, x, ())
    a, b = _wrap_dim(dim0, x.ndim), _wrap_dim(dim1, x.ndim)
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return _view(Transpose, input, x, tuple(axes))


swapaxes = swapdims = transpose


def t(input) -> Tensor:
    x = input._data
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    axes = (1, 0) if x.ndim == 2 else tuple(range(x.ndim))
    return _view(T, input, x, axes)


def movedim(input, source, destination) -> Tensor:
    x = input._data
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should "
                           f"contain the same number of dims as destination ({dst} dims)")
    for name, dims in (("source", src), ("destination", dst)):
        if len({_wrap_dim(d, x.ndim) for d in dims}) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    perm = [n for n in range(x.ndim) if n not in [_wrap_dim(s, x.ndim) for s in src]]
    for d, s in sorted(zip([_wrap_dim(d, x.ndim) for d in dst], [_wrap_dim(s, x.ndim) for s in src])):
        perm.insert(d, s)
    return permute(input, perm)


moveaxis = movedim


class Expand(Function):
    _raw = True
    complex_grad = True

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
            raise expand_error(x.shape, sizes)
    try:
        return _view(Expand, input, x, shape)
    except ValueError:              # a negative size
        i = next(i for i, s in enumerate(shape) if s < 0)
        raise RuntimeError(f"The expanded size of the tensor ({shape[i]}) isn't allowed in a "
                           f"leading, non-existing dimension {i}") from None


def expand_as(input, other) -> Tensor:
    return expand(input, _other_shape(other, "expand_as"))


def broadcast_to(input, shape) -> Tensor:
    return expand(input, tuple(shape))


def broadcast_tensors(*tensors):
    try:
        shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    except ValueError:
        from ._apply import broadcast_error
        shape = ()
        for t in tensors:
            try:
                shape = np.broadcast_shapes(shape, t._data.shape)
            except ValueError:
                raise broadcast_error(np.broadcast_to(np.int8(0), shape), t._data) from None
        raise
    return tuple(expand(t, shape) for t in tensors)


class Repeat(Function):
    _raw = True
    complex_grad = True

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
    reps = _shape_arg(sizes, "repeats")
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    try:
        return apply(Repeat, (input,), (input._data,), reps)
    except ValueError:                          # a negative count
        shape = (1,) * (len(reps) - input._data.ndim) + input._data.shape
        target = [s * r for s, r in zip(shape, reps)]
        bad = next(n for n in target if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {target}") from None


def tile(input, dims) -> Tensor:
    dims = tuple(dims)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


class Cat(Function):
    _raw = True
    complex_grad = True

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
    if isinstance(tensors, Tensor):
        from .._errors import arg_error
        raise arg_error("cat", "tensors", 1, "tuple of Tensors", tensors)
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
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
    complex_grad = True

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
    if isinstance(tensors, Tensor):
        from .._errors import arg_error
        raise arg_error("stack", "tensors", 1, "tuple of Tensors", tensors)
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


def _check_tensor_list(fn: str, tensors) -> None:
    """PyTorch's argument checks of a ``TensorList`` (``hstack``, ``vstack``, ...)."""
    if isinstance(tensors, (list, tuple)) and tensors and \
            all(isinstance(t, Tensor) for t in tensors):
        return
    from .._errors import arg_error, type_name
    if not isinstance(tensors, (list, tuple)):
        raise arg_error(fn, "tensors", 1, "tuple of Tensors", tensors)
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    i = next(i for i, t in enumerate(tensors) if not isinstance(t, Tensor))
    raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                    f"{type_name(tensors[i])}")


def hstack(tensors) -> Tensor:
    _check_tensor_list("hstack", tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    _check_tensor_list("vstack", tensors)
    return cat([atleast_2d(t) for t in tensors], 0)


def column_stack(tensors) -> Tensor:
    _check_tensor_list("column_stack", tensors)
    return cat([t.reshape(-1, 1) if t._data.ndim <= 1 else t for t in tensors], 1)


def atleast(name: str, one, tensors: tuple):
    """``atleast_Nd(*tensors)``: ``one`` applied to a single tensor (a tensor back), or to
    several / a list of them (a tuple back), with PyTorch's argument errors."""
    if len(tensors) == 1:
        t = tensors[0]
        if isinstance(t, Tensor):
            return one(t)
        if not isinstance(t, (list, tuple)):
            n = type(t).__name__
            raise TypeError(
                f"{name}() received an invalid combination of arguments - got ({n}), but "
                f"expected one of:\n * (Tensor input)\n      didn't match because some of the "
                f"arguments have invalid types: (!{n}!)\n * (tuple of Tensors tensors)\n      "
                f"didn't match because some of the arguments have invalid types: (!{n}!)\n")
        tensors = t
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tuple(one(t) for t in tensors)


def _atleast_1d(t):
    return t if t._data.ndim >= 1 else reshape(t, 1)


def _atleast_2d(t):
    n = t._data.ndim
    return t if n >= 2 else unsqueeze(t, 0) if n == 1 else reshape(t, (1, 1))


def atleast_1d(*tensors):
    """Each tensor with at least one dimension (one tensor in, one out; several: a tuple)."""
    return atleast("atleast_1d", _atleast_1d, tensors)


def atleast_2d(*tensors):
    """Each tensor with at least two dimensions (one tensor in, one out; several: a tuple)."""
    return atleast("atleast_2d", _atleast_2d, tensors)


class Slice(Function):
    """Basic (view) indexing: ``x[index]`` with slices, ints, None and Ellipsis."""
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        out = x[index]
        if isinstance(out, np.generic):     # NumPy gives a copied scalar; a 0-d view shares memory
            out = x[(index if type(index) is tuple else (index,)) + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx, g):
        # (the _zeros test inlined: this is the hot x[i] / narrow / split / unbind path)
        out = np.zeros(ctx.shape, g.dtype) if type(g) is np.ndarray else _zeros(g, ctx.shape)
        out[ctx.index] = g
        return (out,)


def _zeros(g, shape):
    """Zeros of ``shape`` and ``g``'s dtype to write a gradient into: a plain array on the
    first-order path, an array like ``g`` (a TensorArray under create_graph) otherwise."""
    if type(g) is np.ndarray:
        return np.zeros(shape, g.dtype)
    return np.zeros_like(g, shape=shape)


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
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, x.ndim)
    start = int(start)
    n = x.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got "
                         f"{start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    index = (slice(None),) * d + (slice(start, start + length),)
    return _view(Narrow, input, x, index)


def unbind(input, dim: int = 0) -> tuple:
    x = input._data
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, x.ndim)
    out = []
    for i in range(x.shape[d]):
        index = (slice(None),) * d + (i,)
        out.append(_as_view(apply(Unbind, (input,), (x,), index), input, Unbind, index, multi=i))
    return tuple(out)


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    x = tensor._data
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    cls = Split
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
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
    for i, s in enumerate(sizes):
        index = (slice(None),) * d + (slice(start, start + s),)
        out.append(_as_view(apply(cls, (tensor,), (x,), index), tensor, cls, index, multi=i))
        start += s
    return tuple(out)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input._data.shape[_wrap_dim(dim, input._data.ndim)]
    size = -(-n // chunks) if n else 0
    return split(input, size if size else 1, dim) if n else split(input, 0, dim)


def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:
    """Split into ``k`` near-equal parts, or at the given indices; each part is an ordinary
    slice view (``SliceBackward0``), unlike ``split``'s outputs."""
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        bounds = list(accumulate([0] + sizes))
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        a, b = min(max(a, 0), n), min(max(b, 0), n)
        out.append(_view(Narrow, input, x, (slice(None),) * d + (slice(a, max(a, b)),)))
    return tuple(out)


def select(input, dim: int, index: int) -> Tensor:
    """The slice of ``input`` at ``index`` along ``dim`` (that dimension removed); a view.

    >>> import numtorch as torch
    >>> torch.arange(6).view(2, 3).select(1, 2)
    tensor([2, 5])
    """
    x = input._data
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, x.ndim)
    index = int(index)
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(x.shape)} "
                         f"at dimension {dim}")
    return _view(Select, input, x, (slice(None),) * d + (index,))


class Flip(Function):
    _raw = True
    complex_grad = True

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
    axes = tuple(_wrap_dim(d, x.ndim) for d in dims)
    try:
        return apply(Flip, (input,), (x,), axes)
    except ValueError:                          # NumPy: repeated axis
        raise repeated_dim_error(axes) from None


def fliplr(input) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Function):
    _raw = True
    complex_grad = True

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
    x = input._data
    if dims is not None:
        ns = len(shifts) if isinstance(shifts, tuple) else 1
        nd = len(dims) if isinstance(dims, tuple) else 1
        if ns != nd:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {ns}, dims:{nd}")
        dims = tuple(_wrap_dim(d, x.ndim) for d in dims) if isinstance(dims, tuple) \
            else _wrap_dim(dims, x.ndim)
    return apply(Roll, (input,), (x,), shifts, dims)


class Tril(Function):
    _raw = True
    complex_grad = True

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
    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return (g,)


def clone(input, *, memory_format=None) -> Tensor:
    return apply(Clone, (input,), (input._data,))


def view_dtype(input, dtype) -> Tensor:
    """``x.view(dtype)``: the same bytes read as another dtype."""
    return _make(input._data.view(dtype.np))


def contiguous(input, memory_format=None) -> Tensor:
    if input._data.flags.c_contiguous:
        return input
    return apply(Clone, (input,), (np.ascontiguousarray(input._data),))
