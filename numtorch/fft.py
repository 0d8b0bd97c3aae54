"""``torch.fft``: discrete Fourier transforms and their helpers, with gradients.

The transforms live in ``numtorch/ops/fft.py`` (NumPy's pocketfft underneath); this module is
the namespace. Outputs of complex transforms are complex tensors (``torch.complex64`` for
float32 inputs, ``torch.complex128`` for float64).

>>> import numtorch as torch
>>> x = torch.tensor([0.0, 1.0, 0.0, -1.0])
>>> torch.fft.fft(x)
tensor([0.+0.j, 0.-2.j, 0.+0.j, 0.+2.j])
>>> torch.fft.irfft(torch.fft.rfft(x), n=4)
tensor([ 0.,  1.,  0., -1.])
"""
from __future__ import annotations

from .ops.fft import (fft, ifft, rfft, irfft, hfft, ihfft, fft2, ifft2, rfft2, irfft2,  # noqa: F401
                      hfft2, ihfft2, fftn, ifftn, rfftn, irfftn, hfftn, ihfftn, fftfreq,
                      rfftfreq, fftshift, ifftshift)

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torch.fft.{name} yet")
