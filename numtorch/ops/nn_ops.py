"""The former home of the fused nn ops, now split by family: ``activation.py`` (softmax and the
activations), ``loss.py``, ``linear.py`` and ``dropout.py``.

Only re-exports (the same objects) remain, for the modules that still import from here
(ops/rnn.py, ops/attention.py, nn/modules/rnn.py); new code imports from the family's module.
"""
from .._dtype import legacy_name_np as _scalar_name  # noqa: F401
from .activation import (Softmax, softmax, log_softmax, leaky_relu, elu, selu, celu,  # noqa: F401
                         gelu, silu, softplus, softsign, hardtanh, relu6, logsigmoid)
from .dropout import dropout  # noqa: F401
from .linear import linear  # noqa: F401
from .loss import (cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss,  # noqa: F401
                   huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits, kl_div,
                   legacy_reduction)

__all__ = ["softmax", "log_softmax", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "kl_div", "dropout", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "softplus",
           "softsign", "hardtanh", "relu6", "logsigmoid", "linear", "legacy_reduction"]
