"""``torch.nn.utils.rnn``: batches of sequences of different lengths.

A ``PackedSequence`` keeps only the real steps: ``data`` holds, step after step, the rows of the
sequences still running (longest first), ``batch_sizes`` how many there are at each step.
``RNN``/``LSTM``/``GRU`` take one and give one back, with each sequence's own final state.

>>> import numtorch as torch
>>> from numtorch.nn.utils.rnn import pad_sequence, pack_padded_sequence, pad_packed_sequence
>>> seqs = [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0])]
>>> padded = pad_sequence(seqs)
>>> padded.T
tensor([[1., 2., 3.],
        [4., 0., 0.]])
>>> packed = pack_padded_sequence(padded, [3, 1])
>>> packed.data, packed.batch_sizes
(tensor([1., 4., 2., 3.]), tensor([2, 1, 1]))
>>> pad_packed_sequence(packed)[1]
tensor([3, 1])
"""
from __future__ import annotations

from collections import namedtuple
from typing import Iterable, List, Optional

import numpy as np

from ..._tensor import Tensor
from ...ops import rnn as _R
from ...ops._apply import apply
from ...ops import shape as _S

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

_make = Tensor._make

_PackedSequenceBase = namedtuple("PackedSequence_",
                                 ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """The packed form of a batch of sequences (a named tuple: ``data``, ``batch_sizes``,
    ``sorted_indices``, ``unsorted_indices``). Make one with ``pack_padded_sequence`` or
    ``pack_sequence``; ``sorted_indices`` orders the batch by decreasing length (None when it
    already was), ``unsorted_indices`` undoes that.

    >>> import numtorch as torch
    >>> p = torch.nn.utils.rnn.pack_sequence([torch.tensor([1.0, 2.0]), torch.tensor([3.0])])
    >>> p.data, p.batch_sizes, p.sorted_indices
    (tensor([1., 3., 2.]), tensor([2, 1]), None)
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not isinstance(data, (list, tuple)) or len(data) != 2:
            raise AssertionError("Expected data to be a list or tuple of length 2")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        """``data.to(...)``; the indices follow to its device. ``self`` when nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        rest = {k: v for k, v in kwargs.items() if k not in ("device", "dtype")}
        sorted_indices = None if self.sorted_indices is None else \
            self.sorted_indices.to(data.device, **rest)
        unsorted_indices = None if self.unsorted_indices is None else \
            self.unsorted_indices.to(data.device, **rest)
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cuda(self, *args, **kwargs) -> "PackedSequence":
        ex = _make(np.empty(0, self.data._data.dtype)).cuda(*args, **kwargs)
        return self.to(device=ex.device)

    def cpu(self, *args, **kwargs) -> "PackedSequence":
        return self.to(device="cpu")

    def pin_memory(self) -> "PackedSequence":
        return self

    def is_pinned(self) -> bool:
        return False

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def _cast(self, name):
        from ... import _dtype
        return self.to(dtype=getattr(_dtype, name))

    def double(self) -> "PackedSequence":
        return self._cast("float64")

    def float(self) -> "PackedSequence":
        return self._cast("float32")

    def half(self) -> "PackedSequence":
        return self._cast("float16")

    def long(self) -> "PackedSequence":
        return self._cast("int64")

    def int(self) -> "PackedSequence":
        return self._cast("int32")

    def short(self) -> "PackedSequence":
        return self._cast("int16")

    def char(self) -> "PackedSequence":
        return self._cast("int8")

    def byte(self) -> "PackedSequence":
        return self._cast("uint8")


def invert_permutation(permutation: Optional[Tensor]) -> Optional[Tensor]:
    """The permutation that undoes ``permutation`` (None stays None).

    >>> import numtorch as torch
    >>> invert_permutation(torch.tensor([2, 0, 1]))
    tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    p = permutation._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _make(out)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        a = lengths._data
    else:
        a = np.asarray(lengths)
    if a.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {a.ndim}D "
                           "cpu Long tensor")
    return a.astype(np.int64)


def _batch_sizes(lengths: np.ndarray, steps: int) -> np.ndarray:
    """PyTorch's checks of (decreasing) ``lengths`` and the per-step batch sizes."""
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if np.any(lengths[:-1] < lengths[1:]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if lengths.size and lengths[0] > steps:
        raise RuntimeError(f"Expected the longest length ({lengths[0]}) to be at most the number "
                           f"of steps of the padded input ({steps})")
    return (lengths[None, :] > np.arange(int(lengths[0]) if lengths.size else 0)[:, None]).sum(1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of the
    given ``lengths``. With ``enforce_sorted=False`` the batch is sorted by decreasing length
    first (``sorted_indices``); otherwise ``lengths`` must already decrease.

    >>> import numtorch as torch
    >>> p = pack_padded_sequence(torch.tensor([[1, 2], [3, 0]]), [2, 1], batch_first=True)
    >>> p.data, p.batch_sizes
    (tensor([1, 3, 2]), tensor([2, 1]))
    """
    lengths = _lengths_array(lengths)
    if enforce_sorted:
        sorted_indices = None
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _make(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    x = input._data
    if x.size == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if x.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if lengths.size != x.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.size} (batch_size={x.shape[1]})")
    bs = _batch_sizes(lengths, x.shape[0])
    rows = _R.packed_rows(bs, x.shape[1])
    data = apply(_R.PackPaddedSequence, (input,), (x, rows))
    return PackedSequence(data, _make(bs.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: Optional[int] = None) -> tuple:
    """Undo ``pack_padded_sequence``: ``(padded, lengths)``, the batch in its original order,
    padded with ``padding_value`` to the longest length (or ``total_length``).

    >>> import numtorch as torch
    >>> p = pack_sequence([torch.tensor([1.0, 2.0]), torch.tensor([3.0])])
    >>> pad_packed_sequence(p, batch_first=True, padding_value=-1.0)
    (tensor([[ 1.,  2.],
            [ 3., -1.]]), tensor([2, 1]))
    """
    data = sequence.data
    bs = np.asarray(sequence.batch_sizes._data, np.int64)
    steps = bs.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    batch = int(bs[0])
    lengths = (bs[None, :] > np.arange(batch)[:, None]).sum(1).astype(np.int64)
    rows = _R.packed_rows(bs, batch)
    padded = apply(_R.PadPackedSequence, (data,), (data._data, rows, steps, batch, padding_value))
    if batch_first:
        padded = padded.transpose(0, 1)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        padded = padded.index_select(0 if batch_first else 1, unsorted)
        return padded, _make(lengths[unsorted._data])
    return padded, _make(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences ``(L_i, *)`` into one ``(T, B, *)`` tensor (``(B, T, *)`` with
    ``batch_first``), padded with ``padding_value`` on the ``padding_side`` (``"right"`` or
    ``"left"``).

    >>> import numtorch as torch
    >>> seqs = [torch.tensor([1, 2]), torch.tensor([3])]
    >>> pad_sequence(seqs, batch_first=True, padding_side="left")
    tensor([[1, 2],
            [0, 3]])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if not isinstance(sequences, (Iterable, Tensor)):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of "
                           f"type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    arrays = tuple(s._data for s in sequences)
    steps = max(a.shape[0] for a in arrays)
    return apply(_R.PadSequence, sequences, arrays, steps, bool(batch_first), padding_value,
                 padding_side == "left", arrays[0].dtype)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> List[Tensor]:
    """Split a padded batch back into its sequences (``lengths``: a tensor).

    >>> import numtorch as torch
    >>> unpad_sequence(torch.tensor([[1, 3], [2, 0]]), torch.tensor([2, 1]))
    [tensor([1, 2]), tensor([3])]
    """
    if not isinstance(lengths, Tensor):
        raise AttributeError(f"'{type(lengths).__name__}' object has no attribute 'device'")
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    steps = padded_sequences._data.shape[1]
    idx = np.arange(steps)
    out = []
    for seq, length in zip(_S.unbind(padded_sequences, 0), lengths._data):
        out.append(seq[_make(idx < length)])
    return out


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)`` (longest first, unless ``enforce_sorted=False``).

    >>> import numtorch as torch
    >>> pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])]).data
    tensor([1, 4, 6, 2, 5, 3])
    """
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> List[Tensor]:
    """The list of sequences a ``PackedSequence`` holds, in their original order.

    >>> import numtorch as torch
    >>> p = pack_sequence([torch.tensor([1, 2]), torch.tensor([3, 4, 5])], enforce_sorted=False)
    >>> unpack_sequence(p)
    [tensor([1, 2]), tensor([3, 4, 5])]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
