"""Regenerate tests/data/higher_order_shape.npz from live PyTorch (where torch 2.13 is installed).

    python tests/data/regen_higher_order_shape.py

The cases live in tests/test_higher_order_shape.py; this records PyTorch's first, second and
third derivatives of each.
"""
from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    spec = importlib.util.spec_from_file_location(
        "test_higher_order_shape", os.path.join(HERE, "..", "test_higher_order_shape.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.regenerate()
    np.savez_compressed(mod.RECORD, **data)
    print(f"recorded {len(data)} arrays into {os.path.normpath(mod.RECORD)}", file=sys.stderr)


if __name__ == "__main__":
    main()
