"""``torch.backends``: what a CPU-only PyTorch build answers about its backends.

numtorch runs on NumPy, so it reports no GPU backend (``mps``, ``cuda``, ``cudnn``) and the CPU
libraries a CPU build of PyTorch reports (``mkldnn``, ``openmp``, ``mkl`` available). The
flags (``cudnn.benchmark``, ``cudnn.deterministic``, ``cuda.matmul.allow_tf32``, ...) can be
read and set as in PyTorch; they change nothing here.

>>> import numtorch as torch
>>> torch.backends.mps.is_available(), torch.backends.cudnn.is_available()
(False, False)
>>> torch.backends.cudnn.benchmark = True   # accepted, no effect on the CPU
"""
from __future__ import annotations

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
