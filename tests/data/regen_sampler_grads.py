"""Regenerate tests/data/sampler_grads.json from live PyTorch (run where torch 2.13 is
installed).

    python tests/data/regen_sampler_grads.py

The cases live in tests/test_sampler_grads.py (``CASES``): gradients, graph nodes, versions and
refusals of the in-place samplers and of torch.bernoulli; this records PyTorch's answers.
"""
import os
import sys

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from _facts import regen_main  # noqa: E402

if __name__ == "__main__":
    regen_main(os.path.join(TESTS, "test_sampler_grads.py"))
