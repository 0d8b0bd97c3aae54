"""Regenerate tests/data/linalg.npz and linalg.json from live PyTorch (run where torch 2.13 is
installed).

    python tests/data/regen_linalg.py

The cases live in tests/test_linalg.py (``regenerate``); this records PyTorch's outputs,
gradients, grad_fn names, warnings, errors, reprs and higher-order derivatives for each.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    spec = importlib.util.spec_from_file_location("test_linalg",
                                                  os.path.join(HERE, "..", "test_linalg.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    arrays, facts = mod.regenerate()
    np.savez_compressed(mod.RECORD_NPZ, **arrays)
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {len(arrays)} arrays and {sum(len(v) for v in facts.values())} facts into "
          f"{mod.RECORD_NPZ} / {mod.RECORD_JSON}", file=sys.stderr)


if __name__ == "__main__":
    main()
