"""More of PyTorch's CPU samplers, bit for bit: ``torch.poisson``, ``torch.binomial``,
``Tensor.cauchy_``, ``Tensor.geometric_``, ``Tensor.log_normal_`` and ``Tensor.bernoulli``.

Measured against torch 2.13 CPU (``tests/test_random_extra.py`` holds the record). Every
draw is a ``U53`` uniform (2 words, spec §2.1) and the arithmetic is float64 with glibc's
``log``/``tan``/``exp`` (Python's ``math``):

- ``cauchy_(median, sigma)``: ``fma(tan(pi * (u - 0.5)), sigma, median)``, one draw each.
- ``geometric_(p)``: ``ceil(log(u) / log1p(-p))``, one draw each; integer dtypes take it
  through C's float-to-int conversion (out of range: the type's minimum, narrow types via int32).
- ``log_normal_(mean, std)``: ``exp(fma(z, std, mean))`` with ``z`` from the scalar
  Box-Muller path and its shared cache (spec §3.2), whatever the size.
- ``poisson(rates)``: per element in C order, ``rate >= 10``: Hormann's PTRS rejection
  sampler (two draws per try); ``0 < rate < 10``: multiply draws until the product is
  ``<= exp(-rate)``; ``rate == 0``: 0 with no draw.
- ``binomial(count, prob)``: per element in C order, ``count * min(p, 1-p) >= 10``:
  Hormann's BTRS (two draws per try) on ``min(p, 1-p)``; otherwise inversion by sums of
  geometric draws; ``p > 0.5`` samples ``count - X(1-p)``.  float32 inputs keep PyTorch's
  float32 sub-expressions in BTRS (see ``_btrs32``).  A NaN count raises (PyTorch loops).

The two rejection samplers run one element at a time in Python (about 6-15 us per element,
10-30x slower than PyTorch); the other samplers are vectorised.

>>> import numtorch as torch
>>> _ = torch.manual_seed(0); torch.poisson(torch.tensor([3.0, 3.0, 30.0]))
tensor([ 6.,  3., 24.])
"""
from __future__ import annotations

import math
import warnings
from typing import Optional

import numpy as np

from . import _generator as _G
from . import _errors
from . import _random_ops as _R
from ._generator import Generator
from ._fma import fma64
from .autograd.function import Function
from .ops._apply import apply

__all__ = ["poisson", "binomial"]

_F32 = np.float32
_INF = math.inf
_I64_MIN = -(1 << 63)
# C++ type names PyTorch's "continuous distribution" messages print
_CPP_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def _log(x: float) -> float:
    return math.log(x) if x > 0 else (-_INF if x == 0 else math.nan)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _floor(x: float) -> float:
    """C's ``floor`` on a double (inf and nan pass through)."""
    return float(math.floor(x)) if x - x == 0 else x


def _to_int64(x: float) -> int:
    """C's double-to-int64 conversion on x86: out of range or nan gives INT64_MIN."""
    if x - x == 0 and -9.223372036854775808e18 <= x < 9.223372036854775808e18:
        return int(x)
    return _I64_MIN


def _c_cast(v: np.ndarray, dt: np.dtype) -> np.ndarray:
    """float64 values to ``dt`` as PyTorch's CPU kernels convert them (x86 conversions)."""
    if dt.kind == "f":
        with np.errstate(over="ignore"):
            return v.astype(dt)
    bits = 64 if dt == np.int64 else 32
    lim = float(1 << (bits - 1))
    ok = (v >= -lim) & (v < lim)
    out = np.where(ok, v, 0.0).astype(np.int64 if bits == 64 else np.int32)
    out[~ok] = -(1 << (bits - 1))
    return out.astype(dt)


class _Uniforms:
    """``U53`` draws one at a time, read from blocks; ``close()`` leaves the generator
    right after the last draw used (drawn-but-unused words are put back)."""

    __slots__ = ("gen", "saved", "fresh", "buf", "i", "used")

    def __init__(self, gen: Generator, hint: int) -> None:
        self.gen = gen
        self.saved = gen._bg.state
        self.fresh = gen._fresh
        self.buf: list = []
        self.i = 0
        self.used = 0
        self._refill(hint)

    def _refill(self, n: int) -> None:
        self.used += self.i
        self.buf = _G._u53(max(int(n), 16), self.gen).tolist()
        self.i = 0

    def __call__(self) -> float:
        if self.i == len(self.buf):
            self._refill(2 * len(self.buf))
        self.i += 1
        return self.buf[self.i - 1]

    def close(self) -> None:
        used = self.used + self.i
        drawn = self.used + len(self.buf)
        if used == drawn:
            return
        bg = self.gen._bg
        bg.state = self.saved
        if used:
            bg.random_raw(2 * used)
        else:
            self.gen._fresh = self.fresh


def _sample(gen, hint: int, fn, *columns) -> np.ndarray:
    """``fn(unif, *values)`` for each element, in order, as a float64 array."""
    gen = _G._gen(gen)
    n = len(columns[0])
    out = np.empty(n, np.float64)
    if n == 0:
        return out
    unif = _Uniforms(gen, hint)
    try:
        for j, vals in enumerate(zip(*columns)):
            out[j] = fn(unif, *vals)
    finally:
        unif.close()
    return out


# ----------------------------------------------------------------------------
# Poisson
# ----------------------------------------------------------------------------
def _poisson_one(unif, lam: float) -> float:
    if not lam >= 0:                                  # checked when reached: earlier draws stay
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    if lam >= 10.0:                                   # PTRS (Hormann 1993)
        slam = math.sqrt(lam)
        loglam = _log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = unif() - 0.5
            v = unif()
            us = 0.5 - abs(u)
            k = _to_int64(_floor((2 * a / us + b) * u + lam + 0.43))
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (_log(v) + _log(invalpha) - _log(a / (us * us) + b)
                    <= -lam + k * loglam - math.lgamma(k + 1)):
                return k
    if lam == 0.0:
        return 0
    enlam = math.exp(-lam)                            # product of uniforms
    x = 0
    prod = 1.0
    while True:
        prod *= unif()
        if prod > enlam:
            x += 1
        else:
            return x


class Poisson(Function):
    """``torch.poisson``: the rates get a zero gradient."""
    _raw = True

    @staticmethod
    def forward(ctx, rates, gen):
        flat = np.ascontiguousarray(rates).reshape(-1).astype(np.float64).tolist()
        v = _sample(gen, 2 * len(flat) + 16, _poisson_one, flat)
        return v.reshape(rates.shape).astype(rates.dtype)

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


def _tensor_arg(fn: str, name: str, pos: int, x):
    if not hasattr(x, "_data"):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, "
                        f"not {type(x).__name__}")
    return x._data


def _check_generator(fn: str, generator) -> None:
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"{fn}(): argument 'generator' must be torch.Generator, "
                        f"not {type(generator).__name__}")


def poisson(input, generator: Optional[Generator] = None):
    """Poisson samples with rates ``input``, as ``torch.poisson`` (bit for bit on CPU).

    >>> _ = torch.manual_seed(0); torch.poisson(torch.tensor([0.5, 12.0]))
    tensor([ 2., 18.])
    """
    a = _tensor_arg("poisson", "input", 1, input)
    _check_generator("poisson", generator)
    if a.dtype.kind != "f":
        raise NotImplementedError('"poisson_cpu" not implemented for '
                                  f"'{_R._torch_name(a.dtype)}'")
    return apply(Poisson, (input,), (a,), generator)


# ----------------------------------------------------------------------------
# Binomial
# ----------------------------------------------------------------------------
def _fc_table():
    """``log(k!) - ((k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2)`` for k = 0..9, the
    Stirling-series remainder BTRS uses, each correctly rounded (worked out in exact
    rationals plus a high-precision log; see the tests for the check against lgamma)."""
    from fractions import Fraction
    from decimal import Decimal, getcontext
    getcontext().prec = 50
    two_pi = Decimal("6.2831853071795864769252867665590057683943387987502")
    out = []
    fact = 1
    for k in range(10):
        fact *= max(k, 1)
        val = (Decimal(fact).ln() - ((Decimal(k) + Decimal("0.5")) * Decimal(k + 1).ln()
                                     - (k + 1) + two_pi.ln() / 2))
        out.append(float(Fraction(val)))
    return out


_FC = _fc_table()


def _tail(k: float) -> float:
    if k <= 9:
        return _FC[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _btrs(unif, count: float, prob: float) -> float:
    """BTRS (Hormann 1993) in float64: ``0 < prob <= 0.5``, ``count * prob >= 10``."""
    stddev = math.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = _floor((count + 1) * prob)
    while True:
        u = unif() - 0.5
        v = unif()
        us = 0.5 - abs(u)
        k = _floor((2 * a / us + b) * u + c)
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = _log(v * alpha / (a / (us * us) + b))
        if k - k != 0:
            continue
        ub = ((m + 0.5) * _log((m + 1) / (r * (count - m + 1)))
              + (count + 1) * _log((count - m + 1) / (count - k + 1))
              + (k + 0.5) * _log(r * (count - k + 1) / (k + 1))
              + _tail(m) + _tail(count - m) - _tail(k) - _tail(count - k))
        if v <= ub:
            return k


def _btrs32(unif, count32, prob32) -> float:
    """BTRS for float32 tensors: ``count``, ``prob``, ``k`` and the sub-expressions made of
    them alone are float32 (as in PyTorch's kernel), the rest float64."""
    one = _F32(1)
    q = one - prob32
    stddev = float(_F32(np.sqrt(count32 * prob32 * q)))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob32)
    c = float(count32 * prob32) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(prob32 / q)
    alpha = (2.83 + 5.1 / b) * stddev
    m = _floor(float((count32 + one) * prob32))
    cf = float(count32)
    cp1 = float(count32 + one)
    while True:
        u = unif() - 0.5
        v = unif()
        us = 0.5 - abs(u)
        x = _floor((2 * a / us + b) * u + c)
        k = float(_F32(x))
        if k < 0 or k > cf:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = _log(v * alpha / (a / (us * us) + b))
        if k - k != 0:
            continue
        ck = _F32(k)
        ckp1 = float((count32 - ck) + one)
        kp1 = float(ck + one)
        ub = ((m + 0.5) * _log((m + 1) / (r * (cf - m + 1)))
              + cp1 * _log((cf - m + 1) / ckp1)
              + (k + 0.5) * _log(r * ckp1 / kp1)
              + _tail(m) + _tail(cf - m) - _tail(k) - _tail(float(count32 - ck)))
        if v <= ub:
            return k


def _ceil(x: float) -> float:
    """C's ``ceil`` on a double (inf and nan pass through)."""
    return float(math.ceil(x)) if x - x == 0 else x


def _inversion(unif, count: float, prob: float) -> float:
    """Small ``count * prob``: count geometric waiting times until their sum passes ``count``."""
    geom_sum = 0.0
    num_geom = 0
    logprob = math.log1p(-prob)
    while True:
        geom_sum += _ceil(_log(unif()) / logprob)
        if geom_sum > count:
            return float(num_geom)
        num_geom += 1


def _binomial_one(unif, count: float, prob: float, single: bool) -> float:
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob != prob:
        return math.nan
    if count != count:
        raise RuntimeError("binomial: a NaN count (PyTorch 2.13 loops forever on it)")
    small = min(prob, 1 - prob)
    if count * small >= 10:
        if single:
            c32 = _F32(count)
            if prob <= 0.5:
                return _btrs32(unif, c32, _F32(prob))
            return float(_F32(float(c32) - _btrs32(unif, c32, _F32(1) - _F32(prob))))
        if prob <= 0.5:
            return _btrs(unif, count, prob)
        return count - _btrs(unif, count, 1 - prob)
    if prob <= 0.5:
        return _inversion(unif, count, prob)
    return count - _inversion(unif, count, 1 - prob)


class Binomial(Function):
    """``torch.binomial``: PyTorch defines no derivative (its node is ``NotImplemented``)."""
    _raw = True
    _name = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, count, prob, gen):
        shape = np.broadcast_shapes(count.shape, prob.shape)
        c = np.broadcast_to(count, shape).reshape(-1).astype(np.float64).tolist()
        p = np.broadcast_to(prob, shape).reshape(-1).astype(np.float64).tolist()
        single = count.dtype == np.float32
        v = _sample(gen, 4 * len(c) + 16, lambda u, a, b: _binomial_one(u, a, b, single), c, p)
        return v.reshape(shape).astype(count.dtype)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::binomial is not implemented")


def _float_arg(name: str, a: np.ndarray) -> None:
    if a.dtype.kind != "f":
        raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: "
                         f"{_R._torch_name(a.dtype)}")


def binomial(count, prob, generator: Optional[Generator] = None):
    """Binomial samples with ``count`` trials of probability ``prob``, as ``torch.binomial``.

    Bit for bit with PyTorch's CPU kernel (float32 and float64, measured for counts up to
    about 1e11 and probabilities down to 1e-11).  The one departure: a NaN count raises a
    RuntimeError, where PyTorch 2.13 loops forever.

    >>> _ = torch.manual_seed(0)
    >>> torch.binomial(torch.tensor([5.0, 100.0]), torch.tensor([0.3, 0.3]))
    tensor([ 3., 32.])
    """
    c = _tensor_arg("binomial", "count", 1, count)
    p = _tensor_arg("binomial", "prob", 2, prob)
    _check_generator("binomial", generator)
    _float_arg("count", c)
    _float_arg("prob", p)
    if c.dtype != p.dtype:
        raise RuntimeError(f"Found dtype {_R._torch_name(p.dtype)} but expected "
                           f"{_R._torch_name(c.dtype)}")
    if c.dtype not in (np.float32, np.float64):
        raise NotImplementedError('"binomial_cpu" not implemented for '
                                  f"'{_R._torch_name(c.dtype)}'")
    try:
        shape = np.broadcast_shapes(c.shape, p.shape)
    except ValueError:
        shape = None
    if shape is None:
        for i in range(1, max(c.ndim, p.ndim) + 1):
            a = c.shape[-i] if i <= c.ndim else 1
            b = p.shape[-i] if i <= p.ndim else 1
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                                   f"({b}) at non-singleton dimension {max(c.ndim, p.ndim) - i}")
    if shape != c.shape:
        warnings.warn(f"An output with one or more elements was resized since it had shape "
                      f"{list(c.shape)}, which does not match the required output shape "
                      f"{list(shape)}. This behavior is deprecated, and in a future PyTorch "
                      f"release outputs will not be resized unless they have zero elements. You "
                      f"can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                      f"elements with t.resize_(0).", UserWarning, stacklevel=2)
    return apply(Binomial, (count, prob), (c, p), generator)


# ----------------------------------------------------------------------------
# In-place samplers: cauchy_, geometric_, log_normal_
# ----------------------------------------------------------------------------
class Cauchy(_R._Sampled):
    """``cauchy_``: the old values get a zero gradient (``_random_ops._Sampled``)."""


class Geometric(_R._Sampled):
    """``geometric_``."""


class LogNormal(_R._Sampled):
    """``log_normal_``."""


def _continuous(t, what: str) -> np.dtype:
    npd = t._data.dtype
    if npd.kind != "f":
        raise RuntimeError(f"{what} distribution is a continuous probability distribution. dtype "
                           "must be a floating point but you specified "
                           f"{_CPP_NAMES.get(npd.name, npd.name)}")
    return npd


def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *,
            generator: Optional[Generator] = None):
    """Fill with Cauchy samples ``median + sigma * tan(pi * (u - 1/2))`` (2 words each).

    >>> _ = torch.manual_seed(0); torch.empty(2).cauchy_()
    tensor([10.5977,  0.7648])
    """
    graph = _R._recording(self)          # PyTorch refuses a leaf before checking arguments
    median, sigma = float(median), float(sigma)
    if not sigma > 0:
        raise RuntimeError("cauchy_ expects sigma > 0.0, but found "
                           f"sigma={_errors.cpp_number(sigma)}")
    npd = _continuous(self, "Cauchy")

    def make(shape):
        u = _G._u53(_G._numel(shape), _G._gen(generator))
        t = _G._libm(math.tan, math.pi * (u - 0.5))
        return fma64(t, sigma, median).astype(npd).reshape(shape)
    return _R._sample(self, Cauchy if graph else None, make)


def geometric_(self, p: float, *, generator: Optional[Generator] = None):
    """Fill with the number of Bernoulli(p) trials up to the first success (2 words each).

    >>> _ = torch.manual_seed(0); torch.empty(3).geometric_(0.3)
    tensor([1., 1., 3.])
    """
    graph = _R._recording(self)
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError("geometric_ expects p to be in (0, 1), but got "
                           f"p={_errors.cpp_number(p)}")
    npd = self._data.dtype
    if npd.kind not in "fiu":
        raise NotImplementedError(f'"geometric_cpu" not implemented for \'{_R._torch_name(npd)}\'')
    denom = math.log1p(-p)

    def make(shape):
        u = _G._u53(_G._numel(shape), _G._gen(generator))
        v = np.ceil(_G._libm(_log, u) / denom)
        return _c_cast(v, npd).reshape(shape)
    return _R._sample(self, Geometric if graph else None, make)


def log_normal_(self, mean: float = 1.0, std: float = 2.0, *,
                generator: Optional[Generator] = None):
    """Fill with ``exp(N(mean, std))`` samples (the scalar Box-Muller path, spec §3.2).

    >>> _ = torch.manual_seed(0); torch.empty(2).log_normal_()
    tensor([59.2634,  1.5116])
    """
    graph = _R._recording(self)
    mean, std = float(mean), float(std)
    if not std > 0:
        raise RuntimeError("log_normal_ expects std > 0.0, but found "
                           f"std={_errors.cpp_number(std)}")
    npd = self._data.dtype
    if npd.kind != "f":
        raise NotImplementedError(f'"log_normal_cpu" not implemented for \'{_R._torch_name(npd)}\'')

    def make(shape):
        z = _G._normal_scalar(_G._gen(generator), _G._numel(shape))
        with np.errstate(over="ignore"):
            return _G._libm(_exp, fma64(z, std, mean)).astype(npd).reshape(shape)
    return _R._sample(self, LogNormal if graph else None, make)


def tensor_bernoulli(self, p=None, *, generator: Optional[Generator] = None):
    """``Tensor.bernoulli()`` (probabilities ``self``) or ``Tensor.bernoulli(p)`` (a float).

    >>> _ = torch.manual_seed(0); torch.full((3,), 0.5).bernoulli()
    tensor([1., 0., 1.])
    """
    if hasattr(p, "_data") and p._data.ndim == 0:
        p = p.item()                                  # a 0-d tensor reads as a float
    if p is not None and (hasattr(p, "_data") or not isinstance(p, (int, float, np.number))):
        raise TypeError(f"bernoulli() received an invalid combination of arguments - got "
                        f"({type(p).__name__}), but expected one of:\n"
                        " * (*, torch.Generator generator = None)\n"
                        " * (float p, *, torch.Generator generator = None)\n")
    return _R.bernoulli(self, p, generator=generator)     # records the graph node
