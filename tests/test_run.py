"""``python -m numtorch.run program.py``: an unchanged PyTorch program runs on numtorch."""
import os
import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent('''
    import sys
    import torch
    import torch.nn.functional as F
    import torch.utils.data as data
    from torch.utils.data import DataLoader, TensorDataset
    print(sys.argv[1:], __name__, torch.__name__, data.DataLoader is DataLoader)
    torch.manual_seed(0)
    print([b[0].tolist() for b in DataLoader(TensorDataset(torch.arange(10)), batch_size=4,
                                             shuffle=True)])
    try:
        import torch.xyz
    except ImportError as e:
        print(type(e).__name__, e)
    try:
        torch.fancy_thing
    except AttributeError as e:
        print(type(e).__name__, e)
    torch.save({"a": torch.ones(2)}, "ck.pt")
    print(torch.load("ck.pt"))
''')


def _run(tmp_path, *args):
    prog = tmp_path / "prog.py"
    prog.write_text(PROGRAM)
    return subprocess.run([sys.executable, "-m", "numtorch.run", str(prog), *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_program_runs_with_torch_bound_to_numtorch(tmp_path):
    p = _run(tmp_path, "a", "--b")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "['a', '--b'] __main__ numtorch True"
    assert lines[1] == "[[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]"
    assert lines[2] == "ModuleNotFoundError numtorch does not implement torch.xyz yet"
    assert lines[3] == "AttributeError numtorch does not implement torch.fancy_thing yet"
    assert lines[4] == "{'a': tensor([1., 1.])}"


def test_usage_and_missing_program(tmp_path):
    p = subprocess.run([sys.executable, "-m", "numtorch.run"], capture_output=True, text=True)
    assert p.returncode == 2 and "usage" in p.stderr
    p = subprocess.run([sys.executable, "-m", "numtorch.run", str(tmp_path / "nope.py")],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "No such file" in p.stderr


def test_exit_code_and_traceback(tmp_path):
    prog = tmp_path / "fail.py"
    prog.write_text("import torch\nraise SystemExit(3)\n")
    p = subprocess.run([sys.executable, "-m", "numtorch.run", str(prog)], capture_output=True)
    assert p.returncode == 3


def test_install_in_process():
    code = ("from numtorch import run; run.install(); import numtorch, torch.utils.data as d; "
            "assert d is numtorch.utils.data; run.uninstall(); import sys; "
            "assert 'torch' not in sys.modules; print('ok')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stdout.strip() == "ok", p.stderr
