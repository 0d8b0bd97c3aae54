"""``torch.autograd.graph``: the Node type users see as ``grad_fn``."""
from .function import Function as Node  # noqa: F401
