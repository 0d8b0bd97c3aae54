"""Lazy modules (``nn.LazyLinear``, ``nn.LazyConv*``, ``nn.LazyBatchNorm*``,
``nn.LazyInstanceNorm*``, ``UninitializedParameter`` / ``UninitializedBuffer``,
``LazyModuleMixin``) against PyTorch.

Each case is ``fn(T)`` with ``T`` the module ``torch`` or ``numtorch``; it returns what it saw
(reprs, class names, state_dict keys and shapes, weights, outputs, exceptions) as JSON data.
PyTorch's answers are recorded in ``tests/data/lazy_modules.json`` (regenerate with
``python tests/data/regen_lazy_modules.py`` where torch 2.13 is installed); the test runs the
numtorch side and compares with the record, and with torch installed
``test_record_is_pytorch`` checks the record still equals live PyTorch.

Weights drawn after ``manual_seed`` are compared bit for bit (``_arr(t)``); layer outputs
within float32 rounding (``_arr(t, exact=False)``). Inputs come from per-case
``np.random.default_rng(seed)`` generators.
"""
from __future__ import annotations

import copy
import io
import json
import os
import pickle
import re
import warnings

import numpy as np
import pytest

RECORD = os.path.join(os.path.dirname(__file__), "data", "lazy_modules.json")
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


# -- helpers --------------------------------------------------------------------------------------

def _arr(t, exact: bool = True) -> dict:
    a = t.detach().numpy()
    return {"array": a.astype(np.float64).ravel().tolist(), "shape": list(a.shape),
            "dtype": str(t.dtype), "exact": exact}


def _x(T, seed: int, *shape, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return T.tensor(rng.standard_normal(shape).astype(dtype))


def _err(fn, func_text: bool = True):
    """``fn()``'s exception as ``[type name, message]`` (None if it returns). With
    ``func_text=False`` the name of the function an uninitialized tensor was given to (PyTorch
    prints its C++ binding) is left out."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:           # noqa: BLE001 - the exception is the answer
        msg = _ADDRESS.sub("", str(e))
        if not func_text:
            msg = re.sub(r"uninitialized parameter in .*?\. This error", "uninitialized parameter "
                         "in <FUNC>. This error", msg)
        return [type(e).__name__, msg]
    return None


def _sd(sd) -> list:
    """state_dict entries as ``[key, repr or shape]``."""
    out = []
    for k, v in sd.items():
        r = repr(v)
        out.append([k, r if r.startswith("<") or v.dim() == 0 and "tensor" in r
                    else list(v.shape)])
    return out


def _state(m) -> dict:
    return {"repr": repr(m), "type": type(m).__name__,
            "uninitialized": m.has_uninitialized_params() if hasattr(m, "has_uninitialized_params")
            else None, "pre_hooks": len(m._forward_pre_hooks)}


def _weights(m, exact: bool = True) -> dict:
    """The state dict's arrays: parameters as drawn bit for bit (``exact``), buffers (running
    statistics, computed) within rounding."""
    params = dict(m.named_parameters())
    return {k: _arr(v, exact and k in params) for k, v in m.state_dict().items()}


# -- the cases ------------------------------------------------------------------------------------
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def _first_forward(T, make, x_shape, seed, forward_kwargs=None):
    """Build ``make(T)`` after ``manual_seed(seed)``, record it, run one forward, record again."""
    T.manual_seed(seed)
    m = make(T)
    before = _state(m)
    before["state_dict"] = _sd(m.state_dict())
    x = _x(T, seed, *x_shape)
    T.manual_seed(seed + 1)          # the initialisation's draws
    with warnings.catch_warnings():  # (an InstanceNorm with num_features 0 warns, as PyTorch's)
        warnings.simplefilter("ignore")
        y = m(x, **(forward_kwargs or {}))
    after = _state(m)
    after["state_dict"] = _sd(m.state_dict())
    return {"before": before, "after": after, "weights": _weights(m),
            "output": _arr(y, exact=False)}


@case
def linear(T):
    return _first_forward(T, lambda T: T.nn.LazyLinear(10), (3, 5), 0)


@case
def linear_no_bias_1d_input(T):
    return _first_forward(T, lambda T: T.nn.LazyLinear(4, bias=False), (7,), 1)


@case
def linear_3d_input(T):
    return _first_forward(T, lambda T: T.nn.LazyLinear(6), (2, 3, 8), 2)


@case
def linear_equals_eager_after_seed(T):
    T.manual_seed(5)
    lazy = T.nn.LazyLinear(7)
    T.manual_seed(11)
    lazy(T.zeros(2, 9))
    T.manual_seed(11)
    eager = T.nn.Linear(9, 7)
    return {"lazy": _weights(lazy), "equal": all(
        T.equal(a, b) for a, b in zip(lazy.state_dict().values(), eager.state_dict().values()))}


@case
def conv1d(T):
    return _first_forward(T, lambda T: T.nn.LazyConv1d(4, 3, stride=2), (2, 3, 9), 3)


@case
def conv2d(T):
    return _first_forward(T, lambda T: T.nn.LazyConv2d(4, 3, padding=1), (2, 3, 4, 4), 4)


@case
def conv2d_groups_no_bias_reflect(T):
    return _first_forward(T, lambda T: T.nn.LazyConv2d(6, (3, 2), groups=2, bias=False,
                                                       padding=1, padding_mode="reflect"),
                          (1, 4, 5, 5), 5)


@case
def conv2d_same_unbatched(T):
    return _first_forward(T, lambda T: T.nn.LazyConv2d(4, 3, padding="same", dilation=2),
                          (3, 7, 7), 6)


@case
def conv3d(T):
    return _first_forward(T, lambda T: T.nn.LazyConv3d(2, 2), (1, 3, 4, 4, 4), 7)


@case
def conv_transpose1d(T):
    return _first_forward(T, lambda T: T.nn.LazyConvTranspose1d(3, 3, stride=2,
                                                                output_padding=1), (2, 4, 5), 8)


@case
def conv_transpose2d_groups(T):
    return _first_forward(T, lambda T: T.nn.LazyConvTranspose2d(6, 3, groups=2, stride=2),
                          (1, 4, 3, 3), 9)


@case
def conv_transpose2d_output_size(T):
    return _first_forward(T, lambda T: T.nn.LazyConvTranspose2d(2, 3, stride=2, padding=1),
                          (1, 3, 4, 4), 10, {"output_size": [8, 8]})


@case
def conv_transpose3d(T):
    return _first_forward(T, lambda T: T.nn.LazyConvTranspose3d(2, 2, stride=2), (1, 3, 2, 2, 2),
                          11)


@case
def batchnorm1d(T):
    return _first_forward(T, lambda T: T.nn.LazyBatchNorm1d(), (6, 3), 12)


@case
def batchnorm1d_3d_input_momentum_none(T):
    return _first_forward(T, lambda T: T.nn.LazyBatchNorm1d(eps=1e-3, momentum=None),
                          (4, 3, 5), 13)


@case
def batchnorm2d_no_bias(T):
    return _first_forward(T, lambda T: T.nn.LazyBatchNorm2d(bias=False), (2, 3, 4, 4), 14)


@case
def batchnorm3d_no_affine(T):
    return _first_forward(T, lambda T: T.nn.LazyBatchNorm3d(affine=False), (2, 2, 3, 3, 3), 15)


@case
def batchnorm1d_nothing_lazy(T):
    # no parameters and no running statistics: nothing to infer, num_features stays 0
    return _first_forward(T, lambda T: T.nn.LazyBatchNorm1d(affine=False,
                                                            track_running_stats=False),
                          (4, 3), 16)


@case
def instancenorm1d(T):
    return _first_forward(T, lambda T: T.nn.LazyInstanceNorm1d(), (2, 3, 6), 17)


@case
def instancenorm2d_defaults_off(T):
    return _first_forward(T, lambda T: T.nn.LazyInstanceNorm2d(affine=False,
                                                               track_running_stats=False),
                          (2, 3, 4, 4), 18)


@case
def instancenorm3d(T):
    return _first_forward(T, lambda T: T.nn.LazyInstanceNorm3d(eps=1e-4), (1, 2, 3, 3, 3), 19)


@case
def reprs(T):
    nn = T.nn
    return [repr(m) for m in (
        nn.LazyLinear(10), nn.LazyLinear(3, bias=False),
        nn.LazyConv1d(4, 3), nn.LazyConv2d(8, 3, stride=2, padding=1, groups=2, bias=False,
                                           padding_mode="reflect"),
        nn.LazyConv3d(2, (1, 2, 3), dilation=2), nn.LazyConvTranspose1d(3, 2),
        nn.LazyConvTranspose2d(8, 3, stride=2, output_padding=1), nn.LazyConvTranspose3d(1, 2),
        nn.LazyBatchNorm1d(), nn.LazyBatchNorm2d(affine=False), nn.LazyBatchNorm3d(momentum=None),
        nn.LazyInstanceNorm1d(), nn.LazyInstanceNorm2d(affine=False, track_running_stats=False),
        nn.LazyInstanceNorm3d(bias=False),
        nn.Sequential(nn.LazyConv2d(4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2)))]


@case
def sequential_cnn(T):
    nn = T.nn
    T.manual_seed(20)
    net = nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(),
                        nn.LazyLinear(5), nn.ReLU(), nn.LazyLinear(2))
    x = _x(T, 20, 2, 3, 5, 5)
    y = net(x)
    y2 = net(x * 2)                   # the second call: the eager layers
    return {"repr": repr(net), "weights": _weights(net), "output": _arr(y, exact=False),
            "output2": _arr(y2, exact=False),
            "n_params": sum(p.numel() for p in net.parameters())}


@case
def backward_and_optimizers(T):
    T.manual_seed(21)
    m = T.nn.LazyLinear(3)
    sgd = T.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    m2 = T.nn.LazyLinear(3)
    adam = T.optim.Adam(m2.parameters(), lr=0.01)
    x = _x(T, 21, 4, 5)
    for model, opt in ((m, sgd), (m2, adam)):
        for _ in range(2):
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()
    return {"sgd": _weights(m, False), "adam": _weights(m2, False),
            "same_objects": m.weight is sgd.param_groups[0]["params"][0]}


@case
def state_dict_uninitialized(T):
    out = {}
    for name, m in (("linear", T.nn.LazyLinear(3)), ("conv", T.nn.LazyConv2d(2, 3)),
                    ("bn", T.nn.LazyBatchNorm1d()), ("in", T.nn.LazyInstanceNorm1d(bias=False))):
        out[name] = _sd(m.state_dict())
    kept = T.nn.LazyLinear(3).state_dict(keep_vars=True)["weight"]
    out["keep_vars_is_param"] = type(kept).__name__
    return out


@case
def load_state_dict_materializes(T):
    T.manual_seed(22)
    src = T.nn.Linear(4, 3)
    m = T.nn.LazyLinear(3)
    res = repr(m.load_state_dict(src.state_dict()))
    state = _state(m)
    weight_class = type(m.weight).__name__
    equal = T.equal(m.weight, src.weight) and T.equal(m.bias, src.bias)
    in_features = m.in_features
    y = m(_x(T, 22, 2, 4))
    return {"result": res, "state": state, "weight_class": weight_class, "equal": equal,
            "in_features": in_features, "after": _state(m), "output": _arr(y, exact=False)}


@case
def load_state_dict_wrong_input_after(T):
    m = T.nn.LazyLinear(3)
    m.load_state_dict(T.nn.Linear(4, 3).state_dict())
    return {"error": _err(lambda: m(T.ones(2, 5))), "state": _state(m)}


@case
def load_state_dict_conv_bn(T):
    T.manual_seed(23)
    conv, bn = T.nn.Conv2d(2, 4, 3), T.nn.BatchNorm1d(3)
    bn.running_mean.fill_(0.5)
    bn.num_batches_tracked += 7
    lconv, lbn = T.nn.LazyConv2d(4, 3), T.nn.LazyBatchNorm1d()
    r1 = repr(lconv.load_state_dict(conv.state_dict()))
    r2 = repr(lbn.load_state_dict(bn.state_dict()))
    lconv(T.ones(1, 2, 5, 5))
    lbn.eval()
    y = lbn(_x(T, 23, 4, 3))
    return {"results": [r1, r2], "conv": _state(lconv), "bn": _state(lbn),
            "conv_weights": _weights(lconv), "bn_weights": _weights(lbn),
            "output": _arr(y, exact=False)}


@case
def load_state_dict_more(T):
    T.manual_seed(31)
    src = T.nn.Linear(4, 3)
    m = T.nn.LazyLinear(3)
    assign = [repr(m.load_state_dict(src.state_dict(), assign=True)), type(m.weight).__name__,
              m.weight is src.weight, T.equal(m.weight, src.weight)]
    seq = T.nn.Sequential(T.nn.LazyLinear(3), T.nn.ReLU(), T.nn.LazyLinear(2))
    seq_src = T.nn.Sequential(T.nn.Linear(5, 3), T.nn.ReLU(), T.nn.Linear(3, 2))
    res = repr(seq.load_state_dict(seq_src.state_dict()))
    before = repr(seq)
    y, want = seq(_x(T, 31, 2, 5)), seq_src(_x(T, 31, 2, 5))
    cast = T.nn.LazyLinear(3)
    cast.load_state_dict({"weight": T.ones(3, 4, dtype=T.float64), "bias": T.ones(3)})
    odd = T.nn.LazyLinear(3)          # PyTorch takes each loaded shape as it comes
    odd.load_state_dict({"weight": T.ones(3, 4), "bias": T.ones(5)})
    seen = []
    hooked = T.nn.LazyLinear(3)
    hooked.register_forward_hook(lambda mod, a, o: seen.append(type(mod).__name__))
    hooked(T.ones(1, 2))
    return {"assign": assign, "sequential": [res, before, repr(seq), T.equal(y, want)],
            "cast": [str(cast.weight.dtype), list(cast.weight.shape)],
            "odd": [repr(odd), list(odd.bias.shape)], "forward_hook_sees": seen}


@case
def load_uninitialized_into_lazy(T):
    m = T.nn.LazyLinear(3)
    res = repr(m.load_state_dict(T.nn.LazyLinear(3).state_dict()))
    bn = T.nn.LazyBatchNorm1d()
    res2 = repr(bn.load_state_dict(T.nn.LazyBatchNorm1d().state_dict()))
    return {"results": [res, res2], "linear": _state(m), "bn": _state(bn),
            "bn_count": bn.num_batches_tracked.item()}


@case
def load_uninitialized_into_eager(T):
    return _err(lambda: T.nn.Linear(4, 3).load_state_dict(T.nn.LazyLinear(3).state_dict()))


@case
def load_partial_then_forward(T):
    src = T.nn.Linear(4, 3).state_dict()
    del src["bias"]
    m = T.nn.LazyLinear(3)
    res = repr(m.load_state_dict(src, strict=False))
    classes = [type(m.weight).__name__, type(m.bias).__name__]
    return {"result": res, "classes": classes, "forward": _err(lambda: m(T.ones(2, 4))),
            "state": _state(m)}


@case
def load_strict_missing(T):
    m = T.nn.LazyLinear(3)
    return _err(lambda: m.load_state_dict({"weight": T.ones(3, 4)}))


@case
def save_load_uninitialized(T):
    buf = io.BytesIO()
    T.save(T.nn.LazyBatchNorm1d().state_dict(), buf)
    buf.seek(0)
    sd = T.load(buf, weights_only=False)
    buf2 = io.BytesIO()
    T.save(T.nn.LazyLinear(2), buf2)
    buf2.seek(0)
    m = T.load(buf2, weights_only=False)
    m(T.ones(1, 3))
    return {"state_dict": _sd(sd), "module": _state(m),
            "weights_only": _err(lambda: T.load(io.BytesIO(buf.getvalue())))[0]}


@case
def manual_initialize_parameters(T):
    T.manual_seed(24)
    m = T.nn.LazyLinear(3)
    m.initialize_parameters(T.ones(2, 4))
    state = _state(m)
    w = _arr(m.weight)
    m(T.ones(1, 4))
    return {"state": state, "weight": w, "after": _state(m)}


@case
def reset_parameters_uninitialized(T):
    m = T.nn.LazyConv2d(2, 3)
    T.manual_seed(25)
    m.reset_parameters()              # nothing to draw: the generator is untouched
    return {"next": _arr(T.rand(3)), "state": _state(m)}


@case
def dtype_argument(T):
    m = T.nn.LazyLinear(3, dtype=T.float64)
    placeholder = str(m.weight.dtype)
    T.manual_seed(26)
    m(_x(T, 26, 2, 4, dtype=np.float64))
    bn = T.nn.LazyBatchNorm1d(dtype=T.float64)
    counts = str(bn.num_batches_tracked.dtype)
    bn(_x(T, 27, 4, 3, dtype=np.float64))
    return {"placeholder": placeholder, "weights": _weights(m), "bn_dtypes":
            [str(t.dtype) for t in bn.state_dict().values()], "count_dtype": counts,
            "int_dtype": _err(lambda: T.nn.LazyLinear(3, dtype=T.int64))}


@case
def module_double_before_forward(T):
    m = T.nn.LazyBatchNorm1d().double()
    lin = T.nn.LazyLinear(2).to(T.float64)
    classes = [type(m.weight).__name__, type(m.running_mean).__name__]
    dtypes = [str(m.weight.dtype), str(m.running_mean.dtype), str(lin.weight.dtype)]
    T.manual_seed(28)
    m(_x(T, 28, 4, 3, dtype=np.float64))
    lin(_x(T, 29, 2, 3, dtype=np.float64))
    return {"classes": classes, "dtypes": dtypes,
            "after": [str(t.dtype) for t in list(m.state_dict().values())
                      + list(lin.state_dict().values())],
            "lin": _weights(lin)}


@case
def input_errors(T):
    nn = T.nn
    cases = [
        lambda: nn.LazyConv2d(8, 3)(T.ones(5, 5)),
        lambda: nn.LazyConv1d(8, 3)(T.ones(1, 4, 5, 5)),
        lambda: nn.LazyConvTranspose3d(8, 3)(T.ones(2, 2)),
        lambda: nn.LazyConv2d(8, 3, groups=2)(T.ones(1, 3, 5, 5)),
        lambda: nn.LazyLinear(3)(T.tensor(1.0)),
        lambda: nn.LazyBatchNorm1d()(T.ones(4)),
        lambda: nn.LazyBatchNorm2d()(T.ones(4, 3)),
        lambda: nn.LazyInstanceNorm1d()(T.ones(3, 5)),
        lambda: nn.LazyLinear(in_features=3, out_features=3),
    ]
    out = [_err(c) for c in cases]
    m = nn.LazyConv2d(8, 3)
    _err(lambda: m(T.ones(5, 5)))
    bn = nn.LazyBatchNorm2d()
    _err(lambda: bn(T.ones(4, 3)))
    return {"errors": out, "after_conv_error": _state(m), "after_bn_error": _state(bn)}


@case
def uninitialized_use_errors(T):
    m = T.nn.LazyLinear(3)
    w = m.weight
    F = T.nn.functional
    exact = [lambda: w.shape, lambda: w.numel(), lambda: w.sum(), lambda: w.detach(),
             lambda: w.clone(), lambda: w.mul(2), lambda: w + 1,
             lambda: w.requires_grad_(), lambda: w.tolist(), lambda: w.dim(),
             lambda: F.linear(T.ones(2, 3), w), lambda: m.requires_grad_(False),
             lambda: w.share_memory_(), lambda: w.type(), lambda: w.numpy(),
             lambda: sum(p.numel() for p in m.parameters())]
    loose = [lambda: len(w), lambda: w[0], lambda: f"{w}", lambda: T.sum(w), lambda: w == w,
             lambda: F.conv2d(T.ones(1, 1, 3, 3), w),
             lambda: T.nn.LazyBatchNorm1d().running_mean.sum()]
    return {"exact": [_err(c) for c in exact], "loose": [_err(c, False) for c in loose]}


@case
def uninitialized_allowed(T):
    P = T.nn.parameter.UninitializedParameter
    w = P()
    out = {"repr": repr(w), "str": str(w), "dtype": str(w.dtype), "requires_grad": w.requires_grad,
           "size": list(w.size()), "size0": w.size(0), "ndim": w.ndim, "is_leaf": w.is_leaf,
           "grad": repr(w.grad), "device": str(w.device), "float_is_self": w.float() is w,
           "cpu_is_self": w.cpu() is w, "is_floating_point": w.is_floating_point(),
           "is_complex": w.is_complex(), "data": repr(w.data),
           "hash_is_id": hash(w) == id(w), "isinstance_param": isinstance(w, T.nn.Parameter),
           "is_lazy": [T.nn.parameter.is_lazy(w), T.nn.parameter.is_lazy(T.ones(1)),
                       T.nn.parameter.is_lazy(T.nn.parameter.UninitializedBuffer()),
                       T.nn.parameter.is_lazy(T.nn.Parameter(T.ones(1)))],
           "aliases": T.nn.UninitializedParameter is P,
           "mro": [c.__name__ for c in P.__mro__ if c.__name__ not in ("TensorBase",)],
           "become": [P.cls_to_become.__name__,
                      T.nn.parameter.UninitializedBuffer.cls_to_become.__name__],
           "copy_leaf": _err(lambda: w.copy_(T.ones(0))),
           "double": repr(w.double().dtype), "reduce": w.__reduce_ex__(2)[1]}
    return out


@case
def uninitialized_construct_and_materialize(T):
    nnp = T.nn.parameter
    p = nnp.UninitializedParameter(requires_grad=False, dtype=T.float64)
    first = [repr(p), str(p.dtype), p.requires_grad]
    p.materialize((2, 3))
    q = nnp.UninitializedParameter()
    q.materialize([4], dtype=T.float16)
    b = nnp.UninitializedBuffer()
    buf_first = [repr(b), b.requires_grad, str(b.dtype), repr(b.double()),
                 str(b.double().dtype), b.float() is b]
    b.materialize(T.Size([2, 2]))
    return {"first": first, "param": [type(p).__name__, list(p.shape), str(p.dtype),
                                      p.requires_grad, p.is_leaf, p._version],
            "q": [list(q.shape), str(q.dtype), type(q).__name__],
            "buffer": buf_first + [type(b).__name__, list(b.shape)],
            "errors": [_err(lambda: nnp.UninitializedParameter(T.ones(2))),
                       _err(lambda: nnp.UninitializedParameter(dtype=T.int64)),
                       _err(lambda: nnp.UninitializedBuffer(requires_grad=True, dtype=T.int64)),
                       _err(lambda: nnp.UninitializedParameter().materialize(-1)),
                       _err(lambda: nnp.UninitializedParameter().materialize([2, "a"]))],
            "int_buffer": str(nnp.UninitializedBuffer(dtype=T.int64).dtype)}


@case
def copies(T):
    p = T.nn.parameter.UninitializedParameter(requires_grad=False, dtype=T.float64)
    q = copy.deepcopy(p)
    r = pickle.loads(pickle.dumps(T.nn.parameter.UninitializedParameter()))
    m = T.nn.LazyLinear(3)
    mc = copy.deepcopy(m)
    mc(T.ones(1, 4))
    return {"param": [repr(q), str(q.dtype), q.requires_grad, q is p],
            "pickled": [repr(r), r.requires_grad],
            "module": [_state(m), _state(mc)],
            "buffer": _err(lambda: copy.deepcopy(T.nn.parameter.UninitializedBuffer()), False),
            "bn_module": _err(lambda: copy.deepcopy(T.nn.LazyBatchNorm1d()), False),
            "nothing_lazy": repr(copy.deepcopy(T.nn.LazyInstanceNorm1d(
                affine=False, track_running_stats=False)))}


@case
def hooks_and_mixin(T):
    Mixin = T.nn.modules.lazy.LazyModuleMixin
    U = T.nn.parameter.UninitializedParameter
    nn = T.nn
    calls = []

    class LazyScale(Mixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = U()

        def initialize_parameters(self, x):
            calls.append("init")
            self.scale.materialize(x.shape[-1:])
            nn.init.ones_(self.scale)

        def forward(self, x):
            return x * self.scale

    class Bad(Mixin, nn.Module):
        def __init__(self):
            super().__init__()
            self.w = U()

        def initialize_parameters(self, x):
            pass

        def forward(self, x):
            return x

    class NoInit(Mixin, nn.Module):
        def forward(self, x):
            return x

    m = LazyScale()
    m.register_forward_pre_hook(lambda mod, args: calls.append("user pre-hook"))
    before = _state(m)
    y = m(T.tensor([2.0, 3.0]))
    y2 = m(T.tensor([1.0, 1.0]))
    bad = Bad()
    noinit = NoInit()
    return {"before": before, "after": _state(m), "calls": calls, "y": _arr(y), "y2": _arr(y2),
            "become": repr(Mixin.cls_to_become), "lazylinear_become":
            nn.LazyLinear.cls_to_become.__name__,
            "bad": [_err(lambda: bad(T.ones(1))), _state(bad)],
            "noinit": [_err(lambda: noinit(T.ones(1))), _state(noinit)],
            "lazy_mro": [c.__name__ for c in nn.LazyBatchNorm1d.__mro__
                         if not c.__name__.startswith("_")],
            "linear_mro": [c.__name__ for c in nn.LazyLinear.__mro__],
            "hook_handles": [hasattr(m, "_initialize_hook"), hasattr(m, "_load_hook"),
                             len(m._load_state_dict_pre_hooks)],
            "data_parallel": _err(lambda: nn.LazyLinear(3)._replicate_for_data_parallel())}


@case
def train_eval_zero_grad(T):
    m = T.nn.LazyBatchNorm1d()
    m.eval()
    m.zero_grad()
    training = m.training
    y = m(_x(T, 30, 4, 3))            # eval: the fresh running statistics normalise
    return {"training": training, "output": _arr(y, exact=False),
            "count": m.num_batches_tracked.item(), "state": _state(m)}


# -- the tests ------------------------------------------------------------------------------------

def _close(got, want, path="") -> None:
    if isinstance(want, dict) and "array" in want:
        assert isinstance(got, dict) and "array" in got, path
        assert got["shape"] == want["shape"] and got["dtype"] == want["dtype"], path
        g = np.array(got["array"], dtype=np.float64)
        w = np.array(want["array"], dtype=np.float64)
        if want["exact"]:
            assert np.array_equal(g, w), path
        else:
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=path)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), path
        for k in want:
            _close(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{path}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            _close(g, w, f"{path}[{i}]")
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def _json(data):
    return json.loads(json.dumps(data))


@pytest.fixture(scope="module")
def record() -> dict:
    with open(RECORD, encoding="utf-8") as f:
        return json.load(f)


def test_record_covers_every_case(record):
    assert sorted(record) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_numtorch_matches_pytorch(name, record):
    import numtorch
    _close(_json(CASES[name](numtorch)), record[name], name)


def test_record_is_pytorch(record):
    torch = pytest.importorskip("torch")
    for name, fn in CASES.items():
        _close(_json(fn(torch)), record[name], name)


def test_lazy_layers_load_on_first_use():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", (
        "import sys, numtorch, numtorch.nn as nn\n"
        "print('numtorch.nn.modules.lazy' in sys.modules)\n"
        "print(type(nn.LazyLinear(2)).__name__, 'numtorch.nn.modules.lazy' in sys.modules)\n"
        "print(nn.modules.lazy.LazyModuleMixin.__name__, hasattr(nn, 'LazyModuleMixin'))")],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "LazyLinear", "True", "LazyModuleMixin", "False"]


def regenerate() -> dict:
    import torch
    return {name: _json(fn(torch)) for name, fn in CASES.items()}
