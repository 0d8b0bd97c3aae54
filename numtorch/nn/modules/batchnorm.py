"""Batch normalisation layers: ``BatchNorm1d/2d/3d``, as PyTorch builds them.

Same constructor arguments and defaults, the same parameters (``weight`` = 1, ``bias`` = 0) and
buffers (``running_mean``, ``running_var``, ``num_batches_tracked`` as int64), the same
``repr`` and ``state_dict`` keys, so checkpoints move both ways. In training mode the batch's
statistics normalise and the running estimates are updated (``momentum=None``: a cumulative
average); in eval mode the running estimates normalise.

>>> import numtorch as torch
>>> torch.nn.BatchNorm2d(6)
BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
>>> list(torch.nn.BatchNorm1d(3).state_dict())
['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
"""
from __future__ import annotations

from ..._dtype import int64
from ..._tensor import Tensor
from ...ops import normalization as _N
from ...ops.creation import empty, ones, tensor, zeros
from .. import init
from ..parameter import Parameter
from .linear import _factory
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]


def _affine_parameters(module: Module, affine: bool, bias: bool, shape, kw: dict) -> None:
    """PyTorch's elementwise ``weight`` and ``bias`` of ``shape`` (values set by
    ``_reset_affine``), registered as None when ``affine`` (or ``bias``) is off."""
    if affine:
        module.weight = Parameter(empty(shape, **kw))
        if bias:
            module.bias = Parameter(empty(shape, **kw))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module: Module, affine: bool) -> None:
    """``weight`` 1 and ``bias`` 0, when there are."""
    if affine:
        init.ones_(module.weight)
        if module.bias is not None:
            init.zeros_(module.bias)


class _NormBase(Module):
    """Parameters, running statistics and their resets, shared by batch and instance norm."""

    _version = 2
    __constants__ = ["track_running_stats", "momentum", "eps", "num_features", "affine"]

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True) -> None:
        super().__init__()
        kw = _factory(device, dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine_parameters(self, affine, bias, num_features, kw)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, **kw))
            self.register_buffer("running_var", ones(num_features, **kw))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches counted."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, then weight 1 and bias 0."""
        self.reset_running_stats()
        _reset_affine(self, self.affine)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign: bool = False) -> None:
        # checkpoints from before num_batches_tracked existed (no version, or version 1) load
        # with the module's own count (0 for a new module), as in PyTorch
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                state_dict[key] = (self.num_batches_tracked if self.num_batches_tracked is not None
                                   else tensor(0, dtype=int64))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs, assign)


class _BatchNorm(_NormBase):
    """``forward``: ``F.batch_norm`` with the running statistics this mode calls for."""

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        momentum = self.momentum
        factor = 0.0 if momentum is None else momentum
        buffers, params = self._buffers, self._parameters
        rm, rv, count = buffers["running_mean"], buffers["running_var"], \
            buffers["num_batches_tracked"]
        training = self.training
        if training and self.track_running_stats and count is not None:
            _N.count_batch(count)
            factor = 1.0 / float(count._data) if momentum is None else momentum
        # training: the batch's statistics; eval: the running ones, if there are any
        bn_training = training or (rm is None and rv is None)
        use_running = not training or self.track_running_stats
        return _N.batch_norm(input, rm if use_running else None, rv if use_running else None,
                             params["weight"], params["bias"], bn_training, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm over ``(N, C)`` or ``(N, C, L)`` inputs.

    >>> m = torch.nn.BatchNorm1d(2)
    >>> m(torch.tensor([[1.0, 2.0], [3.0, 6.0]]))
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<NativeBatchNormBackward0>)
    >>> m.running_mean, m.num_batches_tracked
    (tensor([0.2000, 0.4000]), tensor(1))
    """

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch norm over ``(N, C, H, W)`` inputs (per channel)."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch norm over ``(N, C, D, H, W)`` inputs (per channel)."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")
