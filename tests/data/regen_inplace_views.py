"""Regenerate tests/data/inplace_views.json and .npz from live PyTorch (torch 2.13 installed).

    python tests/data/regen_inplace_views.py

The cases live in tests/test_inplace_views.py; this records what PyTorch observes for each
(values, leaf gradients, grad_fn names, versions) or the exception it raises.
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
        "test_inplace_views", os.path.join(HERE, "..", "test_inplace_views.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    record, arrays = mod.regenerate()
    with open(mod.RECORD, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    np.savez_compressed(mod.ARRAYS, **arrays)
    print(f"recorded {len(record)} cases ({len(arrays)} arrays) into {mod.RECORD} and {mod.ARRAYS}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
