# Seed 000 (XOR, 2-2-1 sigmoid, MSELoss(sum), SGD, DataLoader) as a user runs it, for the
# "whole process" benchmark: the seed's listing without matplotlib (its import and 3-D plot
# would dominate both frameworks' times equally). bench/run.py runs this file as is on PyTorch
# and, with the torch imports rewritten to numtorch ones, on numtorch.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset
from torch.utils.data import DataLoader

torch.manual_seed(123)
x = torch.tensor([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=torch.float32)
t = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
print("x=", x)
print("t=", t)
train_loader = DataLoader(TensorDataset(x, t), 4, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(2, 2)
        self.fc2 = nn.Linear(2, 1)

    def forward(self, x):
        x = self.fc1(x)
        x = torch.sigmoid(x)
        x = self.fc2(x)
        return x


net = Net()
print("Initial weights")
print(net.fc1.weight.data)
print(net.fc1.bias.data)
print(net.fc2.weight.data)
print(net.fc2.bias.data)
criterion = nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

print("+++TRAIN+++")
max_epoch = 2000
for epoch in range(max_epoch + 1):
    for batch in train_loader:
        x, t = batch
        optimizer.zero_grad()
        y = net(x)
        loss = criterion(y, t)
        loss.backward()
        optimizer.step()
    if epoch % 500 == 0:
        print("epoc:", epoch, ' loss:', loss.item())

print("Final weights")
print(net.fc1.weight.data)
print(net.fc1.bias.data)
print(net.fc2.weight.data)
print(net.fc2.bias.data)

print("+++Test+++")
net.eval()
with torch.no_grad():
    for v in ([0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]):
        x = torch.tensor(v)
        print(x, net(x))
    xa_np, xb_np = np.meshgrid(np.linspace(0, 1, 10), np.linspace(0, 1, 10))
    x = torch.from_numpy(np.stack([np.ravel(xa_np), np.ravel(xb_np)], 1).astype(np.float32)).clone()
    y_np = net(x).to('cpu').detach().numpy().copy().reshape(10, 10)
    print(y_np.round(3)[0])
