"""Regenerate tests/data/weights_only.json from live PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_weights_only.py

The cases live in tests/test_weights_only.py (``regenerate``): files made by ``torch.save`` and
hand-made pickles, loaded with and without ``weights_only``, allow-listed globals and PyTorch's
environment variables; this records what PyTorch answered for each.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    spec = importlib.util.spec_from_file_location(
        "test_weights_only", os.path.join(HERE, "..", "test_weights_only.py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules["test_weights_only"] = mod
    # the test module reads the record at import: give it an empty one the first time
    if not os.path.exists(os.path.join(HERE, "weights_only.json")):
        with open(os.path.join(HERE, "weights_only.json"), "w", encoding="utf-8") as f:
            json.dump({"files": {}, "cases": {}}, f)
    spec.loader.exec_module(mod)
    facts = mod.regenerate()
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {len(facts['cases'])} cases into {mod.RECORD_JSON}", file=sys.stderr)


if __name__ == "__main__":
    main()
