"""``nn.Parameter``: a tensor a ``Module`` registers as one of its parameters.

>>> import numtorch as torch
>>> torch.nn.Parameter(torch.ones(2))
Parameter containing:
tensor([1., 1.], requires_grad=True)
"""
from __future__ import annotations

from .._tensor import Tensor, _init
from ..ops.creation import empty

__all__ = ["Parameter", "Buffer"]


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
    return False


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
