"""The ``numtorch`` command (also ``python -m numtorch``).

    numtorch examples                      list the examples
    numtorch examples run NAME [NAME ...]  train and report (plots into ./numtorch-out/)
    numtorch examples run --all            every example
    numtorch run program.py [args ...]     run a PyTorch program on numtorch (numtorch.run)
    numtorch run --nproc N program.py      the same on N ranks through MPI (numtorch[distributed])
    numtorch examples run mnist-ddp --nproc 2   a distributed example on 2 ranks
    numtorch info                          versions, NumPy's BLAS, CUDA availability
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
from typing import List, Optional, Sequence

__all__ = ["main", "build_parser", "info_lines"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="numtorch",
        description="numtorch: PyTorch's programming model on NumPy.",
    )
    sub = p.add_subparsers(dest="command", metavar="{examples,run,info}")

    ex = sub.add_parser("examples", help="list or run the bundled examples",
                        description="List the examples, or run some (or --all) of them.")
    ex_sub = ex.add_subparsers(dest="action", metavar="{list,run}")
    ex_sub.add_parser("list", help="list the examples (the default)")
    run = ex_sub.add_parser("run", help="train examples and report",
                            description="Train examples, print their summaries and save plots.")
    run.add_argument("names", nargs="*", metavar="NAME", help="examples to run")
    run.add_argument("--all", action="store_true", help="run every example")
    run.add_argument("--out", default="numtorch-out", metavar="DIR",
                     help="folder for the plots and checkpoints (default: ./numtorch-out)")
    run.add_argument("--quick", action="store_true",
                     help="train for a few steps only (a smoke test)")
    run.add_argument("--no-plots", action="store_true", help="do not draw plots")
    run.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    run.add_argument("--nproc", type=int, default=None, metavar="N",
                     help="run distributed examples (mnist-ddp) on N processes through MPI")
    run.set_defaults(run_parser=run)

    r = sub.add_parser("run", help="run a PyTorch program with `import torch` bound to numtorch",
                       description="Run a PyTorch program unchanged on numtorch "
                                   "(same as python -m numtorch.run).",
                       add_help=False)
    r.add_argument("argv", nargs=argparse.REMAINDER, metavar="program.py [args ...]")

    sub.add_parser("info", help="print versions, NumPy's BLAS and CUDA availability")
    return p


# -- examples --------------------------------------------------------------------------------

def _list_examples() -> int:
    from .examples import EXAMPLES

    width = max(len(n) for n in EXAMPLES)
    print("numtorch examples (run one with `numtorch examples run NAME`, "
          "all with `numtorch examples run --all`):")
    for name, ex in EXAMPLES.items():
        print(f"  {name:<{width}}  {ex.description}")
    return 0


def _run_examples(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .examples import EXAMPLES, run_example
    from .examples._plot import have_matplotlib

    if args.all:
        names = list(EXAMPLES)
    elif args.names:
        unknown = [n for n in args.names if n not in EXAMPLES]
        if unknown:
            parser.error(f"unknown example(s): {', '.join(unknown)} "
                         f"(choose from: {', '.join(EXAMPLES)})")
        names = list(args.names)
    else:
        parser.error("name an example to run, or pass --all (see `numtorch examples`)")

    if args.nproc is not None and args.nproc != 1:
        return _run_examples_on_ranks(args, names, parser)
    os.environ.setdefault("MPLBACKEND", "Agg")
    start = time.perf_counter()
    results = []
    other_rank = os.environ.get("RANK", "0") != "0"   # of --nproc: rank 0 reports
    for name in names:
        results.append(run_example(name, out_dir=args.out, quick=args.quick,
                                   show_progress=not args.no_progress,
                                   plots=not args.no_plots, verbose=not other_rank))
        if not other_rank:
            print(flush=True)
    total = time.perf_counter() - start
    if other_rank:
        return 0

    if len(results) > 1:
        width = max(len(r.name) for r in results)
        print("Summary")
        print(f"  {'example':<{width}}  {'final loss':>11}  {'accuracy':>8}  {'time':>7}")
        for r in results:
            acc = "" if r.accuracy is None else f"{100 * r.accuracy:.2f}%"
            print(f"  {r.name:<{width}}  {r.final_loss:>11.4g}  {acc:>8}  {r.seconds:>6.2f}s")
    n_plots = sum(len(r.plots) for r in results)
    if n_plots:
        print(f"{n_plots} plots saved under {os.path.abspath(args.out)}")
    elif not args.no_plots and not have_matplotlib():
        print("Plots skipped: matplotlib is not installed (pip install \"numtorch[examples]\").")
    print(f"{len(results)} example(s) in {total:.1f} s")
    return 0


def _run_examples_on_ranks(args: argparse.Namespace, names: List[str],
                           parser: argparse.ArgumentParser) -> int:
    """``numtorch examples run NAME --nproc N``: the same command on N ranks (MPI)."""
    from .examples import load

    if args.nproc < 1:
        parser.error("--nproc must be a positive number of processes")
    single = [n for n in names if not getattr(load(n), "DISTRIBUTED", False)]
    if single:
        parser.error(f"--nproc runs distributed examples only; {', '.join(single)} "
                     f"train(s) in one process")
    from .distributed.run import launch

    argv = ["-m", "numtorch", "examples", "run", *names, "--out", args.out]
    argv += [flag for flag, on in (("--quick", args.quick), ("--no-plots", args.no_plots),
                                   ("--no-progress", args.no_progress)) if on]
    try:
        return launch(args.nproc, argv)
    except RuntimeError as e:
        print(f"numtorch examples: {e}", file=sys.stderr)
        return 1


# -- run ---------------------------------------------------------------------------------------

def _run_program(argv: Sequence[str]) -> int:
    try:
        runner = importlib.import_module("numtorch.run")
    except ModuleNotFoundError as e:
        if e.name != "numtorch.run":
            raise
        print("numtorch run: numtorch.run is not available in this installation",
              file=sys.stderr)
        return 2
    rc = runner.main(list(argv))
    return 0 if rc is None else int(rc)


# -- info --------------------------------------------------------------------------------------

def _version(dist: str) -> Optional[str]:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _blas() -> str:
    """The BLAS NumPy was built with, and how many threads it uses."""
    import numpy as np

    found = []
    try:
        cfg = np.show_config(mode="dicts")  # NumPy >= 1.26
        deps = cfg.get("Build Dependencies", {})
        for key in ("blas", "lapack"):
            d = deps.get(key) or {}
            if d.get("name"):
                found.append(f"{key} {d['name']} {d.get('version', '')}".strip())
    except TypeError:  # older NumPy: show_config() takes no mode
        conf = getattr(np, "__config__", None)
        for key in ("blas_opt_info", "blas_ilp64_opt_info", "openblas_info"):
            info = getattr(conf, key, None)
            if info and info.get("libraries"):
                found.append("blas " + ", ".join(info["libraries"]))
                break
    except Exception:  # pragma: no cover - unusual NumPy builds
        pass
    import numtorch
    found.append(f"{numtorch.get_num_threads()} BLAS threads (numtorch.set_num_threads changes it)")
    return "; ".join(found) if found else "unknown"


def info_lines() -> List[str]:
    import numpy as np

    import numtorch

    cuda = numtorch.cuda.is_available()
    cupy = _version("cupy") or next((_version(d) for d in ("cupy-cuda12x", "cupy-cuda11x")
                                     if _version(d)), None)
    lines = [
        f"numtorch {numtorch.__version__} ({os.path.dirname(os.path.abspath(numtorch.__file__))})",
        f"Python {platform.python_version()} ({platform.python_implementation()}, "
        f"{platform.system()} {platform.machine()})",
        f"NumPy {np.__version__}",
        f"BLAS: {_blas()}",
        f"CUDA available: {cuda}" + ("" if cuda else
                                     (" (CuPy " + cupy + " installed)" if cupy
                                      else " (CuPy not installed)")),
    ]
    extras = []
    for dist in ("matplotlib", "tqdm", "scikit-learn", "mpi4py", "mpich", "torch"):
        v = _version(dist)
        extras.append(f"{dist} {v}" if v else f"{dist} (not installed)")
    lines.append("Optional: " + ", ".join(extras))
    return lines


# -- entry point -------------------------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``numtorch`` command on ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `numtorch run ...` passes everything after `run` to the program runner untouched.
    if argv and argv[0] == "run":
        return _run_program(argv[1:])
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "examples":
        if args.action in (None, "list"):
            return _list_examples()
        return _run_examples(args, args.run_parser)
    if args.command == "info":
        print("\n".join(info_lines()))
        return 0
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover
    return 2
