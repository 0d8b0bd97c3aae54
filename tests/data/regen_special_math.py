"""Regenerate tests/data/special_math.npz / .json and special_namespace.npz / .json from live
PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_special_math.py

The cases live in tests/test_special_math.py and tests/test_special_namespace.py
(``regenerate``); this records PyTorch's values, dtypes, shapes, grad_fn names, gradients,
errors, higher derivatives and float32 grids for each.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name: str):
    path = os.path.normpath(os.path.join(HERE, "..", name + ".py"))
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(path))
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    for name in ("test_special_math", "test_special_namespace"):
        mod = _load(name)
        arrays, facts = mod.regenerate()
        np.savez_compressed(mod.RECORD_NPZ, **arrays)
        with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
            json.dump(facts, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")
        print(f"recorded {len(arrays)} arrays and {sum(len(v) for v in facts.values())} facts "
              f"into {mod.RECORD_NPZ} / {mod.RECORD_JSON}", file=sys.stderr)


if __name__ == "__main__":
    main()
