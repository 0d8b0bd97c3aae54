"""Regenerate tests/data/higher_order_math.npz and .json from live PyTorch (where torch 2.13 is
installed).

    python tests/data/regen_higher_order_math.py

The cases live in tests/test_higher_order_math.py: ``CASES`` (first, second and third
derivatives, into the .npz) and ``SCENARIOS`` (what autograd.grad/backward do around
create_graph, into the .json).
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    spec = importlib.util.spec_from_file_location(
        "test_higher_order_math", os.path.normpath(os.path.join(HERE, "..", "test_higher_order_math.py")))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.regenerate()
    np.savez_compressed(mod.RECORD, **data)
    scenarios = mod.regenerate_scenarios()
    with open(mod.SCENARIO_RECORD, "w", encoding="utf-8") as f:
        json.dump(scenarios, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"recorded {len(data)} arrays into {mod.RECORD} and {len(scenarios)} scenarios into "
          f"{mod.SCENARIO_RECORD}", file=sys.stderr)


if __name__ == "__main__":
    main()
