"""The submodules of ``numtorch.cuda`` (``cuda.py`` is a module whose ``__path__`` is this
folder, so ``import torch.cuda.amp`` works as in PyTorch)."""
