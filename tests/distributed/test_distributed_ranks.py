"""Multi-rank tests: collectives at 2 and 3 ranks, DDP at 2 ranks (through ``numtorch run
--nproc 2``), a failing rank, the mnist-ddp example. Each starts an MPI job (mpiexec from the
``numtorch[distributed]`` extra) and is skipped when mpi4py is not installed."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("mpi4py")

import numtorch  # noqa: E402
from numtorch.distributed.run import find_mpiexec  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
sys.path.insert(0, HERE)
import ddp_case  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
           PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))
TIMEOUT = 120


def _run(cmd, timeout=TIMEOUT, env=None):
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                         env=dict(ENV, **(env or {})), stdin=subprocess.DEVNULL)
    return out, time.perf_counter() - start


def _ranks(n, program, *args, env=None):
    return _run([find_mpiexec(), "-n", str(n), sys.executable,
                 os.path.join(PROGRAMS, program), *args], env=env)


def _launcher(*args, env=None):
    return _run([sys.executable, "-m", "numtorch", *args], env=env)


# DDP averages through an MPI shared-memory window when the ranks share a machine, else with
# MPI's all-reduce (NUMTORCH_DDP_SHARED_MEMORY=0 forces that): the DDP tests run both ways
PATHS = {"shared": {}, "mpi": {"NUMTORCH_DDP_SHARED_MEMORY": "0"}}


@pytest.mark.parametrize("n", [2, 3])
def test_collectives_match_numpy(n):
    out, _ = _ranks(n, "collectives.py")
    assert out.returncode == 0, out.stdout + out.stderr
    for r in range(n):
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith(f"rank {r} of {n}:"))
        assert int(line.split(": ")[1].split()[0]) >= 75, line


@pytest.fixture(scope="module", params=sorted(PATHS))
def ddp_job(request, tmp_path_factory):
    """ddp_ranks.py on 2 ranks through ``numtorch run --nproc 2``, with DDP's shared-memory
    sums or MPI's all-reduce: (result, checkpoint path)."""
    ckpt = str(tmp_path_factory.mktemp("ddp") / "ddp.pt")
    out, _ = _launcher("run", "--nproc", "2", os.path.join(PROGRAMS, "ddp_ranks.py"), ckpt,
                       env=PATHS[request.param])
    return out, ckpt


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("n", [2, 3])
def test_ddp_averages_at_any_number_of_ranks(n, path):
    out, _ = _ranks(n, "ddp_shared.py", path, env=PATHS[path])
    assert out.returncode == 0, out.stdout + out.stderr
    for r in range(n):
        assert f"rank {r}: 70 checks passed" in out.stdout, out.stdout + out.stderr


def test_ddp_two_ranks_equals_one_process(ddp_job):
    out, _ = ddp_job
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines and all(ln.startswith(("[rank0]: ", "[rank1]: ")) for ln in lines), lines
    for r in range(2):
        assert any(ln.startswith(f"[rank{r}]: rank {r}: ") and ln.endswith("ddp checks passed")
                   for ln in lines), lines


def test_ddp_checkpoint_from_rank0_loads_into_a_plain_model(ddp_job):
    out, ckpt = ddp_job
    assert out.returncode == 0, out.stdout + out.stderr
    record = np.load(ddp_case.RECORD)
    state = numtorch.load(ckpt)
    assert list(state) == [f"module.{k}" for k in ("l1.weight", "l1.bias", "l2.weight",
                                                   "l2.bias", "l3.weight", "l3.bias")]
    plain = ddp_case.build(numtorch)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "l1.weight"'):
        plain.load_state_dict(state)
    plain.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    for k, v in plain.state_dict().items():
        np.testing.assert_allclose(v.numpy(), record[f"sgd/{k}"], rtol=1e-5, atol=1e-5)


def test_ddp_checkpoint_loads_in_pytorch(ddp_job):
    torch = pytest.importorskip("torch")
    out, ckpt = ddp_job
    assert out.returncode == 0, out.stdout + out.stderr
    model = ddp_case.build(torch)
    state = torch.load(ckpt)
    model.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    record = np.load(ddp_case.RECORD)
    for k, v in model.state_dict().items():
        np.testing.assert_allclose(v.numpy(), record[f"sgd/{k}"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("how", ["launcher-raise", "launcher-exit", "mpiexec-raise"])
def test_failing_rank_stops_the_others(how):
    launcher, mode = how.split("-")
    program = os.path.join(PROGRAMS, "fail.py")
    if launcher == "launcher":
        out, seconds = _launcher("run", "--nproc", "2", program, mode)
    else:
        out, seconds = _ranks(2, "fail.py", mode)
    text = out.stdout + out.stderr
    assert out.returncode == (3 if mode == "exit" else 1), text
    assert "rank 0 was not stopped" not in text
    assert seconds < TIMEOUT
    if mode == "raise":
        prefix = "[rank1]: " if launcher == "launcher" else ""
        assert f"{prefix}ValueError: rank 1 fails on purpose" in out.stderr, text
        if launcher == "launcher":        # the traceback starts at the program, as python's
            assert f'{prefix}  File "{program}", line' in out.stderr, text


def test_example_mnist_ddp_on_two_ranks(tmp_path):
    out, _ = _launcher("examples", "run", "mnist-ddp", "--nproc", "2", "--quick",
                       "--no-plots", "--no-progress", "--out", str(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "[rank0]: parameters identical on all 2 ranks: True" in out.stdout, out.stdout
    assert "[rank0]: [mnist-ddp] final loss" in out.stdout and "ranks 2" in out.stdout
    assert not any(ln.startswith("[rank1]: ") and ln != "[rank1]: "
                   for ln in out.stdout.splitlines()), out.stdout      # rank 0 reports
    assert os.path.getsize(tmp_path / "mnist_ddp.pt") > 0


def test_bench_ddp_runs():
    bench = os.path.join(ROOT, "bench", "ddp.py")
    out, _ = _run([sys.executable, bench, "--ranks", "1", "2", "--steps", "3", "--warmup", "1",
                   "--rounds", "1", "--json"])
    assert out.returncode == 0, out.stdout + out.stderr
    import json
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["2"]["params_identical"] is True and got["2"]["grad_bytes"] == 814120
    assert got["1"]["plain_samples_per_s"] > 0 and got["2"]["samples_per_s"] > 0
