"""``torch.backends``, ``torch.cuda``, ``torch.accelerator`` and the default device answer as
PyTorch 2.13's CPU build does.

The expressions live in tests/data/regen_vision.py; PyTorch's answers (values or exception types
and messages) are recorded in tests/data/vision.json, so these tests run without torch; with
torch installed the record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_vision.py``.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

import numtorch
from _oracle import live_torch

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _regen_module():
    spec = importlib.util.spec_from_file_location("regen_vision",
                                                  os.path.join(DATA, "regen_vision.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


REGEN = _regen_module()
with open(os.path.join(DATA, "vision.json"), encoding="utf-8") as _f:
    RECORD = json.load(_f)


@pytest.fixture
def clean_flags():
    """Leave numtorch's backend flags and default device as they were."""
    cudnn, mkldnn = numtorch.backends.cudnn, numtorch.backends.mkldnn
    saved = (cudnn.set_flags(), mkldnn.set_flags(), numtorch.backends.cuda.matmul.allow_tf32)
    cudnn.set_flags(*saved[0])
    mkldnn.set_flags(*saved[1])
    yield
    cudnn.set_flags(*saved[0])
    mkldnn.set_flags(*saved[1])
    numtorch.backends.cuda.matmul.allow_tf32 = saved[2]
    numtorch.set_default_device(None)


def test_record_covers_every_expression():
    assert [e for e, _ in RECORD["exprs"]] == REGEN.EXPRS
    assert len(RECORD["exprs"]) >= 100


def test_answers_match_pytorch(clean_flags):
    torch = live_torch()
    if torch is not None:
        # the record still equals live PyTorch (the expressions leave PyTorch's flags and
        # default device as they found them)
        assert REGEN.evaluate(torch) == RECORD["exprs"], "record is stale"
    got = REGEN.evaluate(numtorch)
    diffs = [(e, want, have) for (e, want), (_, have) in zip(RECORD["exprs"], got)
             if want != have]
    assert not diffs, "\n".join(f"{e}\n  torch:    {w}\n  numtorch: {h}" for e, w, h in diffs)


def test_common_device_idioms():
    device = ("cuda" if numtorch.cuda.is_available()
              else "mps" if numtorch.backends.mps.is_available() else "cpu")
    assert device == "cpu"
    acc = numtorch.accelerator.current_accelerator()
    assert (acc.type if acc is not None else "cpu") == "cpu"
    assert numtorch.zeros(2).to(device).device == numtorch.device("cpu")


def test_set_default_device_cuda_raises_at_once(clean_flags):
    # PyTorch without CUDA accepts the call and raises this at the next tensor creation;
    # numtorch raises it one line earlier and keeps the CPU default.
    with pytest.raises(AssertionError, match="^Torch not compiled with CUDA enabled$"):
        numtorch.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="not linked with support for mps devices"):
        numtorch.set_default_device("mps")
    assert numtorch.get_default_device() == numtorch.device("cpu")
    assert numtorch.zeros(1).device.type == "cpu"


def test_set_default_device_type_errors(clean_flags):
    with pytest.raises(TypeError, match="device\\(\\) received an invalid combination"):
        numtorch.set_default_device(1.5)
    numtorch.set_default_device("cpu:0")
    assert repr(numtorch.get_default_device()) == "device(type='cpu', index=0)"


def test_flags_context_managers_restore(clean_flags):
    cudnn = numtorch.backends.cudnn
    cudnn.benchmark = True
    with cudnn.flags(enabled=False, benchmark=False, deterministic=True):
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, False, True)
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, True, False)
    with pytest.raises(AttributeError, match="Unknown attribute bogus"):
        numtorch.backends.cuda.matmul.bogus = 1


def test_cpu_capability():
    cap = numtorch.backends.cpu.get_cpu_capability()
    assert cap in ("DEFAULT", "AVX2", "AVX512")
    torch = live_torch()
    if torch is not None:       # the answer depends on this machine: only live PyTorch knows it
        assert cap == torch.backends.cpu.get_cpu_capability()


def test_torch_namespace_is_lazy():
    code = ("import sys, numtorch; "
            "print([m for m in ('numtorch.backends', 'numtorch.accelerator', 'numtorch.vision') "
            "if m in sys.modules]); "
            "numtorch.backends.mps; numtorch.accelerator; "
            "print(sorted(m for m in sys.modules if m.startswith('numtorch.backends')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "[]"
    assert "numtorch.backends.cudnn" in lines[1] and "numtorch.backends.mps" in lines[1]
