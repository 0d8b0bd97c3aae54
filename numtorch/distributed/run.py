"""Start a program on several ranks: ``numtorch run --nproc N program.py [args]``.

The ranks are MPI processes started by ``mpiexec`` (from the ``mpich`` package that
``pip install "numtorch[distributed]"`` brings). Each rank runs the program as
``python -m numtorch.run`` would (``import torch`` is numtorch), with torchrun's environment
variables set (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``, ``MASTER_ADDR``,
``MASTER_PORT``), so ``init_process_group`` and code that reads them work unchanged.

Output: every line a rank prints is prefixed with its rank, ``[rank0]: ...`` (``--no-prefix``
turns it off). When a rank fails (an exception, or ``sys.exit`` with a non-zero code), its
traceback is printed and every rank is stopped; the exit code is then non-zero.

Options (before the program)::

    --nproc N            number of ranks (also --nproc-per-node / --nproc_per_node, as torchrun)
    --hostfile FILE      run on the machines listed in FILE (MPICH's format: ``host:slots``)
    --no-prefix          do not prefix output lines with the rank
    --seed N             torch.manual_seed(N) in every rank before the program

``python -m numtorch.distributed.run --nproc-per-node 2 program.py`` is the same command.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import traceback
from typing import Callable, List, Optional, Sequence

from . import _mpi

__all__ = ["main", "launch", "find_mpiexec", "rank_main"]

USAGE = ("usage: numtorch run --nproc N [--hostfile FILE] [--no-prefix] [--seed N] "
         "[-m module | program.py] [args ...]")

_WORKER = "--_rank"             # numtorch.run's hidden option: "this process is a rank"


def find_mpiexec() -> str:
    """The ``mpiexec`` to use: the one installed beside this Python (the ``mpich`` wheel puts
    it there), else the first on ``PATH``."""
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise RuntimeError("numtorch run --nproc needs MPI's launcher, mpiexec, which is not "
                           f"installed. Install it with: {_mpi.INSTALL_HINT}")
    return found


def launch(nproc: int, argv: Sequence[str], hostfile: Optional[str] = None,
           prefix: bool = True, mpiexec: Optional[str] = None) -> int:
    """Run ``python -m numtorch.run *argv`` on ``nproc`` ranks; return the job's exit code
    (0 when every rank succeeded)."""
    if not _mpi.available():
        raise RuntimeError("numtorch run --nproc needs MPI through mpi4py, which is not "
                           f"installed. Install it with: {_mpi.INSTALL_HINT}")
    cmd = [mpiexec or find_mpiexec(), "-n", str(int(nproc))]
    if hostfile:
        cmd += ["-hostfile", hostfile]
    cmd += [sys.executable, "-m", "numtorch.run", _WORKER]
    if not prefix:
        cmd.append("--no-prefix")
    cmd += list(argv)
    proc = subprocess.Popen(cmd)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:    # pragma: no cover - mpiexec did not stop
            proc.kill()
            return proc.wait()


def _parse(argv: List[str]):
    nproc, hostfile, prefix = None, None, True
    while argv and argv[0].startswith("--") and argv[0] != "--seed":
        opt, _, value = argv.pop(0).partition("=")
        if opt in ("--nproc", "--nproc-per-node", "--nproc_per_node", "--hostfile"):
            if not value:
                if not argv:
                    raise SystemExit(f"numtorch run: {opt} needs a value\n{USAGE}")
                value = argv.pop(0)
            if opt == "--hostfile":
                hostfile = value
            else:
                try:
                    nproc = int(value)
                except ValueError:
                    raise SystemExit(f"numtorch run: {opt} expects a number, got {value!r}")
        elif opt == "--no-prefix":
            prefix = False
        elif opt == "--standalone":
            pass
        else:
            raise SystemExit(f"numtorch run: unknown option {opt}\n{USAGE}")
    return nproc, hostfile, prefix, argv


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``numtorch run --nproc N ...``: start the ranks and wait; the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__ if argv else USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    nproc, hostfile, prefix, rest = _parse(argv)
    if nproc is None or nproc < 1:
        print(f"numtorch run: --nproc must be a positive number of ranks\n{USAGE}",
              file=sys.stderr)
        return 2
    if not rest:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        return launch(nproc, rest, hostfile, prefix)
    except RuntimeError as e:
        print(f"numtorch run: {e}", file=sys.stderr)
        return 1


# -- in each rank ---------------------------------------------------------------------------------

class _Prefixed(io.TextIOBase):
    """A text stream that writes to ``stream`` whole lines, each as ``prefix + line`` (so the
    lines of different ranks do not mix); a partial line waits for its end or a ``flush()``."""

    def __init__(self, stream, prefix: str) -> None:
        self._stream, self._prefix = stream, prefix
        self._pending = ""          # the unfinished line
        self._midline = False       # a flushed partial line is out without its end

    def write(self, text: str) -> int:
        if not text:
            return 0
        self._pending += text
        if "\n" in text:
            done, _, self._pending = self._pending.rpartition("\n")
            self._emit(done + "\n")
            self._stream.flush()
        return len(text)

    def _emit(self, text: str) -> None:
        p = self._prefix
        text = text.replace("\r\n", "\n")
        if "\r" in text:                  # a progress bar redrawing its line keeps the prefix
            text = text.replace("\r", "\r" + p)
        lines = text.split("\n")
        out = "\n".join(p + line for line in lines[:-1])
        if len(lines) > 1:
            out += "\n"
        if lines[-1]:
            out += p + lines[-1]
        if self._midline and out.startswith(p):
            out = out[len(p):]
        if "\r" in out:
            out = out.replace(p + "\r" + p, "\r" + p)
        self._midline = bool(lines[-1])
        self._stream.write(out)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
            self._emit(pending)
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self):
        return getattr(self._stream, "encoding", "utf-8")


def _env_rank():
    """``(rank, size, local_rank, local_size)`` from the MPI launcher's environment."""
    env = os.environ
    for rank, size, lrank, lsize in (
            ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),          # MPICH
            ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK",
             "OMPI_COMM_WORLD_LOCAL_SIZE")):                                         # Open MPI
        if rank in env and size in env:
            return (int(env[rank]), int(env[size]), int(env.get(lrank, env[rank])),
                    int(env.get(lsize, env[size])))
    comm = _mpi.world_comm()
    return comm.Get_rank(), comm.Get_size(), comm.Get_rank(), comm.Get_size()


def _print_user_traceback(e: BaseException, runner_file: str) -> None:
    """The traceback as ``python program.py`` prints it: without the launcher's own frames."""
    ours = {os.path.abspath(__file__), os.path.abspath(runner_file)}
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None and (
            os.path.abspath(tb.tb_frame.f_code.co_filename) in ours
            or tb.tb_frame.f_code.co_filename.startswith("<frozen runpy")):
        tb = tb.tb_next
    traceback.print_exception(type(e), e, tb)


def rank_main(argv: List[str], run_program: Callable[[List[str]], object]) -> int:
    """In each rank (``python -m numtorch.run --_rank [--no-prefix] ARGS``, as ``launch``
    starts them): torchrun's environment variables, rank-prefixed output, MPI started, then
    ``run_program(ARGS)``; a failure prints its traceback and stops every rank."""
    prefix = True
    if argv and argv[0] == "--no-prefix":
        prefix, argv = False, argv[1:]
    rank, size, local_rank, local_size = _env_rank()
    for key, value in (("RANK", rank), ("WORLD_SIZE", size), ("LOCAL_RANK", local_rank),
                       ("LOCAL_WORLD_SIZE", local_size), ("GROUP_RANK", 0),
                       ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", 29500)):
        os.environ.setdefault(key, str(value))
    tag = f"[rank{rank}]: " if prefix else ""     # whole lines either way: ranks do not mix
    sys.stdout = _Prefixed(sys.stdout, tag)
    sys.stderr = _Prefixed(sys.stderr, tag)
    _mpi.mpi()                       # MPI up before the program: a failure can stop every rank
    code = 0
    try:
        run_program(argv)
    except SystemExit as e:
        if e.code is None or e.code == 0:
            code = 0
        elif isinstance(e.code, int):
            code = e.code
        else:
            print(e.code, file=sys.stderr)
            code = 1
    except BaseException as e:       # noqa: B902 - any failure stops every rank
        _print_user_traceback(e, run_program.__code__.co_filename)
        code = 130 if isinstance(e, KeyboardInterrupt) else 1
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    if code:
        _mpi.abort(code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
