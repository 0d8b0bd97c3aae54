"""Regenerate tests/data/conv.npz and conv.json from live PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_conv.py

The cases live in tests/nn/test_conv.py (``regenerate``); this records PyTorch's outputs,
gradients, grad_fn names, initial parameters, reprs, state_dict keys, errors and higher-order
derivatives for each.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "nn"))

from recorded_parity import regen_main  # noqa: E402


if __name__ == "__main__":
    regen_main(os.path.join(HERE, "..", "nn", "test_conv.py"))
