"""``RMSprop``: divide the gradient by a running root mean square (optionally centered, with momentum).

Same arithmetic as PyTorch's single-tensor implementation::

    g += weight_decay * p
    v = alpha * v + (1 - alpha) * g * g
    avg = sqrt(v - mean_g**2) (centered, mean_g = lerp(mean_g, g, 1 - alpha)) | sqrt(v);  avg += eps
    buf = momentum * buf + g / avg;  p -= lr * buf      (momentum > 0)  |  p -= lr * g / avg

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.RMSprop([w], lr=0.01)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .optimizer import (_check_options, Optimizer, _addcdiv_, _addcmul_, _axpy_,
                        _lerp_, _step_tensor, _zeros_state)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``."""

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_options(lr, epsilon=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _hyper(self, group) -> tuple:
        return (-float(group["lr"]), group["alpha"], group["eps"], group["momentum"],
                group["centered"])

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["square_avg"] = _zeros_state(p)
        if group["momentum"] > 0:
            st["momentum_buffer"] = _zeros_state(p)
        if group["centered"]:
            st["grad_avg"] = _zeros_state(p)

    def _update(self, d, g, st, h) -> None:
        neg_lr, alpha, eps, momentum, centered = h
        st["step"]._data += 1
        v = st["square_avg"]._data
        v *= np.asarray(alpha, v.dtype)
        _addcmul_(v, 1 - alpha, g, g)
        if centered:
            ga = st["grad_avg"]._data
            _lerp_(ga, g, 1 - alpha)
            avg = v.copy()
            _addcmul_(avg, -1, ga, ga)          # v - ga * ga, one rounding
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(v)
        avg += np.asarray(eps, avg.dtype)
        if momentum > 0:
            b = st["momentum_buffer"]._data
            b *= np.asarray(momentum, b.dtype)
            b += g / avg
            _axpy_(d, neg_lr, b)
        else:
            _addcdiv_(d, neg_lr, g, avg)
