"""Smoke test of bench/: every workload (and its NumPy reference) runs one tiny iteration on
numtorch. No timing assertions."""
import math
import os
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")
sys.path.insert(0, BENCH)

import numtorch  # noqa: E402
import numtorch.nn  # noqa: E402,F401
import numtorch.optim  # noqa: E402,F401
import numtorch.utils.data  # noqa: E402,F401
import workloads  # noqa: E402
import numpy_ref  # noqa: E402


@pytest.mark.parametrize("name", sorted(workloads.WORKLOADS))
def test_workload_runs_on_numtorch(name):
    loop = workloads.WORKLOADS[name](numtorch, **workloads.SMOKE[name])
    loss = loop()
    assert isinstance(loss, float) and math.isfinite(loss)


@pytest.mark.parametrize("name", sorted(numpy_ref.REFERENCES))
def test_numpy_reference_runs(name):
    loss = numpy_ref.REFERENCES[name](**workloads.SMOKE[name])()
    assert isinstance(loss, float) and math.isfinite(loss)


def test_program_rewrite_to_numtorch():
    import run
    src = "import torch\nimport torch.nn as nn\nfrom torch.utils.data import DataLoader\nx = torch.ones(1)\n"
    assert run.to_numtorch(src) == ("import numtorch as torch\nimport numtorch.nn as nn\n"
                                     "from numtorch.utils.data import DataLoader\nx = torch.ones(1)\n")


def test_worker_import_row():
    out = subprocess.run([sys.executable, os.path.join(BENCH, "worker.py"), "numtorch", "--import"],
                         capture_output=True, text=True, check=True).stdout
    assert '"seconds"' in out and '"peak_mib"' in out
