"""``torch.autograd``: backward, grad, Function, Variable, grad modes and gradcheck.

>>> import numtorch as torch
>>> x = torch.tensor([2.0], requires_grad=True)
>>> torch.autograd.grad(x * x, x)
(tensor([4.]),)
"""
from __future__ import annotations

from . import grad_mode
from .function import Function, FunctionCtx, AccumulateGrad
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from ._grad import backward, grad
from .variable import Variable
from .gradcheck import gradcheck, gradgradcheck
from . import function, graph
from . import anomaly_mode
from .anomaly_mode import (detect_anomaly, set_detect_anomaly, is_anomaly_enabled,
                           is_anomaly_check_nan_enabled, set_anomaly_enabled)
from .._lazy import lazy_module as _lazy_module

# torch.autograd.functional (jacobian, hessian, vjp, ...) loads on first use
__getattr__, __dir__ = _lazy_module(globals(), {}, ("functional",))

__all__ = ["backward", "grad", "Function", "Variable", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "gradcheck", "detect_anomaly", "set_detect_anomaly"]
