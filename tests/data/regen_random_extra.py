"""Regenerate tests/data/random_extra.json from live PyTorch (torch 2.13 installed).

    python tests/data/regen_random_extra.py

The cases live in tests/test_random_extra.py; this records PyTorch's answers.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    path = os.path.join(HERE, "..", "test_random_extra.py")
    sys.path.insert(0, os.path.join(HERE, ".."))
    spec = importlib.util.spec_from_file_location("test_random_extra", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.regenerate()
    with open(mod.RECORD, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"recorded {len(data['cases'])} cases and {len(data['errors'])} errors into "
          f"{mod.RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
