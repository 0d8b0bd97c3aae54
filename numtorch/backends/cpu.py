"""``torch.backends.cpu``: the SIMD level of this CPU, in PyTorch's words.

>>> import numtorch as torch
>>> torch.backends.cpu.get_cpu_capability() in ("DEFAULT", "AVX2", "AVX512", "NO AVX", "ZVECTOR")
True
"""
from __future__ import annotations

import os
import platform

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """``"AVX512"``, ``"AVX2"`` or ``"DEFAULT"`` as PyTorch reports on x86 (read from NumPy's CPU
    feature detection; the ``ATEN_CPU_CAPABILITY`` variable caps it as in PyTorch); ``"DEFAULT"``
    elsewhere."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:  # NumPy < 2
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:  # pragma: no cover
            feats = {}
    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686", "x86"):
        return "DEFAULT"
    level = "DEFAULT"
    if feats.get("AVX2") and feats.get("FMA3"):
        level = "AVX2"
    if all(feats.get(f) for f in ("AVX512F", "AVX512BW", "AVX512VL", "AVX512DQ")):
        level = "AVX512"
    cap = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    order = ["DEFAULT", "AVX2", "AVX512"]
    if cap in ("default", "avx2", "avx512") and order.index(cap.upper()) < order.index(level):
        level = cap.upper()
    return level
