"""``torch.device``: where a tensor lives ('cpu', or 'cuda' when CuPy and a GPU are present)."""
from __future__ import annotations

import re

# PyTorch's device strings: a type, then optionally ':' and an index without leading zeros
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::([1-9][0-9]*|0))?")
_EXPECTED = "but expected one of:\n * (torch.device device)\n"
_STR_INDEX = " * (str type, int index = -1)\n"


def _type_name(value) -> str:
    return "torch.device" if isinstance(value, device) else type(value).__name__


def _parse_index(index):
    """``index`` as an int (None stays None), with PyTorch's errors."""
    if index is None:
        return None
    if isinstance(index, bool) or not hasattr(type(index), "__index__"):
        raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                        f"{_type_name(index)}")
    index = index.__index__()
    if not -2 ** 63 <= index < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    if index < 0:
        raise RuntimeError("Device index must not be negative")
    return index


class device:
    """A device, as ``torch.device('cpu')``, ``torch.device('cuda', 0)``,
    ``torch.device('cpu:0')`` or ``torch.device(type='cpu', index=0)``.

    >>> import numtorch as torch
    >>> torch.device('cpu')
    device(type='cpu')
    >>> torch.device('cpu', 0) == torch.device('cpu:0')
    True
    """

    __slots__ = ("type", "index")

    def __new__(cls, *args, **kwargs):
        if kwargs:
            args = cls._merge_keywords(args, kwargs)
        if len(args) == 1:
            arg = args[0]
            if arg.__class__ is str and arg in _KNOWN_SET:        # the common case: "cpu"
                self = object.__new__(cls)
                self.type = arg
                self.index = None
                return self
            if isinstance(arg, device):
                return arg
            if isinstance(arg, int) and not isinstance(arg, bool):
                # an index alone means the current accelerator; numtorch has none
                if arg < 0:
                    raise RuntimeError("Device index must not be negative")
                raise RuntimeError("Cannot access accelerator device when none is available.")
            if not isinstance(arg, (str, bytes)):
                raise TypeError(f"device() received an invalid combination of arguments - got "
                                f"({_type_name(arg)}), {_EXPECTED}      didn't match because "
                                f"some of the arguments have invalid types: (!{_type_name(arg)}!)"
                                f"\n{_STR_INDEX}")
            return cls._from_string(arg, None, False)
        if len(args) == 2:
            if not isinstance(args[0], (str, bytes)):
                raise TypeError(f"device(): argument 'type' (position 1) must be str, not "
                                f"{_type_name(args[0])}")
            return cls._from_string(args[0], _parse_index(args[1]), True)
        got = ", ".join(_type_name(a) for a in args)
        raise TypeError(f"device() received an invalid combination of arguments - got ({got}), "
                        f"{_EXPECTED}{_STR_INDEX}")

    @staticmethod
    def _merge_keywords(args: tuple, kwargs: dict) -> tuple:
        """``type=`` / ``index=`` keywords as positional arguments, with PyTorch's errors."""
        for name in kwargs:
            if name not in ("type", "index"):
                raise TypeError(f"device() got an unexpected keyword argument '{name}'")
        if "type" in kwargs and args:
            raise TypeError("device() got multiple values for argument 'type'")
        if "index" in kwargs and len(args) > 1:
            raise TypeError("device() got multiple values for argument 'index'")
        if "type" not in kwargs and not args:
            raise TypeError("device() received an invalid combination of arguments - got "
                            f"(index={_type_name(kwargs['index'])}, ), {_EXPECTED}      didn't "
                            f"match because some of the keywords were incorrect: index\n"
                            f"{_STR_INDEX}")
        merged = list(args) if args else [kwargs["type"]]
        if len(merged) == 1 and "index" in kwargs:
            merged.append(kwargs["index"])
        return tuple(merged)

    @classmethod
    def _from_string(cls, text, index, index_given: bool):
        if isinstance(text, bytes):
            text = text.decode()
        if not text:
            raise RuntimeError("Device string must not be empty")
        match = _DEVICE_STRING.fullmatch(text)
        if match is None:
            raise RuntimeError(f"Invalid device string: '{text}'")
        kind, idx = match.groups()
        if idx is not None:
            if index_given:                     # even an explicit None
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {text}")
            index = int(idx)
        if kind not in _KNOWN:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start "
                f"of device string: {kind}")
        self = object.__new__(cls)
        self.type = kind
        self.index = index
        return self

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        # PyTorch 2.13: a device equals only a device (``torch.device("cpu") == "cpu"`` is False)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def _no_order(self, other):
        raise TypeError("comparison not implemented")

    __lt__ = __le__ = __gt__ = __ge__ = _no_order

    def __enter__(self) -> "device":
        # the default device for the block; not checked here (PyTorch enters a CUDA device and
        # fails at its first use: see _default_device.get_default_device)
        outer_defaults.append(default_state[0])
        default_state[0] = self
        return self

    def __exit__(self, *exc_info) -> None:
        default_state[0] = outer_defaults.pop() if outer_defaults else None

    def __reduce__(self):
        return (device, (self.type,) if self.index is None else (self.type, self.index))


# the default device of new tensors (None: the CPU), set by torch.set_default_device and by
# ``with torch.device(...)`` blocks, and the defaults those blocks replaced
default_state: list = [None]
outer_defaults: list = []

_KNOWN = ("cpu", "cuda", "mps", "meta", "xpu", "hip", "xla", "lazy", "vulkan", "ipu", "hpu", "mtia",
          "mkldnn", "opengl", "opencl", "ideep", "ve", "fpga", "maia", "privateuseone")
_KNOWN_SET = frozenset(_KNOWN)
cpu = device("cpu")
