"""``torch.nn.utils.rnn`` against PyTorch 2.13: ``pad_sequence``, ``pack_padded_sequence``,
``pad_packed_sequence``, ``pack_sequence``, ``unpad_sequence``, ``unpack_sequence`` and
``PackedSequence``.

PyTorch's answers (values, dtypes, shapes, ``grad_fn`` names, the gradients reaching each input,
batch sizes and sort permutations, reprs, error types and messages) are recorded in
``tests/data/rnn_utils.npz`` / ``rnn_utils.json``, so these tests run without torch; with torch
installed each record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_rnn_utils.py``.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import numtorch
from recorded_parity import DATA, error_of, load_record, rng_for, torch_or_none

RECORD_NPZ = os.path.join(DATA, "rnn_utils.npz")
RECORD_JSON = os.path.join(DATA, "rnn_utils.json")

LENGTHS = (3, 5, 1, 4)


def _seqs(T, rng, lengths=LENGTHS, trail=(2,), dtype="float32", grad=True):
    return [T.tensor(rng.standard_normal((n,) + trail).astype(dtype), requires_grad=grad)
            for n in lengths]


def _u(T):
    return T.nn.utils.rnn


def _packed_fields(out: dict, p) -> dict:
    out["data"] = p.data
    out["batch_sizes"] = p.batch_sizes
    if p.sorted_indices is not None:
        out["sorted_indices"] = p.sorted_indices
        out["unsorted_indices"] = p.unsorted_indices
    return out


def pad_case(batch_first=False, value=0.0, side="right", lengths=LENGTHS, trail=(2,)):
    def make(T, rng):
        seqs = _seqs(T, rng, lengths, trail)
        out = _u(T).pad_sequence(seqs, batch_first=batch_first, padding_value=value,
                                 padding_side=side)
        return {"out": out}, dict(enumerate(seqs))
    return make


def pack_case(batch_first=False, sorted_=False, lengths=LENGTHS, as_tensor=False):
    def make(T, rng):
        lens = sorted(lengths, reverse=True) if sorted_ else list(lengths)
        seqs = _seqs(T, rng, lens)
        padded = _u(T).pad_sequence(seqs, batch_first=batch_first)
        arg = T.tensor(lens) if as_tensor else lens
        p = _u(T).pack_padded_sequence(padded, arg, batch_first=batch_first,
                                       enforce_sorted=sorted_)
        return _packed_fields({}, p), dict(enumerate(seqs))
    return make


def roundtrip_case(batch_first=False, sorted_=False, value=0.0, total=None):
    def make(T, rng):
        lens = sorted(LENGTHS, reverse=True) if sorted_ else list(LENGTHS)
        seqs = _seqs(T, rng, lens)
        p = _u(T).pack_sequence(seqs, enforce_sorted=sorted_)
        out, lengths = _u(T).pad_packed_sequence(p, batch_first=batch_first, padding_value=value,
                                                 total_length=total)
        return {"out": out, "lengths": lengths}, dict(enumerate(seqs))
    return make


def unpack_case(unpad=False, batch_first=False):
    def make(T, rng):
        seqs = _seqs(T, rng)
        if unpad:
            padded = _u(T).pad_sequence(seqs, batch_first=batch_first)
            parts = _u(T).unpad_sequence(padded, T.tensor(LENGTHS), batch_first=batch_first)
        else:
            parts = _u(T).unpack_sequence(_u(T).pack_sequence(seqs, enforce_sorted=False))
        return {f"part{i}": p for i, p in enumerate(parts)}, dict(enumerate(seqs))
    return make


def lstm_case(sorted_=False):
    """An LSTM over packed sequences, padded back: PyTorch's per-sequence outputs."""
    def make(T, rng):
        seqs = _seqs(T, rng, trail=(3,))
        T.manual_seed(0)
        m = T.nn.LSTM(3, 4, batch_first=True)
        p = _u(T).pack_sequence(seqs if not sorted_ else sorted(seqs, key=len, reverse=True),
                                enforce_sorted=sorted_)
        out, (h, c) = m(p)
        padded, lengths = _u(T).pad_packed_sequence(out, batch_first=True)
        return {"out": padded, "lengths": lengths, "h": h, "c": c}, dict(enumerate(seqs))
    return make


CASES = {
    "pad": pad_case(),
    "pad_batch_first": pad_case(batch_first=True),
    "pad_value_left": pad_case(value=-1.5, side="left"),
    "pad_batch_first_left": pad_case(batch_first=True, side="left"),
    "pad_3d": pad_case(trail=(2, 3), lengths=(2, 4)),
    "pad_1d": pad_case(trail=(), lengths=(3, 1, 2)),
    "pack_sorted": pack_case(sorted_=True),
    "pack_sorted_tensor_lengths": pack_case(sorted_=True, as_tensor=True),
    "pack_unsorted": pack_case(),
    "pack_unsorted_batch_first": pack_case(batch_first=True, as_tensor=True),
    "pack_ties": pack_case(lengths=(3, 5, 3, 5, 1)),
    "roundtrip": roundtrip_case(),
    "roundtrip_sorted": roundtrip_case(sorted_=True),
    "roundtrip_batch_first": roundtrip_case(batch_first=True, value=9.0),
    "roundtrip_sorted_batch_first_total": roundtrip_case(batch_first=True, sorted_=True, total=7),
    "roundtrip_total": roundtrip_case(total=6, value=-2.0),
    "unpack": unpack_case(),
    "unpad": unpack_case(unpad=True),
    "unpad_batch_first": unpack_case(unpad=True, batch_first=True),
    "lstm_packed": lstm_case(),
    "lstm_packed_sorted": lstm_case(sorted_=True),
}


def run_case(T, case_id: str) -> dict:
    rng = rng_for(case_id)
    outs, leaves = CASES[case_id](T, rng)
    res = {"names": {k: None if v.grad_fn is None else v.grad_fn.name() for k, v in outs.items()},
           "dtypes": {k: str(v.dtype) for k, v in outs.items()},
           "shapes": {k: list(v.shape) for k, v in outs.items()}}
    loss = 0
    for k, v in outs.items():
        res[k] = v.detach().numpy().copy()
        if v.requires_grad:
            g = rng.standard_normal(tuple(v.shape)).astype(res[k].dtype)
            loss = loss + (v * T.tensor(g)).sum()
    loss.backward()
    for k, t in leaves.items():
        res[f"grad_{k}"] = t.grad.numpy().copy()
    return res


_FACTS = ("names", "dtypes", "shapes")


def _o(T, *shape):
    return T.ones(*shape)


ERRORS = {
    "padding_side": lambda T: _u(T).pad_sequence([_o(T, 2)], padding_side="middle"),
    "empty_list": lambda T: _u(T).pad_sequence([]),
    "trailing_dims": lambda T: _u(T).pad_sequence([_o(T, 3, 2), _o(T, 2, 3)]),
    "unsorted": lambda T: _u(T).pack_sequence([_o(T, 1, 2), _o(T, 3, 2)]),
    "unsorted_padded": lambda T: _u(T).pack_padded_sequence(_o(T, 5, 3, 2), [5, 0, 1]),
    "zero_length": lambda T: _u(T).pack_padded_sequence(_o(T, 5, 3, 2), [5, 1, 0]),
    "lengths_count": lambda T: _u(T).pack_padded_sequence(_o(T, 5, 3, 2), [5, 2, 1, 1]),
    "lengths_2d": lambda T: _u(T).pack_padded_sequence(_o(T, 5, 3, 2), T.tensor([[5, 2, 1]])),
    "input_1d": lambda T: _u(T).pack_padded_sequence(_o(T, 5), [5]),
    "empty_tensor": lambda T: _u(T).pack_sequence([_o(T, 0, 2)]),
    "total_length": lambda T: _u(T).pad_packed_sequence(
        _u(T).pack_sequence([_o(T, 5, 2)]), total_length=3),
    "unpad_list_lengths": lambda T: _u(T).unpad_sequence(_o(T, 3, 2), [3, 1]),
    "packed_no_batch_sizes": lambda T: _u(T).PackedSequence(_o(T, 3, 2)),
}


def _packed_facts(T) -> dict:
    u = _u(T)
    p = u.pack_sequence([T.tensor([1.0, 2.0]), T.tensor([3.0])])
    q = u.pack_sequence([T.tensor([1.0]), T.tensor([2.0, 3.0])], enforce_sorted=False)
    d = q.to(T.float64)
    r = u.PackedSequence(T.tensor([1.0, 2.0, 3.0]), T.tensor([2, 1]), T.tensor([1, 0]))
    s = u.PackedSequence((T.tensor([1.0, 2.0]), T.tensor([1, 1])))
    return {"repr": repr(p), "repr_unsorted": repr(q), "fields": list(p._fields),
            "is_tuple": isinstance(p, tuple), "len": len(p), "same_to": p.to(T.float32) is p,
            "same_float": p.float() is p, "to_type": type(d).__name__,
            "to_dtype": str(d.data.dtype),
            "to_indices": d.sorted_indices.tolist(), "double": str(p.double().data.dtype),
            "is_cuda": p.is_cuda, "made_unsorted": r.unsorted_indices.tolist(),
            "from_tuple": [s.data.tolist(), s.batch_sizes.tolist(), s.sorted_indices],
            "invert": u.invert_permutation(T.tensor([2, 0, 3, 1])).tolist(),
            "invert_none": u.invert_permutation(None),
            "pad_tensor": list(u.pad_sequence(T.ones(3, 4, 2)).shape),
            "pad_ints": u.pad_sequence([T.tensor([1, 2]), T.tensor([3])]).tolist(),
            "pad_ints_dtype": str(u.pad_sequence([T.tensor([1, 2]), T.tensor([3])]).dtype),
            "batch_sizes_dtype": str(p.batch_sizes.dtype),
            "float_lengths": u.pack_padded_sequence(T.ones(3, 2, 1), [3.0, 2]).batch_sizes.tolist(),
            "mixed_dtypes": str(u.pad_sequence([T.ones(2, dtype=T.float32),
                                                T.ones(1, dtype=T.float64)]).dtype)}


def regenerate() -> tuple:
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "packed": _packed_facts(torch)}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in _FACTS}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(ERRORS[cid], torch)
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
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(got) == keys
    for k in keys:
        want_a = arrays[f"{case_id}/{k}"]
        if want_a.dtype.kind in "iub" or not case_id.startswith("lstm"):
            np.testing.assert_array_equal(got[k], want_a, err_msg=k)     # pure data movement
        else:
            np.testing.assert_allclose(got[k], want_a, rtol=1e-4, atol=2e-5, err_msg=k)
    torch = torch_or_none()
    if torch is not None:
        live = run_case(torch, case_id)
        assert [live.pop(k) for k in _FACTS] == [want[k] for k in _FACTS]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(ERRORS[case_id], numtorch)
    assert want is not None and got == want
    torch = torch_or_none()
    if torch is not None:
        assert error_of(ERRORS[case_id], torch) == want


def test_packed_sequence(record):
    want = record[1]["packed"]
    assert _packed_facts(numtorch) == want
    torch = torch_or_none()
    if torch is not None:
        assert _packed_facts(torch) == want


def test_gradcheck_pack_and_pad():
    """float64 numeric gradients through pack -> pad (no torch)."""
    u = numtorch.nn.utils.rnn
    rng = rng_for("gradcheck")
    seqs = tuple(numtorch.tensor(rng.standard_normal((n, 2)), requires_grad=True) for n in (2, 3))

    def fn(a, b):
        p = u.pack_sequence([a, b], enforce_sorted=False)
        return u.pad_packed_sequence(p, batch_first=True, padding_value=1.0)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert numtorch.autograd.gradcheck(fn, seqs)
        assert numtorch.autograd.gradgradcheck(fn, seqs)
