"""Operand handling shared by the pointwise ops (``elementwise.py``: arithmetic and comparisons;
``math.py``: math functions): a Tensor and a Tensor or Python number in, one node out.

Gradients are written for same-shape operands: the engine sums them back to each input's
shape (un-broadcasting happens in one place).
"""
from __future__ import annotations

import sys as _sys

import numpy as np

from .._errors import bad_operand
from .._tensor import Tensor
from ._apply import apply, apply2, operands, broadcast_error


def _binary(cls, a, b, *params):
    if isinstance(b, Tensor) and isinstance(a, Tensor) and a._data.dtype is b._data.dtype:
        ta, tb, x, y = a, b, a._data, b._data        # the common case, without the promotion step
    elif type(b) is float and isinstance(a, Tensor) and a._data.dtype.kind == "f":
        ta, tb, x, y = a, None, a._data, b           # float tensor and Python float: no promotion
    else:
        try:
            ta, tb, x, y = operands(a, b)
        except TypeError:
            return bad_operand(_sys._getframe(1).f_code.co_name, a, b, Tensor)
    try:
        return apply2(cls, ta, tb, x, y, *params)
    except ValueError:
        raise broadcast_error(x, y) from None
    except OverflowError:            # uint8 + 300: the scalar wraps into the tensor's dtype
        x, y = _wrap_scalars(x, y)
        return apply(cls, (ta, tb), (x, y), *params)


def _wrap_scalars(x, y):
    if isinstance(x, np.ndarray):
        return x, np.array(y).astype(x.dtype)
    return np.array(x).astype(y.dtype), y
