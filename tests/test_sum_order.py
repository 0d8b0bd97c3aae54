"""float32/float64 sums in PyTorch's CPU addition order (numtorch/ops/_sum_order.py), checked
bit for bit (zero tolerance, sign of zero included) against PyTorch 2.13's answers recorded in
tests/data/sum_order.npz; with torch installed the record is also checked against live PyTorch.

Regenerate the record (torch installed):  python tests/data/regen_sum_order.py
"""
from __future__ import annotations

import functools
import json
import os

import numpy as np
import pytest

from numtorch.ops._sum_order import _reduce, ordered_sum, ordered_sum_1d

RECORD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sum_order.npz")

_F32_LENGTHS = (list(range(1, 97)) + [127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023,
                                     1024, 1025, 2047, 4095, 4096, 8191, 8192, 8193, 10000,
                                     12345, 32767])
_BIG = [32768, 32769, 65536, 65537, 100000, 262145, 1000000]
_DIMS = [((7, 5), (0,)), ((7, 5), (1,)), ((13, 40), (0,)), ((13, 40), (1,)), ((40, 13), (0,)),
         ((40, 13), (1,)), ((100, 33), (0,)), ((33, 100), (1,)), ((300, 70), (0,)),
         ((300, 70), (1,)), ((5000, 9), (0,)), ((17, 300), (1,)), ((600, 3), (0,)),
         ((6, 7, 30), (0, 2)), ((6, 7, 30), (1,)), ((6, 7, 30), (0, 1)), ((6, 7, 30), (1, 2)),
         ((4, 6, 10, 12), (0, 2, 3)), ((4, 6, 10, 12), (1, 3)), ((5, 3, 9, 4), (0, 2))]


def _cases():
    """(name, dtype, shape, dims, keepdim, transposed, threads, seed) for every recorded case."""
    out = []
    for n in _F32_LENGTHS:
        out.append((f"f32 full n={n}", "float32", (n,), None, False, False, 1, n))
    for n in [1, 3, 4, 7, 9, 17, 40, 100, 513, 2000, 9000]:
        out.append((f"f64 full n={n}", "float64", (n,), None, False, False, 1, 7000 + n))
    for n in _BIG:
        for threads in (1, 2, 3):
            out.append((f"f32 full n={n} threads={threads}", "float32", (n,), None, False, False,
                        threads, n + threads))
    out.append(("f64 full n=100000 threads=2", "float64", (100000,), None, False, False, 2, 5))
    for i, (shape, dims) in enumerate(_DIMS):
        for dt in ("float32", "float64"):
            out.append((f"{dt} {shape} dim={dims}", dt, shape, dims, False, False, 1, 100 + i))
    out.append(("float32 (30, 40) keepdim dim=(0,)", "float32", (30, 40), (0,), True, False, 1, 1))
    out.append(("float32 (30, 40) keepdim all", "float32", (30, 40), None, True, False, 1, 2))
    out.append(("float32 (40, 30).T dim=(0,)", "float32", (40, 30), (0,), False, True, 1, 3))
    out.append(("float32 (40, 30).T dim=(1,)", "float32", (40, 30), (1,), False, True, 1, 4))
    return out


CASES = _cases()


def make_input(dtype: str, shape, transposed: bool, seed: int) -> np.ndarray:
    """The case's input: values of one scale (1e-3 .. 1e3, by seed) around an offset."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-3, 3)
    x = (rng.standard_normal(shape) * scale + scale * rng.uniform(-1, 1)).astype(dtype)
    return x.T if transposed else x


def torch_answers(torch) -> dict:
    """PyTorch's sums (and means) for every case, as NumPy arrays."""
    out = {}
    for i, (name, dt, shape, dims, keep, tr, threads, seed) in enumerate(CASES):
        torch.set_num_threads(threads)
        t = torch.from_numpy(make_input(dt, shape, tr, seed))
        if dims is None:
            s, m = (t.sum(), t.mean()) if not keep else (t.sum(tuple(range(t.ndim)), True),
                                                          t.mean(tuple(range(t.ndim)), True))
        else:
            s, m = t.sum(dims, keep), t.mean(dims, keep)
        out[f"sum{i}"], out[f"mean{i}"] = s.numpy().copy(), m.numpy().copy()
    return out


@functools.lru_cache(maxsize=None)
def _record():
    if not os.path.exists(RECORD):
        pytest.fail(f"{RECORD} missing: run tests/data/regen_sum_order.py with torch installed")
    with np.load(RECORD) as f:
        rec = {k: f[k] for k in f.files}
    names = json.loads(str(rec.pop("cases")))
    assert names == [c[0] for c in CASES], "record is stale: run tests/data/regen_sum_order.py"
    return rec


def _ours(i):
    _, dt, shape, dims, keep, tr, threads, seed = CASES[i]
    x = make_input(dt, shape, tr, seed)
    s = ordered_sum(x, dims, keep, threads)
    count = x.size if dims is None else int(np.prod([x.shape[d] for d in dims]))
    return s, s / s.dtype.type(count)


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_sum_bits_equal_pytorch(i):
    rec = _record()
    s, m = _ours(i)
    assert _same_bits(s, rec[f"sum{i}"]), (s, rec[f"sum{i}"])
    assert _same_bits(m, rec[f"mean{i}"]), (m, rec[f"mean{i}"])


def test_record_differs_from_numpy_pairwise():
    """The record is not NumPy's order: for most cases np.add.reduce gives other bits."""
    rec = _record()
    differ = 0
    for i, (_, dt, shape, dims, keep, tr, _, seed) in enumerate(CASES):
        x = make_input(dt, shape, tr, seed)
        differ += not _same_bits(np.asarray(np.add.reduce(x, dims, keepdims=keep)) + 0,
                                 rec[f"sum{i}"])
    assert differ > len(CASES) // 4


def test_zero_sum_is_positive_zero():
    # PyTorch's accumulators start at +0.0: a sum of -0.0s is +0.0 (torch.tensor([-0.]*11).sum())
    x = np.float32([-0.0] * 11)
    assert np.signbit(x[0] + x[1])                 # -0.0 + -0.0 alone would stay -0.0
    assert not np.signbit(ordered_sum(x, None))
    assert not np.signbit(ordered_sum(x.reshape(1, 11), (1,))[0])
    assert not np.signbit(ordered_sum(x[:3], None))
    assert not np.signbit(ordered_sum(x.reshape(11, 1), (0,))[0])


def test_short_runs_follow_the_four_accumulators():
    # n < 8 float32 scalars: accumulators i % 4, leftovers into the first, then 0+1+2+3
    x = np.float32([1e8, 1, 1, 1, -1e8, 3, 5])
    f = np.float32
    want = (((((f(1e8) + f(-1e8)) + f(3)) + f(5)) + f(1)) + f(1)) + f(1)
    assert ordered_sum_1d(x) == want == 11
    assert np.add.reduce(x) != want                 # NumPy's order loses the small terms


@pytest.mark.parametrize("shape", [(9, 1), (9, 2), (1, 9)])
def test_reduce_adds_left_to_right(shape):
    rng = np.random.default_rng(3)
    a = (rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 7, shape)).astype(np.float32)
    want = a[0].copy()
    for row in a[1:]:
        want = want + row
    assert _same_bits(_reduce(a, 0), want)
    assert _same_bits(_reduce(np.ascontiguousarray(a.T), 1), want)


def test_record_matches_live_pytorch():
    torch = pytest.importorskip("torch")
    rec = _record()
    before = torch.get_num_threads()
    try:
        live = torch_answers(torch)
    finally:
        torch.set_num_threads(before)
    bad = [CASES[int(k[3:] if k.startswith("sum") else k[4:])][0] + " " + k[:4]
           for k, v in live.items() if not _same_bits(v, rec[k])]
    assert not bad, bad
