"""Regenerate the records of tests/test_sorting.py, test_searching.py and test_cumulative.py
(tests/data/sorting.*, searching.*, cumulative.*) from live PyTorch (torch 2.13 installed).

    python tests/data/regen_sorting.py [sorting|searching|cumulative ...]

The cases live in the test files; this records PyTorch's values, indices, dtypes, shapes,
grad_fn names, gradients, reprs, errors and second derivatives for each.
"""
from __future__ import annotations

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..")
TOPICS = ("sorting", "searching", "cumulative")


def main(topics) -> None:
    sys.path.insert(0, TESTS)
    import _order_harness as H
    for topic in topics:
        name = f"test_{topic}"
        spec = importlib.util.spec_from_file_location(name, os.path.join(TESTS, name + ".py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        print(f"{topic}: {H.save(mod)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:] or TOPICS)
