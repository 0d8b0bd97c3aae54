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

from typing import Callable, Optional

import numpy as np

from .optimizer import (_check_options, Optimizer, _addcmul_sq_, _axpy, _axpy_, _lerp_, _step_tensor,
                        _zeros_state, _F32, _F64)

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

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform one RMSprop step on every parameter that has a gradient."""
        loss = self._eval_closure(closure) if closure is not None else None
        state = self.state
        for group in self.param_groups:
            neg_lr = -float(group["lr"])
            alpha = group["alpha"]
            eps = group["eps"]
            wd = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            maximize = group["maximize"]
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                d = p._data
                g = g._data
                st = state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["square_avg"] = _zeros_state(p)
                    if momentum > 0:
                        st["momentum_buffer"] = _zeros_state(p)
                    if centered:
                        st["grad_avg"] = _zeros_state(p)
                st["step"]._data += 1
                if maximize:
                    g = np.negative(g)
                if wd != 0:
                    g = _axpy(g, wd, d)
                v = st["square_avg"]._data
                v *= np.asarray(alpha, v.dtype)
                _addcmul_sq_(v, 1 - alpha, g)
                if centered:
                    ga = st["grad_avg"]._data
                    _lerp_(ga, g, 1 - alpha)
                    # v - ga * ga with one rounding (addcmul with value=-1)
                    if v.dtype == _F32:
                        t = ga.astype(_F64)
                        t *= -ga
                        t += v
                        avg = t.astype(_F32)
                    else:
                        avg = v - ga * ga
                    avg = np.sqrt(avg)
                else:
                    avg = np.sqrt(v)
                avg += np.asarray(eps, avg.dtype)
                if momentum > 0:
                    b = st["momentum_buffer"]._data
                    b *= np.asarray(momentum, b.dtype)
                    b += g / avg
                    _axpy_(d, neg_lr, b)
                else:
                    upd = np.multiply(g, np.asarray(neg_lr, d.dtype))
                    upd /= avg
                    d += upd
                p._vc[0] += 1
        return loss
