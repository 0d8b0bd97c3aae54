"""Print the Chebyshev coefficients used by numtorch/ops/_special_kernels.py (needs mpmath).

    python tests/data/gen_special_coefficients.py

Each table is the Chebyshev interpolant (48 nodes of the first kind, 40 significant digits,
truncated where the coefficients fall below 2e-18 of the first one) of a smooth function on an
interval mapped to [-1, 1]:

* ``ERFCX``: ``erfcx(x) = exp(x^2) erfc(x)`` on [0.5, 1], [1, 2], [2, 4] and, for x >= 4,
  ``x * erfcx(x)`` as a function of ``v = 16 / x^2`` on [0, 1];
* ``I0_TAIL`` / ``I1_TAIL``: ``sqrt(x) * exp(-x) * I_k(x)`` for x >= 8 as a function of
  ``u = 8 / x`` on [0, 1].

and ``LGAMMA2``, the Taylor coefficients of ``lgamma(2 + z) = sum_k c_k z^k`` (k >= 1):
``c_1 = 1 - euler_gamma``, ``c_k = (-1)^k (zeta(k) - 1) / k``.

Nothing here is run by numtorch or its tests; it documents where the constants come from.
"""
from __future__ import annotations

import mpmath as mp

mp.mp.dps = 40


def cheb(f, a, b, n=48, tol=2e-18):
    a, b = mp.mpf(a), mp.mpf(b)
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    fs = [f((b - a) / 2 * t + (a + b) / 2) for t in nodes]
    c = [2 * mp.fsum(fs[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n
         for j in range(n)]
    c[0] /= 2
    last = max(j for j in range(n) if abs(c[j]) > tol * abs(c[0]))
    return [float(v) for v in c[:last + 1]]


def erfcx(x):
    return mp.exp(x * x) * mp.erfc(x)


def tail(k):
    def f(u):
        if u == 0:
            return 1 / mp.sqrt(2 * mp.pi)
        x = 8 / u
        return mp.sqrt(x) * mp.exp(-x) * mp.besseli(k, x)
    return f


def erfcx_tail(v):
    if v == 0:
        return 1 / mp.sqrt(mp.pi)
    x = 4 / mp.sqrt(v)
    return x * erfcx(x)


def show(name, rows):
    print(f"{name} = (")
    for row in rows:
        print("    (" + ",\n     ".join(", ".join(repr(v) for v in row[i:i + 3])
                                        for i in range(0, len(row), 3)) + "),")
    print(")")


if __name__ == "__main__":
    show("ERFCX", [cheb(erfcx, 0.5, 1), cheb(erfcx, 1, 2), cheb(erfcx, 2, 4),
                   cheb(erfcx_tail, 0, 1)])
    show("I0_TAIL", [cheb(tail(0), 0, 1)])
    show("I1_TAIL", [cheb(tail(1), 0, 1)])
    show("LGAMMA2", [[float(1 - mp.euler)] + [float((-1) ** k * (mp.zeta(k) - 1) / k)
                                              for k in range(2, 31)]])
