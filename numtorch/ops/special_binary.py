"""Special pointwise functions of two operands: ``logaddexp``/``logaddexp2``, ``hypot``,
``xlogy``/``xlog1py`` and the Hurwitz ``zeta``; forward and backward side by side. (The
one-tensor ones are in ``special_unary.py``.)

``logaddexp``, ``logaddexp2`` and ``hypot`` take two float tensors; ``xlogy``, ``xlog1py`` and
``zeta`` also take a Python number on either side (with PyTorch's node names ``...Backward1`` /
``...Backward2`` for those) and promote integer operands to the default float dtype.

>>> import numtorch as torch
>>> torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0]))
tensor([0.0000, 2.1972])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._errors import no_kernel, not_tensor, call_site, type_name
from .._tensor import Tensor
from ..autograd.function import Function
from . import _special_kernels as K
from ._apply import apply, apply2, apply_inplace, operands, broadcast_error, _NO_CTX
from ._tensor_array import TensorArray
from .special_unary import _c, _out, _LN2


def _scalar_variants(base, prefix: str, names: tuple):
    """Subclasses of ``base`` for a Python-number ``self`` and ``other``, named ``names``, whose
    nodes are ``<prefix>Backward1`` / ``<prefix>Backward2`` as in PyTorch."""
    return tuple(type(n, (base,), {"_raw": True, "_name": f"{prefix}Backward{i}",
                                   "__module__": __name__}) for i, n in enumerate(names, 1))


def _variant(base, self_scalar, other_scalar, a, b):
    """The node class for operands ``a``, ``b`` (either may be a Python number)."""
    if not isinstance(a, Tensor):
        return self_scalar
    return base if isinstance(b, Tensor) else other_scalar


# -- the nodes -----------------------------------------------------------------------------------

class _Ufunc2(Function):
    """A binary op whose forward is the NumPy function ``ufunc``; keeps both inputs (and the
    output as ``ctx.out`` when ``saves_output``). Subclasses write ``backward``."""
    _raw = True
    saves = (0, 1)

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.x, ctx.y = x, y
        out = cls.ufunc(x, y)
        if cls.saves_output:
            ctx.out = out
        return out


class Logaddexp(_Ufunc2):
    ufunc = staticmethod(np.logaddexp)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        return g / (1 + np.exp(y - x)), g / (1 + np.exp(x - y))


class Logaddexp2(_Ufunc2):
    ufunc = staticmethod(np.logaddexp2)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        ln2 = _c(x, _LN2)
        return g / (1 + np.exp((y - x) * ln2)), g / (1 + np.exp((x - y) * ln2))


class Hypot(_Ufunc2):
    saves_output = True
    ufunc = staticmethod(np.hypot)

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return g * ctx.x / out, g * ctx.y / out


def _const(v):
    return v.t._data if type(v) is TensorArray else v


def _k2(kernel, x, y):
    """A two-argument float64 kernel, the result in the operands' (common) dtype."""
    dt = np.result_type(x, y)
    out = kernel(np.asarray(x, np.float64), np.asarray(y, np.float64))
    return np.asarray(out).astype(dt, copy=False)


class Zeta(Function):
    """The Hurwitz zeta function; PyTorch defines no derivative in ``x``, and
    ``d/dq zeta(x, q) = -x zeta(x + 1, q)``."""
    _raw = True
    _name = "SpecialZetaBackward0"
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, q):
        ctx.x, ctx.y = x, q
        return _k2(K.zeta, x, q)

    @staticmethod
    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = ctx.x, ctx.y
        if type(q) is TensorArray:
            shift = TensorArray(apply(Zeta, (None, q.t), (_const(x) + 1, q.t._data)))
        else:
            shift = Zeta.forward(_NO_CTX, x + 1, q)
        return None, g * -x * shift


ZetaSelfScalar, ZetaOtherScalar = _scalar_variants(
    Zeta, "SpecialZeta", ("ZetaSelfScalar", "ZetaOtherScalar"))


class Xlogy(Function):
    """``x * log(y)``, 0 where ``x == 0`` unless ``y`` is nan."""
    _raw = True
    saves = (0, 1)
    _log = staticmethod(np.log)
    _offset = False                 # xlog1py: the derivative in y is x / (1 + y)

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.x, ctx.y = x, y
        zero = (x == 0) & ~np.isnan(y)
        return np.where(zero, _c(x, 0), x * cls._log(y))

    @classmethod
    def backward(cls, ctx, g):
        x, y = ctx.x, ctx.y
        gx = gy = None
        if ctx.needs_input_grad[0]:                # log(y), 0 where x == 0 and y <= 0 (-1)
            zero = (x == 0) & (y <= (-1 if cls._offset else 0))
            gx = g * np.where(zero, _c(y, 0), cls._log(y))
        if ctx.needs_input_grad[1]:
            gy = g * x / (y + 1) if cls._offset else g * x / y
        return gx, gy


class Xlog1py(Xlogy):
    """``x * log1p(y)``, 0 where ``x == 0`` unless ``y`` is nan."""
    _raw = True
    _name = "SpecialXlog1PyBackward0"
    _log = staticmethod(np.log1p)
    _offset = True


XlogyScalarSelf, XlogyScalarOther = _scalar_variants(
    Xlogy, "Xlogy", ("XlogyScalarSelf", "XlogyScalarOther"))
Xlog1pyScalarSelf, Xlog1pyScalarOther = _scalar_variants(
    Xlog1py, "SpecialXlog1Py", ("Xlog1pyScalarSelf", "Xlog1pyScalarOther"))


# -- operands ------------------------------------------------------------------------------------

def overload_error(fn: str, got, overloads: str) -> TypeError:
    """PyTorch's multi-line overload mismatch: ``fn() received an invalid combination of
    arguments - got (int, int), but expected one of:\n * (...)\n``; ``got``: the values, or the
    description itself."""
    if not isinstance(got, str):
        got = ", ".join(type_name(v) for v in got)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:{overloads}")


def _tensors_only(fn: str, a, b):
    """The two tensors of an op without Number overloads (``logaddexp``, ``hypot``)."""
    if not isinstance(a, Tensor):
        raise not_tensor(fn, a)
    if not isinstance(b, Tensor):
        method = call_site() == 1                    # ``t.hypot(2.0)``: other is argument 1
        raise not_tensor(fn, b, "other", 1 if method else 2)
    ta, tb, x, y = operands(a, b)
    if x.dtype.kind not in "fc":
        raise NotImplementedError(f'"{fn}_cpu" not implemented for '
                                  f"'{_dtype.legacy_name_np(x.dtype)}'")
    return ta, tb, x, y


def _apply2(cls, ta, tb, x, y):
    try:
        return apply2(cls, ta, tb, x, y)
    except ValueError:
        raise broadcast_error(x, y) from None


_OVERLOADS = ("\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
              " * (Number self, Tensor other, *, Tensor out = None)\n"
              " * (Tensor input, Number other, *, Tensor out = None)\n")


def _float_binary(cls, a, b, fn: str, inplace: bool = False):
    """Tensor/Number operands promoted as PyTorch does, then to the default float dtype when
    integral (``xlogy``, ``xlog1py``, ``zeta``)."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise overload_error(fn, (a, b), _OVERLOADS)
    try:
        ta, tb, x, y = operands(a, b)
    except TypeError:
        raise overload_error(fn, (a, b), _OVERLOADS) from None
    d = np.result_type(x, y)                 # a Python number takes the tensor's dtype
    if d.kind == "c":                        # PyTorch has no complex kernels for these
        raise no_kernel(fn.replace("special_", "").rstrip("_") + "_cpu", d)
    if d.kind not in "fc":
        d = _dtype.get_default_dtype().np
    x, y = np.asarray(x, d), np.asarray(y, d)
    if inplace:
        return apply_inplace(cls, a, (ta, tb), (x, y))
    return _apply2(cls, ta, tb, x, y)


# -- the public functions ------------------------------------------------------------------------

def _public2(cls, name: str, summary: str, call: str, result: str):
    """The public op ``name(input, other, *, out=None)`` of two float tensors; its docstring is
    ``summary`` and the example ``call`` -> ``result``."""
    def op(input, other, *, out=None) -> Tensor:
        return _out(name, _apply2(cls, *_tensors_only(name, input, other)), out)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{summary}\n\n    >>> import numtorch as torch\n    >>> {call}\n"
                  f"    {result}\n    ")
    return op


logaddexp = _public2(Logaddexp, "logaddexp", "``log(exp(x) + exp(y))`` without overflow.",
                     "torch.logaddexp(torch.tensor([0.0, 1000.0]), torch.tensor([0.0, 1000.0]))",
                     "tensor([6.9315e-01, 1.0007e+03])")
logaddexp2 = _public2(Logaddexp2, "logaddexp2", "``log2(2^x + 2^y)`` without overflow.",
                      "torch.logaddexp2(torch.tensor([1.0]), torch.tensor([1.0]))", "tensor([2.])")
hypot = _public2(Hypot, "hypot", "``sqrt(x^2 + y^2)`` without overflow.",
                 "torch.hypot(torch.tensor([3.0]), torch.tensor([4.0]))", "tensor([5.])")


def hypot_(input, other) -> Tensor:
    ta, tb, x, y = _tensors_only("hypot", input, other)
    return apply_inplace(Hypot, input, (ta, tb), (x, y))


def xlogy(input, other, *, out=None) -> Tensor:
    """``x * log(y)``, 0 where ``x == 0`` (unless ``y`` is nan); either may be a number.

    >>> import numtorch as torch
    >>> torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0]))
    tensor([0.0000, 2.1972])
    """
    return _xlogy(input, other, out, "xlogy")


def _xlogy(input, other, out, fn: str) -> Tensor:
    """``xlogy``, its errors naming ``fn`` (``torch.special.xlogy``: ``special_xlogy``)."""
    cls = _variant(Xlogy, XlogyScalarSelf, XlogyScalarOther, input, other)
    return _out("xlogy", _float_binary(cls, input, other, fn), out)


def xlogy_(input, other) -> Tensor:
    cls = Xlogy if isinstance(other, Tensor) else XlogyScalarOther
    return _float_binary(cls, input, other, "xlogy_", inplace=True)


def xlog1py(input, other, *, out=None) -> Tensor:
    """``x * log1p(y)``, 0 where ``x == 0`` (unless ``y`` is nan).

    >>> import numtorch as torch
    >>> torch.special.xlog1py(torch.tensor([0.0, 2.0]), torch.tensor([-1.0, 1.0]))
    tensor([0.0000, 1.3863])
    """
    cls = _variant(Xlog1py, Xlog1pyScalarSelf, Xlog1pyScalarOther, input, other)
    return _out("special_xlog1py", _float_binary(cls, input, other, "special_xlog1py"), out)


def zeta(input, other, *, out=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (other + k)^-input``.

    >>> import numtorch as torch
    >>> torch.special.zeta(torch.tensor([2.0, 4.0]), 1.0)
    tensor([1.6449, 1.0823])
    """
    cls = _variant(Zeta, ZetaSelfScalar, ZetaOtherScalar, input, other)
    return _out("special_zeta", _float_binary(cls, input, other, "special_zeta"), out)
