"""Regenerate tests/data/dataloader_workers.json from live PyTorch (torch 2.13 installed).

    python tests/data/regen_dataloader_workers.py

The cases live in tests/test_dataloader_workers.py (``CASES``, ``regenerate``); each runs the
same code on PyTorch as the test runs on numtorch (worker processes started with fork).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))

from test_dataloader_workers import RECORD, regenerate  # noqa: E402

if __name__ == "__main__":
    record = regenerate()
    with open(RECORD, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {os.path.normpath(RECORD)}: {len(record['cases'])} cases")
