"""``torch.amp.GradScaler``: loss scaling, with PyTorch's values, checks and messages.

``GradScaler("cpu")`` is enabled, as in PyTorch: ``scale(loss)`` multiplies by the scale
(65536.0 at first), ``unscale_(optimizer)`` divides the gradients back and looks for inf/NaN,
``step(optimizer)`` skips the update when it found one, and ``update()`` halves the scale after
a skipped step and doubles it after ``growth_interval`` (2000) steps in a row without. The scale
is a float32 0-d tensor and the growth tracker an int32 one, as in PyTorch, so a saved
``state_dict()`` is interchangeable. ``GradScaler()`` / ``GradScaler("cuda")`` warn that CUDA is
not available and disable themselves (then ``scale`` returns the loss unchanged and ``step``
just calls ``optimizer.step()``), as PyTorch without CUDA does.

>>> import numtorch as torch
>>> w = torch.nn.Parameter(torch.tensor([1.0]))
>>> opt = torch.optim.SGD([w], lr=0.1)
>>> scaler = torch.amp.GradScaler("cpu")
>>> loss = (w * 3).sum()
>>> scaler.scale(loss)
tensor(196608., grad_fn=<MulBackward0>)
>>> scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
>>> w.grad, w, scaler.get_scale()
(tensor([3.]), Parameter containing:
tensor([0.7000], requires_grad=True), 65536.0)
"""
from __future__ import annotations

import warnings
from collections import defaultdict
from enum import Enum
from typing import Any, Dict, Iterable, Optional, Union

import numpy as np

from .._tensor import Tensor

__all__ = ["GradScaler", "OptState"]


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> Dict[str, Any]:
    return {"stage": OptState.READY, "found_inf": None}


class GradScaler:
    """Scales a loss so that small gradients survive low precision, and undoes it before the
    optimizer steps (PyTorch's algorithm and values; see the module's notes).

    Args:
        device: ``"cpu"`` (enabled) or ``"cuda"`` (the default: disabled without CUDA).
        init_scale: the first scale. growth_factor / backoff_factor: what the scale is
        multiplied by after ``growth_interval`` steps without inf/NaN / after a step with one.
        enabled: False makes every method a pass-through.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Optional[Tensor] = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: Optional[Tensor] = None
            self._per_optimizer_states: Dict[int, Dict[str, Any]] = \
                defaultdict(_refresh_per_optimizer_state)

    # -- helpers ----------------------------------------------------------------------------------
    def _lazy_init_scale_growth_tracker(self) -> None:
        self._scale = Tensor._make(np.array(self._init_scale, np.float32))
        self._growth_tracker = Tensor._make(np.array(self._init_growth_tracker, np.int32))

    def _check_scale_growth_tracker(self, funcname: str):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier " \
              "in the iteration."
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  {fix}")
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  {fix}")
        return self._scale, self._growth_tracker

    # -- the training-loop API ---------------------------------------------------------------------
    def scale(self, outputs: Union[Tensor, Iterable[Tensor]]):
        """``outputs`` (a tensor, or a list/tuple of them) multiplied by the scale factor."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker()
            return outputs * self._scale

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker()
                return val * self._scale
            if isinstance(val, Iterable):
                iterable = map(apply_scale, val)
                if isinstance(val, (list, tuple)):
                    return type(val)(iterable)
                return iterable
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale: np.float32, allow_fp16: bool) -> bool:
        """Multiply every gradient by ``inv_scale`` in place; whether one was inf or NaN."""
        found_inf = False
        for group in optimizer.param_groups:
            for param in group["params"]:
                if param is None or param.grad is None:
                    continue
                grad = param.grad
                a = grad._data
                if not allow_fp16 and a.dtype == np.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                if not np.isfinite(a).all():
                    found_inf = True
                if a.flags.writeable:
                    np.multiply(a, inv_scale, out=a, casting="unsafe")
                else:
                    grad._data = (a * inv_scale).astype(a.dtype, copy=False)
                grad._bump_version()
        return found_inf

    def unscale_(self, optimizer) -> None:
        """Divide ``optimizer``'s gradients by the scale (in place), once per ``step``; call it
        before clipping gradients."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        has_grads = any(p is not None and p.grad is not None
                        for g in optimizer.param_groups for p in g["params"])
        # PyTorch: the float32 reciprocal of the scale, computed in float64
        inv_scale = np.float32(1.0 / np.float64(self._scale._data))
        found = self._unscale_grads_(optimizer, inv_scale, False)
        state["found_inf"] = float(found) if has_grads else None
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args: Any, **kwargs: Any) -> Optional[float]:
        """``optimizer.step(*args, **kwargs)`` unless the gradients hold inf or NaN (then the
        step is skipped); unscales them first if ``unscale_`` was not called."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not state["found_inf"]:
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale: Optional[Union[float, Tensor]] = None) -> None:
        """Adjust the scale for the next iteration: back off after a skipped step, grow after
        ``growth_interval`` good ones; or set it to ``new_scale``."""
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale._data[...] = np.float32(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if new_scale.device.type != self._device or new_scale.numel() != 1 or \
                        new_scale.requires_grad is not False:
                    raise AssertionError(reason)
                if new_scale.dim() != 0:
                    raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                                       f"{list(new_scale.shape)}")
                scale._data[...] = new_scale._data.astype(np.float32)
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values()
                     if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            s32 = np.float32(scale._data)
            if sum(found):
                scale._data[...] = s32 * np.float32(self._backoff_factor)
                tracker._data[...] = 0
            else:
                successful = int(tracker._data) + 1
                if successful == self._growth_interval:
                    grown = s32 * np.float32(self._growth_factor)
                    if np.isfinite(grown):
                        scale._data[...] = grown
                    tracker._data[...] = 0
                else:
                    tracker._data[...] = successful
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    # -- settings and state ------------------------------------------------------------------------
    def get_scale(self) -> float:
        """The current scale as a Python float (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale._data)

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else \
            int(self._growth_tracker._data)

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> Dict[str, Any]:
        """``{"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"}``
        (empty when disabled), as PyTorch's."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale._data[...] = np.float32(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker._data[...] = state_dict["_growth_tracker"]

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning "
                                     "of an iteration, or at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
            state["_per_optimizer_states"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self._enabled:
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)
