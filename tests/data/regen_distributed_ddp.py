"""Regenerate tests/data/distributed_ddp.npz from live PyTorch (torch 2.13 installed).

    python tests/data/regen_distributed_ddp.py

The case lives in tests/distributed/ddp_case.py (``regenerate``): PyTorch trains the net in one
process on the concatenated batch, which DDP at 2 ranks must reproduce.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "distributed"))

from ddp_case import RECORD, regenerate  # noqa: E402

if __name__ == "__main__":
    np.savez_compressed(RECORD, **regenerate())
    print(f"wrote {os.path.normpath(RECORD)}")
