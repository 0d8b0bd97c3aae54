"""``Adamax``: Adam with the infinity norm in place of the second moment.

Same arithmetic as PyTorch's single-tensor implementation::

    t += 1;  g += weight_decay * p
    m = lerp(m, g, 1 - beta1);  u = max(beta2 * u, |g| + eps)
    p -= lr / (1 - beta1**t) * m / u

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Adamax([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .adam import _check_adam_args
from .optimizer import Optimizer, _addcdiv_, _lerp_, _next_step, _step_tensor, _zeros_state

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax``."""

    def __init__(self, params, lr: float = 2e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay, same_types=False)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _hyper(self, group) -> tuple:
        beta1, beta2 = group["betas"]
        return float(group["lr"]), float(beta1), float(beta2), group["eps"]

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["exp_avg"] = _zeros_state(p)
        st["exp_inf"] = _zeros_state(p)

    def _update(self, d, g, st, h) -> None:
        lr, beta1, beta2, eps = h
        step = _next_step(st)
        m = st["exp_avg"]._data
        u = st["exp_inf"]._data
        _lerp_(m, g, 1 - beta1)
        u *= np.asarray(beta2, u.dtype)
        a = np.abs(g)
        a += np.asarray(eps, a.dtype)
        np.maximum(u, a, out=u)
        _addcdiv_(d, -(lr / (1 - beta1 ** step)), m, u)
