"""``nn.Parameter``: a tensor a ``Module`` registers as one of its parameters.

>>> import numtorch as torch
>>> torch.nn.Parameter(torch.ones(2))
Parameter containing:
tensor([1., 1.], requires_grad=True)

``UninitializedParameter`` / ``UninitializedBuffer`` are the placeholders of the lazy modules
(``nn.LazyLinear``, ...): no shape yet; ``materialize(shape)`` gives them one and makes them a
``Parameter`` / plain ``Tensor`` (the same object, its class changed).
"""
from __future__ import annotations

import sys

from .. import _dtype
from .._tensor import Tensor, _init
from ..autograd import grad_mode
from ..ops.creation import empty

__all__ = ["Parameter", "UninitializedParameter", "is_lazy", "Buffer", "UninitializedBuffer",
           "UninitializedTensorMixin"]


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and shares ``data``'s memory.

    Assigning one to a ``Module`` attribute registers it (``module.parameters()`` yields it).
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter.__new__ expected a Tensor as data, got {type(data).__name__}")
        if requires_grad and data._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self = object.__new__(cls)
        _init(self, data._data, bool(requires_grad))
        self._vc = data._vc
        if data._device is not None:
            self._device = data._device
        return self

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter_plain, (self._data, self.requires_grad))


def _rebuild_parameter_plain(array, requires_grad: bool = True) -> Parameter:
    """Rebuild an ``nn.Parameter`` pickled with the standard pickle module."""
    return Parameter(Tensor._make(array), requires_grad=bool(requires_grad))


def is_lazy(param) -> bool:
    """Whether ``param`` is an uninitialized parameter or buffer (of a lazy module).

    >>> import numtorch as torch
    >>> torch.nn.parameter.is_lazy(torch.nn.UninitializedParameter())
    True
    """
    return isinstance(param, UninitializedTensorMixin)


class Buffer(Tensor):
    """``nn.Buffer``: a tensor that ``Module.__setattr__`` registers as a buffer.

    Assigning ``module.x = nn.Buffer(t)`` is ``module.register_buffer('x', t)``; the module keeps a
    plain tensor sharing ``t``'s memory.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = empty(0)
        self = object.__new__(cls)
        _init(self, data._data, data.requires_grad)
        self._vc = data._vc
        self.__dict__["persistent"] = persistent
        return self

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True):
        pass


# -- uninitialized parameters and buffers (lazy modules) ------------------------------------------
_SLOT = Tensor.__dict__["_data"]        # the array slot under UninitializedTensorMixin._data
_SHAPE_ERROR = ("Can't access the shape of an uninitialized parameter or buffer. This error "
                "usually happens in `load_state_dict` when trying to load an uninitialized "
                "parameter into an initialized one. Call `forward` to initialize the parameters "
                "before accessing their attributes.")


def _entry_name(frame) -> str:
    """How PyTorch names the function an uninitialized tensor was given to: the outermost
    numtorch function (below the layers) on the stack of ``frame``."""
    name = frame.f_code.co_name
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("numtorch.") or module.startswith("numtorch.nn.modules."):
            break
        name = frame.f_code.co_name
        frame = frame.f_back
    if not name.startswith("_") and callable(getattr(Tensor, name, None)):
        return f"<method '{name}' of 'torch._C.TensorBase' objects>"
    return f"<built-in function {name}>"


class UninitializedTensorMixin:
    """What ``UninitializedParameter`` and ``UninitializedBuffer`` share: no data until
    ``materialize``; any other use raises PyTorch's errors (``.shape``: RuntimeError, an op:
    ValueError). ``dtype``, ``device``, ``requires_grad``, ``size()`` and the conversions
    (``to``, ``float``, ``double``, ...) work, as in PyTorch."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def _use_error(self, what: str) -> ValueError:
        return ValueError(
            f"Attempted to use an uninitialized parameter in {what}. This error happens when you "
            "are using a `LazyModule` or explicitly manipulating "
            f"`torch.nn.parameter.{type(self).__name__}` objects. When using LazyModules Call "
            "`forward` with a dummy batch to initialize the parameters before calling torch "
            "functions")

    # the array is out of reach of the ops: reading it is using an uninitialized tensor
    @property
    def _data(self):
        raise self._use_error(_entry_name(sys._getframe(1)))

    @_data.setter
    def _data(self, value) -> None:
        _SLOT.__set__(self, value)

    def _placeholder(self) -> Tensor:
        t = Tensor._make(_SLOT.__get__(self), self.requires_grad)
        if self._device is not None:
            t._device = self._device
        return t

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give it ``shape`` (uninitialized values, its own device and dtype unless given): it
        becomes a ``Parameter`` (a buffer: a ``Tensor``), the same object.

        >>> import numtorch as torch
        >>> p = torch.nn.UninitializedParameter()
        >>> p.materialize((2, 3))
        >>> type(p).__name__, p.shape
        ('Parameter', torch.Size([2, 3]))
        """
        data = empty(shape, device=self.device if device is None else device,
                     dtype=self.dtype if dtype is None else dtype)
        _SLOT.__set__(self, data._data)
        if data._device is not None or self._device is not None:
            self._device = data._device
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_SHAPE_ERROR)

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype._BY_NP[_SLOT.__get__(self).dtype]

    @property
    def ndim(self) -> int:
        return _SLOT.__get__(self).ndim

    @property
    def data(self) -> Tensor:
        return Tensor.data.fget(self._placeholder())

    @data.setter
    def data(self, value: Tensor) -> None:
        Tensor.data.fset(self, value)

    def size(self, dim=None):
        return self._placeholder().size(dim)

    def is_floating_point(self) -> bool:
        return _SLOT.__get__(self).dtype.kind == "f"

    def is_complex(self) -> bool:
        return _SLOT.__get__(self).dtype.kind == "c"

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call "
                           "`forward` to initialize the parameters before calling "
                           "`module.share_memory()`.")

    def copy_(self, src, non_blocking: bool = False):
        # PyTorch allows it: into the empty placeholder (in-place on a leaf that requires grad
        # is refused outside no_grad, as for any leaf)
        if self.requires_grad and grad_mode.state[0]:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        target = self._placeholder()
        target._vc = self._vc
        target.copy_(src, non_blocking)
        return self

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        raise self._use_error("<method 'type' of 'torch._C.TensorBase' objects>")

    def requires_grad_(self, requires_grad: bool = True):
        raise self._use_error("<method 'requires_grad_' of 'torch._C.TensorBase' objects>")

    def numpy(self, *, force: bool = False):
        raise self._use_error("<method 'numpy' of 'torch._C.TensorBase' objects>")

    def _convert(self, name: str, *args, **kwargs):
        out = getattr(self._placeholder(), name)(*args, **kwargs)
        if _SLOT.__get__(out) is _SLOT.__get__(self) and out._device is self._device:
            return self
        if isinstance(self, Parameter):     # PyTorch: a plain tensor (a Module takes its data)
            return out
        new = object.__new__(type(self))   # a buffer stays uninitialized
        _init(new, _SLOT.__get__(out), self.requires_grad)
        if out._device is not None:
            new._device = out._device
        return new

    def to(self, *args, **kwargs):
        return self._convert("to", *args, **kwargs)

    def float(self, memory_format=None):
        return self._convert("float")

    def double(self, memory_format=None):
        return self._convert("double")

    def half(self, memory_format=None):
        return self._convert("half")

    def long(self, memory_format=None):
        return self._convert("long")

    def int(self, memory_format=None):
        return self._convert("int")

    def short(self, memory_format=None):
        return self._convert("short")

    def char(self, memory_format=None):
        return self._convert("char")

    def cpu(self, memory_format=None):
        return self._convert("cpu")

    def cuda(self, device=None, non_blocking: bool = False):
        return self._convert("cuda", device, non_blocking)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))


def _new_uninitialized(cls, requires_grad, device, dtype):
    if not isinstance(requires_grad, bool):
        raise TypeError(f"_make_subclass(): argument 'require_grad' (position 3) must be bool, "
                        f"not {type(requires_grad).__name__}")
    data = empty(0, device=device, dtype=dtype)
    if requires_grad and data._data.dtype.kind not in "fc":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    self = object.__new__(cls)
    _init(self, data._data, requires_grad)
    if data._device is not None:
        self._device = data._device
    return self


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter with no shape yet: what a lazy module holds until its first ``forward``
    (``materialize(shape)`` makes it an ``nn.Parameter``).

    >>> import numtorch as torch
    >>> torch.nn.LazyLinear(3).weight
    <UninitializedParameter>
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        return _new_uninitialized(cls, requires_grad, device, dtype)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = new
        return new


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer with no shape yet (a lazy batch norm's running statistics); ``materialize``
    makes it a plain ``Tensor``.

    >>> import numtorch as torch
    >>> torch.nn.UninitializedBuffer()
    <UninitializedBuffer>
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None):
        return _new_uninitialized(cls, requires_grad, device, dtype)

    def __init__(self, requires_grad: bool = False, device=None, dtype=None):
        pass
