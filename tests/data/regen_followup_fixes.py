"""Regenerate tests/data/followup_fixes.json from live PyTorch (run where torch 2.13 is
installed).

    python tests/data/regen_followup_fixes.py

The cases live in tests/test_followup_fixes.py (``CASES``): div_'s rounding modes, numbers
written into tensors, the fused products' beta/alpha, celu's alpha, complex orders and
fmax/fmin; this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_followup_fixes.py"))
