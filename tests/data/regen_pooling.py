"""Regenerate tests/data/pooling.npz and pooling.json from live PyTorch (torch 2.13 installed).

    python tests/data/regen_pooling.py

The cases live in tests/nn/test_pooling.py; this records PyTorch's outputs, indices, input
gradients, grad_fn names, errors, reprs and double-backward values for each.
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
        "test_pooling", os.path.join(HERE, "..", "nn", "test_pooling.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    arrays, meta = mod.regenerate()
    np.savez_compressed(mod.RECORD_NPZ, **arrays)
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {len(meta['cases'])} cases, {len(meta['errors'])} errors, {len(meta['reprs'])} "
          f"reprs, {len(meta['double'])} double-backward cases", file=sys.stderr)


if __name__ == "__main__":
    main()
