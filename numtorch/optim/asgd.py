"""``ASGD``: averaged stochastic gradient descent (Polyak-Ruppert averaging in ``state['ax']``).

Same arithmetic as PyTorch's single-tensor implementation::

    g += weight_decay * p
    p *= 1 - lambd * eta;  p -= eta * g
    ax = p (mu == 1) | ax + (p - ax) * mu
    eta = lr / (1 + lambd * lr * t)**alpha;  mu = 1 / max(1, t - t0)

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.ASGD([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.8000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .._tensor import Tensor
from .optimizer import (_check_options, Optimizer, _axpy_, _next_step, _scalar_dtype, _step_tensor,
                        _zeros_state)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD, as ``torch.optim.ASGD``."""

    _capturable_message = "params, mus, etas, and state_steps"

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: Optional[bool] = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_options(lr, weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        for st in self.state.values():
            for key in ("eta", "mu"):
                if isinstance(st, dict) and key in st and not isinstance(st[key], Tensor):
                    st[key] = _step_tensor(float(st[key]))

    def _hyper(self, group) -> tuple:
        return float(group["lr"]), group["lambd"], group["alpha"], group["t0"]

    def _init_state(self, p, st, group) -> None:
        st["step"] = _step_tensor()
        st["eta"] = _step_tensor(float(group["lr"]))
        st["mu"] = Tensor._make(np.ones((), _scalar_dtype()))
        st["ax"] = _zeros_state(p)

    def _update(self, d, g, st, h) -> None:
        lr, lambd, alpha, t0 = h
        step = _next_step(st)
        eta = st["eta"]._data
        mu = st["mu"]._data
        eta_value = float(eta)
        d *= np.asarray(1 - lambd * eta_value, d.dtype)      # decay
        _axpy_(d, -eta_value, g)                             # update
        ax = st["ax"]._data
        if float(mu) != 1:
            t = d - ax
            t *= mu.astype(d.dtype)
            ax += t
        else:
            ax[...] = d
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu[...] = 1 / max(1, step - t0)
