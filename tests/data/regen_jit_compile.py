"""Regenerate tests/data/jit_compile.json from live PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_jit_compile.py

The scenarios live in tests/test_jit_compile.py (``SCENARIOS``): torch.jit's scripted and traced
modules, torch.compile's wrappers and checks, torch.onnx's names and manual_seed's generator;
this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_jit_compile.py"))
