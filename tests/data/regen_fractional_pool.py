"""Regenerate tests/data/fractional_pool.npz and fractional_pool.json from live PyTorch (run
where torch 2.13 is installed).

    python tests/data/regen_fractional_pool.py

The cases live in tests/test_fractional_pool.py (``regenerate``).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from test_fractional_pool import regenerate  # noqa: E402

if __name__ == "__main__":
    regenerate()
