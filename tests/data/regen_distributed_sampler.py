"""Regenerate tests/data/distributed_sampler.json from live PyTorch (torch 2.13 installed).

    python tests/data/regen_distributed_sampler.py

The cases live in tests/distributed/test_distributed_sampler.py (``regenerate``).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "distributed"))

from test_distributed_sampler import RECORD, regenerate  # noqa: E402

if __name__ == "__main__":
    with open(RECORD, "w") as f:
        json.dump(regenerate(), f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.normpath(RECORD)}")
