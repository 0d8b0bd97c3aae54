"""The glibc allocator setting numtorch applies on import (numtorch/_allocator.py)."""
import os
import subprocess
import sys

import pytest

GLIBC = sys.platform.startswith("linux") and bool(os.confstr("CS_GNU_LIBC_VERSION")
                                                  if hasattr(os, "confstr") else "")
PROBE = "import numtorch, numtorch._allocator as a; print(a._tuned)"


def _probe(**env):
    full = {k: v for k, v in os.environ.items()
            if k not in ("NUMTORCH_MALLOC_TUNING", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", PROBE], env=full, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="glibc only")
def test_applied_on_import():
    assert _probe() == "True"


def test_opt_out_and_user_settings_win():
    assert _probe(NUMTORCH_MALLOC_TUNING="0") == "False"
    assert _probe(MALLOC_TRIM_THRESHOLD_="1000000") == "False"
    assert _probe(MALLOC_MMAP_THRESHOLD_="1000000") == "False"


def test_results_do_not_depend_on_it():
    code = ("import numtorch as t; t.manual_seed(0); m = t.nn.Conv2d(1, 4, 3); "
            "x = t.randn(8, 1, 28, 28); y = m(x).relu().sum(); y.backward(); "
            "print(float(y), float(m.weight.grad.sum()))")
    env = dict(os.environ)
    a = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**env, "NUMTORCH_MALLOC_TUNING": "0"}).stdout
    b = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**env, "NUMTORCH_MALLOC_TUNING": "1"}).stdout
    assert a == b and a.strip()
