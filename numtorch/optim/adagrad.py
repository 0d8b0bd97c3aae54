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

from typing import Callable, Optional

import numpy as np

from .._tensor import Tensor
from .optimizer import _check_options, Optimizer, _addcmul_sq_, _axpy, _step_tensor

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
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group) -> None:
        st = self.state[p]
        st["step"] = _step_tensor()
        s = Tensor._make(np.full_like(p._data, group["initial_accumulator_value"]))
        if p._device is not None:
            s._device = p._device
        st["sum"] = s

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform one Adagrad step on every parameter that has a gradient."""
        loss = self._eval_closure(closure) if closure is not None else None
        state = self.state
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = group["lr_decay"]
            eps = group["eps"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                d = p._data
                g = g._data
                st = state[p]
                if "sum" not in st:
                    self._init_state(p, group)
                step_t = st["step"]._data
                step_t += 1
                step = float(step_t)
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = _axpy(g, wd, d)
                clr = lr / (1 + (step - 1) * lr_decay)
                s = st["sum"]._data
                _addcmul_sq_(s, 1, g)
                std = np.sqrt(s)
                std += np.asarray(eps, std.dtype)
                upd = np.multiply(g, np.asarray(-clr, d.dtype))
                upd /= std
                d += upd
                p._vc[0] += 1
        return loss
