"""Complex tensors' own ops: ``real``, ``imag``, ``conj``, ``angle``, ``view_as_real``,
``view_as_complex``, ``torch.complex``, ``torch.polar``.

Gradients follow PyTorch's convention for a real loss ``L`` of a complex ``z``: the gradient is
``dL/dRe(z) + i dL/dIm(z)`` (so ``z.imag``'s gradient is ``i g``, ``conj``'s is ``conj(g)``), and
a real input receives the real part of what flows back to it.

>>> import numtorch as torch
>>> z = torch.complex(torch.tensor([1.0, 3.0]), torch.tensor([2.0, -1.0]))
>>> z
tensor([1.+2.j, 3.-1.j])
>>> z.real, z.imag
(tensor([1., 3.]), tensor([ 2., -1.]))
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.engine import check_complex_below
from ..autograd.function import Function
from ._apply import apply
from ._tensor_array import TensorArray

_make = Tensor._make


def _complex_of(real_np: np.dtype) -> np.dtype:
    return np.complex128 if real_np == np.float64 else np.complex64


def _traced(*values) -> bool:
    return any(type(v) is TensorArray for v in values)


def _tensor(v) -> Tensor:
    return v.t if type(v) is TensorArray else _make(np.asarray(v))


# The helpers below compute the same values on arrays (NumPy) and on traced gradients
# (create_graph: this module's ops, recorded).

def real_(z):
    if type(z) is not TensorArray:
        return np.ascontiguousarray(z.real) if z.dtype.kind == "c" else z
    return TensorArray(real(z.t))


def imag_(z):
    if type(z) is not TensorArray:
        return np.ascontiguousarray(z.imag)
    return TensorArray(imag(z.t))


def conj_(z):
    if type(z) is not TensorArray:
        return np.conjugate(z) if z.dtype.kind == "c" else z
    return TensorArray(conj_physical(z.t)) if z.dtype.kind == "c" else z


def complex_(re, im):
    """``re + i im`` from real arrays of one dtype."""
    if not _traced(re, im):
        out = np.empty(np.broadcast_shapes(re.shape, im.shape), _complex_of(re.dtype))
        out.real, out.imag = re, im
        return out
    return TensorArray(complex(_tensor(re), _tensor(im)))


# -- real / imag --------------------------------------------------------------------------------

class Real(Function):
    """``z.real``: a view of the real parts (PyTorch shows the node of the ``select`` it uses)."""
    _raw = True
    _name = "SelectBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, z):
        return z.real

    @staticmethod
    def backward(ctx, g):
        check_complex_below(ctx)                # complex gradients from here down
        return (complex_(g, np.zeros_like(g)),)


class Imag(Function):
    _raw = True
    _name = "SelectBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, z):
        return z.imag

    @staticmethod
    def backward(ctx, g):                       # d/dIm: the gradient is i g
        check_complex_below(ctx)
        return (complex_(np.zeros_like(g), g),)


def real(input: Tensor) -> Tensor:
    """The real parts (a view); a real tensor itself."""
    if input._data.dtype.kind != "c":
        return input
    return apply(Real, (input,), (input._data,))


def imag(input: Tensor) -> Tensor:
    """The imaginary parts (a view) of a complex tensor."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return apply(Imag, (input,), (input._data,))


# -- conj -----------------------------------------------------------------------------------------

class Conj(Function):
    _raw = True
    _name = "ConjBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, z):
        return np.conjugate(z)

    @staticmethod
    def backward(ctx, g):
        return (conj_(g),)


class ConjPhysical(Conj):
    _raw = True
    _name = "ConjPhysicalBackward0"


def conj(input: Tensor) -> Tensor:
    """The complex conjugate (a real tensor itself)."""
    if input._data.dtype.kind != "c":
        return input
    return apply(Conj, (input,), (input._data,))


def conj_physical(input: Tensor) -> Tensor:
    if input._data.dtype.kind != "c":
        return input
    return apply(ConjPhysical, (input,), (input._data,))


def resolve_conj(input: Tensor) -> Tensor:
    """numtorch never keeps a lazy conjugate bit: the tensor itself."""
    return input


resolve_neg = resolve_conj


def is_conj(input: Tensor) -> bool:
    return False


def is_complex(input: Tensor) -> bool:
    return input._data.dtype.kind == "c"


# -- angle ----------------------------------------------------------------------------------------

class Angle(Function):
    _raw = True
    complex_grad = True
    saves = (0,)
    saved_inputs = ("z",)

    @staticmethod
    def forward(ctx, z):
        ctx.z = z
        out = np.angle(z)
        return out.astype(z.real.dtype) if z.dtype.kind == "c" else out.astype(z.dtype)

    @staticmethod
    def backward(ctx, g):
        z = ctx.z
        if z.dtype.kind != "c":                  # 0 or pi: piecewise constant
            return (np.zeros_like(g),)
        check_complex_below(ctx)
        x, y = real_(z), imag_(z)
        r2 = x * x + y * y
        safe = np.where(r2 == 0, 1, r2)
        # d angle = (x dy - y dx) / |z|²: the gradient is g (-y + i x) / |z|²
        return (complex_(np.where(r2 == 0, 0, -g * y / safe), np.where(r2 == 0, 0, g * x / safe)),)


def angle(input: Tensor) -> Tensor:
    """The argument of each element (radians; 0 or pi for real tensors)."""
    if input._data.dtype.kind in "biu":
        return apply(Angle, (input,), (input._data.astype(_dtype.get_default_dtype().np),))
    return apply(Angle, (input,), (input._data,))


# -- view_as_real / view_as_complex / complex / polar ---------------------------------------------

class ViewAsReal(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, z):
        return np.stack([z.real, z.imag], -1)

    @staticmethod
    def backward(ctx, g):
        check_complex_below(ctx)
        return (complex_(g[..., 0], g[..., 1]),)


class ViewAsComplex(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        return complex_(x[..., 0], x[..., 1])

    @staticmethod
    def backward(ctx, g):
        return (np.stack([real_(g), imag_(g)], -1),)


def view_as_real(input: Tensor) -> Tensor:
    """A complex tensor's values as a real tensor with a last dimension (real, imag)."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return apply(ViewAsReal, (input,), (input._data,))


def view_as_complex(input: Tensor) -> Tensor:
    """A real tensor whose last dimension is (real, imag), as a complex tensor."""
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError("view_as_complex is only supported for half, float and double tensors, "
                           f"but got a tensor of scalar type: {_dtype.legacy_name_np(x.dtype)}")
    if x.dtype == np.float16:
        raise RuntimeError("numtorch has no complex32 (ComplexHalf) tensors: NumPy has no such "
                           "dtype; use float32 or float64")
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    return apply(ViewAsComplex, (input,), (x,))


class Complex(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, re, im):
        return complex_(re, im)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return real_(g) if need[0] else None, imag_(g) if need[1] else None


def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:
    """The complex tensor ``real + i imag`` (float -> complex64, double -> complex128).

    >>> import numtorch as torch
    >>> torch.complex(torch.tensor([1.0]), torch.tensor([-2.0]))
    tensor([1.-2.j])
    """
    a, b = real._data, imag._data
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_dtype.legacy_name_np(a.dtype)} and {_dtype.legacy_name_np(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_dtype.legacy_name_np(a.dtype)} but "
                           f"got scalar type {_dtype.legacy_name_np(b.dtype)} for second argument")
    res = apply(Complex, (real, imag), (a, b))
    if out is not None:
        from ._apply import write_out
        return write_out("complex", res, out)
    return res


class Polar(Function):
    _raw = True
    complex_grad = True
    saves = (0, 1)
    saved_inputs = ("r", "theta")

    @staticmethod
    def forward(ctx, r, theta):
        ctx.r, ctx.theta = r, theta
        return complex_(r * np.cos(theta), r * np.sin(theta))

    @staticmethod
    def backward(ctx, g):
        r, theta = ctx.r, ctx.theta
        gre, gim = real_(g), imag_(g)
        c, s = np.cos(theta), np.sin(theta)
        need = ctx.needs_input_grad
        return (gre * c + gim * s if need[0] else None,
                r * (gim * c - gre * s) if need[1] else None)


def polar(abs: Tensor, angle: Tensor, *, out=None) -> Tensor:
    """The complex tensor with absolute values ``abs`` and arguments ``angle``."""
    a, b = abs._data, angle._data
    if a.dtype != b.dtype or a.dtype.kind != "f":
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_dtype.legacy_name_np(a.dtype)} and {_dtype.legacy_name_np(b.dtype)}")
    res = apply(Polar, (abs, angle), (a, b))
    if out is not None:
        from ._apply import write_out
        return write_out("polar", res, out)
    return res


class tensor_methods:
    """``Tensor``'s complex methods and the ``real`` / ``imag`` properties, read by
    ``_tensor_methods``' table."""
    real = property(real)
    imag = property(imag)
    conj, conj_physical, resolve_conj, resolve_neg = conj, conj_physical, resolve_conj, resolve_neg
    is_conj, angle = is_conj, angle

