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
``t``'s storage, as PyTorch does.  ``dropout_mask(shape, p, np_dtype)`` gives the
scaled keep-mask of ``F.dropout`` (2 words per element).
"""
from __future__ import annotations

import operator
from typing import Optional

import numpy as np

from . import _dtype, _errors
from . import _generator as _G
from ._generator import Generator

__all__ = ["rand", "rand_like", "randn", "randn_like", "randint", "randint_like",
           "randperm", "normal", "bernoulli"]


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
    return np.dtype(dtype)


def _torch_name(npd) -> str:
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return names.get(np.dtype(npd).name, np.dtype(npd).name)


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


def _fill(t, make):
    """Write ``make(shape)`` into ``t`` in its storage's memory order; bump its version."""
    a = t._data
    if a.flags.c_contiguous:
        a[...] = make(a.shape)
    else:
        v = _memory_view(a)
        v[...] = make(v.shape)
    t._bump_version()
    return t


def _check_inplace(t) -> None:
    if t.requires_grad and t.grad_fn is None:
        from .autograd.grad_mode import is_grad_enabled
        if is_grad_enabled():
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")


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
        npd = np.result_type(m.dtype, s.dtype)
        shape = np.broadcast_shapes(m.shape, s.shape)
        _check_float(npd, "normal_kernel_cpu")
        if float(np.min(s, initial=0.0)) < 0:
            raise RuntimeError("normal expects all elements of std >= 0.0")
        z = _G.normal(generator, shape, npd)
        return _wrap((z * s.astype(npd, copy=False) + m.astype(npd, copy=False)).astype(npd))
    if mt:
        m = mean._data
        npd = m.dtype
        _check_float(npd, "normal_kernel_cpu")
        if float(std) < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_errors.cpp_number(std)}")
        z = _G.normal(generator, m.shape, npd, 0.0, float(std))
        return _wrap((z + m).astype(npd, copy=False))
    s = std._data
    npd = s.dtype
    _check_float(npd, "normal_kernel_cpu")
    if float(np.min(s, initial=0.0)) < 0:
        raise RuntimeError("normal expects all elements of std >= 0.0")
    z = _G.normal(generator, s.shape, npd)
    return _wrap((z * s + npd.type(mean)).astype(npd, copy=False))


def _empty(shape, npd, requires_grad=False, device=None):
    return _wrap(np.empty(shape, npd), requires_grad, device)


def bernoulli(input, p=None, *, generator: Optional[Generator] = None, out=None):
    """0/1 samples with probabilities ``input`` (or a float ``p``), as ``torch.bernoulli``.

    >>> _ = torch.manual_seed(0); torch.bernoulli(torch.full((4,), 0.5))
    tensor([1., 0., 1., 1.])
    """
    a = input._data
    if p is not None:
        return bernoulli_(_wrap(np.empty(a.shape, a.dtype)), p, generator=generator)
    if a.dtype.kind != "f":
        raise RuntimeError(f'"bernoulli_tensor_cpu_p_" not implemented for \'{_torch_name(a.dtype)}\'')
    if not np.all((a >= 0) & (a <= 1)):
        raise RuntimeError(_P_IN_RANGE)
    mask = _G.bernoulli(generator, np.ascontiguousarray(a))
    return _wrap(mask.astype(a.dtype))


# ----------------------------------------------------------------------------
# in-place samplers (Tensor.uniform_ etc. delegate here)
# ----------------------------------------------------------------------------
def uniform_(t, a: float = 0.0, b: float = 1.0, *, generator: Optional[Generator] = None):
    """Fill ``t`` with uniform samples in [a, b) (spec §2.2; nn.Linear init uses it).

    >>> _ = torch.manual_seed(0); torch.empty(2).uniform_(-0.5, 0.5)
    tensor([-0.0037,  0.2682])
    """
    _check_inplace(t)
    npd = t._data.dtype
    _check_float(npd, "check_uniform_bounds")
    a, b = float(a), float(b)
    if a > b:
        raise RuntimeError("uniform_ expects to return a [from, to) range, "
                           f"but found from={_errors.cpp_number(a)} > to={_errors.cpp_number(b)}")
    return _fill(t, lambda shape: _G.uniform(generator, shape, npd, a, b))


def normal_(t, mean: float = 0.0, std: float = 1.0, *, generator: Optional[Generator] = None):
    """Fill ``t`` with normal samples (spec §3: the path depends on numel and contiguity).

    >>> _ = torch.manual_seed(0); torch.empty(2).normal_(0.5, 0.02)
    tensor([0.5308, 0.4941])
    """
    _check_inplace(t)
    a = t._data
    _check_float(a.dtype, "normal_kernel_cpu")
    std = float(std)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_errors.cpp_number(std)}")
    contiguous = a.flags.c_contiguous
    return _fill(t, lambda shape: _G.normal(generator, shape, a.dtype, mean, std, contiguous))


def random_(t, *args, generator: Optional[Generator] = None, **kwargs):
    """``t.random_()``, ``t.random_(to)``, ``t.random_(from, to)`` (``to=None``: dtype max).

    >>> _ = torch.manual_seed(0); torch.empty((), dtype=torch.int64).random_()
    tensor(900450186894289455)
    """
    _check_inplace(t)
    npd = t._data.dtype
    low = kwargs.pop("from", kwargs.pop("from_", None))
    has_to = "to" in kwargs
    to = kwargs.pop("to", None)
    if kwargs:
        raise TypeError(f"random_() got unexpected keyword arguments {sorted(kwargs)}")
    if len(args) == 1 and low is None and not has_to:
        low, to, has_to = 0, args[0], True
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
        return _fill(t, lambda shape: _G.random_bits(generator, shape, npd))
    low = 0 if low is None else int(low)
    if to is None:
        return _fill(t, lambda shape: _G.random_from(generator, shape, npd, low))
    return _fill(t, lambda shape: _G.randint(generator, low, int(to), shape, npd))


def bernoulli_(t, p=0.5, *, generator: Optional[Generator] = None):
    """Fill ``t`` with 0/1: ``U < p`` (float ``p``: 2 words each; tensor ``p``: by its dtype).

    >>> _ = torch.manual_seed(0); torch.empty(4).bernoulli_(0.5)
    tensor([0., 0., 1., 0.])
    """
    _check_inplace(t)
    npd = t._data.dtype
    if hasattr(p, "_data") or isinstance(p, np.ndarray):
        pa = _input_data(p)
        if pa.dtype.kind != "f":
            pa = pa.astype(np.float32)
        if not np.all((pa >= 0) & (pa <= 1)):
            raise RuntimeError(_P_IN_RANGE)
        return _fill(t, lambda shape: _G.bernoulli(generator, np.ascontiguousarray(
            np.broadcast_to(pa, t._data.shape).transpose(_axes_in_memory_order(t._data)))
        ).reshape(shape).astype(npd))
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_errors.cpp_number(p)}")
    return _fill(t, lambda shape: _G.bernoulli(generator, p, shape).astype(npd))


def _axes_in_memory_order(a: np.ndarray):
    if a.flags.c_contiguous:
        return tuple(range(a.ndim))
    return tuple(sorted(range(a.ndim), key=lambda i: -abs(a.strides[i])))


def exponential_(t, lambd: float = 1.0, *, generator: Optional[Generator] = None):
    """Fill ``t`` with exponential samples ``-log1p(-U)/lambd`` (2 words each)."""
    _check_inplace(t)
    npd = t._data.dtype
    _check_float(npd, "exponential_cpu")
    lambd = float(lambd)
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda="
                           f"{_errors.cpp_number(lambd)}")
    return _fill(t, lambda shape: _G.exponential(generator, shape, npd, lambd))


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
