"""Window functions for spectral analysis: ``torch.hann_window``, ``hamming_window``,
``blackman_window``, ``bartlett_window``, ``kaiser_window``.

Each is computed the way PyTorch builds it, in the window's own dtype: the sample positions
``0, 1, ..., N - 1`` times a step, then the window's formula, one operation at a time
(``periodic=True``: the symmetric window of ``N + 1`` points without its last one). The
cosines and the Bessel function are taken in float64 and rounded, so a float32 window can
differ from PyTorch's (whose cosine is not always the nearest float32) by a few units in
the last place; bartlett's equals PyTorch's bit for bit.

>>> import numtorch as torch
>>> torch.hann_window(4)
tensor([0.0000, 0.5000, 1.0000, 0.5000])
>>> torch.bartlett_window(5, periodic=False)
tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._errors import type_name
from .._tensor import Tensor
from ._special_kernels import i0 as _i0
from .creation import _finish, _np_dtype

_TAIL = ("*, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
         "bool pin_memory = False, bool requires_grad = False)")


def _overloads(extra: tuple) -> str:
    """The signatures PyTorch lists for a window function with the float ``extra`` params."""
    lines = [f"(int window_length, {_TAIL}", f"(int window_length, bool periodic, {_TAIL}"]
    for i in range(1, len(extra) + 1):
        floats = ", ".join(f"float {p}" for p in extra[:i])
        lines.append(f"(int window_length, bool periodic, {floats}, {_TAIL}")
    return "".join(f"\n * {line}" for line in lines) + "\n"


def _check(name: str, window_length, periodic, extra: dict, dtype, given: tuple):
    """PyTorch's argument checks; return the NumPy dtype to compute in. ``extra``: the float
    parameters (None: not given; PyTorch takes each only after ``periodic`` and the ones
    before it)."""
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type_name(window_length)}")
    order = [periodic] + list(extra.values())
    gaps = any(v is None and any(w is not None for w in order[i + 1:])
               for i, v in enumerate(order))
    bad = gaps or not isinstance(periodic, (bool, type(None))) or any(
        v is not None and (isinstance(v, bool) or
                           not isinstance(v, (int, float, np.integer, np.floating)))
        for v in extra.values())
    if bad:
        got = ", ".join(type_name(v) for v in given if v is not None)
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:{_overloads(tuple(extra))}")
    npd = np.dtype(_np_dtype(dtype, name))
    if npd.kind not in "fc":
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype="
            f"{_dtype.cpp_name(dtype)}, device=cpu, layout=Strided (default), requires_grad=false "
            f"(default), pinned_memory=false, memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={int(window_length)}")
    if npd.kind == "c" and window_length > 1:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name_np(npd)}'")
    return npd


def _window(name, formula, window_length, periodic, extra, dtype, device, requires_grad, given):
    npd = _check(name, window_length, periodic, extra, dtype, given)
    periodic = True if periodic is None else periodic
    n = int(window_length)
    if n <= 1:
        return _finish(np.ones(n, npd), requires_grad, device)
    m = n + 1 if periodic else n
    w = formula(np.arange(m, dtype=npd), m, npd.type)[:n]
    return _finish(np.ascontiguousarray(w, npd), requires_grad, device)


def _cos(x):
    """``cos`` of ``x`` taken in float64 and rounded to ``x``'s dtype."""
    return np.cos(x.astype(np.float64)).astype(x.dtype)


def hamming_window(window_length: int, periodic: bool = None, alpha: float = None,
                   beta: float = None, *, dtype=None, layout=None, device=None,
                   pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """``alpha - beta * cos(2 pi n / (N - 1))`` (defaults: ``periodic=True``, ``alpha=0.54``,
    ``beta=0.46``; as in PyTorch, ``alpha`` only after ``periodic``, ``beta`` after both).

    >>> import numtorch as torch
    >>> torch.hamming_window(3, periodic=False)
    tensor([0.0800, 1.0000, 0.0800])
    """
    def formula(a, m, t):
        return _cos(a * t(2 * math.pi / (m - 1))) * t(-b) + t(al)
    al = 0.54 if alpha is None else alpha
    b = 0.46 if beta is None else beta
    return _window("hamming_window", formula, window_length, periodic,
                   {"alpha": alpha, "beta": beta}, dtype, device, requires_grad,
                   (window_length, periodic, alpha, beta))


def hann_window(window_length: int, periodic: bool = None, *, dtype=None, layout=None,
                device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """``0.5 - 0.5 cos(2 pi n / (N - 1))`` (= ``sin(pi n / (N - 1)) ** 2``).

    >>> import numtorch as torch
    >>> torch.hann_window(3, periodic=False)
    tensor([0., 1., 0.])
    """
    def formula(a, m, t):
        return _cos(a * t(2 * math.pi / (m - 1))) * t(-0.5) + t(0.5)
    return _window("hann_window", formula, window_length, periodic, {}, dtype, device,
                   requires_grad, (window_length, periodic))


def blackman_window(window_length: int, periodic: bool = None, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``.

    >>> import numtorch as torch
    >>> torch.blackman_window(3, periodic=False)
    tensor([-2.9802e-08,  1.0000e+00, -2.9802e-08])
    """
    def formula(a, m, t):
        x = a * t(math.pi / (m - 1))
        return _cos(x * t(4)) * t(0.08) - _cos(x * t(2)) * t(0.5) + t(0.42)
    return _window("blackman_window", formula, window_length, periodic, {}, dtype, device,
                   requires_grad, (window_length, periodic))


def bartlett_window(window_length: int, periodic: bool = None, *, dtype=None, layout=None,
                    device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The triangle ``1 - |2n / (N - 1) - 1|``.

    >>> import numtorch as torch
    >>> torch.bartlett_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    def formula(a, m, t):
        w = a * t(2.0 / (m - 1))
        half = (m - 1) // 2 + 1
        w[half:] = t(2) - w[half:]
        return w
    return _window("bartlett_window", formula, window_length, periodic, {}, dtype, device,
                   requires_grad, (window_length, periodic))


def kaiser_window(window_length: int, periodic: bool = None, beta: float = None, *,
                  dtype=None, layout=None, device=None, pin_memory: bool = False,
                  requires_grad: bool = False) -> Tensor:
    """``I0(beta sqrt(1 - ((n - a) / a) ** 2)) / I0(beta)`` with ``a = (N - 1) / 2``
    (``I0``: the modified Bessel function of order 0; defaults ``periodic=True``,
    ``beta=12.0``, ``beta`` only after ``periodic``).

    >>> import numtorch as torch
    >>> torch.kaiser_window(3, periodic=False, beta=1.0)
    tensor([0.7898, 1.0000, 0.7898])
    """
    def formula(a, m, t):
        alpha = t((m - 1) / 2.0)
        r = (a - alpha) / alpha
        arg = t(b) * np.sqrt(t(1) - r * r)
        w = _i0(arg.astype(np.float64)) / _i0(np.float64(t(b)))
        return np.asarray(w).astype(a.dtype)
    b = 12.0 if beta is None else beta
    return _window("kaiser_window", formula, window_length, periodic, {"beta": beta}, dtype,
                   device, requires_grad, (window_length, periodic, beta))


__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window",
           "kaiser_window"]
