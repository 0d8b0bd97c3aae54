"""Regenerate tests/data/optim_more.npz, optim_more.json and optim_more_state.pt from live
PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_optim_more.py

The cases live in tests/test_optim_more.py (``regenerate``): every optimizer's parameters and
state after 20 steps (float32 and float64, and float32 with a correctly rounded ``sqrt``),
state dicts PyTorch saved after 10 steps, LBFGS on the Rosenbrock function, constructor and step
errors, reprs.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "nn"))

from recorded_parity import regen_main  # noqa: E402


if __name__ == "__main__":
    regen_main(os.path.join(HERE, "..", "test_optim_more.py"))
