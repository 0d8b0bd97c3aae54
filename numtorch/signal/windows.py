"""``torch.signal.windows``: SciPy-style window functions (``sym=False`` gives the periodic
window: the symmetric one of ``M + 1`` points without its last).

They are built from numtorch ops on ``torch.linspace`` sample positions, so
``requires_grad=True`` gives a window with a ``grad_fn``, as in PyTorch. The values are the
formulas' in the requested dtype (float32 ones may differ from PyTorch's in the last bit).

>>> import numtorch as torch
>>> torch.signal.windows.gaussian(5, std=1.0)
tensor([0.1353, 0.6065, 1.0000, 0.6065, 0.1353])
>>> torch.signal.windows.hamming(6, sym=False)
tensor([0.0800, 0.3100, 0.7700, 1.0000, 0.7700, 0.3100])
"""
from __future__ import annotations

import math
from typing import Iterable, Optional

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..ops import math as _M, reduce as _R, shape as _S
from ..ops.creation import _finish, linspace
from ..ops.special_unary import i0 as _i0


def _check(name: str, M, dtype, layout):
    """PyTorch's checks of the length, layout and dtype; return the dtype."""
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)):
        raise TypeError(f"linspace() received an invalid combination of arguments - got "
                        f"(M={type(M).__name__})")
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={int(M)}")
    if layout is not None and str(layout) != "torch.strided":
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    dt = dtype if dtype is not None else _dtype.get_default_dtype()
    if str(dt) not in ("torch.float32", "torch.float64"):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dt}")
    return dt


def _trivial(M, dt, device, requires_grad, upto: int = 1) -> Optional[Tensor]:
    """The window of at most ``upto`` points (0 or 1), all ones; None for longer ones."""
    if M > upto:
        return None
    return _finish(np.ones(int(M), dt.np), requires_grad, device)


def _positions(M: int, sym: bool, dt, device, requires_grad, start=None, end=None) -> Tensor:
    """The first ``M`` of the ``N`` equally spaced points from ``start`` to ``end`` (default:
    ``n - (N - 1) / 2``) of the symmetric window, ``N = M`` (``M + 1`` when periodic)."""
    n = M if sym else M + 1
    half = (n - 1) / 2
    a = -half if start is None else start
    b = half if end is None else end
    if not sym:
        b = a + (b - a) * (M - 1) / (n - 1)
    return linspace(a, b, M, dtype=dt, device=device, requires_grad=requires_grad)


def exponential(M: int, *, center: Optional[float] = None, tau: float = 1.0, sym: bool = True,
                dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """``exp(-|n - center| / tau)`` (``center``: the middle; only for ``sym=False``)."""
    dt = _check("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    w = _trivial(M, dt, device, requires_grad, 0)
    if w is not None:
        return w
    c = (M - (1 if sym else 0)) / 2 if center is None else center
    n = linspace(-c, M - 1 - c, M, dtype=dt, device=device, requires_grad=requires_grad)
    return _M.exp(_M.abs(n) * (-1 / tau))


def cosine(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """``sin(pi (n + 1/2) / N)``."""
    dt = _check("cosine", M, dtype, layout)
    w = _trivial(M, dt, device, requires_grad, 0)
    if w is not None:
        return w
    n = M if sym else M + 1
    k = linspace(math.pi * 0.5 / n, math.pi * (M - 0.5) / n, M, dtype=dt, device=device,
                 requires_grad=requires_grad)
    return _M.sin(k)


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype=None, layout=None,
             device=None, requires_grad: bool = False) -> Tensor:
    """``exp(-(n - (N - 1) / 2) ** 2 / (2 std ** 2))``."""
    dt = _check("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    w = _trivial(M, dt, device, requires_grad, 0)
    if w is not None:
        return w
    k = _positions(M, sym, dt, device, requires_grad)
    return (_M.exp(k * k * (-1 / (2 * std * std))))


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype=None, layout=None,
           device=None, requires_grad: bool = False) -> Tensor:
    """``I0(beta sqrt(1 - (2 n / (N - 1) - 1) ** 2)) / I0(beta)``."""
    dt = _check("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    w = _trivial(M, dt, device, requires_grad)
    if w is not None:
        return w
    k = _positions(M, sym, dt, device, requires_grad, -1.0, 1.0)
    arg = _M.sqrt(_M.abs(1 - k * k)) * beta
    scale = _i0(_finish(np.asarray(beta, dt.np), False))
    return (_i0(arg) / scale)


def bartlett(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The triangle ``1 - |2 n / (N - 1) - 1|``."""
    dt = _check("bartlett", M, dtype, layout)
    w = _trivial(M, dt, device, requires_grad)
    if w is not None:
        return w
    k = _positions(M, sym, dt, device, requires_grad, -1.0, 1.0)
    return (1 - _M.abs(k))


def general_cosine(M, *, a: Iterable, sym: bool = True, dtype=None, layout=None, device=None,
                   requires_grad: bool = False) -> Tensor:
    """``sum_i (-1) ** i a[i] cos(2 pi i n / (N - 1))``."""
    return _general_cosine("general_cosine", M, a, sym, dtype, layout, device, requires_grad)


def _general_cosine(name, M, a, sym, dtype, layout, device, requires_grad) -> Tensor:
    dt = _check(name, M, dtype, layout)
    if M == 0:
        return _trivial(M, dt, device, requires_grad)
    if not isinstance(a, (list, tuple)):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    w = _trivial(M, dt, device, requires_grad)
    if w is not None:
        return w
    k = _positions(M, sym, dt, device, requires_grad, -math.pi, math.pi)
    terms = [_M.cos(k * i) * float(c) for i, c in enumerate(a)]
    return (_R.sum(_S.stack(terms), 0))


def general_hamming(M, *, alpha: float = 0.54, sym: bool = True, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    """``alpha - (1 - alpha) cos(2 pi n / (N - 1))``."""
    return _general_cosine("general_cosine", M, [alpha, 1.0 - alpha], sym, dtype, layout,
                           device, requires_grad)


def hamming(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """``general_hamming`` with ``alpha=0.54``."""
    return general_hamming(M, alpha=0.54, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
         requires_grad: bool = False) -> Tensor:
    """``general_hamming`` with ``alpha=0.5``."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``general_cosine`` with ``a = [0.42, 0.5, 0.08]``."""
    _check("blackman", M, dtype, layout)
    return _general_cosine("blackman", M, [0.42, 0.5, 0.08], sym, dtype, layout, device,
                           requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """``general_cosine`` with Nuttall's four coefficients."""
    return _general_cosine("general_cosine", M, [0.3635819, 0.4891775, 0.1365995, 0.0106411],
                           sym, dtype, layout, device, requires_grad)


__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]
