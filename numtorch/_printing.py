"""Tensor printing that reproduces PyTorch's ``repr`` character for character.

>>> import numpy as np
>>> from numtorch import _dtype
>>> format_array(np.array([0.274, 0.364], dtype=np.float32), _dtype.float32)
'tensor([0.2740, 0.3640])'

The module reads only plain attributes of a tensor (``_data``, ``dtype``,
``requires_grad``, ``grad_fn``, ``is_leaf``, ``device``) so it can be used and
tested without the rest of numtorch.
"""
from __future__ import annotations

import contextlib
import math
from typing import Any, Dict, Iterator, List, Optional, Sequence

import numpy as np

from . import _dtype

__all__ = [
    "tensor_repr",
    "format_array",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
    "PRINT_OPTS",
]

_PREFIX = "tensor("


class _PrintOptions:
    """Current print options; the defaults equal PyTorch's ``default`` profile."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision: int = 4
        self.threshold: float = 1000
        self.edgeitems: int = 3
        self.linewidth: int = 80
        self.sci_mode: Optional[bool] = None

    def __repr__(self) -> str:
        return f"_PrintOptions({get_printoptions()})"


PRINT_OPTS = _PrintOptions()

_PROFILES: Dict[str, Dict[str, Any]] = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision: Optional[int] = None,
    threshold: Optional[float] = None,
    edgeitems: Optional[int] = None,
    linewidth: Optional[int] = None,
    profile: Optional[str] = None,
    sci_mode: Optional[bool] = None,
) -> None:
    """Set printing options as ``torch.set_printoptions`` does.

    A ``profile`` ('default', 'short', 'full') is applied first, then the
    explicit options. As in PyTorch, ``sci_mode`` is always overwritten (so a
    call without it resets it to automatic).

    >>> set_printoptions(precision=2)
    >>> get_printoptions()['precision']
    2
    >>> set_printoptions(profile='default')
    """
    if profile is not None:
        try:
            values = _PROFILES[profile]
        except KeyError:
            raise ValueError(f"unknown print profile {profile!r}") from None
        for key, value in values.items():
            setattr(PRINT_OPTS, key, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> Dict[str, Any]:
    """The current options as a dict, like ``torch._tensor_str.get_printoptions``.

    >>> get_printoptions()
    {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return {
        "precision": PRINT_OPTS.precision,
        "threshold": PRINT_OPTS.threshold,
        "edgeitems": PRINT_OPTS.edgeitems,
        "linewidth": PRINT_OPTS.linewidth,
        "sci_mode": PRINT_OPTS.sci_mode,
    }


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change print options (``with printoptions(precision=2): ...``)."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ---------------------------------------------------------------------------
# element formatting
# ---------------------------------------------------------------------------

def _extremes(values: np.ndarray) -> List[Any]:
    """The few values whose formatted length can be the longest.

    Formatted length grows monotonically with magnitude (and with the
    exponent's size in scientific notation), separately for each sign, so
    the largest and smallest of each sign suffice.
    """
    out: List[Any] = []
    if values.size == 0:
        return out
    if values.dtype == np.bool_:
        return [bool(values.min()), bool(values.max())]
    pos = values[values >= 0]
    neg = values[values < 0]
    for part in (pos, neg):
        if part.size:
            out.append(part.min().item())
            out.append(part.max().item())
    return out


class _Formatter:
    """Chooses one format (width, fixed/int/scientific) for all printed values."""

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        precision = PRINT_OPTS.precision

        if not floating:
            for value in _extremes(values):
                self.max_width = max(self.max_width, len(str(value)))
            return

        with np.errstate(invalid="ignore"):        # a signalling NaN warns when cast
            values = values.astype(np.float64, copy=False)
        finite = values[np.isfinite(values) & (values != 0)]
        if finite.size == 0:
            # no finite non-zero values: keep the integer style, no override
            return
        absval = np.abs(finite)
        vmin = float(absval.min())
        vmax = float(absval.max())
        extremes = _extremes(finite)

        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            if vmax / vmin > 1000.0 or vmax > 1.0e8:
                self.sci_mode = True
        elif vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4:
            self.sci_mode = True
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

        for value in extremes:
            self.max_width = max(self.max_width, len(self._plain(value, precision)))

    def _plain(self, value: Any, precision: int) -> str:
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{precision}e}"
        if self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
            return text
        return f"{value:.{precision}f}"

    def width(self) -> int:
        """Width every element is padded to."""
        return self.max_width

    def format(self, value: Any) -> str:
        """One element, right-aligned to the common width."""
        text = self._plain(value, PRINT_OPTS.precision)
        return " " * (self.max_width - len(text)) + text


class _ComplexFormatter:
    """Complex elements as PyTorch prints them: the real parts share one format, the imaginary
    parts another (``1.+2.0000j``, ``-4.-1.6569j``)."""

    def __init__(self, values: np.ndarray) -> None:
        self.real = _Formatter(values.real, True)
        self.imag = _Formatter(values.imag, True)

    def width(self) -> int:
        return self.real.width() + self.imag.width() + 1

    def format(self, value: Any) -> str:
        imag = self.imag.format(value.imag).lstrip()
        if imag[0] not in "+-":
            imag = "+" + imag
        return self.real.format(value.real) + imag + "j"


def _summarized(array: np.ndarray, edgeitems: int) -> np.ndarray:
    """The elements shown when summarising (first/last ``edgeitems`` per dim)."""
    if array.ndim == 0:
        return array
    index = []
    for size in array.shape:
        if size > 2 * edgeitems:
            index.append(np.r_[0:edgeitems, size - edgeitems:size])
        else:
            index.append(np.arange(size))
    return array[np.ix_(*index)]


def _to_python(array: np.ndarray) -> list:
    """Elements of a 1-d array as Python scalars (exact for every dtype)."""
    if array.dtype == np.float16:
        array = array.astype(np.float64)
    return array.tolist()


def _vector_str(array: np.ndarray, indent: int, summarize: bool,
                formatter: _Formatter) -> str:
    element_length = formatter.width() + 2
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    edge = PRINT_OPTS.edgeitems
    fmt = formatter.format
    if summarize and not edge:
        data = ["..."]
    elif summarize and array.shape[0] > 2 * edge:
        data = ([fmt(v) for v in _to_python(array[:edge])] + [" ..."]
                + [fmt(v) for v in _to_python(array[array.shape[0] - edge:])])
    else:
        data = [fmt(v) for v in _to_python(array)]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(array: np.ndarray, indent: int, summarize: bool,
                formatter: _Formatter) -> str:
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)
    edge = PRINT_OPTS.edgeitems
    size = array.shape[0]
    if summarize and size > 2 * edge:
        slices = ([_nested_str(array[i], indent + 1, summarize, formatter)
                   for i in range(edge)]
                  + ["..."]
                  + [_nested_str(array[i], indent + 1, summarize, formatter)
                     for i in range(size - edge, size)])
    else:
        slices = [_nested_str(array[i], indent + 1, summarize, formatter)
                  for i in range(size)]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _body(array: np.ndarray, floating: bool, indent: int) -> str:
    """The value part of a repr: ``[1., 2.]``, ``3.5000`` ... (non-empty arrays)."""
    summarize = array.size > PRINT_OPTS.threshold
    if array.dtype == np.float16:
        array = array.astype(np.float32)
    if summarize and not PRINT_OPTS.edgeitems and array.ndim > 0:
        return "[...]"
    shown = _summarized(array, PRINT_OPTS.edgeitems) if summarize else array
    if array.dtype.kind == "c":
        formatter: Any = _ComplexFormatter(shown.reshape(-1))
    else:
        formatter = _Formatter(shown.reshape(-1), floating)
    if array.ndim == 0:
        return formatter.format(array.item())
    return _nested_str(array, indent, summarize, formatter)


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    """Append ``, suffix`` items, wrapping to a new line past the line width."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _is_default_dtype(dt: Any) -> bool:
    return (dt is _dtype.get_default_dtype() or dt.name in ("int64", "bool")
            or dt is _dtype.default_complex())


def format_array(array: np.ndarray, dtype: Any = None, *,
                 requires_grad: bool = False,
                 grad_fn_name: Optional[str] = None,
                 device: Optional[str] = None) -> str:
    """The PyTorch repr of the values in ``array`` (no Tensor needed).

    ``dtype`` is a numtorch dtype (inferred from ``array`` when omitted);
    ``grad_fn_name`` wins over ``requires_grad`` as in PyTorch; ``device`` is
    a string such as ``'cuda:0'`` (``'cpu'`` or ``None`` adds nothing).

    >>> format_array(np.array([[1., 2.], [3., 4.]]), _dtype.float64)
    'tensor([[1., 2.],\\n        [3., 4.]], dtype=torch.float64)'
    """
    array = np.asarray(array)
    if dtype is None:
        dtype = _dtype.from_numpy_dtype(array.dtype)
    indent = len(_PREFIX)
    suffixes: List[str] = []
    if device is not None and not str(device).startswith("cpu"):
        suffixes.append(f"device='{device}'")
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append("size=" + str(tuple(array.shape)))
        if dtype is not _dtype.get_default_dtype():
            suffixes.append("dtype=" + repr(dtype))
        body = "[]"
    else:
        if PRINT_OPTS.edgeitems == 0:
            suffixes.append("size=" + str(tuple(array.shape)))
        if not _is_default_dtype(dtype):
            suffixes.append("dtype=" + repr(dtype))
        body = _body(array, bool(dtype.is_floating_point), indent)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(_PREFIX + body, suffixes, indent)


def _grad_fn_name(grad_fn: Any) -> str:
    name = getattr(grad_fn, "name", None)
    if callable(name):      # PyTorch prints the node's type: CopySlices, not torch::autograd::...
        return str(name()).rpartition("::")[2]
    if isinstance(name, str):
        return name
    return type(grad_fn).__name__


def tensor_repr(t: Any) -> str:
    """``repr(t)`` exactly as PyTorch prints it (``str(t)`` is the same).

    >>> from types import SimpleNamespace as T
    >>> t = T(_data=np.array(1.5, np.float32), dtype=_dtype.float32,
    ...       requires_grad=True, grad_fn=None, is_leaf=True)
    >>> tensor_repr(t)
    'tensor(1.5000, requires_grad=True)'
    """
    grad_fn = getattr(t, "grad_fn", None)
    device = getattr(t, "device", None)
    device_str: Optional[str] = None
    if device is not None and getattr(device, "type", "cpu") != "cpu":
        device_str = str(device)
    return format_array(
        t._data,
        t.dtype,
        requires_grad=bool(getattr(t, "requires_grad", False))
        and getattr(t, "is_leaf", True),
        grad_fn_name=_grad_fn_name(grad_fn) if grad_fn is not None else None,
        device=device_str,
    )
