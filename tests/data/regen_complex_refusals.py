"""Regenerate tests/data/complex_refusals.json from live PyTorch (run where torch 2.13 is
installed).

    python tests/data/regen_complex_refusals.py

The cases live in tests/test_complex_refusals.py (``CASES``): complex tensors given to ops
PyTorch has no complex kernel for, complex random draws, and the argument errors met on the way;
this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_complex_refusals.py"))
