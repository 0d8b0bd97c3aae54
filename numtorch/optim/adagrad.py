"""``Adagrad``: per-element learning rates from the sum of squared gradients.

Same arithmetic as PyTorch's single-tensor implementation::

    g += weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s += g * g
    p -= clr * g / (sqrt(s) + eps)

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Adagrad([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .._tensor import Tensor
from .optimizer import (_check_fused, _check_options, Optimizer, _addcdiv_, _addcmul_,
                        _next_step, _step_tensor)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``."""

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: Optional[bool] = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        _check_options(lr, lr_decay=lr_decay, weight_decay=weight_decay,
                       initial_accumulator_value=initial_accumulator_value, epsilon=eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p: Tensor, st, group) -> None:
        st["step"] = _step_tensor()
        s = Tensor._make(np.full_like(p._data, group["initial_accumulator_value"]))
        if p._device is not None:
            s._device = p._device
        st["sum"] = s

    def _hyper(self, group) -> tuple:
        return float(group["lr"]), group["lr_decay"], group["eps"]

    def _update(self, d, g, st, h) -> None:
        lr, lr_decay, eps = h
        step = _next_step(st)
        clr = lr / (1 + (step - 1) * lr_decay)
        s = st["sum"]._data
        _addcmul_(s, 1, g, g)
        std = np.sqrt(s)
        std += np.asarray(eps, std.dtype)
        _addcdiv_(d, -clr, g, std)
