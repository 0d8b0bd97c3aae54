"""Normalization against PyTorch 2.13: ``batch_norm``, ``layer_norm``, ``group_norm``,
``instance_norm``, ``local_response_norm`` and their modules.

PyTorch's answers (outputs, dtypes, shapes, ``grad_fn`` names, gradients of input, weight and
bias, running buffers after several training steps, eval outputs, reprs, ``state_dict`` keys,
error types and messages, second and third derivatives, a checkpoint PyTorch saved) are
recorded in ``tests/data/normalization.npz`` / ``.json`` / ``_checkpoint.pt``, so these tests run
without torch; with torch installed each record is also checked against live PyTorch.
Regenerate with ``python tests/data/regen_normalization.py``. float64 ``gradcheck`` /
``gradgradcheck`` need no torch at all.
"""
from __future__ import annotations

import collections
import os
import warnings

import numpy as np
import pytest

import numtorch
from recorded_parity import DATA, check_arrays, error_of, load_record, rng_for, torch_or_none

RECORD_NPZ = os.path.join(DATA, "normalization.npz")
RECORD_JSON = os.path.join(DATA, "normalization.json")
CHECKPOINT = os.path.join(DATA, "normalization_checkpoint.pt")


def _t(T, rng, shape, dtype="float32", grad=True):
    return T.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=grad)


def _running(T, rng, c, dtype):
    return (T.tensor((0.1 * rng.standard_normal(c)).astype(dtype)),
            T.tensor(rng.uniform(0.5, 2.0, c).astype(dtype)))


# -- parity cases: make(T, rng) -> (output, leaves whose grads are compared, buffers) -----------

def fn(call, *shapes, dtype="float32", grads=None, running=None):
    """``call(F, *inputs, *running)``: inputs from ``shapes`` (None: absent); ``running=C``
    passes running mean/var buffers (compared after the call)."""
    def make(T, rng):
        grads_ = grads or (True,) * len(shapes)
        ins = [None if s is None else _t(T, rng, s, dtype, g) for s, g in zip(shapes, grads_)]
        bufs = dict(zip(("running_mean", "running_var"), _running(T, rng, running, dtype))) \
            if running else {}
        out = call(T.nn.functional, *ins, *bufs.values())
        return out, dict(zip(("x", "w", "b"), ins)), bufs
    return make


def module(ctor, *shapes, dtype="float32", eval_last=False, unbatched=False):
    """``T.nn.<ctor>`` (after ``manual_seed(0)``) called once per shape in training mode; with
    ``eval_last`` the last call is in eval mode. Buffers are compared after the calls."""
    def make(T, rng):
        T.manual_seed(0)
        m = eval("T.nn." + ctor)
        if dtype == "float64":
            m = m.double()
        xs = [_t(T, rng, s, dtype) for s in shapes]
        for x in xs[:-1]:
            m(x)
        if eval_last:
            m.eval()
        leaves = {"x": xs[-1]}
        leaves.update(dict(m.named_parameters()))
        return m(xs[-1]), leaves, dict(m.named_buffers())
    return make


CASES = {
    # batch_norm (functional): training updates the running buffers
    "bn_train": fn(lambda F, x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b, training=True),
                   (4, 3, 5), (3,), (3,), running=3),
    "bn_train_momentum": fn(lambda F, x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b, True, 0.3,
                                                                    1e-3),
                            (2, 3, 4, 5), (3,), (3,), running=3),
    "bn_train_2d": fn(lambda F, x, rm, rv: F.batch_norm(x, rm, rv, training=True), (6, 4),
                      running=4),
    "bn_train_5d": fn(lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                      (2, 3, 2, 3, 2), (3,), (3,)),
    "bn_train_no_stats": fn(lambda F, x, w: F.batch_norm(x, None, None, w, training=True),
                            (5, 2, 3), (2,)),
    "bn_eval": fn(lambda F, x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b), (4, 3, 5), (3,), (3,),
                  running=3),
    "bn_eval_no_affine": fn(lambda F, x, rm, rv: F.batch_norm(x, rm, rv, eps=0.1), (4, 3, 2, 2),
                            running=3),
    "bn_float64": fn(lambda F, x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b, training=True),
                     (3, 2, 4), (2,), (2,), dtype="float64", running=2),
    "bn_x_only": fn(lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                    (4, 3, 5), (3,), (3,), grads=(True, False, False)),
    "bn_weight_only": fn(lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         (4, 3, 5), (3,), (3,), grads=(False, True, False)),
    "bn_eval_weight_only": fn(lambda F, x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b),
                              (4, 3), (3,), (3,), grads=(False, True, True), running=3),
    # layer_norm
    "ln": fn(lambda F, x, w, b: F.layer_norm(x, (5,), w, b), (4, 3, 5), (5,), (5,)),
    "ln_2dims": fn(lambda F, x, w, b: F.layer_norm(x, [3, 5], w, b, 1e-3), (4, 3, 5), (3, 5),
                   (3, 5)),
    "ln_no_affine": fn(lambda F, x: F.layer_norm(x, (6,)), (2, 6)),
    "ln_weight_only": fn(lambda F, x, w: F.layer_norm(x, (4,), w), (3, 4), (4,)),
    "ln_whole": fn(lambda F, x, w, b: F.layer_norm(x, (2, 3), w, b), (2, 3), (2, 3), (2, 3)),
    "ln_float64": fn(lambda F, x, w, b: F.layer_norm(x, (4,), w, b), (2, 3, 4), (4,), (4,),
                     dtype="float64"),
    # group_norm
    "gn": fn(lambda F, x, w, b: F.group_norm(x, 2, w, b), (4, 6, 5), (6,), (6,)),
    "gn_4d": fn(lambda F, x, w, b: F.group_norm(x, 3, w, b, 1e-3), (2, 6, 3, 4), (6,), (6,)),
    "gn_2d": fn(lambda F, x, w, b: F.group_norm(x, 2, w, b), (3, 8), (8,), (8,)),
    "gn_one_group": fn(lambda F, x: F.group_norm(x, 1), (2, 4, 3)),
    "gn_per_channel": fn(lambda F, x, w: F.group_norm(x, 4, w), (2, 4, 3, 2), (4,)),
    "gn_float64": fn(lambda F, x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,), (4,),
                     dtype="float64"),
    # instance_norm: batch norm of a (1, N*C, ...) view
    "in": fn(lambda F, x: F.instance_norm(x), (4, 3, 5)),
    "in_affine": fn(lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b), (2, 3, 4, 4), (3,),
                    (3,)),
    "in_running": fn(lambda F, x, rm, rv: F.instance_norm(x, rm, rv, momentum=0.2), (3, 2, 5),
                     running=2),
    "in_running_stats_used": fn(lambda F, x, w, b, rm, rv: F.instance_norm(
        x, rm, rv, w, b, use_input_stats=False), (3, 2, 5), (2,), (2,), running=2),
    # local_response_norm: composed of elementwise ops around a windowed channel mean
    "lrn_3d": fn(lambda F, x: F.local_response_norm(x, 2), (2, 5, 4)),
    "lrn_4d": fn(lambda F, x: F.local_response_norm(x, 3, 0.1, 0.6, 2.0), (2, 5, 3, 4)),
    "lrn_5d": fn(lambda F, x: F.local_response_norm(x, 4, 0.2, 0.75, 1.5), (2, 5, 3, 2, 2)),
    "lrn_big_window": fn(lambda F, x: F.local_response_norm(x, 7, 0.5), (1, 3, 4)),
    # modules: several training steps, then the buffers
    "BatchNorm1d": module("BatchNorm1d(3)", (4, 3), (5, 3), (6, 3)),
    "BatchNorm1d_3d": module("BatchNorm1d(3)", (4, 3, 2), (2, 3, 5)),
    "BatchNorm1d_eval": module("BatchNorm1d(3)", (4, 3), (5, 3), (2, 3), eval_last=True),
    "BatchNorm2d": module("BatchNorm2d(3)", (2, 3, 4, 4), (3, 3, 4, 4), (2, 3, 4, 4)),
    "BatchNorm2d_eval": module("BatchNorm2d(3)", (2, 3, 4, 4), (3, 3, 4, 4), (2, 3, 4, 4),
                               eval_last=True),
    "BatchNorm2d_cumulative": module("BatchNorm2d(2, momentum=None)", (2, 2, 3, 3), (3, 2, 3, 3),
                                     (2, 2, 3, 3), (4, 2, 3, 3)),
    "BatchNorm2d_cumulative_eval": module("BatchNorm2d(2, momentum=None)", (2, 2, 3, 3),
                                          (3, 2, 3, 3), (2, 2, 3, 3), eval_last=True),
    "BatchNorm2d_no_affine": module("BatchNorm2d(3, affine=False, eps=1e-3, momentum=0.5)",
                                    (2, 3, 2, 2), (2, 3, 2, 2)),
    "BatchNorm2d_no_bias": module("BatchNorm2d(3, bias=False)", (2, 3, 2, 2), (2, 3, 2, 2)),
    "BatchNorm2d_untracked_eval": module("BatchNorm2d(3, track_running_stats=False)",
                                         (2, 3, 2, 2), (2, 3, 2, 2), eval_last=True),
    "BatchNorm3d": module("BatchNorm3d(2)", (2, 2, 2, 3, 2), (2, 2, 2, 3, 2)),
    "BatchNorm2d_float64": module("BatchNorm2d(2)", (2, 2, 3, 3), (2, 2, 3, 3), dtype="float64"),
    "LayerNorm": module("LayerNorm(5)", (4, 3, 5)),
    "LayerNorm_shape": module("LayerNorm([3, 4], eps=1e-3)", (2, 3, 4)),
    "LayerNorm_no_affine": module("LayerNorm(4, elementwise_affine=False)", (3, 4)),
    "LayerNorm_no_bias": module("LayerNorm(4, bias=False)", (3, 4)),
    "GroupNorm": module("GroupNorm(2, 4)", (2, 4, 3, 3)),
    "GroupNorm_no_affine": module("GroupNorm(3, 6, affine=False)", (2, 6, 5)),
    "InstanceNorm1d": module("InstanceNorm1d(3)", (2, 3, 6)),
    "InstanceNorm1d_unbatched": module("InstanceNorm1d(3, affine=True)", (3, 6)),
    "InstanceNorm2d_affine": module("InstanceNorm2d(3, affine=True)", (2, 3, 4, 4)),
    "InstanceNorm2d_tracked": module("InstanceNorm2d(2, track_running_stats=True)",
                                     (2, 2, 3, 3), (3, 2, 3, 3), (2, 2, 3, 3)),
    "InstanceNorm2d_tracked_eval": module(
        "InstanceNorm2d(2, affine=True, track_running_stats=True)", (2, 2, 3, 3), (3, 2, 3, 3),
        (2, 2, 3, 3), eval_last=True),
    "InstanceNorm3d": module("InstanceNorm3d(2, affine=True)", (2, 2, 2, 3, 2)),
    "LocalResponseNorm": module("LocalResponseNorm(3)", (2, 6, 4, 4)),
}


def run_case(T, case_id: str) -> dict:
    """The case on ``T`` (torch or numtorch): output, grad_fn name, dtype, shape, gradients and
    buffers."""
    rng = rng_for(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, leaves, bufs = CASES[case_id](T, rng)
    res = {"out": out.detach().numpy().copy(), "dtype": str(out.dtype), "shape": list(out.shape),
           "name": None if out.grad_fn is None else out.grad_fn.name(),
           "buffers": {k: str(v.dtype) for k, v in bufs.items() if v is not None}}
    for k, v in bufs.items():
        if v is not None:
            res["buf_" + k] = v.numpy().copy()
    for k, t in leaves.items():
        if t is not None and k not in ("x", "w", "b"):         # module parameters: their init
            res["init_" + k] = t.detach().numpy().copy()
    if out.requires_grad:
        g = rng.standard_normal(tuple(out.shape)).astype(res["out"].dtype)
        out.backward(T.tensor(g))
        for k, t in leaves.items():
            if t is not None and t.requires_grad:
                res["grad_" + k] = t.grad.numpy().copy()
    return res


_FACTS = ("dtype", "shape", "name", "buffers")


# -- errors: PyTorch's exception types and messages --------------------------------------------

def _f(T):
    return T.nn.functional


def _o(T, *shape, dtype=None):
    return T.ones(*shape, dtype=dtype) if dtype is not None else T.ones(*shape)


def _load_without_count(T, version):
    """Load a BatchNorm2d checkpoint that has no num_batches_tracked (metadata ``version``)."""
    sd = collections.OrderedDict((k, v) for k, v in T.nn.BatchNorm2d(3).state_dict().items()
                                 if k != "num_batches_tracked")
    if version is not None:
        sd._metadata = collections.OrderedDict({"": {"version": version}})
    T.nn.BatchNorm2d(3).load_state_dict(sd)


def _load_instance_norm_stats(T, keys, version=None):
    sd = collections.OrderedDict((k, _o(T, 3)) for k in keys)
    if version is not None:
        sd._metadata = collections.OrderedDict({"": {"version": version}})
    T.nn.InstanceNorm2d(3).load_state_dict(sd)


ERRORS = {
    "single_value_training": lambda T: T.nn.BatchNorm1d(10)(_o(T, 1, 10)),
    "single_value_3d": lambda T: _f(T).batch_norm(_o(T, 1, 10, 1), _o(T, 10), _o(T, 10),
                                                  training=True),
    "bn1d_4d": lambda T: T.nn.BatchNorm1d(10)(_o(T, 1, 10, 2, 2)),
    "bn1d_1d": lambda T: T.nn.BatchNorm1d(10)(_o(T, 10)),
    "bn2d_3d": lambda T: T.nn.BatchNorm2d(10)(_o(T, 10, 2, 2)),
    "bn3d_4d": lambda T: T.nn.BatchNorm3d(10)(_o(T, 10, 2, 2, 2)),
    "bn_channels": lambda T: T.nn.BatchNorm2d(10)(_o(T, 2, 3, 2, 2)),
    "bn_running_mean_size": lambda T: _f(T).batch_norm(_o(T, 4, 3), _o(T, 4), _o(T, 3),
                                                       training=True),
    "bn_weight_size": lambda T: _f(T).batch_norm(_o(T, 4, 3), _o(T, 3), _o(T, 3), _o(T, 4),
                                                 training=True),
    "bn_bias_size": lambda T: _f(T).batch_norm(_o(T, 4, 3), _o(T, 3), _o(T, 3), None, _o(T, 4),
                                               training=True),
    "bn_eval_no_stats": lambda T: _f(T).batch_norm(_o(T, 4, 3), None, None),
    "bn_1d_input": lambda T: _f(T).batch_norm(_o(T, 3), None, None, training=True),
    "bn_long_input": lambda T: _f(T).batch_norm(_o(T, 3, 3, dtype=T.int64), None, None,
                                                training=True),
    "bn_mixed_double_input": lambda T: _f(T).batch_norm(_o(T, 4, 3, dtype=T.float64), _o(T, 3),
                                                        _o(T, 3), _o(T, 3), training=True),
    "bn_mixed_double_module": lambda T: T.nn.BatchNorm1d(3).double()(_o(T, 4, 3)),
    "bn_momentum_none": lambda T: _f(T).batch_norm(_o(T, 4, 3), _o(T, 3), _o(T, 3),
                                                   training=True, momentum=None),
    "bn_load_missing_count_v2": lambda T: _load_without_count(T, 2),
    "bn_load_unexpected_stats": lambda T: T.nn.BatchNorm2d(3, track_running_stats=False)
    .load_state_dict(T.nn.BatchNorm2d(3).state_dict()),
    "ln_shape": lambda T: _f(T).layer_norm(_o(T, 4, 3, 5), (4,)),
    "ln_module_shape": lambda T: T.nn.LayerNorm(4)(_o(T, 4, 3, 5)),
    "ln_weight": lambda T: _f(T).layer_norm(_o(T, 4, 3, 5), (5,), _o(T, 4)),
    "ln_bias": lambda T: _f(T).layer_norm(_o(T, 4, 3, 5), (5,), None, _o(T, 4)),
    "ln_int_shape": lambda T: _f(T).layer_norm(_o(T, 4, 3, 5), 5),
    "ln_empty_shape": lambda T: _f(T).layer_norm(_o(T, 4, 3, 5), ()),
    "ln_long": lambda T: _f(T).layer_norm(_o(T, 2, 3, dtype=T.int64), (3,)),
    "ln_mixed": lambda T: _f(T).layer_norm(_o(T, 2, 3, dtype=T.float64), (3,), _o(T, 3)),
    "gn_groups": lambda T: _f(T).group_norm(_o(T, 4, 3, 5), 2),
    "gn_weight": lambda T: _f(T).group_norm(_o(T, 4, 3, 5), 3, _o(T, 4)),
    "gn_1d": lambda T: _f(T).group_norm(_o(T, 6), 3),
    "gn_one_value": lambda T: _f(T).group_norm(_o(T, 1, 3), 3),
    "gn_long": lambda T: _f(T).group_norm(_o(T, 2, 3, dtype=T.int64), 3),
    "gn_mixed": lambda T: _f(T).group_norm(_o(T, 2, 3, dtype=T.float64), 3, _o(T, 3)),
    "gn_module": lambda T: T.nn.GroupNorm(2, 3),
    "in_spatial": lambda T: _f(T).instance_norm(_o(T, 2, 3, 1)),
    "in_weight": lambda T: _f(T).instance_norm(_o(T, 4, 3, 5), weight=_o(T, 4)),
    "in_running": lambda T: _f(T).instance_norm(_o(T, 4, 3, 5), _o(T, 4), _o(T, 4)),
    "in1d_4d": lambda T: T.nn.InstanceNorm1d(3)(_o(T, 2, 3, 5, 1)),
    "in2d_5d": lambda T: T.nn.InstanceNorm2d(3)(_o(T, 2, 3, 5, 1, 1)),
    "in3d_3d": lambda T: T.nn.InstanceNorm3d(3)(_o(T, 2, 3, 5)),
    "in_affine_channels": lambda T: T.nn.InstanceNorm1d(4, affine=True)(_o(T, 2, 3, 5)),
    "in_load_old_stats": lambda T: _load_instance_norm_stats(T, ("running_mean", "running_var")),
    "in_load_old_mean": lambda T: _load_instance_norm_stats(T, ("running_mean",)),
    "in_load_versioned_stats": lambda T: _load_instance_norm_stats(T, ("running_mean",), 1),
    "lrn_2d": lambda T: _f(T).local_response_norm(_o(T, 2, 3), 2),
    "lrn_size_zero": lambda T: _f(T).local_response_norm(_o(T, 2, 3, 4), 0),
}

REPRS = [
    "BatchNorm1d(10)",
    "BatchNorm2d(6)",
    "BatchNorm2d(6, eps=0.001, momentum=None, affine=False)",
    "BatchNorm3d(4, track_running_stats=False, bias=False)",
    "LayerNorm(10)",
    "LayerNorm([2, 3], eps=1e-06, elementwise_affine=False)",
    "LayerNorm(4, bias=False)",
    "GroupNorm(2, 4)",
    "GroupNorm(3, 6, affine=False)",
    "InstanceNorm1d(3)",
    "InstanceNorm2d(3, affine=True, track_running_stats=True)",
    "InstanceNorm3d(2, momentum=None, bias=False, affine=True)",
    "LocalResponseNorm(2)",
    "LocalResponseNorm(5, alpha=0.001, beta=0.5, k=2.0)",
]

# second and third derivatives (float64), compared with PyTorch's create_graph results. PyTorch
# 2.13's own third derivatives of batch_norm, layer_norm and instance_norm disagree with finite
# differences (its double-backward nodes are not differentiated exactly), numtorch's agree: those
# are checked against finite differences instead (test_third_derivative_finite_differences).
HIGHER = {
    "batch_norm": lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    "batch_norm_eval": lambda F, x, w, b: F.batch_norm(x, 0.1 * b.detach(), 1 + w.detach() ** 2,
                                                       w, b),
    "layer_norm": lambda F, x, w, b: F.layer_norm(x, (4,), w[:4], b[:4]),
    "group_norm": lambda F, x, w, b: F.group_norm(x, 1, w, b),
    "instance_norm": lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b),
    "local_response_norm": lambda F, x, w, b: F.local_response_norm(x * w[0] + b[0], 2, 0.5),
}
THIRD_UNLIKE_PYTORCH = ("batch_norm", "layer_norm", "instance_norm")


def run_higher(T, case_id: str, x=None) -> dict:
    rng = rng_for("higher-" + case_id)
    x0 = rng.standard_normal((3, 4, 4))
    x = T.tensor(x0 if x is None else x, requires_grad=True)
    w = T.tensor(rng.standard_normal(4), requires_grad=True)
    b = T.tensor(rng.standard_normal(4), requires_grad=True)
    y = HIGHER[case_id](T.nn.functional, x, w, b)
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    gx, gw = T.autograd.grad((y * g).sum(), (x, w), create_graph=True)
    ggx, ggw = T.autograd.grad((gx * gx).sum() + (gw * gw * gw).sum(), (x, w), create_graph=True)
    third = (ggx * ggx).sum() + (ggw * ggw).sum()
    g3x, g3w = T.autograd.grad(third, (x, w))
    res = {"gx": gx.detach().numpy(), "gw": gw.detach().numpy(), "ggx": ggx.detach().numpy(),
           "ggw": ggw.detach().numpy(), "g3x": g3x.numpy(), "g3w": g3w.numpy(),
           "third": np.array(third.item()), "x0": x0}
    if case_id in THIRD_UNLIKE_PYTORCH and T is not numtorch:
        del res["g3x"], res["g3w"]
    return res


# the whole backward graph PyTorch records (instance norm through batch norm, local response
# norm through its composite nodes)
CHAINS = {
    "instance_norm": lambda T, x, w: T.nn.functional.instance_norm(x, weight=w, bias=w),
    "instance_norm_running": lambda T, x, w: T.nn.functional.instance_norm(
        x, T.zeros(3), T.ones(3), use_input_stats=False),
    "local_response_norm_3d": lambda T, x, w: T.nn.functional.local_response_norm(x, 3),
    "local_response_norm_4d": lambda T, x, w: T.nn.functional.local_response_norm(
        x.unsqueeze(-1) * w[0], 2),
    "layer_norm": lambda T, x, w: T.nn.functional.layer_norm(x, (4,), w[:1].expand(4)),
}


def graph_of(T, case_id: str) -> list:
    """Node names of the backward graph, depth first (``  `` per level)."""
    x = T.ones(2, 3, 4, requires_grad=True)
    w = T.ones(3, requires_grad=True)
    out = []

    def walk(fn, depth):
        out.append("  " * depth + fn.name())
        for f, _ in fn.next_functions:
            if f is not None:
                walk(f, depth + 1)
    walk(CHAINS[case_id](T, x, w).grad_fn, 0)
    return out


def _module_facts(T, ctor: str) -> tuple:
    T.manual_seed(0)
    m = eval("T.nn." + ctor)
    state = m.state_dict()
    return repr(m), list(state.keys()), {k: v.numpy().copy() for k, v in state.items()}


def _trained_bn(T):
    """A BatchNorm2d after three training steps (the checkpoint's content)."""
    T.manual_seed(0)
    m = T.nn.BatchNorm2d(3)
    rng = rng_for("checkpoint")
    for _ in range(3):
        m(T.tensor(rng.standard_normal((2, 3, 4, 4)).astype("float32")))
    return m


# -- the record ------------------------------------------------------------------------------

def regenerate() -> tuple:
    """PyTorch's answers for every case: (arrays for the .npz, facts for the .json)."""
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}, "checkpoint": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in _FACTS}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(ERRORS[cid], torch)
    for ctor in REPRS:
        r, keys, state = _module_facts(torch, ctor)
        facts["reprs"][ctor] = {"repr": r, "keys": keys}
        arrays.update({f"init/{ctor}/{k}": v for k, v in state.items()})
    facts["chains"] = {cid: graph_of(torch, cid) for cid in CHAINS}
    for cid in HIGHER:
        res = run_higher(torch, cid)
        del res["third"], res["x0"]
        arrays.update({f"higher/{cid}/{k}": v for k, v in res.items()})
    state = _trained_bn(torch).state_dict()
    torch.save(state, CHECKPOINT)
    arrays.update({f"checkpoint/{k}": v.numpy() for k, v in state.items()})
    facts["checkpoint"] = {"keys": list(state),
                           "dtypes": {k: str(v.dtype) for k, v in state.items()}}
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    return load_record(RECORD_NPZ, RECORD_JSON)


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    want = facts["cases"][case_id]
    got = run_case(numtorch, case_id)
    assert [got.pop(k) for k in _FACTS] == [want[k] for k in _FACTS]
    keys = check_arrays(got, arrays, case_id, want["dtype"])
    torch = torch_or_none()
    if torch is not None:                              # the record is still PyTorch's answer
        live = run_case(torch, case_id)
        assert [live.pop(k) for k in _FACTS] == [want[k] for k in _FACTS]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(ERRORS[case_id], numtorch)
    assert want is not None and got == want, (got, want)
    torch = torch_or_none()
    if torch is not None:
        assert error_of(ERRORS[case_id], torch) == want


@pytest.mark.parametrize("ctor", REPRS)
def test_repr_state_dict_and_init(ctor, record):
    arrays, facts = record
    r, keys, state = _module_facts(numtorch, ctor)
    assert r == facts["reprs"][ctor]["repr"]
    assert keys == facts["reprs"][ctor]["keys"]
    for k, v in state.items():
        want = arrays[f"init/{ctor}/{k}"]
        assert v.dtype == want.dtype and v.shape == want.shape
        np.testing.assert_array_equal(v, want)
    torch = torch_or_none()
    if torch is not None:
        assert _module_facts(torch, ctor)[:2] == (r, keys)


@pytest.mark.parametrize("case_id", list(CHAINS))
def test_backward_graph(case_id, record):
    want = record[1]["chains"][case_id]
    assert graph_of(numtorch, case_id) == want
    torch = torch_or_none()
    if torch is not None:
        assert graph_of(torch, case_id) == want


@pytest.mark.parametrize("case_id", list(HIGHER))
def test_higher_order(case_id, record):
    arrays = record[0]
    got = run_higher(numtorch, case_id)
    keys = sorted(k[len(case_id) + 8:] for k in arrays if k.startswith(f"higher/{case_id}/"))
    assert len(keys) == (4 if case_id in THIRD_UNLIKE_PYTORCH else 6)
    for k in keys:
        np.testing.assert_allclose(got[k], arrays[f"higher/{case_id}/{k}"], rtol=1e-8, atol=1e-9,
                                   err_msg=k)


@pytest.mark.parametrize("case_id", THIRD_UNLIKE_PYTORCH)
def test_third_derivative_finite_differences(case_id):
    """The third derivative (d/dx of the second-order objective) against central differences."""
    got = run_higher(numtorch, case_id)
    x0, eps = got["x0"], 1e-6
    for i in [(0, 0, 0), (0, 0, 3), (1, 2, 1), (2, 3, 2)]:
        xp, xm = x0.copy(), x0.copy()
        xp[i] += eps
        xm[i] -= eps
        numeric = (run_higher(numtorch, case_id, xp)["third"]
                   - run_higher(numtorch, case_id, xm)["third"]) / (2 * eps)
        np.testing.assert_allclose(got["g3x"][i], numeric, rtol=1e-5, atol=1e-4)


def test_checkpoint_from_pytorch_loads(record):
    """A state_dict PyTorch saved loads into numtorch's BatchNorm2d (keys, dtypes, values), and
    numtorch's own state_dict after the same three steps matches it."""
    arrays, facts = record
    state = numtorch.load(CHECKPOINT)
    m = numtorch.nn.BatchNorm2d(3)
    assert str(m.load_state_dict(state)) == "<All keys matched successfully>"
    assert list(state) == facts["checkpoint"]["keys"]
    for k, dtype in facts["checkpoint"]["dtypes"].items():
        got = getattr(m, k)
        assert str(got.dtype) == dtype
        np.testing.assert_array_equal(got.detach().numpy(), arrays[f"checkpoint/{k}"])
    mine = _trained_bn(numtorch).state_dict()
    assert list(mine) == facts["checkpoint"]["keys"]
    assert mine["num_batches_tracked"].item() == 3
    for k, v in mine.items():
        np.testing.assert_allclose(v.numpy(), arrays[f"checkpoint/{k}"], rtol=1e-6, atol=1e-7)


def test_checkpoint_to_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    path = str(tmp_path / "bn.pt")
    numtorch.save(_trained_bn(numtorch).state_dict(), path)
    m = torch.nn.BatchNorm2d(3)
    m.load_state_dict(torch.load(path))
    assert m.num_batches_tracked.dtype == torch.int64 and m.num_batches_tracked.item() == 3


# -- numeric gradient checks (float64, no torch) ------------------------------------------------

F = numtorch.nn.functional


def _stats(c):
    return numtorch.tensor(np.linspace(-0.2, 0.3, c)), numtorch.tensor(np.linspace(0.5, 2.0, c))


CHECKS = {
    "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                   (3, 2, 4), (2,), (2,)),
    "batch_norm_2d": (lambda x: F.batch_norm(x, None, None, training=True, eps=0.1), (5, 3)),
    "batch_norm_4d": (lambda x, w: F.batch_norm(x, None, None, w, training=True),
                      (2, 2, 2, 3), (2,)),
    "batch_norm_eval": (lambda x, w, b: F.batch_norm(x, *_stats(2), w, b), (3, 2, 4), (2,), (2,)),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (4,), w, b), (3, 2, 4), (4,), (4,)),
    "layer_norm_2dims": (lambda x, w: F.layer_norm(x, (2, 3), w), (2, 2, 3), (2, 3)),
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,), (4,)),
    "group_norm_4d": (lambda x: F.group_norm(x, 3, eps=0.1), (2, 3, 2, 2)),
    "instance_norm": (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (2, 3, 4), (3,), (3,)),
    "instance_norm_running": (lambda x, w: F.instance_norm(x, *_stats(3), w,
                                                           use_input_stats=False),
                              (2, 3, 4), (3,)),
    "local_response_norm_3d": (lambda x: F.local_response_norm(x, 3, 0.5), (2, 4, 3)),
    "local_response_norm_4d": (lambda x: F.local_response_norm(x, 2, 0.5, 0.6, 1.5), (2, 4, 2, 2)),
}


@pytest.mark.parametrize("case_id", list(CHECKS))
def test_gradcheck_and_gradgradcheck(case_id):
    fn_, *shapes = CHECKS[case_id]
    rng = rng_for("check-" + case_id)
    inputs = tuple(numtorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    assert numtorch.autograd.gradcheck(fn_, inputs)
    assert numtorch.autograd.gradgradcheck(fn_, inputs)


# -- behaviour that needs no record ---------------------------------------------------------------

def test_cumulative_average_is_the_mean_of_batch_statistics():
    """momentum=None: the running mean is the plain average of the batch means (mathematics)."""
    rng = rng_for("cumulative")
    m = numtorch.nn.BatchNorm1d(3, momentum=None)
    xs = [rng.standard_normal((4, 3)).astype("float32") for _ in range(5)]
    for x in xs:
        m(numtorch.tensor(x))
    np.testing.assert_allclose(m.running_mean.numpy(), np.mean([x.mean(0) for x in xs], 0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.running_var.numpy(), np.mean([x.var(0, ddof=1) for x in xs], 0),
                               rtol=1e-5, atol=1e-6)
    assert m.num_batches_tracked.item() == 5 and m.num_batches_tracked.dtype == numtorch.int64


def test_momentum_update_rule():
    """running = (1 - m) * running + m * stat, unbiased variance (mathematics)."""
    rng = rng_for("momentum")
    x = rng.standard_normal((6, 2, 3)).astype("float32")
    rm, rv = numtorch.zeros(2), numtorch.ones(2)
    y = F.batch_norm(numtorch.tensor(x), rm, rv, training=True, momentum=0.25)
    mean, var = x.mean((0, 2)), x.var((0, 2))
    np.testing.assert_allclose(rm.numpy(), 0.25 * mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(rv.numpy(), 0.75 + 0.25 * var * 18 / 17, rtol=1e-5)
    want = (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-5)      # biased variance normalises
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-4, atol=1e-5)


def test_eval_mode_changes_no_buffer_and_uses_running_stats():
    m = numtorch.nn.BatchNorm1d(2)
    m(numtorch.tensor([[1.0, 2.0], [3.0, 6.0]]))
    before = {k: v.clone() for k, v in m.named_buffers()}
    m.eval()
    x = numtorch.tensor([[0.5, 1.0]])                       # one sample is fine in eval mode
    y = m(x)
    for k, v in m.named_buffers():
        assert numtorch.equal(v, before[k])
    rm, rv = before["running_mean"].numpy(), before["running_var"].numpy()
    np.testing.assert_allclose(y.detach().numpy(), (x.numpy() - rm) / np.sqrt(rv + 1e-5),
                               rtol=1e-6)


def test_reset_running_stats_and_parameters():
    m = numtorch.nn.BatchNorm2d(2)
    m(numtorch.randn(3, 2, 2, 2))
    with numtorch.no_grad():
        m.weight.mul_(3)
    m.reset_running_stats()
    assert m.running_mean.tolist() == [0, 0] and m.running_var.tolist() == [1, 1]
    assert m.num_batches_tracked.item() == 0 and m.weight.tolist() == [3, 3]
    m.reset_parameters()
    assert m.weight.tolist() == [1, 1] and m.bias.tolist() == [0, 0]


def test_load_checkpoint_without_count_keeps_the_modules_count():
    """A plain dict (no version metadata) without num_batches_tracked loads, as in PyTorch."""
    m = numtorch.nn.BatchNorm2d(3)
    m.num_batches_tracked.fill_(5)
    sd = {k: v for k, v in numtorch.nn.BatchNorm2d(3).state_dict().items()
          if k != "num_batches_tracked"}
    assert str(m.load_state_dict(sd)) == "<All keys matched successfully>"
    assert m.num_batches_tracked.item() == 5
    assert "num_batches_tracked" not in sd                  # the caller's dict is left alone


def test_instance_norm_warns_on_channel_mismatch():
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        y = numtorch.nn.InstanceNorm1d(4)(numtorch.randn(2, 3, 5))
    assert tuple(y.shape) == (2, 3, 5)


def test_instance_norm_cumulative_momentum_is_zero():
    """InstanceNorm with momentum=None passes momentum 0: the running stats never move."""
    m = numtorch.nn.InstanceNorm2d(2, track_running_stats=True, momentum=None)
    m(numtorch.randn(2, 2, 3, 3))
    assert m.running_mean.tolist() == [0, 0] and m.running_var.tolist() == [1, 1]
    assert m.num_batches_tracked.item() == 0


def test_no_grad_path_and_node_freeing():
    """Inference records nothing; a node frees what it saved after backward."""
    x = numtorch.randn(4, 3, 5, requires_grad=True)
    m = numtorch.nn.BatchNorm1d(3)
    with numtorch.no_grad():
        z = m(x)
    assert z.grad_fn is None
    y = m(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()


def test_inplace_change_of_input_is_caught():
    x = numtorch.randn(4, 3, requires_grad=True)
    h = x * 1
    y = F.layer_norm(h, (3,))
    with numtorch.no_grad():
        h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_exports():
    for name in ("batch_norm", "layer_norm", "group_norm", "instance_norm"):
        assert callable(getattr(numtorch, name)) and callable(getattr(F, name))
    assert callable(F.local_response_norm)
    for name in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm",
                 "LocalResponseNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"):
        assert name in numtorch.nn.modules.__all__ and hasattr(numtorch.nn, name)
    for name in ("batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm"):
        assert name in F.__all__
    rm, rv = numtorch.zeros(2), numtorch.ones(2)
    x = numtorch.tensor([[1.0, 2.0], [3.0, 6.0]])
    y = numtorch.batch_norm(x, None, None, rm, rv, True, 0.5, 1e-5, False)   # torch's order
    assert rm.tolist() == [1.0, 2.0] and y.shape == x.shape


def test_training_a_batchnorm_net_lowers_the_loss():
    numtorch.manual_seed(0)
    rng = rng_for("train")
    x = numtorch.tensor(rng.standard_normal((16, 4)).astype("float32"))
    target = numtorch.tensor(rng.standard_normal((16, 1)).astype("float32"))
    net = numtorch.nn.Sequential(numtorch.nn.Linear(4, 8), numtorch.nn.BatchNorm1d(8),
                                 numtorch.nn.ReLU(), numtorch.nn.Linear(8, 1))
    opt = numtorch.optim.SGD(net.parameters(), lr=0.1)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = ((net(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
