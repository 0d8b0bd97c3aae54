"""One measurement in a fresh process (so frameworks and imports never share a process).

    python bench/worker.py FRAMEWORK WORKLOAD [SIZE_JSON]   # FRAMEWORK: numtorch | torch | numpy
    python bench/worker.py FRAMEWORK --import
    python bench/worker.py numpy --calibrate

Prints one JSON line: loop seconds (or import seconds), the final loss, the process's peak RSS.
PyTorch keeps its default thread count (reported as ``threads``) unless $BENCH_THREADS is set.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0   # Linux: KiB


def load(framework: str):
    """Import the framework as a user would, plus the submodules the workloads use."""
    if framework == "torch":
        import torch
        import torch.nn, torch.optim, torch.utils.data  # noqa: E401,F401
        if os.environ.get("BENCH_THREADS"):
            torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
        return torch
    import importlib
    import numtorch
    for sub in ("nn", "optim", "utils.data"):      # whichever exist; a workload needing a
        try:                                       # missing one fails on its own
            importlib.import_module("numtorch." + sub)
        except ImportError:
            pass
    return numtorch


def main(argv) -> None:
    framework, what = argv[0], argv[1]
    if what == "--calibrate":          # fixed Python + BLAS work: shows how steady the machine is
        import numpy as np
        a = np.random.default_rng(0).random((200, 200))
        t0 = time.perf_counter()
        for _ in range(100):
            a @ a
        s = 0
        for i in range(300_000):
            s += i
        print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mib": peak_mib()}))
        return
    if what == "--import":
        t0 = time.perf_counter()
        if framework == "torch":
            import torch  # noqa: F401
        else:
            import numtorch  # noqa: F401
        dt = time.perf_counter() - t0
        print(json.dumps({"seconds": dt, "peak_mib": peak_mib()}))
        return
    size = json.loads(argv[2]) if len(argv) > 2 else {}
    info = {}
    if framework == "numpy":
        import numpy_ref
        loop = numpy_ref.REFERENCES[what](**size)
    else:
        torch = load(framework)
        import workloads
        loop = workloads.WORKLOADS[what](torch, **size)
        if framework == "torch":
            info["threads"] = torch.get_num_threads()
    t0 = time.perf_counter()
    loss = loop()
    dt = time.perf_counter() - t0
    print(json.dumps({"seconds": dt, "loss": loss, "peak_mib": peak_mib(), **info}))


if __name__ == "__main__":
    main(sys.argv[1:])
