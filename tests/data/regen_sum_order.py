"""Regenerate tests/data/sum_order.npz from live PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_sum_order.py

The cases live in tests/test_sum_order.py (``CASES``: seeded inputs, shapes, dims, thread
counts); this records PyTorch's ``sum`` and ``mean`` of each, bit for bit.
"""
import json
import os
import sys

import numpy as np

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)

from test_sum_order import CASES, RECORD, torch_answers  # noqa: E402


def main() -> None:
    import torch
    before = torch.get_num_threads()
    try:
        answers = torch_answers(torch)
    finally:
        torch.set_num_threads(before)
    np.savez_compressed(RECORD, cases=np.array(json.dumps([c[0] for c in CASES])), **answers)
    print(f"recorded {len(CASES)} cases into {RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
