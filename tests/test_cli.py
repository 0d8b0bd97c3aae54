"""The ``numtorch`` command: examples (list, run), run, info; ``python -m numtorch``."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from numtorch import cli
from numtorch.examples import EXAMPLES



def test_no_command_prints_help(capsys):
    assert cli.main([]) == 0
    assert "{examples,run,info}" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["examples"], ["examples", "list"]])
def test_examples_lists_every_example(argv, capsys):
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    for name, ex in EXAMPLES.items():
        assert name in out and ex.description in out


def test_examples_run_one(tmp_path, capsys):
    rc = cli.main(["examples", "run", "sqrt2", "--out", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "[sqrt2] final loss" in out and "1 example(s) in" in out


def test_examples_run_all_quick(tmp_path, capsys):
    rc = cli.main(["examples", "run", "--all", "--quick", "--no-progress", "--no-plots",
                   "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    summary = out[out.index("Summary"):]
    for name in EXAMPLES:
        assert name in summary
    assert f"{len(EXAMPLES)} example(s) in" in out
    assert not list(tmp_path.glob("*.png"))


def test_examples_run_unknown_name(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["examples", "run", "no-such-example"])
    assert exc.value.code == 2
    assert "unknown example(s): no-such-example" in capsys.readouterr().err


def test_examples_run_needs_a_name(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["examples", "run"])
    assert exc.value.code == 2
    assert "--all" in capsys.readouterr().err


def test_info(capsys):
    import numpy as np

    import numtorch

    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"numtorch {numtorch.__version__}" in out
    assert f"NumPy {np.__version__}" in out
    assert "BLAS: " in out
    assert f"CUDA available: {numtorch.cuda.is_available()}" in out


def test_run_program(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent("""
        import sys
        import torch
        print(torch.__name__, sys.argv[1:])
        print(torch.tensor([1.0, 2.0]).sum())
    """))
    # A fresh interpreter: in this one `torch` may already be the real PyTorch.
    r = subprocess.run([sys.executable, "-m", "numtorch", "run", str(prog), "a", "--flag"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "numtorch ['a', '--flag']" in r.stdout
    assert "tensor(3.)" in r.stdout


def test_run_missing_program(tmp_path):
    r = subprocess.run([sys.executable, "-m", "numtorch", "run", "missing.py"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    assert "missing.py" in r.stderr and "No such file or directory" in r.stderr


def test_python_dash_m(tmp_path):
    r = subprocess.run([sys.executable, "-m", "numtorch", "examples"], capture_output=True,
                       text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "xor-mse" in r.stdout


def test_console_entry_point_exits_with_the_code(monkeypatch, capsys):
    from numtorch.__main__ import main

    monkeypatch.setattr(sys, "argv", ["numtorch", "info"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 0
    assert "NumPy" in capsys.readouterr().out
