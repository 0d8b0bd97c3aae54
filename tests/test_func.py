"""``torch.func`` parity: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap.

Cases are recorded from PyTorch in ``tests/data/autograd_functional_func.{json,npz}``
(regenerate with ``python tests/data/autograd_functional_regen.py``); the record format and
comparison are those of ``test_autograd_functional``. With torch installed, each case also
checks its record still equals live PyTorch.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import numtorch
from _oracle import live_torch
from test_autograd_functional import (HERE, expx, load_record, mismatch, multi, poly,
                                      recorded_arrays, run, scal, seed_of, vec)

RECORD = os.path.join(HERE, "data", "autograd_functional_func")

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def two(a, b):
    return (a ** 3).sum() * b.sum() + (a * 2).mean()


# grad and grad_and_value ------------------------------------------------------------------------

@case
def grad_poly(T, r):
    return T.func.grad(lambda x: poly(x).sum())(vec(T, r, 4))


@case
def grad_scal_matrix(T, r):
    return T.func.grad(lambda X: (X.exp() * X).mean())(vec(T, r, 2, 3))


@case
def grad_argnums_tuple(T, r):
    return T.func.grad(two, argnums=(0, 1))(vec(T, r, 3), vec(T, r, 2))


@case
def grad_argnums_int(T, r):
    return T.func.grad(two, argnums=1)(vec(T, r, 3), vec(T, r, 2))


@case
def grad_argnums_negative(T, r):
    return T.func.grad(two, argnums=-1)(vec(T, r, 3), vec(T, r, 2))


@case
def grad_unused_argument(T, r):
    return T.func.grad(lambda a, b: (a ** 3).sum(), argnums=1)(vec(T, r, 3), vec(T, r, 2))


@case
def grad_matmul(T, r):
    W = vec(T, r, 3, 2)
    return T.func.grad(lambda X: (X @ W).exp().sum())(vec(T, r, 2, 3))


@case
def grad_has_aux(T, r):
    return T.func.grad(lambda x: (scal(x), {"k": x * 2}), has_aux=True)(vec(T, r, 3))


@case
def grad_dict_argument(T, r):
    return T.func.grad(lambda p: (p["w"] ** 2).sum() * p["b"].sum())(
        {"w": vec(T, r, 3), "b": vec(T, r, 2)})


@case
def grad_tuple_argument(T, r):
    return T.func.grad(lambda p: (p[0] ** 3).sum() + p[1].sum())((vec(T, r, 3), vec(T, r, 2)))


@case
def grad_kwargs_not_differentiated(T, r):
    return T.func.grad(lambda a, b: (a * b).sum())(vec(T, r, 3), b=vec(T, r, 3))


@case
def grad_non_differentiable_output(T, r):
    y = vec(T, r, 3)
    return T.func.grad(lambda a: (y ** 2).sum())(vec(T, r, 3))


@case
def grad_nested_second_derivative(T, r):
    g = T.func.grad(lambda x: (x ** 4).sum())
    return T.func.grad(lambda x: g(x).sum())(vec(T, r, 3))


@case
def grad_input_requires_grad(T, r):
    x = vec(T, r, 3, grad=True)
    g = T.func.grad(lambda z: (z ** 3).sum())(x)
    return g, T.autograd.grad(g.sum(), x)[0]


@case
def grad_input_requires_grad_under_no_grad(T, r):
    x = vec(T, r, 3, grad=True)
    with T.no_grad():
        return T.func.grad(lambda z: (z ** 3).sum())(x), T.func.jacrev(poly)(x)


@case
def transforms_keep_caller_graph(T, r):
    x = vec(T, r, 3, grad=True)
    return (T.func.grad_and_value(scal)(x), T.func.jacrev(expx)(x), T.func.hessian(scal)(x),
            T.func.jvp(poly, (x,), (vec(T, r, 3),)), T.func.vjp(poly, x)[1](vec(T, r, 3)))


@case
def grad_err_integer_input(T, r):
    return T.func.grad(lambda a: (a * 2).sum())(T.tensor([1, 2]))


@case
def grad_and_value_plain(T, r):
    return T.func.grad_and_value(scal)(vec(T, r, 3))


@case
def grad_and_value_aux(T, r):
    return T.func.grad_and_value(lambda x: (scal(x), x.exp()), has_aux=True)(vec(T, r, 3))


@case
def grad_err_not_scalar(T, r):
    return T.func.grad(poly)(vec(T, r, 3))


@case
def grad_err_not_tensor(T, r):
    return T.func.grad(lambda x: (scal(x), 1))(vec(T, r, 3))


@case
def grad_err_aux_not_pair(T, r):
    return T.func.grad(scal, has_aux=True)(vec(T, r, 3))


@case
def grad_err_aux_not_tensor(T, r):
    return T.func.grad(lambda x: (scal(x), 1), has_aux=True)(vec(T, r, 3))


@case
def grad_err_argnum_range(T, r):
    return T.func.grad(two, argnums=2)(vec(T, r, 3), vec(T, r, 2))


@case
def grad_err_argnums_empty(T, r):
    return T.func.grad(two, argnums=())(vec(T, r, 3), vec(T, r, 2))


@case
def grad_err_argnums_float(T, r):
    return T.func.grad(two, argnums=1.0)(vec(T, r, 3), vec(T, r, 2))


@case
def grad_err_argnums_repeated(T, r):
    return T.func.grad(two, argnums=(0, 0))(vec(T, r, 3), vec(T, r, 2))


@case
def grad_err_argnums_item(T, r):
    return T.func.grad(two, argnums=(0, 1.0))(vec(T, r, 3), vec(T, r, 2))


@case
def grad_err_not_tensor_input(T, r):
    return T.func.grad(lambda x: x * 2)(3.0)


# jacrev, jacfwd, hessian ------------------------------------------------------------------------

@case
def jacrev_poly(T, r):
    return T.func.jacrev(poly)(vec(T, r, 4))


@case
def jacrev_scalar_output(T, r):
    return T.func.jacrev(scal)(vec(T, r, 3))


@case
def jacrev_scalar_input(T, r):
    return T.func.jacrev(lambda s: s ** 2)(vec(T, r))


@case
def jacrev_matrix(T, r):
    W = vec(T, r, 3, 2)
    return T.func.jacrev(lambda X: (X @ W).exp())(vec(T, r, 2, 3))


@case
def jacrev_multi_argnums(T, r):
    return T.func.jacrev(multi, argnums=(0, 1))(vec(T, r, 3), vec(T, r, 2))


@case
def jacrev_multi_argnums_one_tuple(T, r):
    return T.func.jacrev(multi, argnums=(1,))(vec(T, r, 3), vec(T, r, 2))


@case
def jacrev_dict_output(T, r):
    return T.func.jacrev(lambda a: {"u": a ** 2, "v": a.sum()})(vec(T, r, 3))


@case
def jacrev_has_aux(T, r):
    return T.func.jacrev(lambda a: (expx(a), a * 3), has_aux=True)(vec(T, r, 3))


@case
def jacrev_independent_output(T, r):
    y = vec(T, r, 2)
    return T.func.jacrev(lambda a: y * 2)(vec(T, r, 3))


@case
def jacfwd_poly(T, r):
    return T.func.jacfwd(poly)(vec(T, r, 4))


@case
def jacfwd_multi_argnums(T, r):
    return T.func.jacfwd(multi, argnums=(0, 1))(vec(T, r, 3), vec(T, r, 2))


@case
def jacfwd_has_aux(T, r):
    return T.func.jacfwd(lambda a: (a ** 2, a.sum()), has_aux=True)(vec(T, r, 3))


@case
def hessian_scalar(T, r):
    return T.func.hessian(scal)(vec(T, r, 3))


@case
def hessian_quadratic(T, r):
    A = vec(T, r, 3, 3)
    return T.func.hessian(lambda x: x @ A @ x)(vec(T, r, 3))


@case
def hessian_vector_output(T, r):
    return T.func.hessian(lambda x: x ** 3)(vec(T, r, 3))


@case
def hessian_argnums(T, r):
    return T.func.hessian(two, argnums=(0, 1))(vec(T, r, 3), vec(T, r, 2))


@case
def jacrev_err_argnum(T, r):
    return T.func.jacrev(poly, argnums=1)(vec(T, r, 3))


@case
def jacrev_err_output_number(T, r):
    return T.func.jacrev(lambda a: 3)(vec(T, r, 3))


@case
def jacfwd_err_output_number(T, r):
    return T.func.jacfwd(lambda a: 3)(vec(T, r, 3))


@case
def jacrev_err_aux_not_pair(T, r):
    return T.func.jacrev(poly, has_aux=True)(vec(T, r, 3))


@case
def jacfwd_err_aux_not_pair(T, r):
    return T.func.jacfwd(poly, has_aux=True)(vec(T, r, 3))


# vjp and jvp ------------------------------------------------------------------------------------

@case
def vjp_poly(T, r):
    out, fn = T.func.vjp(poly, vec(T, r, 4))
    return out, fn(vec(T, r, 4))


@case
def vjp_two_primals(T, r):
    out, fn = T.func.vjp(lambda a, b: (a ** 2, b * a.sum()), vec(T, r, 3), vec(T, r, 2))
    return out, fn((vec(T, r, 3), vec(T, r, 2)))


@case
def vjp_called_twice(T, r):
    out, fn = T.func.vjp(expx, vec(T, r, 3))
    return fn(vec(T, r, 3)), fn(vec(T, r, 3))


@case
def vjp_has_aux(T, r):
    out, fn, aux = T.func.vjp(lambda a: (a ** 2, a * 3), vec(T, r, 3), has_aux=True)
    return out, aux, fn(vec(T, r, 3))


@case
def vjp_dict_primal(T, r):
    out, fn = T.func.vjp(lambda p: p["k"] ** 2, {"k": vec(T, r, 3)})
    return fn(vec(T, r, 3))


@case
def vjp_matmul(T, r):
    W = vec(T, r, 3, 2)
    out, fn = T.func.vjp(lambda X: X @ W, vec(T, r, 2, 3))
    return out, fn(vec(T, r, 2, 2))


@case
def vjp_err_cotangent_structure(T, r):
    out, fn = T.func.vjp(poly, vec(T, r, 3))
    return fn((vec(T, r, 3),))


@case
def vjp_err_cotangent_list(T, r):
    out, fn = T.func.vjp(lambda a, b: (a ** 2, b), vec(T, r, 3), vec(T, r, 2))
    return fn([vec(T, r, 3), vec(T, r, 2)])


@case
def vjp_err_cotangent_shape(T, r):
    out, fn = T.func.vjp(poly, vec(T, r, 3))
    return fn(vec(T, r, 2))


@case
def vjp_err_aux_not_pair(T, r):
    return T.func.vjp(poly, vec(T, r, 3), has_aux=True)


@case
def vjp_err_output_number(T, r):
    return T.func.vjp(lambda a: 3, vec(T, r, 3))


@case
def vjp_err_primal_number(T, r):
    return T.func.vjp(poly, 3.0)


@case
def jvp_poly(T, r):
    return T.func.jvp(poly, (vec(T, r, 4),), (vec(T, r, 4),))


@case
def jvp_two_primals(T, r):
    return T.func.jvp(lambda a, b: (a ** 2, b * a.sum()), (vec(T, r, 3), vec(T, r, 2)),
                      (vec(T, r, 3), vec(T, r, 2)))


@case
def jvp_has_aux(T, r):
    return T.func.jvp(lambda a: (expx(a), a * 3), (vec(T, r, 3),), (vec(T, r, 3),), has_aux=True)


@case
def jvp_dict_output(T, r):
    return T.func.jvp(lambda a: {"r": a ** 2}, (vec(T, r, 3),), (vec(T, r, 3),))


@case
def jvp_independent_output(T, r):
    y = vec(T, r, 2)
    return T.func.jvp(lambda a: y * 2, (vec(T, r, 3),), (vec(T, r, 3),))


@case
def jvp_strict_ok(T, r):
    return T.func.jvp(lambda a, b: (a * 2, b * a.sum()), (vec(T, r, 3), vec(T, r, 2)),
                      (vec(T, r, 3), vec(T, r, 2)), strict=True)


@case
def jvp_err_strict_independent(T, r):
    y = vec(T, r, 2)
    return T.func.jvp(lambda a: (a * 2, y * 2), (vec(T, r, 3),), (vec(T, r, 3),), strict=True)


@case
def jvp_err_primals_not_tuple(T, r):
    return T.func.jvp(poly, vec(T, r, 3), vec(T, r, 3))


@case
def jvp_err_structure(T, r):
    return T.func.jvp(poly, (vec(T, r, 3),), (vec(T, r, 3), vec(T, r, 3)))


@case
def jvp_err_structure_list(T, r):
    return T.func.jvp(poly, (vec(T, r, 3),), [vec(T, r, 3)])


@case
def jvp_err_structure_nested(T, r):
    return T.func.jvp(poly, ({"k": vec(T, r, 3)},), ([vec(T, r, 3)],))


@case
def jvp_err_tangent_size(T, r):
    return T.func.jvp(poly, (vec(T, r, 3),), (vec(T, r, 2),))


@case
def jvp_err_empty(T, r):
    return T.func.jvp(poly, (), ())


@case
def jvp_err_tangent_number(T, r):
    return T.func.jvp(poly, (vec(T, r, 3),), (3.0,))


@case
def jvp_err_aux_not_pair(T, r):
    return T.func.jvp(poly, (vec(T, r, 3),), (vec(T, r, 3),), has_aux=True)


# vmap -------------------------------------------------------------------------------------------

@case
def vmap_sum(T, r):
    return T.func.vmap(lambda a: a.sum())(vec(T, r, 4, 3))


@case
def vmap_two_inputs(T, r):
    return T.func.vmap(lambda a, b: a * b)(vec(T, r, 2, 3), vec(T, r, 2))


@case
def vmap_in_dims_none(T, r):
    return T.func.vmap(lambda a, b: a @ b, in_dims=(0, None))(vec(T, r, 4, 3), vec(T, r, 3, 2))


@case
def vmap_in_dim_1(T, r):
    return T.func.vmap(lambda a, b: a * b, in_dims=(1, 0))(vec(T, r, 2, 3), vec(T, r, 3))


@case
def vmap_negative_in_dim(T, r):
    return T.func.vmap(lambda a: a.sum(), in_dims=-1)(vec(T, r, 2, 3))


@case
def vmap_tuple_output_out_dims(T, r):
    return T.func.vmap(lambda a: (a * 2, a.sum()), out_dims=(1, 0))(vec(T, r, 2, 3))


@case
def vmap_out_dims_last(T, r):
    return T.func.vmap(lambda a: a * 2, out_dims=-1)(vec(T, r, 2, 3))


@case
def vmap_dict_in_out(T, r):
    return T.func.vmap(lambda p: {"o": p["k"] * 2})({"k": vec(T, r, 2, 3)})


@case
def vmap_kwargs_unmapped(T, r):
    return T.func.vmap(lambda a, k=1.0: a * k)(vec(T, r, 3), k=vec(T, r))


@case
def vmap_number_argument(T, r):
    return T.func.vmap(lambda a, b: a * b, in_dims=(0, None))(vec(T, r, 2, 3), 3.0)


@case
def vmap_out_dims_none_unbatched(T, r):
    y = vec(T, r, 2)
    return T.func.vmap(lambda a: (a * 2, y), out_dims=(0, None))(vec(T, r, 3, 2))


@case
def vmap_empty_batch(T, r):
    return T.func.vmap(lambda a: a * 2)(vec(T, r, 0, 3))


@case
def vmap_per_sample_grads(T, r):
    W = vec(T, r, 3)
    loss = lambda w, x: ((x * w).sum() - 1.0) ** 2  # noqa: E731
    return T.func.vmap(T.func.grad(loss), in_dims=(None, 0))(W, vec(T, r, 4, 3))


@case
def vmap_jacrev(T, r):
    return T.func.vmap(T.func.jacrev(poly))(vec(T, r, 2, 3))


@case
def vmap_err_sizes(T, r):
    return T.func.vmap(lambda a, b: a * b, in_dims=(1, 0))(vec(T, r, 2, 3), vec(T, r, 2))


@case
def vmap_err_returns_number(T, r):
    return T.func.vmap(lambda a: 3.0)(vec(T, r, 2, 3))


@case
def vmap_err_in_dims_none(T, r):
    return T.func.vmap(lambda a: a, in_dims=None)(vec(T, r, 2, 3))


@case
def vmap_err_in_dims_list(T, r):
    return T.func.vmap(lambda a: a, in_dims=[0])(vec(T, r, 2, 3))


@case
def vmap_err_in_dim_range(T, r):
    return T.func.vmap(lambda a: a, in_dims=2)(vec(T, r, 2, 3))


@case
def vmap_err_in_dim_float(T, r):
    return T.func.vmap(lambda a: a, in_dims=(1.0,))(vec(T, r, 2, 3))


@case
def vmap_err_number_input(T, r):
    return T.func.vmap(lambda a: a)(3.0)


@case
def vmap_err_scalar_tensor(T, r):
    return T.func.vmap(lambda a: a)(vec(T, r))


@case
def vmap_err_in_dims_structure(T, r):
    return T.func.vmap(lambda a: a, in_dims=(0, 0))(vec(T, r, 2, 3))


@case
def vmap_err_nothing_mapped(T, r):
    return T.func.vmap(lambda a: a, in_dims=(None,))(vec(T, r, 2, 3))


@case
def vmap_err_no_inputs(T, r):
    return T.func.vmap(lambda: 1)()


@case
def vmap_err_out_dims_structure(T, r):
    return T.func.vmap(lambda a: a * 2, out_dims=(0, 0))(vec(T, r, 2, 3))


@case
def vmap_err_out_dims_none_batched(T, r):
    return T.func.vmap(lambda a: (a * 2, a), out_dims=(0, None))(vec(T, r, 2, 3))


@case
def vmap_err_randomness(T, r):
    return T.func.vmap(lambda a: a, randomness="sometimes")(vec(T, r, 2, 3))


# -- the tests -----------------------------------------------------------------------------------

_RECORD = None


def _record():
    global _RECORD
    if _RECORD is None:
        _RECORD = load_record(RECORD)
    return _RECORD


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_recorded_pytorch(name):
    entries, arrays = _record()
    assert name in entries, f"{name} is not recorded: run tests/data/autograd_functional_regen.py"
    torch = live_torch()
    if torch is not None:                        # the record still equals live PyTorch
        live, live_arrays = run(CASES[name], torch, seed_of(name))
        problem = mismatch(entries[name], recorded_arrays(arrays, name, entries[name]), live,
                           live_arrays, rtol=1e-6, atol=1e-6)
        assert problem is None, f"record is stale: {problem}"
    got, got_arrays = run(CASES[name], numtorch, seed_of(name))
    problem = mismatch(entries[name], recorded_arrays(arrays, name, entries[name]), got,
                       got_arrays)
    assert problem is None, problem


def test_record_covers_every_case():
    entries, _ = _record()
    assert sorted(entries) == sorted(CASES)


# -- mathematics and behaviour (no record) -------------------------------------------------------

func = numtorch.func


def test_importable_as_in_pytorch():
    from numtorch.func import grad, grad_and_value, jacrev, jacfwd, hessian, vjp, jvp, vmap
    assert numtorch.func.grad is grad
    assert all(callable(f) for f in (grad_and_value, jacrev, jacfwd, hessian, vjp, jvp, vmap))


def test_user_tensors_need_not_require_grad_and_are_left_alone():
    x = numtorch.tensor([1.0, 2.0])
    g = func.grad(lambda z: (z ** 2).sum())(x)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    assert not x.requires_grad and x.grad is None and not g.requires_grad


def test_hessian_of_quadratic_form_is_A_plus_At():
    rng = np.random.default_rng(10)
    A = rng.standard_normal((4, 4))
    At = numtorch.tensor(A)
    H = func.hessian(lambda z: z @ At @ z)(numtorch.tensor(rng.standard_normal(4)))
    np.testing.assert_allclose(H.numpy(), A + A.T, rtol=1e-12, atol=1e-12)


def test_jacrev_and_jacfwd_of_linear_map_are_the_matrix():
    rng = np.random.default_rng(11)
    A = rng.standard_normal((5, 3))
    f = lambda z: numtorch.tensor(A) @ z  # noqa: E731
    x = numtorch.tensor(rng.standard_normal(3))
    np.testing.assert_allclose(func.jacrev(f)(x).numpy(), A, rtol=1e-12)
    np.testing.assert_allclose(func.jacfwd(f)(x).numpy(), A, rtol=1e-12)


def test_jvp_and_vjp_match_analytic_jacobian():
    rng = np.random.default_rng(12)
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    J = np.diag(3 * x ** 2 - 2)
    _, t = func.jvp(poly, (numtorch.tensor(x),), (numtorch.tensor(v),))
    np.testing.assert_allclose(t.numpy(), J @ v, rtol=1e-12)
    _, fn = func.vjp(poly, numtorch.tensor(x))
    np.testing.assert_allclose(fn(numtorch.tensor(v))[0].numpy(), v @ J, rtol=1e-12)


def test_vmap_grad_gives_per_sample_gradients():
    rng = np.random.default_rng(13)
    w, X = rng.standard_normal(3), rng.standard_normal((5, 3))
    loss = lambda w_, x_: (x_ * w_).sum() ** 2  # noqa: E731
    got = func.vmap(func.grad(loss), in_dims=(None, 0))(numtorch.tensor(w), numtorch.tensor(X))
    np.testing.assert_allclose(got.numpy(), 2 * (X @ w)[:, None] * X, rtol=1e-12)


def test_third_derivative_through_nested_grad():
    x = numtorch.tensor([0.5, -1.0, 2.0], dtype=numtorch.float64)
    g = func.grad(lambda z: (z ** 4).sum())
    gg = func.grad(lambda z: g(z).sum())
    ggg = func.grad(lambda z: gg(z).sum())
    np.testing.assert_allclose(ggg(x).numpy(), 24 * x.numpy(), rtol=1e-12)
