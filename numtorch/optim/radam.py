"""``RAdam``: Adam with the variance of the adaptive rate rectified (plain momentum SGD early on).

Same arithmetic as PyTorch's single-tensor implementation::

    t += 1
    p *= 1 - lr * weight_decay                  (decoupled)  | g += weight_decay * p
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
    rho_t > 5:  p -= m / (1 - beta1**t) * lr * sqrt(1 - beta2**t) / (sqrt(v) + eps) * rect(rho_t)
    otherwise:  p -= m / (1 - beta1**t) * lr

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.RAdam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.8000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .adam import _check_adam_args
from .optimizer import Optimizer, _addcmul_, _lerp_, _next_step, _step_tensor, _zeros_state

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``."""

    def __init__(self, params, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False,
                 *, foreach: Optional[bool] = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay, same_types=False)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _hyper(self, group) -> tuple:
        beta1, beta2 = group["betas"]
        return float(group["lr"]), float(beta1), float(beta2), group["eps"]

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["exp_avg"] = _zeros_state(p)
        st["exp_avg_sq"] = _zeros_state(p)

    def _update(self, d, g, st, h) -> None:
        lr, beta1, beta2, eps = h
        step = _next_step(st)
        m = st["exp_avg"]._data
        v = st["exp_avg_sq"]._data
        dt = m.dtype
        _lerp_(m, g, 1 - beta1)
        v *= np.asarray(beta2, dt)
        _addcmul_(v, 1 - beta2, g, g)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        upd = m / np.asarray(bias_correction1, dt)
        upd *= np.asarray(lr, dt)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            # adaptive rate sqrt(1 - beta2**t) / (sqrt(v) + eps): PyTorch's ``float / tensor``
            # is reciprocal(tensor) * float
            a = np.reciprocal(np.sqrt(v) + np.asarray(eps, dt))
            a *= np.asarray(bias_correction2 ** 0.5, dt)
            upd *= a
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            upd *= np.asarray(rect, dt)
        d -= upd
