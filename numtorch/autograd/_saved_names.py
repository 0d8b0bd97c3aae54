"""What a node shows as ``_saved_<name>``: PyTorch's attribute names, read from numtorch's saves.

PyTorch's nodes expose what they saved for backward as attributes (``MulBackward0._saved_self``,
``SumBackward1._saved_dim``, ...). numtorch's built-in nodes save NumPy arrays and Python values
under their own names (``x``, ``out``, ``axis``, ...), so this table says, per op class (the
Python class name in ``numtorch/ops``; several classes can share one node name, e.g. ``Mul``,
``Dropout`` and ``Outer`` are all ``MulBackward0``, with different saves), how to get each of
PyTorch's values:

``Input(i)``   the node's input ``i`` as a tensor (the leaf itself for a leaf, so ``is`` holds);
               ``when=j`` (or a tuple): PyTorch saves it only if input ``j`` needs a gradient,
               and shows ``None`` otherwise; ``t=True``: PyTorch saved the transpose
               (``weight.t()`` of a fused linear); ``key``: the saved array's name when it is not
               the class's ``saved_inputs[i]``.
``Output()``   the node's output (saved as ``out``), a new tensor whose ``grad_fn`` is the node.
``Value(key, conv)``   a saved number/shape/flag, converted (``conv``) to PyTorch's form
               (``default``: the value when the op did not save one).
``Array(key)`` a saved non-differentiable array (indices, masks) as a tensor.
``Derived(fn)``  computed from the saved values: ``fn(get)`` with ``get(key)`` reading them
               (``when``/``otherwise``: what PyTorch shows when it did not save it).
``Const(v)``   a value numtorch does not need to save (``alpha=1`` of an addition).

The tensor-valued entries (``Input``/``Output``), in PyTorch's order, are also what a
``saved_tensors_hooks`` pack hook receives. Entries are checked against PyTorch 2.13 by
tests/test_autograd_introspection.py.

>>> import numtorch as torch
>>> x = torch.ones(2, requires_grad=True)
>>> y = x * 3.0
>>> y.grad_fn._saved_self is None, y.grad_fn._saved_other
(True, tensor(3., dtype=torch.float64))
"""
from __future__ import annotations

from math import prod as _prod

import numpy as np

_UINT64 = 1 << 64


class Input:
    __slots__ = ("index", "when", "key", "t")

    def __init__(self, index: int, when=None, key: str | None = None, t: bool = False):
        self.index, self.key, self.t = index, key, t
        self.when = (when,) if isinstance(when, int) else when


class Output:
    __slots__ = ()


class Value:
    __slots__ = ("key", "conv", "default")

    def __init__(self, key: str, conv=None, default=None):
        self.key, self.conv, self.default = key, conv, default


class Array:
    __slots__ = ("key", "conv")

    def __init__(self, key: str, conv=None):
        self.key, self.conv = key, conv


class Derived:
    __slots__ = ("fn", "when", "otherwise")

    def __init__(self, fn, when=None, otherwise=None):
        self.fn, self.otherwise = fn, otherwise
        self.when = (when,) if isinstance(when, int) else when


class Const:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


# -- converters: numtorch's saved form -> PyTorch's ---------------------------------------------

def dims(v):
    """An axis or axes as PyTorch's ``dim`` list: always a tuple (``sum(1)`` -> ``(1,)``)."""
    if v is None:
        return None
    return tuple(int(a) for a in v) if isinstance(v, (tuple, list)) else (int(v),)


def sizes(v) -> tuple:
    return tuple(int(n) for n in v)


def uint(v: int) -> int:
    """PyTorch shows a negative saved int64 index as its unsigned 64-bit value."""
    v = int(v)
    return v + _UINT64 if v < 0 else v


_REDUCTION = {"none": 0, "mean": 1, "sum": 2}


def reduction(v) -> int:
    return _REDUCTION[v]


def strides(a) -> tuple:
    """An array's strides in elements (PyTorch's ``sym_strides``)."""
    return tuple(s // a.itemsize for s in a.strides)


def _correction(get):
    x, axis = get("x"), get("axis")
    n = x.size if axis is None else _prod(x.shape[a] for a in dims(axis))
    c = n - get("denom")
    return None if c == 1 and axis is None else c     # var() shows its default as None


def _ord(p):
    p = float(p)
    return int(p) if p.is_integer() else p


def _select(get):
    """(dim, index) of a ``Select``'s saved index: ``1`` or ``(slice(None), 2)``."""
    index = get("index")
    if not isinstance(index, tuple):
        return 0, index
    return len(index) - 1, index[-1]


def _slice(get):
    """(dim, slice) of the last sliced dimension of a ``Slice``'s saved index."""
    index = get("index")
    items = index if isinstance(index, tuple) else (index,)
    for dim in range(len(items) - 1, -1, -1):
        s = items[dim]
        if isinstance(s, slice) and s != slice(None):
            return dim, s
    return 0, items[0]


def _index(get):
    out = []
    for i in get("index"):
        out.append(None if isinstance(i, slice) else i)
    return tuple(out)


def _transpose(get):
    swapped = [i for i, a in enumerate(get("axes")) if a != i]
    return tuple(swapped) if len(swapped) == 2 else (0, 0)


_INT64_MAX = (1 << 63) - 1

_MATMUL = {   # mm-like products saving their operands as ``a`` and ``b``
    "mat2": Input(1, when=0, key="b"), "self": Input(0, when=1, key="a"),
    "self_sym_sizes": Derived(lambda get: sizes(get("a").shape)),
    "self_sym_strides": Derived(lambda get: strides(get("a")), when=0, otherwise=()),
    "mat2_sym_sizes": Derived(lambda get: sizes(get("b").shape)),
    "mat2_sym_strides": Derived(lambda get: strides(get("b")), when=1, otherwise=()),
}


def _max_indices(get):
    idx = get("idx")
    return _expand(idx, get("axis")) if get("keepdim") else idx


def _expand(a, axis):
    return np.expand_dims(a, axis)

_RESULT = {"result": Output()}
_SELF = {"self": Input(0)}
_DIM_KEEP = {"dim": Value("axis", dims), "keepdim": Value("keepdim")}

SAVED: dict = {
    # op class          PyTorch attribute -> where numtorch keeps it (node name in the comment)
    "Add": {"alpha": Value("alpha", default=1)},                                  # AddBackward0
    "Sub": {"alpha": Value("alpha", default=1)},                                  # SubBackward0
    "Rsub": {"alpha": Value("alpha", default=1)},                                 # RsubBackward1
    "Atan2": {"other": Input(1), "self": Input(0)},                               # Atan2Backward0
    "Addcmul": {"tensor1": Input(1, when=2, key="a"), "tensor2": Input(2, when=1, key="b"),
                "value": Value("value")},                                         # AddcmulBackward0
    "Mul": {"other": Input(1, when=0), "self": Input(0, when=1)},                 # MulBackward0
    "Div": {"other": Input(1), "self": Input(0, when=1)},                         # DivBackward0
    "Maximum": {"other": Input(1), "self": Input(0)},                             # MaximumBackward0
    "Minimum": {"other": Input(1), "self": Input(0)},
    "Exp": _RESULT, "Expm1": _RESULT, "Sigmoid": _RESULT, "Tanh": _RESULT, "Relu": _RESULT,
    "Sqrt": _RESULT, "Rsqrt": _RESULT, "Reciprocal": _RESULT, "Tan": _RESULT,
    "Log": _SELF, "Log2": _SELF, "Log10": _SELF, "Log1p": _SELF, "Abs": _SELF, "Sin": _SELF,
    "Cos": _SELF, "Sinh": _SELF, "Cosh": _SELF, "Asin": _SELF, "Acos": _SELF, "Atan": _SELF,
    "Silu": _SELF,
    "Gelu": {"approximate": Value("approximate"), "self": Input(0)},            # GeluBackward0
    "PowScalar": {"exponent": Value("y"), "self": Input(0)},                     # PowBackward0
    "Square": {"exponent": Const(2), "self": Input(0)},                          # PowBackward0
    "Pow": {"exponent": Input(1), "result": Output(), "self": Input(0)},         # PowBackward1
    "Sum": {"self_sym_sizes": Value("shape", sizes)},                             # SumBackward0
    "SumDim": {**_DIM_KEEP, "self_sym_sizes": Value("shape", sizes)},             # SumBackward1
    "Mean": {"self_sym_numel": Derived(lambda get: _prod(get("shape"))),          # MeanBackward0
             "self_sym_sizes": Value("shape", sizes)},
    "MeanDim": {**_DIM_KEEP, "self_sym_numel": Derived(lambda get: _prod(get("shape"))),
                "self_sym_sizes": Value("shape", sizes)},                         # MeanBackward1
    "Linear": {                                                                   # AddmmBackward0
        "alpha": Const(1), "beta": Const(1),
        "mat1": Input(0, when=1), "mat2": Input(1, when=0, key="w", t=True),
        "mat1_sym_sizes": Derived(lambda get: sizes(get("x").shape)),
        "mat1_sym_strides": Derived(lambda get: strides(get("x")), when=0, otherwise=()),
        "mat2_sym_sizes": Derived(lambda get: sizes(get("w").T.shape)),
        "mat2_sym_strides": Derived(lambda get: strides(get("w").T), when=1, otherwise=()),
    },
    "LinearNoBias": {                                                             # MmBackward0
        "self": Input(0, when=1), "mat2": Input(1, when=0, key="w", t=True),
        "self_sym_sizes": Derived(lambda get: sizes(get("x").shape)),
        "self_sym_strides": Derived(lambda get: strides(get("x")), when=0, otherwise=()),
        "mat2_sym_sizes": Derived(lambda get: sizes(get("w").T.shape)),
        "mat2_sym_strides": Derived(lambda get: strides(get("w").T), when=1, otherwise=()),
    },
    "Mm": _MATMUL, "MatMul": _MATMUL,                                             # MmBackward0
    "Bmm": {"mat2": Input(1, when=0, key="b"), "self": Input(0, when=1, key="a")},  # BmmBackward0
    "Dot": {"self": Input(0, when=1, key="a"), "tensor": Input(1, when=0, key="b")},  # DotBackward0
    "Mv": {"self": Input(0, when=1, key="a"), "vec": Input(1, when=0, key="b")},  # MvBackward0
    "Addmm": {"alpha": Value("alpha"), "beta": Value("beta"),                     # AddmmBackward0
              "mat1": Input(1, when=2, key="a"), "mat2": Input(2, when=1, key="b"),
              "mat1_sym_sizes": Derived(lambda get: sizes(get("a").shape)),
              "mat1_sym_strides": Derived(lambda get: strides(get("a")), when=1, otherwise=()),
              "mat2_sym_sizes": Derived(lambda get: sizes(get("b").shape)),
              "mat2_sym_strides": Derived(lambda get: strides(get("b")), when=2, otherwise=())},
    "View": {"self_sym_sizes": Value("in_shape", sizes)},                         # ViewBackward0
    "Expand": {"self_sym_sizes": Value("in_shape", sizes)},                       # ExpandBackward0
    "SqueezeDim": {"self_sym_sizes": Value("in_shape", sizes)},                   # SqueezeBackward1
    "Squeeze": {"self_sym_sizes": Value("in_shape", sizes)},                      # SqueezeBackward0
    "Softmax": {"dim": Value("axis"), "result": Output()},                       # SoftmaxBackward0
    "LogSoftmax": {"dim": Value("axis"), "result": Output()},
    "Permute": {"dims": Value("axes", sizes)},                                    # PermuteBackward0
    "T": {},                                                                      # TBackward0
    "Transpose": {"dim0": Derived(lambda get: _transpose(get)[0]),               # TransposeBackward0
                  "dim1": Derived(lambda get: _transpose(get)[1])},
    "Select": {"dim": Derived(lambda get: _select(get)[0]),                       # SelectBackward0
               "index": Derived(lambda get: uint(_select(get)[1])),
               "self_sym_sizes": Value("shape", sizes)},
    "Slice": {"dim": Derived(lambda get: _slice(get)[0]),                         # SliceBackward0
              "start": Derived(lambda get: _slice(get)[1].start or 0),
              "end": Derived(lambda get: _INT64_MAX if _slice(get)[1].stop is None
                             else _slice(get)[1].stop),
              "step": Derived(lambda get: _slice(get)[1].step or 1),
              "self_sym_sizes": Value("shape", sizes)},
    "Narrow": {"dim": Derived(lambda get: _slice(get)[0]),                        # SliceBackward0
               "start": Derived(lambda get: _slice(get)[1].start or 0),
               "end": Derived(lambda get: _INT64_MAX if _slice(get)[1].stop is None
                              else _slice(get)[1].stop),
               "step": Derived(lambda get: _slice(get)[1].step or 1),
               "self_sym_sizes": Value("shape", sizes)},
    "Split": {"dim": Derived(lambda get: len(get("index")) - 1),                  # SplitBackward0
              "self_sym_sizes": Value("shape", sizes)},
    "Unbind": {"dim": Derived(lambda get: len(get("index")) - 1)},                # UnbindBackward0
    "Tril": {"diagonal": Value("k")}, "Triu": {"diagonal": Value("k")},          # TrilBackward0
    "Roll": {"dims": Value("axes", dims), "shifts": Value("shifts", dims)},       # RollBackward0
    "Index": {"indices": Derived(_index), "self_sym_sizes": Value("shape", sizes)},  # IndexBackward0
    "IndexSelect": {"dim": Value("axis"), "index": Array("idx"),                  # IndexSelectBackward0
                    "self_sym_sizes": Value("shape", sizes)},
    "Gather": {"dim": Value("axis"), "index": Array("idx"),                       # GatherBackward0
               "sparse_grad": Const(False)},
    "Cat": {"dim": Value("axis")}, "Stack": {"dim": Value("axis")},               # Cat/StackBackward0
    "Cumsum": {"dim": Value("axis")},                                             # CumsumBackward0
    "Flip": {"dims": Value("axes", sizes)},                                       # FlipBackward0
    "Repeat": {"repeats": Value("reps", sizes), "self_sym_sizes": Value("shape", sizes)},
    "Where": {"condition": Array("cond")},                                        # WhereBackward0
    "MaskedFill": {"mask": Array("mask")},                                        # MaskedFillBackward0
    "MaxAll": {"result": Output(), "self": Input(0)},                            # MaxBackward1
    "MinAll": {"result": Output(), "self": Input(0)},                            # MinBackward1
    "MaxDim": {"dim": Value("axis"), "indices": Derived(_max_indices), "keepdim": Value("keepdim"),
               "self_sym_sizes": Value("shape", sizes)},                          # MaxBackward0
    "MinDim": {"dim": Value("axis"), "indices": Derived(_max_indices), "keepdim": Value("keepdim"),
               "self_sym_sizes": Value("shape", sizes)},
    "Amax": {**_DIM_KEEP, "result": Output(), "self": Input(0)},                 # AmaxBackward0
    "Amin": {**_DIM_KEEP, "result": Output(), "self": Input(0)},
    "LogSumExp": {**_DIM_KEEP, "result": Output(), "self": Input(0)},            # LogsumexpBackward0
    "Prod": {"result": Output(), "self": Input(0)},                              # ProdBackward0
    "ProdDim": {"dim": Value("axis"), "keepdim": Value("keepdim"),               # ProdBackward1
                "result": Output(), "self": Input(0)},
    "Var": {"correction": Derived(_correction), **_DIM_KEEP, "self": Input(0)},  # VarBackward0
    "Std": {"correction": Derived(_correction), **_DIM_KEEP, "result": Output(),
            "self": Input(0)},                                                    # StdBackward0
    "Norm": {**_DIM_KEEP, "ord": Value("p", _ord), "result": Output(),           # LinalgVectorNorm
             "self": Input(0)},
    "Clamp": {"max": Value("hi"), "min": Value("lo"), "self": Input(0)},         # ClampBackward1
    "MseLoss": {"reduction": Value("reduction", reduction), "self": Input(0),     # MseLossBackward0
                "target": Input(1)},
    "BinaryCrossEntropy": {"reduction": Value("reduction", reduction), "self": Input(0),
                           "target": Input(1), "weight": Value("w")},
    "BinaryCrossEntropyWithLogits": {"pos_weight": Value("pw"),
                                     "reduction": Value("reduction", reduction),
                                     "self": Input(0), "target": Input(1), "weight": Value("w")},
    "SmoothL1Loss": {"beta": Value("beta"), "reduction": Value("reduction", reduction)},
    "NllLoss": {"reduction": Value("reduction", reduction), "target": Array("t"),  # NllLossBackward0
                "weight": Value("wt")},
    "CrossEntropy": {"reduction": Value("reduction", reduction), "target": Array("t"),
                     "weight": Value("w")},
    "LeakyRelu": {"negative_slope": Value("slope")},                              # LeakyReluBackward0
    "Elu": {"alpha": Value("alpha"), "scale": Value("scale")},                    # EluBackward0
}
