"""In-place view changes: ``t_``, ``unsqueeze_``, ``squeeze_`` here, and the shared helper
``inplace_view`` that ``transpose_``/``swapaxes_``/``swapdims_`` (ops/misc_extra.py) use too.

PyTorch records each as a node of its own (``TBackward1``, ``UnsqueezeBackward1``,
``SqueezeBackward3``/``4``/``5``, ``TransposeBackward1``) that becomes the tensor's ``grad_fn``:
the same Functions as the out-of-place views, under other names. The version counter bumps;
leaves that require grad (and views of them) refuse with grad mode on; under ``no_grad`` only
the shape changes. A view stays a view of its base, and a base's live views keep reading the
same elements.

>>> import numtorch as torch
>>> y = torch.ones(2, 1, 3, requires_grad=True) * 2
>>> y.squeeze_(1).grad_fn.name(), y.shape, y._version
('SqueezeBackward4', torch.Size([2, 3]), 1)
"""
from __future__ import annotations

import operator

from .._errors import arg_error, missing_arguments, repeated_dim_error, type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd.grad_mode import state as _state
from . import _views
from ._apply import _NO_CTX, apply, check_inplace
from .shape import T, Permute, View, _inverse

__all__ = ["inplace_view", "t_", "unsqueeze_", "squeeze_"]

_index = operator.index


class TInplace(T):
    _raw = True
    _name = "TBackward1"


class UnsqueezeInplace(View):
    _raw = True
    _name = "UnsqueezeBackward1"


class SqueezeInplace(View):
    _raw = True
    _name = "SqueezeBackward3"


class SqueezeDimInplace(View):
    _raw = True
    _name = "SqueezeBackward4"


class SqueezeDimsInplace(View):
    _raw = True
    _name = "SqueezeBackward5"


def inplace_view(self: Tensor, cls, *params) -> Tensor:
    """Give ``self`` the geometry ``cls.forward(ctx, self's array, *params)`` makes, in place (a
    view op applied to the tensor itself, as ``t_``, ``squeeze_``, ``transpose_`` do): with grad
    mode on and ``self`` requiring grad, a ``cls`` node becomes its ``grad_fn`` (leaves that
    require grad, and views of them, refuse); the version counter bumps either way. ``cls`` is
    a ``Permute`` (``params``: the axes) or a ``View`` (``params``: the new shape) subclass.

    >>> import numtorch as torch
    >>> y = torch.ones(2, 3, requires_grad=True) * 2
    >>> y.t_().grad_fn.name(), y.shape, y._version
    ('TBackward1', torch.Size([3, 2]), 1)
    """
    x = self._data
    graph = self.requires_grad and _state[0]
    if graph:
        check_inplace(self)            # leaves that require grad, views of them, multi-view outputs
        r = apply(cls, (self,), (x,), *params)
        self.grad_fn = r.grad_fn
        if self._out_index:
            self._out_index = 0
        data = r._data
    else:
        data = cls.forward(_NO_CTX, x, *params)
    info = self._view_of
    if info is not None:               # a view stays a view: one more step from its base
        self._view_of = (info[0], info[1] + ((cls, params),), info[2])
    views = self._views
    if views:
        # the views of this base were made from its old geometry: their steps start by undoing
        # the change (PyTorch's views address the storage, which does not move)
        undo = ((Permute, (_inverse(params[0]),)) if issubclass(cls, Permute)
                else (View, (x.shape,)))
        for ref in views:
            v = ref()
            if v is not None:
                base, steps, meta = v._view_of
                v._view_of = (base, (undo,) + steps, meta)
    self._data = data
    self._vc[0] += 1
    if graph and views:
        _views.regenerate(self)        # its views now read from the new history
    return self


def t_(self: Tensor, *args, **kwargs) -> Tensor:
    """``t()`` in place: the two dimensions of a matrix swapped (0-d and 1-d stay as they are).

    >>> import numtorch as torch
    >>> torch.zeros(2, 3).t_().shape
    torch.Size([3, 2])
    """
    if kwargs:
        raise TypeError("TensorBase.t_() takes no keyword arguments")
    if args:
        raise TypeError(f"TensorBase.t_() takes no arguments ({len(args)} given)")
    n = self._data.ndim
    if n > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {n}D")
    return inplace_view(self, TInplace, (1, 0) if n == 2 else tuple(range(n)))


def _dim_kwarg(fn: str, args: tuple, kwargs: dict) -> tuple:
    """``args`` with ``dim=`` (or NumPy's ``axis=``) appended, as PyTorch's parser takes them."""
    for key in kwargs:
        if key not in ("dim", "axis") or len(kwargs) > 1:
            raise TypeError(f"{fn}() got an unexpected keyword argument '{key}'")
    return args + tuple(kwargs.values())


def unsqueeze_(self: Tensor, *args, **kwargs) -> Tensor:
    """``unsqueeze(dim)`` in place: a size-1 dimension inserted at ``dim``.

    >>> import numtorch as torch
    >>> torch.zeros(2, 3).unsqueeze_(1).shape
    torch.Size([2, 1, 3])
    """
    args = _dim_kwarg("unsqueeze_", args, kwargs)
    if not args:
        raise missing_arguments("unsqueeze_", ["dim"])
    if len(args) > 1:
        raise TypeError(f"unsqueeze_() takes 1 positional argument but {len(args)} were given")
    dim = args[0]
    if isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise arg_error("unsqueeze_", "dim", 1, "int", dim)
    x = self._data
    d = _wrap_dim(_index(dim), x.ndim + 1)
    return inplace_view(self, UnsqueezeInplace, x.shape[:d] + (1,) + x.shape[d:])


def _squeeze_error(fn: str, args: tuple, kwargs: dict) -> TypeError:
    """PyTorch's message for arguments that match none of squeeze's overloads."""
    if args and kwargs:
        got = ", ".join([type_name(a) for a in args]
                        + [f"{k}={type_name(v)}" for k, v in kwargs.items()])
        return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), "
                         f"but expected one of:\n * ()\n * (int dim)\n * (tuple of ints dim)\n")
    if kwargs:
        got = "".join(f"{k}={type_name(v)}, " for k, v in kwargs.items())
        first = "some of the keywords were incorrect: " + ", ".join(kwargs)
    else:
        got = ", ".join(type_name(a) for a in args)
        marked = ", ".join(f"!{type_name(a)}!" for a in args)
        first = f"some of the arguments have invalid types: ({marked})"
    bad = (f"some of the arguments have invalid types: (!{got[:-2]}!, )" if kwargs else first)
    why = "\n      didn't match because "
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n * (){why}{first}\n * (int dim){why}{bad}\n"
                     f" * (tuple of ints dim){why}{bad}\n")


def squeeze_(self: Tensor, *args, **kwargs) -> Tensor:
    """``squeeze()`` in place: size-1 dimensions dropped (all, or those of ``dim``: an int, a
    tuple, or several ints).

    >>> import numtorch as torch
    >>> torch.zeros(2, 1, 3, 1).squeeze_((1, 3)).shape
    torch.Size([2, 3])
    """
    fn = "squeeze_"
    dims = _dim_kwarg(fn, args, kwargs)
    x = self._data
    if not dims:
        return inplace_view(self, SqueezeInplace, tuple(s for s in x.shape if s != 1))
    one = dims[0]
    if len(dims) == 1 and not isinstance(one, (tuple, list)):
        if isinstance(one, bool) or not hasattr(one, "__index__"):
            raise _squeeze_error(fn, args, kwargs)
        cls, dims = SqueezeDimInplace, (_index(one),)
    else:
        if args and kwargs:
            raise _squeeze_error(fn, args, kwargs)
        if len(dims) == 1:
            dims = tuple(one)
        for i, d in enumerate(dims):
            if isinstance(d, bool) or not hasattr(d, "__index__"):
                raise TypeError(f"{fn}(): argument 'dim' failed to unpack the object at pos "
                                f"{i + 1} with error \"type must be tuple of ints,but got "
                                f"{type(d).__name__}\"")
        cls = SqueezeDimsInplace
    axes = [_wrap_dim(_index(d), x.ndim) for d in dims]
    if len(set(axes)) != len(axes):
        raise repeated_dim_error(axes)
    shape = tuple(s for i, s in enumerate(x.shape) if not (i in axes and s == 1))
    return inplace_view(self, cls, shape)
