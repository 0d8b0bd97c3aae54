"""Regenerate tests/data/complex_grad.npz and complex_grad.json from live PyTorch (run where
torch 2.13 is installed).

    python tests/data/regen_complex_grad.py

The cases live in tests/test_complex_grad.py (``regenerate``); this records PyTorch's outputs,
output dtypes and node names, and the inputs' gradients (from a complex ``grad_outputs`` and from
a real loss, and second derivatives) for each.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    spec = importlib.util.spec_from_file_location(
        "test_complex_grad", os.path.join(HERE, "..", "test_complex_grad.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    arrays, facts = mod.regenerate()
    np.savez_compressed(mod.RECORD_NPZ, **arrays)
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"recorded {len(arrays)} arrays for {len(facts)} cases into {mod.RECORD_NPZ} / "
          f"{mod.RECORD_JSON}", file=sys.stderr)


if __name__ == "__main__":
    main()
