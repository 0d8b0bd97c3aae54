"""cProfile of a numtorch workload's training loop: where the time goes.

    python bench/profile_loop.py xor            # top 30 by cumulative and by own time
    python bench/profile_loop.py mlp --quick --top 20
    python bench/profile_loop.py xor --framework torch

cProfile adds a fixed cost per Python call, so it inflates Python-heavy code (numtorch's
per-op path) more than C code; read the shares, not the absolute times. The profiled loop is
the second in the process (the first is timed plain): the page faults printed with each show
how much of the first one was spent mapping fresh memory (glibc returns freed memory at the
top of the heap to the system and faults it in again, page by page, on the next step).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--framework", default="numtorch", choices=("numtorch", "torch"))
    ap.add_argument("--out", help="also dump the raw stats here (for snakeviz / pstats)")
    args = ap.parse_args(argv)
    import worker
    import workloads
    torch = worker.load(args.framework)
    size = workloads.SIZES[args.workload][1 if args.quick else 0]
    loop = workloads.WORKLOADS[args.workload](torch, **size)
    f0, t0 = _faults(), time.perf_counter()
    loop()
    plain, f_plain = time.perf_counter() - t0, _faults() - f0
    loop = workloads.WORKLOADS[args.workload](torch, **size)
    prof = cProfile.Profile()
    f0, t0 = _faults(), time.perf_counter()
    prof.runcall(loop)
    profiled, f_prof = time.perf_counter() - t0, _faults() - f0
    print(f"{args.workload} {size} on {args.framework}: loop {plain * 1e3:.0f} ms, "
          f"{f_plain} page faults ({profiled * 1e3:.0f} ms, {f_prof} page faults, "
          "the second run, under cProfile)")
    if args.out:
        prof.dump_stats(args.out)
    for key in ("cumulative", "tottime"):
        s = io.StringIO()
        st = pstats.Stats(prof, stream=s)
        st.strip_dirs().sort_stats(key).print_stats(args.top)
        text = s.getvalue()
        print(f"\n=== by {key} ===")
        print(text[text.find("   ncalls"):].rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
