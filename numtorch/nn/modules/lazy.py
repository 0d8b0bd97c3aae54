"""Lazy modules: layers whose input size is read from the first batch (``nn.LazyLinear`` & co).

A lazy layer is built without its input size (``in_features``, ``in_channels``,
``num_features``): its parameters are ``UninitializedParameter`` placeholders. The first
``forward`` (a forward pre-hook) reads the size from the input, gives the parameters their
shapes, initialises them with the eager layer's own ``reset_parameters`` (so after
``manual_seed`` the numbers are PyTorch's) and turns the module into the eager layer
(``type(m)`` becomes ``nn.Linear``, ...). ``load_state_dict`` of an initialized state dict
gives the placeholders the loaded shapes. ``LazyModuleMixin`` is the machinery, for your own
lazy modules too (write ``initialize_parameters``).

>>> import numtorch as torch
>>> m = torch.nn.LazyLinear(10)
>>> m
LazyLinear(in_features=0, out_features=10, bias=True)
>>> m(torch.zeros(4, 3)).shape
torch.Size([4, 10])
>>> m
Linear(in_features=3, out_features=10, bias=True)
"""
from __future__ import annotations

from typing import Any

from ..._dtype import int64
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.creation import tensor
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm, _NormBase
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm
from .linear import Linear
from .module import Module

# (LazyModuleMixin is importable from here, as in PyTorch, but torch.nn does not export it)
__all__ = ["LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class LazyModuleMixin:
    """A module whose parameters are shaped by its first input (put it before the module class).

    Subclasses hold ``UninitializedParameter`` / ``UninitializedBuffer`` placeholders and write
    ``initialize_parameters(*args, **kwargs)``, called with the first ``forward``'s arguments
    to ``materialize`` them; ``cls_to_become`` (if set) is the class the module takes then.

    >>> import numtorch as torch
    >>> from numtorch.nn.modules.lazy import LazyModuleMixin
    >>> class LazyScale(LazyModuleMixin, torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = torch.nn.UninitializedParameter()
    ...     def initialize_parameters(self, x):
    ...         self.scale.materialize(x.shape[-1:])
    ...         torch.nn.init.ones_(self.scale)
    ...     def forward(self, x):
    ...         return x * self.scale
    >>> m = LazyScale()
    >>> m.has_uninitialized_params()
    True
    >>> m(torch.tensor([2.0, 3.0]))
    tensor([2., 3.], grad_fn=<MulBackward0>)
    >>> m.has_uninitialized_params()
    False
    """

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module (not its children) is a placeholder."""
        return any(is_lazy(t) for d in (self._parameters, self._buffers) for t in d.values())

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Materialize and initialise the placeholders from the first forward's arguments."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def _infer_parameters(self, module: Module, args: tuple, kwargs: dict | None = None) -> None:
        """The forward pre-hook: initialize, check, drop the hooks, become ``cls_to_become``."""
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        del module._initialize_hook
        del module._load_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys,
                        unexpected_keys, error_msgs) -> None:
        """Before loading: a placeholder takes the shape of the initialized tensor loaded
        into it."""
        for table in (self._parameters, self._buffers):
            for name, value in table.items():
                key = prefix + name
                if value is not None and is_lazy(value) and key in state_dict:
                    loaded = state_dict[key]
                    if isinstance(loaded, Tensor) and not is_lazy(loaded):
                        with no_grad():
                            value.materialize(loaded.shape)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign: bool = False) -> None:
        # a placeholder loaded into a placeholder stays one (nothing to copy, not missing)
        waiting = {prefix + name for table in (self._parameters, self._buffers)
                   for name, value in table.items()
                   if is_lazy(value) and is_lazy(state_dict.get(prefix + name))}
        if waiting:
            state_dict = {k: v for k, v in state_dict.items() if k not in waiting}
        n = len(missing_keys)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs, assign)
        if waiting:
            missing_keys[n:] = [k for k in missing_keys[n:] if k not in waiting]

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        # placeholders go in as they are (they cannot be detached)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars or is_lazy(param) \
                    else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars or is_lazy(buf) else buf.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + "_extra_state"] = self.get_extra_state()

    def _replicate_for_data_parallel(self):
        if self.has_uninitialized_params():
            raise RuntimeError("Modules with uninitialized parameters can't be used with "
                               "`DataParallel`. Run a dummy forward pass to correctly initialize "
                               "the modules")
        replicate = getattr(super(), "_replicate_for_data_parallel", None)
        return self if replicate is None else replicate()


# -- Linear ---------------------------------------------------------------------------------------
class LazyLinear(LazyModuleMixin, Linear):
    """``nn.Linear`` with ``in_features`` read from the first input's last dimension.

    >>> import numtorch as torch
    >>> m = torch.nn.LazyLinear(2)
    >>> m.weight
    <UninitializedParameter>
    >>> _ = m(torch.zeros(3, 5)); m.weight.shape, type(m).__name__
    (torch.Size([2, 5]), 'Linear')
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:        # loaded from a state dict: the size is the weight's
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(f"The in_features inferred from input: {input.shape[-1]} is "
                                     f"not equal to in_features from self.weight: "
                                     f"{self.weight.shape[-1]}")
            self.in_features = input.shape[-1]


# -- convolutions ---------------------------------------------------------------------------------
class _LazyConvXdMixin(LazyModuleMixin):
    """What the lazy convolutions share: ``in_channels`` from the input's channel dimension."""

    def _lazy_init(self, out_channels: int, bias: bool, device, dtype) -> None:
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input: Tensor) -> int:
        unbatched = self._nd + 1
        if input.dim() not in (unbatched, unbatched + 1):
            raise RuntimeError(f"Expected {unbatched}D (unbatched) or {unbatched + 1}D (batched) "
                               f"input to {self.__class__.__name__}, but got input of size: "
                               f"{input.shape}")
        return input.shape[1] if input.dim() == unbatched + 1 else input.shape[0]

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            if self.transposed:
                shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
            else:
                shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
            with no_grad():
                self.weight.materialize(shape)
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()


class _LazyConv(_LazyConvXdMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device=device, dtype=dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class _LazyConvTranspose(_LazyConvXdMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device=device, dtype=dtype)
        self._lazy_init(out_channels, bias, device, dtype)


class LazyConv1d(_LazyConv, Conv1d):
    """``nn.Conv1d`` with ``in_channels`` read from the first input (``input.size(-2)``).

    >>> import numtorch as torch
    >>> torch.nn.LazyConv1d(4, 3)
    LazyConv1d(0, 4, kernel_size=(3,), stride=(1,))
    """
    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """``nn.Conv2d`` with ``in_channels`` read from the first input (``input.size(-3)``).

    >>> import numtorch as torch
    >>> m = torch.nn.LazyConv2d(8, 3)
    >>> _ = m(torch.zeros(1, 2, 5, 5)); m
    Conv2d(2, 8, kernel_size=(3, 3), stride=(1, 1))
    """
    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """``nn.Conv3d`` with ``in_channels`` read from the first input (``input.size(-4)``)."""
    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """``nn.ConvTranspose1d`` with ``in_channels`` read from the first input."""
    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """``nn.ConvTranspose2d`` with ``in_channels`` read from the first input.

    >>> import numtorch as torch
    >>> torch.nn.LazyConvTranspose2d(4, 2, stride=2)(torch.zeros(1, 3, 2, 2)).shape
    torch.Size([1, 4, 4, 4])
    """
    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """``nn.ConvTranspose3d`` with ``in_channels`` read from the first input."""
    cls_to_become = ConvTranspose3d


# -- batch and instance norm ----------------------------------------------------------------------
class _LazyNormBase(LazyModuleMixin, _NormBase):
    """``num_features`` read from the first input's dimension 1."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps, momentum, False, False, device, dtype)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=int64, device=device)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        if self.has_uninitialized_params():
            self.num_features = input.shape[1]
            with no_grad():
                if self.affine:
                    self.weight.materialize((self.num_features,))
                    if self.bias is not None:
                        self.bias.materialize((self.num_features,))
                if self.track_running_stats:
                    self.running_mean.materialize((self.num_features,))
                    self.running_var.materialize((self.num_features,))
                self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """``nn.BatchNorm1d`` with ``num_features`` read from the first input.

    >>> import numtorch as torch
    >>> m = torch.nn.LazyBatchNorm1d()
    >>> m
    LazyBatchNorm1d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> _ = m(torch.zeros(4, 3)); m
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """
    cls_to_become = BatchNorm1d
    _check_input_dim = BatchNorm1d._check_input_dim


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """``nn.BatchNorm2d`` with ``num_features`` read from the first input."""
    cls_to_become = BatchNorm2d
    _check_input_dim = BatchNorm2d._check_input_dim


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """``nn.BatchNorm3d`` with ``num_features`` read from the first input."""
    cls_to_become = BatchNorm3d
    _check_input_dim = BatchNorm3d._check_input_dim


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """``nn.InstanceNorm1d`` with ``num_features`` read from the first input (note PyTorch's
    defaults here: ``affine=True``, ``track_running_stats=True``)."""
    cls_to_become = InstanceNorm1d
    _no_batch_dim = 2


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """``nn.InstanceNorm2d`` with ``num_features`` read from the first input."""
    cls_to_become = InstanceNorm2d
    _no_batch_dim = 3


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """``nn.InstanceNorm3d`` with ``num_features`` read from the first input."""
    cls_to_become = InstanceNorm3d
    _no_batch_dim = 4
