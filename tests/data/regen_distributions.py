"""Regenerate tests/data/distributions.npz / distributions.json from live PyTorch (torch 2.13).

    python tests/data/regen_distributions.py

The cases live in tests/distributions/dist_cases.py (the same code runs on numtorch and torch);
this records PyTorch's answers: samples after ``manual_seed``, log_prob/cdf/icdf/moments,
gradients, KL divergences, error messages and reprs.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "distributions"))

NPZ = os.path.join(HERE, "distributions.npz")
JSON = os.path.join(HERE, "distributions.json")


def regenerate(torch):
    """PyTorch's answers for every case: (arrays, facts)."""
    import dist_cases as dc
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}, "torch": torch.__version__}
    for case in dc.CASES:
        a, f = dc.run_case(torch, case)
        for k, v in a.items():
            arrays[f"{case.name}/{k}"] = v
        facts["cases"][case.name] = f
    for name, build, dt in dc.KL_CASES:
        for k, v in dc.run_kl(torch, name, build, dt).items():
            arrays[f"{name}/{k}"] = v
    for name, fn in dc.ERRORS:
        facts["errors"][name] = dc.run_error(torch, fn)
    for name, build in dc.REPRS:
        facts["reprs"][name] = dc.run_repr(torch, build)
    return arrays, facts


def main() -> None:
    import torch
    import torch.distributions  # noqa: F401
    arrays, facts = regenerate(torch)
    np.savez_compressed(NPZ, **arrays)
    with open(JSON, "w", encoding="utf-8") as f:
        json.dump(facts, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"recorded {len(facts['cases'])} cases, {len(arrays)} arrays, "
          f"{len(facts['errors'])} errors, {len(facts['reprs'])} reprs", file=sys.stderr)


if __name__ == "__main__":
    main()
