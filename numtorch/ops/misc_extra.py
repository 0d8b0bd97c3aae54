"""Smaller names of the torch namespace and of ``Tensor``: ``broadcast_shapes``, ``atleast_3d``,
``unravel_index``, the predicates (``is_nonzero``, ``is_same_size``, ``is_signed``, ...),
``fill``/``fill_``/``detach``/``detach_`` as functions, ``dist``, ``diagflat``, ``adjoint``,
``split_with_sizes`` and the ``unsafe_*`` splits; and the Tensor-only ``sum_to_size``,
``transpose_``/``swapaxes_``/``swapdims_``, ``new_empty_strided``, ``nbytes``, ``itemsize``,
``mH``, ``H``, ``is_cpu``, ...

Differentiable results are single nodes with PyTorch's names (``DistBackward0``,
``FillBackward0``) or compositions where PyTorch composes too (``diagflat`` is a ``view`` and
a ``diag_embed``, ``sum_to_size`` a ``sum`` and a ``view``).

>>> import numtorch as torch
>>> torch.broadcast_shapes((2, 1), (3,))
torch.Size([2, 3])
>>> torch.dist(torch.tensor([3.0, 0.0]), torch.tensor([0.0, 4.0]))
tensor(5.)
"""
from __future__ import annotations

import operator
import warnings

import numpy as np

from .. import _dtype
from .._errors import (arg_error, int_items_error, not_tensor, size_error, missing_arguments,
                       type_name)
from .._size import Size
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from . import convert as _C, reduce as _R, shape as _S
from ._apply import apply, broadcast_error, operands
from ._scalars import scalar_for
from .complex_ops import conj as _conj
from .creation import _finish
from .shape_extra import diag_embed as _diag_embed
from .shape_inplace import inplace_view

__all__ = ["broadcast_shapes", "atleast_3d", "unravel_index", "is_nonzero", "is_same_size",
           "is_signed", "is_neg", "is_inference", "detach", "detach_", "fill", "fill_", "dist",
           "diagflat", "adjoint", "split_with_sizes", "unsafe_chunk", "unsafe_split",
           "unsafe_split_with_sizes"]

_make = Tensor._make


def _is_int(v) -> bool:
    try:
        operator.index(v)
        return not isinstance(v, Tensor)
    except TypeError:
        return False


def _tensor_arg(fn: str, value, arg: str = "input", position: int = 1) -> None:
    if not isinstance(value, Tensor):
        raise not_tensor(fn, value, arg, position)


# -- shapes -------------------------------------------------------------------------------------

def broadcast_shapes(*shapes) -> Size:
    """The shape tensors of these shapes broadcast to (without making any tensor).

    >>> import numtorch as torch
    >>> torch.broadcast_shapes((5, 1, 4), (3, 1), 4)
    torch.Size([5, 3, 4])
    """
    given = []
    for s in shapes:
        if s is None:
            s = ()
        elif _is_int(s):
            s = (operator.index(s),)
        elif not isinstance(s, (tuple, list)):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {s}")
        given.append(s)
    common = [1] * max((len(s) for s in given), default=0)
    for k, s in enumerate(given):
        for i in range(-1, -1 - len(s), -1):
            n = s[i]
            if common[i] == 1:
                if n < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[i] = n
            elif n != 1 and n != common[i]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at {i}! "
                                   f"Mismatching argument at index {k} had {s}; but expected "
                                   f"shape should be broadcastable to {common}")
    for i, n in enumerate(common):
        if not _is_int(n):
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                            f"'{type(n).__name__}')")
    return Size(int(n) for n in common)


def _atleast_3d_one(t: Tensor) -> Tensor:
    n = t._data.ndim
    if n == 0:
        return _S.reshape(t, (1, 1, 1))
    if n == 1:
        return _S.unsqueeze(_S.unsqueeze(t, 0), -1)
    if n == 2:
        return _S.unsqueeze(t, -1)
    return t


def atleast_3d(*tensors):
    """Each tensor with at least three dimensions: a scalar becomes ``1x1x1``, a vector
    ``1xNx1``, a matrix ``MxNx1``; one tensor in, one out, several (or a list): a tuple.

    >>> import numtorch as torch
    >>> torch.atleast_3d(torch.ones(2, 3)).shape
    torch.Size([2, 3, 1])
    >>> [t.shape for t in torch.atleast_3d(torch.tensor(1.0), torch.ones(2))]
    [torch.Size([1, 1, 1]), torch.Size([1, 2, 1])]
    """
    return _S.atleast("atleast_3d", _atleast_3d_one, tensors)


def unravel_index(indices: Tensor, shape) -> tuple:
    """The coordinates, in an array of ``shape``, of flat ``indices`` (one int64 tensor per
    dimension; indices outside the array wrap around, as in PyTorch).

    >>> import numtorch as torch
    >>> torch.unravel_index(torch.tensor([4, 1]), (3, 2))
    (tensor([2, 0]), tensor([0, 1]))
    """
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if _is_int(shape):
        shape = (operator.index(shape),)
    shape = tuple(shape)
    for n in shape:
        if not _is_int(n):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(n)}")
    shape = tuple(operator.index(n) for n in shape)
    if any(n < 0 for n in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    if 0 in shape:
        raise RuntimeError("ZeroDivisionError")
    flat = indices._data.astype(np.int64)
    out, step = [], 1
    for n in reversed(shape):
        out.append(_make((flat // step) % n))
        step *= n
    return tuple(reversed(out))


# -- predicates ---------------------------------------------------------------------------------

def is_nonzero(input: Tensor) -> bool:
    """Whether a one-element tensor's value is not zero (NaN counts as nonzero).

    >>> import numtorch as torch
    >>> torch.is_nonzero(torch.tensor([0.0])), torch.is_nonzero(torch.tensor(2))
    (False, True)
    """
    _tensor_arg("is_nonzero", input)
    x = input._data
    if x.size != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if not x.size
                           else "Boolean value of Tensor with more than one value is ambiguous")
    return bool(x.reshape(()) != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether both tensors have the same shape.

    >>> import numtorch as torch
    >>> torch.is_same_size(torch.ones(2, 3), torch.zeros(2, 3))
    True
    """
    _tensor_arg("is_same_size", input)
    return _is_same_size(input, other, 2)


def _is_same_size(input: Tensor, other: Tensor, pos: int) -> bool:
    _tensor_arg("is_same_size", other, "other", pos)
    return input._data.shape == other._data.shape


def is_signed(input: Tensor) -> bool:
    """Whether the tensor's dtype holds negative values (not bool, not uint8).

    >>> import numtorch as torch
    >>> torch.is_signed(torch.ones(1)), torch.is_signed(torch.ones(1, dtype=torch.uint8))
    (True, False)
    """
    _tensor_arg("is_signed", input)
    return input.dtype.is_signed


def is_neg(input: Tensor) -> bool:
    """Whether the tensor is a lazily negated view; numtorch negates eagerly: always False.

    >>> import numtorch as torch
    >>> torch.is_neg(torch.ones(1))
    False
    """
    _tensor_arg("is_neg", input)
    return False


def is_inference(input: Tensor) -> bool:
    """Whether the tensor is an inference tensor. numtorch's ``inference_mode`` is
    ``no_grad`` and makes ordinary tensors: always False.

    >>> import numtorch as torch
    >>> torch.is_inference(torch.ones(1))
    False
    """
    _tensor_arg("is_inference", input)
    return False


# -- detach and fill as functions ---------------------------------------------------------------

def detach(input: Tensor) -> Tensor:
    """``input.detach()``: the same values, no history.

    >>> import numtorch as torch
    >>> torch.detach(torch.ones(2, requires_grad=True)).requires_grad
    False
    """
    _tensor_arg("detach", input)
    return input.detach()


def detach_(input: Tensor) -> Tensor:
    """``input.detach_()``: detach ``input`` itself from its history.

    >>> import numtorch as torch
    >>> y = torch.ones(2, requires_grad=True) * 2
    >>> torch.detach_(y) is y, y.requires_grad
    (True, False)
    """
    _tensor_arg("detach_", input)
    return input.detach_()


def _fill_error(fn: str, input, value) -> TypeError:
    marks = [type_name(input) if isinstance(input, Tensor) else f"!{type_name(input)}!",
             f"!{type_name(value)}!"]
    got = ", ".join(type_name(v) for v in (input, value))
    bad = ", ".join(marks)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n * (Tensor input, Tensor value)\n      didn't match "
                     f"because some of the arguments have invalid types: ({bad})\n * (Tensor "
                     f"input, Number value)\n      didn't match because some of the arguments "
                     f"have invalid types: ({bad})\n")


class FillScalar(_C.Fill):
    """``torch.fill(input, number)``: a new tensor; the input gets no gradient."""
    _raw = True
    _name = "FillBackward0"


class FillValueTensor(_C.FillTensor):
    """``torch.fill(input, 0-d tensor)``: the value gets the sum of the gradient."""
    _raw = True
    _name = "FillBackward1"


def _fill_value(fn: str, input, value):
    if not isinstance(input, Tensor) or not isinstance(value, (Tensor, int, float, complex,
                                                               np.number)):
        raise _fill_error(fn, input, value)
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return value
    return scalar_for(input._data.dtype, value, input._data.size)


def fill(input: Tensor, value) -> Tensor:
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (a number or a 0-d
    tensor, whose gradient is the sum of the result's).

    >>> import numtorch as torch
    >>> torch.fill(torch.zeros(2, 2, dtype=torch.int64), 7)
    tensor([[7, 7],
            [7, 7]])
    """
    v = _fill_value("fill", input, value)
    if isinstance(v, Tensor):
        return apply(FillValueTensor, (input, v), (input._data, v._data))
    return apply(FillScalar, (input,), (input._data,), v)


def fill_(input: Tensor, value) -> Tensor:
    """``input.fill_(value)`` with PyTorch's checks of the value (it must fit the dtype).

    >>> import numtorch as torch
    >>> torch.fill_(torch.zeros(3), 2.5)
    tensor([2.5000, 2.5000, 2.5000])
    """
    return _C.fill_(input, _fill_value("fill_", input, value))


# -- dist ---------------------------------------------------------------------------------------

class Dist(Function):
    """``||input - other||_p`` over all elements (of the broadcast shape)."""
    _raw = True
    complex_grad = True
    saves = (0, 1)
    saves_output = True

    @staticmethod
    def forward(ctx, x, y, p):
        d = x - y
        a = np.abs(d)
        if p == 2:
            out = np.sqrt(np.sum(a * a))
        elif p == 1:
            out = np.sum(a)
        elif p == 0:
            out = np.sum(a != 0).astype(a.dtype)
        elif p == np.inf:
            out = np.max(a)
        elif p == -np.inf:
            out = np.min(a)
        else:
            out = np.sum(a ** p) ** (1.0 / p)
        out = np.asarray(out, a.dtype)
        ctx.x, ctx.y, ctx.p, ctx.out = x, y, p, out
        return out

    @staticmethod
    def backward(ctx, g):
        p, out = ctx.p, ctx.out
        d = ctx.x - ctx.y
        if p == 0:                      # a count: no gradient (PyTorch's negation of the
            if ctx.needs_input_grad[1]:  # missing gradient for ``other`` fails, as here)
                raise RuntimeError("Expected a proper Tensor but got None (or an undefined "
                                   "Tensor in C++) for argument #0 'self'")
            return None, None
        a = np.abs(d)
        complex_ = d.dtype.kind == "c"
        if p == 1:
            gd = (d / np.where(a == 0, 1, a) if complex_ else np.sign(d)) * g
        elif p == 2:
            gd = d * (g / np.where(out == 0, 1, out))
        elif p in (np.inf, -np.inf):
            mask = (a == out) | np.isnan(a)
            sgn = d / np.where(a == 0, 1, a) if complex_ else np.sign(d)
            gd = sgn * mask * (g / np.sum(mask))
        else:
            safe_a = np.where(a == 0, 1, a)
            sgn = d / safe_a if complex_ else np.sign(d)
            if p < 1:                   # |d|^(p-1) is infinite at 0, where the gradient is 0
                gd = sgn * np.where(a == 0, 0, safe_a ** (p - 1)) * (g * out ** (1 - p))
            else:
                gd = sgn * a ** (p - 1) * (g / np.where(out == 0, 1, out) ** (p - 1))
        return (gd if ctx.needs_input_grad[0] else None), (-gd if ctx.needs_input_grad[1] else None)


def dist(input: Tensor, other: Tensor, p=2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast), as one number: p=2 the Euclidean
    distance, 1 the sum of absolute differences, inf the largest, 0 the count of differing
    elements.

    >>> import numtorch as torch
    >>> a, b = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 0.0, 0.0])
    >>> torch.dist(a, b), a.dist(b, 1), a.dist(b, float("inf"))
    (tensor(3.6056), tensor(5.), tensor(3.))
    """
    _tensor_arg("dist", input)
    return _dist(input, other, p, 2)


def _dist(input: Tensor, other: Tensor, p, pos: int) -> Tensor:
    """``dist`` with ``other`` at argument position ``pos`` (2; 1 for the method)."""
    _tensor_arg("dist", other, "other", pos)
    if isinstance(p, Tensor):
        p = p.item()
    if not isinstance(p, (int, float, complex, np.number)):
        raise arg_error("dist", "p", pos + 1, "Number", p)
    if isinstance(p, (complex, np.complexfloating)):
        raise RuntimeError("linalg.vector_norm: Expected a non-complex scalar as the order of "
                           "norm.")
    p = float(p)
    ta, tb, x, y = operands(input, other)
    kind = x.dtype.kind
    if kind == "b" and y.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if kind not in "fc":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. "
                           f"Got {_dtype.legacy_name_np(x.dtype)} instead.")
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise broadcast_error(x, y) from None
    if p in (np.inf, -np.inf) and 0 in shape:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {'-' if p < 0 else ''}inf "
                           "norm on an empty tensor because the operation does not have an "
                           "identity")
    return apply(Dist, (ta, tb), (x, y), p)


# -- diagflat, adjoint --------------------------------------------------------------------------

def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A 2-D tensor with ``input``'s elements (flattened) on its ``offset`` diagonal.

    >>> import numtorch as torch
    >>> torch.diagflat(torch.tensor([1, 2]), 1)
    tensor([[0, 1, 0],
            [0, 0, 2],
            [0, 0, 0]])
    """
    _tensor_arg("diagflat", input)
    return _diagflat(input, offset, 2)


def _diagflat(input: Tensor, offset, pos: int) -> Tensor:
    if not _is_int(offset):
        raise arg_error("diagflat", "offset", pos, "int", offset)
    return _diag_embed(_S.reshape(input, (-1,)), operator.index(offset))


def _conj_transpose(t: Tensor) -> Tensor:
    r = _S.transpose(t, -2, -1)
    return _conj(r) if r._data.dtype.kind == "c" else r


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dimensions (a view).

    >>> import numtorch as torch
    >>> torch.adjoint(torch.tensor([[1 + 2j, 3 - 1j]]))
    tensor([[1.-2.j],
            [3.+1.j]])
    """
    _tensor_arg("adjoint", input)
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {n}-D tensor.")
    return _conj_transpose(input)


def _mH(self) -> Tensor:
    n = self._data.ndim
    if n < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {n}-D tensor.")
    return _conj_transpose(self)


def _H(self) -> Tensor:
    n = self._data.ndim
    if n == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return _conj(self)
    if n != 2:
        tail = " For batches of matrices, consider using tensor.mH" if n > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D "
                           f"tensor.{tail}")
    return _conj_transpose(self)


# -- splits -------------------------------------------------------------------------------------

def _int_list(fn: str, arg: str, values, position: int) -> list:
    """``values`` as a list of ints, with PyTorch's parser errors for a tuple-of-ints
    argument that is something else."""
    if not isinstance(values, (tuple, list)):
        raise arg_error(fn, arg, position, "tuple of ints", values)
    err = int_items_error(fn, arg, position, values, _is_int)
    if err is not None:
        raise err
    return [operator.index(s) for s in values]


def _split_sizes(fn: str, sizes, position: int) -> list:
    """``split_sizes`` checked as PyTorch's parser and ``split_with_sizes`` check it."""
    sizes = _int_list(fn, "split_sizes", sizes, position)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={sizes}")
    return sizes


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Views of ``input`` cut along ``dim`` into pieces of the given sizes (they must add up
    to the dimension's size).

    >>> import numtorch as torch
    >>> torch.split_with_sizes(torch.arange(5), [2, 3])
    (tensor([0, 1]), tensor([2, 3, 4]))
    """
    _tensor_arg("split_with_sizes", input)
    return _split_with_sizes(input, split_sizes, dim, 2)


def _split_with_sizes(input: Tensor, split_sizes, dim: int, pos: int) -> tuple:
    sizes = _split_sizes("split_with_sizes", split_sizes, pos)
    if input._data.ndim:
        _wrap_dim(dim, input._data.ndim)
    return _S.split(input, sizes, dim)


class UnsafeSplit(_S.Slice):
    _raw = True
    _name = "UnsafeSplitBackward0"


class UnsafeSplitWithSizes(_S.Slice):
    _raw = True
    _name = "UnsafeSplitWithSizesBackward0"


def _unsafe(cls, input: Tensor, pieces: tuple, dim: int) -> tuple:
    """``pieces`` (the views ``split`` made of a detached ``input``) as ``cls`` nodes: the same
    memory, but not views for autograd (no shared version counter), as PyTorch's unsafe
    splits."""
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    out, start = [], 0
    for piece in pieces:
        n = piece._data.shape[d]
        index = (slice(None),) * d + (slice(start, start + n),)
        out.append(apply(cls, (input,), (x,), index))
        start += n
    return tuple(out)


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    """``split`` whose pieces autograd does not track as views of ``input`` (PyTorch's
    ``unsafe_split``: changing one in place is not seen by ``input``'s history).

    >>> import numtorch as torch
    >>> torch.unsafe_split(torch.arange(5), 2)
    (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    """
    _tensor_arg("unsafe_split", input)
    return _unsafe_split(input, split_size, dim, 2)


def _unsafe_split(input: Tensor, split_size: int, dim: int, pos: int) -> tuple:
    if not _is_int(split_size):
        raise arg_error("unsafe_split", "split_size", pos, "int", split_size)
    pieces = _S.split(input.detach(), operator.index(split_size), dim)
    return _unsafe(UnsafeSplit, input, pieces, dim)


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """``split_with_sizes`` whose pieces autograd does not track as views of ``input``.

    >>> import numtorch as torch
    >>> torch.unsafe_split_with_sizes(torch.arange(4), [1, 3])
    (tensor([0]), tensor([1, 2, 3]))
    """
    _tensor_arg("unsafe_split_with_sizes", input)
    return _unsafe_split_with_sizes(input, split_sizes, dim, 2)


def _unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int, pos: int) -> tuple:
    sizes = _split_sizes("unsafe_split_with_sizes", split_sizes, pos)
    pieces = _S.split(input.detach(), sizes, dim)
    return _unsafe(UnsafeSplitWithSizes, input, pieces, dim)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunk`` whose pieces autograd does not track as views of ``input``.

    >>> import numtorch as torch
    >>> torch.unsafe_chunk(torch.arange(6), 3)
    (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
    """
    _tensor_arg("unsafe_chunk", input)
    return _unsafe_chunk(input, chunks, dim, 2)


def _unsafe_chunk(input: Tensor, chunks: int, dim: int, pos: int) -> tuple:
    if not _is_int(chunks):
        raise arg_error("unsafe_chunk", "chunks", pos, "int", chunks)
    pieces = _S.chunk(input.detach(), operator.index(chunks), dim)
    return _unsafe(UnsafeSplit, input, pieces, dim)


# -- Tensor-only methods ------------------------------------------------------------------------

def sum_to_size(self: Tensor, *size, **kwargs) -> Tensor:
    """Sum ``self`` down to ``size`` (a shape ``self`` broadcasts from): the gradient of a
    broadcast, as the engine applies it.

    >>> import numtorch as torch
    >>> torch.ones(2, 3).sum_to_size(1, 3)
    tensor([[2., 2., 2.]])
    """
    if kwargs:
        if size or set(kwargs) != {"size"}:
            bad = next(k for k in kwargs if k != "size") if set(kwargs) != {"size"} else "size"
            raise TypeError(f"sum_to_size() got an unexpected keyword argument '{bad}'")
        size = (kwargs["size"],)
    if not size:
        raise missing_arguments("sum_to_size", ["size"])
    err = size_error("sum_to_size", size)
    if err is not None:
        raise err
    shape = tuple(operator.index(s) for s in (size[0] if isinstance(size[0], (tuple, list))
                                             else size))
    have = self._data.shape
    lead = len(have) - len(shape)
    if lead < 0 or any(s != 1 and s != h for s, h in zip(shape, have[lead:])):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(have)}}}.")
    if shape == have:
        return self
    if not shape:
        return _R.sum(self)
    dims = tuple(range(lead)) + tuple(lead + i for i, (s, h) in enumerate(zip(shape, have[lead:]))
                                      if s == 1 and h != 1)
    r = _R.sum(self, dims, True) if dims else self
    return _S.view(r, shape) if lead else r


class TransposeInplace(_S.Permute):
    """``x.transpose_(d0, d1)`` on a tensor with history (PyTorch's ``TransposeBackward1``)."""
    _raw = True
    _name = "TransposeBackward1"


def _transpose_inplace(fn: str, names: tuple, self: Tensor, args: tuple) -> Tensor:
    if len(args) < 2:
        raise missing_arguments(fn, list(names[len(args):]))
    for k, (name, d) in enumerate(zip(names, args)):
        if not _is_int(d):
            raise arg_error(fn, name, k + 1, "int", d)
    x = self._data
    a, b = _wrap_dim(args[0], x.ndim), _wrap_dim(args[1], x.ndim)
    axes = list(range(x.ndim))
    if x.ndim:
        axes[a], axes[b] = axes[b], axes[a]
    return inplace_view(self, TransposeInplace, tuple(axes))


def transpose_(self: Tensor, *args) -> Tensor:
    """Swap two dimensions of ``self`` in place (its shape and strides change, not its data).

    >>> import numtorch as torch
    >>> x = torch.zeros(2, 3)
    >>> x.transpose_(0, 1).shape
    torch.Size([3, 2])
    """
    return _transpose_inplace("transpose_", ("dim0", "dim1"), self, args)


def swapaxes_(self: Tensor, *args) -> Tensor:
    """``transpose_`` under NumPy's name."""
    return _transpose_inplace("swapaxes_", ("axis0", "axis1"), self, args)


def swapdims_(self: Tensor, *args) -> Tensor:
    """``transpose_`` under another name."""
    return _transpose_inplace("swapdims_", ("dim0", "dim1"), self, args)


def new_empty_strided(self: Tensor, size, stride=None, *, dtype=None, layout=None,
                      device=None, pin_memory=False, requires_grad=False) -> Tensor:
    """A new tensor of ``size`` laid out with ``stride`` (in elements), of ``self``'s dtype
    unless given; its values are zeros (PyTorch leaves them uninitialised).

    >>> import numtorch as torch
    >>> torch.ones(1).new_empty_strided((2, 3), (1, 2)).stride()
    (1, 2)
    """
    if stride is None:
        raise missing_arguments("new_empty_strided", ["stride"])
    size = _int_list("new_empty_strided", "size", size, 1)
    stride = _int_list("new_empty_strided", "stride", stride, 2)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of "
                           f"strides ({len(stride)})")
    for n in size:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {size}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={size} and "
                           f"strides={stride}")
    npd = (dtype or self.dtype).np
    count = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    buf = np.zeros(max(count, 1), npd)
    arr = np.lib.stride_tricks.as_strided(buf, tuple(size),
                                          tuple(s * buf.itemsize for s in stride))
    return _finish(arr, requires_grad, device)


class tensor_methods:
    """The ``Tensor`` methods and properties of this module, read by ``_tensor_methods``'
    table (``x.dist(y)`` is ``torch.dist``; ``x.nbytes``, ``x.mH`` are properties)."""
    is_nonzero, is_signed, is_neg, is_inference = is_nonzero, is_signed, is_neg, is_inference
    adjoint, sum_to_size = adjoint, sum_to_size

    # (argument positions in messages count from the first argument after self)
    def dist(self, other, p=2):
        return _dist(self, other, p, 1)

    def diagflat(self, offset=0):
        return _diagflat(self, offset, 1)

    def is_same_size(self, other):
        return _is_same_size(self, other, 1)

    def split_with_sizes(self, split_sizes, dim=0):
        return _split_with_sizes(self, split_sizes, dim, 1)

    def unsafe_split(self, split_size, dim=0):
        return _unsafe_split(self, split_size, dim, 1)

    def unsafe_split_with_sizes(self, split_sizes, dim=0):
        return _unsafe_split_with_sizes(self, split_sizes, dim, 1)

    def unsafe_chunk(self, chunks, dim=0):
        return _unsafe_chunk(self, chunks, dim, 1)

    transpose_, swapaxes_, swapdims_ = transpose_, swapaxes_, swapdims_
    new_empty_strided = new_empty_strided
    nbytes = property(lambda self: self._data.size * self._data.itemsize,
                      doc="The bytes the tensor's elements take: ``numel() * itemsize``.")
    itemsize = property(lambda self: self._data.itemsize,
                        doc="The bytes of one element (``element_size()``).")
    mH = property(_mH, doc="The conjugate transpose of the last two dimensions.")
    H = property(_H, doc="The conjugate transpose of a matrix.")
    is_cpu = property(lambda self: self.device.type == "cpu", doc="Whether on the CPU.")
    is_quantized = property(lambda self: False, doc="False: numtorch has no quantized tensors.")
    is_meta = property(lambda self: False, doc="False: numtorch has no meta tensors.")
    is_sparse_csr = property(lambda self: False, doc="False: numtorch has no sparse tensors.")
    is_mkldnn = property(lambda self: False, doc="False: numtorch has no MKL-DNN tensors.")
