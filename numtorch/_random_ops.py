"""Random tensor factories and in-place samplers: ``torch.rand``, ``randn``, ``randint``, ...

Thin wrappers over the array kernels of ``numtorch._generator``: they parse PyTorch's
signatures, pick the generator (``generator=None`` means the global one) and wrap the
NumPy result in a Tensor.  Values are PyTorch's CPU numbers, bit for bit.

>>> import numtorch as torch
>>> _ = torch.manual_seed(0)
>>> torch.rand(3)
tensor([0.4963, 0.7682, 0.0885])

In-place samplers take the tensor first (``Tensor.uniform_`` etc. delegate here):
``uniform_(t, a, b)``, ``normal_(t, mean, std)``, ``random_(t, [from,] to)``,
``bernoulli_(t, p)``, ``exponential_(t, lambd)``.  They fill in the memory order of
``t``'s storage, as PyTorch does.  On a tensor that requires grad (grad mode on) they record
PyTorch's node (``UniformBackward0``, ...) whose gradient for the overwritten values is zero;
``torch.bernoulli(p)`` gives ``p`` a zero gradient too.  ``dropout_mask(shape, p, np_dtype)``
gives the scaled keep-mask of ``F.dropout`` (2 words per element).
"""
from __future__ import annotations

import operator
from typing import Optional

import numpy as np

from ._foreign_dtype import refuse_foreign
from . import _dtype, _errors
from . import _generator as _G
from ._generator import Generator
from .autograd.function import Function
from .autograd.grad_mode import state as _grad_state
from .ops._apply import apply, apply_inplace, check_inplace

__all__ = ["rand", "rand_like", "randn", "randn_like", "randint", "randint_like",
           "randperm", "normal", "bernoulli", "multinomial"]


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
_P_IN_RANGE = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
               "message be improved?  If so, please report an enhancement request to PyTorch.)")
_index = operator.index


def _tensor_cls():
    from ._tensor import Tensor
    return Tensor


def _size(args, size=None, fn="randn", position=1):
    """``*size`` as PyTorch accepts it: ints, or one tuple/list/Size."""
    if size is not None:
        if args:
            raise TypeError("size given both positionally and as a keyword")
        args = (size,)
    given = args
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        if not isinstance(args[0], (tuple, list)):
            raise _errors.arg_error(fn, "size", position, "tuple of ints", args[0])
        args = args[0]
    try:
        shape = tuple([_index(s) for s in args])
    except TypeError:
        raise (_errors.size_error(fn, given, position)
               or TypeError(f"{fn}(): argument 'size' must be tuple of ints")) from None
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _np_dtype(dtype, default=None):
    if dtype is None:
        dtype = default if default is not None else _dtype.get_default_dtype()
    if isinstance(dtype, _dtype.dtype):
        return dtype.np
    refuse_foreign(dtype)                                    # torch.bfloat16: says why not
    return np.dtype(dtype)


_torch_name = _dtype.legacy_name_np       # 'Float', 'Long', ... as PyTorch's messages name them


def _check_float(npd, what: str) -> None:
    if np.dtype(npd).kind != "f":
        raise RuntimeError(f'"{what}" not implemented for \'{_torch_name(npd)}\'')


def _wrap(arr: np.ndarray, requires_grad: bool = False, device=None, out=None):
    if out is not None:                       # out=: take the new values in place
        out._data = arr.astype(out._data.dtype, copy=False)
        out._bump_version()
        return out
    t = _tensor_cls()._make(arr, requires_grad=bool(requires_grad))
    if device is not None and str(device).split(":")[0] != "cpu":
        t = t.to(device)
    return t


def _memory_view(a: np.ndarray) -> np.ndarray:
    """``a`` with its axes ordered by decreasing stride: C order of the view = memory order."""
    if a.flags.c_contiguous:
        return a
    perm = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))
    return a.transpose(perm)


def _fill_array(a: np.ndarray, make) -> None:
    """Write ``make(shape)`` into ``a`` in its storage's memory order (a complex ``a``: its real
    view, real, imaginary, real, ..., as PyTorch fills it)."""
    if a.dtype.kind == "c":
        a = a[..., None].view(np.finfo(a.dtype).dtype)
    if a.flags.c_contiguous:
        a[...] = make(a.shape)
    else:
        v = _memory_view(a)
        v[...] = make(v.shape)


def _fill(t, make):
    """Write ``make(shape)`` into ``t`` in its storage's memory order; bump its version."""
    _fill_array(t._data, make)
    t._bump_version()
    return t


def _recording(t) -> bool:
    """Whether an in-place sampler on ``t`` records a node (grad mode on and ``t`` requires
    grad); first PyTorch's refusals (a leaf that requires grad, a view of one, ...), which come
    before any argument check. The no-grad path pays this one test."""
    if t.requires_grad and _grad_state[0]:
        check_inplace(t)
        return True
    return False


def _sample(t, node, make):
    """Fill ``t`` with ``make(shape)`` (in memory order) and bump its version; with ``node`` (a
    ``_Sampled`` class) record it as ``t``'s new history."""
    if node is None:
        return _fill(t, make)
    return apply_inplace(node, t, (t,), (t._data,), make)


def _input_data(x) -> np.ndarray:
    return x._data if hasattr(x, "_data") else np.asarray(x)


# ----------------------------------------------------------------------------
# factories
# ----------------------------------------------------------------------------
def rand(*size, generator: Optional[Generator] = None, dtype=None, device=None,
         requires_grad: bool = False, out=None, layout=None, pin_memory=False, **kw):
    """Uniform samples in [0, 1), as ``torch.rand``.

    >>> _ = torch.manual_seed(42); torch.rand(2)
    tensor([0.8823, 0.9150])
    """
    shape = _size(size, kw.pop("size", None), "rand")
    npd = _np_dtype(dtype)
    if npd.kind == "c":          # PyTorch fills the real view: real, imaginary, real, ...
        r = _G.uniform(generator, shape + (2,), np.finfo(npd).dtype)
        return _wrap(r.view(npd).reshape(shape), requires_grad, device, out)
    _check_float(npd, "check_uniform_bounds")
    return _wrap(_G.uniform(generator, shape, npd), requires_grad, device, out)


def rand_like(input, *, generator: Optional[Generator] = None, dtype=None, device=None,
              requires_grad: bool = False, layout=None, memory_format=None):
    """``rand`` with the shape (and dtype unless given) of ``input``."""
    return rand(tuple(input.shape), generator=generator, dtype=dtype or input.dtype,
                device=device, requires_grad=requires_grad)


def randn(*size, generator: Optional[Generator] = None, dtype=None, device=None,
          requires_grad: bool = False, out=None, layout=None, pin_memory=False, **kw):
    """Standard normal samples, as ``torch.randn``.

    >>> _ = torch.manual_seed(0); torch.randn(2)
    tensor([ 1.5410, -0.2934])
    """
    shape = _size(size, kw.pop("size", None))
    npd = _np_dtype(dtype)
    if npd.kind == "c":          # the real view, each part with variance 1/2
        r = _G.normal(generator, shape + (2,), np.finfo(npd).dtype, 0.0, 1.0 / np.sqrt(2.0))
        return _wrap(r.view(npd).reshape(shape), requires_grad, device, out)
    _check_float(npd, "normal_kernel_cpu")
    return _wrap(_G.normal(generator, shape, npd), requires_grad, device, out)


def randn_like(input, *, generator: Optional[Generator] = None, dtype=None, device=None,
               requires_grad: bool = False, layout=None, memory_format=None):
    """``randn`` with the shape (and dtype unless given) of ``input``."""
    return randn(tuple(input.shape), generator=generator, dtype=dtype or input.dtype,
                 device=device, requires_grad=requires_grad)


def _low_high_size(args, low, high, size):
    """Resolve randint's ``(high, size)`` / ``(low, high, size)`` forms."""
    args = list(args)
    if size is None and args and not isinstance(args[-1], (int, np.integer)):
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise TypeError("randint() received an invalid combination of arguments")
    if size is None and len(args) >= 2:
        raise _errors.arg_error("randint", "size", len(args), "tuple of ints", args[-1])
    if high is None or size is None:
        raise _errors.invalid_combination("randint", args, "(int high, tuple of ints size), "
                                          "(int low, int high, tuple of ints size)")
    return int(0 if low is None else low), int(high), _size((), size, "randint", 1 + len(args))


def randint(*args, low=None, high=None, size=None, generator: Optional[Generator] = None,
            dtype=None, device=None, requires_grad: bool = False, out=None, layout=None,
            pin_memory=False):
    """Integers in [low, high), as ``torch.randint(high, size)`` / ``randint(low, high, size)``.

    >>> _ = torch.manual_seed(0); torch.randint(0, 10, (5,))
    tensor([4, 9, 3, 0, 3])
    """
    low, high, shape = _low_high_size(args, low, high, size)
    npd = _np_dtype(dtype, _dtype.int64)
    if requires_grad and npd.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _wrap(_G.randint(generator, low, high, shape, npd), requires_grad, device, out)


def randint_like(input, *args, low=None, high=None, generator: Optional[Generator] = None,
                 dtype=None, device=None, requires_grad: bool = False, layout=None,
                 memory_format=None):
    """``randint`` with the shape (and dtype unless given) of ``input``."""
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        high = args[0]
    return randint(0 if low is None else low, high, tuple(input.shape), generator=generator,
                   dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)


def randperm(n: int, *, generator: Optional[Generator] = None, dtype=None, device=None,
             requires_grad: bool = False, out=None, layout=None, pin_memory=False):
    """A random permutation of ``0..n-1``, as ``torch.randperm`` (n-1 words).

    >>> _ = torch.manual_seed(0); torch.randperm(5)
    tensor([4, 0, 1, 3, 2])
    """
    npd = _np_dtype(dtype, _dtype.int64)
    if not isinstance(n, (int, np.integer)):
        raise _errors.arg_error("randperm", "n", 1, "int", n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    return _wrap(_G.randperm(generator, n).astype(npd, copy=False), requires_grad, device, out)


def normal(mean=0.0, std=1.0, size=None, *, generator: Optional[Generator] = None,
           dtype=None, device=None, requires_grad: bool = False, out=None, layout=None,
           pin_memory=False):
    """Normal samples, as ``torch.normal`` (tensor or float ``mean``/``std``, or a ``size``).

    >>> _ = torch.manual_seed(0); torch.normal(2.0, 3.0, size=(2,))
    tensor([6.6230, 1.1197])
    """
    Tensor = _tensor_cls()
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: "
                            "give a size with float mean and std")
        return normal_(_empty(_size((), size), _np_dtype(dtype), requires_grad, device),
                       mean, std, generator=generator)
    if mt and st:
        m, s = mean._data, std._data
        if s.dtype.kind == "c":
            raise RuntimeError("normal expects standard deviation to be non-complex")
        npd = np.result_type(m.dtype, s.dtype)
        shape = np.broadcast_shapes(m.shape, s.shape)
        if npd.kind != "c":
            _check_float(npd, "normal_kernel_cpu")
        if float(np.min(s, initial=0.0)) < 0:
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if npd.kind == "c":      # complex normal samples, times std, plus mean
            z = normal_(_empty(shape, npd), generator=generator)._data
            return _wrap((z * s + m).astype(npd, copy=False))
        z = _G.normal(generator, shape, npd)
        return _wrap((z * s.astype(npd, copy=False) + m.astype(npd, copy=False)).astype(npd))
    if mt:
        m = mean._data
        npd = m.dtype
        if npd.kind != "c":
            _check_float(npd, "normal_kernel_cpu")
        if float(std) < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_errors.cpp_number(std)}")
        if npd.kind == "c":      # complex normal samples (std / sqrt(2) per part), plus mean
            z = normal_(_empty(m.shape, npd), 0.0, std, generator=generator)._data
            return _wrap((z + m).astype(npd, copy=False))
        z = _G.normal(generator, m.shape, npd, 0.0, float(std))
        return _wrap((z + m).astype(npd, copy=False))
    s = std._data
    npd = s.dtype
    if npd.kind == "c":
        raise RuntimeError("normal expects standard deviation to be non-complex")
    _check_float(npd, "normal_kernel_cpu")
    if float(np.min(s, initial=0.0)) < 0:
        raise RuntimeError("normal expects all elements of std >= 0.0")
    z = _G.normal(generator, s.shape, npd)
    return _wrap((z * s + npd.type(mean)).astype(npd, copy=False))


def _empty(shape, npd, requires_grad=False, device=None):
    return _wrap(np.empty(shape, npd), requires_grad, device)


def _bernoulli_overloads(got: str) -> TypeError:
    """PyTorch's overload error of ``torch.bernoulli``, with its own line breaks."""
    return TypeError(f"bernoulli() received an invalid combination of arguments - got ({got}), "
                     "but expected one of:\n"
                     " * (Tensor input, *, torch.Generator generator = None, Tensor out = None)\n"
                     " * (Tensor input, float p, *, torch.Generator generator = None)\n")


def bernoulli(input, p=None, *, generator: Optional[Generator] = None, out=None):
    """0/1 samples with probabilities ``input`` (or a float ``p``), as ``torch.bernoulli``.

    With ``out=``, ``out`` is filled in its own memory order (``out.bernoulli_(input)``).
    An ``input`` that requires grad gets a zero gradient (``BernoulliBackward0``); with a
    float ``p`` the node is PyTorch's ``NotImplemented`` one.

    >>> _ = torch.manual_seed(0); torch.bernoulli(torch.full((4,), 0.5))
    tensor([1., 0., 1., 1.])
    """
    if not hasattr(input, "_data"):
        raise _errors.not_tensor("bernoulli", input)
    a = input._data
    if p is not None:
        if hasattr(p, "_data") and p._data.ndim == 0:
            p = p.item()                                  # a 0-d tensor reads as a float
        if out is not None or not isinstance(p, (int, float, np.number)):
            got = [_errors.type_name(input), _errors.type_name(p)]
            if out is not None:
                got.append(f"out={_errors.type_name(out)}")
            raise _bernoulli_overloads(", ".join(got))
        r = bernoulli_(_wrap(np.empty(a.shape, a.dtype)), p, generator=generator)
        if input.requires_grad and _grad_state[0]:
            return apply(BernoulliScalar, (input,), (a,), r._data)
        return r
    if out is not None and not hasattr(out, "_data"):
        raise _bernoulli_overloads(f"{_errors.type_name(input)}, out={_errors.type_name(out)}")
    if a.dtype.kind != "f":
        kernel = "bernoulli_tensor_cpu_self_" if a.dtype.kind == "c" else "bernoulli_tensor_cpu_p_"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_name(a.dtype)}\'')
    if not np.all((a >= 0) & (a <= 1)):
        raise RuntimeError(_P_IN_RANGE)
    if out is not None:
        if _grad_state[0] and (input.requires_grad or out.requires_grad):
            raise RuntimeError("bernoulli(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments requires "
                               "grad.")
        if out._data.shape != a.shape:                    # resized silently, as PyTorch does
            out._data = np.empty(a.shape, out._data.dtype)
        return bernoulli_(out, input, generator=generator)
    mask = _G.bernoulli(generator, np.ascontiguousarray(a)).astype(a.dtype)
    if input.requires_grad and _grad_state[0]:
        return apply(Bernoulli, (input,), (a,), mask)
    return _wrap(mask)


# ----------------------------------------------------------------------------
# the graph nodes of the samplers (PyTorch's names; every gradient is zero)
# ----------------------------------------------------------------------------
class _Sampled(Function):
    """An in-place sampler on a tensor that requires grad: the values it overwrote get a zero
    gradient. ``forward`` fills ``x`` (the tensor's own array) by ``make`` in memory order."""
    _raw = True
    complex_grad = True          # zero needs no conjugation

    @staticmethod
    def forward(ctx, x, make):
        _fill_array(x, make)
        return x

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class Uniform(_Sampled):
    """``uniform_``."""


class Normal(_Sampled):
    """``normal_``."""


class Exponential(_Sampled):
    """``exponential_``."""


class Random(_Sampled):
    """``random_(from, to)`` and ``random_(from, None)``."""


class RandomTo(_Sampled):
    """``random_(to)``."""
    _name = "RandomBackward1"


class RandomBits(_Sampled):
    """``random_()``."""
    _name = "RandomBackward2"


class BernoulliFloat(_Sampled):
    """``bernoulli_(p)`` with a float ``p``."""
    _name = "BernoulliBackward2"


class BernoulliTensor(Function):
    """``bernoulli_(p)`` with a tensor ``p``: ``self`` and ``p`` both get zero gradients."""
    _raw = True
    _name = "BernoulliBackward1"

    @staticmethod
    def forward(ctx, x, p, make):
        ctx.p_meta = (p.shape, p.dtype)
        _fill_array(x, make)
        return x

    @staticmethod
    def backward(ctx, g):
        if not ctx.needs_input_grad[1]:
            return np.zeros_like(g), None
        shape, dtype = ctx.p_meta
        return np.zeros_like(g), np.zeros(shape, dtype)


class Bernoulli(Function):
    """``torch.bernoulli(p)`` / ``p.bernoulli()``: the probabilities get a zero gradient."""
    _raw = True

    @staticmethod
    def forward(ctx, x, sampled):
        return sampled

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class BernoulliScalar(Function):
    """``torch.bernoulli(input, p)`` with a float ``p``: PyTorch defines no derivative."""
    _raw = True
    _name = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, x, sampled):
        return sampled

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::bernoulli is not implemented")


# ----------------------------------------------------------------------------
# in-place samplers (Tensor.uniform_ etc. delegate here)
# ----------------------------------------------------------------------------
def uniform_(t, a: float = 0.0, b: float = 1.0, *, generator: Optional[Generator] = None):
    """Fill ``t`` with uniform samples in [a, b) (spec §2.2; nn.Linear init uses it).

    >>> _ = torch.manual_seed(0); torch.empty(2).uniform_(-0.5, 0.5)
    tensor([-0.0037,  0.2682])
    """
    graph = _recording(t)
    npd = t._data.dtype
    if npd.kind != "c":
        _check_float(npd, "check_uniform_bounds")
    a, b = float(a), float(b)
    if a > b:
        raise RuntimeError("uniform_ expects to return a [from, to) range, "
                           f"but found from={_errors.cpp_number(a)} > to={_errors.cpp_number(b)}")
    if npd.kind == "c":          # PyTorch fills the real view (_fill_array)
        npd = np.finfo(npd).dtype
    return _sample(t, Uniform if graph else None,
                   lambda shape: _G.uniform(generator, shape, npd, a, b))


def normal_(t, mean: float = 0.0, std: float = 1.0, *, generator: Optional[Generator] = None):
    """Fill ``t`` with normal samples (spec §3: the path depends on numel and contiguity).

    >>> _ = torch.manual_seed(0); torch.empty(2).normal_(0.5, 0.02)
    tensor([0.5308, 0.4941])
    """
    graph = _recording(t)
    a = t._data
    if a.dtype.kind != "c":
        _check_float(a.dtype, "normal_kernel_cpu")
    std = float(std)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_errors.cpp_number(std)}")
    if a.dtype.kind == "c":      # the real view, each part with standard deviation std / sqrt(2)
        a = a[..., None].view(np.finfo(a.dtype).dtype)
        std = float(std / np.sqrt(2.0))
    npd, contiguous = a.dtype, a.flags.c_contiguous
    return _sample(t, Normal if graph else None,
                   lambda shape: _G.normal(generator, shape, npd, mean, std, contiguous))


def random_(t, *args, generator: Optional[Generator] = None, **kwargs):
    """``t.random_()``, ``t.random_(to)``, ``t.random_(from, to)`` (``to=None``: dtype max).

    >>> _ = torch.manual_seed(0); torch.empty((), dtype=torch.int64).random_()
    tensor(900450186894289455)
    """
    graph = _recording(t)
    npd = t._data.dtype
    if npd.kind == "c":
        if args or kwargs:
            raise RuntimeError("check_random_bounds handles only integral, floating-point and "
                               "boolean types")
        raise NotImplementedError('"random_kernel_cpu" not implemented for '
                                  f"'{_torch_name(npd)}'")
    low = kwargs.pop("from", kwargs.pop("from_", None))
    has_to = "to" in kwargs
    to = kwargs.pop("to", None)
    if kwargs:
        raise TypeError(f"random_() got unexpected keyword arguments {sorted(kwargs)}")
    if len(args) == 1 and low is None and not has_to:
        to, has_to = args[0], True                  # random_(to)
    elif len(args) == 2:
        low, to, has_to = args[0], args[1], True
    elif len(args) == 1:
        if low is None:
            low = args[0]
        else:
            to, has_to = args[0], True
    elif args:
        raise TypeError("random_() takes at most 2 positional arguments")
    if low is None and not has_to:
        return _sample(t, RandomBits if graph else None,
                       lambda shape: _G.random_bits(generator, shape, npd))
    node = (Random if low is not None else RandomTo) if graph else None
    low = 0 if low is None else int(low)
    if to is None:
        return _sample(t, node, lambda shape: _G.random_from(generator, shape, npd, low))
    return _sample(t, node, lambda shape: _G.randint(generator, low, int(to), shape, npd))


def bernoulli_(t, p=0.5, *, generator: Optional[Generator] = None):
    """Fill ``t`` with 0/1: ``U < p`` (float ``p``: 2 words each; tensor ``p``: by its dtype).

    >>> _ = torch.manual_seed(0); torch.empty(4).bernoulli_(0.5)
    tensor([0., 0., 1., 0.])
    """
    graph = _recording(t)
    npd = t._data.dtype
    if hasattr(p, "_data") or isinstance(p, np.ndarray):
        if npd.kind == "c":
            raise NotImplementedError('"bernoulli_tensor_cpu_self_" not implemented for '
                                      f"'{_torch_name(npd)}'")
        pa = _input_data(p)
        if pa.dtype.kind != "f":
            pa = pa.astype(np.float32)
        if not np.all((pa >= 0) & (pa <= 1)):
            raise RuntimeError(_P_IN_RANGE)

        def make(shape):
            return _G.bernoulli(generator, np.ascontiguousarray(
                np.broadcast_to(pa, t._data.shape).transpose(_axes_in_memory_order(t._data)))
            ).reshape(shape).astype(npd)
        tp = p if hasattr(p, "_data") else None
        if graph or (tp is not None and tp.requires_grad and _grad_state[0]):
            if not graph:
                check_inplace(t)
            return apply_inplace(BernoulliTensor, t, (t, tp), (t._data, pa), make)
        return _fill(t, make)
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_errors.cpp_number(p)}")
    if npd.kind == "c":
        raise NotImplementedError('"bernoulli_scalar_cpu_" not implemented for '
                                  f"'{_torch_name(npd)}'")
    return _sample(t, BernoulliFloat if graph else None,
                   lambda shape: _G.bernoulli(generator, p, shape).astype(npd))


def _axes_in_memory_order(a: np.ndarray):
    if a.flags.c_contiguous:
        return tuple(range(a.ndim))
    return tuple(sorted(range(a.ndim), key=lambda i: -abs(a.strides[i])))


def exponential_(t, lambd: float = 1.0, *, generator: Optional[Generator] = None):
    """Fill ``t`` with exponential samples ``-log1p(-U)/lambd`` (2 words each)."""
    graph = _recording(t)
    npd = t._data.dtype
    if npd.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {_torch_name(npd)}")
    lambd = float(lambd)
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda="
                           f"{_errors.cpp_number(lambd)}")
    return _sample(t, Exponential if graph else None,
                   lambda shape: _G.exponential(generator, shape, npd, lambd))


def dropout_mask(shape, p: float, np_dtype=np.float32,
                 generator: Optional[Generator] = None) -> np.ndarray:
    """The scaled keep-mask ``F.dropout`` multiplies by (training mode), as a NumPy array.

    ``mask = (U53 < 1-p) / (1-p)`` in the input dtype, 2 words per element.  For
    ``p == 0`` or ``p == 1`` PyTorch draws nothing: this returns ones / zeros.

    >>> _ = torch.manual_seed(0); dropout_mask((4,), 0.5)
    array([0., 0., 2., 0.], dtype=float32)
    """
    shape = _size((), shape) if not isinstance(shape, (int, np.integer)) else (int(shape),)
    npd = np.dtype(np_dtype)
    p = float(p)
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0:
        return np.ones(shape, npd)
    if p == 1:
        return np.zeros(shape, npd)
    keep = 1.0 - p
    mask = _G.bernoulli(generator, keep, shape).astype(npd)
    mask /= npd.type(keep)
    return mask


# ----------------------------------------------------------------------------
# multinomial
# ----------------------------------------------------------------------------
# Measured against torch 2.13 CPU (tests/test_multinomial.py holds the record):
# - without replacement, or num_samples == 1: q = exponential_(1) drawn over a tensor laid out
#   like the input (2 words per element, in the input's memory order), keys = p / q in the
#   input dtype, then argmax (n == 1) or topk(n) of each row.  Equal keys (zero weights when
#   n exceeds the nonzero count) come out in the order of PyTorch's CPU topk, i.e. libstdc++'s
#   partial_sort (k * 64 <= n) or nth_element + sort, emulated below.
# - with replacement and n >= 2: per row, validate, cumulative sum in float32 (float16/32
#   inputs) or float64, divided by its last value; then n U53 draws (2 words each), each giving
#   the first index whose cumulative value is >= u.  Rows are done one after another.
_MN_BAD_VALUES = "probability tensor contains either `inf`, `nan` or element < 0"
_MN_SUM = "invalid multinomial distribution (sum of probabilities <= 0)"


def _topk_order(keys, k: int) -> list:
    """Indices of the ``k`` largest ``keys`` (a 1-D array) in PyTorch's CPU ``topk`` order.

    Values are the same as any sort gives; equal values come out in the order libstdc++'s
    ``partial_sort`` (when ``k * 64 <= n``) or ``nth_element`` followed by ``sort`` leave
    them, comparing keys only (NaN counts as the largest).

    >>> _topk_order(np.zeros(5), 3)
    [2, 4, 3]
    """
    # dense integer ranks keep order and ties, with NaN above everything
    ranks = np.unique(keys, return_inverse=True)[1].reshape(-1).tolist()
    a = list(zip(ranks, range(len(ranks))))
    n = len(a)
    if k * 64 <= n:
        _heap_select(a, 0, k, n)
        _sort_heap(a, 0, k)
    else:
        _nth_element(a, k - 1, n)
        _introsort(a, 0, k - 1)
    return [i for _, i in a[:k]]


def _half(x: int) -> int:
    return -((-x) // 2) if x < 0 else x // 2       # C division by 2 (toward zero)


def _push_heap(a, first, hole, top, value):
    parent = _half(hole - 1)
    while hole > top and a[first + parent][0] > value[0]:
        a[first + hole] = a[first + parent]
        hole = parent
        parent = _half(hole - 1)
    a[first + hole] = value


def _adjust_heap(a, first, hole, length, value):
    top = child = hole
    while child < _half(length - 1):
        child = 2 * (child + 1)
        if a[first + child][0] > a[first + child - 1][0]:
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length % 2 == 0 and child == _half(length - 2):
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    _push_heap(a, first, hole, top, value)


def _heap_select(a, first, middle, last):
    length = middle - first
    if length >= 2:
        for parent in range(_half(length - 2), -1, -1):
            _adjust_heap(a, first, parent, length, a[first + parent])
    for i in range(middle, last):
        if a[i][0] > a[first][0]:
            value = a[i]
            a[i] = a[first]
            _adjust_heap(a, first, 0, length, value)


def _sort_heap(a, first, last):
    while last - first > 1:
        last -= 1
        value = a[last]
        a[last] = a[first]
        _adjust_heap(a, first, 0, last - first, value)


def _linear_insert(a, last):
    val = a[last]
    while val[0] > a[last - 1][0]:
        a[last] = a[last - 1]
        last -= 1
    a[last] = val


def _insertion_sort(a, first, last):
    for i in range(first + 1, last):
        if a[i][0] > a[first][0]:
            val = a[i]
            a[first + 1:i + 1] = a[first:i]
            a[first] = val
        else:
            _linear_insert(a, i)


def _partition_pivot(a, first, last):
    mid = first + (last - first) // 2
    x, y, z = first + 1, mid, last - 1          # median of three moved to `first`
    if a[x][0] > a[y][0]:
        m = y if a[y][0] > a[z][0] else (z if a[x][0] > a[z][0] else x)
    elif a[x][0] > a[z][0]:
        m = x
    else:
        m = z if a[y][0] > a[z][0] else y
    a[first], a[m] = a[m], a[first]
    pivot = a[first][0]
    lo, hi = first + 1, last
    while True:
        while a[lo][0] > pivot:
            lo += 1
        hi -= 1
        while pivot > a[hi][0]:
            hi -= 1
        if lo >= hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


def _introsort(a, first, last):
    if last - first < 2:
        return
    stack = [(first, last, 2 * ((last - first).bit_length() - 1))]
    while stack:                                 # the introsort loop, without recursion
        lo, hi, depth = stack.pop()
        while hi - lo > 16:
            if depth == 0:
                _heap_select(a, lo, hi, hi)
                _sort_heap(a, lo, hi)
                break
            depth -= 1
            cut = _partition_pivot(a, lo, hi)
            stack.append((cut, hi, depth))
            hi = cut
    if last - first > 16:                        # final insertion sort
        _insertion_sort(a, first, first + 16)
        for i in range(first + 16, last):
            _linear_insert(a, i)
    else:
        _insertion_sort(a, first, last)


def _nth_element(a, nth, last):
    first = 0
    if nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _partition_pivot(a, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last)


def _top_rows(keys: np.ndarray, k: int) -> np.ndarray:
    """Row-wise ``topk(keys, k).indices`` in PyTorch's order (ties as its CPU kernel)."""
    order = np.argsort(-keys, axis=1, kind="stable")[:, :k + 1]
    top = np.take_along_axis(keys, order, axis=1)
    tied = (top[:, 1:] == top[:, :-1]).any(axis=1) | np.isnan(top).any(axis=1)
    out = order[:, :k].astype(np.int64)
    for r in np.nonzero(tied)[0]:                # only ties need PyTorch's sort order
        out[r] = _topk_order(keys[r], k)
    return out


def _multinomial_args(input, num_samples, replacement, generator, out):
    Tensor = _tensor_cls()
    if not isinstance(input, Tensor):
        raise _errors.not_tensor("multinomial", input)
    if isinstance(num_samples, Tensor) and num_samples._data.ndim == 0 \
            and num_samples._data.dtype.kind in "iu":
        num_samples = int(num_samples._data)
    if isinstance(num_samples, (bool, np.bool_)) or not isinstance(num_samples, (int, np.integer)):
        raise _errors.arg_error("multinomial", "num_samples", 2, "int", num_samples)
    if not isinstance(replacement, bool):
        raise _errors.arg_error("multinomial", "replacement", 3, "bool", replacement)
    if generator is not None and not isinstance(generator, Generator):
        raise _errors.arg_error("multinomial", "generator", None, "torch.Generator", generator)
    a = input._data
    if a.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if a.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_torch_name(a.dtype)}")
    if out is not None and out._data.dtype != np.int64:
        raise RuntimeError("multinomial expects Long tensor out, got: "
                           f"{_torch_name(out._data.dtype)}")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = a.shape[-1]
    if not replacement and n > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if k > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    return a, n


def _race(gen, p: np.ndarray, n: int) -> np.ndarray:
    """Without replacement (or n == 1): the exponential race ``topk(p / q)``, rows of ``p``."""
    if p.size == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    lo, hi = p.min(), p.max()
    if np.isnan(lo) or np.isnan(hi) or lo < 0 or np.isinf(hi):
        raise RuntimeError(_MN_BAD_VALUES)
    if not (p > 0).any(axis=1).all():
        raise RuntimeError(_MN_SUM)
    s0, s1 = p.strides
    if p.shape[0] > 1 and p.shape[1] > 1 and 0 < s0 < s1:
        # empty_like keeps the input's stride order (also for sliced, non-dense inputs)
        q = _G.exponential(gen, p.shape[::-1], p.dtype).T
    else:
        q = _G.exponential(gen, p.shape, p.dtype)
    keys = p / q
    if n == 1:
        return np.argmax(keys, axis=1)[:, None].astype(np.int64)
    return _top_rows(keys, n)


def _with_replacement(gen, p: np.ndarray, n: int) -> np.ndarray:
    """With replacement, n >= 2: inverse CDF per row, rows one after another."""
    gen = _G._gen(gen)
    rows, k = p.shape
    acc = np.float64 if p.dtype == np.float64 else np.float32
    neg = ~(p >= 0)                              # NaN counts as "< 0", as in PyTorch
    bad = neg | (p == np.inf)
    cum = np.cumsum(p, axis=1, dtype=acc)
    total = cum[:, -1] if k else np.zeros(rows, acc)
    row_bad = bad.any(axis=1) | ~(total > 0)
    good = rows
    if row_bad.any():
        good = int(np.argmax(row_bad))
    out = np.empty((good, n), np.int64)
    u = _G._u53(good * n, gen).reshape(good, n)  # the rows before a bad one still draw
    cdf = cum[:good] / cum[:good, -1:]
    if good * n * k <= 1 << 18:                  # count of cdf < u = the binary search's answer
        out[...] = (cdf[:, None, :] < u[:, :, None]).sum(axis=2)
    else:
        for r in range(good):
            out[r] = np.searchsorted(cdf[r], u[r], side="left")
    if good < rows:
        if bad[good].any():
            j = int(np.argmax(bad[good]))
            what = "< 0" if neg[good, j] else "= infinity or NaN"
            raise RuntimeError(f"invalid multinomial distribution (encountering probability "
                               f"entry {what})")
        raise RuntimeError(_MN_SUM)
    return out


def multinomial(input, num_samples: int, replacement: bool = False, *,
                generator: Optional[Generator] = None, out=None):
    """Indices sampled from the rows of ``input`` (unnormalised weights), as ``torch.multinomial``.

    Bit-identical to PyTorch's CPU kernel after ``manual_seed``; the result is int64 with
    shape ``(num_samples,)`` for 1-D input and ``(rows, num_samples)`` for 2-D input.

    >>> _ = torch.manual_seed(0); torch.multinomial(torch.tensor([1., 2., 3., 4.]), 4)
    tensor([2, 1, 3, 0])
    >>> _ = torch.manual_seed(0); torch.multinomial(torch.tensor([1., 2., 3., 4.]), 3, True)
    tensor([3, 3, 2])
    """
    a, n = _multinomial_args(input, num_samples, replacement, generator, out)
    p = a if a.ndim == 2 else a[None]
    rows = p.shape[0]
    if rows * n * 8 >= 1 << 63:
        raise RuntimeError(f"Storage size calculation overflowed with sizes="
                           f"{list(a.shape[:-1]) + [n]}")
    if rows == 0:
        res = np.empty((0, n), np.int64)
    elif not replacement or n == 1:
        res = _race(generator, p, n)
    else:
        res = _with_replacement(generator, p, n)
    if a.ndim == 1:
        res = res[0]
    return _wrap(res, out=out)
