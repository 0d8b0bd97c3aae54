"""torch.distributed's API without an MPI job: errors before init, names, the missing-extra
message, the launcher's options and rank-prefixed output, nn.DataParallel. Nothing here starts
MPI, so it runs with or without the ``numtorch[distributed]`` extra."""
from __future__ import annotations

import io
import sys

import pytest

import numtorch as torch
import numtorch.distributed as dist
from numtorch import nn
from numtorch.distributed import _mpi
from numtorch.distributed import run as launcher

NOT_INIT = ("Default process group has not been initialized, please make sure to call "
            "init_process_group.")


def test_calls_before_init_raise_pytorchs_error():
    assert dist.is_initialized() is False and dist.group.WORLD is None
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, dist.get_backend,
                 lambda: dist.all_reduce(torch.ones(2)), lambda: dist.new_group([0])):
        with pytest.raises(ValueError) as e:
            call()
        assert str(e.value) == NOT_INIT
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))


def test_names_as_pytorch():
    assert repr(dist.ReduceOp.SUM) == "<RedOpType.SUM: 0>"
    assert str(dist.ReduceOp.AVG) == "RedOpType.AVG"
    assert [int(getattr(dist.ReduceOp, n)) for n in
            ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR")] == list(range(8))
    assert dist.Backend("GLOO") == dist.Backend.GLOO == "gloo" and dist.Backend.MPI == "mpi"
    assert dist.GroupMember.NON_GROUP_MEMBER == -100
    assert isinstance(dist.is_available(), bool) and dist.is_nccl_available() is False
    assert torch.distributed is dist              # torch.distributed without importing it
    assert torch.nn.parallel.DistributedDataParallel.__name__ == "DistributedDataParallel"


def test_unknown_and_gpu_backends_are_refused_before_mpi_starts():
    with pytest.raises(AssertionError, match="Unknown backend type xyz"):
        dist.init_process_group("xyz")
    with pytest.raises(RuntimeError, match="runs on MPI with CPU tensors and has no 'nccl'"):
        dist.init_process_group("nccl")
    assert not dist.is_initialized()


def test_missing_mpi4py_names_the_extra(monkeypatch, capsys):
    monkeypatch.setattr(_mpi, "_MPI", None)
    monkeypatch.setitem(sys.modules, "mpi4py", None)      # `import mpi4py` now fails
    assert dist.is_available() is False
    with pytest.raises(RuntimeError) as e:
        dist.init_process_group("gloo")
    assert 'pip install "numtorch[distributed]"' in str(e.value)
    assert not dist.is_initialized()
    from numtorch import run
    assert run.main(["--nproc", "2", "program.py"]) == 1
    assert 'pip install "numtorch[distributed]"' in capsys.readouterr().err


def test_launcher_options(monkeypatch, capsys):
    started = []

    class FakePopen:
        def __init__(self, cmd):
            started.append(cmd)

        def wait(self):
            return 7
    monkeypatch.setattr(launcher.subprocess, "Popen", FakePopen)
    monkeypatch.setattr(launcher._mpi, "available", lambda: True)
    monkeypatch.setattr(launcher, "find_mpiexec", lambda: "mpiexec")   # none without the extra
    from numtorch import run
    assert run.main(["--nproc", "3", "--hostfile", "hosts", "--no-prefix", "--seed", "4",
                     "prog.py", "a"]) == 7
    cmd = started[-1]
    assert cmd[1:5] == ["-n", "3", "-hostfile", "hosts"]
    assert cmd[5:] == [sys.executable, "-m", "numtorch.run", "--_rank",
                       "--no-prefix", "--seed", "4", "prog.py", "a"]
    assert launcher.main(["--nproc-per-node=2", "prog.py"]) == 7
    assert started[-1][2] == "2" and "--no-prefix" not in started[-1]
    assert run.main(["--nproc", "0", "prog.py"]) == 2
    assert "--nproc must be a positive number" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="expects a number, got 'x'"):
        run.main(["--nproc", "x", "prog.py"])


def test_rank_prefixed_lines():
    out = io.StringIO()
    s = launcher._Prefixed(out, "[rank1]: ")
    print("a", 1, file=s)                        # print writes its pieces separately
    s.write("no end yet")
    assert out.getvalue() == "[rank1]: a 1\n"    # a partial line waits
    s.write(" ... done\nnext\n")
    s.write("\rprogress 1")
    s.flush()
    s.write("\rprogress 2\n")
    assert out.getvalue() == ("[rank1]: a 1\n[rank1]: no end yet ... done\n[rank1]: next\n"
                              "\r[rank1]: progress 1\r[rank1]: progress 2\n")


def test_data_parallel_is_a_pass_through_with_pytorchs_shape():
    torch.manual_seed(0)
    inner = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    m = nn.DataParallel(inner)
    assert nn.DataParallel is nn.parallel.DataParallel and m.module is inner
    assert repr(m) == ("DataParallel(\n  (module): Sequential(\n"
                       "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
                       "    (1): " + repr(inner[1]) + "\n  )\n)")
    assert list(m.state_dict()) == ["module.0.weight", "module.0.bias", "module.1.weight",
                                    "module.1.bias", "module.1.running_mean",
                                    "module.1.running_var", "module.1.num_batches_tracked"]
    assert m.device_ids == []
    x = torch.randn(4, 2)
    assert torch.equal(m(x), inner(x)) and torch.equal(m(input=x), inner(x))
    m(x).sum().backward()
    assert inner[0].weight.grad is not None
    plain = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as e:
        plain.load_state_dict(nn.DataParallel(nn.Linear(2, 3)).state_dict())
    assert str(e.value) == ('Error(s) in loading state_dict for Linear:\n\tMissing key(s) in '
                            'state_dict: "weight", "bias". \n\tUnexpected key(s) in state_dict: '
                            '"module.weight", "module.bias". ')
    lin = nn.Linear(2, 3)
    assert torch.equal(nn.parallel.data_parallel(lin, x), lin(x))
    assert torch.equal(nn.parallel.data_parallel(lin, (x,), module_kwargs={}), lin(x))


def test_examples_nproc_takes_distributed_examples_only(capsys):
    from numtorch import cli
    with pytest.raises(SystemExit) as e:
        cli.main(["examples", "run", "xor-mse", "--nproc", "2"])
    assert e.value.code == 2
    assert "--nproc runs distributed examples only; xor-mse" in capsys.readouterr().err
