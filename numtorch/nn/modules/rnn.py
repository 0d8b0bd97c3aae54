"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and the cells ``RNNCell``, ``LSTMCell``,
``GRUCell``, with PyTorch's parameter names, initialisation draws, shapes, reprs and errors.

Each layer and direction runs as one fused node over the whole sequence (``ops/rnn.py``); a
``PackedSequence`` input runs without padding and gives each sequence's own final state.

>>> import numtorch as torch
>>> lstm = torch.nn.LSTM(32, 128, batch_first=True)
>>> lstm
LSTM(32, 128, batch_first=True)
>>> out, (h, c) = lstm(torch.zeros(4, 10, 32))
>>> tuple(out.shape), tuple(h.shape), tuple(c.shape)
((4, 10, 128), (1, 4, 128), (1, 4, 128))
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import List, Optional, Tuple

from ..._tensor import Tensor
from ...ops import rnn as _R
from ..._dtype import legacy_name_np as _scalar_name
from ...ops.creation import empty, zeros
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .linear import _factory
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_KIND = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu", "LSTM": "lstm", "GRU": "gru"}
_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _permute(hx, permutation):
    if permutation is None or hx is None:
        return hx
    if isinstance(hx, tuple):
        return tuple(h.index_select(1, permutation) for h in hx)
    return hx.index_select(1, permutation)


class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: the parameters (``weight_ih_l{k}``,
    ``weight_hh_l{k}``, ``bias_ih_l{k}``, ``bias_hh_l{k}``, ``weight_hr_l{k}`` with LSTM
    projections, ``..._reverse`` for the second direction), their initialisation
    ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))`` in registration order, and the checks."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        kw = _factory(device, dtype)
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        dirs = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(dirs):
                layer_input = input_size if layer == 0 else real_hidden * dirs
                suffix = "_reverse" if direction == 1 else ""
                params = [("weight_ih_l{}{}", (gate_size, layer_input)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    params += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    params.append(("weight_hr_l{}{}", (proj_size, hidden_size)))
                names = []
                for fmt, shape in params:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(empty(shape, **kw)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> List[List[Parameter]]:
        """The parameters, one list per layer and direction."""
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch compacts cuDNN's weight buffer here; numtorch has none)."""

    def _update_flat_weights(self) -> None:
        pass

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # -- PyTorch's checks -------------------------------------------------------------------------
    def check_input(self, input: Tensor, batch_sizes: Optional[Tensor]) -> None:
        wd = self._flat_weights[0].dtype
        if input.dtype != wd:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({wd}). "
                             f"Convert input: input.to({wd}), or convert model: "
                             f"model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Optional[Tensor]) -> tuple:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        dirs = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * dirs, mini_batch, size)

    def check_hidden_size(self, hx: Tensor, expected_hidden_size: tuple,
                          msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden, batch_sizes: Optional[Tensor]) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation: Optional[Tensor]):
        return _permute(hx, permutation)

    # -- the forward pass shared by RNN, LSTM and GRU ---------------------------------------------
    def _run(self, input, hx):
        lstm = self.mode == "LSTM"
        orig = input
        batch_sizes = sorted_indices = unsorted_indices = None
        is_batched = True
        if isinstance(orig, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = orig
            hx = self.permute_hidden(hx, sorted_indices)
        else:
            if input.dim() not in (2, 3):
                what = " tensor" if self.mode.startswith("RNN") else ""    # (PyTorch's texts)
                raise ValueError(f"{self._get_name()}: Expected input to be 2D or 3D, got "
                                 f"{input.dim()}D{what} instead")
            is_batched = input.dim() == 3
            if not is_batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            if hx is not None:
                hx = self._check_hidden_dims(hx, is_batched)
        self._check_args(input, hx, batch_sizes)
        if batch_sizes is None and self.batch_first:
            input = input.transpose(0, 1)
        weights = self._flat_weights
        res = _R.rnn(_KIND[self.mode], input, hx, weights, self.bias, self.num_layers,
                     self.dropout, self.training, self.bidirectional,
                     None if batch_sizes is None else batch_sizes.tolist(), self.proj_size > 0)
        output, hidden = res[0], (res[1], res[2]) if lstm else res[1]
        if batch_sizes is not None:
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden(hidden, unsorted_indices))
        if self.batch_first:
            output = _R.batch_first_output(output, lstm)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            hidden = tuple(h.squeeze(1) for h in hidden) if lstm else hidden.squeeze(1)
        return output, hidden

    def _check_hidden_dims(self, hx, is_batched: bool):
        if self.mode == "LSTM":
            dims = (hx[0].dim(), hx[1].dim())
            if is_batched and dims != (3, 3):
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({dims[0]}-D, {dims[1]}-D) tensors")
            if not is_batched:
                if dims != (2, 2):
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but "
                                       f"got ({dims[0]}-D, {dims[1]}-D) tensors")
                return hx[0].unsqueeze(1), hx[1].unsqueeze(1)
            return hx[0], hx[1]
        if is_batched and hx.dim() != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D "
                               "tensor")
        if not is_batched:
            if hx.dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.dim()}-D tensor")
            return hx.unsqueeze(1)
        return hx

    def _check_args(self, input, hx, batch_sizes) -> None:
        if hx is None:
            self.check_input(input, batch_sizes)
            return
        self.check_forward_args(input, hx, batch_sizes)
        wd = self._flat_weights[0]._data.dtype
        for h in (hx if isinstance(hx, tuple) else (hx,)):
            if h._data.dtype != wd:
                if _R.uses_mkldnn(_KIND[self.mode], wd, self.proj_size > 0,
                                  batch_sizes is not None):
                    raise RuntimeError("get_mkldnn_dtype: unsupported data type")
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                                   f"{_scalar_name(h._data.dtype)} and {_scalar_name(wd)}")


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (``relu`` with
    ``nonlinearity='relu'``). ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh',
    bias=True, batch_first=False, dropout=0.0, bidirectional=False)``.

    >>> import numtorch as torch
    >>> rnn = torch.nn.RNN(10, 20, 2)
    >>> out, h = rnn(torch.zeros(5, 3, 10))
    >>> tuple(out.shape), tuple(h.shape)
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx: Optional[Tensor] = None):
        return self._run(input, hx)


class LSTM(RNNBase):
    """Long short-term memory: gates ``i, f, g, o`` (rows of ``weight_ih``/``weight_hh`` in that
    order), ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)`` (times ``weight_hr`` with
    ``proj_size``). Returns ``output, (h_n, c_n)``.

    >>> import numtorch as torch
    >>> lstm = torch.nn.LSTM(10, 20, 2, proj_size=5)
    >>> out, (h, c) = lstm(torch.zeros(5, 3, 10))
    >>> tuple(out.shape), tuple(h.shape), tuple(c.shape)
    ((5, 3, 5), (2, 3, 5), (2, 3, 20))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Optional[Tensor]) -> tuple:
        size = self.get_expected_hidden_size(input, batch_sizes)
        return size[:2] + (self.hidden_size,)

    def check_forward_args(self, input: Tensor, hidden, batch_sizes: Optional[Tensor]) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx: Optional[Tuple[Tensor, Tensor]] = None):
        return self._run(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit: ``r, z = sigmoid(...)``, ``n = tanh(W_in x + b_in + r * (W_hn h +
    b_hn))``, ``h_t = (1 - z) * n + z * h_{t-1}`` (rows ``r, z, n``).

    >>> import numtorch as torch
    >>> gru = torch.nn.GRU(10, 20, batch_first=True, bidirectional=True)
    >>> out, h = gru(torch.zeros(3, 5, 10))
    >>> tuple(out.shape), tuple(h.shape)
    ((3, 5, 40), (2, 3, 20))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx: Optional[Tensor] = None):
        return self._run(input, hx)


# -- cells ----------------------------------------------------------------------------------------

class RNNCellBase(Module):
    """What the cells share: ``weight_ih`` ``(chunks * hidden, input)``, ``weight_hh``,
    ``bias_ih``, ``bias_hh``, initialised ``U(-1/sqrt(hidden), 1/sqrt(hidden))``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        kw = _factory(device, dtype)
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, input: Tensor, hx, name: str, hidden_word: str = "hidden"):
        """PyTorch's cell checks; ``(input, hx, is_batched)`` with a batch axis added."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        hs = hx if isinstance(hx, tuple) else (hx,)
        for i, h in enumerate(hs):
            if h is not None and h.dim() not in (1, 2):
                what = f"hx[{i}]" if isinstance(hx, tuple) else hidden_word
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            hs = (z, z) if isinstance(self, LSTMCell) else (z,)
        elif not is_batched:
            hs = tuple(h.unsqueeze(0) for h in hs)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                               f"{self.input_size}")
        for i, h in enumerate(hs):
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} "
                                   f"batch size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        return input, hs, is_batched


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ``relu``).

    >>> import numtorch as torch
    >>> cell = torch.nn.RNNCell(10, 20)
    >>> tuple(cell(torch.zeros(3, 10)).shape)
    (3, 20)
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, (h,), is_batched = self._prepare(input, hx, "RNNCell")
        if self.nonlinearity == "tanh":
            ret = _R.rnn_tanh_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih,
                                   self.bias_hh)
        elif self.nonlinearity == "relu":
            ret = _R.rnn_relu_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih,
                                   self.bias_hh)
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns ``(h', c')``.

    >>> import numtorch as torch
    >>> cell = torch.nn.LSTMCell(10, 20)
    >>> h, c = cell(torch.zeros(3, 10))
    >>> tuple(h.shape), tuple(c.shape)
    ((3, 20), (3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None) -> tuple:
        x, hs, is_batched = self._prepare(input, hx, "LSTMCell")
        h, c = _R.lstm_cell(x, hs, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: ``h' = (1 - z) * n + z * h``.

    >>> import numtorch as torch
    >>> cell = torch.nn.GRUCell(10, 20)
    >>> tuple(cell(torch.zeros(10)).shape)
    (20,)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, (h,), is_batched = self._prepare(input, hx, "GRUCell")
        ret = _R.gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return ret if is_batched else ret.squeeze(0)
