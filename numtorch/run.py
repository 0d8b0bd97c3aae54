"""``python -m numtorch.run program.py [args]``: run an unchanged PyTorch program on numtorch.

``import torch`` and every ``torch.*`` submodule the program imports resolve to ``numtorch``
and ``numtorch.*``; ``import torchvision`` (``torchvision.datasets``, ``.transforms``,
``.utils``) resolves to ``numtorch.vision``. A submodule numtorch lacks raises
``ModuleNotFoundError: numtorch does not implement torch.xyz yet``; a missing attribute raises
the same text as AttributeError.
The program runs as ``__main__`` with ``sys.argv`` and ``sys.path[0]`` set as ``python``
sets them. ``python -m numtorch.run -m package.module [args]`` runs a module instead, and
``--seed N`` first calls ``manual_seed(N)`` (for programs that set no seed of their own).

Inside Python, ``numtorch.run.install()`` makes ``import torch`` mean numtorch.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys
from typing import List, Optional

__all__ = ["install", "uninstall", "main"]

_USAGE = ("usage: python -m numtorch.run [--nproc N [--hostfile FILE] [--no-prefix]] [--seed N] "
          "[-m module | program.py] [args ...]")


# top-level package aliased -> the numtorch package it means
_ALIASES = {"torch": "numtorch", "torchvision": "numtorch.vision"}


def _real_name(fullname: str) -> Optional[str]:
    """``numtorch[.x]`` for ``torch[.x]``, ``numtorch.vision[.x]`` for ``torchvision[.x]``."""
    top, dot, rest = fullname.partition(".")
    base = _ALIASES.get(top)
    return None if base is None else base + dot + rest


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Meta-path finder and loader: ``torch[.x.y]`` is the module ``numtorch[.x.y]`` and
    ``torchvision[.x]`` is ``numtorch.vision[.x]``."""

    def find_spec(self, fullname: str, path=None, target=None):
        real = _real_name(fullname)
        if real is None:
            return None
        if real not in sys.modules:
            parent = real.rpartition(".")[0]
            try:
                found = importlib.util.find_spec(real)
            except ModuleNotFoundError as e:
                if e.name not in (real, parent):
                    raise
                found = None
            if found is None:
                raise ModuleNotFoundError(f"numtorch does not implement {fullname} yet",
                                          name=real)
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return importlib.import_module(_real_name(spec.name))

    def exec_module(self, module) -> None:
        pass


_finder: Optional[TorchAlias] = None


def install() -> None:
    """Make ``import torch`` (and ``torch.*``) import numtorch in this interpreter."""
    global _finder
    if _finder is None:
        _finder = TorchAlias()
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Undo ``install()`` (modules already imported as ``torch`` stay in ``sys.modules``)."""
    global _finder
    if _finder is not None:
        sys.meta_path.remove(_finder)
        _finder = None
        for name in [n for n in sys.modules if _real_name(n) is not None]:
            if getattr(sys.modules[name], "__name__", "").startswith("numtorch"):
                del sys.modules[name]


def main(argv: Optional[List[str]] = None) -> Optional[int]:
    """Run a program (or ``-m module``) with ``torch`` bound to numtorch; with ``--nproc N``
    first, on N ranks (see :mod:`numtorch.distributed.run`), returning the job's exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not argv else sys.stdout)
        raise SystemExit(2 if not argv else 0)
    if argv[0].startswith(("--nproc", "--hostfile", "--no-prefix")):   # several ranks (MPI)
        from .distributed.run import main as run_ranks
        return run_ranks(argv)
    if argv[0] == "--_rank":                    # one of those ranks (started by mpiexec)
        from .distributed.run import rank_main
        return rank_main(argv[1:], main)
    install()
    if argv[0] == "--seed" and len(argv) > 2:      # like calling torch.manual_seed(N) first
        import numtorch
        numtorch.manual_seed(int(argv[1]))
        argv = argv[2:]
    if argv[0] == "-m":
        if len(argv) < 2:
            print(_USAGE, file=sys.stderr)
            raise SystemExit(2)
        sys.argv = [argv[1]] + argv[2:]
        sys.path.insert(0, os.getcwd())
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return
    prog = argv[0]
    if not os.path.exists(prog):
        print(f"{sys.executable}: can't open file {os.path.abspath(prog)!r}: "
              f"[Errno 2] No such file or directory", file=sys.stderr)
        raise SystemExit(2)
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(prog)))
    runpy.run_path(prog, run_name="__main__")


if __name__ == "__main__":
    sys.exit(main())
