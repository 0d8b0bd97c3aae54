"""Issue 11's acceptance: a CNN tutorial's code with torchvision imports runs unchanged through
``numtorch run`` on real MNIST (../shared/data, where present) and learns."""
from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"


@pytest.mark.skipif(not (DATA / "MNIST" / "raw").is_dir(), reason="needs ../shared/data/MNIST")
def test_cnn_tutorial_runs_unchanged_and_learns():
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "numtorch.run",
                           str(HERE / "programs" / "cnn_tutorial.py"), str(DATA)],
                          capture_output=True, text=True, timeout=300, env=env,
                          cwd=HERE.parent)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "(conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))" in out
    assert "(bn1): BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, bias=True, " \
           "track_running_stats=True)" in out                  # torch 2.13's repr
    losses = [float(v) for v in re.findall(r"loss: ([0-9.]+)", out)]
    assert losses[0] > 2.0 and min(losses[1:]) < 1.6       # starts at ~ln(10), then learns
    correct = int(re.search(r"Accuracy: (\d+)/1000", out).group(1))
    assert correct >= 700                                   # chance is 100
