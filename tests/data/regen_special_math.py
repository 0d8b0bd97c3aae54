"""Regenerate tests/data/special_math.npz / .json and special_namespace.npz / .json from live
PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_special_math.py

The cases live in tests/test_special_math.py and tests/test_special_namespace.py
(``regenerate``); this records PyTorch's values, dtypes, shapes, grad_fn names, gradients,
errors, higher derivatives and float32 grids for each.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "nn"))

from recorded_parity import regen_main  # noqa: E402


if __name__ == "__main__":
    for name in ("test_special_math.py", "test_special_namespace.py"):
        regen_main(os.path.join(HERE, "..", name))
