"""``Optimizer``: the base class of every optimizer, as ``torch.optim.Optimizer``.

Parameter groups, per-parameter ``state``, ``zero_grad`` and a ``state_dict`` in PyTorch's
format (``state`` keyed by parameter index, ``param_groups`` with ``params`` as index lists), so a
saved numtorch optimizer loads in PyTorch and the other way round.

The optimizers share one update loop (``Optimizer.step``: skip parameters without a gradient,
create state, ``maximize``, weight decay, bump versions) and the float32 rounding helpers below
(``_axpy_``, ``_addcmul_``, ``_lerp_``, ``_addcdiv_``), which reproduce the roundings of PyTorch's
CPU kernels: each optimizer only writes its ``_init_state`` and ``_update``. Updates are in place
on ``p._data``. The arithmetic is that of PyTorch's default CPU path (single-tensor): ``foreach``
and ``fused`` are accepted where PyTorch accepts them and change nothing here, while PyTorch's own
foreach / fused kernels round a few operations differently (NAdam, RAdam and ASGD with
``foreach=True``; the fused SGD, Adam, AdamW and Adagrad), by an ulp or so per step.

>>> import numtorch as torch
>>> w = torch.ones(2, requires_grad=True)
>>> opt = torch.optim.SGD([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.8000, 0.8000], requires_grad=True)
"""
from __future__ import annotations

import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Dict, List, Optional

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from . import _blas

__all__ = ["Optimizer", "required"]

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


class _RequiredParameter:
    """Singleton marking an optimizer option without a default."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _check_options(lr, _negative_only: bool = False, **options) -> None:
    """PyTorch's constructor checks: ``lr`` and each option must be >= 0, in the order given.

    ``_check_options(lr, momentum=m)`` raises ``ValueError("Invalid momentum value: -1")``;
    ``epsilon`` is PyTorch's word for ``eps``. ``_negative_only``: SGD's form of the test
    (``value < 0.0``, which lets NaN through and words a type error as PyTorch's SGD does).
    """
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    for name, value in (("learning rate", lr),) + tuple(options.items()):
        if (value < 0.0) if _negative_only else not 0.0 <= value:
            raise ValueError(f"Invalid learning rate: {lr}" if name == "learning rate"
                             else f"Invalid {name} value: {value}")


def _check_fused(fused, differentiable, foreach) -> None:
    """PyTorch's refusals of ``fused=True`` combinations (on the CPU fused=True is accepted and
    numtorch runs its one implementation: the same arithmetic, up to an ulp)."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _typename(obj) -> str:
    """``torch.typename``: ``torch.FloatTensor`` for tensors, the class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    name = type(obj).__qualname__
    return name if module in ("builtins", "__builtin__") else f"{module}.{name}"


# -- fused arithmetic, rounded once like PyTorch's CPU kernels -------------------------------------
# PyTorch's vectorised CPU kernels for ``add_(x, alpha=a)``, ``lerp_`` and ``addcmul_`` use a fused
# multiply-add (one rounding). For float32 we get the same bits by doing the multiply and add in
# float64 (the product of two float32 values is exact there) and rounding once to float32.

# With alpha = 1 or -1 the product is exact, so the fused and the plain float32 sum are the same
# single rounding: those take the plain in-place ufunc (4x cheaper on large arrays).

def _f32(alpha: float) -> np.ndarray:
    """``alpha`` rounded to float32 (as the float kernels see it), as a 0-d float64 array."""
    return np.array(np.float32(alpha), _F64)


def _fma32_(y: np.ndarray, a: np.ndarray, x: np.ndarray) -> None:
    """``y = fl32(y + a * x)`` for float32 ``y``, ``x`` and a float32-exact float64 ``a``."""
    if y.size >= _blas.MIN_SIZE and x.dtype == _F32 and x.size == y.size \
            and y.flags.c_contiguous and x.flags.c_contiguous:
        fused = _blas.saxpy()
        if fused is not None:
            fused(y, float(a), x)
            return
    t = x.astype(_F64)
    t *= a                  # exact: a product of two float32 values fits in float64
    t += y
    y[...] = t


def _axpy_(y: np.ndarray, alpha: float, x: np.ndarray) -> None:
    """``y += alpha * x`` in place, as ``y.add_(x, alpha=alpha)``."""
    if alpha == 1:
        y += x
    elif alpha == -1:
        y -= x
    elif y.dtype == _F32:
        _fma32_(y, _f32(alpha), x)
    else:
        y += alpha * x


def _axpy(y: np.ndarray, alpha: float, x: np.ndarray) -> np.ndarray:
    """``y + alpha * x`` as a new array, as ``y.add(x, alpha=alpha)``."""
    if alpha == 1:
        return y + x
    if alpha == -1:
        return y - x
    if y.dtype == _F32:
        if y.size >= _blas.MIN_SIZE:
            r = y.copy()
            _fma32_(r, _f32(alpha), x)
            return r
        t = x.astype(_F64)
        t *= _f32(alpha)
        t += y
        return t.astype(_F32)
    return y + alpha * x


def _lerp_(y: np.ndarray, end: np.ndarray, weight: float) -> None:
    """``y.lerp_(end, weight)`` in place."""
    if y.dtype == _F32:
        w = np.float32(weight)
        t = (end - y).astype(_F64)
        if abs(w) < 0.5:
            t *= w
            t += y
        else:
            t *= -(np.float32(1) - w)
            t += end
        np.copyto(y, t, casting="same_kind")
    elif abs(weight) < 0.5:
        y += weight * (end - y)
    else:
        np.subtract(end, (end - y) * (1 - weight), out=y)


def _addcmul_(y: np.ndarray, value: float, a: np.ndarray, b: np.ndarray) -> None:
    """``y += value * a * b`` in place, as ``y.addcmul_(a, b, value=value)``: one rounding of
    ``(value * a) * b + y`` (PyTorch's fused multiply-add)."""
    if y.dtype == _F32:
        t = (a * np.float32(value)).astype(_F64)            # value * a, rounded to float32
        t *= b                                              # exact in float64
        t += y
        np.copyto(y, t, casting="same_kind")
    else:
        y += value * a * b


def _addcdiv_(y: np.ndarray, value: float, num: np.ndarray, den: np.ndarray) -> None:
    """``y += (value * num) / den`` in place, as ``y.addcdiv_(num, den, value=value)``."""
    if value != 1:
        t = np.multiply(num, np.asarray(value, y.dtype))
        t /= den
    else:
        t = num / den
    y += t


def _scalar_dtype() -> np.dtype:
    """The dtype of the ``step`` counters (float64 when that is the default dtype)."""
    return _F64 if _dtype.get_default_dtype().np == _F64 else _F32


def _step_tensor(value: float = 0.0) -> Tensor:
    return Tensor._make(np.array(value, dtype=_scalar_dtype()))


def _next_step(st: Dict[str, Any]) -> float:
    """Add one to ``st['step']`` (a 0-d tensor, as PyTorch keeps it) and return it as a float."""
    t = st["step"]._data
    t += 1
    return float(t)


def _zeros_state(p: Tensor) -> Tensor:
    t = Tensor._make(np.zeros_like(p._data))
    if p._device is not None:
        t._device = p._device
    return t


class Optimizer:
    """Base class for all optimizers, as ``torch.optim.Optimizer``.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter groups).
        defaults: the default value of every option of a parameter group.
    """

    def __init__(self, params, defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        self._optimizer_step_post_hooks: "OrderedDict[int, Callable]" = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: List[Dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # -- pickling / printing --------------------------------------------------------------------
    def __getstate__(self) -> Dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())
        # options added in later PyTorch versions get their defaults in older state dicts
        for group in self.param_groups:
            for k, v in self.defaults.items():
                if v is not required and k not in group:
                    group[k] = v
        self.defaults.setdefault("differentiable", False)   # (not added to the groups)
        for st in self.state.values():
            if isinstance(st, dict) and "step" in st and not isinstance(st["step"], Tensor):
                st["step"] = _step_tensor(float(st["step"]))

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # -- groups ---------------------------------------------------------------------------------
    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``params`` and any options) to ``param_groups``.

        >>> opt.add_param_group({"params": [b], "lr": 0.01})  # doctest: +SKIP
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.grad_fn is None or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        ids = set(map(id, tensors))
        if len(ids) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see github.com/pytorch/pytorch/issues/"
                          "40967 for more information", stacklevel=3)
        seen: set = set()
        for group in self.param_groups:
            seen.update(map(id, group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients ------------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: set them to ``None`` (default) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    g.grad_fn = None
                    g.requires_grad = False
                    g._data[...] = 0
                    g._vc[0] += 1

    # -- the shared update loop -----------------------------------------------------------------
    # An optimizer built on it defines three methods and the loop does the rest, the same way
    # for all of them (PyTorch's single-tensor order):
    #   _hyper(group)             the group's constants for this step, read once (a tuple)
    #   _init_state(p, st, group) fill the empty state dict of a parameter seen for the first time
    #   _update(d, g, st, h)      update the parameter's array ``d`` in place from gradient ``g``
    # The loop skips parameters without a gradient, negates the gradient (``maximize``), applies
    # weight decay (L2: ``g + weight_decay * p`` rounded as ``add(alpha=)``, or decoupled:
    # ``p *= 1 - lr * weight_decay``) and bumps the parameter's version.
    _capturable_message = "params and state_steps"
    _capturable_devices = "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']"

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform one optimization step (re-evaluating the loss with ``closure`` if given)."""
        loss = self._eval_closure(closure) if closure is not None else None
        state = self.state
        for group in self.param_groups:
            self._step_group(group, state)
        return loss

    def _step_group(self, group: Dict[str, Any], state) -> None:
        if group.get("capturable") or group.get("differentiable"):
            self._check_step_flags(group)
        h = self._hyper(group)
        update = self._update
        init = self._init_state
        maximize = group.get("maximize", False)
        wd = group.get("weight_decay", 0) if "weight_decay" in self.defaults else 0
        decay = None
        if wd != 0 and group.get("decoupled_weight_decay", False):
            decay = 1 - float(group["lr"]) * wd
        stateful = self._stateful(group)
        st = None
        for p in group["params"]:
            g = p._grad
            if g is None:
                continue
            if stateful:
                st = state[p]
                if not st:
                    init(p, st, group)
            d = p._data
            g = g._data
            if maximize:
                g = np.negative(g)
            if wd != 0:
                if decay is None:
                    g = _axpy(g, wd, d)
                else:
                    d *= np.asarray(decay, d.dtype)
            update(d, g, st, h)
            p._vc[0] += 1

    def _hyper(self, group: Dict[str, Any]) -> tuple:
        raise NotImplementedError

    def _init_state(self, p: Tensor, st: Dict[str, Any], group: Dict[str, Any]) -> None:
        pass

    def _stateful(self, group: Dict[str, Any]) -> bool:
        """Whether the group's parameters keep state (SGD without momentum keeps none)."""
        return True

    def _update(self, d: np.ndarray, g: np.ndarray, st: Optional[Dict[str, Any]], h: tuple) -> None:
        raise NotImplementedError

    def _check_step_flags(self, group: Dict[str, Any]) -> None:
        """PyTorch's refusals of ``capturable`` CPU parameters and of in-place updates of leaves
        that require grad (``differentiable=True`` runs the step with grad mode on)."""
        params = [p for p in group["params"] if p._grad is not None]
        if group.get("capturable") and any(p.device.type == "cpu" for p in params):
            raise AssertionError(f"If capturable=True, {self._capturable_message} must be on "
                                 f"supported devices: {self._capturable_devices}.")
        if group.get("differentiable"):
            for p in params:
                if p.requires_grad and p.grad_fn is None:
                    raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                       "in-place operation.")
                if p.requires_grad:
                    raise NotImplementedError(
                        f"{type(self).__name__}(differentiable=True): numtorch does not record "
                        "optimizer updates in the autograd graph; use differentiable=False")

    @staticmethod
    def _eval_closure(closure):
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # -- hooks ----------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable):
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; it may return new args."""
        self._wrap_step_for_hooks()
        return _Handle(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable):
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        self._wrap_step_for_hooks()
        return _Handle(self._optimizer_step_post_hooks, hook)

    def _wrap_step_for_hooks(self) -> None:
        step = self.step
        if getattr(step, "_with_hooks", False):
            return

        def wrapper(*args, **kwargs):
            for hook in list(self._optimizer_step_pre_hooks.values()):
                res = hook(self, args, kwargs)
                if res is not None:
                    if isinstance(res, tuple) and len(res) == 2:
                        args, kwargs = res
                    else:
                        raise RuntimeError("optimizer step pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {res}.")
            out = step(*args, **kwargs)
            for hook in list(self._optimizer_step_post_hooks.values()):
                hook(self, args, kwargs)
            return out

        wrapper._with_hooks = True
        self.step = wrapper

    # -- state dict -----------------------------------------------------------------------------
    def state_dict(self) -> Dict[str, Any]:
        """The optimizer's state: ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [i, ...]}]}``."""
        mapping: Dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Load a state dict made by ``state_dict()`` (here or in PyTorch)."""
        state_dict = state_dict.copy()
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the "
                             "size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param: Tensor, value, key=None):
            if isinstance(value, Tensor):
                arr = value._data
                if key != "step" and param._data.dtype.kind in "fc":
                    arr = arr.astype(param._data.dtype)
                else:
                    arr = arr.copy()
                t = Tensor._make(arr)
                if key != "step" and param._device is not None:
                    t._device = param._device
                return t
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v
        new_groups = []
        for g, ng in zip(groups, saved_groups):
            ng["params"] = g["params"]
            if "param_names" in g and "param_names" not in ng:
                ng["param_names"] = g["param_names"]
            new_groups.append(ng)
        self.__setstate__({"state": state, "param_groups": new_groups})


class _Handle:
    """``RemovableHandle`` for optimizer hooks."""

    _next_id = 0

    def __init__(self, table: "OrderedDict[int, Callable]", hook: Callable) -> None:
        self.id = _Handle._next_id
        _Handle._next_id += 1
        self._table = table
        table[self.id] = hook

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
