"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

Same arithmetic as PyTorch's single-tensor implementation (float32 results are bit-identical)::

    g = grad (negated when maximize) + weight_decay * p
    buf = g (first step) | momentum * buf + (1 - dampening) * g
    g = g + momentum * buf (nesterov) | buf
    p = p - lr * g

>>> import numtorch as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.8000], requires_grad=True)
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .._tensor import Tensor
from . import _blas
from .optimizer import _check_fused, _check_options, _F32, _F64, Optimizer, _axpy, _axpy_

__all__ = ["SGD"]

_SMALL = _blas.MIN_SIZE      # smaller float32 parameters: the float64 emulation, inlined
_TINY = 4                    # up to this many elements, that emulation on Python floats


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``."""

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        _check_options(lr, True, momentum=momentum, weight_decay=weight_decay)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    def _stateful(self, group) -> bool:
        return group["momentum"] != 0       # PyTorch keeps no state without momentum

    def _step_group(self, group, state) -> None:
        if group["weight_decay"] or group["momentum"] or group["maximize"] \
                or group["differentiable"]:
            super()._step_group(group, state)
            return
        # plain gradient descent, the hot path of most programs: the shared loop with _axpy_
        # inlined for small float32 tensors (d + a * g in float64, rounded once to float32)
        neg_lr = -float(group["lr"])
        a = float(np.float32(neg_lr))
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            d = p._data
            n = d.size
            if d.dtype != _F32 or n >= _SMALL or neg_lr == -1:
                _axpy_(d, neg_lr, g._data)
            elif n <= _TINY:
                # the same float64 operations on Python floats: cheaper than four NumPy calls
                # on a few elements
                d.flat = [y + a * x for y, x in zip(d.ravel().tolist(), g._data.ravel().tolist())]
            else:
                t = g._data.astype(_F64)
                t *= a
                t += d.astype(_F64)     # float64 + float64: faster than mixed types
                d[...] = t
            p._vc[0] += 1

    def _hyper(self, group) -> tuple:
        return (-float(group["lr"]), group["momentum"], 1 - group["dampening"], group["nesterov"])

    def _update(self, d, g, st, h) -> None:
        neg_lr, momentum, keep, nesterov = h
        if momentum != 0:
            buf = st.get("momentum_buffer")
            if buf is None:
                st["momentum_buffer"] = Tensor._make(np.array(g, copy=True))
                b = st["momentum_buffer"]._data
            else:
                b = buf._data
                b *= np.asarray(momentum, b.dtype)
                _axpy_(b, keep, g)
                buf._vc[0] += 1
            g = _axpy(g, momentum, b) if nesterov else b
        _axpy_(d, neg_lr, g)
