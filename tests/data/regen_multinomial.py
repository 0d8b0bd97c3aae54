"""Regenerate tests/data/multinomial.json from live PyTorch (torch 2.13 installed).

    python tests/data/regen_multinomial.py

The cases live in tests/test_multinomial.py; this records PyTorch's answers.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    path = os.path.join(HERE, "..", "test_multinomial.py")
    spec = importlib.util.spec_from_file_location("test_multinomial", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.regenerate()
    with open(mod.RECORD, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"recorded {len(data['cases'])} cases, {len(data['errors'])} errors and "
          f"{len(data['topk'])} topk orders into {mod.RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
