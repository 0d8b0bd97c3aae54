import numtorch as torch


def test_square_sum_gradient():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x ** 2).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
