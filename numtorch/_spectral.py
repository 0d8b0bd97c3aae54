"""``torch.stft`` and ``torch.istft``: short-time Fourier transforms, with gradients.

Both are built from differentiable numtorch ops (``F.pad`` for centring, ``Tensor.unfold`` for
framing, ``torch.fft`` for the transforms and ``F.fold`` for overlap-add), so autograd carries
gradients to the input and to the window.

>>> import numtorch as torch
>>> x = torch.tensor([0.0, 1.0, 0.0, -1.0, 0.0, 1.0, 0.0, -1.0])
>>> spec = torch.stft(x, 4, hop_length=2, window=torch.ones(4), return_complex=True)
>>> spec.shape
torch.Size([3, 5])
>>> torch.istft(spec, 4, hop_length=2, window=torch.ones(4), length=8)
tensor([ 0.,  1.,  0., -1.,  0.,  1.,  0., -1.])
"""
from __future__ import annotations

import warnings

from ._dtype import legacy_name_np, to_real
from ._tensor import Tensor
from .nn.functional import pad as _pad
from .ops.complex_ops import view_as_real, real as _real, imag as _imag, complex
from .ops.conv import fold as _fold
from .ops.creation import ones
from .ops.fft import fft, ifft, rfft, irfft

__all__ = ["stft", "istft"]

_STFT_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied,which is known to cause "
    "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
    "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
    "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
_ISTFT_NO_WINDOW = (
    "A window was not provided. A rectangular window will be applied.Please provide the same "
    "window used by stft to make the inversion lossless.To suppress this warning and use a "
    "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.")
_NO_RETURN_COMPLEX = ("stft requires the return_complex parameter be given for real inputs, and "
                      "will further require that return_complex=True in a future PyTorch release.")
_RETURN_REAL_DEPRECATED = (
    "stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
    "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you can "
    "still call torch.view_as_real on the complex output to recover the old return format.")
_ONESIDED_COMPLEX = "Cannot have onesided output if window or input is complex"



def _type_name(t: Tensor) -> str:
    name = legacy_name_np(t._data.dtype)
    return f"CPU{name}Type" if t._data.dtype.kind == "c" else f"torch.{name}Tensor"


def _desc(t: Tensor, braces: bool = False) -> str:
    shape = ", ".join(str(s) for s in t.shape)
    return f"{_type_name(t)}{{[{shape}]}}" if braces else f"{_type_name(t)}[{shape}]"


def _flag(value) -> str:
    return "None" if value is None else str(int(value))


def _padded_window(window, win_length: int, n_fft: int, dtype) -> Tensor:
    """The window (ones when None) zero-padded to ``n_fft``, centred."""
    if window is None:
        window = ones(win_length, dtype=dtype)
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    return _pad(window, (left, n_fft - win_length - left))


def stft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window: Tensor | None = None, center: bool = True, pad_mode: str = "reflect",
         normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """Short-time Fourier transform: a complex tensor of shape ``(*, n_freq, n_frames)``.

    >>> import numtorch as torch
    >>> x = torch.arange(8.0)
    >>> torch.stft(x, 4, hop_length=2, window=torch.hann_window(4), return_complex=True).shape
    torch.Size([3, 5])
    """
    is_complex = input._data.dtype.kind == "c" or (window is not None
                                                   and window._data.dtype.kind == "c")
    if return_complex is None and not is_complex:
        raise RuntimeError(_NO_RETURN_COMPLEX)
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:
        signal_dim = input.dim()
        extended = (1,) * (3 - signal_dim) + tuple(input.shape)
        p = int(n_fft // 2)
        input = _pad(input.reshape(extended), (p, p), mode=pad_mode)
        input = input.reshape(input.shape[-signal_dim:] if signal_dim else ())
    if window is None:
        warnings.warn(_STFT_NO_WINDOW, UserWarning, stacklevel=2)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    rc = True if return_complex is None else return_complex

    def fail(msg):
        wdesc = "None" if window is None else _desc(window, braces=True)
        raise RuntimeError(
            f"stft({_desc(input)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
            f"window={wdesc}, normalized={int(bool(normalized))}, onesided={_flag(onesided)}, "
            f"return_complex={int(bool(rc))}, align_to_window={_flag(align_to_window)}) : {msg}")

    if input.dim() not in (1, 2):
        fail("expected a 1D or 2D tensor")
    if input._data.dtype.kind not in "fc":
        fail("expected a tensor of floating point or complex values")
    length = input.shape[-1]
    if not 0 < n_fft <= length:
        fail(f"expected 0 < n_fft < {length}, but got n_fft={win}")
    if hop <= 0:
        fail(f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        fail(f"expected a 1D window tensor of size equal to win_length={win}, but got window "
             f"with size {list(window.shape)}")
    if onesided is None:
        onesided = not is_complex
    elif onesided and is_complex:
        raise RuntimeError(_ONESIDED_COMPLEX)
    if align_to_window and win < n_fft:       # frames start where the window starts
        left = (n_fft - win) // 2
        input = _pad(input, (left, n_fft - win - left))
    frames = input.unfold(-1, n_fft, hop) * _padded_window(window, win, n_fft, to_real(input.dtype))
    norm = "ortho" if normalized else "backward"
    spec = (rfft if onesided else fft)(frames, dim=-1, norm=norm).transpose(-1, -2)
    if not return_complex:
        warnings.warn(_RETURN_REAL_DEPRECATED, UserWarning, stacklevel=2)
        return view_as_real(spec)
    return spec


def _overlap_add(frames: Tensor, hop: int, out_len: int) -> Tensor:
    """Sum real frames ``(B, T, n)`` at offsets ``0, hop, 2 hop, ...`` into ``(B, out_len)``."""
    b, _, n = frames.shape
    y = _fold(frames.transpose(1, 2), (1, out_len), (1, n), stride=(1, hop))
    return y.reshape(b, out_len)


def istft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
          window: Tensor | None = None, center: bool = True, normalized: bool = False,
          onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """Inverse short-time Fourier transform of a complex ``(*, n_freq, n_frames)`` tensor.

    >>> import numtorch as torch
    >>> x = torch.arange(8.0)
    >>> w = torch.hann_window(4)
    >>> torch.istft(torch.stft(x, 4, window=w, return_complex=True), 4, window=w, length=8)
    tensor([0., 1., 2., 3., 4., 5., 6., 7.])
    """
    if input._data.dtype.kind != "c":
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    rdim = input.dim() + 1          # PyTorch checks the real view's dimensions
    if rdim < 3:
        bad = -2 if rdim < 2 else -3
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rdim}, "
                         f"{rdim - 1}], but got {bad})")

    def fail(msg):
        wdesc = "None" if window is None else _desc(window, braces=True)
        raise RuntimeError(
            f"istft({_desc(input)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
            f"window={wdesc}, center={int(bool(center))}, normalized={int(bool(normalized))}, "
            f"onesided={_flag(onesided)}, length={'None' if length is None else length}, "
            f"return_complex={int(bool(return_complex))}) {msg}")

    if rdim > 4:
        fail(f": expected a tensor with 3 or 4 dimensions, but got {rdim}")
    if window is None:
        warnings.warn(_ISTFT_NO_WINDOW, UserWarning, stacklevel=2)
    if not 0 < hop <= win:
        fail(": expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        fail(": expected 0 < win_length <= n_fft")
    if input.numel() == 0:
        fail(": input tensor cannot be empty.")
    n_freq, n_frames = input.shape[-2], input.shape[-1]
    sided = n_freq != n_fft if onesided is None else bool(onesided)
    if sided and n_freq != n_fft // 2 + 1:
        fail(": expected the frequency dimension (3rd to the last) of the input tensor to match "
             f"n_fft / 2 + 1 when onesided=True, but got {n_freq}")
    if not sided and n_freq != n_fft:
        fail(": expected the frequency dimension (3rd to the last) of the input tensor to match "
             f"n_fft when onesided=False, but got {n_freq}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        fail(": Invalid window shape. window has to be 1D and length of `win_length`")
    window_complex = window is not None and window._data.dtype.kind == "c"
    if return_complex:
        if sided:
            raise RuntimeError(_ONESIDED_COMPLEX)
    elif window_complex:
        raise RuntimeError("Complex windows are incompatible with return_complex=False")

    batched = input.dim() == 3
    spec = input if batched else input.unsqueeze(0)
    frames = spec.transpose(-1, -2)                  # (B, T, n_freq)
    norm = "ortho" if normalized else "backward"
    if return_complex:
        frames = ifft(frames, n=n_fft, dim=-1, norm=norm)
    else:
        if not sided:
            frames = frames[..., :n_fft // 2 + 1]
        frames = irfft(frames, n=n_fft, dim=-1, norm=norm)
    w = _padded_window(window, win, n_fft, to_real(input.dtype))
    frames = frames * w
    out_len = n_fft + hop * (n_frames - 1)
    if frames._data.dtype.kind == "c":
        y = complex(_overlap_add(_real(frames), hop, out_len),
                    _overlap_add(_imag(frames), hop, out_len))
    else:
        y = _overlap_add(frames, hop, out_len)
    w2 = w * w
    if w2._data.dtype.kind == "c":
        env = complex(_overlap_add(_real(w2).expand(1, n_frames, n_fft), hop, out_len),
                      _overlap_add(_imag(w2).expand(1, n_frames, n_fft), hop, out_len))
    else:
        env = _overlap_add(w2.expand(1, n_frames, n_fft), hop, out_len)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = out_len - n_fft // 2 if center else out_len
    stop = min(end, out_len)
    y = y[:, start:stop]
    env = env[:, start:stop]
    if env.numel() == 0:
        raise RuntimeError("min(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    if abs(env._data).min() < 1e-11:
        fail("window overlap add min: 1\n[ CPUBoolType{} ]")
    y = y / env
    if end > out_len:
        warnings.warn("The length of signal is shorter than the length parameter. Result is "
                      "being padded with zeros in the tail. Please check your center and "
                      "hop_length settings.", UserWarning, stacklevel=2)
        if y._data.dtype.kind == "c":
            y = complex(_pad(_real(y), (0, end - out_len)), _pad(_imag(y), (0, end - out_len)))
        else:
            y = _pad(y, (0, end - out_len))
    return y if batched else y.squeeze(0)

