"""``Rprop``: resilient backpropagation, per-element step sizes from the signs of the gradients.

Same arithmetic as PyTorch's single-tensor implementation::

    s = sign(g * prev) -> etaplus (> 0), etaminus (< 0), 1 (== 0)
    step_size = clamp(step_size * s, *step_sizes)
    g = 0 where the sign flipped;  p -= sign(g) * step_size;  prev = g

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Rprop([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .optimizer import _check_options, Optimizer, _step_tensor, _next_step, _zeros_state

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop, as ``torch.optim.Rprop``."""

    def __init__(self, params, lr: float = 1e-2, etas: Tuple[float, float] = (0.5, 1.2),
                 step_sizes: Tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_options(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _hyper(self, group) -> tuple:
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        return etaminus, etaplus, step_size_min, step_size_max

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["prev"] = _zeros_state(p)
        size = _zeros_state(p)
        size._data[...] = float(group["lr"])
        st["step_size"] = size

    def _update(self, d, g, st, h) -> None:
        etaminus, etaplus, step_size_min, step_size_max = h
        _next_step(st)
        prev = st["prev"]._data
        size = st["step_size"]._data
        dt = d.dtype
        sign = np.asarray(np.sign(g * prev))        # an array also for 0-d parameters
        sign[sign > 0] = etaplus
        sign[sign < 0] = etaminus
        sign[sign == 0] = 1
        size *= sign
        np.clip(size, np.asarray(step_size_min, dt), np.asarray(step_size_max, dt), out=size)
        g = np.where(sign == np.asarray(etaminus, dt), np.zeros((), dt), g)
        d -= np.sign(g) * size          # addcmul_(sign(g), step_size, value=-1): one rounding
        prev[...] = g
