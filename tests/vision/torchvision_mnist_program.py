"""An unchanged torchvision program: MNIST with transforms, a DataLoader, make_grid/save_image.

Run by tests/vision/test_vision_datasets.py as ``python -m numtorch.run <this file> <root>``,
where ``<root>/MNIST/raw`` holds small fake IDX files.
"""
import sys

import torch
import torchvision
import torchvision.utils as vutils
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

root = sys.argv[1]
print(torch.__name__, torchvision.__name__, transforms.__name__)
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
train = datasets.MNIST(root, train=True, download=False, transform=transform)
print(len(train), train.data.shape, train.data.dtype)
loader = DataLoader(train, batch_size=4, shuffle=False)
x, y = next(iter(loader))
print(x.shape, x.dtype, y.shape)
img, label = train[0]
print(f"{img[0, 14, 14].item():.6f} {label}")
print(vutils.make_grid(x[:2]).shape)
try:
    vutils.save_image(x[:2] * 0.5 + 0.5, "grid.png")
    print("saved")
except ImportError:
    print("no image writer")
try:
    import torchvision.models  # noqa: F401
except ImportError as e:
    print(type(e).__name__, e)
