"""Transformers against PyTorch 2.13: ``TransformerEncoderLayer``, ``TransformerEncoder``,
``TransformerDecoderLayer``, ``TransformerDecoder``, ``Transformer``.

PyTorch's answers (outputs, ``grad_fn`` names, gradients of the inputs and of every parameter,
bit-exact initial parameters after ``manual_seed``, training with dropout on (PyTorch's draws),
evaluation through PyTorch's fast path and nested tensors, reprs, ``state_dict`` keys,
construction and mask warnings, errors) are recorded in ``tests/data/transformer.npz`` /
``.json``, so these tests run without torch; with torch installed each record is also checked
against live PyTorch. Regenerate with ``python tests/data/regen_transformer.py``.
"""
from __future__ import annotations

import copy
import hashlib
import os
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.nn.modules import transformer as _transformer
from recorded_parity import DATA, error_of, load_record, rng_for, torch_or_none

RECORD_NPZ = os.path.join(DATA, "transformer.npz")
RECORD_JSON = os.path.join(DATA, "transformer.json")
E = 8


def _t(T, rng, shape, dtype, grad=True):
    return T.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=grad)


def _kpm(T, rng, n, s, dead=False, left=False):
    """A key padding mask (True = padded), never padding the first position (unless ``dead``:
    sequence 1 all padded); ``left``: padding only at the end of each sequence."""
    if left:
        lengths = rng.integers(1, s + 1, n)
        m = np.arange(s)[None, :] >= lengths[:, None]
    else:
        m = rng.random((n, s)) < 0.3
        m[:, 0] = False
    if dead:
        m[1] = True
    return T.tensor(m)


def _causal(T, n, dtype):
    return T.nn.Transformer.generate_square_subsequent_mask(n, dtype=getattr(T, dtype))


def case(ctor, inputs, call=None, mode="train", dtype="float64", seed=None, prepare=None):
    """``ctor`` (an expression on ``T``, built after ``manual_seed(0)``) called on ``inputs``
    (shapes of random tensors, or callables(T, rng, dtype)) with ``call(T, rng, dtype)`` keyword
    arguments. ``mode``: "train", "eval", or "nograd" (eval under no_grad: PyTorch's fast path);
    ``seed``: manual_seed before the call (dropout); ``prepare(T, m)``: changes to the module."""
    def make(T, rng):
        T.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = eval(ctor, {"T": T, "nn": T.nn, "F": T.nn.functional})
        if dtype == "float64":
            m = m.double()
        if prepare is not None:
            with T.no_grad():
                prepare(T, m)
        if mode != "train":
            m.eval()
        grad = mode != "nograd"
        args = [_t(T, rng, s, dtype, grad) for s in inputs]
        kw = call(T, rng, dtype) if call else {}
        if seed is not None:
            T.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if mode == "nograd":
                with T.no_grad():
                    out = m(*args, **kw)
            else:
                out = m(*args, **kw)
        leaves = {f"in{i}": a for i, a in enumerate(args)}
        leaves.update(dict(m.named_parameters()))
        return out, leaves
    return make


_ENC = "nn.TransformerEncoderLayer(8, 2, 16, 0.0"
_DEC = "nn.TransformerDecoderLayer(8, 2, 16, 0.0"

CASES = {
    "enc_layer": case(_ENC + ")", [(5, 3, E)]),
    "enc_layer_batch_first_gelu_norm_first": case(
        _ENC + ", 'gelu', batch_first=True, norm_first=True)", [(3, 5, E)],
        lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5)}),
    "enc_layer_causal": case(_ENC + ", batch_first=True)", [(3, 5, E)],
                             lambda T, r, d: {"src_mask": _causal(T, 5, d), "is_causal": True}),
    "enc_layer_float_masks": case(_ENC + ")", [(5, 3, E)], lambda T, r, d: {
        "src_mask": T.tensor(r.standard_normal((5, 5)).astype(d)),
        "src_key_padding_mask": T.tensor(np.where(r.random((3, 5)) < 0.3, -np.inf, 0)
                                         .astype(d))}),
    "enc_layer_bool_attn_mask": case(_ENC + ", batch_first=True)", [(3, 5, E)], lambda T, r, d: {
        "src_mask": T.tensor(np.triu(np.ones((5, 5), bool), 1))}),
    "enc_layer_callable_no_bias_unbatched": case(
        _ENC + ", T.tanh, layer_norm_eps=1e-3, bias=False)", [(5, E)]),
    "enc_layer_gelu_module": case(_ENC + ", nn.GELU(approximate='tanh'), batch_first=True)",
                                  [(3, 5, E)]),
    "enc_layer_float32": case(_ENC + ", batch_first=True)", [(3, 5, E)],
                              lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5)},
                              dtype="float32"),
    "encoder": case("nn.TransformerEncoder(" + _ENC + ", batch_first=True), 2, nn.LayerNorm(8))",
                    [(3, 5, E)], lambda T, r, d: {"mask": _causal(T, 5, d),
                                                  "src_key_padding_mask": _kpm(T, r, 3, 5)}),
    "encoder_detects_causal": case("nn.TransformerEncoder(" + _ENC + "), 2)", [(5, 3, E)],
                                   lambda T, r, d: {"mask": _causal(T, 5, d)}),
    "encoder_unbatched": case("nn.TransformerEncoder(" + _ENC + ", norm_first=True), 2, "
                              "enable_nested_tensor=False)", [(5, E)]),
    "dec_layer": case(_DEC + ")", [(4, 3, E), (5, 3, E)], lambda T, r, d: {
        "tgt_mask": _causal(T, 4, d), "memory_key_padding_mask": _kpm(T, r, 3, 5)}),
    "dec_layer_batch_first_norm_first_gelu": case(
        _DEC + ", 'gelu', batch_first=True, norm_first=True)", [(3, 4, E), (3, 5, E)],
        lambda T, r, d: {"tgt_key_padding_mask": _kpm(T, r, 3, 4),
                         "memory_mask": T.tensor(r.standard_normal((4, 5)).astype(d))}),
    "dec_layer_tgt_is_causal": case(_DEC + ", batch_first=True)", [(3, 4, E), (3, 5, E)],
                                    lambda T, r, d: {"tgt_mask": _causal(T, 4, d),
                                                     "tgt_is_causal": True}),
    "dec_layer_unbatched_no_bias": case(_DEC + ", bias=False)", [(4, E), (5, E)]),
    "decoder": case("nn.TransformerDecoder(" + _DEC + "), 2, nn.LayerNorm(8))",
                    [(4, 3, E), (5, 3, E)], lambda T, r, d: {"tgt_mask": _causal(T, 4, d)}),
    "transformer": case("nn.Transformer(8, 2, 2, 2, 16, 0.0)", [(5, 3, E), (4, 3, E)],
                        lambda T, r, d: {"tgt_mask": _causal(T, 4, d),
                                         "src_key_padding_mask": _kpm(T, r, 3, 5),
                                         "memory_key_padding_mask": _kpm(T, r, 3, 5),
                                         "tgt_key_padding_mask": _kpm(T, r, 3, 4)}),
    "transformer_batch_first_norm_first": case(
        "nn.Transformer(8, 2, 1, 1, 16, 0.0, 'gelu', batch_first=True, norm_first=True)",
        [(3, 5, E), (3, 4, E)], lambda T, r, d: {"tgt_mask": _causal(T, 4, d),
                                                 "tgt_is_causal": True,
                                                 "src_mask": _causal(T, 5, d)}),
    "transformer_unbatched": case("nn.Transformer(8, 2, 1, 1, 16, 0.0)", [(5, E), (4, E)]),
    "transformer_custom_encoder": case(
        "nn.Transformer(8, 2, 1, 1, 16, 0.0, custom_encoder=nn.TransformerEncoder("
        "nn.TransformerEncoderLayer(8, 4, 12, 0.0), 1))", [(5, 3, E), (4, 3, E)]),
    # evaluation: PyTorch's fast path (no grad) and its nested tensors
    "enc_layer_eval": case(_ENC + ", batch_first=True)", [(3, 5, E)],
                           lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5)},
                           mode="eval"),
    "enc_layer_fast_path": case(_ENC + ", batch_first=True)", [(3, 5, E)],
                                lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5)},
                                mode="nograd", dtype="float32"),
    "enc_layer_fast_path_dead_sequence": case(
        _ENC + ", batch_first=True)", [(3, 5, E)],
        lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5, dead=True)}, mode="nograd"),
    "enc_layer_slow_path_dead_sequence": case(
        _ENC + ", batch_first=True)", [(3, 5, E)],
        lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5, dead=True)}),
    "enc_layer_fast_path_ignores_is_causal": case(_ENC + ", batch_first=True)", [(3, 5, E)],
                                                  lambda T, r, d: {"is_causal": True},
                                                  mode="nograd"),
    "enc_layer_fast_path_tanh_gelu": case(
        _ENC + ", nn.GELU(approximate='tanh'), batch_first=True, norm_first=True)", [(3, 5, E)],
        mode="nograd"),
    "enc_layer_odd_heads_eval": case("nn.TransformerEncoderLayer(8, 1, 16, 0.0, "
                                     "batch_first=True)", [(3, 5, E)],
                                     lambda T, r, d: {"src_key_padding_mask":
                                                      _kpm(T, r, 3, 5, dead=True)},
                                     mode="nograd"),
    "encoder_nested": case("nn.TransformerEncoder(" + _ENC + ", batch_first=True), 2, "
                           "nn.LayerNorm(8))", [(3, 5, E)],
                           lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5, left=True)},
                           mode="nograd", prepare=lambda T, m: m.norm.bias.fill_(0.25)),
    "encoder_nested_dead_sequence": case(
        "nn.TransformerEncoder(" + _ENC + ", batch_first=True), 1)", [(3, 5, E)],
        lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5, dead=True, left=True)},
        mode="nograd"),
    "encoder_not_left_aligned": case(
        "nn.TransformerEncoder(" + _ENC + ", batch_first=True), 2)", [(3, 5, E)],
        lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5)}, mode="nograd"),
    "encoder_nested_disabled": case(
        "nn.TransformerEncoder(" + _ENC + ", batch_first=True), 2, enable_nested_tensor=False)",
        [(3, 5, E)], lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5, left=True)},
        mode="nograd"),
    "transformer_eval": case("nn.Transformer(8, 2, 1, 1, 16, batch_first=True)",
                             [(3, 5, E), (3, 4, E)],
                             lambda T, r, d: {"tgt_mask": _causal(T, 4, d),
                                              "src_key_padding_mask": _kpm(T, r, 3, 5,
                                                                           left=True)},
                             mode="nograd", dtype="float32"),
    # training with dropout: PyTorch's draws, in PyTorch's order
    "encoder_dropout": case("nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.2, "
                            "batch_first=True), 2)", [(3, 5, E)],
                            lambda T, r, d: {"src_key_padding_mask": _kpm(T, r, 3, 5)},
                            dtype="float32", seed=1),
    "enc_layer_dropout_norm_first_gelu": case(
        "nn.TransformerEncoderLayer(8, 2, 16, 0.1, 'gelu', batch_first=True, norm_first=True)",
        [(3, 5, E)], lambda T, r, d: {"src_mask": _causal(T, 5, d), "is_causal": True},
        dtype="float32", seed=2),
    "dec_layer_dropout": case("nn.TransformerDecoderLayer(8, 2, 16, 0.25, batch_first=True)",
                              [(3, 4, E), (3, 5, E)],
                              lambda T, r, d: {"tgt_mask": _causal(T, 4, d)},
                              dtype="float32", seed=3),
    "transformer_dropout": case("nn.Transformer(8, 2, 1, 1, 16, 0.3)", [(5, 3, E), (4, 3, E)],
                                lambda T, r, d: {"tgt_mask": _causal(T, 4, d)},
                                dtype="float32", seed=4),
}


def run_case(T, case_id: str) -> dict:
    rng = rng_for(case_id)
    out, leaves = CASES[case_id](T, rng)
    a = out.detach().numpy().copy()
    res = {"out": a, "facts": [str(out.dtype), list(out.shape),
                               None if out.grad_fn is None else out.grad_fn.name()]}
    if out.requires_grad:
        out.backward(T.tensor(rng.standard_normal(a.shape).astype(a.dtype)))
        for k, t in leaves.items():
            if t.grad is not None:
                res["grad_" + k] = t.grad.numpy().copy()
    return res


# -- construction: reprs, state_dict keys, attributes, init ---------------------------------------

MODULES = [
    "nn.TransformerEncoderLayer(8, 2, 16)",
    "nn.TransformerEncoderLayer(8, 2, activation='gelu', batch_first=True)",
    "nn.TransformerEncoderLayer(8, 2, 16, activation=nn.GELU())",
    "nn.TransformerEncoderLayer(8, 2, 16, 0.2, F.gelu, 1e-6, True, True, False)",
    "nn.TransformerDecoderLayer(8, 2, 16, norm_first=True, bias=False)",
    "nn.TransformerDecoderLayer(8, 2, 16, activation=nn.ReLU())",
    "nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, nn.LayerNorm(8), "
    "enable_nested_tensor=False)",
    "nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), 2)",
    "nn.Transformer(8, 2, 1, 1, 16)",
    "nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, "
    "dim_feedforward=16, batch_first=True, bias=False)",
]

_ATTRS = ("norm_first", "activation_relu_or_gelu", "num_layers", "enable_nested_tensor",
          "use_nested_tensor", "mask_check", "d_model", "nhead", "batch_first")


def _module_facts(T, ctor: str) -> tuple:
    T.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = eval(ctor, {"T": T, "nn": T.nn, "F": T.nn.functional})
    state = m.state_dict()
    attrs = {k: getattr(m, k) for k in _ATTRS if k in vars(m)}
    act = getattr(m, "activation", None)
    if act is not None:
        attrs["activation"] = getattr(act, "__name__", type(act).__name__)
    digests = {k: hashlib.sha256(np.ascontiguousarray(v.numpy()).tobytes()).hexdigest()
               for k, v in state.items()}
    return repr(m), list(state.keys()), attrs, digests


# -- warnings and errors --------------------------------------------------------------------------

def _warned(T, expr):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eval(expr, {"T": T, "nn": T.nn, "F": T.nn.functional})
    return [[w.category.__name__, str(w.message), os.path.basename(w.filename)]
            for w in caught]


_L = "nn.TransformerEncoderLayer(8, 2, 16"
WARNINGS = {
    "default": "nn.TransformerEncoder(" + _L + "), 2)",
    "batch_first": "nn.TransformerEncoder(" + _L + ", batch_first=True), 2)",
    "disabled": "nn.TransformerEncoder(" + _L + "), 2, enable_nested_tensor=False)",
    "norm_first": "nn.TransformerEncoder(" + _L + ", batch_first=True, norm_first=True), 1)",
    "no_bias": "nn.TransformerEncoder(" + _L + ", batch_first=True, bias=False), 1)",
    "callable": "nn.TransformerEncoder(" + _L + ", activation=T.tanh, batch_first=True), 1)",
    "gelu_module": "nn.TransformerEncoder(" + _L + ", activation=nn.GELU(), batch_first=True), 1)",
    "odd_heads": "nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 1, 16, batch_first=True), 1)",
    "not_a_layer": "nn.TransformerEncoder(nn.Linear(2, 2), 2)",
    "transformer": "nn.Transformer(8, 2, 1, 1, 16)",
    "transformer_batch_first": "nn.Transformer(8, 2, 1, 1, 16, batch_first=True)",
    "mismatched_masks": "nn.TransformerEncoderLayer(8, 2, 16)(T.ones(5, 3, 8), "
                        "src_mask=T.zeros(5, 5), src_key_padding_mask=T.zeros(3, 5).bool())",
    "mismatched_encoder_masks": "nn.TransformerEncoder(" + _L + "), 1, enable_nested_tensor="
                                "False)(T.ones(5, 3, 8), mask=T.zeros(5, 5).bool(), "
                                "src_key_padding_mask=T.zeros(3, 5))",
}


def _eps_mismatch(T):
    layer = T.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    layer.norm2.eps = 1e-3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        T.nn.TransformerEncoder(layer, 1)
    return [[w.category.__name__, str(w.message)] for w in caught]


def _x(T, *shape):
    return T.ones(*shape)


ERRORS = {
    "activation_string": lambda T: T.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    "decoder_activation_string": lambda T: T.nn.TransformerDecoderLayer(8, 2, activation="silu"),
    "not_divisible": lambda T: T.nn.TransformerEncoderLayer(8, 3),
    "batch_mismatch": lambda T: T.nn.Transformer(8, 2, 1, 1, 16)(_x(T, 5, 3, 8), _x(T, 4, 2, 8)),
    "batch_mismatch_batch_first": lambda T: T.nn.Transformer(8, 2, 1, 1, 16, batch_first=True)(
        _x(T, 3, 5, 8), _x(T, 2, 4, 8)),
    "feature_mismatch": lambda T: T.nn.Transformer(8, 2, 1, 1, 16)(_x(T, 5, 3, 6),
                                                                   _x(T, 4, 3, 6)),
    "is_causal_without_mask": lambda T: T.nn.TransformerEncoderLayer(8, 2, 16)(
        _x(T, 5, 3, 8), is_causal=True),
    "long_padding_mask": lambda T: T.nn.TransformerEncoderLayer(8, 2, 16)(
        _x(T, 5, 3, 8), src_key_padding_mask=T.zeros(3, 5, dtype=T.int64)),
    "encoder_long_mask": lambda T: T.nn.TransformerEncoder(
        T.nn.TransformerEncoderLayer(8, 2, 16), 1, enable_nested_tensor=False)(
        _x(T, 5, 3, 8), mask=T.zeros(5, 5, dtype=T.int64)),
    "memory_dim": lambda T: T.nn.TransformerDecoderLayer(8, 2, 16)(_x(T, 4, 3, 8),
                                                                   _x(T, 5, 3, 6)),
    "src_mask_shape": lambda T: T.nn.TransformerEncoderLayer(8, 2, 16)(
        _x(T, 5, 3, 8), src_mask=T.zeros(4, 4)),
}


def _masks(T):
    return [[str(m.dtype), m.numpy().tolist()] for m in (
        T.nn.Transformer.generate_square_subsequent_mask(3),
        T.nn.Transformer.generate_square_subsequent_mask(2, dtype=T.float64),
        T.nn.Transformer.generate_square_subsequent_mask(1))]


def _nested_warning(T):
    """The warning PyTorch gives (once per process) when the encoder packs a nested tensor."""
    m = T.nn.TransformerEncoder(T.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)
    m.eval()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with T.no_grad():
            m(T.ones(2, 3, 8), src_key_padding_mask=T.tensor([[False, False, True]] * 2))
    return [[w.category.__name__, str(w.message)] for w in caught]


# -- the record -----------------------------------------------------------------------------------

def regenerate() -> tuple:
    """PyTorch's answers: (arrays for the .npz, facts for the .json)."""
    import torch
    facts = {"nested_warning": _nested_warning(torch)}     # first: PyTorch warns once
    arrays = {}
    facts.update({"cases": {}, "modules": {}, "warnings": {}, "errors": {}})
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = res.pop("facts")
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for ctor in MODULES:
        r, keys, attrs, digests = _module_facts(torch, ctor)
        facts["modules"][ctor] = {"repr": r, "keys": keys, "attrs": attrs, "sha256": digests}
    for cid, expr in WARNINGS.items():
        facts["warnings"][cid] = _warned(torch, expr)
    facts["warnings"]["eps_mismatch"] = _eps_mismatch(torch)
    for cid in ERRORS:
        facts["errors"][cid] = error_of(ERRORS[cid], torch)
    facts["square_masks"] = _masks(torch)
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    return load_record(RECORD_NPZ, RECORD_JSON)


def _compare(got: dict, arrays: dict, case_id: str) -> list:
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(k for k in got if k != "facts") == keys
    for k in keys:
        want = arrays[f"{case_id}/{k}"]
        if k.startswith("init_"):
            np.testing.assert_array_equal(got[k], want, err_msg=k)
        elif want.dtype == np.float64:
            np.testing.assert_allclose(got[k], want, rtol=1e-9, atol=1e-10, err_msg=k,
                                       equal_nan=True)
        else:
            np.testing.assert_allclose(got[k], want, rtol=1e-4, atol=2e-5, err_msg=k,
                                       equal_nan=True)
    return keys


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    got = run_case(numtorch, case_id)
    assert got["facts"] == facts["cases"][case_id]
    keys = _compare(got, arrays, case_id)
    assert any(k.startswith("grad_") for k in keys) == (got["facts"][2] is not None)
    torch = torch_or_none()
    if torch is not None:
        live = run_case(torch, case_id)
        assert live["facts"] == facts["cases"][case_id]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-7,
                                       equal_nan=True)


def test_fast_path_answers_recorded(record):
    """What PyTorch's evaluation fast path does differently is in the record: NaN for a query
    whose keys are all padded, zeros (then the final norm) at a nested tensor's padding."""
    arrays = record[0]
    dead = arrays["enc_layer_fast_path_dead_sequence/out"]
    assert np.isnan(dead[1]).all() and not np.isnan(dead[[0, 2]]).any()
    assert not np.isnan(arrays["enc_layer_slow_path_dead_sequence/out"]).any()
    nested = arrays["encoder_nested/out"]
    rng = rng_for("encoder_nested")
    rng.standard_normal((3, 5, E))
    padded = _kpm(numtorch, rng, 3, 5, left=True).numpy()
    assert padded.any()
    np.testing.assert_array_equal(nested[padded], 0.25)


@pytest.mark.parametrize("ctor", MODULES)
def test_repr_state_dict_and_init(ctor, record):
    """Repr, state_dict keys, attributes, and every initial value bit for bit (SHA-256 of the
    bytes PyTorch initialised after manual_seed(0))."""
    facts = record[1]
    r, keys, attrs, digests = _module_facts(numtorch, ctor)
    want = facts["modules"][ctor]
    assert (r, keys, attrs) == (want["repr"], want["keys"], want["attrs"])
    assert digests == want["sha256"]
    torch = torch_or_none()
    if torch is not None:
        assert _module_facts(torch, ctor)[:3] == (r, keys, attrs)


@pytest.mark.parametrize("case_id", list(WARNINGS))
def test_warnings(case_id, record):
    want = record[1]["warnings"][case_id]
    got = _warned(numtorch, WARNINGS[case_id])
    # the file a warning points at: the caller's (this test) or PyTorch's / numtorch's
    # transformer.py (inside Transformer.__init__)
    assert [w[:2] for w in got] == [w[:2] for w in want]
    assert [w[2] == "transformer.py" for w in got] == [w[2] == "transformer.py" for w in want]


def test_eps_mismatch_warning(record):
    assert _eps_mismatch(numtorch) == record[1]["warnings"]["eps_mismatch"]


def test_nested_tensor_warning_once(record):
    _transformer._NESTED_WARNED[0] = False
    assert _nested_warning(numtorch) == record[1]["nested_warning"]
    assert _nested_warning(numtorch) == []               # once per process, as PyTorch


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(ERRORS[case_id], numtorch)
    assert want is not None and got == want, (got, want)
    torch = torch_or_none()
    if torch is not None:
        assert error_of(ERRORS[case_id], torch) == want


def test_generate_square_subsequent_mask(record):
    assert _masks(numtorch) == record[1]["square_masks"]


# -- behaviour that needs no record ---------------------------------------------------------------

def test_layers_are_independent_deep_copies():
    layer = numtorch.nn.TransformerEncoderLayer(8, 2, 16)
    enc = numtorch.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    assert len(enc.layers) == 3 and len({id(m) for m in enc.layers}) == 3
    w = [m.linear1.weight for m in enc.layers]
    assert all(x is not layer.linear1.weight for x in w)
    assert all(np.array_equal(x.detach().numpy(), layer.linear1.weight.detach().numpy())
               for x in w)
    with numtorch.no_grad():
        enc.layers[0].linear1.weight.add_(1)
    assert not np.array_equal(enc.layers[0].linear1.weight.detach().numpy(),
                              w[1].detach().numpy())


def test_transformer_reinitialises_matrices_only():
    """Every >1-dim parameter is xavier-uniform; vectors keep their module init (mathematics:
    the xavier bound is sqrt(6 / (fan_in + fan_out)))."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = numtorch.nn.Transformer(8, 2, 1, 1, 16)
    for name, p in model.named_parameters():
        a = p.detach().numpy()
        if p.dim() > 1:
            bound = np.sqrt(6.0 / sum(p.shape[:2]))
            assert np.abs(a).max() <= bound, name
        elif name.endswith("norm1.weight"):
            assert (a == 1).all()


def test_dropout_draws_follow_memory_order():
    """PyTorch's dropout fills its mask in the input's memory order (a transposed input draws
    as its contiguous original): why batch_first layers match PyTorch with dropout on."""
    numtorch.manual_seed(3)
    a = numtorch.nn.functional.dropout(numtorch.ones(3, 4).t(), 0.5)
    numtorch.manual_seed(3)
    b = numtorch.nn.functional.dropout(numtorch.ones(3, 4), 0.5).t()
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert 0 < (a.numpy() == 0).sum() < 12


_TINY = {"post_norm": {}, "norm_first_gelu": {"norm_first": True, "activation": "gelu"}}


@pytest.mark.parametrize("case_id", list(_TINY))
def test_encoder_layer_gradcheck_and_gradgradcheck(case_id):
    numtorch.manual_seed(0)
    layer = numtorch.nn.TransformerEncoderLayer(4, 2, 6, 0.0, **_TINY[case_id]).double()
    rng = rng_for("tiny-" + case_id)
    x = numtorch.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    mask = numtorch.nn.Transformer.generate_square_subsequent_mask(3, dtype=numtorch.float64)
    fn = (lambda x: layer(x, src_mask=mask))
    assert numtorch.autograd.gradcheck(fn, (x,))
    assert numtorch.autograd.gradgradcheck(fn, (x,))


def test_checkpoint_round_trip_with_pytorch(tmp_path):
    """A numtorch Transformer's state_dict loads into PyTorch's and gives its outputs."""
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = numtorch.nn.Transformer(8, 2, 1, 1, 16, batch_first=True).eval()
        t = torch.nn.Transformer(8, 2, 1, 1, 16, batch_first=True).eval()
    path = str(tmp_path / "transformer.pt")
    numtorch.save(m.state_dict(), path)
    t.load_state_dict(torch.load(path))
    rng = rng_for("checkpoint")
    src, tgt = (rng.standard_normal(s).astype("float32") for s in ((2, 5, 8), (2, 4, 8)))
    want = t(torch.tensor(src), torch.tensor(tgt)).detach().numpy()
    got = m(numtorch.tensor(src), numtorch.tensor(tgt)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_deepcopy_of_a_trained_layer_keeps_values():
    layer = numtorch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    clone = copy.deepcopy(layer)
    for (n, a), (_, b) in zip(layer.named_parameters(), clone.named_parameters()):
        assert a is not b and np.array_equal(a.detach().numpy(), b.detach().numpy()), n
