"""nn.init: the same random draws as PyTorch (bit for bit), gains, fans and error texts.

PyTorch's answers are recorded in ``tests/data/oracle/nn_init.{json,npz}`` (see
``tests/_oracle.py``); regenerate with ``python tests/data/regen_oracle.py tests/nn/test_init.py``
where torch 2.13 is installed.
"""
from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

import numtorch
from numtorch.nn import init
from _oracle import Oracle, error

ORACLE = Oracle("nn_init")

# (name, kwargs) of every random init; each runs on both libraries after the same seed
RANDOM_INITS = [
    ("uniform_", {}), ("uniform_", {"a": -0.3, "b": 0.7}),
    ("normal_", {}), ("normal_", {"mean": 0.5, "std": 0.02}),
    ("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 5.0 / 3}),
    ("xavier_normal_", {}), ("xavier_normal_", {"gain": math.sqrt(2.0)}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {}), ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {"a": 0.2, "nonlinearity": "leaky_relu"}),
    ("trunc_normal_", {}), ("trunc_normal_", {"std": 0.02}),
    ("trunc_normal_", {"mean": 0.0, "std": 1.0, "a": 0.5, "b": 1.0}),
]
SHAPES = [(3, 5), (4, 4), (10, 1), (8, 3, 2, 2), (64, 32)]
FULL = 256      # tensors up to this size are recorded whole; larger ones by digest and head


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def _fingerprint(a: np.ndarray) -> dict:
    """What the record keeps of an init's tensor: all of it, or its bytes' SHA-256 and head."""
    if a.size <= FULL:
        return {"values": a}
    return {"sha256": _digest(a), "head": a.reshape(-1)[:32].copy()}


def _assert_bitwise(got: np.ndarray, want: dict) -> None:
    if "values" in want:
        assert got.dtype == want["values"].dtype and got.shape == want["values"].shape
        assert np.array_equal(got, want["values"])
        assert got.tobytes() == want["values"].tobytes()          # bit for bit (signed zeros too)
    else:
        np.testing.assert_array_equal(got.reshape(-1)[:32], want["head"])
        assert _digest(got) == want["sha256"]


@pytest.mark.parametrize("name,kwargs", RANDOM_INITS, ids=lambda v: str(v))
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_init_bitwise_matches_torch(name, kwargs, shape, dtype):
    def run(T):
        T.manual_seed(7)
        t = T.empty(*shape, dtype=getattr(T, dtype))
        out = getattr(T.nn.init, name)(t, **kwargs)
        assert out is t
        # the generator advanced by the same amount
        return {"init": _fingerprint(t.numpy()), "next": float(T.rand(1))}
    want = ORACLE.answer(f"random/{name}/{kwargs}/{shape}/{dtype}", run)
    numtorch.manual_seed(7)
    a = numtorch.empty(*shape, dtype=getattr(numtorch, dtype))
    ra = getattr(init, name)(a, **kwargs)
    assert ra is a
    _assert_bitwise(a.numpy(), want["init"])
    assert float(numtorch.rand(1)) == want["next"]


def test_init_on_parameter_keeps_requires_grad_and_builds_no_graph():
    p = numtorch.nn.Parameter(numtorch.empty(3, 4))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_,
               init.trunc_normal_, init.zeros_, init.ones_, init.eye_, init.orthogonal_):
        out = fn(p)
        assert out is p and p.requires_grad and p.grad_fn is None


def test_init_with_generator_matches_torch():
    def run(T):
        g = T.Generator().manual_seed(3)
        t = T.empty(4, 6)
        T.nn.init.kaiming_uniform_(t, generator=g)
        T.nn.init.normal_(t, 1.0, 2.0, generator=g)
        return t
    want = ORACLE.answer("generator", run)
    _assert_bitwise(run(numtorch).numpy(), {"values": want.numpy()})


def test_trunc_normal_stays_in_bounds():
    numtorch.manual_seed(0)
    t = init.trunc_normal_(numtorch.empty(2000), mean=0.0, std=1.0, a=-0.5, b=0.5)
    assert float(t.min()) >= -0.5 and float(t.max()) <= 0.5
    t = init.trunc_normal_(numtorch.empty(2000), std=0.02)
    assert float(t.abs().max()) <= 2.0
    assert abs(float(t.std()) - 0.02) < 0.002


def test_deterministic_inits_match_math():
    t = numtorch.empty(2, 3)
    assert init.ones_(t).tolist() == [[1.0] * 3] * 2
    assert init.zeros_(t).tolist() == [[0.0] * 3] * 2
    assert init.constant_(t, 0.25).tolist() == [[0.25] * 3] * 2
    assert init.eye_(t).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    d = init.dirac_(numtorch.empty(2, 2, 3))
    assert d.tolist() == [[[0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0]]]
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(numtorch.empty(3))


def test_dirac_groups_matches_torch():
    want = ORACLE.answer("dirac_groups",
                         lambda torch: torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), groups=2))
    a = init.dirac_(numtorch.empty(4, 2, 3, 3), groups=2)
    _assert_bitwise(a.numpy(), {"values": want.numpy()})


def test_orthogonal_is_orthogonal():
    numtorch.manual_seed(0)
    for shape in [(4, 4), (3, 6), (6, 3), (4, 2, 2)]:
        w = init.orthogonal_(numtorch.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1)
        small = min(w.shape)
        g = w @ w.T if w.shape[0] == small else w.T @ w
        np.testing.assert_allclose(g, 4.0 * np.eye(small), atol=1e-5)


def test_sparse_zeros_per_column():
    numtorch.manual_seed(0)
    w = init.sparse_(numtorch.empty(10, 4), sparsity=0.3).numpy()
    assert ((w == 0).sum(axis=0) >= 3).all()


def test_calculate_gain_values():
    assert init.calculate_gain("linear") == 1
    assert init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == 5.0 / 3
    assert init.calculate_gain("relu") == math.sqrt(2.0)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == math.sqrt(2.0 / 6.0)
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_calculate_gain_matches_torch():
    cases = [("linear",), ("tanh",), ("relu",), ("leaky_relu",), ("leaky_relu", 0.3),
             ("leaky_relu", 2), ("selu",), ("conv_transpose3d",), ("sigmoid",)]
    want = ORACLE.answer("calculate_gain", lambda torch: [torch.nn.init.calculate_gain(*a) for a in cases])
    assert [init.calculate_gain(*a) for a in cases] == want


def test_fans_and_errors_match_torch():
    shapes = [(3, 5), (8, 3, 2, 2), (2, 4, 3)]
    bad = (lambda T: T.nn.init.xavier_uniform_(T.empty(3)),
           lambda T: T.nn.init.kaiming_normal_(T.empty(3, 3), mode="fan_avg"),
           lambda T: T.nn.init.calculate_gain("swish"),
           lambda T: T.nn.init.eye_(T.empty(2, 2, 2)),
           lambda T: T.nn.init.dirac_(T.empty(2, 2)))

    def run(T):
        return {"fans": [list(T.nn.init._calculate_fan_in_and_fan_out(T.empty(*s))) for s in shapes],
                "errors": [error(lambda: fn(T)) for fn in bad]}
    want = ORACLE.answer("fans_and_errors", run)
    assert all(e is not None for e in want["errors"])
    got = run(numtorch)
    assert got["fans"] == want["fans"]
    assert got["errors"] == want["errors"]


def test_zero_element_tensor_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(numtorch.empty(0, 3))


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match=r"`nn.init.uniform` is now deprecated in favor of "
                                           r"`nn.init.uniform_`."):
        init.uniform(numtorch.empty(2))
