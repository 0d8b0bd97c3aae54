"""Record PyTorch 2.13's answers for tests/test_backends.py and tests/vision/ into
tests/data/vision.json (run where torch is installed):

    python tests/data/regen_vision.py

What is recorded:
- ``exprs``: each expression in EXPRS evaluated with ``torch`` bound to PyTorch, in order, in a
  fresh process: ``[expression, {"value": repr(result)} or {"error": [type, message]}]``. The
  same strings are evaluated, in the same order, with ``torch`` bound to numtorch by the tests.
- ``draws``: the random offsets and flips torchvision's ``RandomCrop`` / ``RandomHorizontalFlip``
  make after ``manual_seed``, emulated with the calls torchvision makes
  (``torch.randint(0, n, size=(1,)).item()`` for the top then the left offset,
  ``torch.rand(1) < p`` per flip); torchvision itself is not installable beside torch 2.13 here.
- ``resize``: ``torch.nn.functional.interpolate(..., antialias=True)`` (what torchvision's
  tensor ``Resize`` calls) on seeded float32 images, and on uint8 images cast to float32 and
  rounded back (torchvision's integer path).
- ``pil_resize``: Pillow's ``Image.resize`` of seeded uint8 images (what torchvision does to PIL
  images, and what numtorch's NumPy stand-ins for PIL images reproduce). Where both sides change,
  the record is Pillow's horizontal pass then its vertical pass as two calls: Pillow 12+ may
  run the vertical pass first for some sizes, which moves a few pixels by 1.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import Any, Callable, Dict, List

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "vision.json")

EXPRS: List[str] = [
    # torch.backends
    "torch.backends.mps.is_available()",
    "torch.backends.mps.is_built()",
    "torch.backends.mps.is_macos13_or_newer()",
    "torch.backends.cudnn.is_available()",
    "torch.backends.cudnn.version()",
    "torch.backends.cudnn.enabled",
    "torch.backends.cudnn.benchmark",
    "torch.backends.cudnn.deterministic",
    "torch.backends.cudnn.allow_tf32",
    "torch.backends.cudnn.benchmark_limit",
    "torch.backends.cudnn.is_acceptable(torch.zeros(1))",
    "setattr(torch.backends.cudnn, 'benchmark', True) or torch.backends.cudnn.benchmark",
    "setattr(torch.backends.cudnn, 'benchmark', False) or torch.backends.cudnn.benchmark",
    "setattr(torch.backends.cudnn, 'deterministic', True) or torch.backends.cudnn.deterministic",
    "setattr(torch.backends.cudnn, 'deterministic', False) or torch.backends.cudnn.deterministic",
    "torch.backends.cudnn.set_flags(False)",
    "torch.backends.cudnn.enabled",
    "torch.backends.cudnn.set_flags(True)",
    "within(torch.backends.cudnn.flags(enabled=False, deterministic=True), lambda: ("
    "torch.backends.cudnn.enabled, torch.backends.cudnn.deterministic, "
    "torch.backends.cudnn.benchmark_limit))",
    "(torch.backends.cudnn.enabled, torch.backends.cudnn.deterministic)",
    "torch.backends.mkldnn.is_available()",
    "torch.backends.mkldnn.enabled",
    "torch.backends.mkldnn.set_flags(False)",
    "torch.backends.mkldnn.enabled",
    "torch.backends.mkldnn.set_flags(True)",
    "within(torch.backends.mkldnn.flags(enabled=False), lambda: torch.backends.mkldnn.enabled)",
    "torch.backends.mkldnn.enabled",
    "torch.backends.openmp.is_available()",
    "torch.backends.mkl.is_available()",
    "within(torch.backends.mkl.verbose(torch.backends.mkl.VERBOSE_ON), lambda: 1)",
    "torch.backends.cuda.is_built()",
    "torch.backends.cuda.matmul.allow_tf32",
    "torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction",
    "torch.backends.cuda.matmul.not_a_flag",
    "setattr(torch.backends.cuda.matmul, 'allow_tf32', True) or "
    "torch.backends.cuda.matmul.allow_tf32",
    "setattr(torch.backends.cuda.matmul, 'allow_tf32', False) or "
    "torch.backends.cuda.matmul.allow_tf32",
    "torch.backends.cuda.flash_sdp_enabled()",
    "torch.backends.cuda.enable_flash_sdp(False) or torch.backends.cuda.flash_sdp_enabled()",
    "torch.backends.cuda.enable_flash_sdp(True) or torch.backends.cuda.flash_sdp_enabled()",
    # torch.cuda without CUDA
    "torch.cuda.is_available()",
    "torch.cuda.device_count()",
    "torch.cuda.manual_seed(1)",
    "torch.cuda.manual_seed_all(1)",
    "torch.cuda.seed()",
    "torch.cuda.seed_all()",
    "torch.cuda.initial_seed()",
    "torch.cuda.get_device_name()",
    "torch.cuda.get_device_name(0)",
    "torch.cuda.get_device_properties(0)",
    "torch.cuda.get_device_capability()",
    "torch.cuda.current_device()",
    "torch.cuda.synchronize()",
    "torch.cuda.empty_cache()",
    "torch.cuda.is_bf16_supported()",
    "torch.cuda.is_tf32_supported()",
    "torch.cuda.is_initialized()",
    "torch.cuda.init()",
    "torch.cuda.memory_allocated()",
    "torch.cuda.max_memory_allocated()",
    "torch.cuda.memory_reserved()",
    "torch.cuda.max_memory_reserved()",
    "torch.cuda.memory_stats()",
    "torch.cuda.mem_get_info()",
    "torch.cuda.get_rng_state()",
    "torch.cuda.get_rng_state_all()",
    "torch.cuda.get_arch_list()",
    "torch.cuda.current_stream()",
    "torch.cuda.Stream()",
    "torch.cuda.Event()",
    "torch.cuda.FloatTensor(2)",
    "torch.cuda.LongTensor()",
    "within(torch.cuda.device(-1), lambda: 1)",
    "within(torch.cuda.device(0), lambda: 1)",
    "within(torch.cuda.device('cuda:0'), lambda: 1)",
    "within(torch.cuda.device_of(torch.zeros(1)), lambda: 1)",
    # tensors on devices this build lacks
    "torch.zeros(2, device='cuda')",
    "torch.tensor([1.0], device='cuda:1')",
    "torch.zeros(2).to('cuda')",
    "torch.zeros(2).cuda()",
    "torch.zeros(2).to('mps')",
    "torch.zeros(2).to('xpu')",
    "torch.nn.Linear(1, 1).to('cuda')",
    # torch.accelerator
    "torch.accelerator.is_available()",
    "torch.accelerator.current_accelerator()",
    "torch.accelerator.current_accelerator(check_available=True)",
    "torch.accelerator.device_count()",
    "torch.accelerator.current_device_index()",
    "torch.accelerator.set_device_index(0)",
    "torch.accelerator.synchronize()",
    "torch.accelerator.empty_cache()",
    "torch.accelerator.memory_allocated()",
    "within(torch.accelerator.device_index(None), lambda: 1)",
    "within(torch.accelerator.device_index(0), lambda: 1)",
    # default device
    "torch.get_default_device()",
    "torch.set_default_device('cpu')",
    "torch.get_default_device()",
    "torch.set_default_device(torch.device('cpu', 0))",
    "torch.get_default_device()",
    "torch.set_default_device(None)",
    "torch.get_default_device()",
    "torch.set_default_device('bogus')",
    "torch.set_default_device(3)",
    "torch.get_default_device()",
    "torch.zeros(2).device",
]


def within(cm: Any, fn: Callable[[], Any]) -> Any:
    """``fn()`` inside ``with cm:`` (lets an expression use a context manager)."""
    with cm:
        return fn()


def evaluate(torch: Any) -> List[List[Any]]:
    """``[expression, outcome]`` for each expression of EXPRS, in order, with ``torch`` bound
    to ``torch``."""
    out: List[List[Any]] = []
    ns = {"torch": torch, "within": within}
    for expr in EXPRS:
        try:
            with contextlib.redirect_stderr(open(os.devnull, "w")):
                import warnings
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value = eval(expr, dict(ns))
            out.append([expr, {"value": repr(value)}])
        except Exception as e:  # noqa: BLE001  (recording what is raised)
            out.append([expr, {"error": [type(e).__name__, str(e)]}])
    return out


# -- random crops and flips ---------------------------------------------------------------------

# (seed, image (h, w), crop (th, tw), padding, flip p, calls)
DRAW_CASES = [
    (0, (8, 6), (4, 4), 0, 0.5, 12),
    (1, (8, 6), (4, 4), 0, 0.5, 12),
    (7, (28, 28), (24, 24), 0, 0.3, 10),
    (3, (32, 32), (32, 32), 4, 0.5, 10),
    (5, (5, 5), (5, 5), 0, 0.5, 6),     # crop size == image size: no offset drawn
]


def draws(torch: Any) -> List[Dict[str, Any]]:
    """What RandomCrop(crop, padding) then RandomHorizontalFlip(p) draw after manual_seed."""
    out = []
    for seed, (h, w), (th, tw), padding, p, calls in DRAW_CASES:
        torch.manual_seed(seed)
        h2, w2 = h + 2 * padding, w + 2 * padding
        steps = []
        for _ in range(calls):
            if (h2, w2) == (th, tw):
                i = j = 0
            else:
                i = torch.randint(0, h2 - th + 1, size=(1,)).item()
                j = torch.randint(0, w2 - tw + 1, size=(1,)).item()
            flip = bool(torch.rand(1) < p)
            steps.append([i, j, flip])
        out.append({"seed": seed, "image": [h, w], "crop": [th, tw], "padding": padding, "p": p,
                    "steps": steps})
    return out


# -- resize --------------------------------------------------------------------------------------

# (seed, input shape (C, H, W), output (h, w), mode)
RESIZE_CASES = [
    (0, (1, 28, 28), (14, 14), "bilinear"),
    (1, (3, 7, 9), (4, 5), "bilinear"),
    (2, (3, 10, 10), (23, 17), "bilinear"),
    (3, (2, 32, 24), (8, 30), "bilinear"),
    (4, (1, 13, 11), (13, 4), "bicubic"),
    (5, (3, 20, 16), (6, 7), "bicubic"),
    (6, (1, 5, 6), (9, 11), "bicubic"),
]


def resize_inputs(seed: int, shape: Any) -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"float": rng.random(shape, dtype=np.float32),
            "uint8": rng.integers(0, 256, shape).astype(np.uint8)}


def resizes(torch: Any) -> List[Dict[str, Any]]:
    import torch.nn.functional as F
    out = []
    for seed, shape, size, mode in RESIZE_CASES:
        x = resize_inputs(seed, shape)
        f = F.interpolate(torch.from_numpy(x["float"])[None], size=size, mode=mode,
                          align_corners=False, antialias=True)[0]
        u = F.interpolate(torch.from_numpy(x["uint8"]).to(torch.float32)[None], size=size,
                          mode=mode, align_corners=False, antialias=True)[0]
        if mode == "bicubic":
            u = u.clamp(0, 255)
        u = u.round().to(torch.uint8)
        out.append({"seed": seed, "shape": list(shape), "size": list(size), "mode": mode,
                    "float": f.numpy().ravel().tolist(), "uint8": u.numpy().ravel().tolist()})
    return out


# (seed, input shape (H, W) or (H, W, C), output (h, w), mode)
PIL_CASES = [
    (10, (28, 28), (28, 14), "bilinear"),
    (11, (9, 13), (20, 13), "bilinear"),
    (12, (16, 16, 3), (16, 5), "bicubic"),
    (13, (11, 7), (3, 7), "bicubic"),
    (14, (28, 28), (14, 14), "bilinear"),
    (15, (10, 12, 3), (23, 5), "bicubic"),
    (16, (32, 24), (8, 30), "nearest"),
    (17, (24, 30), (30, 24), "nearest"),
]


def pil_input(seed: int, shape: Any) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)


def pil_resizes() -> List[Dict[str, Any]]:
    from PIL import Image
    codes = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
             "bicubic": Image.Resampling.BICUBIC}
    out = []
    for seed, shape, (h, w), mode in PIL_CASES:
        img = Image.fromarray(pil_input(seed, shape))
        if mode != "nearest" and h != shape[0] and w != shape[1]:
            res = img.resize((w, shape[0]), codes[mode]).resize((w, h), codes[mode])
        else:
            res = img.resize((w, h), codes[mode])
        out.append({"seed": seed, "shape": list(shape), "size": [h, w], "mode": mode,
                    "pixels": np.asarray(res).ravel().tolist()})
    return out


def record(torch: Any) -> Dict[str, Any]:
    return {"torch": torch.__version__, "exprs": evaluate(torch), "draws": draws(torch),
            "resize": resizes(torch), "pil_resize": pil_resizes()}


def main() -> None:
    import torch
    data = record(torch)
    with open(RECORD, "w", encoding="utf-8") as f:      # one entry a line: readable diffs
        parts = []
        for key, value in data.items():
            if isinstance(value, list):
                rows = ",\n".join(json.dumps(v) for v in value)
                parts.append(f"{json.dumps(key)}: [\n{rows}\n]")
            else:
                parts.append(f"{json.dumps(key)}: {json.dumps(value)}")
        f.write("{\n" + ",\n".join(parts) + "\n}\n")
    print(f"recorded {len(data['exprs'])} expressions, {len(data['draws'])} draw sequences, "
          f"{len(data['resize'])} + {len(data['pil_resize'])} resizes into {RECORD}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
