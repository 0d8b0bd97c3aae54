"""The shortcuts taken for speed give the same results as the general paths.

Expected values come from mathematics (a gradient of indexing counts how often each position
was read) and from PyTorch (recorded in ``tests/data/oracle/fast_paths.json``/``.npz`` by
``tests/_oracle.py``; regenerate with ``python tests/data/regen_oracle.py tests/test_fast_paths.py``;
checked live when torch is installed).
"""
import numpy as np
import pytest

import numtorch as torch
from _oracle import Oracle

ORACLE = Oracle("fast_paths")


def _grad_of_index(index_fn, shape=(4, 5)):
    x = torch.arange(20, dtype=torch.float64).reshape(shape).requires_grad_()
    index_fn(x).sum().backward()
    return x.grad.numpy()


def _count_reads(shape, rows, cols):
    want = np.zeros(shape)
    np.add.at(want, (np.asarray(rows), np.asarray(cols)), 1.0)
    return want


@pytest.mark.parametrize("rows, cols", [
    (range(4), [1, 1, 3, 0]),              # the nll pattern: unique (row, col) pairs
    (range(0, 4, 2), [4, 4]),              # stepped range
    ([0, 0, 1, 1], [2, 2, 3, 3]),          # repeated pairs: each read counts
    ([3, 3, 3], [0, 0, 0]),
])
def test_index_gradient_counts_every_read(rows, cols):
    got = _grad_of_index(lambda x: x[rows, torch.tensor(cols)])
    assert np.array_equal(got, _count_reads((4, 5), list(rows), cols))


def test_index_with_range_and_2d_index_array():
    idx = torch.tensor([[0, 1], [1, 0]])
    got = _grad_of_index(lambda x: x[range(2), idx])
    # x[range(2), idx] broadcasts rows (2,) against idx (2, 2): reads (0,0),(1,1),(0,1),(1,0)
    want = np.zeros((4, 5))
    want[0, 0] = want[1, 1] = want[0, 1] = want[1, 0] = 1.0
    assert np.array_equal(got, want)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_no_grad_inplace_matches_out_of_place(op):
    a = torch.tensor([[1.5, -2.0], [3.25, 4.0]])
    b = torch.tensor([[0.5, 0.25], [-1.0, 2.0]])
    want = getattr(a, op)(b).numpy().copy()
    want_scalar = getattr(a, op)(3).numpy().copy()
    with torch.no_grad():
        c = a.clone()
        getattr(c, op + "_")(b)
        d = a.clone()
        getattr(d, op + "_")(3)
    assert np.array_equal(c.numpy(), want) and c.dtype == torch.float32
    assert np.array_equal(d.numpy(), want_scalar)


def test_no_grad_inplace_bumps_version_and_int_refuses_float():
    a = torch.ones(3)
    v = a._version
    with torch.no_grad():
        a -= 1
    assert a._version == v + 1 and a.tolist() == [0.0, 0.0, 0.0]
    n = torch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Long"):
        n += 0.5


def test_index_parity_with_torch():
    def grads(lib):
        out = []
        for rows, cols in ((range(3), [2, 2, 0]), ([1, 1], [0, 0]), (range(0, 4, 3), [1, 4])):
            x = lib.tensor(np.arange(20, dtype=np.float32).reshape(4, 5), requires_grad=True)
            (x[rows, lib.tensor(cols)] * lib.tensor([2.0] * len(cols))).sum().backward()
            out.append(x.grad)
        return out

    want = ORACLE.answer("index_grads", grads)
    for got, w in zip(grads(torch), want):
        assert str(got.dtype) == str(w.dtype)
        assert np.array_equal(got.numpy(), w.numpy())
