"""A CNN tutorial program as PyTorch users write it (torchvision imports, unchanged).

LeNet-style network on MNIST read by ``torchvision.datasets.MNIST`` from ``<root>/MNIST/raw``,
trained for one epoch on the first 1,500 training images, then evaluated on 1,000 test images.
Run by tests/test_cnn_tutorial.py as ``python -m numtorch.run cnn_tutorial.py <root>``.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

torch.manual_seed(1)
root = sys.argv[1]
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
train = Subset(datasets.MNIST(root, train=True, download=False, transform=transform), range(1500))
test = Subset(datasets.MNIST(root, train=False, download=False, transform=transform), range(1000))
train_loader = DataLoader(train, batch_size=50, shuffle=True)
test_loader = DataLoader(test, batch_size=250)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(6)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.dropout = nn.Dropout(0.25)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout(F.relu(self.fc2(x)))
        return F.log_softmax(self.fc3(x), dim=1)


model = Net()
print(model)
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
model.train()
for batch_idx, (data, target) in enumerate(train_loader):
    optimizer.zero_grad()
    loss = F.nll_loss(model(data), target)
    loss.backward()
    optimizer.step()
    if batch_idx % 10 == 0:
        print(f"Train [{batch_idx * len(data)}/{len(train_loader.dataset)}] loss: {loss.item():.6f}")
scheduler.step()

model.eval()
test_loss, correct = 0.0, 0
with torch.no_grad():
    for data, target in test_loader:
        output = model(data)
        test_loss += F.nll_loss(output, target, reduction="sum").item()
        correct += output.argmax(dim=1, keepdim=True).eq(target.view_as(output.argmax(1, True))).sum().item()
print(f"Test set: Average loss: {test_loss / len(test_loader.dataset):.4f}, "
      f"Accuracy: {correct}/{len(test_loader.dataset)}")
