"""``NAdam``: Adam with Nesterov momentum (momentum decay schedule ``mu_t``).

Same arithmetic as PyTorch's single-tensor implementation::

    t += 1
    p *= 1 - lr * weight_decay                  (decoupled)  | g += weight_decay * p
    mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay));  mu_product *= mu_t
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    denom = sqrt(v / (1 - beta2**t)) + eps
    p -= lr * (1 - mu_t) / (1 - mu_product) * g / denom
    p -= lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / denom

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.NAdam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.8944], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .._tensor import Tensor
from .adam import _check_adam_args
from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _lerp_, _next_step, _scalar_dtype,
                        _step_tensor, _zeros_state)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``."""

    _capturable_message = "params, mu_products and state_steps"

    def __init__(self, params, lr: float = 2e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay, same_types=False)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "differentiable": differentiable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for st in self.state.values():
            if isinstance(st, dict) and "mu_product" in st \
                    and not isinstance(st["mu_product"], Tensor):
                st["mu_product"] = _step_tensor(float(st["mu_product"]))

    def _hyper(self, group) -> tuple:
        beta1, beta2 = group["betas"]
        return (float(group["lr"]), float(beta1), float(beta2), group["eps"],
                group["momentum_decay"])

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["mu_product"] = Tensor._make(np.ones((), _scalar_dtype()))
        st["exp_avg"] = _zeros_state(p)
        st["exp_avg_sq"] = _zeros_state(p)

    def _update(self, d, g, st, h) -> None:
        lr, beta1, beta2, eps, momentum_decay = h
        step = _next_step(st)
        bias_correction2 = 1 - beta2 ** step
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = st["mu_product"]._data
        mu_product *= mu                    # a float32 (or float64) 0-d tensor, as in PyTorch
        m = st["exp_avg"]._data
        v = st["exp_avg_sq"]._data
        _lerp_(m, g, 1 - beta1)
        v *= np.asarray(beta2, v.dtype)
        _addcmul_(v, 1 - beta2, g, g)
        denom = np.sqrt(v / np.asarray(bias_correction2, v.dtype))
        denom += np.asarray(eps, denom.dtype)
        mp = float(mu_product)
        _addcdiv_(d, -lr * (1.0 - mu) / (1.0 - mp), g, denom)
        _addcdiv_(d, (-lr * mu_next) / (1.0 - mp * mu_next), m, denom)
