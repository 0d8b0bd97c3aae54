"""Regenerate tests/data/checkpoint_util.json from live PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_checkpoint_util.py

The scenarios live in tests/test_checkpoint_util.py (``SCENARIOS``): checkpointed forwards and
backwards (values, gradients, recomputation counts, RNG replay), checkpoint_sequential, and the
warnings and errors; this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_checkpoint_util.py"))
