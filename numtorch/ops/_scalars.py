"""A Python number written into a tensor of a given dtype, checked as PyTorch checks it.

``fill_``, ``torch.fill``, ``full``, ``full_like``, ``new_full``, ``masked_fill``, ``index_fill``
and ``fill_diagonal_`` convert their number with :func:`scalar_for`: a value that does not fit
raises PyTorch's ``RuntimeError: value cannot be converted to type uint8_t without overflow``
instead of NumPy's OverflowError or a silent wrap.

>>> import numpy as np
>>> scalar_for(np.dtype(np.uint8), -1)          # integers wrap as in C, down to minus the max
np.uint8(255)
>>> scalar_for(np.dtype(np.uint8), 300)
Traceback (most recent call last):
    ...
RuntimeError: value cannot be converted to type uint8_t without overflow
"""
from __future__ import annotations

import numpy as np

from .._errors import type_name
from .._tensor import Tensor

# the C type names PyTorch's "value cannot be converted" message shows
C_TYPES = {"bool": "bool", "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t",
           "int32": "int", "int64": "int64_t", "uint16": "uint16_t", "uint32": "uint32_t",
           "uint64": "uint64_t", "float16": "c10::Half", "float32": "float", "float64": "double",
           "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}

# what PyTorch's argument parser takes for a Number
NUMBER_TYPES = (int, float, complex, np.number, np.bool_)


# the largest finite float16, float32, float64 by item size
_FLOAT_MAX = {2: float(np.finfo(np.float16).max), 4: float(np.finfo(np.float32).max),
              8: float(np.finfo(np.float64).max)}
_INF = float("inf")


def overflow_error(npd: np.dtype) -> RuntimeError:
    """PyTorch's refusal of a number that does not fit ``npd``."""
    return RuntimeError(f"value cannot be converted to type {C_TYPES.get(npd.name, npd.name)} "
                        "without overflow")


def scalar_for(npd: np.dtype, value, numel: int = 2):
    """``value`` (a Python or NumPy number) as a NumPy scalar of ``npd``, or PyTorch's
    ``RuntimeError`` when it does not fit: out of range (``300`` or ``-0.5`` into uint8, ``1e39``
    into float32), NaN or inf into an integer dtype, a complex number with an imaginary part into
    a real dtype. A Python int beyond 64 bits raises PyTorch's ``OverflowError``. Integers wrap
    as PyTorch lets them (``-1`` into uint8 is 255); floats into integers truncate; anything
    goes into bool. ``numel``: the elements filled (PyTorch does not check a float16 value that
    fills one element).

    >>> import numpy as np
    >>> scalar_for(np.dtype(np.int64), -2.7), scalar_for(np.dtype(np.float32), 2 + 0j)
    (np.int64(-2), np.float32(2.0))
    """
    kind = npd.kind
    if kind == "f" and value.__class__ is float:        # the common case, kept short
        if abs(value) <= _FLOAT_MAX[npd.itemsize] or value != value or abs(value) == _INF or \
                (numel == 1 and npd.itemsize == 2):
            return npd.type(value)
        raise overflow_error(npd)
    if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError("can't convert negative int to unsigned" if value < 0
                            else "int too big to convert")
    if kind == "b":
        return np.bool_(value != 0)
    if isinstance(value, (complex, np.complexfloating)) and kind != "c":
        if value.imag != 0:                 # (NaN included)
            raise overflow_error(npd)
        value = float(value.real)
    if kind in "iu":
        info = np.iinfo(npd)
        if isinstance(value, (float, np.floating)):
            # NaN compares False; a float must lie in the range, a negative one too
            if not info.min <= value <= info.max:
                raise overflow_error(npd)
        elif not (-int(info.max) if kind == "u" else int(info.min)) <= value <= info.max:
            raise overflow_error(npd)
        return np.array(int(value)).astype(npd)[()]     # (-1 in uint8: 255, as C wraps it)
    if not (npd.itemsize == 2 and numel == 1):
        big = _FLOAT_MAX[npd.itemsize // 2 if kind == "c" else npd.itemsize]
        for part in ((value.real, value.imag) if kind == "c" else (value,)):
            f = float(part)
            if f == f and abs(f) > big and abs(f) != _INF:
                raise overflow_error(npd)
    return np.array(value, npd)[()]


def coefficients(fn: str, npd: np.dtype, beta, alpha, kernel: str | None = None):
    """``beta`` and ``alpha`` of a fused product (``addmm``, ``addmv``, ``addr``, ``baddbmm``,
    ``addbmm``) as NumPy scalars of the operands' dtype ``npd``, with PyTorch's checks: a
    float is truncated for integer tensors (``addr`` refuses it), a number that does not fit
    raises, and a bool product has no kernel (``kernel``: PyTorch's kernel name in that
    error; ``addr`` has one and computes with logical and/or).

    >>> import numpy as np
    >>> coefficients("addmm", np.dtype(np.int64), 0.5, 2)
    (np.int64(0), np.int64(2))
    """
    if npd.kind == "b" and kernel:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    if isinstance(beta, Tensor) and beta._data.ndim == 0:      # a 0-d tensor is a Number
        beta = beta._data.item()
    if isinstance(alpha, Tensor) and alpha._data.ndim == 0:
        alpha = alpha._data.item()
    for name, v in (("beta", beta), ("alpha", alpha)):
        if not isinstance(v, NUMBER_TYPES):
            if fn in ("addmm", "baddbmm"):      # (these have a second, out_dtype overload)
                m1, m2 = ("mat1", "mat2") if fn == "addmm" else ("batch1", "batch2")
                sig = (f"(Tensor input, Tensor {m1}, Tensor {m2}, *, Number beta = 1, Number "
                       "alpha = 1, Tensor out = None)")
                sig2 = sig.replace("*,", "torch.dtype out_dtype, *,")
                raise TypeError(f"{fn}() received an invalid combination of arguments - got "
                                f"(Tensor, Tensor, Tensor, {name}={type_name(v)}), but "
                                f"expected one of:\n * {sig}\n * {sig2}\n")
            raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type_name(v)}")
        if fn.startswith("addr") and npd.kind in "biu" and \
                isinstance(v, (float, complex, np.floating, np.complexfloating)):
            raise RuntimeError(f"For integral input tensors, argument {name} must not be a "
                               "floating point number.")
    return scalar_for(npd, beta), scalar_for(npd, alpha)
