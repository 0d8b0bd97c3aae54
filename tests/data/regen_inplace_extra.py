"""Regenerate tests/data/inplace_extra.json from live PyTorch (run where torch 2.13 is
installed).

    python tests/data/regen_inplace_extra.py

The cases live in tests/test_inplace_extra.py (``CASES``): the in-place forms of
numtorch/ops/inplace_extra.py (values, dtypes, grad_fn names, gradients through the in-place
op, version counts, errors); this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_inplace_extra.py"))
