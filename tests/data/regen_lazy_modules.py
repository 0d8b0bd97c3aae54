"""Regenerate tests/data/lazy_modules.json from live PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_lazy_modules.py

The cases live in tests/test_lazy_modules.py; this records what each sees on PyTorch (reprs,
state_dict keys and shapes, weights drawn after manual_seed, outputs, exceptions).
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    spec = importlib.util.spec_from_file_location("test_lazy_modules",
                                                  os.path.join(HERE, "..", "test_lazy_modules.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.regenerate()
    with open(mod.RECORD, "w", encoding="utf-8") as f:      # one case a line: readable diffs
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(data[k], ensure_ascii=False)}"
                                    for k in sorted(data)) + "\n}\n")
    print(f"recorded {len(data)} cases into {mod.RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
