"""``Adadelta``: step sizes from running averages of squared gradients and squared updates.

Same arithmetic as PyTorch's single-tensor implementation::

    g += weight_decay * p
    v = rho * v + (1 - rho) * g * g
    delta = sqrt(u + eps) / sqrt(v + eps) * g
    u = rho * u + (1 - rho) * delta * delta
    p -= lr * delta

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Adadelta([w], lr=1.0)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.9968], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .optimizer import (_check_options, Optimizer, _addcmul_, _axpy_, _next_step, _step_tensor,
                        _zeros_state)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``."""

    _capturable_devices = "['cuda', 'xpu', 'hpu', 'privateuseone']"

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_options(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _hyper(self, group) -> tuple:
        return -float(group["lr"]), group["rho"], group["eps"]

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["square_avg"] = _zeros_state(p)
        st["acc_delta"] = _zeros_state(p)

    def _update(self, d, g, st, h) -> None:
        neg_lr, rho, eps = h
        _next_step(st)
        v = st["square_avg"]._data
        u = st["acc_delta"]._data
        dt = v.dtype
        rho_ = np.asarray(rho, dt)
        eps_ = np.asarray(eps, dt)
        v *= rho_
        _addcmul_(v, 1 - rho, g, g)
        std = np.sqrt(v + eps_)
        delta = np.sqrt(u + eps_)
        delta /= std
        delta *= g
        u *= rho_
        _addcmul_(u, 1 - rho, delta, delta)
        _axpy_(d, neg_lr, delta)
