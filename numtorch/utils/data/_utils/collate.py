"""``default_collate`` and ``default_convert``: turn a list of samples into a batch.

Samples are collated by the type of their first element, as PyTorch does: tensors are
stacked, NumPy arrays become tensors and are stacked, Python floats become a float64
tensor, ints an int64 tensor, strings stay a list, and mappings, namedtuples and
sequences are collated field by field (a tuple of fields becomes a *list*, as in PyTorch).

>>> import numtorch as torch
>>> default_collate([(torch.tensor([1.0]), 0), (torch.tensor([2.0]), 1)])
[tensor([[1.],
        [2.]]), tensor([0, 1])]
"""
from __future__ import annotations

import collections.abc
import copy
import re
from typing import Any, Callable, Dict, Optional, Tuple, Type, Union

import numpy as np

from ...._tensor import Tensor
from .... import _dtype

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

_NP_STR_OBJ = re.compile(r"[SaUO]")
_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")
_CONVERT_ERR = ("default_convert: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                "found {}")


def _np_to_tensor(a) -> Tensor:
    if isinstance(a, np.ndarray):
        _dtype.from_numpy_dtype(a.dtype)
        return Tensor._make(a)
    arr = np.asarray(a)                        # a NumPy scalar
    _dtype.from_numpy_dtype(arr.dtype)
    return Tensor._make(arr)


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays (also inside mappings and sequences) to tensors; keep the rest.

    Used by ``DataLoader(batch_size=None)``.

    >>> default_convert(np.array([1, 2]))
    tensor([1, 2])
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        if elem_type.__name__ == "ndarray" and _NP_STR_OBJ.search(data.dtype.str) is not None:
            return data
        return _np_to_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(converted)
            return clone
        try:
            return elem_type(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):          # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]                     # as PyTorch: a list
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        if isinstance(data, collections.abc.MutableSequence):
            clone = copy.copy(data)
            for i, d in enumerate(converted):
                clone[i] = d
            return clone
        try:
            return elem_type(converted)
        except TypeError:
            return converted
    return data


# -- per-type collate functions ---------------------------------------------------------------------

def collate_tensor_fn(batch, *, collate_fn_map=None) -> Tensor:
    from ....ops.shape import stack
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if _NP_STR_OBJ.search(elem.dtype.str) is not None:
        raise TypeError(_ERR.format(elem.dtype))
    return collate([_np_to_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None) -> Tensor:
    arr = np.asarray(batch)
    _dtype.from_numpy_dtype(arr.dtype)
    return Tensor._make(arr)


def collate_float_fn(batch, *, collate_fn_map=None) -> Tensor:
    return Tensor._make(np.array(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None) -> Tensor:
    if all(type(b) is bool for b in batch):
        return Tensor._make(np.array(batch, dtype=np.bool_))
    from ....ops.creation import tensor
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: Dict[Union[Type, Tuple[Type, ...]], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def collate(batch, *, collate_fn_map: Optional[Dict[Union[Type, Tuple[Type, ...]], Callable]] = None):
    """Collate ``batch`` (a list of samples) with per-type functions from ``collate_fn_map``.

    >>> collate([1, 2], collate_fn_map=default_collate_fn_map)
    tensor([1, 2])
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(elem_type)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        collated = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(collated)
            return clone
        try:
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):          # namedtuple
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, s in enumerate(transposed):
                    clone[i] = collate(s, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(s, collate_fn_map=collate_fn_map) for s in transposed])
        except TypeError:
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
    raise TypeError(_ERR.format(elem_type))


def default_collate(batch):
    """Stack a list of samples into a batch, the way ``torch.utils.data.default_collate`` does.

    >>> default_collate([{"x": 1.0}, {"x": 2.0}])
    {'x': tensor([1., 2.], dtype=torch.float64)}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
