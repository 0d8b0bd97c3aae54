"""Fractional max pooling (``F.fractional_max_pool2d/3d``, ``nn.FractionalMaxPool2d/3d``)
against PyTorch 2.13's answers recorded in tests/data/fractional_pool.npz / .json.

Drawn samples: after ``manual_seed`` the outputs, indices, gradients and the generator's next
numbers must equal PyTorch's bit for bit; given samples: the same, plus float64 gradchecks.
Regenerate the record with ``python tests/data/regen_fractional_pool.py`` (needs torch); with
torch installed the tests also check the record against live PyTorch.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
NPZ = os.path.join(DATA, "fractional_pool.npz")
JSON = os.path.join(DATA, "fractional_pool.json")

# name: (nd, shape, kernel, output_size, output_ratio, dtype, how, mode, seed)
#   how: "seed" (samples drawn after manual_seed) or "given" (samples from the test's rng);
#   mode: "plain", "ties" (rounded values), "nan" (a few NaNs), "module" (through nn.*)
CASES = {
    "2d_batched": (2, (2, 3, 9, 11), 2, (4, 5), None, "float32", "seed", "plain", 0),
    "2d_unbatched": (2, (3, 10, 7), (3, 2), (5, 4), None, "float32", "seed", "plain", 1),
    "2d_ratio_module": (2, (2, 2, 13, 12), 3, None, (0.5, 0.7), "float32", "seed", "module", 2),
    "2d_ties_f64": (2, (2, 2, 12, 12), 2, (7, 6), None, "float64", "seed", "ties", 3),
    "2d_nan": (2, (1, 2, 10, 10), 3, (4, 6), None, "float32", "seed", "nan", 4),
    "2d_out1": (2, (1, 2, 6, 7), (2, 3), (1, 5), None, "float32", "seed", "plain", 5),
    "2d_k1_full": (2, (1, 1, 6, 5), 1, (6, 5), None, "float32", "seed", "plain", 6),
    "2d_big_f32": (2, (1, 1, 150, 181), 2, (97, 100), None, "float32", "seed", "plain", 7),
    "2d_half": (2, (2, 3, 40, 33), 2, None, (0.6, 0.6), "float16", "seed", "module", 8),
    "3d_batched": (3, (2, 2, 7, 8, 9), 2, (3, 4, 5), None, "float32", "seed", "plain", 10),
    "3d_unbatched": (3, (3, 6, 7, 8), (1, 2, 3), (4, 3, 2), None, "float32", "seed", "plain", 11),
    "3d_ratio_module": (3, (1, 2, 10, 9, 8), 2, None, 0.5, "float64", "seed", "module", 12),
    "3d_ties": (3, (1, 2, 8, 8, 8), 2, (5, 4, 3), None, "float32", "seed", "ties", 13),
    "3d_nan": (3, (1, 1, 6, 6, 6), 2, (3, 3, 3), None, "float64", "seed", "nan", 14),
    "3d_half": (3, (1, 2, 12, 30, 14), 2, None, (0.5, 0.4, 0.6), "float16", "seed", "module", 15),
    "2d_given_f64": (2, (2, 3, 9, 8), 2, (4, 5), None, "float64", "given", "plain", 20),
    "3d_given_f64": (3, (2, 2, 6, 7, 5), 2, (3, 4, 2), None, "float64", "given", "plain", 21),
    "2d_given_f32": (2, (3, 11, 12), (2, 3), (6, 5), None, "float32", "given", "plain", 22),
}


def _inputs(case):
    """The case's input, output-gradient seed, and given samples (NumPy, from its own rng)."""
    nd, shape, kernel, osize, ratio, dtype, how, mode, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if mode == "ties":
        x = np.round(x)
    if mode == "nan":
        x.reshape(-1)[rng.choice(x.size, max(3, x.size // 20), replace=False)] = np.nan
    x = x.astype(dtype)
    n = 1 if len(shape) == nd + 1 else shape[0]
    samples = rng.random((n, shape[-nd - 1], nd)).astype(dtype) if how == "given" else None
    return x, rng, samples


def _run(T, case):
    """Run the case on ``T`` (torch or numtorch): (out, idx, grad or None, next draws)."""
    nd, shape, kernel, osize, ratio, dtype, how, mode, seed = case
    x, rng, samples = _inputs(case)
    xt = T.tensor(x.astype(np.float32)).to(getattr(T, dtype)) if dtype == "float16" else T.tensor(x)
    grad = dtype != "float16"
    if grad:
        xt.requires_grad_(True)
    T.manual_seed(1000 + seed)
    kw = {"_random_samples": T.tensor(samples)} if samples is not None else {}
    if mode == "module":
        cls = T.nn.FractionalMaxPool2d if nd == 2 else T.nn.FractionalMaxPool3d
        out, idx = cls(kernel, osize, ratio, True, **kw)(xt)
    else:
        fn = T.nn.functional.fractional_max_pool2d if nd == 2 else T.nn.functional.fractional_max_pool3d
        out, idx = fn(xt, kernel, osize, ratio, return_indices=True, **kw)
    after = T.rand(4).numpy()
    g = None
    if grad:
        gout = rng.standard_normal(tuple(out.shape)).astype(dtype)
        out.backward(T.tensor(gout))
        g = xt.grad.numpy()
    return out.detach().float().numpy() if dtype == "float16" else out.detach().numpy(), \
        idx.numpy(), g, after


def _errors(T):
    """[exception type, message] (or None) for each argument mistake."""
    Fn, N = T.nn.functional, T.nn
    x, y = T.zeros(1, 2, 8, 8), T.zeros(1, 2, 4, 5, 6)
    calls = [
        lambda: Fn.fractional_max_pool2d(x, 2),
        lambda: Fn.fractional_max_pool3d(y, 2),
        lambda: N.FractionalMaxPool2d(2),
        lambda: N.FractionalMaxPool3d(2),
        lambda: N.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
        lambda: N.FractionalMaxPool2d(2, output_ratio=1.0),
        lambda: N.FractionalMaxPool2d(2, output_ratio=(0.5, 1.5)),
        lambda: N.FractionalMaxPool3d(2, output_ratio=0),
        lambda: Fn.fractional_max_pool2d(x, 2, output_ratio=0.5),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=8),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=(7, 8)),
        lambda: Fn.fractional_max_pool2d(x, (2, 2, 2), output_size=(1, 1)),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=(1, 1, 1)),
        lambda: Fn.fractional_max_pool2d(x[0, 0], 2, output_size=(2, 2)),
        lambda: Fn.fractional_max_pool2d(x[None], 2, output_size=(2, 2)),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=(2, 2), _random_samples=T.zeros(1, 2, 3)),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=(2, 2), _random_samples=T.zeros(1, 3, 2)),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=(2, 2),
                                         _random_samples=T.zeros(1, 2, 2, dtype=T.float64)),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=(2, 2), _random_samples=T.zeros(2, 2)),
        lambda: Fn.fractional_max_pool2d(T.zeros(2, 2, 8, 8), 2, output_size=(2, 2),
                                         _random_samples=T.zeros(1, 2, 2)),
        lambda: Fn.fractional_max_pool2d(x.long(), 2, output_size=(2, 2),
                                         _random_samples=T.zeros(1, 2, 2)),
        lambda: Fn.fractional_max_pool2d(x.long(), 2, output_size=(2, 2)),
        lambda: Fn.fractional_max_pool2d(T.zeros(1, 0, 8, 8), 2, output_size=(2, 2)),
        lambda: Fn.fractional_max_pool2d(T.zeros(1, 2, 0, 8), 2, output_size=(2, 2)),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=(-1, 2)),
        lambda: Fn.fractional_max_pool3d(y, 2, output_size=(3, 2, 2)),
        lambda: Fn.fractional_max_pool3d(y, 2, output_size=(2, 4, 2)),
        lambda: Fn.fractional_max_pool3d(y, 2, output_size=(2, 2, 5)),
        lambda: Fn.fractional_max_pool3d(y, (2, 2), output_size=(2, 2, 2)),
        lambda: Fn.fractional_max_pool3d(y, 2, output_size=(2, 2)),
        lambda: Fn.fractional_max_pool3d(y[0, 0], 2, output_size=(2, 2, 2)),
        lambda: Fn.fractional_max_pool3d(y[None], 2, output_size=(2, 2, 2)),
        lambda: Fn.fractional_max_pool3d(y, 2, output_size=(2, 2, 2), _random_samples=T.zeros(1, 2, 2)),
        lambda: Fn.fractional_max_pool3d(y, 2, output_size=(2, 2, 2),
                                         _random_samples=T.zeros(1, 2, 3, dtype=T.float64)),
        lambda: Fn.fractional_max_pool3d(y.long(), 2, output_size=(2, 2, 2)),
        lambda: Fn.fractional_max_pool3d(T.zeros(1, 2, 0, 5, 6), 2, output_size=(2, 2, 2)),
        lambda: Fn.fractional_max_pool3d(T.zeros(2, 5, 6, 0), 2, output_size=(2, 2, 2)),
        lambda: Fn.fractional_max_pool2d(x, 2.0, output_size=2),
        lambda: Fn.fractional_max_pool2d(x, (2, 2.0), output_size=2),
        lambda: Fn.fractional_max_pool2d(x, 2, output_size=2.5),
        lambda: Fn.fractional_max_pool2d(x, True, output_size=2),
        lambda: Fn.fractional_max_pool3d(y, 2, output_size=(2, 2, 2.0)),
        lambda: Fn.fractional_max_pool2d(x, 2.0, output_size=2, _random_samples=T.zeros(1, 2, 3)),
        lambda: Fn.fractional_max_pool2d(x[0, 0], 2.0, output_size=2, _random_samples=T.zeros(1, 2, 2)),
    ]
    out = []
    for call in calls:
        try:
            call()
            out.append(None)
        except Exception as e:                   # noqa: BLE001 -- recording the type
            out.append([type(e).__name__, str(e)])
    return out


def _modules(T):
    """Reprs, attributes and state_dict keys of a few modules."""
    N = T.nn
    mods = [N.FractionalMaxPool2d(3, output_size=5), N.FractionalMaxPool2d(2, output_ratio=0.5),
            N.FractionalMaxPool2d((2, 3), output_size=(4, 5), return_indices=True),
            N.FractionalMaxPool3d(2, output_ratio=0.5), N.FractionalMaxPool3d((1, 2, 3), output_size=(2, 3, 4)),
            N.FractionalMaxPool3d(2, output_size=2, _random_samples=T.zeros(1, 1, 3))]
    return [[repr(m), repr(m.kernel_size), repr(m.output_size), repr(m.output_ratio),
             m.return_indices, list(m.state_dict())] for m in mods]


def regenerate() -> None:
    """Write the record from live PyTorch."""
    import torch
    arrays = {}
    for name, case in CASES.items():
        out, idx, g, after = _run(torch, case)
        arrays[f"{name}/out"], arrays[f"{name}/idx"], arrays[f"{name}/after"] = out, idx, after
        if g is not None:
            arrays[f"{name}/grad"] = g
    np.savez_compressed(NPZ, **arrays)
    with open(JSON, "w") as f:
        json.dump({"errors": _errors(torch), "modules": _modules(torch)}, f, indent=1)


def _record():
    with np.load(NPZ) as z:
        return {k: z[k] for k in z.files}


def _json():
    with open(JSON) as f:
        return json.load(f)


@pytest.mark.parametrize("name", list(CASES))
def test_matches_recorded_pytorch(name):
    rec = _record()
    out, idx, g, after = _run(numtorch, CASES[name])
    assert np.array_equal(out, rec[f"{name}/out"], equal_nan=True)
    assert out.dtype == rec[f"{name}/out"].dtype
    assert idx.dtype == np.int64 and np.array_equal(idx, rec[f"{name}/idx"])
    if g is not None:
        assert g.dtype == rec[f"{name}/grad"].dtype and np.array_equal(g, rec[f"{name}/grad"])
    assert np.array_equal(after, rec[f"{name}/after"])        # the generator advanced alike


@pytest.mark.parametrize("nd", [2, 3])
def test_gradcheck_float64_given_samples(nd):
    rng = np.random.default_rng(40 + nd)
    shape = (2, 2, 7, 8) if nd == 2 else (1, 2, 5, 6, 7)
    x = numtorch.tensor(rng.standard_normal(shape), requires_grad=True)
    samples = numtorch.tensor(rng.random((shape[0], 2, nd)))
    fn = F.fractional_max_pool2d if nd == 2 else F.fractional_max_pool3d
    osize = (4, 5) if nd == 2 else (3, 4, 3)

    def f(t):
        return fn(t, 2, osize, _random_samples=samples)
    assert numtorch.autograd.gradcheck(f, (x,))


def test_grad_fn_names_and_overlap_accumulates():
    x = numtorch.arange(5.0).reshape(1, 1, 1, 5).requires_grad_(True)
    out = F.fractional_max_pool2d(x, (1, 3), (1, 3), _random_samples=numtorch.zeros(1, 1, 2))
    assert type(out.grad_fn).__name__ == "FractionalMaxPool2DBackward0"
    out.sum().backward()
    # windows start at 0, 1, 2 (3 windows of 3 over 5): each maximum is its window's last
    assert x.grad.tolist() == [[[[0.0, 0.0, 1.0, 1.0, 1.0]]]]
    y = numtorch.zeros(1, 1, 3, 3, 3, requires_grad=True)
    out3 = F.fractional_max_pool3d(y, 1, 2, _random_samples=numtorch.zeros(1, 1, 3))
    assert type(out3.grad_fn).__name__ == "FractionalMaxPool3DBackward0"


def test_errors_match_recorded_pytorch():
    assert _errors(numtorch) == _json()["errors"]


def test_modules_match_recorded_pytorch():
    assert _modules(numtorch) == _json()["modules"]
    assert isinstance(nn.FractionalMaxPool2d(2, output_size=1), nn.Module)


def test_record_matches_live_pytorch():
    torch = pytest.importorskip("torch")
    rec = _record()
    for name, case in CASES.items():
        out, idx, g, after = _run(torch, case)
        assert np.array_equal(out, rec[f"{name}/out"], equal_nan=True), name
        assert np.array_equal(idx, rec[f"{name}/idx"]), name
        assert g is None or np.array_equal(g, rec[f"{name}/grad"]), name
        assert np.array_equal(after, rec[f"{name}/after"]), name
    assert _errors(torch) == _json()["errors"]
    assert _modules(torch) == _json()["modules"]
