"""``torch.nn.utils``: gradient clipping and parameter/vector conversion."""
from .clip_grad import (clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm,
                        clip_grads_with_norm_)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import clip_grad, convert_parameters  # noqa: F401
from ..._lazy import lazy_module as _lazy_module

__getattr__, __dir__ = _lazy_module(globals(), {}, ("rnn",))   # utils.rnn loads on first use

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_", "parameters_to_vector", "vector_to_parameters"]
