"""Constraints: the sets a distribution's parameters and values live in
(``torch.distributions.constraints``).

A constraint's ``check(value)`` returns a bool tensor over the value's batch (its rightmost
``event_dim`` dimensions are reduced).  ``event_dim`` says how many rightmost dimensions one
event takes; ``is_discrete`` says whether the set is countable.

>>> import numtorch as torch
>>> from numtorch.distributions import constraints
>>> constraints.positive.check(torch.tensor([1.0, -1.0]))
tensor([ True, False])
>>> constraints.interval(0.0, 1.0)
Interval(lower_bound=0.0, upper_bound=1.0)
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor

__all__ = [
    "Constraint", "boolean", "cat", "corr_cholesky", "dependent", "dependent_property",
    "greater_than", "greater_than_eq", "independent", "integer_interval", "interval",
    "half_open_interval", "is_dependent", "less_than", "lower_cholesky", "lower_triangular",
    "multinomial", "nonnegative", "nonnegative_integer", "one_hot", "positive",
    "positive_semidefinite", "positive_definite", "positive_integer", "real", "real_vector",
    "simplex", "square", "stack", "symmetric", "unit_interval",
]


def _arr(v) -> np.ndarray:
    return v._data if isinstance(v, Tensor) else np.asarray(v)


def _result(mask) -> Tensor:
    return Tensor._make(np.asarray(mask, dtype=np.bool_))


def _bound(b):
    """A bound as an array (tensor bounds) or a Python number."""
    return b._data if isinstance(b, Tensor) else b


class Constraint:
    """Base class: a region over which a variable is valid."""

    is_discrete = False
    event_dim = 0

    def check(self, value) -> Tensor:
        """A bool tensor: whether each event of ``value`` satisfies the constraint."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__[1:] + "()"


class _Dependent(Constraint):
    """Placeholder for a support that depends on other variables (no static check)."""

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented) -> None:
        self._is_discrete = is_discrete
        self._event_dim = event_dim
        super().__init__()

    @property
    def is_discrete(self) -> bool:
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self) -> int:
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, x):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint) -> bool:
    """Whether ``constraint`` is a ``dependent`` placeholder."""
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property whose value is a constraint that depends on the instance (e.g. a support
    bounded by the distribution's parameters); on the class it reads as ``dependent``."""

    def __init__(self, fn=None, *, is_discrete=NotImplemented, event_dim=NotImplemented) -> None:
        property.__init__(self, fn)
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """``base_constraint`` with ``reinterpreted_batch_ndims`` more dimensions in each event."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        if not isinstance(base_constraint, Constraint):
            raise TypeError("base_constraint must be a Constraint")
        if not isinstance(reinterpreted_batch_ndims, int) or reinterpreted_batch_ndims < 0:
            raise ValueError("reinterpreted_batch_ndims must be a non-negative int")
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        super().__init__()

    @property
    def is_discrete(self) -> bool:
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value) -> Tensor:
        result = _arr(self.base_constraint.check(value))
        n = self.reinterpreted_batch_ndims
        if result.ndim < n:
            expected = self.base_constraint.event_dim + n
            raise ValueError(f"Expected value.dim() >= {expected} but got "
                             f"{_arr(value).ndim}")
        if n:
            result = result.reshape(result.shape[:result.ndim - n] + (-1,)).all(-1)
        return _result(result)

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        v = _arr(value)
        return _result((v == 0) | (v == 1))


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value):
        v = _arr(value)
        is_boolean = ((v == 0) | (v == 1)).all(-1)
        is_normalized = v.sum(-1) == 1
        return _result(is_boolean & is_normalized)


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        v = _arr(value)
        return _result((v % 1 == 0) & (_bound(self.lower_bound) <= v)
                       & (v <= _bound(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _IntegerLessThan(Constraint):
    is_discrete = True

    def __init__(self, upper_bound) -> None:
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        v = _arr(value)
        return _result((v % 1 == 0) & (v <= _bound(self.upper_bound)))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(upper_bound={self.upper_bound})"


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound) -> None:
        self.lower_bound = lower_bound
        super().__init__()

    def check(self, value):
        v = _arr(value)
        return _result((v % 1 == 0) & (v >= _bound(self.lower_bound)))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={self.lower_bound})"


class _Real(Constraint):
    def check(self, value):
        v = _arr(value)
        return _result(v == v)          # everything but NaN


class _GreaterThan(Constraint):
    def __init__(self, lower_bound) -> None:
        self.lower_bound = lower_bound
        super().__init__()

    def check(self, value):
        return _result(_bound(self.lower_bound) < _arr(value))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={self.lower_bound})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return _result(_bound(self.lower_bound) <= _arr(value))


class _LessThan(Constraint):
    def __init__(self, upper_bound) -> None:
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        return _result(_arr(value) < _bound(self.upper_bound))

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        v = _arr(value)
        return _result((_bound(self.lower_bound) <= v) & (v <= _bound(self.upper_bound)))

    def __repr__(self) -> str:
        return (f"{type(self).__name__[1:]}(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _HalfOpenInterval(_Interval):
    def check(self, value):
        v = _arr(value)
        return _result((_bound(self.lower_bound) <= v) & (v < _bound(self.upper_bound)))


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value):
        v = _arr(value)
        return _result((v >= 0).all(-1) & (np.abs(v.sum(-1) - 1) < 1e-6))


class _Multinomial(Constraint):
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound) -> None:
        self.upper_bound = upper_bound

    def check(self, x):
        v = _arr(x)
        return _result((v >= 0).all(-1) & (v.sum(-1) <= _bound(self.upper_bound)))


class _LowerTriangular(Constraint):
    event_dim = 2

    def check(self, value):
        v = _arr(value)
        tril = np.tril(v)
        return _result((tril == v).reshape(v.shape[:-2] + (-1,)).min(-1))


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value):
        v = _arr(value)
        lower = (np.tril(v) == v).reshape(v.shape[:-2] + (-1,)).min(-1)
        positive_diag = (np.diagonal(v, axis1=-2, axis2=-1) > 0).min(-1)
        return _result(lower & positive_diag)


class _CorrCholesky(Constraint):
    event_dim = 2

    def check(self, value):
        v = _arr(value)
        tol = np.finfo(v.dtype).eps * v.shape[-1] * 10
        row_norm = np.linalg.norm(v, axis=-1)
        unit_rows = (np.abs(row_norm - 1.0) <= tol).all(-1)
        return _result(_arr(_LowerCholesky().check(value)) & unit_rows)


class _Square(Constraint):
    event_dim = 2

    def check(self, value):
        v = _arr(value)
        return _result(np.full(v.shape[:-2], v.shape[-2] == v.shape[-1], dtype=np.bool_))


class _Symmetric(_Square):
    def check(self, value):
        square = _arr(super().check(value))
        if not square.all():
            return _result(square)
        v = _arr(value)
        close = np.isclose(v, np.swapaxes(v, -1, -2), atol=1e-6)
        return _result(close.all(-2).all(-1))


def _cholesky_ok(v: np.ndarray) -> np.ndarray:
    out = np.zeros(v.shape[:-2], dtype=np.bool_)
    flat = v.reshape((-1,) + v.shape[-2:])
    res = out.reshape(-1)
    for i, m in enumerate(flat):
        try:
            np.linalg.cholesky(m)
            res[i] = bool(np.isfinite(m).all())
        except np.linalg.LinAlgError:
            res[i] = False
    return res.reshape(v.shape[:-2])


class _PositiveSemidefinite(_Symmetric):
    def check(self, value):
        sym = _arr(super().check(value))
        if not sym.all():
            return _result(sym)
        v = _arr(value)
        return _result((np.linalg.eigvalsh(v) >= 0).all(-1))


class _PositiveDefinite(_Symmetric):
    def check(self, value):
        sym = _arr(super().check(value))
        if not sym.all():
            return _result(sym)
        return _result(_cholesky_ok(_arr(value)))


class _Cat(Constraint):
    """``cseq[i]`` on the ``lengths[i]`` slice of dimension ``dim``."""

    def __init__(self, cseq, dim: int = 0, lengths=None) -> None:
        self.cseq = list(cseq)
        self.lengths = list(lengths) if lengths is not None else [1] * len(self.cseq)
        if len(self.lengths) != len(self.cseq):
            raise ValueError("lengths must have one entry per constraint")
        self.dim = dim
        super().__init__()

    @property
    def is_discrete(self) -> bool:
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self) -> int:
        return max(c.event_dim for c in self.cseq)

    def check(self, value):
        v = _arr(value)
        checks, start = [], 0
        for constr, length in zip(self.cseq, self.lengths):
            part = np.take(v, range(start, start + length), axis=self.dim)
            checks.append(_arr(constr.check(Tensor._make(part))))
            start += length
        return _result(np.concatenate(checks, self.dim))


class _Stack(Constraint):
    """``cseq[i]`` on index ``i`` of dimension ``dim``."""

    def __init__(self, cseq, dim: int = 0) -> None:
        self.cseq = list(cseq)
        self.dim = dim
        super().__init__()

    @property
    def is_discrete(self) -> bool:
        return any(c.is_discrete for c in self.cseq)

    @property
    def event_dim(self) -> int:
        dim = max(c.event_dim for c in self.cseq)
        if self.dim + dim < 0:
            dim += 1
        return dim

    def check(self, value):
        v = _arr(value)
        parts = [_arr(c.check(Tensor._make(np.take(v, i, axis=self.dim))))
                 for i, c in enumerate(self.cseq)]
        return _result(np.stack(parts, self.dim))


# Public interface.
dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
multinomial = _Multinomial
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()
cat = _Cat
stack = _Stack
