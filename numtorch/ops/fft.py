"""Discrete Fourier transforms (``torch.fft``) on NumPy's pocketfft, with gradients.

Three nodes, as PyTorch's: ``FftC2C`` (complex to complex), ``FftR2C`` (real to complex: the
half spectrum, or the full one for ``fft`` of a real tensor) and ``FftC2R`` (a half spectrum to
a real signal). Each gradient is another transform: the adjoint of a DFT normalized with
``norm`` is the inverse DFT with the dual normalization ('backward' <-> 'forward', 'ortho' <->
'ortho'); sizes changed by ``n`` / ``s`` (zero-padding or trimming) are changed back; a real
input receives the real part; the half spectrum of ``irfft`` counts twice where it stands for
two conjugate frequencies.

>>> import numtorch as torch
>>> torch.fft.rfft(torch.tensor([1.0, 2.0, 3.0, 4.0]))
tensor([10.+0.j, -2.+2.j, -2.+0.j])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.engine import check_complex_below
from ..autograd.function import Function
from ._apply import apply, write_out
from ._tensor_array import TensorArray
from .complex_ops import real_, conj, conj_physical
from . import shape as S

_make = Tensor._make
_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _resize(a, axes, sizes):
    """``a`` trimmed or zero-padded (at the end) to ``sizes`` along ``axes``."""
    for ax, n in zip(axes, sizes):
        m = a.shape[ax]
        if m > n:
            a = a[(slice(None),) * ax + (slice(0, n),)]
        elif m < n:
            width = [(0, 0)] * a.ndim
            width[ax] = (0, n - m)
            a = np.pad(a, width)
    return a


# -- the nodes ----------------------------------------------------------------------------------

class FftC2C(Function):
    _raw = True
    _name = "FftC2CBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axes, s, norm, forward, real_input):
        ctx.axes, ctx.norm, ctx.forward, ctx.real_input = axes, norm, forward, real_input
        ctx.sizes = tuple(x.shape[a] for a in axes)
        fn = np.fft.fftn if forward else np.fft.ifftn
        return fn(x, s=s, axes=axes, norm=norm)

    @staticmethod
    def backward(ctx, g):
        r = c2c_(g, ctx.axes, _DUAL[ctx.norm], not ctx.forward)
        r = _resize(r, ctx.axes, ctx.sizes)
        return (real_(r) if ctx.real_input else r,)


class FftR2C(Function):
    _raw = True
    _name = "FftR2CBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axes, s, norm, onesided):
        ctx.axes, ctx.norm, ctx.onesided = axes, norm, onesided
        ctx.sizes = tuple(x.shape[a] for a in axes)
        ctx.last = s[-1]
        fn = np.fft.rfftn if onesided else np.fft.fftn
        return fn(x, s=s, axes=axes, norm=norm)

    @staticmethod
    def backward(ctx, g):
        if ctx.onesided:                    # the half spectrum: the rest contributed nothing
            g = _resize(g, ctx.axes[-1:], (ctx.last,))
        r = real_(c2c_(g, ctx.axes, _DUAL[ctx.norm], False))
        return (_resize(r, ctx.axes, ctx.sizes),)


class FftC2R(Function):
    _raw = True
    _name = "FftC2RBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axes, s, norm, real_input):
        ctx.axes, ctx.norm, ctx.real_input = axes, norm, real_input
        ctx.sizes = tuple(x.shape[a] for a in axes)
        ctx.last = s[-1]
        return np.fft.irfftn(x, s=s, axes=axes, norm=norm)

    @staticmethod
    def backward(ctx, g):
        r = r2c_(g, ctx.axes, _DUAL[ctx.norm])
        n = ctx.last
        w = np.full(n // 2 + 1, 2.0, g.dtype)          # each stands for k and n - k ...
        w[0] = 1.0                                      # ... but the mean
        if n % 2 == 0:
            w[-1] = 1.0                                 # ... and the Nyquist frequency
        ax = ctx.axes[-1]
        r = r * w.reshape((-1,) + (1,) * (r.ndim - 1 - ax))
        r = _resize(r, ctx.axes, ctx.sizes)
        if ctx.real_input:
            return (real_(r),)
        check_complex_below(ctx)                        # complex gradients from here down
        return (r,)


# The transforms a gradient formula needs: NumPy on arrays, the ops (recorded) on traced values.

def c2c_(g, axes, norm, forward):
    if type(g) is not TensorArray:
        return (np.fft.fftn if forward else np.fft.ifftn)(g, axes=axes, norm=norm)
    t = g.t
    return TensorArray(apply(FftC2C, (t,), (t._data, axes, None, norm, forward,
                                            t._data.dtype.kind != "c")))


def r2c_(g, axes, norm):
    if type(g) is not TensorArray:
        return np.fft.rfftn(g, axes=axes, norm=norm)
    t = g.t
    s = tuple(t._data.shape[a] for a in axes)
    return TensorArray(apply(FftR2C, (t,), (t._data, axes, s, norm, True)))


# -- arguments ------------------------------------------------------------------------------------

def _norm(norm) -> str:
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _float_input(x: Tensor, real_only: bool = False, name: str = "") -> np.ndarray:
    a = x._data
    if real_only and a.dtype.kind == "c":
        kind = "real-valued" if name.endswith("n") else "real"
        raise RuntimeError(f"{name} expects a {kind} input tensor, but got "
                           f"{_dtype.legacy_name_np(a.dtype)}")
    if a.dtype == np.float16:
        raise RuntimeError("Unsupported dtype Half")
    if a.dtype.kind in "biu":
        a = a.astype(_dtype.get_default_dtype().np)
    return a


def _check_n(n: int) -> int:
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _dims(a: np.ndarray, s, dim, default=None) -> tuple:
    """``(axes, sizes)`` of an n-dimensional transform (PyTorch's rules for ``s`` / ``dim``)."""
    if isinstance(dim, int):
        dim = (dim,)
    if s is not None and isinstance(s, int):
        s = (s,)
    if dim is None:
        if s is not None:
            dim = tuple(range(a.ndim - len(s), a.ndim))
        else:
            dim = default if default is not None else tuple(range(a.ndim))
    elif s is not None and len(s) != len(dim):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if a.ndim == 0 and dim:
        raise IndexError(f"Dimension specified as {dim[0]} but tensor has no dimensions")
    axes = tuple(_wrap_dim(d, a.ndim) for d in dim)
    if len(set(axes)) != len(axes):
        raise RuntimeError("FFT dims must be unique")
    if s is None:
        sizes = tuple(a.shape[ax] for ax in axes)
    else:
        sizes = tuple(a.shape[ax] if n == -1 else _check_n(int(n)) for ax, n in zip(axes, s))
    return axes, sizes


def _c2c(x: Tensor, a, axes, sizes, norm, forward: bool) -> Tensor:
    return apply(FftC2C, (x,), (a, axes, sizes, norm, forward, a.dtype.kind != "c"))


def _r2c(x: Tensor, a, axes, sizes, norm, onesided: bool) -> Tensor:
    return apply(FftR2C, (x,), (a, axes, sizes, norm, onesided))


def _c2r(x: Tensor, a, axes, sizes, norm) -> Tensor:
    return apply(FftC2R, (x,), (a, axes, sizes, norm, a.dtype.kind != "c"))


def _out(result: Tensor, out) -> Tensor:
    if out is None:
        return result
    return write_out("fft", result, out)


# -- one dimension --------------------------------------------------------------------------------

def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
        out=None) -> Tensor:
    """The 1-D discrete Fourier transform along ``dim`` (zero-padded or trimmed to ``n``)."""
    a = _float_input(input)
    axes, sizes = _dims(a, None if n is None else (n,), (dim,))
    if a.dtype.kind == "c":
        return _out(_c2c(input, a, axes, sizes, _norm(norm), True), out)
    return _out(_r2c(input, a, axes, sizes, _norm(norm), False), out)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out=None) -> Tensor:
    """The 1-D inverse discrete Fourier transform along ``dim``."""
    a = _float_input(input)
    axes, sizes = _dims(a, None if n is None else (n,), (dim,))
    if a.dtype.kind == "c":
        return _out(_c2c(input, a, axes, sizes, _norm(norm), False), out)
    # a real signal: the conjugate of its forward transform (with the dual normalization)
    return _out(conj(_r2c(input, a, axes, sizes, _DUAL[_norm(norm)], False)), out)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out=None) -> Tensor:
    """The half spectrum (``n // 2 + 1`` frequencies) of a real signal along ``dim``."""
    a = _float_input(input, True, "rfft")
    axes, sizes = _dims(a, None if n is None else (n,), (dim,))
    return _out(_r2c(input, a, axes, sizes, _norm(norm), True), out)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out=None) -> Tensor:
    """The real signal (``n`` samples, ``2 * (m - 1)`` by default) of a half spectrum."""
    a = _float_input(input)
    axes, _ = _dims(a, None, (dim,))
    last = _check_n(2 * (a.shape[axes[0]] - 1) if n is None else int(n))
    return _out(_c2r(input, a, axes, (last,), _norm(norm)), out)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
         out=None) -> Tensor:
    """The real spectrum of a Hermitian-symmetric signal given by its first half."""
    return irfft(conj(input), n, dim, _DUAL[_norm(norm)], out=out)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *,
          out=None) -> Tensor:
    """The inverse of ``hfft``: half of the Hermitian signal whose spectrum is real ``input``."""
    _float_input(input, True, "ihfft")
    return _out(conj(rfft(input, n, dim, _DUAL[_norm(norm)])), out)


# -- n dimensions ---------------------------------------------------------------------------------

def fftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The n-dimensional DFT over ``dim`` (all dimensions by default)."""
    a = _float_input(input)
    axes, sizes = _dims(a, s, dim)
    return _out(_c2c(input, a, axes, sizes, _norm(norm), True), out)


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The n-dimensional inverse DFT over ``dim`` (all dimensions by default)."""
    a = _float_input(input)
    axes, sizes = _dims(a, s, dim)
    return _out(_c2c(input, a, axes, sizes, _norm(norm), False), out)


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The n-dimensional DFT of a real signal, halved along the last of ``dim``."""
    a = _float_input(input, True, "rfftn")
    axes, sizes = _dims(a, s, dim)
    return _out(_r2c(input, a, axes, sizes, _norm(norm), True), out)


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The inverse of ``rfftn``: ``s`` gives the output sizes (the last one ``2 * (m - 1)`` by
    default)."""
    a = _float_input(input)
    axes, sizes = _dims(a, s, dim)
    if s is None or s[-1] == -1:
        sizes = sizes[:-1] + (_check_n(2 * (a.shape[axes[-1]] - 1)),)
    return _out(_c2r(input, a, axes, sizes, _norm(norm)), out)


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The n-dimensional ``hfft``: a real spectrum from half of a Hermitian signal."""
    return irfftn(conj(input), s, dim, _DUAL[_norm(norm)], out=out)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The n-dimensional ``ihfft``: the conjugate half spectrum along the last of ``dim``,
    then the inverse transform along the others."""
    a = input._data
    if a.dtype.kind == "c":
        raise RuntimeError(f"Only supports floating-point dtypes, but found: "
                           f"{_dtype.legacy_name_np(a.dtype)}")
    a = _float_input(input)
    axes, sizes = _dims(a, s, dim)
    m = _norm(norm)
    half = conj_physical(_r2c(input, a, axes[-1:], sizes[-1:], _DUAL[m], True))
    if len(axes) == 1:
        return _out(half, out)
    h = half._data
    return _out(_c2c(half, h, axes[:-1], sizes[:-1], m, False), out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``fftn`` over the last two dimensions."""
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``ifftn`` over the last two dimensions."""
    return ifftn(input, s, dim, norm, out=out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``rfftn`` over the last two dimensions."""
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``irfftn`` over the last two dimensions."""
    return irfftn(input, s, dim, norm, out=out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``hfftn`` over the last two dimensions."""
    return hfftn(input, s, dim, norm, out=out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """``ihfftn`` over the last two dimensions."""
    return ihfftn(input, s, dim, norm, out=out)


# -- helpers --------------------------------------------------------------------------------------

def _frequencies(values: np.ndarray, dtype, requires_grad: bool) -> Tensor:
    d = dtype if dtype is not None else _dtype.get_default_dtype()
    return _make(values.astype(d.np), bool(requires_grad))


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point ``fft``: ``[0, 1, ..., -2, -1] / (d n)``.

    >>> import numtorch as torch
    >>> torch.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    return _out(_frequencies(np.fft.fftfreq(n, d), dtype, requires_grad), out)


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point ``rfft``: ``[0, 1, ..., n // 2] / (d n)``."""
    return _out(_frequencies(np.fft.rfftfreq(n, d), dtype, requires_grad), out)


def _shift(input: Tensor, dim, sign: int) -> Tensor:
    nd = input._data.ndim
    dims = tuple(range(nd)) if dim is None else (
        (dim,) if isinstance(dim, int) else tuple(dim))
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    shifts = tuple(sign * (input._data.shape[d] // 2) for d in dims)
    return S.roll(input, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """The zero frequency moved to the middle (a roll by half the size along ``dim``)."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of ``fftshift``."""
    return _shift(input, dim, -1)
