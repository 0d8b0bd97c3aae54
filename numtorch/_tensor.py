"""``Tensor``: a NumPy array plus what autograd needs (requires_grad, grad, grad_fn, version).

The class is thin on purpose: operators and methods are the functions of ``numtorch.ops``
(``Tensor.exp`` *is* ``torch.exp``), installed at the bottom of this file from one table.

>>> import numtorch as torch
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward(); x.grad
tensor([2., 4.])
"""
from __future__ import annotations

import numpy as np

_warned_float = [False]    # float(t) of a tensor that requires grad warned already

from . import _dtype
from ._size import Size
from ._device import cpu as _cpu
from ._printing import tensor_repr
from ._storage import storage_of as _storage_of


class Tensor:
    """A multi-dimensional array with autograd, as ``torch.Tensor``."""

    __slots__ = ("_data", "requires_grad", "grad_fn", "_vc", "__weakref__", "__dict__")

    # Rarely set attributes are class-level defaults (an instance only pays when it sets one).
    _grad = None        # the .grad tensor (leaves, retained non-leaves)
    _hooks = None       # backward hooks of a leaf
    _out_index = 0      # which output of its grad_fn this tensor is (multi-output Functions)
    _device = None      # None means the CPU
    _view_of = None     # a view of a tensor that requires grad: its base and steps (ops/_views.py)
    _views = None       # a non-leaf base: weak references to its tracked views (ops/_views.py)
    # NumPy scalars and arrays defer to Tensor's operators (``np.float64(2.0) * w`` is a tensor
    # with its graph, as in PyTorch), instead of converting the tensor with ``__array__``
    __array_priority__ = 1000

    # -- construction ---------------------------------------------------------------------------
    def __new__(cls, *args, **kwargs):
        # legacy constructor: torch.Tensor(2, 3) -> uninitialised float32; torch.Tensor([1, 2]) -> data
        self = object.__new__(cls)
        if not args:
            args = (0,)
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            src = args[0]
            try:
                data = src._data.astype(_dtype.get_default_dtype().np) if isinstance(src, Tensor) \
                    else np.array(src, dtype=_dtype.get_default_dtype().np)
            except (ValueError, TypeError):
                from ._errors import nesting_error
                raise nesting_error(src) from None
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list, Size)) else args
            data = np.zeros(tuple(int(s) for s in shape), _dtype.get_default_dtype().np)
        _init(self, data)
        return self

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def _make(data: np.ndarray, requires_grad: bool = False) -> "Tensor":
        """Wrap ``data`` (no copy). The one place tensors are made on the hot path."""
        t = object.__new__(Tensor)
        t._data = data
        t.requires_grad = requires_grad
        t.grad_fn = None
        t._vc = [0]
        return t

    def _bump_version(self) -> None:
        self._vc[0] += 1

    @property
    def _version(self) -> int:
        return self._vc[0]

    # -- attributes -----------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def dtype(self) -> _dtype.dtype:
        return _dtype._BY_NP[self._data.dtype]

    @property
    def device(self):
        return self._device or _cpu

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self):
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            import warnings
            warnings.warn(_NONLEAF_GRAD, UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' "
                                   f"to a tensor of size '{list(self._data.shape)}'. Please ensure "
                                   "that the gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_dtype.cpp_name(value.dtype)}' to "
                    f"a tensor with grad_dtype '{_dtype.legacy_name(self.dtype)}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self) -> "Tensor":
        """The same values without autograd history (shares memory, but has a version counter of
        its own: ``x.data.mul_(2)`` is invisible to autograd, unlike ``x.detach().mul_(2)``)."""
        t = Tensor._make(self._data)
        if self._device is not None:
            t._device = self._device
        return t

    @data.setter
    def data(self, value: "Tensor"):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self.requires_grad and value._data.dtype.kind not in "fc":
            raise RuntimeError("data set to a tensor that requires gradients must be floating point "
                               "or complex dtype")
        self._data = value._data
        if value._device is not self._device:
            self._device = value._device

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def layout(self):
        return "torch.strided"

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def stride(self, dim: int | None = None):
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        return _storage_of(self._data)[1]

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def get_device(self) -> int:
        return -1 if self.device.type == "cpu" else (self.device.index or 0)

    # -- autograd -------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        retained = self.grad_fn.__dict__.setdefault("_retained", [])
        self.grad_fn._hooked = True
        if not any(t is self for t in retained):
            retained.append(self)

    @property
    def retains_grad(self) -> bool:
        fn = self.grad_fn
        return fn is not None and any(t is self for t in fn.__dict__.get("_retained", ()))

    def detach(self) -> "Tensor":
        """The same values without autograd history; shares memory and the version counter, so
        an in-place change to it is caught by a backward that saved the original."""
        t = Tensor._make(self._data)
        t._vc = self._vc
        if self._device is not None:
            t._device = self._device
        return t

    def detach_(self) -> "Tensor":
        if self._view_of is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self.requires_grad = False
        return self

    # -- conversion -----------------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        a = self._data
        return a if dtype is None else a.astype(dtype, copy=False)

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        return arr

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if not self._data.size
                               else "Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        if self._data.size != 1:
            raise ValueError(_ONE_ELEMENT)
        if self.requires_grad and not _warned_float[0]:     # PyTorch warns once per process,
            from .autograd.grad_mode import state as grad_enabled       # with grad mode on
            if not grad_enabled[0]:
                return float(self._data.item())
            _warned_float[0] = True
            import warnings
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=2)
        return float(self._data.item())

    def __int__(self) -> int:
        if self._data.size != 1:
            raise ValueError(_ONE_ELEMENT)
        return int(self._data.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __complex__(self) -> complex:
        if self._data.size != 1:
            raise ValueError(_ONE_ELEMENT)
        return complex(self._data.item())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents=None) -> str:
        return tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_plain, (self._data, self.requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                               "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = object.__new__(type(self))
        _init(new, self._data.copy(), self.requires_grad)
        if self._grad is not None:
            new._grad = Tensor._make(self._grad._data.copy())
        for k, v in getattr(self, "__dict__", {}).items():
            import copy
            new.__dict__[k] = copy.deepcopy(v, memo)
        memo[id(self)] = new
        return new

    def __contains__(self, item) -> bool:
        if isinstance(item, Tensor):
            item = item._data
        elif not isinstance(item, (int, float, np.number, np.bool_)):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in "
                               f"a {type(item)}.")
        return bool((self._data == item).any())

    # type conversion: float(), long(), ... and to()/type() live in ops.convert


_ONE_ELEMENT = "only one element tensors can be converted to Python scalars"
_NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field to "
    "be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access "
    "the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")


def _rebuild_tensor_plain(array: np.ndarray, requires_grad: bool = False) -> Tensor:
    """Rebuild a tensor pickled with the standard pickle module (``Tensor.__reduce_ex__``)."""
    return Tensor._make(array, bool(requires_grad))


def _init(t: Tensor, data: np.ndarray, requires_grad: bool = False) -> None:
    t._data = data
    t.requires_grad = requires_grad
    t.grad_fn = None
    t._vc = [0]


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    try:
        ok = -n <= dim < n
    except TypeError:
        ok = None
    if not ok:
        if not isinstance(dim, (int, np.integer)):
            from ._errors import dim_type_error
            raise dim_type_error(dim)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n
