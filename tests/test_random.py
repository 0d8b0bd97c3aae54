"""PyTorch-compatible CPU random numbers (spec: shared/specs/torch-rng.md).

The first half checks every test vector of spec §11; the second half compares with PyTorch
bit for bit: PyTorch's draws are recorded as digests (dtype, shape and MD5 of the bytes) in
``tests/data/oracle/random.json`` (``tests/_oracle.py``; regenerate with
``python tests/data/regen_oracle.py tests/test_random.py``), so it runs without torch; with
torch installed the record is also checked against live PyTorch.
"""
import hashlib
import math
import random as pyrandom

import numpy as np
import pytest

from numtorch import _generator as G
from numtorch import _random_ops as R
from numtorch import random as nrandom
from numtorch._generator import Generator
from numtorch._tensor import Tensor
from _oracle import Oracle, digest

ORACLE = Oracle("random")


def md5(a) -> str:
    return hashlib.md5(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


def gen(seed):
    return Generator().manual_seed(seed)


def f32(bits):
    return np.array(bits, np.uint32).view(np.float32)


def f64(bits):
    return np.array(bits, np.uint64).view(np.float64)


def linear_init(g, fan_in, fan_out):
    """nn.Linear's reset_parameters (spec §6.1) on the array kernels."""
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    bound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
    w = G.uniform(g, (fan_out, fan_in), np.float32, -bound, bound)
    bb = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    b = G.uniform(g, (fan_out,), np.float32, -bb, bb)
    return w, b


# ---------------------------------------------------------------------------
# §1 engine and seeding
# ---------------------------------------------------------------------------
def test_mt_reference_words():
    assert gen(0)._words(8).tolist() == [2357136044, 2546248239, 3071714933, 3626093760,
                                         2588848963, 3684848379, 2340255427, 3638918503]
    assert gen(5489)._words(1)[0] == 3499211612


def test_seed_low_32_bits_and_negative():
    a = G.uniform(gen(3), 50)
    assert np.array_equal(a, G.uniform(gen(2 ** 32 + 3), 50))
    assert np.array_equal(a, G.uniform(gen(2 ** 63 + 3), 50))
    assert gen(-1).initial_seed() == 2 ** 64 - 1
    assert gen(-2 ** 63).initial_seed() == 2 ** 63
    assert Generator().initial_seed() == 67280421310721
    for bad in (2 ** 64, -2 ** 63 - 1):
        with pytest.raises(ValueError):
            gen(bad)


def test_manual_seed_returns_generator_and_clears_cache():
    g = Generator()
    assert g.manual_seed(0) is g
    G.normal(g, 1)                       # leaves a cached sine
    assert g._normal_cache is not None
    g.manual_seed(0)
    assert g._normal_cache is None
    assert G.normal(g, 1)[0] == np.float32(1.5409961)


def test_global_module():
    g = nrandom.manual_seed(7)
    assert g is nrandom.default_generator and nrandom.initial_seed() == 7
    st = nrandom.get_rng_state()
    a = G.uniform(None, 10)
    nrandom.set_rng_state(st)
    assert np.array_equal(a, G.uniform(None, 10))
    with nrandom.fork_rng():
        G.uniform(None, 5)
    assert np.array_equal(G.uniform(None, 3), G.uniform(gen(7).set_state(st), 13)[10:])
    s = nrandom.seed()
    assert nrandom.initial_seed() == s


def test_state_layout_and_round_trip():
    g = gen(0)
    raw = np.asarray(getattr(g.get_state(), "_data", g.get_state()))
    assert raw.dtype == np.uint8 and raw.size == 5056
    assert raw[8:12].view("<i4")[0] == 1 and raw[16:24].view("<u8")[0] == 0     # left=1, next=0
    G.normal(g, 3)                       # path S: 8 words, one cached sine
    raw = np.asarray(getattr(g.get_state(), "_data", g.get_state()))
    assert raw[8:12].view("<i4")[0] == 625 - 8 and raw[16:24].view("<u8")[0] == 8
    assert raw[5040] == 1
    h = Generator().set_state(raw)
    assert np.array_equal(G.normal(h, 5), G.normal(g, 5))
    with pytest.raises(RuntimeError):
        Generator().set_state(np.zeros(10, np.uint8))


# ---------------------------------------------------------------------------
# §11 test vectors
# ---------------------------------------------------------------------------
UNIFORM_VECTORS = [
    (0, 5, np.float32, 0, 1, [0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3e073300], "5cb1b3177949eafd"),
    (42, 5, np.float32, 0, 1, [0x3f61dc66, 0x3f6a3db3, 0x3ec406b8, 0x3f75950e], "9625697595c2bafc"),
    (0, 3, np.float64, 0, 1, [0x3fef0aac97c4aa2f, 0x3fe6a675d821ccc0, 0x3fdd6687b744a5f6],
     "0b9254c889393d40"),
    (0, 5, np.float32, -0.5, 0.5, [0xbb755400, 0x3e89545e, 0xbed2b316, 0xbebc6680], "c5783d9b5291e69b"),
    (1, 5, np.float32, -0.1, 0.3, [0x3e4fed08, 0x3c401780, 0x3d7ac9e7, 0x3e4686da], "3e57e986e7a771b3"),
    (0, 3, np.float64, -2, 3, [0x4006cd57bdb5d4bb, 0x3ff8a0269c547fe0, 0x3fd300a694573dce],
     "acf2809b357a4051"),
]


@pytest.mark.parametrize("seed,n,dt,lo,hi,head,digest", UNIFORM_VECTORS)
def test_uniform_vectors(seed, n, dt, lo, hi, head, digest):
    x = G.uniform(gen(seed), n, dt, lo, hi)
    bits = x.view(np.uint32 if dt == np.float32 else np.uint64)
    assert bits[:len(head)].tolist() == head
    assert md5(x) == digest


NORMAL_VECTORS = [
    (0, 1, np.float32, [0x3fc53f5c], "e3f7f48f48953446"),
    (0, 2, np.float32, [0x3fc53f5c, 0xbe963c50], "f1781420ec0e5856"),
    (0, 15, np.float32, [0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6], "15735a1397ec5271"),
    (0, 16, np.float32, [0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d], "4e1c2854bd238243"),
    (0, 17, np.float32, [0xbf901b85, 0xbfd91446, 0x3f111004, 0x3f4b235d], "c190402a04a5902d"),
    (0, 100, np.float32, [0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d], "3654e7e02f59c36c"),
    (0, 7840, np.float32, [0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d], "08e2021b7e78150d"),
    (0, 1, np.float64, [0x3ff8a7eb8902be3a], "3785bfc7c4816934"),
    (0, 2, np.float64, [0x3ff8a7eb8902be3a, 0xbfd2c78a087c6fea], "0d939b302d00380b"),
    (0, 15, np.float64, [0x3ff8a7eb8902be3a, 0xbfd2c78a087c6fea, 0xc0016e2920a70ee5,
                         0x3fe23096ca3e350d], "e6563709fcae4e34"),
    (0, 16, np.float64, [0xc0027bb92e9262dc, 0xbfd7e35794939460, 0xbff0f91ae8d685b6,
                         0x3feffbfb0ada994b], "5f4606e351092a5b"),
    (0, 17, np.float64, [0xc0027bb92e9262dc, 0xbfe443c91ccf2402, 0xbff42cbf54f08f8e,
                         0xbfe7432edfaba107], "558e2b48f1a204b3"),
    (0, 100, np.float64, [0xc0027bb92e9262dc, 0xbfd7e35794939460, 0xbff0f91ae8d685b6,
                          0x3feffbfb0ada994b], "62da4436dbc26bf4"),
    (0, 7840, np.float64, [0xc0027bb92e9262dc, 0xbfd7e35794939460, 0xbff0f91ae8d685b6,
                           0x3feffbfb0ada994b], "53c8318331f432c3"),
    (42, 5, np.float32, [0x3eac62ae, 0x3e03e69d, 0x3e7016e7, 0x3e6bdc6c], "6b9619bdfff7a468"),
    (42, 20, np.float32, [0x3ff6a529, 0x3fbe5f53, 0x3f669567, 0xc006c0db], "c00d1608cf5401cf"),
]


@pytest.mark.parametrize("seed,n,dt,head,digest", NORMAL_VECTORS)
def test_normal_vectors(seed, n, dt, head, digest):
    x = G.normal(gen(seed), n, dt)
    bits = x.view(np.uint32 if dt == np.float32 else np.uint64)
    assert bits[:len(head)].tolist() == head
    assert md5(x) == digest


def test_normal_mean_std_vector():
    x = G.normal(gen(0), 32, np.float32, 0.5, 0.02)
    assert x.view(np.uint32)[:4].tolist() == [0x3ef478ae, 0x3ef43328, 0x3efd6f20, 0x3efb8e9d]
    assert x.view(np.uint32)[31] == 0x3ef75c5a
    assert md5(x) == "8e2f9051e2981449"


INT_VECTORS = [
    (0, 0, 10, 10, [4, 9, 3, 0, 3, 9, 7, 3, 7, 3], "cdbb0ed44eb12715"),
    (1, -5, 5, 6, [0, 4, -1, 3, -2, -2], "9e11c12c6354451b"),
    (0, 0, 2 ** 28 - 1, 3, [209652404, 130329144, 118924928], "a1e7804f5a2e840c"),
    (0, 0, 2 ** 28, 3, [130329135, 136432832, 195187451], "9480b7044b4b5735"),
    (0, 0, 2 ** 40, 3, [741280623151, 506137267392, 291447657211], "9427cd83bf78aff5"),
]


@pytest.mark.parametrize("seed,lo,hi,n,values,digest", INT_VECTORS)
def test_randint_vectors(seed, lo, hi, n, values, digest):
    x = G.randint(gen(seed), lo, hi, (n,))
    assert x.dtype == np.int64 and x.tolist() == values and md5(x) == digest


@pytest.mark.parametrize("seed,n,head,last,digest", [
    (0, 10, [4, 1, 7, 5, 3, 9, 0, 8, 6, 2], 2, "4fb9ca837ed0effd"),
    (42, 10, [2, 6, 1, 8, 4, 5, 0, 9, 3, 7], 7, "be0f0a5f62e7a447"),
    (0, 100, [44, 19, 93, 90, 71, 69, 37, 95, 53, 91, 81, 42], 51, "8cfd3e0032fa1247"),
    (0, 60000, [36044, 10678, 57327, 55074, 21567, 15479, 9481, 43095, 26145, 7479, 36531, 9597],
     1544, "3df09fa7b75a6c3a"),
])
def test_randperm_vectors(seed, n, head, last, digest):
    x = G.randperm(gen(seed), n)
    assert x[:len(head)].tolist() == head and x[-1] == last and md5(x) == digest


def test_randperm_word_count():
    g = gen(5)
    G.randperm(g, 1000)
    h = gen(5)
    h._words(999)
    assert np.array_equal(G.uniform(g, 4), G.uniform(h, 4))
    assert G.randperm(gen(0), 0).tolist() == [] and G.randperm(gen(0), 1).tolist() == [0]


def test_int64_random_vector():
    x = G.random_bits(gen(0), (), np.int64)
    assert int(x) == 900450186894289455 and md5(x) == "a48bd6b729163669"
    assert G.sampler_seed(gen(0)) == 900450186894289455


@pytest.mark.parametrize("seed,fan_in,fan_out,w_head,w_digest,b_head,b_digest", [
    (0, 2, 2, [0xbbad7922, 0x3ec2369c, 0xbf14fcb1, 0xbf05381d], "c4bf5ecc2d17a4f4",
     [0xbe8b70d6, 0x3e422aab], "c650c937894dcaeb"),
    (0, 784, 10, [0xb98c3000, 0x3c9cf2b5, 0xbcf0ccac, 0xbcd75093], "77c5f81a2727182d",
     [0xbc15fd20, 0x3ce33dfa, 0xbc349e7c, 0xbd094d6c], "7d87f4033e890feb"),
    (42, 784, 10, [0x3cdfaea1, 0x3cf2d62c, 0xbc091537, 0x3d066135], "d0c214d2d04cee81", None, None),
])
def test_linear_init_vectors(seed, fan_in, fan_out, w_head, w_digest, b_head, b_digest):
    w, b = linear_init(gen(seed), fan_in, fan_out)
    assert w.view(np.uint32).ravel()[:4].tolist() == w_head and md5(w) == w_digest
    if b_head is not None:
        assert b.view(np.uint32)[:len(b_head)].tolist() == b_head and md5(b) == b_digest


def test_dropout_vector():
    nrandom.manual_seed(0)
    mask = R.dropout_mask((12,), 0.5, np.float32)
    keep = (np.ones(12, np.float32) * mask != 0)
    assert keep.astype(int).tolist() == [0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1]
    assert md5(keep) == "a9246a37b2e3f540"
    assert set(mask.tolist()) == {0.0, 2.0}


def test_cache_sequence():
    g = gen(0)
    got = [G.normal(g, 1), G.normal(g, 1), G.uniform(g, 1), G.normal(g, 3), G.normal(g, 1)]
    got = np.concatenate(got)
    want = np.array([1.5409961, -0.2934289, 0.30742282, 0.5507453, 0.27036414, 0.64724797,
                     0.24900222], np.float32)
    assert np.array_equal(got, want)


def test_dataloader_epochs_sequence():
    """DataLoader(arange(10), batch_size=4, shuffle=True): 4 global words per epoch (§7)."""
    nrandom.manual_seed(0)
    seeds, epochs = [], []
    for _ in range(2):
        base = G.sampler_seed(None)                 # iter(loader)
        seed = G.sampler_seed(None)                 # RandomSampler.__iter__
        g = Generator().manual_seed(seed)
        perm = G.randperm(g, 10).tolist()
        G.randperm(g, 10)                           # trailing remainder randperm
        seeds.append((base, seed))
        epochs.append([perm[0:4], perm[4:8], perm[8:]])
    assert epochs[0] == [[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]
    assert epochs[1] == [[2, 4, 7, 0], [8, 9, 5, 3], [6, 1]]
    assert seeds == [(900450186894289455, 3969543146641149120),
                     (1895649597198586619, 827948490035658087)]
    assert G.uniform(None, 1)[0] == np.float32(0.45562798)


def test_uniform_never_returns_to():
    x = G.uniform(gen(0), 200000, np.float32, 1000, 1000.001)
    assert (x < np.float32(1000.001)).all() and (x >= np.float32(1000)).all()


def test_fma32_tie_fix():
    # a*b = 2**-24 + 2**-60 exactly; 1 + a*b rounds (in float64) onto the float32 tie
    # 1 + 2**-24, so only the tie fix gives the fused result 1 + 2**-23
    a = np.array([2.0 ** -24 * (1 + 2.0 ** -12)])
    b = np.array([1 - 2.0 ** -12 + 2.0 ** -24])
    assert G._fma32(a, b, np.array([1.0]))[0] == 1 + 2.0 ** -23
    assert G._fma32(-a, b, np.array([-1.0]))[0] == -(1 + 2.0 ** -23)
    assert G._fma32(a, b, 1.0)[0] == 1 + 2.0 ** -23


# ---------------------------------------------------------------------------
# tensor-level API
# ---------------------------------------------------------------------------
def test_tensor_factories():
    nrandom.manual_seed(0)
    t = R.rand(2, 3)
    assert tuple(t.shape) == (2, 3) and t._data.dtype == np.float32
    nrandom.manual_seed(0)
    assert np.array_equal(R.rand((2, 3))._data, t._data)
    nrandom.manual_seed(0)
    assert R.randint(0, 10, (5,))._data.tolist() == [4, 9, 3, 0, 3]
    nrandom.manual_seed(0)
    assert R.randint(10, (5,))._data.tolist() == [4, 9, 3, 0, 3]
    nrandom.manual_seed(0)
    x = R.randint(0, 10, (5,), dtype=np.float32)
    assert x._data.dtype == np.float32 and x._data.tolist() == [4, 9, 3, 0, 3]
    nrandom.manual_seed(0)
    assert R.randperm(10)._data.tolist() == [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]
    assert R.randn(3, requires_grad=True).requires_grad
    g = Generator().manual_seed(0)
    assert R.randn(2, generator=g)._data.tolist() == [np.float32(1.5409961), np.float32(-0.2934289)]
    like = R.rand_like(t)
    assert tuple(like.shape) == (2, 3)
    with pytest.raises(RuntimeError):
        R.rand(2, dtype=np.int64)


def test_inplace_version_and_noncontiguous():
    base = np.zeros((3, 4), np.float32)
    t = Tensor._make(base.T)                 # a transposed view: fills base in order
    v = t._version
    nrandom.manual_seed(0)
    R.uniform_(t)
    assert t._version == v + 1
    assert np.array_equal(base.ravel(), G.uniform(gen(0), 12))
    R.random_(Tensor._make(np.zeros(4, np.int64)), 0, 10)


# ---------------------------------------------------------------------------
# parity with PyTorch (bit for bit, through the record)
# ---------------------------------------------------------------------------
def torch_state(torch) -> str:
    """Digest of PyTorch's global generator state (5056 bytes)."""
    return digest(torch.get_rng_state().numpy())


def our_state() -> str:
    return digest(np.frombuffer(nrandom.default_generator._state_bytes(), np.uint8))


def tdt(torch, dt):
    """The torch dtype of a NumPy dtype."""
    return getattr(torch, "bool" if np.dtype(dt) == np.bool_ else np.dtype(dt).name)


def same_draws(key, torch_side, numtorch_side):
    """PyTorch's digests (recorded, checked live with torch) equal numtorch's, step by step."""
    want = ORACLE.answer(key, torch_side)
    got = numtorch_side()
    assert len(got) == len(want), key
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{key}: step {i}: numtorch {g} vs PyTorch {w}"


SEEDS = [0, 1, 42, 2 ** 32 + 7, -5]
SIZES = [1, 2, 7, 15, 16, 17, 31, 33, 100, 1000, 4099]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_torch_rand_randn(seed, dt):
    def th(torch):
        torch.manual_seed(seed)
        out = []
        for n in SIZES:
            out += [digest(torch.rand(n, dtype=tdt(torch, dt))),
                    digest(torch.randn(n, dtype=tdt(torch, dt)))]
        return out + [digest(torch.randn(3, 5, 7, dtype=tdt(torch, dt))), torch_state(torch)]

    def nt():
        nrandom.manual_seed(seed)
        out = []
        for n in SIZES:
            out += [digest(R.rand(n, dtype=dt)), digest(R.randn(n, dtype=dt))]
        return out + [digest(R.randn(3, 5, 7, dtype=dt)), our_state()]

    same_draws(f"rand_randn/{seed}/{np.dtype(dt).name}", th, nt)


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_torch_randn_large_float32(seed):
    def th(torch):
        torch.manual_seed(seed)
        return [digest(torch.randn(300007)), torch_state(torch)]

    def nt():
        nrandom.manual_seed(seed)
        return [digest(R.randn(300007)), our_state()]

    same_draws(f"randn_large/{seed}", th, nt)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("lo,hi", [(-0.5, 0.5), (0, 1), (-2, 3), (1000, 1000.001), (1e-3, 2e-3),
                                   (-1e6, 3.5), (0.1, 0.1000001)])
def test_torch_uniform_(dt, lo, hi):
    def th(torch):
        torch.manual_seed(1)
        return [digest(torch.empty(20001, dtype=tdt(torch, dt)).uniform_(lo, hi)),
                torch_state(torch)]

    def nt():
        nrandom.manual_seed(1)
        return [digest(R.uniform_(Tensor._make(np.empty(20001, dt)), lo, hi)), our_state()]

    same_draws(f"uniform_/{np.dtype(dt).name}/{lo!r}/{hi!r}", th, nt)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("mean,std", [(0.5, 0.02), (-3.0, 2.5), (0.0, 0.01), (1.0, 0.0)])
def test_torch_normal_(dt, mean, std):
    def th(torch):
        torch.manual_seed(2)
        return [digest(torch.empty(n, dtype=tdt(torch, dt)).normal_(mean, std))
                for n in (5, 16, 1000, 4097)] + [torch_state(torch)]

    def nt():
        nrandom.manual_seed(2)
        return [digest(R.normal_(Tensor._make(np.empty(n, dt)), mean, std))
                for n in (5, 16, 1000, 4097)] + [our_state()]

    same_draws(f"normal_/{np.dtype(dt).name}/{mean!r}/{std!r}", th, nt)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("lo,hi", [(0, 10), (-5, 5), (0, 2 ** 28 - 1), (0, 2 ** 28), (-2 ** 40, 2 ** 40),
                                   (0, 2 ** 62), (3, 4), (-2 ** 63, 2 ** 63 - 1)])
def test_torch_randint(lo, hi):
    def th(torch):
        torch.manual_seed(0)
        return [digest(torch.randint(lo, hi, (3001,))),
                digest(torch.randint(lo, hi, (7,), dtype=torch.float64)), torch_state(torch)]

    def nt():
        nrandom.manual_seed(0)
        return [digest(R.randint(lo, hi, (3001,))),
                digest(R.randint(lo, hi, (7,), dtype=np.float64)), our_state()]

    same_draws(f"randint/{lo}/{hi}", th, nt)


@pytest.mark.parametrize("ndt", [np.int64, np.int32, np.int16, np.uint8, np.int8, np.bool_,
                                 np.float32, np.float64])
def test_torch_random_(ndt):
    ranges = [()] if ndt is np.bool_ else [(), (100,), (3, 50), (5, None)]

    def th(torch):
        torch.manual_seed(4)
        return [digest(torch.empty(500, dtype=tdt(torch, ndt)).random_(*r))
                for r in ranges] + [torch_state(torch)]

    def nt():
        nrandom.manual_seed(4)
        return [digest(R.random_(Tensor._make(np.empty(500, ndt)), *r))
                for r in ranges] + [our_state()]

    same_draws(f"random_/{np.dtype(ndt).name}", th, nt)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 60000, 100003])
def test_torch_randperm(n):
    def th(torch):
        torch.manual_seed(9)
        a = digest(torch.randperm(n))
        return [a, digest(torch.randperm(n, generator=torch.Generator().manual_seed(n))),
                torch_state(torch)]

    def nt():
        nrandom.manual_seed(9)
        a = digest(R.randperm(n))
        return [a, digest(R.randperm(n, generator=Generator().manual_seed(n))), our_state()]

    same_draws(f"randperm/{n}", th, nt)


def test_torch_bernoulli_dropout_exponential():
    def th(torch):
        torch.manual_seed(6)
        p32, p64 = torch.rand(1000), torch.rand(999, dtype=torch.float64)
        out = [digest(p32), digest(p64), digest(torch.bernoulli(p32)),
               digest(torch.bernoulli(p64)), digest(torch.bernoulli(p32, 0.3)),
               digest(torch.empty(77).bernoulli_(0.25)), digest(torch.empty(1000).bernoulli_(p32))]
        for p in (0.1, 0.5, 0.8, 1 / 3):
            out.append(digest(torch.nn.functional.dropout(torch.randn(501), p)))
        for lam in (1.0, 0.3):
            out.append(digest(torch.empty(300).exponential_(lam)))
        return out + [torch_state(torch)]

    def nt():
        nrandom.manual_seed(6)
        p32, p64 = R.rand(1000), R.rand(999, dtype=np.float64)
        out = [digest(p32), digest(p64), digest(R.bernoulli(p32)), digest(R.bernoulli(p64)),
               digest(R.bernoulli(p32, 0.3)),
               digest(R.bernoulli_(Tensor._make(np.empty(77, np.float32)), 0.25)),
               digest(R.bernoulli_(Tensor._make(np.empty(1000, np.float32)), p32))]
        for p in (0.1, 0.5, 0.8, 1 / 3):
            xn = R.randn(501)
            out.append(digest(xn._data * R.dropout_mask((501,), p)))
        for lam in (1.0, 0.3):
            out.append(digest(R.exponential_(Tensor._make(np.empty(300, np.float32)), lam)))
        return out + [our_state()]

    same_draws("bernoulli_dropout_exponential", th, nt)


def test_torch_normal_overloads():
    def th(torch):
        torch.manual_seed(8)
        m, s = torch.randn(40), torch.rand(40)
        return [digest(m), digest(s), digest(torch.normal(m, s)), digest(torch.normal(m, 0.5)),
                digest(torch.normal(0.25, s)), digest(torch.normal(2.0, 3.0, size=(5, 4))),
                digest(torch.normal(m[:5], s[:5])), torch_state(torch)]

    def nt():
        nrandom.manual_seed(8)
        m, s = R.randn(40), R.rand(40)
        return [digest(m), digest(s), digest(R.normal(m, s)), digest(R.normal(m, 0.5)),
                digest(R.normal(0.25, s)), digest(R.normal(2.0, 3.0, size=(5, 4))),
                digest(R.normal(Tensor._make(m._data[:5]), Tensor._make(s._data[:5]))),
                our_state()]

    same_draws("normal_overloads", th, nt)


_FILLS = [("uniform_", (-1, 2)), ("normal_", (0.5, 2.0)), ("bernoulli_", (0.3,))]


def test_torch_noncontiguous_fills():
    def th(torch):
        torch.manual_seed(12)
        out = []
        for shape in [(4, 5), (8, 6)]:
            for op, args in _FILLS:
                tb = torch.zeros(shape)
                getattr(tb.t(), op)(*args)
                out.append(digest(tb))
        return out + [torch_state(torch)]

    def nt():
        nrandom.manual_seed(12)
        out = []
        for shape in [(4, 5), (8, 6)]:
            for op, args in _FILLS:
                nb = np.zeros(shape, np.float32)
                getattr(R, op)(Tensor._make(nb.T), *args)
                out.append(digest(nb))
        return out + [our_state()]

    same_draws("noncontiguous_fills", th, nt)


def test_torch_state_round_trip():
    """PyTorch's own state bytes (recorded) load into a numtorch Generator and draw the same."""
    def th(torch):
        torch.manual_seed(13)
        torch.randn(3)                               # a cached normal in the state
        torch.rand(700)
        st = torch.get_rng_state()
        t = torch.Generator()
        t.set_state(st.clone())
        return [st.numpy(), digest(torch.randn(5, generator=t)),
                digest(torch.randn(50, generator=t))]

    state, want5, want50 = ORACLE.answer("state_round_trip", th)
    nrandom.manual_seed(13)
    R.randn(3)
    R.rand(700)
    assert np.array_equal(np.frombuffer(nrandom.default_generator._state_bytes(), np.uint8), state)
    g = Generator().set_state(state)
    assert np.array_equal(np.asarray(getattr(g.get_state(), "_data", g.get_state())), state)
    assert digest(R.randn(5, generator=g)) == want5
    assert digest(R.randn(50, generator=g)) == want50


def test_torch_generator_defaults():
    def th(torch):
        tg = torch.Generator()
        return [tg.initial_seed(), digest(torch.rand(10, generator=tg)),
                digest(tg.get_state().numpy())]

    def nt():
        ng = Generator()
        return [ng.initial_seed(), digest(R.rand(10, generator=ng)),
                digest(np.frombuffer(ng._state_bytes(), np.uint8))]

    same_draws("generator_defaults", th, nt)


def _script(script_seed):
    """A random script: the global seed and 25 steps (kind, n, dtype, randint bound)."""
    rnd = pyrandom.Random(script_seed)
    seed = rnd.choice([0, 1, 42, 2 ** 40 + 3, -7])
    steps = []
    for _ in range(25):
        k = rnd.randrange(10)
        n = rnd.choice([1, 2, 3, 5, 15, 16, 17, 40, 257])
        dt = rnd.choice([np.float32, np.float64])
        hi = rnd.choice([2, 10, 2 ** 28, 2 ** 40]) if k == 2 else None
        steps.append((k, n, dt, hi))
    return seed, steps


def _torch_step(torch, k, n, dt, hi):
    if k == 0:
        return torch.randn(n, dtype=tdt(torch, dt))
    if k == 1:
        return torch.rand(n, dtype=tdt(torch, dt))
    if k == 2:
        return torch.randint(-1, hi, (n,))
    if k == 3:
        return torch.randperm(n)
    if k == 4:
        return torch.empty(n, dtype=tdt(torch, dt)).normal_(0, 0.02)
    if k == 5:
        return torch.nn.Linear(n, 3).weight.data
    if k == 6:
        return torch.nn.functional.dropout(torch.ones(n), 0.2)
    if k == 7:
        return torch.empty((), dtype=torch.int64).random_()
    if k == 8:
        return torch.randn(n, 2).t().contiguous()
    return torch.empty(n, dtype=tdt(torch, dt)).uniform_(-3, 0.7)


def _our_step(k, n, dt, hi):
    if k == 0:
        return R.randn(n, dtype=dt)
    if k == 1:
        return R.rand(n, dtype=dt)
    if k == 2:
        return R.randint(-1, hi, (n,))
    if k == 3:
        return R.randperm(n)
    if k == 4:
        return R.normal_(Tensor._make(np.empty(n, dt)), 0, 0.02)
    if k == 5:
        return linear_init(nrandom.default_generator, n, 3)[0]
    if k == 6:
        return R.dropout_mask((n,), 0.2)
    if k == 7:
        return np.array(G.sampler_seed(None), np.int64)
    if k == 8:
        return R.randn(n, 2)._data.T.copy()
    return R.uniform_(Tensor._make(np.empty(n, dt)), -3, 0.7)


@pytest.mark.parametrize("script_seed", range(12))
def test_torch_interleaved_scripts(script_seed):
    seed, steps = _script(script_seed)

    def th(torch):
        torch.manual_seed(seed)
        return [digest(_torch_step(torch, *s)) for s in steps] + [torch_state(torch)]

    def nt():
        nrandom.manual_seed(seed)
        return [digest(_our_step(*s)) for s in steps] + [our_state()]

    same_draws(f"interleaved/{script_seed}", th, nt)
