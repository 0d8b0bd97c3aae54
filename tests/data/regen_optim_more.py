"""Regenerate tests/data/optim_more.npz, optim_more.json and optim_more_state.pt from live
PyTorch (run where torch 2.13 is installed).

    python tests/data/regen_optim_more.py

The cases live in tests/test_optim_more.py (``regenerate``): every optimizer's parameters and
state after 20 steps (float32 and float64, and float32 with a correctly rounded ``sqrt``),
state dicts PyTorch saved after 10 steps, LBFGS on the Rosenbrock function, constructor and step
errors, reprs.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    path = os.path.join(HERE, "..", "test_optim_more.py")
    spec = importlib.util.spec_from_file_location("test_optim_more", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    arrays, facts = mod.regenerate()
    np.savez_compressed(mod.RECORD_NPZ, **arrays)
    with open(mod.RECORD_JSON, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"recorded {len(arrays)} arrays and {sum(len(v) for v in facts.values())} facts into "
          f"{mod.RECORD_NPZ} / {mod.RECORD_JSON} / {mod.RECORD_PT}", file=sys.stderr)


if __name__ == "__main__":
    main()
