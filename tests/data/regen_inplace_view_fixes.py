"""Regenerate tests/data/inplace_view_fixes.json from live PyTorch (run where torch 2.13 is
installed).

    python tests/data/regen_inplace_view_fixes.py

The scenarios live in tests/test_inplace_view_fixes.py (``SCENARIOS``): t_/unsqueeze_/squeeze_/
transpose_/as_strided_ nodes, versions, refusals and gradients, Tensor.type() of complex tensors,
complex values written into real tensors, complex gradients reaching real inputs, and which
in-place changes scatter_reduce/index_reduce "sum"/"mean" tolerate; this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_inplace_view_fixes.py"))
