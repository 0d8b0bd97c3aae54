"""``torch.autograd.functional`` parity: jacobian, hessian, vjp, jvp, hvp, vhp.

Each case is one call, run on numtorch and compared with PyTorch's answer recorded in
``tests/data/autograd_functional.{json,npz}`` (regenerate with
``python tests/data/autograd_functional_regen.py`` where torch 2.13 is installed): the result's
tuple structure, every tensor's shape, dtype, values, ``requires_grad`` and whether it has a
``grad_fn``; or the exception type and message. With torch installed, each case also
checks its record still equals live PyTorch. The mathematical checks at the bottom need no record.
"""
from __future__ import annotations

import json
import os
import zlib

import numpy as np
import pytest

import numtorch
from _oracle import live_torch

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "data", "autograd_functional")


# -- the record: encode a result, compare two encodings ------------------------------------------

def encode(result, T) -> tuple:
    """``(meta, arrays)``: the result's structure as a string plus, per tensor, its metadata."""
    leaves = []

    def walk(r):
        if isinstance(r, T.Tensor):
            leaves.append(r)
            return "T"
        if isinstance(r, tuple):
            return "(" + ",".join(walk(e) for e in r) + ")"
        if isinstance(r, list):
            return "[" + ",".join(walk(e) for e in r) + "]"
        if isinstance(r, dict):
            return "{" + ",".join(f"{k}:{walk(v)}" for k, v in r.items()) + "}"
        return repr(r)

    struct = walk(result)
    meta = {"struct": struct, "leaves": [
        {"shape": list(t.shape), "dtype": str(t.dtype), "requires_grad": bool(t.requires_grad),
         "grad_fn": t.grad_fn is not None} for t in leaves]}
    return meta, [np.array(t.detach().numpy()) for t in leaves]


def run(fn, T, seed: int) -> tuple:
    """Run one case on the module ``T``: ``(entry, arrays)``."""
    try:
        result = fn(T, np.random.default_rng(seed))
    except Exception as e:      # the recorded answer may be an error
        return {"error": type(e).__name__, "message": str(e)}, []
    return encode(result, T)


def mismatch(expected, exp_arrays, got, got_arrays, rtol=1e-5, atol=1e-5):
    """Why ``got`` differs from ``expected`` (None when they agree)."""
    if "error" in expected or "error" in got:
        if expected != got:
            return f"expected {expected}, got {got}"
        return None
    if expected["struct"] != got["struct"]:
        return f"structure {got['struct']} != {expected['struct']}"
    for i, (e, g) in enumerate(zip(expected["leaves"], got["leaves"])):
        if e != g:
            return f"tensor {i}: {g} != {e}"
    for i, (e, g) in enumerate(zip(exp_arrays, got_arrays)):
        if not np.allclose(g, e, rtol=rtol, atol=atol):
            return f"tensor {i} values:\n{g}\n!=\n{e}"
    return None


def seed_of(name: str) -> int:
    return zlib.crc32(name.encode())


def regenerate_record(cases: dict, path: str, T) -> int:
    """Write ``path``.json / .npz from live PyTorch ``T``."""
    entries, arrays = {}, {}
    for name, fn in cases.items():
        entry, arrs = run(fn, T, seed_of(name))
        entries[name] = entry
        for i, a in enumerate(arrs):
            arrays[f"{name}/{i}"] = a
    with open(path + ".json", "w", encoding="utf-8") as f:
        json.dump({"torch": T.__version__, "cases": entries}, f, indent=1, sort_keys=True)
        f.write("\n")
    np.savez_compressed(path + ".npz", **arrays)
    return len(entries)


def load_record(path: str) -> tuple:
    with open(path + ".json", encoding="utf-8") as f:
        entries = json.load(f)["cases"]
    with np.load(path + ".npz") as z:
        arrays = {k: z[k] for k in z.files}
    return entries, arrays


def recorded_arrays(arrays: dict, name: str, entry: dict) -> list:
    return [arrays[f"{name}/{i}"] for i in range(len(entry.get("leaves", ())))]


# -- the functions under test (elementwise ops, matmul, sum/mean only) ---------------------------

def poly(x):
    return x ** 3 - 2 * x + 1


def expx(x):
    return x.exp() * x


def multi(a, b):
    return a * b.sum(), (a ** 2).sum() + b.mean(), b.exp() * 2


def scal(x):
    return (x ** 2 * x.exp()).sum()


def scal2(W):
    return lambda a, b: (a ** 3).sum() * b.sum() + a @ W @ b


def vec(T, rng, *shape, grad=False):
    return T.tensor(rng.uniform(-1.5, 1.5, shape).astype(np.float32), requires_grad=grad)


def _d(T, rng, *shape):
    return T.tensor(rng.uniform(-1.5, 1.5, shape).astype(np.float64))


CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def _g(T, out, x):
    """d(sum out)/dx: the result of a create_graph call is differentiable again."""
    return T.autograd.grad(out.sum(), x)[0]


# jacobian ---------------------------------------------------------------------------------------

@case
def jac_poly(T, r):
    return T.autograd.functional.jacobian(poly, vec(T, r, 4))


@case
def jac_exp_matrix(T, r):
    return T.autograd.functional.jacobian(expx, vec(T, r, 2, 3))


@case
def jac_matmul(T, r):
    A = vec(T, r, 4, 3)
    return T.autograd.functional.jacobian(lambda x: A @ x, vec(T, r, 3))


@case
def jac_matmul_2d(T, r):
    W = vec(T, r, 3, 2)
    return T.autograd.functional.jacobian(lambda X: X @ W, vec(T, r, 2, 3))


@case
def jac_multi(T, r):
    return T.autograd.functional.jacobian(multi, (vec(T, r, 3), vec(T, r, 2)))


@case
def jac_tuple_of_one(T, r):
    return T.autograd.functional.jacobian(poly, (vec(T, r, 3),))


@case
def jac_tuple_out(T, r):
    return T.autograd.functional.jacobian(lambda x: (poly(x), x.mean()), vec(T, r, 3))


@case
def jac_scalar_out(T, r):
    return T.autograd.functional.jacobian(scal, vec(T, r, 3))


@case
def jac_scalar_in(T, r):
    return T.autograd.functional.jacobian(lambda s: s * s * 3, vec(T, r))


@case
def jac_unused_input(T, r):
    return T.autograd.functional.jacobian(lambda a, b: a * 2, (vec(T, r, 3), vec(T, r, 2)))


@case
def jac_nondiff_output(T, r):
    y = vec(T, r, 2)
    return T.autograd.functional.jacobian(lambda a: (a * 2, y * 3), vec(T, r, 3))


@case
def jac_input_requires_grad(T, r):
    return T.autograd.functional.jacobian(poly, vec(T, r, 3, grad=True))


@case
def jac_create_graph(T, r):
    x = vec(T, r, 3, grad=True)
    J = T.autograd.functional.jacobian(poly, x, create_graph=True)
    return J, _g(T, J, x)


@case
def jac_create_graph_fresh(T, r):
    return T.autograd.functional.jacobian(expx, vec(T, r, 3), create_graph=True)


@case
def jac_create_graph_linear(T, r):
    return T.autograd.functional.jacobian(lambda a: a * 2, vec(T, r, 3), create_graph=True)


@case
def jac_create_graph_multi(T, r):
    a, b = vec(T, r, 3, grad=True), vec(T, r, 2, grad=True)
    J = T.autograd.functional.jacobian(multi, (a, b), create_graph=True)
    return J, T.autograd.grad(J[0][1].sum() + J[2][1].sum(), (a, b), allow_unused=True)[1]


@case
def jac_strict_ok(T, r):
    f = lambda a, b: (a * b.sum(), (a ** 2).sum() * b.mean())  # noqa: E731
    return T.autograd.functional.jacobian(f, (vec(T, r, 3), vec(T, r, 2)), strict=True)


@case
def jac_forward_mode_structures(T, r):
    F, x, y = T.autograd.functional, vec(T, r, 3), vec(T, r, 2)
    return [F.jacobian(f, inp, vectorize=True, strategy="forward-mode") for f, inp in [
        (lambda a: (a * 2,), x), (lambda a, b: a * b.sum(), (x, y)),
        (lambda a: (a * 2, a.sum()), x), (lambda a: (a ** 2, a.sum()), (x,)), (lambda a: a[:0], x),
        (lambda a: y * 2, x)]]


@case
def hes_forward_mode_vectorize(T, r):
    x, y = vec(T, r, 3), vec(T, r, 2)
    H = T.autograd.functional.hessian(lambda a, b: (a ** 3).sum() * b.sum(), (x, y),
                                      vectorize=True, outer_jacobian_strategy="forward-mode")
    # PyTorch's entries here carry a grad_fn without create_graph (a leak not copied): compare
    # the nesting (lists, as PyTorch's forward mode returns) and the values
    return type(H).__name__, type(H[0]).__name__, [[h.detach() for h in row] for row in H]


@case
def jac_vectorize(T, r):
    return T.autograd.functional.jacobian(multi, (vec(T, r, 3), vec(T, r, 2)), vectorize=True)


@case
def jac_forward_mode_vectorize(T, r):
    return T.autograd.functional.jacobian(multi, (vec(T, r, 3), vec(T, r, 2)), vectorize=True,
                                          strategy="forward-mode")


@case
def jac_under_no_grad(T, r):
    x = vec(T, r, 3)
    with T.no_grad():
        return T.autograd.functional.jacobian(poly, x)


@case
def jac_err_forward_mode(T, r):
    return T.autograd.functional.jacobian(poly, vec(T, r, 3), strategy="forward-mode")


@case
def jac_err_forward_mode_create_graph(T, r):
    return T.autograd.functional.jacobian(poly, vec(T, r, 3), strategy="forward-mode",
                                          vectorize=True, create_graph=True)


@case
def jac_err_forward_mode_strict(T, r):
    return T.autograd.functional.jacobian(poly, vec(T, r, 3), strategy="forward-mode",
                                          strict=True)


@case
def jac_err_strategy(T, r):
    return T.autograd.functional.jacobian(poly, vec(T, r, 3), strategy="sideways")


@case
def jac_err_strict_vectorize(T, r):
    return T.autograd.functional.jacobian(poly, vec(T, r, 3), strict=True, vectorize=True)


@case
def jac_err_inputs_list(T, r):
    return T.autograd.functional.jacobian(poly, [vec(T, r, 3)])


@case
def jac_err_inputs_item(T, r):
    return T.autograd.functional.jacobian(lambda a, b: a * b, (vec(T, r, 3), 2.0))


@case
def jac_err_outputs_list(T, r):
    return T.autograd.functional.jacobian(lambda a: [a * 2], vec(T, r, 3))


@case
def jac_err_outputs_number(T, r):
    return T.autograd.functional.jacobian(lambda a: 3, vec(T, r, 3))


@case
def jac_err_strict_unused(T, r):
    return T.autograd.functional.jacobian(lambda a, b: a * 2, (vec(T, r, 3), vec(T, r, 2)),
                                          strict=True)


@case
def jac_err_strict_nondiff(T, r):
    y = vec(T, r, 2)
    return T.autograd.functional.jacobian(lambda a: (a * 2, y * 3), vec(T, r, 3), strict=True)


@case
def jac_err_strict_create_graph_linear(T, r):
    return T.autograd.functional.jacobian(lambda a: a * 2, vec(T, r, 3), strict=True,
                                          create_graph=True)


@case
def jac_err_strict_create_graph_multi(T, r):
    return T.autograd.functional.jacobian(lambda a, b: (a ** 2 * b.sum(), b * 2 + a.sum()),
                                          (vec(T, r, 3), vec(T, r, 2)), strict=True,
                                          create_graph=True)


@case
def jac_create_graph_under_no_grad(T, r):
    x = vec(T, r, 3, grad=True)
    with T.no_grad():
        return T.autograd.functional.jacobian(poly, x, create_graph=True)


@case
def jac_err_integer_input(T, r):
    return T.autograd.functional.jacobian(lambda a: a * 2, T.tensor([1, 2]))


@case
def vjp_integer_v(T, r):
    return T.autograd.functional.vjp(poly, vec(T, r, 2), T.tensor([1, 2]))


@case
def jac_err_empty_output(T, r):
    return T.autograd.functional.jacobian(lambda a: a[:0], vec(T, r, 3))


# hessian ----------------------------------------------------------------------------------------

@case
def hes_poly(T, r):
    return T.autograd.functional.hessian(lambda x: poly(x).sum(), vec(T, r, 4))


@case
def hes_scal(T, r):
    return T.autograd.functional.hessian(scal, vec(T, r, 3))


@case
def hes_quadratic(T, r):
    A = vec(T, r, 3, 3)
    return T.autograd.functional.hessian(lambda x: x @ A @ x, vec(T, r, 3))


@case
def hes_multi(T, r):
    W = vec(T, r, 3, 2)
    return T.autograd.functional.hessian(scal2(W), (vec(T, r, 3), vec(T, r, 2)))


@case
def hes_tuple_of_one(T, r):
    return T.autograd.functional.hessian(scal, (vec(T, r, 3),))


@case
def hes_matrix_input(T, r):
    return T.autograd.functional.hessian(lambda X: (X.exp() * X).mean(), vec(T, r, 2, 2))


@case
def hes_output_shape_1(T, r):
    return T.autograd.functional.hessian(lambda x: (x ** 3).sum().reshape(1), vec(T, r, 3))


@case
def hes_unused_input(T, r):
    return T.autograd.functional.hessian(lambda a, b: (a ** 3).sum(), (vec(T, r, 3), vec(T, r, 2)))


@case
def hes_create_graph(T, r):
    x = vec(T, r, 3, grad=True)
    H = T.autograd.functional.hessian(lambda z: (z ** 3).sum(), x, create_graph=True)
    return H, _g(T, H, x)


@case
def hes_vectorize(T, r):
    return T.autograd.functional.hessian(scal, vec(T, r, 3), vectorize=True)


@case
def hes_strict_ok(T, r):
    return T.autograd.functional.hessian(lambda x: (x ** 3).sum(), vec(T, r, 3), strict=True)


@case
def hes_err_not_scalar(T, r):
    return T.autograd.functional.hessian(lambda a: a ** 3, vec(T, r, 3))


@case
def hes_err_tuple_output(T, r):
    return T.autograd.functional.hessian(lambda a: ((a ** 3).sum(),), vec(T, r, 3))


@case
def hes_err_list_output(T, r):
    return T.autograd.functional.hessian(lambda a: [(a ** 3).sum()], vec(T, r, 3))


@case
def hes_err_strict_linear(T, r):
    return T.autograd.functional.hessian(lambda a: (a * 2).sum(), vec(T, r, 3), strict=True)


@case
def hes_err_strict_unused(T, r):
    return T.autograd.functional.hessian(lambda a, b: (a ** 3).sum(),
                                         (vec(T, r, 3), vec(T, r, 2)), strict=True)


@case
def hes_err_strict_cross(T, r):
    f = lambda a, b: (a ** 2).sum() + (a.sum() * b).sum()  # noqa: E731
    return T.autograd.functional.hessian(f, (vec(T, r, 3), vec(T, r, 2)), strict=True)


@case
def hes_err_strict_nondiff(T, r):
    y = vec(T, r, 3)
    return T.autograd.functional.hessian(lambda a: y.sum(), vec(T, r, 3), strict=True)


@case
def hes_err_strategy(T, r):
    return T.autograd.functional.hessian(scal, vec(T, r, 3), outer_jacobian_strategy="sideways")


@case
def hes_err_forward_mode(T, r):
    return T.autograd.functional.hessian(scal, vec(T, r, 3), outer_jacobian_strategy="forward-mode")


@case
def hes_err_strict_vectorize(T, r):
    return T.autograd.functional.hessian(scal, vec(T, r, 3), strict=True, vectorize=True)


@case
def hes_err_inputs_list(T, r):
    return T.autograd.functional.hessian(scal, [vec(T, r, 3)])


# vjp --------------------------------------------------------------------------------------------

@case
def vjp_poly(T, r):
    return T.autograd.functional.vjp(poly, vec(T, r, 4), vec(T, r, 4))


@case
def vjp_scalar_v_none(T, r):
    return T.autograd.functional.vjp(scal, vec(T, r, 3))


@case
def vjp_multi(T, r):
    v = (vec(T, r, 3), vec(T, r), vec(T, r, 2))
    return T.autograd.functional.vjp(multi, (vec(T, r, 3), vec(T, r, 2)), v)


@case
def vjp_matmul(T, r):
    W = vec(T, r, 3, 2)
    return T.autograd.functional.vjp(lambda X: X @ W, vec(T, r, 2, 3), vec(T, r, 2, 2))


@case
def vjp_unused_input(T, r):
    return T.autograd.functional.vjp(lambda a, b: a ** 2, (vec(T, r, 3), vec(T, r, 2)),
                                     vec(T, r, 3))


@case
def vjp_nondiff_output(T, r):
    y = vec(T, r, 2)
    return T.autograd.functional.vjp(lambda a: (a * 2, y * 3), vec(T, r, 3),
                                     (vec(T, r, 3), vec(T, r, 2)))


@case
def vjp_create_graph(T, r):
    x = vec(T, r, 3, grad=True)
    out, g = T.autograd.functional.vjp(poly, x, vec(T, r, 3), create_graph=True)
    return out, g, _g(T, g, x)


@case
def vjp_create_graph_fresh(T, r):
    return T.autograd.functional.vjp(scal, vec(T, r, 3), create_graph=True)


@case
def vjp_err_v_none(T, r):
    return T.autograd.functional.vjp(poly, vec(T, r, 3))


@case
def vjp_err_v_size(T, r):
    return T.autograd.functional.vjp(poly, vec(T, r, 3), vec(T, r, 2))


@case
def vjp_err_v_length(T, r):
    return T.autograd.functional.vjp(multi, (vec(T, r, 3), vec(T, r, 2)), (vec(T, r, 3),))


@case
def vjp_err_v_entry_size(T, r):
    return T.autograd.functional.vjp(lambda a, b: (a ** 2, b), (vec(T, r, 3), vec(T, r, 2)),
                                     (vec(T, r, 3), vec(T, r, 3)))


@case
def vjp_err_v_single(T, r):
    return T.autograd.functional.vjp(poly, vec(T, r, 3), (vec(T, r, 3), vec(T, r, 3)))


@case
def vjp_err_v_list(T, r):
    return T.autograd.functional.vjp(poly, vec(T, r, 3), [vec(T, r, 3)])


@case
def vjp_err_strict_unused(T, r):
    return T.autograd.functional.vjp(lambda a, b: a ** 2, (vec(T, r, 3), vec(T, r, 2)),
                                     vec(T, r, 3), strict=True)


@case
def vjp_err_strict_nondiff(T, r):
    y = vec(T, r, 3)
    return T.autograd.functional.vjp(lambda a: y * 2, vec(T, r, 3), vec(T, r, 3), strict=True)


@case
def vjp_err_strict_create_graph_linear(T, r):
    return T.autograd.functional.vjp(lambda a: a * 2, vec(T, r, 3), vec(T, r, 3), strict=True,
                                     create_graph=True)


# jvp --------------------------------------------------------------------------------------------

@case
def jvp_poly(T, r):
    return T.autograd.functional.jvp(poly, vec(T, r, 4), vec(T, r, 4))


@case
def jvp_multi(T, r):
    return T.autograd.functional.jvp(multi, (vec(T, r, 3), vec(T, r, 2)),
                                     (vec(T, r, 3), vec(T, r, 2)))


@case
def jvp_matmul(T, r):
    W = vec(T, r, 3, 2)
    return T.autograd.functional.jvp(lambda X: X @ W, vec(T, r, 2, 3), vec(T, r, 2, 3))


@case
def jvp_v_none_single_element(T, r):
    return T.autograd.functional.jvp(poly, vec(T, r, 1))


@case
def jvp_scalar_output(T, r):
    return T.autograd.functional.jvp(scal, vec(T, r, 3), vec(T, r, 3))


@case
def jvp_nondiff_output(T, r):
    y = vec(T, r, 2)
    return T.autograd.functional.jvp(lambda a: (a ** 2, y * 3), vec(T, r, 3), vec(T, r, 3))


@case
def jvp_create_graph(T, r):
    x = vec(T, r, 3, grad=True)
    out, t = T.autograd.functional.jvp(expx, x, vec(T, r, 3), create_graph=True)
    return out, t, _g(T, t, x)


@case
def jvp_err_v_none(T, r):
    return T.autograd.functional.jvp(poly, vec(T, r, 3))


@case
def jvp_err_v_size(T, r):
    return T.autograd.functional.jvp(poly, vec(T, r, 3), vec(T, r, 2))


@case
def jvp_err_strict_unused(T, r):
    return T.autograd.functional.jvp(lambda a, b: a ** 2, (vec(T, r, 3), vec(T, r, 2)),
                                     (vec(T, r, 3), vec(T, r, 2)), strict=True)


@case
def jvp_err_strict_create_graph(T, r):
    return T.autograd.functional.jvp(lambda a, b: (a ** 2, b * 2), (vec(T, r, 3), vec(T, r, 2)),
                                     (vec(T, r, 3), vec(T, r, 2)), strict=True,
                                     create_graph=True)


# hvp and vhp ------------------------------------------------------------------------------------

def _hessian_products(name):
    def get(T):
        return getattr(T.autograd.functional, name)

    def poly_(T, r):
        return get(T)(lambda x: poly(x).sum(), vec(T, r, 4), vec(T, r, 4))

    def scal_(T, r):
        return get(T)(scal, vec(T, r, 3), vec(T, r, 3))

    def quadratic(T, r):
        A = vec(T, r, 3, 3)
        return get(T)(lambda x: x @ A @ x, vec(T, r, 3), vec(T, r, 3))

    def multi_(T, r):
        W = vec(T, r, 3, 2)
        return get(T)(scal2(W), (vec(T, r, 3), vec(T, r, 2)), (vec(T, r, 3), vec(T, r, 2)))

    def v_none(T, r):
        return get(T)(lambda x: (x ** 4).sum(), vec(T, r, 1))

    def unused(T, r):
        return get(T)(lambda a, b: (a ** 3).sum(), (vec(T, r, 3), vec(T, r, 2)),
                      (vec(T, r, 3), vec(T, r, 2)))

    def create_graph(T, r):
        x = vec(T, r, 3, grad=True)
        out, h = get(T)(lambda z: (z ** 3).sum(), x, vec(T, r, 3), create_graph=True)
        return out, h, _g(T, h, x)

    def err_v_none(T, r):
        return get(T)(scal, vec(T, r, 3))

    def err_v_size(T, r):
        return get(T)(scal, vec(T, r, 3), vec(T, r, 2))

    def err_not_scalar(T, r):
        return get(T)(lambda a: a ** 3, vec(T, r, 3), vec(T, r, 3))

    def err_tuple_output(T, r):
        return get(T)(lambda a: ((a ** 3).sum(),), vec(T, r, 3), vec(T, r, 3))

    def err_strict_linear(T, r):
        return get(T)(lambda a: (a * 2).sum(), vec(T, r, 3), vec(T, r, 3), strict=True)

    def err_strict_unused(T, r):
        return get(T)(lambda a, b: (a ** 3).sum(), (vec(T, r, 3), vec(T, r, 2)),
                      (vec(T, r, 3), vec(T, r, 2)), strict=True)

    def err_strict_nondiff(T, r):
        y = vec(T, r, 3)
        return get(T)(lambda a: (y ** 2).sum(), vec(T, r, 3), vec(T, r, 3), strict=True)

    def err_strict_constant_gradient(T, r):
        w = vec(T, r, 3, grad=True)
        return get(T)(lambda a: (a * w).sum(), vec(T, r, 3), vec(T, r, 3), strict=True)

    for fn in list(locals().values()):
        if callable(fn) and fn.__name__ != "get":
            CASES[f"{name}_{fn.__name__.rstrip('_')}"] = fn


_hessian_products("hvp")
_hessian_products("vhp")


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
    entry = entries[name]
    torch = live_torch()
    if torch is not None:                        # the record still equals live PyTorch
        live, live_arrays = run(CASES[name], torch, seed_of(name))
        problem = mismatch(entry, recorded_arrays(arrays, name, entry), live, live_arrays,
                           rtol=1e-6, atol=1e-6)
        assert problem is None, f"record is stale: {problem}"
    got, got_arrays = run(CASES[name], numtorch, seed_of(name))
    problem = mismatch(entry, recorded_arrays(arrays, name, entry), got, got_arrays)
    assert problem is None, problem


def test_record_covers_every_function():
    entries, _ = _record()
    assert sorted(entries) == sorted(CASES)
    ok = {n.split("_")[0] for n, e in entries.items() if "error" not in e}
    errors = {n.split("_")[0] for n, e in entries.items() if "error" in e}
    assert ok == errors == {"jac", "hes", "vjp", "jvp", "hvp", "vhp"}


# -- mathematics (no record) ---------------------------------------------------------------------

F = numtorch.autograd.functional


def test_importable_as_in_pytorch():
    from numtorch.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp
    assert numtorch.autograd.functional.jacobian is jacobian
    assert all(callable(f) for f in (jacobian, hessian, vjp, jvp, hvp, vhp))


def test_hessian_of_quadratic_form_is_A_plus_At():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    x = numtorch.tensor(rng.standard_normal(4))
    At = numtorch.tensor(A)
    H = F.hessian(lambda z: z @ At @ z, x)
    np.testing.assert_allclose(H.numpy(), A + A.T, rtol=1e-12, atol=1e-12)


def test_jacobian_of_linear_map_is_the_matrix():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((5, 3))
    J = F.jacobian(lambda z: numtorch.tensor(A) @ z, numtorch.tensor(rng.standard_normal(3)))
    np.testing.assert_allclose(J.numpy(), A, rtol=1e-12, atol=1e-12)


def _fd_jacobian(f, x, eps=1e-6):
    """Central differences of a NumPy function ``f`` at ``x``."""
    cols = []
    for i in range(x.size):
        d = np.zeros_like(x)
        d.flat[i] = eps
        cols.append(((f(x + d) - f(x - d)) / (2 * eps)).ravel())
    return np.stack(cols, axis=-1)


def test_jacobian_of_multi_matches_finite_differences():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal(3), rng.standard_normal(2)
    J = F.jacobian(multi, (numtorch.tensor(a), numtorch.tensor(b)))
    fa = lambda z: np.concatenate([z * b.sum(), [(z ** 2).sum() + b.mean()], np.exp(b) * 2])  # noqa
    fb = lambda z: np.concatenate([a * z.sum(), [(a ** 2).sum() + z.mean()], np.exp(z) * 2])  # noqa
    got_a = np.concatenate([J[0][0].numpy(), J[1][0].numpy()[None], J[2][0].numpy()])
    got_b = np.concatenate([J[0][1].numpy(), J[1][1].numpy()[None], J[2][1].numpy()])
    np.testing.assert_allclose(got_a, _fd_jacobian(fa, a), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got_b, _fd_jacobian(fb, b), rtol=1e-6, atol=1e-8)


def test_products_agree_with_analytic_jacobian_and_hessian():
    rng = np.random.default_rng(3)
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    xt, vt = numtorch.tensor(x), numtorch.tensor(v)
    J = np.diag(3 * x ** 2 - 2)                      # poly(x) = x^3 - 2x + 1
    np.testing.assert_allclose(F.jvp(poly, xt, vt)[1].numpy(), J @ v, rtol=1e-12)
    np.testing.assert_allclose(F.vjp(poly, xt, vt)[1].numpy(), v @ J, rtol=1e-12)
    H = np.diag((2 + 4 * x + x ** 2) * np.exp(x))   # d2/dx2 of x^2 e^x, summed
    np.testing.assert_allclose(F.hessian(scal, xt).numpy(), H, rtol=1e-12)
    np.testing.assert_allclose(F.hvp(scal, xt, vt)[1].numpy(), H @ v, rtol=1e-12)
    np.testing.assert_allclose(F.vhp(scal, xt, vt)[1].numpy(), v @ H, rtol=1e-12)


def test_asymmetric_quadratic_products():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((3, 3))
    x, v = numtorch.tensor(rng.standard_normal(3)), rng.standard_normal(3)
    f = lambda z: z @ numtorch.tensor(A) @ z  # noqa: E731
    np.testing.assert_allclose(F.hvp(f, x, numtorch.tensor(v))[1].numpy(), (A + A.T) @ v,
                               rtol=1e-12)
    np.testing.assert_allclose(F.vhp(f, x, numtorch.tensor(v))[1].numpy(), v @ (A + A.T),
                               rtol=1e-12)


def test_inputs_are_left_alone():
    rng = np.random.default_rng(5)
    x = numtorch.tensor(rng.standard_normal(3), requires_grad=True)
    F.jacobian(poly, x)
    F.hessian(scal, x)
    F.vjp(poly, x, x.detach())
    assert x.grad is None and x.grad_fn is None and x.requires_grad


def test_create_graph_hessian_differentiates_to_third_derivative():
    rng = np.random.default_rng(6)
    x0 = rng.standard_normal(3)
    x = numtorch.tensor(x0, requires_grad=True)
    H = F.hessian(lambda z: (z ** 4).sum(), x, create_graph=True)
    H.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 24 * x0, rtol=1e-12)   # d/dx 12 x^2
