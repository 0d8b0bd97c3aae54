"""PyTorch's CPU random number generator, bit for bit, on NumPy.

The engine is MT19937 (NumPy's ``np.random.MT19937`` bit generator, seeded the way
PyTorch seeds it).  Every distribution below turns 32-bit words into values with
exactly PyTorch 2.13's CPU formulas (x86 AVX2/AVX512 build), so
``manual_seed(s)`` followed by ``rand``/``randn``/``randint``/``randperm``/``nn``
init/DataLoader shuffling gives PyTorch's numbers.  See
``shared/specs/torch-rng.md`` (the section numbers below refer to it).

>>> g = Generator().manual_seed(0)
>>> uniform(g, (2,), np.float32).tolist()
[0.49625658988952637, 0.7682217955589294]

Array-level kernels (module functions; they return NumPy arrays, filled in C order):

- ``uniform(gen, shape, np_dtype, low=0., high=1.)``   rand / uniform_ (§2)
- ``normal(gen, shape, np_dtype, mean=0., std=1., contiguous=True)``  randn / normal_ (§3)
- ``randint(gen, low, high, shape, np_dtype=int64)``   randint / random_(from, to) (§4.1)
- ``random_bits(gen, shape, np_dtype)``                random_() without bounds (§4.1)
- ``random_from(gen, shape, np_dtype, low)``           random_(from, None)
- ``randperm(gen, n)``                                 randperm (§4.2)
- ``bernoulli(gen, p, shape=None)``                    bernoulli_ / dropout / bernoulli(t) (§5)
- ``exponential(gen, shape, np_dtype, lambd=1.)``      exponential_
- ``sampler_seed(gen)``                                seeds for DataLoader / RandomSampler (§7)

For ``torch.utils.data`` (spec §7), with ``gen = generator or default_generator``:

- ``DataLoader.__iter__`` (every epoch): ``base_seed = sampler_seed(loader.generator)``
  (2 words of the loader's generator, or of the global one when it is None).
- ``RandomSampler.__iter__`` without a generator: ``seed = sampler_seed(None)``
  (2 global words), then ``g = Generator(); g.manual_seed(seed)`` and
  ``randperm(g, n)`` (n-1 words of ``g``); with ``generator=g``: ``randperm(g, n)``
  directly.  After yielding all n indices, call ``randperm(g, n)`` once more
  (PyTorch does, for the ``num_samples % n`` remainder; it matters when ``g`` is
  the user's generator).
- ``RandomSampler(replacement=True)``: ``randint(g, 0, n, (32,))`` per chunk of 32.
- ``random_split``: ``randperm(gen, total)``.
The tensor-level ``numtorch._random_ops.randperm(n, generator=g)`` returns a Tensor
and consumes the same words.
"""
from __future__ import annotations

import math
import os
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from ._fma import fma64

__all__ = [
    "Generator", "default_generator", "uniform", "normal", "randint", "random_bits",
    "random_from", "randperm", "bernoulli", "exponential", "sampler_seed",
]

ShapeLike = Union[int, Sequence[int], Tuple[int, ...]]

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF
_DEFAULT_SEED = 67280421310721
_STATE_SIZE = 5056

# ----------------------------------------------------------------------------
# The generator
# ----------------------------------------------------------------------------


def _seed_bit_generator(bg: np.random.MT19937, seed32: int) -> None:
    """Put ``bg`` in the state MT19937's ``init_genrand(seed32)`` leaves, ready to twist:
    ``mt[0] = seed32``, ``mt[j] = (1812433253 * (mt[j-1] ^ (mt[j-1] >> 30)) + j) mod 2**32``.

    NumPy's legacy seeding is exactly that (spec §1.4), done in C in ~2 us: it matters because
    every shuffled DataLoader epoch seeds a generator.
    """
    bg._legacy_seeding(seed32 & _MASK32)      # leaves pos = 624: the next draw twists first


_BIT_GENERATORS: list = []   # bit generators of collected Generators, reused by Generator()


def _cpu_device():
    try:
        from ._device import device
        return device("cpu")
    except Exception:  # the device module is optional for the kernels
        return "cpu"


class Generator:
    """A CPU random generator that draws PyTorch's numbers.

    >>> g = Generator().manual_seed(42)
    >>> g.initial_seed()
    42
    """

    __slots__ = ("_bg", "_seed", "_fresh", "_normal_cache", "_float_cache", "_device")

    def __init__(self, device="cpu") -> None:
        name = getattr(device, "type", device)
        if name is None:
            name = "cpu"
        if str(name).split(":")[0] != "cpu":
            raise RuntimeError(f"numtorch Generator supports only the cpu device, got {device!r}")
        self._device = None
        self._bg = _BIT_GENERATORS.pop() if _BIT_GENERATORS else np.random.MT19937()
        self._normal_cache: Optional[float] = None
        self._float_cache: Optional[float] = None   # carried in the state only
        self.manual_seed(_DEFAULT_SEED)

    def __del__(self) -> None:
        # Hand the bit generator to the next Generator(): making one costs ~150 us (it gathers
        # OS entropy we then overwrite), and every shuffled DataLoader epoch makes a Generator.
        # manual_seed rewrites its whole state, so nothing carries over.
        pool = _BIT_GENERATORS
        if pool is not None and len(pool) < 4:
            pool.append(self._bg)

    # -- seeding -------------------------------------------------------------
    def manual_seed(self, seed) -> "Generator":
        """Seed like ``torch.Generator.manual_seed`` (only the low 32 bits seed MT)."""
        s = int(seed)
        if s < -(1 << 63) or s > _MASK64:
            raise ValueError("Overflow when unpacking long long")
        s &= _MASK64                                  # two's complement for negatives
        self._seed = s
        _seed_bit_generator(self._bg, s)
        self._fresh = True
        self._normal_cache = None
        self._float_cache = None
        return self

    def seed(self) -> int:
        """Seed from a nondeterministic source; returns the 64-bit seed used."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last given to ``manual_seed`` (as an unsigned 64-bit int)."""
        return self._seed

    @property
    def device(self):
        if self._device is None:
            self._device = _cpu_device()
        return self._device

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"     # as PyTorch prints it

    # -- state ----------------------------------------------------------------
    def _state_bytes(self) -> bytes:
        st = self._bg.state["state"]
        pos = int(st["pos"])
        buf = np.zeros(_STATE_SIZE, dtype=np.uint8)
        buf[0:8] = np.frombuffer(np.uint64(self._seed).tobytes(), np.uint8)
        buf[8:16] = np.frombuffer(np.array([625 - pos, 1], "<i4").tobytes(), np.uint8)
        nxt = 0 if (self._fresh and pos == 624) else pos
        buf[16:24] = np.frombuffer(np.array([nxt], "<u8").tobytes(), np.uint8)
        buf[24:5016] = np.frombuffer(np.asarray(st["key"], "<u4").astype("<u8").tobytes(), np.uint8)
        if self._normal_cache is not None:
            buf[5024:5032] = np.frombuffer(np.array([self._normal_cache], "<f8").tobytes(), np.uint8)
            buf[5040] = 1
        if self._float_cache is not None:
            buf[5048:5052] = np.frombuffer(np.array([self._float_cache], "<f4").tobytes(), np.uint8)
            buf[5052] = 1
        return buf.tobytes()

    def _set_state_bytes(self, raw: bytes) -> None:
        if len(raw) != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found "
                               f"the input RNG state size to be {len(raw)}")
        seed = int(np.frombuffer(raw, "<u8", 1, 0)[0])
        left, _seeded = (int(v) for v in np.frombuffer(raw, "<i4", 2, 8))
        nxt = int(np.frombuffer(raw, "<u8", 1, 16)[0])
        key = np.frombuffer(raw, "<u8", 624, 24).astype(np.uint32)
        if not 1 <= left <= 624:
            raise RuntimeError("Invalid mt19937 state")
        self._seed = seed
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 625 - left}}
        self._fresh = left == 1 and nxt == 0
        valid = int(np.frombuffer(raw, "<i4", 1, 5040)[0])
        self._normal_cache = float(np.frombuffer(raw, "<f8", 1, 5024)[0]) if valid else None
        fvalid = raw[5052]
        self._float_cache = float(np.frombuffer(raw, "<f4", 1, 5048)[0]) if fvalid else None

    def get_state(self):
        """The state as a uint8 tensor of 5056 bytes, in PyTorch's layout (spec §1.5)."""
        arr = np.frombuffer(self._state_bytes(), dtype=np.uint8).copy()
        try:
            from ._tensor import Tensor
        except ImportError:
            return arr
        return Tensor._make(arr)

    def set_state(self, new_state) -> "Generator":
        """Restore a state from ``get_state()`` (ours or PyTorch's bytes)."""
        data = getattr(new_state, "_data", None)
        if data is None:
            if isinstance(new_state, (bytes, bytearray)):
                data = np.frombuffer(bytes(new_state), np.uint8)
            elif hasattr(new_state, "numpy") and callable(new_state.numpy):   # a torch tensor
                data = new_state.numpy()
            else:
                data = np.asarray(new_state)
        data = np.asarray(data)
        if data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        self._set_state_bytes(np.ascontiguousarray(data).reshape(-1).tobytes())
        return self

    def clone_state(self) -> "Generator":
        """A new Generator in the same state."""
        g = Generator()
        g._set_state_bytes(self._state_bytes())
        return g

    def __getstate__(self):
        return {"state": self._state_bytes()}

    def __setstate__(self, d) -> None:
        self._device = None
        self._bg = np.random.MT19937()
        self._set_state_bytes(d["state"])

    # -- words ---------------------------------------------------------------
    def _words(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit outputs, as uint64 values (spec §1.3)."""
        if n <= 0:
            return np.empty(0, np.uint64)
        self._fresh = False
        return self._bg.random_raw(int(n))

    def _word(self) -> int:
        """The next 32-bit output, as a Python int (cheaper than ``_words(1)`` for one)."""
        self._fresh = False
        return self._bg.random_raw()

    def _words64(self, n: int) -> np.ndarray:
        """The next ``n`` ``random64()`` values: ``(w1 << 32) | w2`` (2 words each)."""
        w = self._words(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]


default_generator = Generator()
default_generator.seed()


def _gen(gen: Optional[Generator]) -> Generator:
    return default_generator if gen is None else gen


def _shape(shape: ShapeLike) -> Tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _numel(shape: Tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ----------------------------------------------------------------------------
# Exact float arithmetic helpers
# ----------------------------------------------------------------------------
_M29 = np.uint64(0x1FFFFFFF)
_T29 = np.uint64(0x10000000)
_F32 = np.float32
_F64 = np.float64


def _r32(x: np.ndarray) -> np.ndarray:
    """Round a float64 array to float32 precision, in place (pass a temporary)."""
    np.copyto(x, x.astype(_F32))
    return x


def _fix_ties(s: np.ndarray, p, c) -> None:
    """Where ``s = p + c`` (float64) sits on a float32 tie but is inexact, nudge it.

    Moving ``s`` one float64 ulp toward the exact sum makes the later cast to
    float32 round the exact value, as a fused multiply-add would (spec §2.2).
    """
    tie = (s.view(np.uint64) & _M29) == _T29
    if not tie.any():
        return
    idx = np.nonzero(tie)
    ss = s[idx]
    pp = np.broadcast_to(p, s.shape)[idx]
    cc = np.broadcast_to(c, s.shape)[idx]
    bb = ss - pp
    err = (pp - (ss - bb)) + (cc - bb)
    ss = np.where(err > 0, np.nextafter(ss, np.inf), np.where(err < 0, np.nextafter(ss, -np.inf), ss))
    s[idx] = ss


def _fma32(a, b, c) -> np.ndarray:
    """``fma(a, b, c)`` in float32 (one rounding), on float64 arrays holding float32 values."""
    s = np.multiply(a, b)           # exact: 24 x 24 bits fit in 53
    s += c
    tie = np.bitwise_and(s.view(np.uint64), _M29)
    if (tie == _T29).any():
        _fix_ties(s, np.multiply(a, b), c)
    return _r32(s)


# ----------------------------------------------------------------------------
# Uniform (spec §2)
# ----------------------------------------------------------------------------
_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _u24(w: np.ndarray) -> np.ndarray:
    """float32 variates from words: low 24 bits times 2**-24."""
    return (w & np.uint64(0xFFFFFF)).astype(_F32) * _F32(2.0 ** -24)


def _u53(n: int, gen: Generator) -> np.ndarray:
    """``n`` float64 variates (2 words each): low 53 bits of random64() times 2**-53."""
    v = gen._words64(n) & np.uint64((1 << 53) - 1)
    return v.astype(_F64) * (2.0 ** -53)


def uniform(gen: Optional[Generator], shape: ShapeLike, np_dtype=np.float32,
            low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``torch.empty(shape, dtype).uniform_(low, high)`` as a NumPy array (C order).

    >>> uniform(Generator().manual_seed(0), 2, np.float32, -0.5, 0.5)
    array([-0.00374341,  0.2682218 ], dtype=float32)
    """
    gen = _gen(gen)
    shape = _shape(shape)
    n = _numel(shape)
    dt = np.dtype(np_dtype)
    if dt == np.float64:
        x = _u53(n, gen)
        lo, hi = float(low), float(high)
        rng = hi - lo
        if lo == 0.0 and rng == 1.0:
            return x.reshape(shape)
        r = fma64(x, rng, lo)
        r[r >= hi] = lo
        return r.reshape(shape)
    if dt == np.float32 or dt == np.float16:
        # float16 (not exact for every range): 24-bit variates computed in float32
        x = _u24(gen._words(n))
        lo32, hi32 = _F32(dt.type(low)), _F32(dt.type(high))
        if lo32 == 0 and hi32 == 1:
            r = x.astype(dt, copy=False)
        else:
            rng = _F64(hi32 - lo32)                      # float32 subtraction
            r = _fma32(x.astype(_F64), rng, _F64(lo32)).astype(dt)
        r[r >= dt.type(hi32)] = lo32                     # never return `to` (spec §2.2)
        return r.reshape(shape)
    raise TypeError(f"uniform_ is not implemented for {dt}")


# ----------------------------------------------------------------------------
# Normal (spec §3)
# ----------------------------------------------------------------------------
_TWO_PI = 2.0 * math.pi


def _normal_scalar(gen: Generator, n: int) -> np.ndarray:
    """Path S: ``n`` standard normals (float64) with the shared one-value cache (§3.2)."""
    out = [0.0] * n
    k = n
    i = 0
    if n and gen._normal_cache is not None:
        out[0] = gen._normal_cache
        gen._normal_cache = None
        k -= 1
        i = 1
    pairs = (k + 1) // 2
    if pairs:
        u = _u53(2 * pairs, gen).tolist()
        log1p, sqrt, sin, cos = math.log1p, math.sqrt, math.sin, math.cos
        for p in range(pairs):
            u1 = u[2 * p]
            u2 = u[2 * p + 1]
            r = sqrt(-2.0 * log1p(-u2))
            th = _TWO_PI * u1
            out[i] = r * cos(th)
            i += 1
            sn = r * sin(th)
            if i < n:
                out[i] = sn
                i += 1
            else:
                gen._normal_cache = sn
    return np.array(out, dtype=_F64)


def _libm(f, x: np.ndarray) -> np.ndarray:
    """Apply a scalar ``math`` function (the platform libm, as PyTorch calls it)."""
    return np.fromiter(map(f, x.ravel().tolist()), _F64, x.size).reshape(x.shape)


def _b64_blocks(u: np.ndarray) -> np.ndarray:
    """Path B64 on uniforms shaped (blocks, 16): returns the normals R*cos/R*sin (§3.3)."""
    a = 1.0 - u[:, :8]
    b = u[:, 8:]
    r = np.sqrt(-2.0 * _libm(math.log, a))
    th = _TWO_PI * b
    out = np.empty_like(u)
    out[:, :8] = r * _libm(math.cos, th)
    out[:, 8:] = r * _libm(math.sin, th)
    return out


def _normal_b64(gen: Generator, n: int) -> np.ndarray:
    u = _u53(n, gen)
    nb = n // 16
    out = np.empty(n, _F64)
    if nb:
        out[:nb * 16] = _b64_blocks(u[:nb * 16].reshape(nb, 16)).reshape(-1)
    if n % 16:
        tail = _u53(16, gen).reshape(1, 16)
        out[n - 16:] = _b64_blocks(tail).reshape(-1)
    return out


# float32 constants of the Cephes-style AVX log/sincos (spec §3.4), as float64
def _c(bits: int) -> float:
    return float(np.array([bits], np.uint32).view(np.float32)[0])


_SQRTHF = _c(0x3F3504F3)
_LOG_P = [_c(b) for b in (0x3D9021BB, 0xBDEBD1B8, 0x3DEF251A, 0xBDFE5D4F, 0x3E11E9BF,
                          0xBE2AAE50, 0x3E4CCEAC, 0xBE7FFFFC, 0x3EAAAAAA)]
_LOG_Q1 = _c(0xB95E8083)
_LOG_Q2 = _c(0x3F318000)
_TWOPI32 = _F32(_c(0x40C90FDB))
_FOPI = _F32(_c(0x3FA2F983))
_DP1 = _c(0xBF490000)
_DP2 = _c(0xB97DA000)
_DP3 = _c(0xB3222169)
_COS_C = [_c(b) for b in (0x37CCF5CE, 0xBAB6061A, 0x3D2AAAA5)]
_SIN_S = [_c(b) for b in (0xB94CA1F9, 0x3C08839E, 0xBE2AAAA3)]


def _log32(a: np.ndarray) -> np.ndarray:
    """The AVX Cephes ``log256_ps`` on float32 ``a`` in (0, 1]; float64 result of float32 values."""
    bits = a.view(np.uint32)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 127).astype(_F64) + 1.0
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(_F32).astype(_F64)
    small = m < _SQRTHF
    e -= small
    x = m - 1.0
    x += np.where(small, m, 0.0)                      # exact
    z = _r32(x * x)
    y = _fma32(_LOG_P[0], x, _LOG_P[1])
    for pk in _LOG_P[2:]:
        y = _fma32(y, x, pk)
    y = _r32(y * x)
    y = _fma32(y, z, _r32(e * _LOG_Q1))
    y = _r32(y - z * 0.5)
    x = _r32(x + y)
    return _r32(x + e * _LOG_Q2)                       # e*Q2 is exact


def _sincos32(theta32: np.ndarray):
    """The AVX Cephes ``sincos256_ps`` for float32 ``theta32 >= 0``; float64 (sin, cos)."""
    q = theta32 * _FOPI                                # float32 multiply
    j = q.astype(np.int32)                             # truncation
    j = (j + 1) & ~1
    yj = j.astype(_F64)
    swap_sin = (j & 4) != 0
    poly = (j & 2) == 0
    neg_cos = (~(j - 2) & 4) != 0
    x = theta32.astype(_F64)
    x = _r32(x + yj * _DP1)                            # products exact in float32
    x = _r32(x + yj * _DP2)
    x = _fma32(yj, _DP3, x)
    z = _r32(x * x)
    c = _fma32(_COS_C[0], z, _COS_C[1])
    c = _fma32(c, z, _COS_C[2])
    c = _r32(c * z)
    c = _fma32(c, z, -(z * 0.5))
    c = _r32(c + 1.0)
    s = _fma32(_SIN_S[0], z, _SIN_S[1])
    s = _fma32(s, z, _SIN_S[2])
    s = _r32(s * z)
    s = _fma32(s, x, x)
    # (the AVX code selects with and/andnot + add, which turns -0 into +0; s and c
    # are never -0 here, since theta >= 0)
    sin = np.where(poly, s, c)
    cos = np.where(poly, c, s)
    np.negative(sin, out=sin, where=swap_sin)
    np.negative(cos, out=cos, where=neg_cos)
    return sin, cos


def _b32_lanes(u1: np.ndarray, u2: np.ndarray, mean32: np.float32, std32: np.float32):
    """Normals for float32 lanes: ``u1`` feeds the radius, ``u2`` the angle (§3.4)."""
    a = _F32(1.0) - u1
    r = _r32(np.sqrt(-2.0 * _log32(a)))
    sin, cos = _sincos32(u2 * _TWOPI32)
    n1 = r * cos
    n2 = r * sin
    if std32 == 1:
        return (n1.astype(_F32) + mean32), (n2.astype(_F32) + mean32)
    return (_fma32(_r32(n1), _F64(std32), _F64(mean32)).astype(_F32),
            _fma32(_r32(n2), _F64(std32), _F64(mean32)).astype(_F32))


_B32_CHUNK = 2048          # blocks of 16 per chunk (32768 values)


def _b32_blocks(u: np.ndarray, mean32, std32, out: np.ndarray) -> None:
    """Path B32 on uniforms shaped (blocks, 16), written into ``out`` (same shape)."""
    for s in range(0, u.shape[0], _B32_CHUNK):
        blk = u[s:s + _B32_CHUNK]
        n1, n2 = _b32_lanes(blk[:, :8], blk[:, 8:], mean32, std32)
        out[s:s + _B32_CHUNK, :8] = n1
        out[s:s + _B32_CHUNK, 8:] = n2


def _normal_b32(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    mean32, std32 = _F32(mean), _F32(std)
    u = _u24(gen._words(n))
    nb = n // 16
    out = np.empty(n, _F32)
    if nb:
        _b32_blocks(u[:nb * 16].reshape(nb, 16), mean32, std32, out[:nb * 16].reshape(nb, 16))
    if n % 16:
        tail = _u24(gen._words(16)).reshape(1, 16)
        t = np.empty((1, 16), _F32)
        _b32_blocks(tail, mean32, std32, t)
        out[n - 16:] = t.reshape(-1)
    return out


def normal(gen: Optional[Generator], shape: ShapeLike, np_dtype=np.float32,
           mean: float = 0.0, std: float = 1.0, contiguous: bool = True) -> np.ndarray:
    """``torch.empty(shape, dtype).normal_(mean, std)`` as a NumPy array (C order).

    ``contiguous=False`` selects the scalar path PyTorch takes for non-contiguous
    tensors (the values are still returned in the tensor's memory order).

    >>> normal(Generator().manual_seed(0), 2, np.float32)
    array([ 1.5409961, -0.2934289], dtype=float32)
    """
    gen = _gen(gen)
    shape = _shape(shape)
    n = _numel(shape)
    dt = np.dtype(np_dtype)
    if dt not in _DIGITS:
        raise TypeError(f"normal_ is not implemented for {dt}")
    mean, std = float(mean), float(std)
    if n < 16 or not contiguous:
        v = _normal_scalar(gen, n)
        if not (std == 1.0 and mean == 0.0):
            v = fma64(v, std, mean)
        else:
            v = v + 0.0
        return v.astype(dt).reshape(shape)
    if dt == np.float64:
        v = _normal_b64(gen, n)
        if std == 1.0:
            v = v + mean
        else:
            v = fma64(v, std, mean)
        return v.reshape(shape)
    # float32 (float16 is approximated through the float32 kernel)
    return _normal_b32(gen, n, mean, std).reshape(shape).astype(dt, copy=False)


# ----------------------------------------------------------------------------
# Integers (spec §4)
# ----------------------------------------------------------------------------
def _int_mod(gen: Generator, n: int, rng: int) -> np.ndarray:
    """``n`` values ``v % rng`` as uint64, drawing 1 word each below 2**28, else 2."""
    if rng >= (1 << 28):
        v = gen._words64(n)
    else:
        v = gen._words(n)
    if rng == 1 << 64:
        return v
    return v % np.uint64(rng)


def _offset(v: np.ndarray, low: int) -> np.ndarray:
    """``int64(v + low)`` with 64-bit wrap-around."""
    return (v + np.uint64(low & _MASK64)).view(np.int64)


def _round_int(x: int, digits: int) -> int:
    """``x`` rounded to ``digits`` significant bits, ties to even (an int-to-float cast)."""
    m = abs(x)
    extra = m.bit_length() - digits
    if extra <= 0:
        return x
    q, r = divmod(m, 1 << extra)
    half = 1 << (extra - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return (q << extra) * (1 if x >= 0 else -1)


def _float_bounds(low: int, high: int, digits: int) -> Tuple[int, int]:
    """PyTorch's ``update_from`` / ``update_to``: keep [low, high) representable in the dtype."""
    from_plus_1 = _round_int(low + 1, digits)
    if from_plus_1 < low:
        n = abs(low + 1).bit_length() - 1
        low = from_plus_1 + (1 << (n - digits + 1))
    to_minus_1 = _round_int(high - 1, digits)
    if to_minus_1 >= high:
        n = abs(high - 1).bit_length() - 1
        high = to_minus_1 - (1 << (n - digits + 1))
    return low, high


def randint(gen: Optional[Generator], low: int, high: int, shape: ShapeLike,
            np_dtype=np.int64) -> np.ndarray:
    """``torch.randint(low, high, shape)`` as a NumPy array.

    >>> randint(Generator().manual_seed(0), 0, 10, 5)
    array([4, 9, 3, 0, 3])
    """
    gen = _gen(gen)
    shape = _shape(shape)
    low, high = int(low), int(high)
    dt = np.dtype(np_dtype)
    if dt.kind == "f" and low < high:
        low, high = _float_bounds(low, high, _DIGITS[dt])
    if not low < high:
        raise RuntimeError("random_ expects 'from' to be less than 'to', "
                           f"but got from={low} >= to={high}")
    v = _int_mod(gen, _numel(shape), (high - low) & _MASK64)
    return _offset(v, low).astype(np_dtype, copy=False).reshape(shape)


def random_bits(gen: Optional[Generator], shape: ShapeLike, np_dtype=np.int64) -> np.ndarray:
    """``torch.empty(shape, dtype).random_()`` (no bounds): the dtype's full range.

    >>> random_bits(Generator().manual_seed(0), (), np.int64)
    array(900450186894289455)
    """
    gen = _gen(gen)
    shape = _shape(shape)
    n = _numel(shape)
    dt = np.dtype(np_dtype)
    if dt == np.bool_:
        return (gen._words(n) & np.uint64(1)).astype(np.bool_).reshape(shape)
    if dt.kind == "f":
        digits = _DIGITS[dt]
        v = gen._words64(n) if dt == np.float64 else gen._words(n)
        return (v % np.uint64((1 << digits) + 1)).astype(dt).reshape(shape)
    if dt == np.int64:
        return (gen._words64(n) & np.uint64((1 << 63) - 1)).view(np.int64).reshape(shape)
    top = int(np.iinfo(dt).max) + 1
    return (gen._words(n) % np.uint64(top)).astype(dt).reshape(shape)


def random_from(gen: Optional[Generator], shape: ShapeLike, np_dtype, low: int) -> np.ndarray:
    """``torch.empty(shape, dtype).random_(low, None)``: ``[low, max]`` of the dtype."""
    gen = _gen(gen)
    shape = _shape(shape)
    n = _numel(shape)
    dt = np.dtype(np_dtype)
    low = int(low)
    if low == -(1 << 63):
        return gen._words64(n).view(np.int64).astype(dt).reshape(shape)
    if dt.kind == "f":
        to_inc = min(1 << _DIGITS[dt], (1 << 63) - 1)
        low, _ = _float_bounds(low, low + 1, _DIGITS[dt])
    elif dt == np.bool_:
        to_inc = 1
    else:
        to_inc = int(np.iinfo(dt).max)
    if low > to_inc:
        raise RuntimeError(f"random_ expects 'from' to be less than or equal to 'to_inc', "
                           f"but got from={low} > to_inc={to_inc}")
    v = _int_mod(gen, n, (to_inc - low + 1) & _MASK64)
    return _offset(v, low).astype(dt).reshape(shape)


_I64 = np.dtype(np.int64)      # a dtype object: np.array(list, _I64) is faster than with np.int64


def _fisher_yates(words: np.ndarray, n: int) -> np.ndarray:
    """``randperm(n)`` from its ``n - 1`` words: forward Fisher-Yates, ``j = a + w % (n - a)``."""
    r = list(range(n))
    if n <= 32:                       # plain Python beats array arithmetic at this size
        for a, w in enumerate(words.tolist()):
            b = w % (n - a) + a
            r[a], r[b] = r[b], r[a]
    else:
        i = np.arange(n - 1, dtype=np.uint64)
        for a, b in enumerate((words % (np.uint64(n) - i) + i).tolist()):
            r[a], r[b] = r[b], r[a]
    return np.array(r, _I64)


def randperm(gen: Optional[Generator], n: int) -> np.ndarray:
    """``torch.randperm(n)``: forward Fisher-Yates with modulo, n-1 words (spec §4.2).

    >>> randperm(Generator().manual_seed(0), 10)
    array([4, 1, 7, 5, 3, 9, 0, 8, 6, 2])
    """
    gen = _gen(gen)
    n = int(n)
    if n < 0:
        raise RuntimeError(f"randperm is only implemented for non-negative n, got {n}")
    if n < 2:
        return np.arange(n, dtype=np.int64)
    if n < 214748364:
        return _fisher_yates(gen._words(n - 1), n)
    # very large n: inside-out shuffle with random64 (from source; not verified)
    r = np.empty(n, dtype=np.int64)
    step = 1 << 20
    for s in range(0, n, step):
        m = min(step, n - s)
        zs = (gen._words64(m) % (np.arange(s, s + m, dtype=np.uint64) + np.uint64(1))).tolist()
        for k, z in enumerate(zs):
            i = s + k
            r[i] = r[z]
            r[z] = i
    return r


# ----------------------------------------------------------------------------
# Bernoulli, exponential, seeds (spec §5, §7)
# ----------------------------------------------------------------------------
def bernoulli(gen: Optional[Generator], p, shape: Optional[ShapeLike] = None) -> np.ndarray:
    """Boolean draws ``U < p`` in C order (spec §5).

    ``p`` a Python float: ``bernoulli_(p)``, 2 words per element (``shape`` required).
    ``p`` a float32 array: ``torch.bernoulli(p)``, 1 word each; float64 array: 2 words.

    >>> bernoulli(Generator().manual_seed(0), 0.5, 4)
    array([False, False,  True, False])
    """
    gen = _gen(gen)
    if isinstance(p, np.ndarray):
        pa = p
        if shape is not None:
            pa = np.broadcast_to(pa, _shape(shape))
        if pa.dtype == np.float64:
            u = _u53(pa.size, gen)
        else:
            u = _u24(gen._words(pa.size))
        return (u.reshape(pa.shape) < pa)
    shape = _shape(shape)
    n = _numel(shape)
    if n < 4096:
        return (_u53(n, gen) < float(p)).reshape(shape)
    return _bernoulli_words(gen, float(p), n).reshape(shape)


def _bernoulli_words(gen: Generator, p: float, n: int) -> np.ndarray:
    """``U53 < p`` for ``n`` draws, compared in integers: with ``v`` the low 53 bits of
    ``random64() = (w1 << 32) | w2``, ``v * 2**-53 < p`` iff ``v < C = ceil(p * 2**53)`` iff
    ``w1 & 0x1FFFFF < C >> 32``, or equal and ``w2 < C & 0xFFFFFFFF``. The words come as uint32
    (half the memory of ``random_raw``'s uint64; the same outputs in the same order), in
    blocks, so the temporaries stay small and are reused."""
    gen._fresh = False
    draw = np.random.Generator(gen._bg).integers
    out = np.empty(n, np.bool_)
    c = math.ceil(min(max(p, 0.0), 1.0) * 9007199254740992.0)   # p * 2**53 is exact
    top, low = np.uint32(min(c >> 32, 0xFFFFFFFF)), np.uint32(c & 0xFFFFFFFF)
    block = 1 << 16
    for start in range(0, n, block):
        m = min(block, n - start)
        w = draw(0, 1 << 32, size=2 * m, dtype=np.uint32)
        hi = w[0::2]
        hi &= np.uint32(0x1FFFFF)
        part = out[start:start + m]
        np.less(hi, top, out=part)
        tie = hi == top
        if tie.any():
            idx = np.flatnonzero(tie)
            part[idx] = w[2 * idx + 1] < low
    return out


def exponential(gen: Optional[Generator], shape: ShapeLike, np_dtype=np.float32,
                lambd: float = 1.0) -> np.ndarray:
    """``torch.empty(shape, dtype).exponential_(lambd)``: ``-1/lambd * log1p(-U53)``."""
    gen = _gen(gen)
    shape = _shape(shape)
    u = _u53(_numel(shape), gen)
    v = (-1.0 / float(lambd)) * _libm(math.log1p, -u)
    return v.astype(np_dtype).reshape(shape)


def sampler_seed(gen: Optional[Generator] = None) -> int:
    """``int(torch.empty((), dtype=torch.int64).random_(generator=gen))``: 2 words.

    Used by DataLoader for its base seed and by RandomSampler for its private
    generator's seed (spec §7).

    >>> sampler_seed(Generator().manual_seed(0))
    900450186894289455
    """
    gen = _gen(gen)
    high = gen._word()
    return ((high << 32) | gen._word()) & ((1 << 63) - 1)
