"""The remaining in-place forms PyTorch 2.13 has: ``x.cos_()``, ``x.eq_(y)``, ``x.cumsum_(0)``,
``x.atan2_(y)``, ``x.addmm_(a, b)``, ``x.fill_diagonal_(v)``, ``torch.celu_(x)``, ...

Each is the out-of-place op's own ``Function`` run through ``apply_inplace`` (as ``exp_`` and
``add_`` are), so the version counter, the rewritten ``grad_fn`` (``<CosBackward0>``), the
leaf-requires-grad refusal and the cast check (``result type Float can't be cast to the desired
output type Long``) behave as in PyTorch. A comparison written in place keeps the tensor's dtype
(1.0 / 0.0 in a float tensor) and records ``EqBackward0`` (a number) or ``EqBackward1`` (a
tensor), whose gradient is zero; the logical and bitwise ones record nothing, as in PyTorch.
Loaded on first use (``numtorch._LAZY``, ``LAZY_METHODS``).

>>> import numtorch as torch
>>> x = torch.tensor([0.0, 1.0], requires_grad=True)
>>> y = x * 1
>>> y.cos_()
tensor([1.0000, 0.5403], grad_fn=<CosBackward0>)
>>> y.sum().backward(); x.grad
tensor([-0.0000, -0.8415])
>>> torch.tensor([1.0, 2.0, 3.0]).ge_(2)
tensor([0., 1., 1.])
>>> torch.tensor([1, 2]).sin_()
Traceback (most recent call last):
    ...
RuntimeError: result type Float can't be cast to the desired output type Long
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .. import _dtype
from .._errors import arg_error, missing_arguments, no_kernel, not_tensor, type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_state
from . import activation as A
from . import dropout as D
from . import elementwise as E
from . import linalg as L
from . import math as M
from . import reduce as R
from ._apply import _OVERLAP, apply_inplace, broadcast_error, operands, write_into
from .convert import zero_
from .indexing import diagonal
from ._pointwise import _wrap_scalars
from ._scalars import coefficients, scalar_for
from .math_extra import _check_cast, _tensors, gcd_, lcm_, ldexp_
from .products import addmv_
from .shape import _view
from .shape_extra import index_put_

_NUMBERS = (bool, int, float, complex, np.number)


def _no_overload(name: str, other) -> TypeError:
    """PyTorch's refusal of an ``other`` that is neither a tensor nor a number (``x.eq_("a")``)."""
    got = type_name(other)
    why = f"      didn't match because some of the arguments have invalid types: (!{got}!)\n"
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n * (Tensor other)\n{why} * (Number other)\n{why}")


# -- unary: the out-of-place op's Function, written into the input ----------------------------------

def _unary_inplace(name: str, cls) -> Callable:
    """``name`` (e.g. ``"cos_"``): ``cls`` (``Cos``) run in place; integer tensors refuse."""
    def op(input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        return M._unary_(cls, input, floats=True)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"In-place ``torch.{name[:-1]}``: writes the result into ``input`` and returns "
                  f"it (grad_fn ``{cls._name}``).")
    return op


acos_ = _unary_inplace("acos_", M.Acos)
asin_ = _unary_inplace("asin_", M.Asin)
atan_ = _unary_inplace("atan_", M.Atan)
cos_ = _unary_inplace("cos_", M.Cos)
cosh_ = _unary_inplace("cosh_", M.Cosh)
sin_ = _unary_inplace("sin_", M.Sin)
sinh_ = _unary_inplace("sinh_", M.Sinh)
tan_ = _unary_inplace("tan_", M.Tan)
expm1_ = _unary_inplace("expm1_", M.Expm1)
log10_ = _unary_inplace("log10_", M.Log10)
log1p_ = _unary_inplace("log1p_", M.Log1p)
log2_ = _unary_inplace("log2_", M.Log2)
rsqrt_ = _unary_inplace("rsqrt_", M.Rsqrt)
arccos_, arcsin_, arctan_ = acos_, asin_, atan_


# -- comparisons: the result (True/False) in the tensor's own dtype, a zero gradient ---------------

class _Compare(Function):
    """A comparison written in place: no gradient flows (PyTorch records the node all the same)."""
    _raw = True

    @staticmethod
    def backward(ctx, g):
        zero = np.zeros_like(g)
        return zero, (zero if ctx.needs_input_grad[1] else None)


def _compare_nodes(op: str, ufunc) -> tuple:
    """The nodes of ``op`` (``"Eq"``) with a number (``EqBackward0``) and a tensor (``...1``)."""
    def forward(ctx, x, y):
        return ufunc(x, y)
    return tuple(type(f"{op}{kind}", (_Compare,), {"_raw": True, "_name": f"{op}Backward{i}",
                                                   "forward": staticmethod(forward)})
                 for i, kind in enumerate(("Scalar", "Tensor")))


def _compare_inplace(name: str, nodes: tuple) -> Callable:
    scalar_node, tensor_node = nodes
    kernel = scalar_node._name[:2].lower() + "_cpu"
    ordered = kernel[0] in "lg"                 # complex numbers have no order

    def op(input: Tensor, other) -> Tensor:
        try:
            ta, tb, x, y = operands(input, other)
        except TypeError:
            raise _no_overload(name, other) from None
        if ordered and "c" in (x.dtype.kind, np.asarray(y).dtype.kind):
            raise no_kernel(kernel, np.result_type(x, y))
        try:
            return apply_inplace(scalar_node if tb is None else tensor_node, input, (ta, tb), (x, y))
        except ValueError:
            raise broadcast_error(x, y) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"In-place ``{name[:-1]}``: 1 where it holds, 0 elsewhere, in ``input``'s own "
                  "dtype.")
    return op


_EQ, _NE = _compare_nodes("Eq", np.equal), _compare_nodes("Ne", np.not_equal)
_LT, _LE = _compare_nodes("Lt", np.less), _compare_nodes("Le", np.less_equal)
_GT, _GE = _compare_nodes("Gt", np.greater), _compare_nodes("Ge", np.greater_equal)
eq_ = _compare_inplace("eq_", _EQ)
ne_ = _compare_inplace("ne_", _NE)
lt_ = _compare_inplace("lt_", _LT)
le_ = _compare_inplace("le_", _LE)
gt_ = _compare_inplace("gt_", _GT)
ge_ = _compare_inplace("ge_", _GE)
greater_ = _compare_inplace("greater_", _GT)
greater_equal_ = _compare_inplace("greater_equal_", _GE)
less_ = _compare_inplace("less_", _LT)
less_equal_ = _compare_inplace("less_equal_", _LE)
not_equal_ = _compare_inplace("not_equal_", _NE)


# -- logical and bitwise: no autograd at all (PyTorch neither records nor refuses) ------------------

def _logical_inplace(name: str, out_of_place) -> Callable:
    def op(input: Tensor, other: Tensor) -> Tensor:
        _tensors(name, input, other)
        write_into(input, out_of_place(input, other)._data)
        return input
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place ``{name[:-1]}``: the truth values, in ``input``'s own dtype."
    return op


def _bitwise_inplace(name: str, ufunc) -> Callable:
    def op(input: Tensor, other) -> Tensor:
        try:
            _, _, x, y = operands(input, other)
        except TypeError:
            raise _no_overload(name, other) from None
        _check_cast(x.dtype, input)         # int_tensor.bitwise_and_(1.5): the cast error first
        if x.dtype.kind in "fc":
            raise no_kernel(f"{name[:-1]}_cpu", x.dtype)
        try:
            result = ufunc(x, y)
        except OverflowError:               # uint8 | 300: the number wraps to the tensor's dtype
            result = ufunc(*_wrap_scalars(x, y))
        except ValueError:
            raise broadcast_error(x, y) from None
        write_into(input, result)
        return input
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place ``{name[:-1]}`` (integer and bool tensors)."
    return op


logical_and_ = _logical_inplace("logical_and_", E.logical_and)
logical_or_ = _logical_inplace("logical_or_", E.logical_or)
logical_xor_ = _logical_inplace("logical_xor_", E.logical_xor)
bitwise_and_ = _bitwise_inplace("bitwise_and_", np.bitwise_and)
bitwise_or_ = _bitwise_inplace("bitwise_or_", np.bitwise_or)
bitwise_xor_ = _bitwise_inplace("bitwise_xor_", np.bitwise_xor)


# -- binary arithmetic -----------------------------------------------------------------------------

def fmod_(input: Tensor, other) -> Tensor:
    """In-place ``fmod`` (the result has the sign of ``input``).

    >>> import numtorch as torch
    >>> torch.tensor([5.0, -7.0]).fmod_(3)
    tensor([ 2., -1.])
    """
    if isinstance(other, Tensor):
        return E._binary_(E.Fmod, input, other)
    if not isinstance(other, _NUMBERS):
        raise _no_overload("fmod_", other)
    return E._binary_(E.FmodScalar, input, other)


def atan2_(input: Tensor, other: Tensor) -> Tensor:
    """In-place ``atan2(input, other)``.

    >>> import numtorch as torch
    >>> torch.tensor([1.0, -1.0]).atan2_(torch.tensor([1.0, 1.0]))
    tensor([ 0.7854, -0.7854])
    """
    _tensors("atan2_", input, other)
    ta, tb, x, y = operands(input, other)
    if x.dtype.kind not in "fc":        # atan2_ on an integer tensor: the cast error
        x = x.astype(_dtype.get_default_dtype().np)
        y = y.astype(x.dtype)
    try:
        return apply_inplace(M.Atan2, input, (ta, tb), (x, y))
    except ValueError:
        raise broadcast_error(x, y) from None


def divide_(input: Tensor, other, *, rounding_mode=None) -> Tensor:
    """In-place ``divide`` (``div_``); ``rounding_mode='floor'`` records ``DivBackward2``.

    >>> import numtorch as torch
    >>> torch.tensor([5.0, -7.0]).divide_(2, rounding_mode="floor")
    tensor([ 2., -4.])
    """
    return E.div_(input, other, rounding_mode=rounding_mode)


def true_divide_(input: Tensor, other, **kwargs) -> Tensor:
    """In-place true division (``div_`` without a rounding mode)."""
    if kwargs:
        got = ", ".join([type_name(other)] + [f"{k}={type_name(v)}" for k, v in kwargs.items()])
        raise TypeError(f"true_divide_() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n * (Tensor other)\n * (Number other)\n")
    return E.div_(input, other)


arctan2_ = atan2_
multiply_, subtract_ = E.mul_, E.sub_


# -- cumulative ------------------------------------------------------------------------------------

class _CumsumScalar(R.Cumsum):
    """``cumsum_`` of a 0-d tensor: itself."""
    _raw = True
    _name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, axis, dtype):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return (g,)


class _CumprodScalar(_CumsumScalar):
    _raw = True
    _name = "CumprodBackward0"


def _cumulative_args(name: str, input: Tensor, dim, dtype):
    """The array, its axis and the checks PyTorch makes before a cumulative op in place."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise arg_error(name, "dim", 1, "int", dim)
    x = input._data
    axis = _wrap_dim(int(dim), x.ndim)
    if dtype is not None and dtype.np != x.dtype:
        raise RuntimeError(f"Bad in-place call: input tensor dtype {_dtype.cpp_name(input.dtype)} "
                           f"and output tensor dtype {_dtype.cpp_name(dtype)} should match")
    if x.dtype == np.bool_:
        raise no_kernel(f"{name[:-1]}_out_cpu", x.dtype)
    return x, axis


def cumsum_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """In-place ``cumsum`` along ``dim`` (``dtype``, if given, must be the tensor's own).

    >>> import numtorch as torch
    >>> torch.tensor([1, 2, 3]).cumsum_(0)
    tensor([1, 3, 6])
    """
    x, axis = _cumulative_args("cumsum_", input, dim, dtype)
    cls = _CumsumScalar if x.ndim == 0 else R.Cumsum
    return apply_inplace(cls, input, (input,), (x,), axis, None)


def cumprod_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """In-place ``cumprod`` along ``dim`` (``dtype``, if given, must be the tensor's own).

    >>> import numtorch as torch
    >>> torch.tensor([1.0, 2.0, 3.0]).cumprod_(0)
    tensor([1., 2., 6.])
    """
    x, axis = _cumulative_args("cumprod_", input, dim, dtype)
    if x.ndim == 0:
        return apply_inplace(_CumprodScalar, input, (input,), (x,), axis, None)
    return apply_inplace(R.Cumprod, input, (input,), (x,), axis)


# -- addmm_, fill_diagonal_ ------------------------------------------------------------------------

def _shape_text(shape) -> str:
    return "x".join(map(str, shape))


def addmm_(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``input = beta * input + alpha * (mat1 @ mat2)`` in place (``AddmmBackward0``).

    >>> import numtorch as torch
    >>> torch.ones(2, 2).addmm_(torch.eye(2), torch.full((2, 2), 3.0), beta=0.5)
    tensor([[3.5000, 3.5000],
            [3.5000, 3.5000]])
    """
    for arg, m, pos in (("mat1", mat1, 1), ("mat2", mat2, 2)):
        if not isinstance(m, Tensor):
            raise not_tensor("addmm_", m, arg, pos)
    a, b, c = mat1._data, mat2._data, input._data
    for arg, m in (("mat1", a), ("mat2", b)):
        if m.ndim != 2:
            raise RuntimeError(f"{arg} must be a matrix, got {m.ndim}-D tensor")
    for first, m in (("self", c), ("mat1", a)):
        if m.dtype != b.dtype:
            raise RuntimeError(f"{first} and mat2 must have the same dtype, but got "
                               f"{_dtype.legacy_name_np(m.dtype)} and "
                               f"{_dtype.legacy_name_np(b.dtype)}")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_text(a.shape)} "
                           f"and {_shape_text(b.shape)})")
    if c.shape != (a.shape[0], b.shape[1]):
        raise RuntimeError(f"Bad in-place call: input tensor size {list(c.shape)} and output "
                           f"tensor size {[a.shape[0], b.shape[1]]} should match")
    # PyTorch's checks of the numbers (truncated for integer tensors); Addmm ignores the input
    # when beta == 0, NaN and inf included
    beta, alpha = coefficients("addmm_", b.dtype, beta, alpha, "addmm_impl_cpu_")
    return apply_inplace(L.Addmm, input, (input, mat1, mat2), (c, a, b), beta, alpha)


class _WrapDiagonal(Function):
    """The view ``x.flatten()[start::step]`` of a C-contiguous matrix: the wrapped part of a tall
    matrix's diagonal (``fill_diagonal_(v, wrap=True)``)."""
    _raw = True
    _name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, start, step):
        ctx.shape, ctx.start, ctx.step = x.shape, start, step
        return x.reshape(-1)[start::step]

    @staticmethod
    def backward(ctx, g):
        out = np.zeros(ctx.shape, g.dtype)
        view = out.reshape(-1)
        view[ctx.start::ctx.step] = g
        return (out,)


def _fill_value(value, dt: np.dtype):
    """``fill_diagonal_``'s number, checked and converted to ``dt``."""
    if isinstance(value, Tensor) and value._data.ndim == 0:     # a 0-d tensor is a number here
        value = value._data.item()
    if not isinstance(value, (bool, int, float, complex, np.number)):
        raise arg_error("fill_diagonal_", "fill_value", 1, "Number", value)
    return scalar_for(dt, value)                 # (-1 in uint8: 255)


def fill_diagonal_(input: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (``input[i, i, ...]``) with ``fill_value``; ``wrap=True`` carries a
    tall matrix's diagonal on after every ``N + 1`` rows, as NumPy's ``fill_diagonal`` does.

    >>> import numtorch as torch
    >>> torch.zeros(4, 2).fill_diagonal_(1.0, wrap=True)
    tensor([[1., 0.],
            [0., 1.],
            [0., 0.],
            [1., 0.]])
    """
    x = input._data
    value = _fill_value(fill_value, x.dtype)
    if x.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if x.ndim > 2 and len(set(x.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    rows, cols = x.shape[0], x.shape[-1]
    wraps = wrap and x.ndim == 2 and rows > cols + 1      # PyTorch writes that part separately
    if not x.flags.writeable:              # an expanded tensor (PyTorch writes the shared memory)
        raise RuntimeError(_OVERLAP)
    if not (_grad_state[0] and input.requires_grad):
        np.fill_diagonal(x[:min(rows, cols)], value)
        input._vc[0] += 1
        if wraps:
            np.fill_diagonal(x[cols + 1:], value, wrap=True)
            input._vc[0] += 1
        return input
    # with autograd: fill views of the diagonal, so that the base records CopySlices
    diag = input
    for _ in range(x.ndim - 1):
        diag = diagonal(diag, 0, 0, 1) if diag is input else diagonal(diag, 0, 0, -1)
    diag.fill_(value)
    if wraps:
        if x.flags.c_contiguous:
            _view(_WrapDiagonal, input, x, cols * (cols + 1), cols + 1).fill_(value)
        else:
            for start in range(cols + 1, rows, cols + 1):
                diagonal(input[start:], 0, 0, 1).fill_(value)
    return input


# -- torch.* in-place forms of activations, dropout, conj_physical --------------------------------

def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu`` (``F.celu(input, alpha, inplace=True)``; grad_fn ``CeluBackward1``).

    >>> import numtorch as torch
    >>> torch.celu_(torch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("celu_", input)
    return A.celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu`` (grad_fn ``EluBackward1``).

    >>> import numtorch as torch
    >>> torch.selu_(torch.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("selu_", input)
    return A.selu(input, inplace=True)


_REQUIRED = object()


def dropout_(input: Tensor, p: float = _REQUIRED, train: bool = _REQUIRED) -> Tensor:
    """``torch.dropout_(input, p, train)``: dropout written into ``input``.

    >>> import numtorch as torch
    >>> torch.dropout_(torch.ones(2), 0.5, False)
    tensor([1., 1.])
    """
    missing = [n for n, v in (("p", p), ("train", train)) if v is _REQUIRED]
    if missing:
        raise missing_arguments("dropout_", missing)
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return D.dropout(input, p, train, inplace=True)


class ConjPhysicalInplace(Function):
    """``conj_physical_``: conjugates complex tensors; a real tensor is written unchanged."""
    _raw = True
    _name = "ConjPhysicalBackward1"
    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        return np.conj(x)

    @staticmethod
    def backward(ctx, g):
        return (np.conj(g),)


def conj_physical_(input: Tensor) -> Tensor:
    """Conjugate in place (a real tensor stays as it is, its version still counts the write).

    >>> import numtorch as torch
    >>> torch.conj_physical_(torch.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("conj_physical_", input)
    return apply_inplace(ConjPhysicalInplace, input, (input,), (input._data,))


__all__ = ["acos_", "asin_", "atan_", "arccos_", "arcsin_", "arctan_", "cos_", "cosh_", "sin_",
           "sinh_", "tan_", "expm1_", "log10_", "log1p_", "log2_", "rsqrt_", "addmv_",
           "index_put_", "zero_", "celu_", "selu_", "dropout_", "conj_physical_", "gcd_", "lcm_",
           "ldexp_"]
