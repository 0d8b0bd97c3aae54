"""``torch.multinomial`` / ``Tensor.multinomial``: PyTorch 2.13's CPU numbers, bit for bit.

Every case runs through ``run_case(lib, case)``, which works with ``numtorch`` and with
``torch`` alike.  The answers PyTorch gave are recorded in ``tests/data/multinomial.json``
(regenerate with ``python tests/data/regen_multinomial.py``, torch installed), so the
tests run without torch; when torch is installed they also check the record still equals
live PyTorch.  A case records the sampled indices and the next ``torch.rand(3)`` (the
generator state afterwards), or the exception type and message (and the state after it).
Each case checks its own record against live PyTorch when torch is installed (no test skips
without torch).
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import numtorch
from numtorch import _random_ops as R
from _oracle import live_torch

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "data", "multinomial.json")


def _load():
    with open(RECORD, encoding="utf-8") as f:
        return json.load(f)


DATA = _load() if os.path.exists(RECORD) else {"cases": [], "errors": [], "topk": []}


# ----------------------------------------------------------------------------
# generator states with chosen next words (to hit a cumulative-distribution value exactly)
# ----------------------------------------------------------------------------
def _untemper(y: int) -> int:
    """The MT19937 state word whose tempered output is ``y``."""
    y ^= y >> 18
    y ^= (y << 15) & 0xEFC60000
    r = y
    for _ in range(5):
        r = y ^ ((r << 7) & 0x9D2C5680)
    y = r & 0xFFFFFFFF
    r = y
    for _ in range(3):
        r = y ^ (r >> 11)
    return r & 0xFFFFFFFF


def u53_words(us) -> list:
    """The 32-bit words that make ``U53`` draws (spec §2.1) come out as ``us``."""
    words = []
    for x in us:
        m = int(x * 2.0 ** 53)
        assert m * 2.0 ** -53 == x, x
        words += [(m >> 32) & 0x1FFFFF, m & 0xFFFFFFFF]
    return words


def crafted_state(words) -> np.ndarray:
    """A 5056-byte CPU generator state (spec §1.5) whose next outputs are ``words``."""
    bg = np.random.MT19937()
    bg._legacy_seeding(123)
    key = np.array(bg.state["state"]["key"], np.uint64)
    for i, w in enumerate(words):
        key[1 + i] = _untemper(int(w))
    buf = np.zeros(5056, np.uint8)
    buf[0:8] = np.frombuffer(np.array([123], "<u8").tobytes(), np.uint8)
    buf[8:16] = np.frombuffer(np.array([624, 1], "<i4").tobytes(), np.uint8)   # left, seeded
    buf[16:24] = np.frombuffer(np.array([1], "<u8").tobytes(), np.uint8)       # next
    buf[24:5016] = np.frombuffer(key.astype("<u8").tobytes(), np.uint8)
    return buf


# ----------------------------------------------------------------------------
# running a case with either library
# ----------------------------------------------------------------------------
def weights(case) -> np.ndarray:
    w = case["weights"]
    dt = np.dtype(case["dtype"])
    if isinstance(w, dict):                      # sparse: shape + [row, col, value]
        a = np.zeros(w["shape"], dt)
        for r, c, v in w["nonzero"]:
            if a.ndim == 1:
                a[c] = v
            else:
                a[r, c] = v
        return a
    return np.array(w, dt)


def run_case(lib, case):
    """(indices as a list, next ``rand(3)`` as a list) for a recorded case."""
    w = weights(case)
    if case.get("transpose"):
        x = lib.tensor(np.ascontiguousarray(w.T)).t()          # non-contiguous input
    elif case.get("view") == "sliced-transpose":             # w is every other row of a t()
        big = np.zeros((w.shape[1], 2 * w.shape[0]), w.dtype)
        big[:, ::2] = w.T
        x = lib.tensor(big).t()[::2]
    else:
        x = lib.tensor(w)
    g = None
    if "words" in case:
        state = lib.tensor(crafted_state(case["words"]))
        if case.get("generator"):
            g = lib.Generator()
            g.set_state(state)
        else:
            lib.set_rng_state(state)
    elif case.get("generator"):
        g = lib.Generator().manual_seed(case["seed"])
    else:
        lib.manual_seed(case["seed"])
    n, rep = case["n"], case["replacement"]
    if case.get("method"):
        r = x.multinomial(n, rep, generator=g) if rep else x.multinomial(n, generator=g)
    elif case.get("out"):
        o = lib.empty(0, dtype=lib.int64)
        r = lib.multinomial(x, n, rep, generator=g, out=o)
        assert r is o
    else:
        r = lib.multinomial(x, num_samples=n, replacement=rep, generator=g)
    assert r.dtype == lib.int64 and not r.requires_grad
    assert tuple(r.shape) == tuple(w.shape[:-1]) + (n,)
    return r.tolist(), lib.rand(3, generator=g).tolist()


def run_error(lib, case):
    """(exception type name, message, next ``rand(1)``) for a recorded error case."""
    lib.manual_seed(0)
    if "ones" in case:
        x = lib.ones(*case["ones"], dtype=getattr(lib, case.get("dtype", "float32")))
    elif case.get("as_list"):
        x = case["weights"]
    else:
        x = lib.tensor(case["weights"], dtype=getattr(lib, case.get("dtype", "float32")))
    kw = {}
    if "out_dtype" in case:
        kw["out"] = lib.empty(2, dtype=getattr(lib, case["out_dtype"]))
    if "generator" in case:
        kw["generator"] = case["generator"]
    try:
        lib.multinomial(x, case["n"], case["replacement"], **kw)
        got = ("ok", "")
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        got = (type(e).__name__, str(e))
    return got[0], got[1], lib.rand(1).item()


def topk_keys(case) -> np.ndarray:
    """A topk case's keys: small integers stored as a digit string, as float32."""
    return np.array([int(c) for c in case["keys"]], np.float32)


def _id(case):
    return case["id"]


# ----------------------------------------------------------------------------
# against the record (no torch needed)
# ----------------------------------------------------------------------------
def test_record_is_big_enough():
    assert len(DATA["cases"]) >= 40 and len(DATA["errors"]) >= 25 and len(DATA["topk"]) >= 20
    kinds = {(c["dtype"], c["replacement"], isinstance(c["weights"], dict) or
              any(v == 0 for v in np.ravel(weights(c)))) for c in DATA["cases"]}
    assert {("float32", False, True), ("float64", True, True), ("float64", False, False),
            ("float32", True, False)} <= kinds
    assert any(c.get("generator") for c in DATA["cases"])
    assert any(c.get("words") for c in DATA["cases"])


@pytest.mark.parametrize("case", DATA["cases"], ids=_id)
def test_matches_recorded_pytorch(case):
    torch = live_torch()
    if torch is not None:                        # the record still equals live PyTorch
        assert run_case(torch, case) == (case["result"], case["next"]), "record is stale"
    result, nxt = run_case(numtorch, case)
    assert result == case["result"]
    assert nxt == case["next"]


@pytest.mark.parametrize("case", DATA["errors"], ids=_id)
def test_errors_match_recorded_pytorch(case):
    torch = live_torch()
    if torch is not None:
        assert run_error(torch, case) == (case["exc"], case["msg"], case["next"]), "record is stale"
    assert run_error(numtorch, case) == (case["exc"], case["msg"], case["next"])


@pytest.mark.parametrize("case", DATA["topk"], ids=_id)
def test_tie_order_matches_recorded_topk(case):
    """Equal keys come out in PyTorch's CPU topk order (its libstdc++ partial_sort/nth_element)."""
    torch = live_torch()
    if torch is not None:
        got = torch.topk(torch.from_numpy(topk_keys(case)), case["k"]).indices.tolist()
        assert got == case["indices"], "record is stale"
    assert R._topk_order(topk_keys(case), case["k"]) == case["indices"]


# ----------------------------------------------------------------------------
# properties from the mathematics (no record)
# ----------------------------------------------------------------------------
def test_with_replacement_frequencies_follow_the_weights():
    rng = np.random.default_rng(11)
    w = np.array([1.0, 2.0, 0.0, 3.0, 4.0])
    g = numtorch.Generator().manual_seed(int(rng.integers(2 ** 31)))
    n = 200_000
    s = numtorch.multinomial(numtorch.tensor(w), n, True, generator=g).numpy()
    counts = np.bincount(s, minlength=5)
    p = w / w.sum()
    assert counts[2] == 0
    assert np.all(np.abs(counts - n * p) <= 5 * np.sqrt(n * p * (1 - p)) + 1e-9)


def test_without_replacement_first_draw_follows_the_weights_and_rows_are_distinct():
    rng = np.random.default_rng(12)
    w = np.array([0.5, 0.0, 2.0, 1.5, 1.0], np.float32)
    rows = 40_000
    g = numtorch.Generator().manual_seed(int(rng.integers(2 ** 31)))
    s = numtorch.multinomial(numtorch.tensor(np.tile(w, (rows, 1))), 3, generator=g).numpy()
    assert all(len(set(r)) == 3 for r in s[:500].tolist())
    assert not (s == 1).any()                    # a zero weight is never drawn while others remain
    counts = np.bincount(s[:, 0], minlength=5)
    p = w / w.sum()
    assert np.all(np.abs(counts - rows * p) <= 5 * np.sqrt(rows * p * (1 - p)) + 1e-9)


def test_explicit_generator_leaves_global_stream_alone():
    rng = np.random.default_rng(13)
    w = numtorch.tensor(rng.random((3, 6)))
    numtorch.manual_seed(5)
    expected = numtorch.rand(4).tolist()
    numtorch.manual_seed(5)
    g = numtorch.Generator().manual_seed(5)
    a = numtorch.multinomial(w, 4, generator=g)
    assert numtorch.rand(4).tolist() == expected
    numtorch.manual_seed(5)
    assert numtorch.multinomial(w, 4).tolist() == a.tolist()


def test_method_and_function_agree_and_no_grad():
    rng = np.random.default_rng(14)
    w = numtorch.tensor(rng.random(7), requires_grad=True)
    numtorch.manual_seed(3)
    a = numtorch.multinomial(w, 5, True)
    numtorch.manual_seed(3)
    b = w.multinomial(5, replacement=True)
    assert a.tolist() == b.tolist() and a.dtype == numtorch.int64
    assert a.grad_fn is None and not a.requires_grad


def test_draw_counts():
    """Words consumed: 2 per element without replacement (or n == 1), 2 per sample with it."""
    rng = np.random.default_rng(15)
    w = numtorch.tensor(rng.random((3, 5)) + 0.1)
    for n, rep, words in [(1, False, 30), (1, True, 30), (4, False, 30), (4, True, 24)]:
        g = numtorch.Generator().manual_seed(9)
        numtorch.multinomial(w, n, rep, generator=g)
        ref = numtorch.Generator().manual_seed(9)
        ref._words(words)
        assert numtorch.rand(2, generator=g).tolist() == numtorch.rand(2, generator=ref).tolist()


def test_crafted_state_round_trips_through_numtorch():
    words = u53_words([0.25, 0.5])
    g = numtorch.Generator()
    g.set_state(numtorch.tensor(crafted_state(words)))
    assert [int(v) for v in g._words(4)] == words


# ----------------------------------------------------------------------------
# regeneration (torch required): python tests/data/regen_multinomial.py
# ----------------------------------------------------------------------------
def _dense_or_sparse(a: np.ndarray):
    if np.count_nonzero(a) * 4 > a.size:
        return a.tolist()
    nz = np.argwhere(a != 0) if a.ndim == 2 else [(0, i) for i in np.nonzero(a)[0]]
    return {"shape": list(a.shape),
            "nonzero": [[int(r), int(c), float(a[r, c] if a.ndim == 2 else a[c])] for r, c in nz]}


def _case_specs():
    """The configurations (weights drawn here, then stored in the record)."""
    rng = np.random.default_rng(2026)
    specs = []

    def add(name, w, dtype, n, rep, seed, **extra):
        w = np.asarray(w, dtype)
        specs.append(dict(id=name, weights=_dense_or_sparse(w), dtype=dtype, n=int(n),
                          replacement=bool(rep), seed=int(seed), **extra))

    seeds = [0, 1, 42, 2 ** 32 + 7, 2 ** 63 + 5, -3, 123456789]
    i = 0
    for dtype in ("float32", "float64"):
        for rep in (False, True):
            for shape in [(1,), (4,), (10,), (3, 5), (2, 9)]:
                k = shape[-1]
                w = rng.random(shape) * 3
                zeros = i % 2 == 0 and k > 2
                if zeros:
                    w[rng.random(shape) < 0.4] = 0
                    w[..., 0] = 0.75
                if rep:
                    n = [1, k, max(1, k // 2), 2 * k + 1][i % 4]
                else:
                    n = [1, k, max(1, k // 2)][i % 3]
                add(f"{dtype}-{'rep' if rep else 'norep'}-{'x'.join(map(str, shape))}-n{n}"
                    f"{'-zeros' if zeros else ''}", w, dtype, n, rep, seeds[i % len(seeds)])
                i += 1
    # unnormalised weights of very different sizes, and integer-valued ties
    add("float32-norep-wide-range", rng.random(12) * 10.0 ** rng.integers(-4, 4, 12),
        "float32", 6, False, 7)
    add("float64-rep-wide-range", rng.random((2, 12)) * 10.0 ** rng.integers(-4, 4, (2, 12)),
        "float64", 30, True, 8)
    add("float32-norep-equal-weights", np.full((2, 8), 2.5), "float32", 8, False, 9)
    # zero weights beyond the nonzero count: PyTorch's topk tie order decides
    add("float32-norep-all-of-mostly-zeros", [0, 0, 1.5, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        "float32", 12, False, 10)
    w = np.zeros((2, 200))
    w[0, [3, 50]] = [1.0, 2.0]
    w[1, 199] = 0.5
    add("float64-norep-partial-sort-path-ties", w, "float64", 3, False, 11)
    w = np.zeros((2, 1000), np.float32)
    w[0, rng.choice(1000, 25, replace=False)] = rng.random(25) + 0.1
    w[1, rng.choice(1000, 40, replace=False)] = rng.random(40) + 0.1
    add("float32-norep-nth-element-path-ties", w, "float32", 300, False, 12)
    add("float32-norep-n1-sparse", w, "float32", 1, False, 13)
    add("float32-rep-sparse-large-n", w, "float32", 150, True, 14)
    # float32 accumulation matters: many categories
    w = (rng.random((1, 2000)) ** 4).astype(np.float32)
    add("float32-rep-2000-categories", w, "float32", 200, True, 15)
    add("float16-norep", rng.random((2, 7)) * 2, "float16", 4, False, 16)
    add("float16-rep", rng.random((2, 7)) * 2, "float16", 5, True, 17)
    # explicit generator, method form, out=, non-contiguous input
    add("generator-norep", rng.random((3, 6)), "float32", 3, False, 18, generator=True)
    add("generator-rep", rng.random(6), "float64", 9, True, 19, generator=True)
    add("generator-n1", rng.random((4, 5)), "float64", 1, True, 20, generator=True)
    add("method-norep", rng.random(8), "float32", 5, False, 21, method=True)
    add("method-rep", rng.random((2, 4)), "float64", 6, True, 22, method=True)
    add("out-rep", rng.random((2, 4)), "float32", 3, True, 23, out=True)
    add("transposed-norep", rng.random((5, 4)), "float32", 3, False, 24, transpose=True)
    add("transposed-n1", rng.random((6, 3)), "float64", 1, False, 25, transpose=True)
    add("transposed-rep", rng.random((4, 3)), "float32", 4, True, 26, transpose=True)
    add("sliced-transposed-norep", rng.random((3, 5)), "float32", 2, False, 27,
        view="sliced-transpose")
    # chosen draws: U equal to a cumulative value picks that category (first cum >= U)
    add("exact-u-on-boundaries", [1, 1, 1, 1], "float64", 4, True, 0,
        words=u53_words([0.25, 0.5, 0.75, 0.0]))
    add("exact-u-zero-picks-leading-zero-weight", [0, 1, 1], "float32", 2, True, 0,
        words=u53_words([0.0, 0.5]))
    add("exact-u-on-zero-weight-run", [1, 0, 0, 1], "float64", 2, True, 0,
        words=u53_words([0.5, 1 - 2 ** -53]), generator=True)
    return specs


def _error_specs():
    nan, inf = float("nan"), float("inf")
    e = []

    def add(name, **kw):
        e.append(dict(id=name, **kw))

    add("row-sum-zero-n1", weights=[[1.0, 1], [0, 0]], n=1, replacement=False)
    add("row-sum-zero-norep", weights=[[1.0, 1], [0, 0]], n=2, replacement=False)
    add("row-sum-zero-rep-after-a-good-row", weights=[[1.0, 1], [0, 0]], n=2, replacement=True)
    add("negative-rep-second-row", weights=[[1.0, 1], [-1, 0]], n=2, replacement=True)
    add("negative-n1", weights=[[1.0, 1], [-1, 0]], n=1, replacement=True)
    add("all-zero", weights=[0.0, 0, 0], n=1, replacement=False)
    add("all-zero-rep", weights=[0.0, 0, 0], n=2, replacement=True, dtype="float64")
    add("too-many-without-replacement", weights=[1.0, 1, 1], n=4, replacement=False)
    add("zero-samples", weights=[1.0, 1, 1], n=0, replacement=False)
    add("negative-samples", weights=[1.0, 1, 1], n=-1, replacement=True)
    add("negative-weight", weights=[1.0, -1, 1], n=1, replacement=False)
    add("negative-weight-rep", weights=[1.0, -1, 1], n=2, replacement=True)
    add("nan", weights=[1.0, nan, 1], n=1, replacement=False)
    add("nan-rep", weights=[1.0, nan, 1], n=2, replacement=True)
    add("inf", weights=[1.0, inf, 1], n=1, replacement=False)
    add("inf-rep", weights=[1.0, inf, 1], n=2, replacement=True)
    add("minus-inf-rep", weights=[1.0, -inf, 1], n=2, replacement=True)
    add("inf-before-negative-rep", weights=[[inf, -1.0], [-1, 0]], n=2, replacement=True)
    add("3-d", ones=[2, 2, 2], n=1, replacement=False)
    add("3-d-zero-samples", ones=[2, 2, 2], n=0, replacement=False)
    add("0-d", weights=1.0, n=1, replacement=False)
    add("int-input", weights=[1, 2, 3], n=1, replacement=False, dtype="int64")
    add("int-input-3-d", ones=[2, 2, 2], n=0, replacement=False, dtype="int64")
    add("bool-input", weights=[True, False], n=1, replacement=False, dtype="bool")
    add("float-out", weights=[1.0, 2, 3], n=2, replacement=False, out_dtype="float32")
    add("int32-out-before-n", weights=[1.0, 2, 3], n=0, replacement=False, out_dtype="int32")
    add("empty-1-d-n1", ones=[0], n=1, replacement=True)
    add("empty-1-d-rep", ones=[0], n=2, replacement=True)
    add("no-categories-n1", ones=[2, 0], n=1, replacement=True)
    add("no-categories-rep", ones=[2, 0], n=2, replacement=True)
    add("no-categories-norep", ones=[2, 0], n=1, replacement=False)
    add("no-rows", ones=[0, 3], n=2, replacement=True)
    add("no-rows-norep", ones=[0, 3], n=1, replacement=False)
    add("too-many-categories", ones=[2 ** 24 + 1], n=2, replacement=True)
    add("float-num-samples", weights=[1.0, 2, 3], n=1.5, replacement=False)
    add("bool-num-samples", weights=[1.0, 2, 3], n=True, replacement=False)
    add("int-replacement", weights=[1.0, 2, 3], n=2, replacement=1)
    add("none-replacement", weights=[1.0, 2, 3], n=2, replacement=None)
    add("int-generator", weights=[1.0, 2, 3], n=2, replacement=False, generator=5)
    add("list-input", weights=[1.0, 2, 3], n=1, replacement=False, as_list=True)
    return e


def _topk_specs():
    rng = np.random.default_rng(77)
    out = []
    for i in range(24):
        n = int(rng.integers(2, [20, 300, 2000][i % 3]))
        k = int(rng.integers(1, n + 1)) if i % 2 else int(rng.integers(1, max(2, n // 64 + 1)))
        keys = rng.integers(0, int(rng.integers(1, 5)), n).astype(np.float32)
        out.append(dict(id=f"topk-{i}-n{n}-k{k}", keys="".join(str(int(v)) for v in keys), k=k))
    return out


def regenerate() -> dict:
    """PyTorch's answers for every case (needs torch 2.13)."""
    import torch
    cases = []
    for spec in _case_specs():
        result, nxt = run_case(torch, spec)
        cases.append(dict(spec, result=result, next=nxt))
    errors = []
    for spec in _error_specs():
        exc, msg, nxt = run_error(torch, spec)
        errors.append(dict(spec, exc=exc, msg=msg, next=nxt))
    topk = []
    for spec in _topk_specs():
        idx = torch.topk(torch.from_numpy(topk_keys(spec)), spec["k"]).indices.tolist()
        topk.append(dict(spec, indices=idx))
    return {"torch_version": torch.__version__, "cases": cases, "errors": errors, "topk": topk}
