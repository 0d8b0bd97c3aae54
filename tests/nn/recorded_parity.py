"""Parity against PyTorch's recorded answers, shared by test_normalization.py, test_embedding.py
and test_dropout_family.py.

A test module defines ``RECORD_NPZ`` / ``RECORD_JSON`` and ``regenerate()`` (PyTorch's answers:
arrays for the .npz, facts for the .json); ``tests/data/regen_<topic>.py`` calls ``regen_main``
with the test file. The tests read the record (no torch needed) and, with torch installed, also
check that the record is still what live PyTorch answers.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import warnings
import zlib

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def rng_for(name: str) -> np.random.Generator:
    """A generator seeded from the case's name: the same inputs for torch and numtorch."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def load_record(npz: str, json_path: str) -> tuple:
    with np.load(npz) as z:
        arrays = {k: z[k] for k in z.files}
    with open(json_path, encoding="utf-8") as f:
        facts = json.load(f)
    return arrays, facts


def error_of(fn, T):
    """``[exception type name, message]`` of ``fn(T)``, or None when it raises nothing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e)]
    return None


def tol(dtype: str) -> dict:
    return dict(rtol=1e-10, atol=1e-11) if dtype == "torch.float64" else dict(rtol=2e-5, atol=2e-5)


def regen_main(test_file: str) -> None:
    """Run ``regenerate()`` of the test module at ``test_file`` and write its record."""
    spec = importlib.util.spec_from_file_location("recorded_test", test_file)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(test_file)))
    spec.loader.exec_module(mod)
    arrays, facts = mod.regenerate()
    np.savez_compressed(mod.RECORD_NPZ, **arrays)
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {len(arrays)} arrays and {sum(len(v) for v in facts.values())} facts into "
          f"{mod.RECORD_NPZ} / {mod.RECORD_JSON}", file=sys.stderr)


def check_arrays(got: dict, arrays: dict, prefix: str, dtype: str, exact=("init_",)) -> list:
    """Compare ``got`` (name -> array) with the record's ``prefix/name`` arrays (same keys);
    names starting with one of ``exact`` must match bit for bit. Returns the keys compared."""
    keys = sorted(k[len(prefix) + 1:] for k in arrays if k.startswith(prefix + "/"))
    assert sorted(got) == keys, (sorted(got), keys)
    for k in keys:
        want = arrays[f"{prefix}/{k}"]
        if k.startswith(exact) or want.dtype.kind in "iub":
            np.testing.assert_array_equal(got[k], want, err_msg=k)
        else:
            np.testing.assert_allclose(got[k], want, err_msg=k, **tol(dtype))
    return keys
