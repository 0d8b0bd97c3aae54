"""Regenerate tests/data/autograd_introspection.json from live PyTorch (torch 2.13 installed).

    python tests/data/regen_autograd_introspection.py

The cases live in tests/test_autograd_introspection.py; this records PyTorch's answers.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    path = os.path.join(HERE, "..", "test_autograd_introspection.py")
    spec = importlib.util.spec_from_file_location("test_autograd_introspection", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.regenerate()
    with open(mod.RECORD, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"recorded {len(data['nodes'])} node cases into {mod.RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
