"""Regenerate tests/data/higher_order_nn.npz (PyTorch 2.13's answers for
tests/nn/test_higher_order_nn.py): ``python tests/data/regen_higher_order_nn.py``; needs torch."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "nn"))

import test_higher_order_nn  # noqa: E402

if __name__ == "__main__":
    n = test_higher_order_nn.regen(os.path.join(HERE, "higher_order_nn.npz"))
    print(f"recorded {n} cases")
