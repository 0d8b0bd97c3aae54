"""Shared machinery of tests/test_sorting.py, test_searching.py and test_cumulative.py.

Each of those files declares ``CASES`` (``id -> make(T, rng) -> (result, {name: leaf})``),
``ERRORS`` (``id -> fn(T)`` that raises), ``REPRS`` (``id -> fn(T)`` whose ``repr`` is compared)
and ``HIGHER`` (``id -> (fn(T, x), shape)``: first and second derivatives), and its record files.
PyTorch's answers are recorded once (``python tests/data/regen_sorting.py``) so that the tests
run without torch; with torch installed each test also checks the record against live PyTorch.
Inputs come from a generator seeded by the case id.
"""
from __future__ import annotations

import json
import warnings
import zlib

import numpy as np
from _oracle import live_torch as torch_or_none  # the installed torch, or None

KINDS = {
    # name: (dtype, how the values are drawn)
    "int": ("int64", "ties"), "i32": ("int32", "ties"), "u8": ("uint8", "ties"),
    "f32": ("float32", "normal"), "f64": ("float64", "normal"),
    "t32": ("float32", "ties"), "t64": ("float64", "ties"),
    "n32": ("float32", "nan"), "n64": ("float64", "nan"),
    "f16": ("float16", "ties"), "bool": ("bool", "ties"),
}
FLOAT_GRAD = ("f32", "f64", "t32", "t64", "n32", "n64")


def rng_for(name: str):
    return np.random.default_rng(zlib.crc32(name.encode()))


def array(rng, kind: str, shape) -> np.ndarray:
    """Test data of a kind: normal floats (no ties), small integers (many ties), or ties and
    NaNs."""
    dtype, how = KINDS[kind]
    shape = tuple(shape)
    if how == "normal":
        return rng.standard_normal(shape).astype(dtype)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    a = rng.integers(0, 5, shape).astype(dtype)
    if how == "nan":
        a[rng.random(shape) < 0.25] = np.nan
    return a


def tensor(T, rng, kind: str, shape, grad=None):
    grad = kind in FLOAT_GRAD if grad is None else grad
    return T.tensor(array(rng, kind, shape), requires_grad=grad)


def outputs(result) -> list:
    """The tensors of a result: one tensor, a (named) tuple of them."""
    if isinstance(result, (tuple, list)):
        return list(result)
    return [result]


def run_case(T, make, case_id: str) -> dict:
    """Run one case on ``T``: each output's values, dtype, shape and ``grad_fn`` name, the
    result's type name, and the gradients of the leaves for a random cotangent."""
    rng = rng_for(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, leaves = make(T, rng)
    outs = outputs(result)
    res = {"type": type(result).__name__ if isinstance(result, tuple) else "Tensor",
           "outs": [[str(o.dtype), list(o.shape), None if o.grad_fn is None else o.grad_fn.name()]
                    for o in outs]}
    for i, o in enumerate(outs):
        res[f"out{i}"] = o.detach().numpy().copy()
    diff = [o for o in outs if o.requires_grad]
    if diff and any(t is not None and t.requires_grad for t in leaves.values()):
        loss = None
        for o in diff:
            g = T.tensor(rng.standard_normal(tuple(o.shape)).astype(o.detach().numpy().dtype))
            term = (o * g).sum()
            loss = term if loss is None else loss + term
        loss.backward()
        for k, t in leaves.items():
            if t is not None and t.requires_grad and t.grad is not None:
                res["grad_" + k] = t.grad.numpy().copy()
    return res


def error_of(T, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e)]
    return None


def run_higher(T, fn, shape, case_id: str) -> dict:
    """First and second derivatives (float64, create_graph) of ``fn(T, x)``."""
    rng = rng_for("higher-" + case_id)
    x = T.tensor(rng.standard_normal(shape), requires_grad=True)
    y = fn(T, x)
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    gx, = T.autograd.grad((y * g).sum(), (x,), create_graph=True)
    ggx, = T.autograd.grad((gx * gx * gx).sum() + (gx * y.sum()).sum(), (x,))
    return {"gx": gx.detach().numpy(), "ggx": ggx.numpy()}


def regenerate(mod) -> tuple:
    """PyTorch's answers for every case of test module ``mod``: (arrays, facts)."""
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}, "higher": {}}
    for cid, make in mod.CASES.items():
        res = run_case(torch, make, cid)
        facts["cases"][cid] = {"type": res.pop("type"), "outs": res.pop("outs")}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid, fn in mod.ERRORS.items():
        facts["errors"][cid] = error_of(torch, fn)
    for cid, fn in mod.REPRS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            facts["reprs"][cid] = repr(fn(torch))
    for cid, (fn, shape) in mod.HIGHER.items():
        res = run_higher(torch, fn, shape, cid)
        facts["higher"][cid] = sorted(res)
        arrays.update({f"higher/{cid}/{k}": v for k, v in res.items()})
    return arrays, facts


def save(mod) -> str:
    """Write the record: the arrays packed into one flat array per dtype (thousands of tiny
    arrays as separate .npz members would mostly be headers), their places in the JSON."""
    arrays, facts = regenerate(mod)
    packed, index = {}, {}
    for key in sorted(arrays):
        a = np.asarray(arrays[key])
        parts = packed.setdefault(a.dtype.str, [])
        start = sum(p.size for p in parts)
        parts.append(a.reshape(-1))
        index[key] = f"{a.dtype.str} {start} {','.join(map(str, a.shape))}"
    np.savez_compressed(mod.RECORD_NPZ, **{dt: np.concatenate(parts)
                                          for dt, parts in packed.items()})
    facts["arrays"] = index
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:      # one line per entry
        sections = []
        for name in sorted(facts):
            entries = [f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}"
                       for k, v in sorted(facts[name].items())]
            sections.append(f" {json.dumps(name)}: {{\n" + ",\n".join(entries) + "\n }")
        f.write("{\n" + ",\n".join(sections) + "\n}\n")
    return f"{len(arrays)} arrays, {sum(len(v) for v in facts.values())} facts -> {mod.RECORD_JSON}"


def load(mod) -> tuple:
    with open(mod.RECORD_JSON, encoding="utf-8") as f:
        facts = json.load(f)
    with np.load(mod.RECORD_NPZ) as z:
        flat = {k: z[k] for k in z.files}
    arrays = {}
    for key, place in facts.pop("arrays").items():          # "<dtype> <start> <shape>"
        dt, start, shape = place.split(" ")
        shape = tuple(int(n) for n in shape.split(",") if n)
        start, n = int(start), int(np.prod(shape))
        arrays[key] = flat[dt][start:start + n].reshape(shape)
    return arrays, facts


def _same(got, want, tol, what):
    assert got.shape == want.shape and got.dtype == want.dtype, (what, got.dtype, want.dtype)
    if tol is None:
        np.testing.assert_array_equal(got, want, err_msg=what)     # NaN == NaN here
    else:
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=what)


def check_case(numtorch, mod, case_id, record, tol=None, grad_tol=1e-6):
    """numtorch's answer equals the record (values exactly unless ``tol``), and the record is
    still PyTorch's."""
    arrays, facts = record
    want = facts["cases"][case_id]
    make = mod.CASES[case_id]
    got = run_case(numtorch, make, case_id)
    assert got["type"] == want["type"]
    assert got["outs"] == want["outs"]
    keys = sorted(k[len(case_id) + 1:] for k in arrays if k.startswith(case_id + "/"))
    assert sorted(k for k in got if k.startswith(("out", "grad_")) and k != "outs") == keys
    for k in keys:
        _same(got[k], arrays[f"{case_id}/{k}"], tol if k.startswith("out") else grad_tol, k)
    torch = torch_or_none()
    if torch is not None:
        live = run_case(torch, make, case_id)
        assert [live["type"], live["outs"]] == [want["type"], want["outs"]]
        for k in keys:
            _same(live[k], arrays[f"{case_id}/{k}"], tol if k.startswith("out") else grad_tol, k)


def check_error(numtorch, mod, case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(numtorch, mod.ERRORS[case_id])
    assert want is not None, "PyTorch raised nothing"
    assert got == want
    torch = torch_or_none()
    if torch is not None:
        assert error_of(torch, mod.ERRORS[case_id]) == want


def check_repr(numtorch, mod, case_id, record):
    want = record[1]["reprs"][case_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(mod.REPRS[case_id](numtorch)) == want
    torch = torch_or_none()
    if torch is not None:
        assert repr(mod.REPRS[case_id](torch)) == want


def check_higher(numtorch, mod, case_id, record):
    arrays, facts = record
    fn, shape = mod.HIGHER[case_id]
    got = run_higher(numtorch, fn, shape, case_id)
    assert sorted(got) == facts["higher"][case_id]
    for k, v in got.items():
        np.testing.assert_allclose(v, arrays[f"higher/{case_id}/{k}"], rtol=1e-9, atol=1e-9)
