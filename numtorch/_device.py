"""``torch.device``: where a tensor lives ('cpu', or 'cuda' when CuPy and a GPU are present)."""
from __future__ import annotations


class device:
    """A device, as ``torch.device('cpu')`` or ``torch.device('cuda', 0)``.

    >>> import numtorch as torch
    >>> torch.device('cpu')
    device(type='cpu')
    """

    __slots__ = ("type", "index")

    def __new__(cls, type_or_device=None, index: int | None = None):
        if isinstance(type_or_device, device):
            return type_or_device
        if isinstance(type_or_device, int):
            type_or_device, index = "cuda", type_or_device
        if not isinstance(type_or_device, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type(type_or_device).__name__})")
        kind = type_or_device
        if ":" in kind:
            kind, _, idx = kind.partition(":")
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type_or_device}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type_or_device}'")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        if kind not in _KNOWN:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start "
                f"of device string: {type_or_device}")
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

    def __reduce__(self):
        return (device, (self.type, self.index))


_KNOWN = ("cpu", "cuda", "mps", "meta", "xpu", "hip", "xla", "lazy", "vulkan", "ipu", "hpu", "mtia",
          "mkldnn", "opengl", "opencl", "ideep", "ve", "fpga", "maia", "privateuseone")
cpu = device("cpu")
