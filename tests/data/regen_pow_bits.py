"""Regenerate tests/data/pow_bits.npz / .json from live PyTorch (run where torch 2.13 is
installed):

    python tests/data/regen_pow_bits.py

The cases live in tests/test_pow_bits.py (``compute``); this records PyTorch's outputs,
gradients, errors and node names for them.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..")

if __name__ == "__main__":
    sys.path.insert(0, TESTS)
    spec = importlib.util.spec_from_file_location("pow_bits_cases", os.path.join(TESTS, "test_pow_bits.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.regenerate()
    print(f"recorded {mod.RECORD_NPZ} and {mod.RECORD_JSON}", file=sys.stderr)
