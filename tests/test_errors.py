"""Errors: PyTorch's exception type and key text, for each error the user can meet in the core.

Each row is ``(id, fn(T), type name, key text, exact)``. numtorch must raise that type with a
message containing the key text; PyTorch must too (so the key text is PyTorch's), and for rows
marked ``exact`` the whole messages must be equal. PyTorch's exceptions are recorded in
``tests/data/oracle/errors.json`` (``tests/_oracle.py``; regenerate with
``python tests/data/regen_oracle.py tests/test_errors.py``) and checked live when torch is
installed.
"""
from __future__ import annotations

import copy

import pytest

import numtorch
from _oracle import Oracle, error

ORACLE = Oracle("errors")


def _second_backward(T):
    a = T.randn(3, requires_grad=True)
    y = (a * a).sum()
    y.backward()
    y.backward()


def _second_backward_grad(T):
    a = T.randn(3, requires_grad=True)
    y = (a.exp()).sum()
    T.autograd.grad(y, a)
    T.autograd.grad(y, a)


def _saved_modified(T):
    a = T.randn(3, requires_grad=True)
    y = a.exp()
    y.add_(1)
    y.sum().backward()


def _saved_input_modified(T):
    a = T.randn(3, requires_grad=True)
    b = a * 1
    y = b * b
    b.add_(1)
    y.sum().backward()


def _saved_setitem(T):
    a = T.randn(3, requires_grad=True)
    b = a * 1
    y = b.sin()
    b[0] = 2.0
    y.sum().backward()


def _leaf_inplace_op(T):
    a = T.randn(3, requires_grad=True)
    a += 1


def _leaf_setitem(T):
    a = T.randn(3, requires_grad=True)
    a[0] = 1.0


def _leaf_view_inplace(T):
    a = T.randn(3, requires_grad=True)
    a[0].mul_(2)


def _numpy_nonleaf(T):
    a = T.randn(3, requires_grad=True)
    (a * 2).numpy()


def _user_function_second(T):
    class Sq(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    a = T.randn(3, requires_grad=True)
    y = Sq.apply(a).sum()
    y.backward()
    y.backward()


R, I, T_, V = "RuntimeError", "IndexError", "TypeError", "ValueError"

ERRORS = [
    ("broadcast", lambda T: T.ones(2, 3) + T.ones(2, 4), R,
     "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1", True),
    ("broadcast_inplace", lambda T: T.ones(3).add_(T.ones(2, 3)), R,
     "doesn't match the broadcast shape", False),
    ("broadcast_mul_3d", lambda T: T.ones(2, 3, 4) * T.ones(5, 1), R,
     "The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1", True),
    ("matmul", lambda T: T.ones(64, 784) @ T.ones(10, 10), R,
     "mat1 and mat2 shapes cannot be multiplied (64x784 and 10x10)", True),
    ("mm", lambda T: T.mm(T.ones(2, 3), T.ones(4, 5)), R,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", True),
    ("addmm", lambda T: T.addmm(T.ones(2), T.ones(2, 3), T.ones(4, 2)), R,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)", True),
    ("mv", lambda T: T.mv(T.ones(2, 3), T.ones(4)), R,
     "size mismatch, got input (2), mat (2x3), vec (4)", True),
    ("dot", lambda T: T.dot(T.ones(2), T.ones(3)), R, "inconsistent tensor size", True),
    ("bmm", lambda T: T.bmm(T.ones(2, 3, 4), T.ones(2, 5, 6)), R,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].", True),
    ("view", lambda T: T.arange(12).view(3, 5), R, "shape '[3, 5]' is invalid for input of size 12",
     True),
    ("reshape", lambda T: T.arange(12).reshape(5, -1), R,
     "shape '[5, -1]' is invalid for input of size 12", True),
    ("view_two_infer", lambda T: T.ones(6).view(-1, -1), R, "only one dimension can be inferred",
     True),
    ("second_backward", _second_backward, R, "Trying to backward through the graph a second time",
     True),
    ("second_grad", _second_backward_grad, R, "Trying to backward through the graph a second time",
     True),
    ("second_backward_function", _user_function_second, R,
     "Trying to backward through the graph a second time", True),
    ("backward_nonscalar", lambda T: (T.randn(3, requires_grad=True) * 2).backward(), R,
     "grad can be implicitly created only for scalar outputs", True),
    ("backward_no_grad", lambda T: T.ones(3).sum().backward(), R,
     "element 0 of tensors does not require grad and does not have a grad_fn", True),
    ("leaf_inplace", lambda T: T.randn(3, requires_grad=True).add_(1), R,
     "a leaf Variable that requires grad is being used in an in-place operation.", True),
    ("leaf_iadd", _leaf_inplace_op, R,
     "a leaf Variable that requires grad is being used in an in-place operation.", True),
    ("leaf_setitem", _leaf_setitem, R,
     "a view of a leaf Variable that requires grad is being used in an in-place operation.", True),
    ("leaf_setitem_advanced", lambda T: T.randn(3, requires_grad=True).__setitem__([0], 1.0), R,
     "a leaf Variable that requires grad is being used in an in-place operation.", True),
    ("leaf_zero_", lambda T: T.randn(3, requires_grad=True).zero_(), R,
     "a leaf Variable that requires grad is being used in an in-place operation.", True),
    ("leaf_view_inplace", _leaf_view_inplace, R,
     "a view of a leaf Variable that requires grad is being used in an in-place operation.", True),
    ("saved_output_modified", _saved_modified, R,
     "one of the variables needed for gradient computation has been modified by an inplace "
     "operation", False),
    ("saved_input_modified", _saved_input_modified, R,
     "is at version 1; expected version 0 instead", False),
    ("saved_setitem", _saved_setitem, R,
     "one of the variables needed for gradient computation has been modified by an inplace "
     "operation", False),
    ("numpy_requires_grad", lambda T: T.randn(3, requires_grad=True).numpy(), R,
     "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.", True),
    ("numpy_nonleaf", _numpy_nonleaf, R, "Can't call numpy() on Tensor that requires grad", True),
    ("index_int", lambda T: T.ones(3)[5], I, "index 5 is out of bounds for dimension 0 with size 3",
     True),
    ("index_neg", lambda T: T.ones(3)[-4], I,
     "index -4 is out of bounds for dimension 0 with size 3", True),
    ("index_dim1", lambda T: T.ones(3, 4)[:, 7], I,
     "index 7 is out of bounds for dimension 1 with size 4", True),
    ("index_tensor", lambda T: T.ones(3)[T.tensor([5])], I,
     "index 5 is out of bounds for dimension 0 with size 3", True),
    ("index_0d", lambda T: T.tensor(1.0)[0], I, "invalid index of a 0-dim tensor", True),
    ("index_float_tensor", lambda T: T.ones(3)[T.tensor([0.0])], I,
     "tensors used as indices must be long, int, byte or bool tensors", True),
    ("index_select_oob", lambda T: T.ones(3).index_select(0, T.tensor([4])), I,
     "index out of range in self", True),
    ("gather_oob", lambda T: T.ones(2, 2).gather(1, T.tensor([[3], [0]])), R,
     "index 3 is out of bounds for dimension 1 with size 2", True),
    ("dim_out_of_range", lambda T: T.ones(2, 3).sum(2), I,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)", True),
    ("transpose_dim", lambda T: T.ones(2, 3).transpose(0, 2), I, "Dimension out of range", True),
    ("unsqueeze_dim", lambda T: T.ones(2, 3).unsqueeze(4), I,
     "Dimension out of range (expected to be in range of [-3, 2], but got 4)", True),
    ("dtype_matmul", lambda T: T.ones(2, 2) @ T.ones(2, 2, dtype=T.float64), R,
     "expected m1 and m2 to have the same dtype, but got: float != double", True),
    ("dtype_inplace_float_into_long", lambda T: T.ones(2, dtype=T.int64).add_(1.5), R,
     "result type Float can't be cast to the desired output type Long", True),
    ("dtype_inplace_tensor", lambda T: T.ones(2, dtype=T.int64).mul_(T.ones(2)), R,
     "result type Float can't be cast to the desired output type Long", True),
    ("requires_grad_int", lambda T: T.tensor([1, 2], requires_grad=True), R,
     "Only Tensors of floating point and complex dtype can require gradients", True),
    ("requires_grad_nonleaf", lambda T: (T.randn(2, requires_grad=True) * 2).requires_grad_(False),
     R, "you can only change requires_grad flags of leaf variables.", True),
    ("mean_int", lambda T: T.arange(3).mean(), R, "mean(): could not infer output dtype", True),
    ("neg_bool", lambda T: -T.tensor([True]), R,
     "Negation, the `-` operator, on a bool tensor is not supported.", True),
    ("sub_bool", lambda T: T.tensor([True]) - T.tensor([False]), R,
     "Subtraction, the `-` operator, with two bool tensors is not supported.", True),
    ("int_pow_neg", lambda T: T.tensor([2]) ** -1, R,
     "Integers to negative integer powers are not allowed.", True),
    ("int_zero_division", lambda T: T.tensor([1]) // T.tensor([0]), R, "ZeroDivisionError", True),
    ("where_condition", lambda T: T.where(T.ones(2), T.ones(2), T.ones(2)), R,
     "where expected condition to be a boolean tensor, but got a tensor with dtype Float", True),
    ("item_many", lambda T: T.ones(2).item(), R,
     "a Tensor with 2 elements cannot be converted to Scalar", True),
    ("bool_many", lambda T: bool(T.ones(2)), R,
     "Boolean value of Tensor with more than one value is ambiguous", True),
    ("len_0d", lambda T: len(T.tensor(1.0)), T_, "len() of a 0-d tensor", True),
    ("iter_0d", lambda T: iter(T.tensor(1.0)), T_, "iteration over a 0-d tensor", True),
    ("cat_sizes", lambda T: T.cat([T.ones(2, 3), T.ones(2, 4)]), R,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor "
     "number 1 in the list.", True),
    ("stack_sizes", lambda T: T.stack([T.ones(2), T.ones(3)]), R,
     "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1", True),
    ("expand", lambda T: T.ones(3).expand(2, 4), R,
     "The expanded size of the tensor (4) must match the existing size (3) at non-singleton "
     "dimension 1.", True),
    ("narrow", lambda T: T.ones(3).narrow(0, 2, 2), R,
     "start (2) + length (2) exceeds dimension size (3).", True),
    ("split_sizes", lambda T: T.ones(3).split([1, 1]), R,
     "split_with_sizes expects split_sizes to sum exactly to 3", True),
    ("repeat_few", lambda T: T.ones(2, 3).repeat(2), R,
     "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
     True),
    ("flatten_bad", lambda T: T.ones(2, 3).flatten(1, 0), R,
     "flatten() has invalid args: start_dim cannot come after end_dim", True),
    ("chunk_zero", lambda T: T.ones(3).chunk(0), R, "chunk expects `chunks` to be greater than 0",
     True),
    ("retain_grad_no_grad", lambda T: T.ones(2).retain_grad(), R,
     "can't retain_grad on Tensor that has requires_grad=False", True),
    ("hook_no_grad", lambda T: T.ones(2).register_hook(lambda g: g), R,
     "cannot register a hook on a tensor that doesn't require gradient", True),
    ("grad_unused", lambda T: T.autograd.grad((T.ones(2, requires_grad=True) * 2).sum(),
                                              T.ones(2, requires_grad=True)), R,
     "appears to not have been used in the graph. Set allow_unused=True if this is the desired "
     "behavior.", True),
    ("tensor_ragged", lambda T: T.tensor([[1, 2], [3]]), V,
     "expected sequence of length 2 at dim 1 (got 1)", True),
    ("arange_step0", lambda T: T.arange(0, 3, 0), R, "step must be nonzero", True),
    ("max_empty", lambda T: T.ones(0).max(), R,
     "max(): Expected reduction dim to be specified for input.numel() == 0.", True),
    ("clamp_no_bounds", lambda T: T.ones(2).clamp(), R,
     "torch.clamp: At least one of 'min' or 'max' must not be None", True),
    ("deepcopy_nonleaf", lambda T: copy.deepcopy(T.randn(2, requires_grad=True) * 2), R,
     "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol", True),
    ("from_numpy_list", lambda T: T.from_numpy([1, 2]), T_, "expected np.ndarray (got list)", True),
    ("floor_divide_backward", lambda T: (T.randn(3, requires_grad=True) // 2).sum().backward(), R,
     "derivative for aten::floor_divide is not implemented", True),
    ("einsum_operands", lambda T: T.einsum("ij,jk->ik", T.ones(2, 3)), R,
     "einsum(): fewer operands were provided than specified in the equation", True),
]


@pytest.mark.parametrize("row", ERRORS, ids=[r[0] for r in ERRORS])
def test_error_matches_torch(row):
    name, fn, kind, key, exact = row
    want = ORACLE.answer(name, lambda T: error(lambda: fn(T)))
    assert want is not None, "PyTorch raises nothing here"
    assert want[0] == kind and key in want[1], want
    got = error(lambda: fn(numtorch))
    assert got is not None, "numtorch raises nothing here"
    assert got[0] == kind, f"{got[0]}: {got[1]}"
    assert key in got[1], got[1]
    if exact:
        assert got[1] == want[1]


def test_no_numpy_traceback_for_bad_shapes():
    # NumPy's own messages must not leak for the common mistakes
    for fn in (lambda: numtorch.ones(2, 3) * numtorch.ones(4), lambda: numtorch.ones(3)[[0, 5]],
               lambda: numtorch.ones(2, 3).view(4, 2)):
        with pytest.raises((RuntimeError, IndexError)) as info:
            fn()
        assert "operands could not be broadcast" not in str(info.value)
        assert "axis" not in str(info.value)


def test_inplace_under_no_grad_is_allowed():
    w = numtorch.randn(3, requires_grad=True)
    with numtorch.no_grad():
        w -= 0.1 * w
        w[0] = 1.0
        w[1:].mul_(2)
    assert w.is_leaf and w.requires_grad
    assert float(w[0]) == 1.0

