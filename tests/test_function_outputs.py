"""A user ``autograd.Function`` with several outputs: an unused output's gradient arrives as
zeros of that output's shape and dtype (PyTorch's materialize_grads), not as a 0-d zero."""
import numtorch as torch


class Two(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2, (x * 3).double(), 7

    @staticmethod
    def backward(ctx, ga, gb, gc):
        ctx.seen = (tuple(ga.shape), tuple(gb.shape), gb.dtype, float(gb.abs().sum()), gc)
        return ga * 2 + gb.float() * 3


def test_unused_output_gets_zeros_of_its_shape():
    x = torch.randn(3, 4, requires_grad=True)
    a, b, c = Two.apply(x)
    a.sum().backward()
    assert a.grad_fn.seen == ((3, 4), (3, 4), torch.float64, 0.0, None)   # as PyTorch
    assert x.grad.tolist() == [[2.0] * 4] * 3


def test_materialize_grads_off_gives_none():
    class Off(Two):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            ctx.seen = gb
            return ga * 2

    x = torch.randn(2, requires_grad=True)
    a, b = Off.apply(x)
    a.sum().backward()
    assert a.grad_fn.seen is None
