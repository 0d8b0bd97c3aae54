"""Every example in numtorch's docstrings runs and prints what it says.

The examples are what a reader copies first, so they are checked like code: each module's
docstrings run as doctests (``torch``, ``nn`` and ``F`` are predefined, as the examples assume
``import numtorch as torch``). The printed values were checked against PyTorch 2.13 when the
examples were written (e.g. the samplers' orders after ``manual_seed(0)``), so a wrong example
is a wrong docstring or a wrong numtorch, never a test to update blindly.
"""
from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import warnings

import pytest

import numtorch

# modules whose import needs an optional package (their examples run where it is installed)
OPTIONAL = {"numtorch.distributed": "mpi4py", "numtorch.nn.parallel.distributed": "mpi4py"}
SKIP_PREFIXES = ("numtorch.examples", "numtorch.__main__")


def _module_names() -> list:
    names = ["numtorch"]
    for info in pkgutil.walk_packages(numtorch.__path__, "numtorch."):
        if not info.name.startswith(SKIP_PREFIXES):
            names.append(info.name)
    # numtorch.ops has no __init__.py (a namespace package), which walk_packages skips
    ops = os.path.join(os.path.dirname(numtorch.__file__), "ops")
    names += [f"numtorch.ops.{info.name}" for info in pkgutil.iter_modules([ops])]
    return sorted(names)


@pytest.mark.parametrize("name", _module_names())
def test_docstring_examples(name):
    need = next((pkg for mod, pkg in OPTIONAL.items() if name.startswith(mod)), None)
    if need:
        pytest.importorskip(need)
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs = {"torch": numtorch, "nn": numtorch.nn, "F": numtorch.nn.functional}
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for test in finder.find(module, name, globs=dict(globs, **vars(module))):
            out = []
            result = runner.run(test, out=out.append, clear_globs=True)
            if result.failed:
                failures.append("".join(out))
    numtorch.set_default_device(None)
    assert not failures, "\n".join(failures)
