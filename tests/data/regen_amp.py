"""Regenerate tests/data/amp.json from live PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_amp.py

The scenarios live in tests/test_amp.py (``SCENARIOS``): autocast's state, warnings and errors,
and GradScaler's values through a training loop and its checks; this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_amp.py"))
