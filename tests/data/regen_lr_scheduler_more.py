"""Regenerate tests/data/lr_scheduler_more.json from live PyTorch (torch 2.13 installed).

    python tests/data/regen_lr_scheduler_more.py

The cases live in tests/test_lr_scheduler_more.py (``regenerate``): rates and momenta of each
scheduler over 45 steps, epoch-driven steps, state dicts, warnings and errors.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    path = os.path.join(HERE, "..", "test_lr_scheduler_more.py")
    spec = importlib.util.spec_from_file_location("test_lr_scheduler_more", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.regenerate()
    with open(mod.RECORD, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"recorded {len(data['cases'])} schedules, {len(data['epochs'])} epoch runs and "
          f"{len(data['errors'])} errors into {mod.RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
