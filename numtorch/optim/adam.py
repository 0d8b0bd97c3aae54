"""``Adam``: adaptive moment estimation (with AMSGrad, maximize, L2 or decoupled weight decay).

Same arithmetic as PyTorch's single-tensor implementation::

    t += 1
    p *= 1 - lr * weight_decay                  (decoupled, AdamW)  | g += weight_decay * p
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    v_max = max(v_max, v)                        (amsgrad)
    p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Adam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .._tensor import Tensor
from .optimizer import (_check_fused, _check_options, Optimizer, _addcdiv_, _addcmul_, _lerp_,
                        _next_step, _step_tensor, _zeros_state)

__all__ = ["Adam"]


def _check_adam_args(lr, betas, eps, weight_decay, same_types: bool = True) -> None:
    """The checks of Adam, AdamW, Adamax, NAdam and RAdam, in PyTorch's order and words."""
    _check_options(lr, epsilon=eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    if same_types and not ((isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
        raise ValueError("betas must be either both floats or both Tensors")


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``."""

    def __init__(self, params, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: Optional[bool] = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        betas = tuple(b.item() if isinstance(b, Tensor) else b for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    def _hyper(self, group) -> tuple:
        beta1, beta2 = group["betas"]
        return float(group["lr"]), float(beta1), float(beta2), group["eps"], group["amsgrad"]

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["exp_avg"] = _zeros_state(p)
        st["exp_avg_sq"] = _zeros_state(p)
        if group["amsgrad"]:
            st["max_exp_avg_sq"] = _zeros_state(p)

    def _update(self, d, g, st, h) -> None:
        lr, beta1, beta2, eps, amsgrad = h
        step = _next_step(st)
        m = st["exp_avg"]._data
        v = st["exp_avg_sq"]._data
        _lerp_(m, g, 1 - beta1)
        v *= np.asarray(beta2, v.dtype)
        _addcmul_(v, 1 - beta2, g, g)
        step_size = lr / (1 - beta1 ** step)
        bc2_sqrt = (1 - beta2 ** step) ** 0.5
        if amsgrad:
            vmax = st["max_exp_avg_sq"]._data
            np.maximum(vmax, v, out=vmax)
            denom = np.sqrt(vmax)
        else:
            denom = np.sqrt(v)
        dt = denom.dtype
        denom /= np.asarray(bc2_sqrt, dt)
        denom += np.asarray(eps, dt)
        _addcdiv_(d, -step_size, m, denom)
