"""Convolutions against PyTorch 2.13: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``, ``unfold``,
``fold`` and their modules.

PyTorch's answers (values, dtypes, shapes, ``grad_fn`` names, the gradients of input, weight and
bias, parameters after ``manual_seed``, reprs, ``state_dict`` keys, error types and messages,
second and third derivatives) are recorded in ``tests/data/conv.npz`` / ``conv.json``, so these
tests run without torch; with torch installed each record is also checked against live PyTorch.
Regenerate with ``python tests/data/regen_conv.py``. float64 ``gradcheck`` / ``gradgradcheck``
need no torch at all.
"""
from __future__ import annotations

import json
import os
import re
import warnings
import zlib

import numpy as np
import pytest

import numtorch

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
RECORD_NPZ = os.path.join(DATA, "conv.npz")
RECORD_JSON = os.path.join(DATA, "conv.json")


def _rng(name: str):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _t(T, rng, shape, dtype="float32", grad=True):
    a = rng.standard_normal(shape).astype(dtype)
    if dtype.startswith("int"):
        a = rng.integers(-3, 4, shape).astype(dtype)
        grad = False
    return T.tensor(a, requires_grad=grad)


# -- parity cases: make(T, rng) -> (output, {name: tensor whose grad is compared}) ----------------

def functional(name, xs, ws, bias=True, dtype="float32", grads=(True, True, True), **kw):
    def make(T, rng):
        x = _t(T, rng, xs, dtype, grads[0])
        w = _t(T, rng, ws, dtype, grads[1])
        nb = ws[1] * kw.get("groups", 1) if "transpose" in name else ws[0]
        b = _t(T, rng, (nb,), dtype, grads[2]) if bias else None
        return getattr(T.nn.functional, name)(x, w, b, **kw), {"x": x, "w": w, "b": b}
    return make


def module(ctor, xs, dtype="float32", **call):
    def make(T, rng):
        T.manual_seed(0)
        m = eval("T.nn." + ctor)
        if dtype == "float64":
            m = m.double()
        x = _t(T, rng, xs, dtype)
        leaves = {"x": x}
        leaves.update(dict(m.named_parameters()))
        return m(x, **call) if call else m(x), leaves
    return make


def blocks(name, xs, *args, **kw):
    def make(T, rng):
        x = _t(T, rng, xs)
        return getattr(T.nn.functional, name)(x, *args, **kw), {"x": x}
    return make


CASES = {
    # conv2d
    "conv2d": functional("conv2d", (2, 3, 7, 8), (4, 3, 3, 2)),
    "conv2d_nobias": functional("conv2d", (2, 3, 7, 8), (4, 3, 3, 3), bias=False),
    "conv2d_stride_pad": functional("conv2d", (2, 3, 9, 8), (5, 3, 3, 3), stride=2, padding=1),
    "conv2d_mixed": functional("conv2d", (2, 3, 9, 10), (4, 3, 3, 2), stride=(2, 1),
                               padding=(1, 2), dilation=(1, 2)),
    "conv2d_groups": functional("conv2d", (2, 4, 7, 6), (6, 2, 3, 3), groups=2, padding=1),
    "conv2d_depthwise": functional("conv2d", (2, 3, 6, 7), (6, 1, 3, 3), groups=3, stride=2),
    "conv2d_same": functional("conv2d", (2, 3, 6, 7), (4, 3, 3, 5), padding="same"),
    "conv2d_same_even": functional("conv2d", (2, 2, 6, 7), (3, 2, 4, 2), padding="same"),
    "conv2d_same_dilated": functional("conv2d", (2, 2, 7, 7), (3, 2, 2, 3), padding="same",
                                      dilation=(3, 2)),
    "conv2d_valid": functional("conv2d", (2, 2, 6, 5), (3, 2, 3, 3), padding="valid"),
    "conv2d_1x1": functional("conv2d", (2, 5, 4, 4), (3, 5, 1, 1)),
    "conv2d_batch1": functional("conv2d", (1, 2, 5, 6), (3, 2, 2, 2), padding=1),
    "conv2d_unbatched": functional("conv2d", (3, 6, 6), (2, 3, 3, 3), padding=(0, 1)),
    "conv2d_x_only": functional("conv2d", (2, 3, 6, 6), (4, 3, 3, 3), grads=(True, False, False)),
    "conv2d_w_only": functional("conv2d", (2, 3, 6, 6), (4, 3, 3, 3), grads=(False, True, True)),
    "conv2d_float64": functional("conv2d", (2, 3, 6, 6), (4, 3, 3, 3), dtype="float64", stride=2),
    "conv2d_int64": functional("conv2d", (2, 2, 5, 5), (3, 2, 2, 2), dtype="int64"),
    "conv2d_lenet": functional("conv2d", (2, 1, 28, 28), (6, 1, 5, 5), padding=2),
    # conv1d / conv3d
    "conv1d": functional("conv1d", (2, 3, 9), (4, 3, 3)),
    "conv1d_all": functional("conv1d", (2, 4, 11), (6, 2, 3), stride=2, padding=1, dilation=2,
                             groups=2),
    "conv1d_same_even": functional("conv1d", (2, 2, 7), (3, 2, 4), padding="same"),
    "conv1d_unbatched": functional("conv1d", (3, 8), (2, 3, 3), padding=1),
    "conv3d": functional("conv3d", (2, 2, 4, 5, 3), (3, 2, 2, 3, 1), stride=(1, 2, 1), padding=1),
    # transposed
    "conv_transpose2d": functional("conv_transpose2d", (2, 3, 4, 5), (3, 2, 3, 3)),
    "conv_transpose2d_stride": functional("conv_transpose2d", (2, 3, 4, 4), (3, 2, 3, 3), stride=2,
                                          padding=1, output_padding=1),
    "conv_transpose2d_all": functional("conv_transpose2d", (2, 4, 4, 5), (4, 3, 3, 2),
                                       stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                       groups=2, dilation=(1, 2)),
    "conv_transpose2d_nobias": functional("conv_transpose2d", (2, 3, 3, 3), (3, 2, 2, 2),
                                          bias=False, stride=2),
    "conv_transpose2d_unbatched": functional("conv_transpose2d", (3, 4, 4), (3, 2, 3, 3), stride=2),
    "conv_transpose1d": functional("conv_transpose1d", (2, 4, 5), (4, 3, 3), stride=2, padding=1,
                                   output_padding=1),
    "conv_transpose1d_dilated": functional("conv_transpose1d", (2, 2, 6), (2, 2, 3), dilation=2,
                                           output_padding=1, groups=2),
    "conv_transpose3d": functional("conv_transpose3d", (1, 2, 3, 2, 3), (2, 2, 2, 2, 2), stride=2),
    # modules (parameters from manual_seed(0): PyTorch's init draws)
    "Conv2d": module("Conv2d(3, 4, 3, padding=1)", (2, 3, 6, 6)),
    "Conv2d_reflect": module("Conv2d(2, 3, (3, 2), padding=(1, 2), padding_mode='reflect')",
                             (2, 2, 5, 6)),
    "Conv2d_replicate": module("Conv2d(2, 3, 3, stride=2, padding=2, padding_mode='replicate')",
                               (2, 2, 6, 5)),
    "Conv2d_circular": module("Conv2d(2, 4, 3, padding=1, groups=2, padding_mode='circular')",
                              (2, 2, 5, 5)),
    "Conv2d_circular_unbatched": module("Conv2d(2, 3, 3, padding=1, padding_mode='circular')",
                                        (2, 4, 5)),
    "Conv2d_same_reflect": module("Conv2d(2, 3, 4, padding='same', padding_mode='reflect')",
                                  (1, 2, 6, 6)),
    "Conv1d_reflect": module("Conv1d(2, 3, 3, padding=2, padding_mode='reflect', bias=False)",
                             (2, 2, 7)),
    "Conv1d": module("Conv1d(4, 6, 3, stride=2, groups=2)", (2, 4, 9)),
    "Conv3d": module("Conv3d(2, 2, 2, padding=1)", (1, 2, 3, 3, 3)),
    "ConvTranspose2d": module("ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)",
                              (2, 3, 4, 4)),
    "ConvTranspose2d_output_size": module("ConvTranspose2d(3, 2, 3, stride=2, padding=1)",
                                          (2, 3, 4, 4), output_size=[8, 8]),
    "ConvTranspose1d": module("ConvTranspose1d(2, 4, 3, stride=3, groups=2, dilation=2)", (2, 2, 4)),
    "ConvTranspose3d": module("ConvTranspose3d(2, 1, 2, stride=2)", (1, 2, 2, 2, 2)),
    "Conv2d_float64": module("Conv2d(2, 3, 3)", (2, 2, 5, 5), dtype="float64"),
    # unfold / fold
    "unfold": blocks("unfold", (2, 3, 5, 6), 2),
    "unfold_all": blocks("unfold", (2, 2, 6, 7), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
    "unfold_unbatched": blocks("unfold", (2, 4, 4), 3, padding=1),
    "fold": blocks("fold", (2, 12, 6), (3, 4), 2),
    "fold_all": blocks("fold", (2, 12, 12), (5, 6), (2, 3), dilation=(1, 2), padding=1,
                       stride=(2, 1)),
    "fold_unbatched": blocks("fold", (8, 9), (4, 4), 2, stride=1),
    "Unfold": module("Unfold((2, 3), padding=1)", (2, 2, 4, 4)),
    "Fold": module("Fold((4, 5), 2)", (2, 8, 12)),
}


def run_case(T, case_id: str) -> dict:
    """The case on ``T`` (torch or numtorch): output, grad_fn name, dtype, shape and gradients."""
    rng = _rng(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, leaves = CASES[case_id](T, rng)
    res = {"out": out.detach().numpy().copy(), "dtype": str(out.dtype), "shape": list(out.shape),
           "name": None if out.grad_fn is None else out.grad_fn.name()}
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


# -- errors: PyTorch's exception types and messages ------------------------------------------------

def _f(T):
    return T.nn.functional


def _o(T, *shape, dtype=None):
    return T.ones(*shape, dtype=dtype) if dtype is not None else T.ones(*shape)


ERRORS = {
    "channels": lambda T: _f(T).conv2d(_o(T, 64, 3, 28, 28), _o(T, 6, 1, 5, 5)),
    "module_channels": lambda T: T.nn.Conv2d(1, 6, 5)(_o(T, 64, 3, 28, 28)),
    "transposed_channels": lambda T: _f(T).conv_transpose2d(_o(T, 1, 4, 3, 3), _o(T, 5, 2, 2, 2)),
    "kernel_too_large": lambda T: T.nn.Conv2d(1, 6, 5)(_o(T, 1, 1, 3, 3)),
    "kernel_too_large_dilated": lambda T: _f(T).conv1d(_o(T, 2, 3), _o(T, 1, 2, 4), dilation=2,
                                                       padding=1),
    "transposed_too_small": lambda T: _f(T).conv_transpose2d(_o(T, 1, 4, 3, 3), _o(T, 4, 2, 2, 2),
                                                             padding=3),
    "input_5d": lambda T: T.nn.Conv2d(1, 6, 5)(_o(T, 1, 1, 1, 3, 3)),
    "input_2d": lambda T: T.nn.Conv2d(1, 6, 5)(_o(T, 3, 3)),
    "conv1d_input_4d": lambda T: T.nn.Conv1d(1, 6, 5)(_o(T, 1, 1, 1, 3)),
    "transposed_input_5d": lambda T: _f(T).conv_transpose2d(_o(T, 1, 4, 3, 3, 3), _o(T, 4, 2, 2, 2)),
    "weight_dtype": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3, dtype=T.float64), _o(T, 1, 1, 2, 2)),
    "weight_dtype_2": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2, dtype=T.float64)),
    "module_dtype": lambda T: T.nn.Conv2d(1, 2, 2)(_o(T, 1, 1, 3, 3, dtype=T.float64)),
    "bias_dtype": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2),
                                         _o(T, 1, dtype=T.float64)),
    "transposed_dtype": lambda T: _f(T).conv_transpose2d(_o(T, 1, 1, 3, 3, dtype=T.float64),
                                                         _o(T, 1, 1, 2, 2), _o(T, 1)),
    "long_weight": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2, dtype=T.int64)),
    "bias_shape": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), _o(T, 2)),
    "transposed_bias_shape": lambda T: _f(T).conv_transpose2d(_o(T, 1, 2, 3, 3), _o(T, 2, 1, 2, 2),
                                                              _o(T, 1), groups=2),
    "in_channels_groups": lambda T: T.nn.Conv2d(3, 6, 5, groups=2),
    "out_channels_groups": lambda T: T.nn.Conv2d(4, 6, 5, groups=4),
    "groups_zero": lambda T: T.nn.Conv2d(4, 6, 5, groups=0),
    "same_strided_module": lambda T: T.nn.Conv2d(4, 6, 5, padding="same", stride=2),
    "same_strided": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), padding="same",
                                           stride=2),
    "padding_string": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), padding="foo"),
    "padding_string_module": lambda T: T.nn.Conv2d(4, 6, 5, padding="foo"),
    "padding_mode": lambda T: T.nn.Conv2d(4, 2, 2, padding_mode="foo"),
    "transposed_padding_mode": lambda T: T.nn.ConvTranspose2d(4, 2, 2, padding_mode="reflect"),
    "transposed_padding_string": lambda T: _f(T).conv_transpose2d(_o(T, 1, 4, 3, 3),
                                                                  _o(T, 4, 2, 2, 2), padding="same"),
    "stride_zero": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), stride=0),
    "padding_negative": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), padding=-1),
    "dilation_zero": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), dilation=0),
    "groups_nonpositive": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), groups=0),
    "stride_length": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), stride=(1, 1, 1)),
    "padding_length": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2), padding=(1, 1, 1)),
    "weight_3d": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2)),
    "weight_4d_conv1d": lambda T: _f(T).conv1d(_o(T, 1, 1, 3), _o(T, 1, 1, 2, 2)),
    "groups_weight_small": lambda T: _f(T).conv2d(_o(T, 1, 4, 3, 3), _o(T, 2, 2, 2, 2), groups=3),
    "groups_weight_divisible": lambda T: _f(T).conv2d(_o(T, 1, 4, 3, 3), _o(T, 3, 2, 2, 2), groups=2),
    "output_padding": lambda T: _f(T).conv_transpose2d(_o(T, 1, 4, 3, 3), _o(T, 4, 2, 2, 2),
                                                       output_padding=2, stride=2),
    "output_padding_1d": lambda T: _f(T).conv_transpose1d(_o(T, 1, 1, 3), _o(T, 1, 1, 2),
                                                          output_padding=1),
    "output_padding_negative": lambda T: _f(T).conv_transpose2d(_o(T, 1, 1, 3, 3), _o(T, 1, 1, 2, 2),
                                                                output_padding=-1),
    "output_size_range": lambda T: T.nn.ConvTranspose2d(1, 1, 3, stride=2)(
        _o(T, 1, 1, 4, 4), output_size=[11, 11]),
    "output_size_length": lambda T: T.nn.ConvTranspose2d(1, 1, 3, stride=2)(
        _o(T, 1, 1, 4, 4), output_size=[1, 10, 10]),
    "not_a_tensor": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3), 3),
    "bool_input": lambda T: _f(T).conv2d(_o(T, 1, 1, 3, 3, dtype=T.bool),
                                         _o(T, 1, 1, 2, 2, dtype=T.bool)),
    "unfold_5d": lambda T: _f(T).unfold(_o(T, 2, 3, 4, 4, 4), 2),
    "unfold_too_large": lambda T: _f(T).unfold(_o(T, 1, 2, 3, 4), 5),
    "unfold_kernel_length": lambda T: _f(T).unfold(_o(T, 1, 2, 3, 4), (2, 2, 2)),
    "unfold_stride": lambda T: _f(T).unfold(_o(T, 1, 2, 3, 4), 2, stride=0),
    "unfold_padding": lambda T: _f(T).unfold(_o(T, 1, 2, 3, 4), 2, padding=-1),
    "unfold_long": lambda T: _f(T).unfold(_o(T, 1, 2, 3, 4, dtype=T.int64), 2),
    "fold_blocks": lambda T: _f(T).fold(_o(T, 1, 12, 5), (3, 4), 2),
    "fold_divisible": lambda T: _f(T).fold(_o(T, 1, 11, 6), (3, 4), 2),
    "fold_4d": lambda T: _f(T).fold(_o(T, 1, 1, 12, 6), (3, 4), 2),
    "fold_output_length": lambda T: _f(T).fold(_o(T, 1, 12, 6), (3, 4, 5), 2),
}

REPRS = [
    "Conv2d(1, 6, 5, padding=2)",
    "Conv2d(1, 6, (3, 5), stride=2, padding=(1, 2), dilation=2, bias=False, padding_mode='reflect')",
    "Conv2d(4, 8, 3, padding='same', groups=4)",
    "Conv2d(4, 8, 4, padding='same', padding_mode='circular', dilation=(1, 2))",
    "Conv1d(4, 8, 3, padding='valid')",
    "Conv1d(4, 8, 3, stride=2, padding=1, padding_mode='replicate')",
    "Conv3d(2, 4, (1, 2, 3), stride=(1, 1, 2))",
    "ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1)",
    "ConvTranspose1d(4, 8, 3, stride=2, padding=1, output_padding=1, dilation=2, groups=2, bias=False)",
    "ConvTranspose3d(2, 4, 2)",
    "Unfold(3)",
    "Unfold((2, 3), dilation=2, padding=1, stride=2)",
    "Fold((4, 5), 2)",
    "Fold(4, 2, 1, 0, 1)",
]

# second and third derivatives (float64), compared with PyTorch's create_graph results
HIGHER = {
    "conv2d": lambda T, x, w: T.nn.functional.conv2d(x, w, stride=2, padding=1, groups=2),
    "conv1d_dilated": lambda T, x, w: T.nn.functional.conv1d(x, w, padding=2, dilation=2),
    # (PyTorch 2.13's third derivative of a transposed convolution with output_padding fails:
    # "output_padding is not supported for non-transposed convolutions"; numtorch's does not)
    "conv_transpose2d": lambda T, x, w: T.nn.functional.conv_transpose2d(x, w, stride=2, padding=1,
                                                                         dilation=2),
}
HIGHER_SHAPES = {"conv2d": ((2, 4, 5, 5), (4, 2, 3, 2)), "conv1d_dilated": ((2, 3, 7), (2, 3, 3)),
                 "conv_transpose2d": ((2, 3, 3, 3), (3, 2, 3, 3))}


def run_higher(T, case_id: str) -> dict:
    rng = _rng("higher-" + case_id)
    xs, ws = HIGHER_SHAPES[case_id]
    x = T.tensor(rng.standard_normal(xs), requires_grad=True)
    w = T.tensor(rng.standard_normal(ws), requires_grad=True)
    y = HIGHER[case_id](T, x, w)
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    gx, gw = T.autograd.grad((y * g).sum(), (x, w), create_graph=True)
    ggx, ggw = T.autograd.grad((gx * gx).sum() + (gw * gw * gw).sum(), (x, w), create_graph=True)
    g3x, g3w = T.autograd.grad((ggx * ggx).sum() + (ggw * ggw).sum(), (x, w))
    return {"gx": gx.detach().numpy(), "gw": gw.detach().numpy(), "ggx": ggx.detach().numpy(),
            "ggw": ggw.detach().numpy(), "g3x": g3x.numpy(), "g3w": g3w.numpy(),
            "names": [gx.grad_fn.name(), gw.grad_fn.name()]}


def error_of(T, case_id: str):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ERRORS[case_id](T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e)]
    return None


def _sets_sorted(message: str) -> str:
    """A message with its ``{...}`` set literals sorted (Python prints sets in hash order)."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}",
                  message)


def _module_facts(T, ctor: str) -> tuple:
    T.manual_seed(0)
    m = eval("T.nn." + ctor)
    state = m.state_dict()
    return repr(m), list(state.keys()), {k: v.numpy().copy() for k, v in state.items()}


# -- the record ---------------------------------------------------------------------------------------

def regenerate() -> tuple:
    """PyTorch's answers for every case: (arrays for the .npz, facts for the .json)."""
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}, "higher": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in ("dtype", "shape", "name")}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(torch, cid)
    for ctor in REPRS:
        r, keys, state = _module_facts(torch, ctor)
        facts["reprs"][ctor] = {"repr": r, "keys": keys}
        arrays.update({f"init/{ctor}/{k}": v for k, v in state.items()})
    for cid in HIGHER:
        res = run_higher(torch, cid)
        facts["higher"][cid] = {"names": res.pop("names")}
        arrays.update({f"higher/{cid}/{k}": v for k, v in res.items()})
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    with np.load(RECORD_NPZ) as z:
        arrays = {k: z[k] for k in z.files}
    with open(RECORD_JSON, encoding="utf-8") as f:
        facts = json.load(f)
    return arrays, facts


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _tol(dtype: str) -> dict:
    return dict(rtol=1e-10, atol=1e-11) if dtype == "torch.float64" else dict(rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    want = facts["cases"][case_id]
    got = run_case(numtorch, case_id)
    assert got["dtype"] == want["dtype"]
    assert got["shape"] == want["shape"]
    assert got["name"] == want["name"]
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(k for k in got if k.startswith(("out", "grad_", "init_"))) == keys
    for k in keys:
        if k.startswith("init_"):                      # PyTorch's draws, bit for bit
            np.testing.assert_array_equal(got[k], arrays[f"{case_id}/{k}"])
        else:
            np.testing.assert_allclose(got[k], arrays[f"{case_id}/{k}"], **_tol(want["dtype"]))
    torch = _torch_or_none()
    if torch is not None:                              # the record is still PyTorch's answer
        live = run_case(torch, case_id)
        assert [live[k] for k in ("dtype", "shape", "name")] == \
            [want[k] for k in ("dtype", "shape", "name")]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(numtorch, case_id)
    assert want is not None and got is not None, (want, got)
    assert got[0] == want[0]
    assert _sets_sorted(got[1]) == _sets_sorted(want[1])
    torch = _torch_or_none()
    if torch is not None:
        live = error_of(torch, case_id)
        assert live[0] == want[0] and _sets_sorted(live[1]) == _sets_sorted(want[1])


@pytest.mark.parametrize("ctor", REPRS)
def test_repr_state_dict_and_init(ctor, record):
    arrays, facts = record
    r, keys, state = _module_facts(numtorch, ctor)
    assert r == facts["reprs"][ctor]["repr"]
    assert keys == facts["reprs"][ctor]["keys"]
    for k, v in state.items():
        np.testing.assert_array_equal(v, arrays[f"init/{ctor}/{k}"])
    torch = _torch_or_none()
    if torch is not None:
        assert _module_facts(torch, ctor)[:2] == (r, keys)


@pytest.mark.parametrize("case_id", list(HIGHER))
def test_higher_order(case_id, record):
    arrays, facts = record
    got = run_higher(numtorch, case_id)
    assert got.pop("names") == facts["higher"][case_id]["names"]
    for k, v in got.items():
        np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-9, atol=1e-9)


# -- numeric gradient checks (float64, no torch) ------------------------------------------------------

F = numtorch.nn.functional
CHECKS = {
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2),
               (2, 4, 7), (4, 2, 2), (4,)),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                                        groups=2), (1, 4, 4, 4), (4, 2, 2, 2), (4,)),
    "conv2d_depthwise_same": (lambda x, w: F.conv2d(x, w, padding="same", groups=2),
                              (1, 2, 4, 4), (4, 1, 3, 3)),
    "conv2d_same_even": (lambda x, w: F.conv2d(x, w, padding="same"), (1, 2, 4, 3), (2, 2, 2, 2)),
    "conv2d_unbatched": (lambda x, w, b: F.conv2d(x, w, b, padding=1), (2, 3, 3), (2, 2, 2, 2), (2,)),
    "conv3d": (lambda x, w: F.conv3d(x, w, padding=(0, 1, 0)), (1, 1, 3, 2, 3), (2, 1, 2, 2, 2)),
    "conv_transpose1d": (lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, output_padding=1,
                                                            groups=2), (2, 4, 3), (4, 1, 3), (2,)),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1,
                                                            output_padding=1, dilation=2),
                         (1, 2, 3, 3), (2, 2, 2, 2), (2,)),
    "unfold": (lambda x: F.unfold(x, 2, padding=1, stride=2), (2, 2, 3, 4)),
    "fold": (lambda c: F.fold(c, (3, 4), 2, padding=1, stride=2), (2, 8, 6)),
    "reflect_pad_conv": (lambda x, w: F.conv2d(F.pad(x, (1, 1, 2, 0), mode="reflect"), w),
                         (1, 2, 3, 4), (2, 2, 2, 2)),
    "circular_pad_conv": (lambda x, w: F.conv1d(F.pad(x, (2, 1), mode="circular"), w),
                          (2, 2, 4), (3, 2, 3)),
}


@pytest.mark.parametrize("case_id", list(CHECKS))
def test_gradcheck_and_gradgradcheck(case_id):
    fn, *shapes = CHECKS[case_id]
    rng = _rng("check-" + case_id)
    inputs = tuple(numtorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert numtorch.autograd.gradcheck(fn, inputs)
        assert numtorch.autograd.gradgradcheck(fn, inputs)


# -- behaviour that needs no record -------------------------------------------------------------------

def test_exports():
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d"):
        assert getattr(numtorch, name) is getattr(numtorch.nn.functional, name)
    for name in ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
                 "ConvTranspose3d", "Fold", "Unfold"):
        assert name in numtorch.nn.modules.__all__ and hasattr(numtorch.nn, name)
    assert callable(numtorch.nn.functional.unfold) and callable(numtorch.nn.functional.fold)


def test_same_even_kernel_warns():
    x, w = numtorch.ones(1, 1, 5), numtorch.ones(1, 1, 4)
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
        y = F.conv1d(x, w, padding="same")
    assert y.tolist() == [[[3.0, 4.0, 4.0, 3.0, 2.0]]]       # one zero before, two after


def test_no_grad_matches_and_keeps_no_columns():
    """Inference gives the same numbers and leaves no column matrix on the throwaway ctx."""
    from numtorch.ops._apply import _NO_CTX
    rng = _rng("no-grad")
    x = numtorch.tensor(rng.standard_normal((2, 3, 6, 6)).astype("float32"))
    m = numtorch.nn.Conv2d(3, 4, 3)
    y = m(x)
    with numtorch.no_grad():
        z = m(x)
    assert z.grad_fn is None and y.grad_fn is not None
    np.testing.assert_array_equal(y.detach().numpy(), z.numpy())
    assert "cols" not in getattr(_NO_CTX, "__dict__", {})


def test_second_backward_through_conv_refuses():
    x = numtorch.ones(1, 1, 3, 3, requires_grad=True)
    y = F.conv2d(x, numtorch.ones(1, 1, 2, 2)).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_inplace_change_of_saved_weight_is_caught():
    w = numtorch.ones(1, 1, 2, 2, requires_grad=True)
    x = numtorch.ones(1, 1, 3, 3, requires_grad=True)
    w2 = w * 1
    y = F.conv2d(x, w2).sum()
    with numtorch.no_grad():
        w2.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_lenet_layer_trains():
    """A conv layer's gradient lowers its loss: a few SGD steps fit a fixed target."""
    numtorch.manual_seed(0)
    rng = _rng("train")
    x = numtorch.tensor(rng.standard_normal((4, 1, 8, 8)).astype("float32"))
    target = numtorch.tensor(rng.standard_normal((4, 3, 8, 8)).astype("float32"))
    m = numtorch.nn.Conv2d(1, 3, 3, padding=1)
    opt = numtorch.optim.SGD(m.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        opt.zero_grad()
        loss = ((m(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]
