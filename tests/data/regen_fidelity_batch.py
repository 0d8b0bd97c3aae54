"""Regenerate tests/data/fidelity_batch.json from live PyTorch (run where torch 2.13 is
installed).

    python tests/data/regen_fidelity_batch.py

The cases live in tests/test_fidelity_batch.py (``CASES``: histogramdd, the as_strided family,
round_(decimals=), einsum(), complex xlogy/xlog1py/zeta/logcumsumexp, frexp's result type, the
window functions); this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_fidelity_batch.py"))
