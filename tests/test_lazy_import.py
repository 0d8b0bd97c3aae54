"""``import numtorch`` loads the core only; the other op families load on first use.

Checks, in fresh interpreters, that ``import numtorch, numtorch.nn, numtorch.optim,
numtorch.utils.data`` leaves the heavy families unloaded, that their names then work exactly
as eagerly loaded ones (module attributes, ``Tensor`` methods, ``dir``, ``import *``, pickle,
``create_graph`` formulas, ``numtorch run``), and that the lazy name tables agree with the
modules they point to. Expected values are worked out by hand (sorting, a determinant, a
convolution of ones).
"""
import json
import pickle
import subprocess
import sys
import textwrap

import numtorch
import numtorch.nn
import numtorch.nn.functional as F
from numtorch import _tensor_methods
from numtorch.ops import combinatorics, special_math

HEAVY = ("numtorch.ops.linalg_decomp", "numtorch.ops.linalg_extra", "numtorch.ops.sorting",
         "numtorch.ops.conv", "numtorch.ops.pooling", "numtorch.ops.rnn",
         "numtorch.ops.attention", "numtorch.ops.special_math", "numtorch.ops._tensor_array",
         "numtorch.nn.modules.transformer", "numtorch.nn.modules.conv", "numtorch.nn.modules.rnn",
         "numtorch.nn.utils.rnn", "numtorch.serialization", "numtorch._compile", "numtorch.func",
         "numtorch.viz", "numtorch.amp")


def _python(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_core_import_leaves_heavy_families_unloaded():
    loaded = json.loads(_python(f"""
        import json, sys
        import numtorch, numtorch.nn, numtorch.optim, numtorch.utils.data
        print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
    """))
    assert loaded == []


def test_lazy_names_work_on_first_use():
    out = _python("""
        import sys
        import numtorch as torch
        import numtorch.nn as nn
        import numtorch.nn.functional as F
        names = dir(torch)
        print(all(n in names for n in ("sort", "det", "conv2d", "compile", "save", "func")))
        print("numtorch.ops.sorting" in sys.modules)
        print(torch.sort(torch.tensor([3, 1, 2])).values.tolist())
        print(torch.linalg.det(torch.tensor([[2.0, 1.0], [1.0, 3.0]])).item())
        x = torch.tensor([4.0, 9.0, 1.0])
        print(x.topk(2).values.tolist(), torch.Tensor.topk is torch.topk)
        conv = nn.Conv2d(1, 1, 2)
        print(tuple(conv(torch.ones(1, 1, 3, 3)).shape), type(conv).__module__)
        print(F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)).flatten().tolist())
        print(all(n in dir(nn) for n in ("LSTM", "Conv2d", "parallel")), "conv2d" in dir(F))
    """).splitlines()
    assert out == ["True", "False", "[1, 2, 3]", "5.0", "[9.0, 4.0] True",
                   "(1, 1, 2, 2) numtorch.nn.modules.conv", "[4.0, 4.0, 4.0, 4.0]", "True True"]


def test_lazy_tensor_methods_first_reached_through_subclass_and_property():
    out = _python("""
        import numtorch as torch
        p = torch.nn.Parameter(torch.tensor([2.0, 1.0]))
        print(p.sort().values.tolist(), type(torch.Tensor.__dict__["sort"]).__name__)
        z = torch.tensor([1 + 2j])
        try:
            z.imag = z                      # a property with no setter, before it is loaded
        except AttributeError as e:
            first = str(e)
        try:
            z.imag = z
        except AttributeError as e:
            print(first == str(e), "setter" in first)
        print(z.real.tolist())
    """).splitlines()
    assert out == ["[1.0, 2.0] function", "True True", "[1.0]"]


def test_double_backward_loads_its_formulas_on_first_use():
    out = _python("""
        import sys
        import numtorch as torch
        print("numtorch.ops._tensor_array" in sys.modules)
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
        g.sum().backward()
        print(x.grad.tolist())
    """).splitlines()
    assert out == ["False", "[6.0, 12.0]"]      # d/dx of 3x^2 is 6x


def test_star_imports_give_the_lazy_names():
    out = _python("""
        ns, nn_ns = {}, {}
        exec("from numtorch import *", ns)
        exec("from numtorch.nn import *", nn_ns)
        print(all(n in ns for n in ("sort", "conv2d", "det", "FloatTensor", "tensor")),
              all(n in nn_ns for n in ("Conv2d", "LSTM", "Linear", "functional", "DataParallel")))
    """)
    assert out.split() == ["True", "True"]


def test_pickled_lazy_class_loads_in_a_fresh_process(tmp_path):
    path = tmp_path / "conv.pkl"
    path.write_bytes(pickle.dumps(numtorch.nn.Conv2d(2, 3, 1)))
    out = _python(f"""
        import pickle, sys
        import numtorch
        print("numtorch.nn.modules.conv" in sys.modules)
        m = pickle.loads(open({str(path)!r}, "rb").read())
        print(type(m).__qualname__, tuple(m.weight.shape))
    """).splitlines()
    assert out == ["False", "Conv2d (3, 2, 1, 1)"]


def test_numtorch_run_resolves_lazy_names(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text("import torch\nfrom torch.nn.functional import max_pool2d\n"
                    "from torch.nn.modules.rnn import LSTM\n"
                    "print(torch.sort(torch.tensor([2, 1])).values.tolist(), LSTM.__name__,\n"
                    "      max_pool2d(torch.arange(4.0).reshape(1, 1, 2, 2), 2).item())\n")
    out = subprocess.run([sys.executable, "-m", "numtorch.run", str(prog)], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[1,", "2]", "LSTM", "3.0"]


def test_lazy_tables_match_the_modules():
    import importlib
    modules = numtorch.nn.modules
    for sub, names in modules._LAZY.items():
        assert names.split() == importlib.import_module(f"numtorch.nn.modules.{sub}").__all__, sub
    assert numtorch._LAZY["numtorch.ops.special_math"].split() == special_math.__all__
    assert numtorch._LAZY["numtorch.ops.combinatorics"].split() == combinatorics.__all__
    special = _tensor_methods.LAZY_METHODS["numtorch.ops.special_math"].split()
    assert [item.partition("=")[0] for item in special] == list(special_math.TENSOR_METHODS)
    for item in special:                      # x.polygamma(n): the method form, n second
        name = item.partition("=")[0]
        assert getattr(numtorch.Tensor, name) is special_math.TENSOR_METHODS[name], name
    # every lazy name resolves, and to the object its module holds
    for mod in (numtorch, numtorch.nn, modules, F, numtorch.nn.modules.activation):
        for name in mod.__getattr__.lazy_names:
            assert getattr(mod, name) is not None, (mod.__name__, name)
    assert numtorch.norm is numtorch.Tensor.norm is numtorch.ops.linalg_extra.torch_norm
    assert numtorch.slogdet is numtorch.ops.linalg_decomp.torch_slogdet
    assert numtorch.nn.MultiheadAttention is numtorch.nn.modules.multihead.MultiheadAttention
    assert set(F.__all__) <= set(dir(F)) and set(modules.__all__) <= set(dir(numtorch.nn))
