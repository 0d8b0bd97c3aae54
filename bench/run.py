"""numtorch vs PyTorch vs hand-written NumPy, side by side in one run.

    python bench/run.py                  # everything, medians of 3 alternating runs (~6 min)
    python bench/run.py --quick          # smaller loops, 3 runs (~1 min)
    python bench/run.py --only xor,mlp --repeat 5
    python bench/run.py --no-torch       # numtorch and NumPy only

Every measurement runs in a fresh process (``bench/worker.py``), the frameworks alternating
(numtorch, PyTorch, NumPy, numtorch, ...), so neither imports nor caches are shared. Loop
times cover the training loop only (data, model and optimizer are built before the clock
starts); "import" is ``import numtorch`` vs ``import torch`` inside a fresh interpreter (bytecode
cached, as for an installed package: see CHILD_ENV); "xor
process" is the whole seed-000 program (``bench/programs/xor_program.py``: interpreter start,
imports, build, 2001 epochs, printing) timed from spawn to exit. Peak memory is the process's
maximum resident set size. PyTorch runs with its default thread count (shown in the machine line).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import workloads  # noqa: E402
import _data  # noqa: E402

FRAMEWORKS = ("numtorch", "torch", "numpy")
LOOPS = ("xor", "iris_mlp", "mnist_scratch", "mlp", "sqrt2", "lenet", "lenet_bn", "mnist_net")
# row -> (numtorch/PyTorch target, numtorch/NumPy target)
TARGETS = {"xor": (0.33, 3.0), "iris_mlp": (0.33, None), "sqrt2": (0.33, None),
           "mnist_scratch": (0.5, None), "mlp": (0.9, 1.2), "import": (0.2, None),
           "xor process": (0.25, None), "mlp peak memory": (0.5, None),
           "lenet": (2.0, 1.2), "lenet_bn": (2.0, 1.2), "mnist_net": (1.5, None)}
PROGRAM = os.path.join(HERE, "programs", "xor_program.py")


def to_numtorch(source: str) -> str:
    """Rewrite a PyTorch program's imports to numtorch's (what a user does by hand)."""
    out = []
    for line in source.splitlines():
        if re.match(r"\s*import torch\s*$", line):
            line = line.replace("import torch", "import numtorch as torch")
        elif re.match(r"\s*(import|from) torch\b", line):
            line = re.sub(r"\btorch\b", "numtorch", line, count=1)
        out.append(line)
    return "\n".join(out) + "\n"


# Children run with cached bytecode, as an installed package does: this environment may set
# PYTHONDONTWRITEBYTECODE (every import would then recompile numtorch's sources), so the
# children write and read .pyc files under a private prefix instead (the tree stays clean).
CHILD_ENV = dict(os.environ, PYTHONPYCACHEPREFIX=os.path.join(tempfile.gettempdir(), "numtorch-bench-pycache"))
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def warm_up(fws) -> None:
    """Compile every module the measurements import (untimed)."""
    for fw in fws:
        if fw != "numpy":
            mods = ", ".join(f"{fw}.{m}" for m in ("nn", "nn.functional", "optim", "utils.data"))
            code = f"import {fw}\ntry:\n    import {mods}\nexcept ImportError:\n    pass"
            subprocess.run([sys.executable, "-c", code], env=CHILD_ENV, capture_output=True)
    subprocess.run([sys.executable, "-c", "import numpy"], env=CHILD_ENV, capture_output=True)


def spawn(cmd, timeout=600):
    """Run ``cmd``; return (wall seconds, peak RSS MiB of that child, rc, stdout, stderr)."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, cwd=ROOT, env=CHILD_ENV)
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except ChildProcessError:          # pragma: no cover
            p.wait()
            status, ru = p.returncode, None
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        return dt, (ru.ru_maxrss / 1024.0 if ru else None), p.returncode, fo.read().decode(), \
            fe.read().decode()


def worker(framework, *args):
    dt, rss, rc, out, err = spawn([sys.executable, os.path.join(HERE, "worker.py"), framework, *args])
    if rc != 0:
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        return {"error": lines[-1] if lines else f"exit {rc}"}
    return json.loads(out.strip().splitlines()[-1])


def machine_line(torch_ok: bool, threads=None) -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f", {int(f.readline().split()[1]) / 2**20:.0f} GiB RAM"
    except OSError:
        pass
    import numpy as np
    info = f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; " \
           f"Python {platform.python_version()}; NumPy {np.__version__}"
    if torch_ok:
        r = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__, "
                            "torch.get_num_threads())"], capture_output=True, text=True, env=CHILD_ENV)
        if r.returncode == 0:
            v, n = r.stdout.split()
            info += f"; PyTorch {v} (threads: {threads or n}{'' if threads else ', its default'})"
    if threads:
        info += f"; BLAS threads {threads}"
    return info + "; " + time.strftime("%Y-%m-%d")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller loops (the table says which)")
    ap.add_argument("--only", default="", help="comma-separated rows: " + ", ".join(
        LOOPS + ("import", "process", "memory")))
    ap.add_argument("--repeat", type=int, default=3, help="runs per cell (median reported); default 3")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even when installed")
    ap.add_argument("--threads", type=int, help="BLAS/OpenMP threads of every child and "
                    "torch.set_num_threads (default: each library's default)")
    ap.add_argument("--stat", choices=("median", "min"), default="median",
                    help="how the runs of a cell are summarised (default: median)")
    ap.add_argument("--json", help="also write all raw measurements to this file")
    args = ap.parse_args(argv)

    if args.threads:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BENCH_THREADS"):
            CHILD_ENV[var] = str(args.threads)
    torch_ok = not args.no_torch and importlib.util.find_spec("torch") is not None
    fws = [f for f in FRAMEWORKS if f != "torch" or torch_ok]
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    want = lambda name: not only or name in only  # noqa: E731
    size_of = {n: workloads.SIZES[n][1 if args.quick else 0] for n in LOOPS}

    from numpy_ref import REFERENCES
    # row -> framework -> list of samples (seconds or MiB); errors noted separately
    samples: dict[str, dict[str, list]] = {}
    errors: dict[tuple, str] = {}
    units: dict[str, str] = {}
    losses: dict[tuple, float] = {}

    def add(row, fw, value, unit):
        samples.setdefault(row, {}).setdefault(fw, []).append(value)
        units[row] = unit

    tmpdir = tempfile.mkdtemp(prefix="numtorch-bench-")
    nt_program = os.path.join(tmpdir, "xor_program_numtorch.py")
    with open(PROGRAM) as f:
        src = f.read()
    with open(nt_program, "w") as f:
        f.write(to_numtorch(src))

    t_start = time.perf_counter()
    warm_up(fws)
    for rep in range(args.repeat):
        r = worker("numpy", "--calibrate")
        if "error" not in r:
            add("calibration", "numpy", r["seconds"], "ms")
        for name in LOOPS:
            if not want(name) and not (name == "mlp" and want("memory")):
                continue
            for fw in fws:
                if fw == "numpy" and name not in REFERENCES:
                    continue
                r = worker(fw, name, json.dumps(size_of[name]))
                if "error" in r:
                    errors[(name, fw)] = r["error"]
                    continue
                if want(name):
                    add(name, fw, r["seconds"], "ms")
                    losses[(name, fw)] = r["loss"]
                if name == "mlp":
                    add("mlp peak memory", fw, r["peak_mib"], "MiB")
        if want("import"):
            for fw in fws:
                if fw == "numpy":
                    continue
                r = worker(fw, "--import")
                if "error" in r:
                    errors[("import", fw)] = r["error"]
                    continue
                add("import", fw, r["seconds"], "ms")
                add("import memory", fw, r["peak_mib"], "MiB")
        if want("process"):
            for fw, path in (("numtorch", nt_program), ("torch", PROGRAM)):
                if fw not in fws:
                    continue
                dt, rss, rc, out, err = spawn([sys.executable, path])
                if rc != 0:
                    errors[("xor process", fw)] = (err.strip().splitlines() or [f"exit {rc}"])[-1]
                    continue
                add("xor process", fw, dt, "ms")
                add("xor process memory", fw, rss, "MiB")
        print(f"  run {rep + 1}/{args.repeat} done ({time.perf_counter() - t_start:.0f} s)",
              file=sys.stderr, flush=True)

    # -- the table ---------------------------------------------------------------------------
    def cell(row, fw):
        v = samples.get(row, {}).get(fw)
        if not v:
            return None, ("fail" if (row, fw) in errors else "-")
        m = statistics.median(v) if args.stat == "median" or units[row] != "ms" else min(v)
        if units[row] == "ms":
            ms = m * 1e3
            return m, f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"
        return m, f"{m:.0f} MiB"

    def ratio(a, b, target):
        if a is None or b is None or not b:
            return "-"
        r = a / b
        mark = "" if target is None else (" ok" if r <= target else f" (target {target:g})")
        return f"{r:.2f}{mark}"

    order = [r for r in ("calibration", *LOOPS, "import", "import memory", "xor process", "xor process memory",
                         "mlp peak memory") if r in samples or any(k[0] == r for k in errors)]
    head = ["workload", "numtorch", "PyTorch", "NumPy", "numtorch/PyTorch", "numtorch/NumPy"]
    rows = []
    for row in order:
        (a, sa), (b, sb), (c, sc) = cell(row, "numtorch"), cell(row, "torch"), cell(row, "numpy")
        tp, tn = TARGETS.get(row, (None, None))
        label = row
        if row in LOOPS and args.quick and workloads.SIZES[row][1] != workloads.SIZES[row][0]:
            label += " (quick)"
        rows.append([label, sa, sb, sc, ratio(a, b, tp), ratio(a, c, tn)])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = lambda r: "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths)) + " |"  # noqa: E731
    print(fmt(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(fmt(r))
    print()
    print(f"{args.stat.capitalize()}s of {args.repeat} runs per cell, frameworks alternating, each in a fresh process. "
          f"MNIST workloads' data: {_data.mnist_source()}.")
    print("Machine:", machine_line(torch_ok, args.threads))
    cal = samples.get("calibration", {}).get("numpy", [])
    if len(cal) > 1:
        spread = (max(cal) - min(cal)) / min(cal)
        print(f"Machine steadiness: the fixed calibration work took {min(cal) * 1e3:.0f}-"
              f"{max(cal) * 1e3:.0f} ms across the runs ({spread:.0%} spread)"
              + ("; the machine was busy, rerun with a larger --repeat" if spread > 0.2 else ""))
    for (row, fw), msg in sorted(errors.items()):
        print(f"  {fw} {row} failed: {msg}")
    for name in LOOPS:
        if (name, "numtorch") in losses and (name, "torch") in losses:
            print(f"  final loss {name}: numtorch {losses[(name, 'numtorch')]:.6g}, "
                  f"PyTorch {losses[(name, 'torch')]:.6g}"
                  + (f", NumPy {losses[(name, 'numpy')]:.6g}" if (name, "numpy") in losses else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"samples": samples, "errors": {f"{k[0]}|{k[1]}": v for k, v in errors.items()},
                       "machine": machine_line(torch_ok, args.threads), "quick": args.quick}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
