"""Attention against PyTorch 2.13: ``F.scaled_dot_product_attention`` and
``nn.MultiheadAttention`` (``F.multi_head_attention_forward``).

PyTorch's answers (outputs, attention weights, ``grad_fn`` names, gradients of the inputs, the
masks and every parameter, bit-exact initial parameters after ``manual_seed``, dropout draws,
second derivatives, reprs, ``state_dict`` keys, warnings, error types and messages) are recorded
in ``tests/data/attention.npz`` / ``.json``, so these tests run without torch; with torch
installed each record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_attention.py``. float64 ``gradcheck`` / ``gradgradcheck`` need no torch.

Where numtorch goes beyond PyTorch: PyTorch's fused CPU kernel
(``ScaledDotProductFlashAttentionForCpuBackward0``) refuses double backward; numtorch's node
differentiates twice, with the values of PyTorch's math path (test_flash_second_derivative).
"""
from __future__ import annotations

import hashlib
import os
import warnings

import numpy as np
import pytest

import numtorch
from recorded_parity import DATA, error_of, load_record, rng_for, torch_or_none

RECORD_NPZ = os.path.join(DATA, "attention.npz")
RECORD_JSON = os.path.join(DATA, "attention.json")


def _t(T, rng, shape, dtype="float64", grad=True):
    return T.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=grad)


def _mask(rng, shape, keep=0.7):
    """A random "may attend" boolean mask with at least the first key allowed in each row."""
    m = rng.random(shape) < keep
    m[..., 0] = True
    return m


# -- scaled_dot_product_attention: make(T, rng) -> (outputs, leaves) ----------------------------

def sdpa(q, k, v=None, *, dtype="float64", mask=None, mask_grad=False, seed=None, **kw):
    """``F.scaled_dot_product_attention`` on random q (shape ``q``), k, v (``v`` defaults to
    ``k``'s shape). ``mask``: ("bool" | "float", shape) or a callable(rng) giving a bool array;
    ``seed``: manual_seed before the call (dropout)."""
    def make(T, rng):
        tq, tk, tv = _t(T, rng, q, dtype), _t(T, rng, k, dtype), _t(T, rng, v or k, dtype)
        leaves = {"q": tq, "k": tk, "v": tv}
        if mask is not None:
            if callable(mask):
                kw["attn_mask"] = T.tensor(mask(rng))
            elif mask[0] == "bool":
                kw["attn_mask"] = T.tensor(_mask(rng, mask[1]))
            else:
                kw["attn_mask"] = _t(T, rng, mask[1], dtype, mask_grad)
                if mask_grad:
                    leaves["mask"] = kw["attn_mask"]
        if seed is not None:
            T.manual_seed(seed)
        out = T.nn.functional.scaled_dot_product_attention(tq, tk, tv, **kw)
        kw.pop("attn_mask", None)
        return {"out": out}, leaves
    return make


def _dead_row(rng):
    m = _mask(rng, (5, 6))
    m[2] = False                     # query 2 may attend to nothing
    return m


SDPA = {
    "flash": sdpa((2, 3, 5, 8), (2, 3, 6, 8)),
    "flash_float32": sdpa((2, 3, 5, 8), (2, 3, 6, 8), dtype="float32"),
    "flash_bool_mask": sdpa((2, 3, 5, 8), (2, 3, 6, 8), mask=("bool", (5, 6))),
    "flash_bool_mask_float32": sdpa((2, 3, 5, 8), (2, 3, 6, 8), dtype="float32",
                                       mask=("bool", (5, 6))),
    "flash_float_mask_4d": sdpa((2, 3, 5, 8), (2, 3, 6, 8), mask=("float", (2, 1, 5, 6))),
    "flash_bool_mask_4d": sdpa((2, 3, 5, 8), (2, 3, 6, 8), mask=("bool", (2, 3, 5, 6))),
    "flash_mask_row": sdpa((2, 3, 5, 8), (2, 3, 6, 8), mask=("float", (1, 6))),
    "flash_causal": sdpa((2, 3, 5, 8), (2, 3, 6, 8), is_causal=True),
    "flash_causal_long_query": sdpa((1, 2, 6, 4), (1, 2, 4, 4), is_causal=True),
    "flash_causal_and_mask": sdpa((2, 3, 5, 8), (2, 3, 6, 8), mask=("bool", (5, 6)),
                                  is_causal=True),
    "flash_scale": sdpa((2, 3, 5, 8), (2, 3, 6, 8), scale=0.3),
    "flash_negative_scale": sdpa((1, 2, 5, 8), (1, 2, 6, 8), scale=-0.7),
    "flash_fully_masked_row": sdpa((2, 3, 5, 8), (2, 3, 6, 8), mask=_dead_row),
    "flash_gqa": sdpa((2, 4, 5, 8), (2, 2, 6, 8), enable_gqa=True),
    "flash_gqa_mask": sdpa((1, 6, 3, 4), (1, 2, 5, 4), mask=("float", (1, 6, 3, 5)),
                           enable_gqa=True),
    "math_3d": sdpa((3, 5, 8), (3, 6, 8)),
    "math_3d_float32": sdpa((3, 5, 8), (3, 6, 8), dtype="float32"),
    "math_2d": sdpa((5, 8), (6, 8)),
    "math_5d": sdpa((2, 1, 2, 5, 4), (2, 1, 2, 6, 4)),
    "math_3d_bool_mask": sdpa((3, 5, 8), (3, 6, 8), mask=("bool", (5, 6))),
    "math_3d_float_mask": sdpa((3, 5, 8), (3, 6, 8), mask=("float", (3, 5, 6))),
    "math_mask_gradient": sdpa((3, 5, 8), (3, 6, 8), mask=("float", (5, 6)), mask_grad=True),
    "flash_shape_mask_gradient": sdpa((2, 3, 5, 8), (2, 3, 6, 8), mask=("float", (5, 6)),
                                      mask_grad=True),
    "math_mask_1d": sdpa((3, 5, 8), (3, 6, 8), mask=("float", (6,))),
    "math_3d_causal": sdpa((3, 5, 8), (3, 6, 8), is_causal=True),
    "math_fully_masked_row": sdpa((3, 5, 8), (3, 6, 8), mask=_dead_row),
    "math_value_dim": sdpa((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 4)),
    "math_broadcast_batch": sdpa((2, 3, 5, 8), (1, 3, 6, 8)),
    "math_broadcast_heads": sdpa((2, 3, 5, 8), (2, 1, 6, 8)),
    "math_2d_query": sdpa((5, 8), (2, 3, 6, 8)),
    "math_3d_negative_scale": sdpa((3, 5, 8), (3, 6, 8), scale=-0.7),
    "math_3d_gqa": sdpa((4, 5, 8), (2, 6, 8), enable_gqa=True),
    "empty_query": sdpa((2, 3, 0, 8), (2, 3, 6, 8)),
    "dropout_4d": sdpa((2, 3, 5, 8), (2, 3, 6, 8), dtype="float32", seed=0, dropout_p=0.3),
    "dropout_3d_mask": sdpa((3, 5, 8), (3, 6, 8), dtype="float32", mask=("bool", (5, 6)),
                            seed=1, dropout_p=0.5),
    "dropout_causal": sdpa((2, 3, 5, 8), (2, 3, 5, 8), dtype="float32", seed=2, dropout_p=0.2,
                           is_causal=True),
    "dropout_gqa": sdpa((1, 4, 5, 8), (1, 2, 6, 8), dtype="float32", seed=3, dropout_p=0.4,
                        enable_gqa=True),
    "dropout_broadcast": sdpa((2, 3, 5, 8), (1, 3, 6, 8), dtype="float32", seed=4,
                              dropout_p=0.3),
    "dropout_all": sdpa((2, 3, 5, 8), (2, 3, 6, 8), dtype="float32", seed=5, dropout_p=1.0),
    "dropout_float64": sdpa((2, 2, 4, 4), (2, 2, 5, 4), seed=6, dropout_p=0.25),
}


# -- MultiheadAttention ---------------------------------------------------------------------------

def mha(kw=None, self_attn=True, batched=True, masks=(), need_weights=True, average=True,
        mode="train", dtype="float64", seed=None, L=5, S=4, N=3, same_kv=True):
    """``nn.MultiheadAttention(8, 2, **kw)`` (after ``manual_seed(0)``) on random inputs.

    ``masks``: "kpm_bool", "kpm_float", "attn_bool", "attn_float", "attn_3d", "causal"
    (the square subsequent mask with ``is_causal=True``), "dead" (one sequence all padded).
    ``mode``: "train", "eval" or "nograd" (eval under no_grad: PyTorch's fast path).
    ``same_kv``: key is value (cross-attention)."""
    kw = dict(kw or {})

    def make(T, rng):
        T.manual_seed(0)
        m = T.nn.MultiheadAttention(8, 2, **kw)
        if dtype == "float64":
            m = m.double()
        if mode != "train":
            m.eval()
        bf = kw.get("batch_first", False) and batched
        kd, vd = kw.get("kdim", 8), kw.get("vdim", 8)
        src = L if self_attn else S

        def shape(n, d):
            if not batched:
                return (n, d)
            return (N, n, d) if bf else (n, N, d)
        grad = mode != "nograd"
        q = _t(T, rng, shape(L, 8), dtype, grad)
        leaves = {"query": q}
        if self_attn:
            k = v = q
        else:
            k = _t(T, rng, shape(S, kd), dtype, grad)
            v = k if same_kv and kd == vd else _t(T, rng, shape(S, vd), dtype, grad)
            leaves["key"] = k
            if v is not k:
                leaves["value"] = v
        call = {"need_weights": need_weights, "average_attn_weights": average}
        kpm_shape = (N, src) if batched else (src,)
        for mk in masks:
            if mk in ("kpm_bool", "dead"):
                kpm = rng.random(kpm_shape) < 0.3
                kpm[..., 0] = False
                if mk == "dead":
                    kpm[1] = True
                call["key_padding_mask"] = T.tensor(kpm)
            elif mk == "kpm_float":
                kpm = np.where(rng.random(kpm_shape) < 0.3, -np.inf, 0.0)
                kpm[..., 0] = 0.0
                call["key_padding_mask"] = T.tensor(kpm.astype(dtype))
            elif mk == "attn_bool":
                am = rng.random((L, src)) < 0.3
                am[:, 0] = False
                call["attn_mask"] = T.tensor(am)
            elif mk == "attn_float":
                call["attn_mask"] = T.tensor(rng.standard_normal((L, src)).astype(dtype))
            elif mk == "attn_3d":
                n = N * 2 if batched else 2
                call["attn_mask"] = T.tensor(rng.standard_normal((n, L, src)).astype(dtype))
            elif mk == "causal":
                call["attn_mask"] = T.nn.Transformer.generate_square_subsequent_mask(
                    L, dtype=getattr(T, dtype))
                call["is_causal"] = True
        if seed is not None:
            T.manual_seed(seed)
        if mode == "nograd":
            with T.no_grad():
                out, weights = m(q, k, v, **call)
        else:
            out, weights = m(q, k, v, **call)
        leaves.update(dict(m.named_parameters()))
        outs = {"out": out}
        if weights is not None:
            outs["weights"] = weights
        return outs, leaves
    return make


MHA = {
    "mha": mha(),
    "mha_no_weights": mha(need_weights=False),
    "mha_per_head_weights": mha(average=False),
    "mha_batch_first": mha({"batch_first": True}),
    "mha_batch_first_no_weights": mha({"batch_first": True}, need_weights=False),
    "mha_unbatched": mha(batched=False),
    "mha_unbatched_no_weights": mha(batched=False, need_weights=False, masks=("kpm_bool",)),
    "mha_unbatched_attn_3d": mha(batched=False, masks=("attn_3d",), average=False),
    "mha_cross": mha(self_attn=False),
    "mha_cross_separate_value": mha(self_attn=False, same_kv=False, need_weights=False),
    "mha_cross_batch_first_kv_shared": mha({"batch_first": True}, self_attn=False,
                                           need_weights=False),
    "mha_kdim_vdim": mha({"kdim": 5, "vdim": 6}, self_attn=False),
    "mha_kdim_vdim_no_weights": mha({"kdim": 5, "vdim": 6, "batch_first": True},
                                    self_attn=False, need_weights=False, masks=("kpm_bool",)),
    "mha_no_bias": mha({"bias": False}, need_weights=False),
    "mha_bias_kv": mha({"add_bias_kv": True}, masks=("kpm_bool", "attn_bool")),
    "mha_bias_kv_no_weights": mha({"add_bias_kv": True}, need_weights=False,
                                  masks=("attn_float",)),
    "mha_zero_attn": mha({"add_zero_attn": True}, masks=("kpm_bool",), average=False),
    "mha_zero_attn_bias_kv": mha({"add_zero_attn": True, "add_bias_kv": True},
                                 need_weights=False, masks=("attn_3d",)),
    "mha_kpm_bool": mha(masks=("kpm_bool",)),
    "mha_kpm_bool_no_weights": mha(masks=("kpm_bool",), need_weights=False),
    "mha_kpm_float": mha(masks=("kpm_float",), need_weights=False),
    "mha_attn_bool": mha(masks=("attn_bool",)),
    "mha_attn_float_no_weights": mha(masks=("attn_float",), need_weights=False),
    "mha_attn_3d": mha(masks=("attn_3d",), need_weights=False),
    "mha_both_masks": mha(masks=("kpm_bool", "attn_bool"), need_weights=False),
    "mha_mixed_mask_types": mha(masks=("kpm_bool", "attn_float")),
    "mha_causal": mha(masks=("causal",), need_weights=False),
    "mha_causal_weights": mha(masks=("causal",)),
    "mha_causal_with_padding": mha({"batch_first": True}, masks=("causal", "kpm_bool"),
                                   need_weights=False),
    "mha_dead_sequence_weights": mha(masks=("dead",)),
    "mha_dead_sequence": mha({"batch_first": True}, masks=("dead",), need_weights=False),
    "mha_eval": mha(mode="eval", masks=("kpm_bool",)),
    "mha_fast_path": mha({"batch_first": True}, mode="nograd", masks=("kpm_bool",),
                         need_weights=False),
    "mha_fast_path_weights": mha({"batch_first": True}, mode="nograd", masks=("attn_bool",),
                                 average=False),
    "mha_fast_path_dead": mha({"batch_first": True}, mode="nograd", masks=("dead",),
                              need_weights=False),
    "mha_slow_path_dead": mha(mode="nograd", masks=("dead",), need_weights=False),
    "mha_float32": mha({"batch_first": True}, dtype="float32", masks=("kpm_bool",)),
    "mha_dropout": mha({"dropout": 0.3}, dtype="float32", seed=7),
    "mha_dropout_no_weights": mha({"dropout": 0.3, "batch_first": True}, dtype="float32",
                                  seed=8, need_weights=False, masks=("kpm_bool",)),
    "mha_dropout_cross": mha({"dropout": 0.4}, self_attn=False, dtype="float32", seed=9,
                             need_weights=False),
    "mha_dropout_eval": mha({"dropout": 0.5}, mode="eval", need_weights=False),
}

CASES = {**SDPA, **MHA}


def run_case(T, case_id: str) -> dict:
    """The case on ``T``: outputs, their dtypes, shapes and ``grad_fn`` names, the gradients of
    the leaves (a fixed random cotangent on each output), the parameters' initial values."""
    rng = rng_for(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs, leaves = CASES[case_id](T, rng)
    res = {"facts": {}}
    loss = None
    for name, o in outs.items():
        a = o.detach().numpy().copy()
        res[name] = a
        res["facts"][name] = [str(o.dtype), list(o.shape),
                              None if o.grad_fn is None else o.grad_fn.name()]
        if o.requires_grad:
            g = T.tensor(rng.standard_normal(a.shape).astype(a.dtype))
            term = (o * g).sum()
            loss = term if loss is None else loss + term
    init = {k: _digest(t) for k, t in leaves.items()
            if k not in ("query", "key", "value", "q", "k", "v", "mask")}
    if init:                        # the initial parameters, bit for bit (SHA-256 of the bytes)
        res["facts"]["init"] = init
    if loss is not None:
        loss.backward()
        for k, t in leaves.items():
            if t.requires_grad and t.grad is not None:
                res["grad_" + k] = t.grad.numpy().copy()
    return res


def _digest(t) -> str:
    return hashlib.sha256(np.ascontiguousarray(t.detach().numpy()).tobytes()).hexdigest()


# -- errors and warnings --------------------------------------------------------------------------

def _o(T, *shape, dtype=None):
    return T.ones(*shape, dtype=dtype) if dtype is not None else T.ones(*shape)


def _sdpa(T, q, k, v, **kw):
    return T.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


def _m(T, **kw):
    return T.nn.MultiheadAttention(8, 2, **kw)


def _x(T, *shape):
    return _o(T, *shape)


ERRORS = {
    "sdpa_mask_shape_flash": lambda T: _sdpa(T, _o(T, 2, 3, 5, 8), _o(T, 2, 3, 6, 8),
                                             _o(T, 2, 3, 6, 8),
                                             attn_mask=_o(T, 5, 7, dtype=T.bool)),
    "sdpa_mask_rows_flash": lambda T: _sdpa(T, _o(T, 2, 3, 5, 8), _o(T, 2, 3, 6, 8),
                                            _o(T, 2, 3, 6, 8), attn_mask=_o(T, 4, 6)),
    "sdpa_mask_shape_math": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8), _o(T, 3, 6, 8),
                                            attn_mask=_o(T, 7, 5, 6)),
    "sdpa_mask_5d": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8), _o(T, 3, 6, 8),
                                    attn_mask=_o(T, 1, 2, 3, 5, 6)),
    "sdpa_mask_1d_flash": lambda T: _sdpa(T, _o(T, 2, 3, 5, 8), _o(T, 2, 3, 6, 8),
                                          _o(T, 2, 3, 6, 8), attn_mask=_o(T, 6)),
    "sdpa_mask_long": lambda T: _sdpa(T, _o(T, 2, 3, 5, 8), _o(T, 2, 3, 6, 8), _o(T, 2, 3, 6, 8),
                                      attn_mask=_o(T, 5, 6, dtype=T.int64)),
    "sdpa_mask_double": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8), _o(T, 3, 6, 8),
                                        attn_mask=_o(T, 5, 6, dtype=T.float64)),
    "sdpa_key_dtype": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8, dtype=T.float64),
                                      _o(T, 3, 6, 8)),
    "sdpa_value_dtype": lambda T: _sdpa(T, _o(T, 5, 8), _o(T, 3, 6, 8),
                                        _o(T, 3, 6, 8, dtype=T.float64)),
    "sdpa_long_inputs": lambda T: _sdpa(T, *(_o(T, 3, 5, 8, dtype=T.int64),) * 3),
    "sdpa_int_inputs": lambda T: _sdpa(T, *(_o(T, 1, 3, 5, 8, dtype=T.int32),) * 3),
    "sdpa_1d": lambda T: _sdpa(T, _o(T, 8), _o(T, 8), _o(T, 8)),
    "sdpa_key_dim": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 7), _o(T, 3, 6, 8)),
    "sdpa_value_length": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8), _o(T, 3, 5, 8)),
    "sdpa_batch": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 2, 6, 8), _o(T, 2, 6, 8)),
    "sdpa_heads_without_gqa": lambda T: _sdpa(T, _o(T, 1, 6, 5, 8), _o(T, 1, 3, 6, 8),
                                              _o(T, 1, 3, 6, 8), dropout_p=0.3),
    "sdpa_gqa_heads": lambda T: _sdpa(T, _o(T, 1, 3, 5, 8), _o(T, 1, 2, 6, 8), _o(T, 1, 2, 6, 8),
                                      enable_gqa=True),
    "sdpa_dropout_above_one": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8), _o(T, 3, 6, 8),
                                              dropout_p=1.5),
    "sdpa_dropout_negative_flash": lambda T: _sdpa(T, _o(T, 2, 3, 5, 8), _o(T, 2, 3, 6, 8),
                                                   _o(T, 2, 3, 6, 8), dropout_p=-0.5),
    "sdpa_causal_and_mask_math": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8),
                                                 _o(T, 3, 6, 8), is_causal=True,
                                                 attn_mask=_o(T, 5, 6, dtype=T.bool)),
    "sdpa_query_list": lambda T: _sdpa(T, [1.0], _o(T, 3, 6, 8), _o(T, 3, 6, 8)),
    "sdpa_value_none": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8), None),
    "sdpa_mask_list": lambda T: _sdpa(T, _o(T, 3, 5, 8), _o(T, 3, 6, 8), _o(T, 3, 6, 8),
                                      attn_mask=[[True]]),
    "mha_not_divisible": lambda T: T.nn.MultiheadAttention(10, 3),
    "mha_zero_embed": lambda T: T.nn.MultiheadAttention(0, 3),
    "mha_negative_heads": lambda T: T.nn.MultiheadAttention(8, -2),
    "mha_query_1d": lambda T: _m(T)(_x(T, 8), _x(T, 8), _x(T, 8)),
    "mha_key_2d": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 8), _x(T, 5, 3, 8)),
    "mha_unbatched_key_3d": lambda T: _m(T)(_x(T, 5, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8)),
    "mha_kpm_1d": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                  key_padding_mask=_o(T, 5, dtype=T.bool)),
    "mha_kpm_length": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                      key_padding_mask=_o(T, 3, 4, dtype=T.bool)),
    "mha_kpm_batch": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                     key_padding_mask=_o(T, 2, 5, dtype=T.bool)),
    "mha_unbatched_kpm_2d": lambda T: _m(T)(_x(T, 5, 8), _x(T, 5, 8), _x(T, 5, 8),
                                            key_padding_mask=_o(T, 3, 5, dtype=T.bool)),
    "mha_attn_2d_shape": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                         attn_mask=_o(T, 5, 4, dtype=T.bool)),
    "mha_attn_3d_shape": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                         attn_mask=_o(T, 3, 5, 5, dtype=T.bool)),
    "mha_attn_4d": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                   attn_mask=_o(T, 2, 6, 5, 5, dtype=T.bool)),
    "mha_unbatched_attn_3d": lambda T: _m(T)(_x(T, 3, 8), _x(T, 3, 8), _x(T, 3, 8),
                                             attn_mask=_o(T, 5, 3, 3, dtype=T.bool)),
    "mha_attn_long": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                     attn_mask=_o(T, 5, 5, dtype=T.int64)),
    "mha_kpm_long": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                    key_padding_mask=_o(T, 3, 5, dtype=T.int64)),
    "mha_causal_without_mask": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                               is_causal=True),
    "mha_key_value_batch": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 2, 8), _x(T, 5, 3, 8)),
    "mha_key_value_length": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 4, 3, 8)),
    "mha_embed_dim": lambda T: _m(T)(_x(T, 5, 3, 7), _x(T, 5, 3, 8), _x(T, 5, 3, 8)),
    "mha_key_embed_dim": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 7), _x(T, 5, 3, 7)),
    "mha_value_weight_shape": lambda T: _m(T, kdim=5, vdim=6, batch_first=True)(
        _x(T, 3, 5, 8), _x(T, 3, 4, 5), _x(T, 3, 4, 5)),
    "mha_separate_batch": lambda T: _m(T, kdim=5, vdim=6)(_x(T, 5, 3, 8), _x(T, 4, 3, 5),
                                                         _x(T, 4, 2, 6)),
    "mha_functional_divisible": lambda T: T.nn.functional.multi_head_attention_forward(
        _x(T, 5, 3, 6), _x(T, 5, 3, 6), _x(T, 5, 3, 6), 6, 4, _o(T, 18, 6), None, None, None,
        False, 0.0, _o(T, 6, 6), None),
    "mha_functional_no_weight": lambda T: T.nn.functional.multi_head_attention_forward(
        _x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8), 8, 2, None, None, None, None, False,
        0.0, _o(T, 8, 8), None),
    "mha_functional_static_k": lambda T: T.nn.functional.multi_head_attention_forward(
        _x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8), 8, 2, _o(T, 24, 8), None, None, None,
        False, 0.0, _o(T, 8, 8), None, static_k=_o(T, 5, 5, 4)),
    "mha_functional_bias_static": lambda T: T.nn.functional.multi_head_attention_forward(
        _x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8), 8, 2, _o(T, 24, 8), None, _o(T, 1, 1, 8),
        _o(T, 1, 1, 8), False, 0.0, _o(T, 8, 8), None, static_k=_o(T, 6, 5, 4)),
}

WARNINGS = {
    "mixed_mask_types": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                        key_padding_mask=_o(T, 3, 5, dtype=T.bool) == 0,
                                        attn_mask=T.zeros(5, 5)),
    "mixed_mask_types_float_kpm": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                                  _x(T, 5, 3, 8), key_padding_mask=T.zeros(3, 5),
                                                  attn_mask=_o(T, 5, 5, dtype=T.bool) == 0),
    "same_mask_types": lambda T: _m(T)(_x(T, 5, 3, 8), _x(T, 5, 3, 8), _x(T, 5, 3, 8),
                                       key_padding_mask=T.zeros(3, 5), attn_mask=T.zeros(5, 5)),
}


def warnings_of(fn, T) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(T)
    return [[w.category.__name__, str(w.message)] for w in caught]


REPRS = [
    "MultiheadAttention(8, 2)",
    "MultiheadAttention(8, 2, dropout=0.1, bias=False, batch_first=True)",
    "MultiheadAttention(8, 2, kdim=5, vdim=6, add_bias_kv=True)",
    "MultiheadAttention(6, 3, add_bias_kv=True, add_zero_attn=True, kdim=6)",
    "MultiheadAttention(4, 4, kdim=3, bias=False)",
]


def _module_facts(T, ctor: str) -> tuple:
    T.manual_seed(0)
    m = eval("T.nn." + ctor)
    state = m.state_dict()
    attrs = {k: getattr(m, k) for k in ("embed_dim", "kdim", "vdim", "_qkv_same_embed_dim",
                                        "num_heads", "dropout", "batch_first", "head_dim",
                                        "add_zero_attn")}
    return (repr(m), list(state.keys()), [n for n, _ in m.named_parameters()], attrs,
            {k: v.numpy().copy() for k, v in state.items()})


# -- second derivatives (float64), against PyTorch's create_graph results -------------------------

def _higher_inputs(T, case_id: str, x=None):
    rng = rng_for("higher-" + case_id)
    q0 = rng.standard_normal((1, 2, 4, 4))
    return (T.tensor(q0 if x is None else x, requires_grad=True),
            T.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True),
            T.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True), rng, q0)


_HMASK = np.array([[True, False, True, True, True], [True] * 5,
                   [False, True, True, False, True], [True, True, False, True, True]])
# PyTorch's math path differentiates twice; on 4-D inputs its fused kernel refuses, so PyTorch's
# answers come from the math path (the 3-D view of the same numbers) and numtorch's fused node
# must give the same
HIGHER = {"plain": {}, "causal": {"is_causal": True}, "mask": {"mask": True},
          "scale": {"scale": 0.4}}


def run_higher(T, case_id: str, four: bool) -> dict:
    """First and second derivatives (create_graph) of a scalar of the attention output; 4-D
    inputs (the fused path) when ``four``, else their 3-D view (the math path)."""
    q, k, v, rng, _ = _higher_inputs(T, case_id)
    kw = dict(HIGHER[case_id])
    if kw.pop("mask", False):
        kw["attn_mask"] = T.tensor(_HMASK)
    args = (q, k, v) if four else (q[0], k[0], v[0])
    y = T.nn.functional.scaled_dot_product_attention(*args, **kw)
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    gq, gk, gv = T.autograd.grad((y * g).sum(), (q, k, v), create_graph=True)
    second = (gq * gq).sum() + (gk * gv).sum()
    ggq, ggk, ggv = T.autograd.grad(second, (q, k, v))
    return {"gq": gq.detach().numpy().reshape(-1), "gk": gk.detach().numpy().reshape(-1),
            "ggq": ggq.numpy().reshape(-1), "ggk": ggk.numpy().reshape(-1),
            "ggv": ggv.numpy().reshape(-1)}


def _flash_double_backward_error(T):
    q = T.ones(1, 1, 2, 4, dtype=T.float64, requires_grad=True)
    y = T.nn.functional.scaled_dot_product_attention(q, q * 2, q * 3)
    (gq,) = T.autograd.grad(y.sum(), (q,), create_graph=True)
    T.autograd.grad(gq.sum(), (q,))


# -- the record -----------------------------------------------------------------------------------

def regenerate() -> tuple:
    """PyTorch's answers for every case: (arrays for the .npz, facts for the .json)."""
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "warnings": {}, "reprs": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = res.pop("facts")
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(ERRORS[cid], torch)
    for cid in WARNINGS:
        facts["warnings"][cid] = warnings_of(WARNINGS[cid], torch)
    for ctor in REPRS:
        r, keys, names, attrs, state = _module_facts(torch, ctor)
        facts["reprs"][ctor] = {"repr": r, "keys": keys, "parameters": names, "attrs": attrs}
        arrays.update({f"init/{ctor}/{k}": v for k, v in state.items()})
    for cid in HIGHER:
        arrays.update({f"higher/{cid}/{k}": v for k, v in run_higher(torch, cid, False).items()})
    facts["flash_double_backward"] = error_of(_flash_double_backward_error, torch)
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    return load_record(RECORD_NPZ, RECORD_JSON)


def _close(got: dict, arrays: dict, case_id: str) -> list:
    """Compare every recorded array of ``case_id`` (NaNs where PyTorch has NaNs)."""
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(k for k in got if k != "facts") == keys, (sorted(got), keys)
    for k in keys:
        want = arrays[f"{case_id}/{k}"]
        tol = dict(rtol=1e-10, atol=1e-11) if want.dtype == np.float64 else \
            dict(rtol=2e-5, atol=2e-6)
        np.testing.assert_allclose(got[k], want, err_msg=k, equal_nan=True, **tol)
    return keys


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    got = run_case(numtorch, case_id)
    assert got["facts"] == facts["cases"][case_id]
    keys = _close(got, arrays, case_id)
    no_grad = "fast_path" in case_id or "slow_path" in case_id
    assert any(k.startswith("grad_") for k in keys) != no_grad
    torch = torch_or_none()
    if torch is not None:                              # the record is still PyTorch's answer
        live = run_case(torch, case_id)
        assert live["facts"] == facts["cases"][case_id]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-7,
                                       equal_nan=True)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(ERRORS[case_id], numtorch)
    assert want is not None and got == want, (got, want)
    torch = torch_or_none()
    if torch is not None:
        assert error_of(ERRORS[case_id], torch) == want


@pytest.mark.parametrize("case_id", list(WARNINGS))
def test_warnings(case_id, record):
    want = record[1]["warnings"][case_id]
    assert warnings_of(WARNINGS[case_id], numtorch) == want
    torch = torch_or_none()
    if torch is not None:
        assert warnings_of(WARNINGS[case_id], torch) == want


@pytest.mark.parametrize("ctor", REPRS)
def test_repr_state_dict_and_init(ctor, record):
    """Repr, state_dict keys, parameter names, attributes and the initial values bit for bit
    (the RNG draws happen in PyTorch's order)."""
    arrays, facts = record
    r, keys, names, attrs, state = _module_facts(numtorch, ctor)
    want = facts["reprs"][ctor]
    assert (r, keys, names, attrs) == (want["repr"], want["keys"], want["parameters"],
                                       want["attrs"])
    for k, v in state.items():
        np.testing.assert_array_equal(v, arrays[f"init/{ctor}/{k}"], err_msg=k)
    torch = torch_or_none()
    if torch is not None:
        assert _module_facts(torch, ctor)[:4] == (r, keys, names, attrs)


@pytest.mark.parametrize("case_id", list(HIGHER))
def test_second_derivatives(case_id, record):
    """create_graph twice: numtorch's 4-D (fused) node equals PyTorch's math path."""
    arrays = record[0]
    for four in (False, True):
        got = run_higher(numtorch, case_id, four)
        for k, v in got.items():
            np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-9,
                                       atol=1e-10, err_msg=f"{k} four={four}")


def test_flash_second_derivative_goes_beyond_pytorch(record):
    """PyTorch 2.13's fused CPU kernel cannot differentiate twice; numtorch's node can."""
    want = record[1]["flash_double_backward"]
    assert want == ["RuntimeError", "derivative for aten::_scaled_dot_product_flash_attention_"
                                    "for_cpu_backward is not implemented"]
    assert error_of(_flash_double_backward_error, numtorch) is None


def test_grad_fn_names_recorded(record):
    """The nodes PyTorch's CPU build shows for float32 inputs: its fused kernel for 4-D inputs
    with or without a mask (no dropout), the math path's last node otherwise."""
    cases = record[1]["cases"]
    assert cases["flash_float32"]["out"][2] == "ScaledDotProductFlashAttentionForCpuBackward0"
    assert cases["flash_bool_mask_float32"]["out"][2] == \
        "ScaledDotProductFlashAttentionForCpuBackward0"
    assert cases["math_3d_float32"]["out"][2] == "UnsafeViewBackward0"
    assert cases["dropout_4d"]["out"][2] == "UnsafeViewBackward0"
    assert cases["math_2d"]["out"][2] == "MmBackward0"
    assert cases["mha_batch_first"]["out"][2] == "TransposeBackward0"
    assert cases["mha"]["weights"][2] == "MeanBackward1"


def test_inplace_change_of_fused_output_is_caught():
    """The fused node keeps its output (as PyTorch's does); the math path does not."""
    q = numtorch.randn(1, 2, 3, 4, requires_grad=True)
    y = numtorch.nn.functional.scaled_dot_product_attention(q, q, q)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    y = numtorch.nn.functional.scaled_dot_product_attention(q[0], q[0], q[0])
    y.mul_(2)
    y.sum().backward()
    assert q.grad is not None


# -- numeric gradient checks (float64, no torch) --------------------------------------------------

F = numtorch.nn.functional


def _seeded(fn, seed=0):
    def run(*a):
        numtorch.manual_seed(seed)
        return fn(*a)
    return run


_BOOL = numtorch.tensor([[True, False, True, True, False], [True, True, False, False, True],
                         [False, True, True, True, True]])
CHECKS = {
    "flash": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
              (1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)),
    "flash_bool_mask": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, _BOOL),
                        (1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)),
    "flash_causal_scale": (lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, is_causal=True, scale=0.7), (2, 1, 4, 3), (2, 1, 4, 3), (2, 1, 4, 3)),
    "flash_gqa": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
                  (1, 4, 3, 2), (1, 2, 4, 2), (1, 2, 4, 2)),
    "math_3d": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, _BOOL),
                (2, 3, 4), (2, 5, 4), (2, 5, 4)),
    "math_2d_causal": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                       (4, 3), (5, 3), (5, 2)),
    "math_dropout": (_seeded(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, dropout_p=0.3)), (1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)),
    "math_broadcast_mask_grad": (lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
                                 (2, 3, 4), (1, 5, 4), (1, 5, 4), (3, 5)),
}


@pytest.mark.parametrize("case_id", list(CHECKS))
def test_gradcheck_and_gradgradcheck(case_id):
    fn_, *shapes = CHECKS[case_id]
    rng = rng_for("check-" + case_id)
    inputs = tuple(numtorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    assert numtorch.autograd.gradcheck(fn_, inputs)
    assert numtorch.autograd.gradgradcheck(fn_, inputs)


MHA_CHECKS = {    # (module kwargs, call kwargs, self-attention, parameters checked too)
    "self_no_weights": (dict(), dict(need_weights=False), True,
                        ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")),
    "self_weights": (dict(batch_first=True), dict(average_attn_weights=False), True,
                     ("in_proj_weight",)),
    "cross_padding": (dict(), dict(need_weights=False,
                                   key_padding_mask=numtorch.tensor([[False] * 4 + [True]] * 2)),
                      False, ()),
    "dropout": (dict(dropout=0.3), dict(need_weights=False), True, ("out_proj.weight",)),
    "bias_kv_zero_attn": (dict(add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=3), dict(),
                          False, ("bias_k", "bias_v", "k_proj_weight")),
}


@pytest.mark.parametrize("case_id", list(MHA_CHECKS))
def test_mha_gradcheck_and_gradgradcheck(case_id):
    """The layer as a function of its inputs and some of its parameters."""
    kw, call, self_attn, names = MHA_CHECKS[case_id]
    numtorch.manual_seed(0)
    m = numtorch.nn.MultiheadAttention(4, 2, **kw).double()
    rng = rng_for("mha-check-" + case_id)
    x = numtorch.tensor(rng.standard_normal((2, 3, 4) if kw.get("batch_first") else (3, 2, 4)),
                        requires_grad=True)
    kv = numtorch.tensor(rng.standard_normal((5, 2, kw.get("kdim", 4))), requires_grad=True)

    def fn(x, kv, *params):
        for name, p in zip(names, params):
            *path, leaf = name.split(".")
            mod = m
            for part in path:
                mod = getattr(mod, part)
            mod._parameters[leaf] = p
        numtorch.manual_seed(1)
        out = m(x, x, x, **call) if self_attn else m(x, kv, kv, **call)
        return out[0] if out[1] is None else (out[0], out[1])
    params = tuple(m.get_parameter(n).detach().clone().requires_grad_() for n in names)
    inputs = ((x,) if self_attn else (x, kv)) + params
    wrapped = fn if not self_attn else (lambda x, *ps: fn(x, kv, *ps))
    assert numtorch.autograd.gradcheck(wrapped, inputs)
    assert numtorch.autograd.gradgradcheck(wrapped, inputs)


# -- behaviour that needs no record ---------------------------------------------------------------

def test_attention_is_softmax_of_scores_mathematics():
    """The definition, written out in NumPy (float64)."""
    rng = rng_for("definition")
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)))
    m = rng.random((4, 6)) < 0.6
    m[:, 0] = True
    s = q @ k.swapaxes(-1, -2) / np.sqrt(5) + np.where(m, 0, -np.inf)
    p = np.exp(s - s.max(-1, keepdims=True))
    want = (p / p.sum(-1, keepdims=True)) @ v
    for f in (lambda a: a, lambda a: a[0]):          # fused 4-D and math 3-D paths
        got = F.scaled_dot_product_attention(*(numtorch.tensor(f(a)) for a in (q, k, v)),
                                             attn_mask=numtorch.tensor(m))
        np.testing.assert_allclose(got.numpy(), f(want), rtol=1e-12, atol=1e-12)


def test_namespaces_and_export():
    assert numtorch.nn.MultiheadAttention is numtorch.nn.modules.activation.MultiheadAttention
    assert numtorch.nn.MultiheadAttention.__module__ == "numtorch.nn.modules.activation"
    assert "scaled_dot_product_attention" in numtorch.nn.functional.__all__
    assert "MultiheadAttention" in numtorch.nn.modules.__all__
    m = numtorch.nn.MultiheadAttention(4, 2)
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(m.out_proj, numtorch.nn.Linear)


def test_merge_masks():
    """merge_masks: the key padding mask alone is type 1; with attn_mask, (N, H, L, L), type 2."""
    m = numtorch.nn.MultiheadAttention(4, 2, batch_first=True)
    q = numtorch.zeros(3, 5, 4)
    kpm = numtorch.zeros(3, 5)
    kpm[1, 4] = float("-inf")
    am = numtorch.nn.Transformer.generate_square_subsequent_mask(5)
    assert m.merge_masks(None, None, q) == (None, None)
    merged, kind = m.merge_masks(None, kpm, q)
    assert kind == 1 and merged is kpm
    merged, kind = m.merge_masks(am, kpm, q)
    assert kind == 2 and tuple(merged.shape) == (3, 2, 5, 5)
    want = np.broadcast_to(am.numpy() + kpm.numpy()[:, None, None, :], (3, 2, 5, 5))
    np.testing.assert_array_equal(merged.numpy(), want)
    torch = torch_or_none()
    if torch is not None:
        t = torch.nn.MultiheadAttention(4, 2, batch_first=True)
        tm, tk = t.merge_masks(torch.tensor(am.numpy()), torch.tensor(kpm.numpy()),
                               torch.zeros(3, 5, 4))
        assert tk == 2
        np.testing.assert_array_equal(tm.numpy(), want)


def test_state_dict_round_trip_to_pytorch(tmp_path):
    """numtorch's MultiheadAttention checkpoint loads into PyTorch and gives its outputs."""
    torch = pytest.importorskip("torch")
    m = numtorch.nn.MultiheadAttention(8, 2, kdim=5, vdim=6, add_bias_kv=True)
    path = str(tmp_path / "mha.pt")
    numtorch.save(m.state_dict(), path)
    t = torch.nn.MultiheadAttention(8, 2, kdim=5, vdim=6, add_bias_kv=True)
    t.load_state_dict(torch.load(path))
    rng = rng_for("round-trip")
    q, k, v = (rng.standard_normal(s).astype("float32")
               for s in ((4, 2, 8), (3, 2, 5), (3, 2, 6)))
    want = t(*(torch.tensor(a) for a in (q, k, v)))[0].detach().numpy()
    got = m(*(numtorch.tensor(a) for a in (q, k, v)))[0].detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
