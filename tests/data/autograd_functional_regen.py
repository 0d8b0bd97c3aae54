"""Regenerate PyTorch's recorded answers for the autograd.functional and torch.func tests
(run where torch 2.13 is installed):

    python tests/data/autograd_functional_regen.py

The cases live in tests/test_autograd_functional.py and tests/test_func.py; each writes
tests/data/autograd_functional{,_func}.json (structure, dtypes, flags, error messages) and
.npz (values).
"""
from __future__ import annotations

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TESTS, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    import torch
    sys.path.insert(0, TESTS)
    base = _load("test_autograd_functional")
    for mod in (base, _load("test_func")):
        n = base.regenerate_record(mod.CASES, mod.RECORD, torch)
        print(f"recorded {n} cases into {mod.RECORD}.json/.npz", file=sys.stderr)


if __name__ == "__main__":
    main()
