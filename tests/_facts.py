"""Recorded-facts harness shared by test_amp.py, test_jit_compile.py, test_checkpoint_util.py
and the refusal-record tests (test_complex_refusals.py, test_fidelity_batch.py, ...).

A scenario is a function of the torch module (PyTorch or numtorch) that returns plain,
JSON-able facts. ``capture`` runs one and keeps what it returned or raised and the warnings it
gave; ``same`` compares numtorch's facts with PyTorch's recorded ones (floats to 1e-6
relative); ``regen_main`` writes a test module's ``regenerate()`` into its ``RECORD_JSON``;
``check_case`` and ``check_live`` are the record tests' two checks, ``cut_overloads`` their
usual key.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import warnings

import numpy as np
import pytest


def capture(fn, T) -> dict:
    """What ``fn(T)`` returned (or raised) and the warnings it gave, as JSON-able facts."""
    out: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out["result"] = fn(T)
        except Exception as e:  # noqa: BLE001 - whatever is raised is compared
            out["error"] = [type(e).__name__, str(e)]
    # (NumPy's floating-point RuntimeWarnings inside numtorch are filtered for users by
    # numtorch; "always" above lets them through, so they are left out here)
    out["warnings"] = [[w.category.__name__, str(w.message).split(" (Triggered internally")[0]]
                       for w in caught if not (w.category is RuntimeWarning and
                                               "numtorch" in str(w.filename))]
    return json.loads(json.dumps(out))


def same(got, want, path: str = "") -> None:
    """Assert ``got`` equals ``want`` (floats to 1e-6 relative, NaN equal to NaN)."""
    if isinstance(want, float) and isinstance(got, float):
        assert got == want or (np.isnan(got) and np.isnan(want)) or \
            abs(got - want) <= 1e-6 * max(1.0, abs(want)), (path, got, want)
    elif isinstance(want, list) and isinstance(got, (list, tuple)):
        assert len(got) == len(want), (path, got, want)
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{path}[{i}]")
    elif isinstance(want, dict) and isinstance(got, dict):
        assert sorted(got) == sorted(want), (path, sorted(got), sorted(want))
        for k in want:
            same(got[k], want[k], f"{path}.{k}")
    else:
        assert got == want, (path, got, want)


def tensor_facts(r, resolve_conj: bool = False) -> dict:
    """A tensor's dtype, shape and values as float64s (a complex one as its real view);
    ``resolve_conj``: a conjugate view's values resolved first."""
    t = r.detach()
    a = np.asarray((t.resolve_conj() if resolve_conj else t).numpy())
    if a.dtype.kind == "c":
        a = a[..., None].view(a.real.dtype)
    return {"dtype": str(r.dtype), "shape": list(r.shape),
            "values": a.astype(np.float64).ravel().tolist()}


def cut_overloads(facts: dict) -> dict:
    """``facts`` with the argument parser's list of overloads cut from an error message (it
    spells out C++ signatures; numtorch names the overloads shorter)."""
    if "error" in facts:
        kind, msg = facts["error"]
        cut = msg.find("but expected one of:")
        if cut >= 0:
            facts = dict(facts, error=[kind, msg[:cut]])
    return facts


def check_case(fn, T, want: dict, name: str, numpy_text: tuple, key=None) -> None:
    """``fn(T)``'s facts (``T``: numtorch) equal the recorded ``want``, both seen through
    ``key`` when given, and no error message of numtorch's holds NumPy's words ``numpy_text``."""
    got = capture(fn, T)
    if key is None:
        same(got, want, name)
    else:
        same(key(got), key(want), name)
    if "error" in got:
        assert not any(w in got["error"][1] for w in numpy_text), got["error"]


def check_live(cases: dict, record: dict) -> None:
    """Every case run on live PyTorch (skipped without it) still gives its recorded facts."""
    T = pytest.importorskip("torch")
    for name, fn in cases.items():
        same(capture(fn, T), record[name], name)


def values(t) -> list:
    """A tensor's values as a flat list of Python floats."""
    return np.asarray(t.detach().numpy(), dtype=np.float64).ravel().tolist()


def load(path: str) -> dict:
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def regen_main(test_file: str) -> None:
    """Run ``regenerate()`` of the test module at ``test_file`` (with live PyTorch) and write
    its ``RECORD_JSON``."""
    here = os.path.dirname(os.path.abspath(test_file))
    sys.path.insert(0, here)
    spec = importlib.util.spec_from_file_location("recorded_facts_test", test_file)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    facts = mod.regenerate()
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {len(facts)} scenarios into {mod.RECORD_JSON}", file=sys.stderr)
