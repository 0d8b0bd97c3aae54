"""Where PyTorch's CPU kernels leave tied elements: the selection and sorting algorithms they run.

The order of equal elements in ``sort(stable=False)``, ``topk``, ``kthvalue`` and ``mode`` is not
specified by PyTorch's documentation, but users see it (``indices=tensor([3, 1, ...])``), so
numtorch reproduces it: PyTorch's CPU build sorts with the C++ standard library of GCC
(introsort: median-of-three quicksort, heapsort past a depth limit, insertion sort for runs of up
to 16), selects with its ``nth_element`` (introselect) and ``partial_sort`` (heap select), and
``kthvalue`` runs the textbook median-of-three Hoare selection (Numerical Recipes' ``select``).
These are those algorithms, written from their published descriptions and checked against
PyTorch's results on many thousands of random inputs with ties (tests/test_sorting.py).

Each works in place on ``p``, a list of positions, comparing ``k[p[i]] < k[p[j]]`` (``select``:
``>``); ``k`` is a list of keys (dense ranks, or raw Python numbers where NaN must stay
incomparable, as for ``mode``). They are Python loops, used only for the rows where ties make the
answer depend on the algorithm; callers run NumPy everywhere else.

>>> p = [0, 1, 2, 3]
>>> std_sort(p, [1, 0, 1, 0]); p
[1, 3, 0, 2]
"""
from __future__ import annotations

_THRESHOLD = 16            # introsort leaves runs of up to 16 elements to insertion sort


def _lg(n: int) -> int:
    return n.bit_length() - 1


def _insertion_sort(p, k, first, last):
    for i in range(first + 1, last):
        val = p[i]
        kv = k[val]
        if kv < k[p[first]]:                 # a new smallest: shift the whole run right
            p[first + 1:i + 1] = p[first:i]
            p[first] = val
        else:
            j = i
            while kv < k[p[j - 1]]:
                p[j] = p[j - 1]
                j -= 1
            p[j] = val


def _unguarded_insertion_sort(p, k, first, last):
    for i in range(first, last):
        val = p[i]
        kv = k[val]
        j = i
        while kv < k[p[j - 1]]:
            p[j] = p[j - 1]
            j -= 1
        p[j] = val


def _median_to_first(p, k, result, a, b, c):
    ka, kb, kc = k[p[a]], k[p[b]], k[p[c]]
    if ka < kb:
        s = b if kb < kc else (c if ka < kc else a)
    elif ka < kc:
        s = a
    else:
        s = c if kb < kc else b
    p[result], p[s] = p[s], p[result]


def _partition_pivot(p, k, first, last):
    """Hoare partition of [first, last) around the median of three, left in ``p[first]``."""
    _median_to_first(p, k, first, first + 1, first + (last - first) // 2, last - 1)
    kp = k[p[first]]
    lo, hi = first + 1, last
    while True:
        while k[p[lo]] < kp:
            lo += 1
        hi -= 1
        while kp < k[p[hi]]:
            hi -= 1
        if not lo < hi:
            return lo
        p[lo], p[hi] = p[hi], p[lo]
        lo += 1


def _adjust_heap(p, k, first, hole, length, value):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if k[p[first + child]] < k[p[first + child - 1]]:
            child -= 1
        p[first + hole] = p[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        p[first + hole] = p[first + child - 1]
        hole = child - 1
    kv = k[value]                            # push ``value`` back up from ``hole``
    parent = (hole - 1) // 2
    while hole > top and k[p[first + parent]] < kv:
        p[first + hole] = p[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    p[first + hole] = value


def _make_heap(p, k, first, last):
    n = last - first
    if n < 2:
        return
    for parent in range((n - 2) // 2, -1, -1):
        _adjust_heap(p, k, first, parent, n, p[first + parent])


def _pop_heap(p, k, first, last, result):
    value = p[result]
    p[result] = p[first]
    _adjust_heap(p, k, first, 0, last - first, value)


def _heap_select(p, k, first, middle, last):
    _make_heap(p, k, first, middle)
    for i in range(middle, last):
        if k[p[i]] < k[p[first]]:
            _pop_heap(p, k, first, middle, i)


def _sort_heap(p, k, first, last):
    while last - first > 1:
        last -= 1
        _pop_heap(p, k, first, last, last)


def _introsort_loop(p, k, first, last, depth):
    while last - first > _THRESHOLD:
        if depth == 0:                       # too deep: heapsort the rest
            _heap_select(p, k, first, last, last)
            _sort_heap(p, k, first, last)
            return
        depth -= 1
        cut = _partition_pivot(p, k, first, last)
        _introsort_loop(p, k, cut, last, depth)
        last = cut


def std_sort(p: list, k: list, first: int = 0, last: int | None = None) -> None:
    """Sort ``p[first:last]`` by ``k`` as GCC's ``std::sort`` does (not stable).

    >>> p = list(range(20)); std_sort(p, [1, 0] * 10); p[:10]
    [1, 19, 17, 15, 13, 11, 9, 7, 5, 3]
    """
    last = len(p) if last is None else last
    if last - first < 2:
        return
    _introsort_loop(p, k, first, last, 2 * _lg(last - first))
    if last - first > _THRESHOLD:
        _insertion_sort(p, k, first, first + _THRESHOLD)
        _unguarded_insertion_sort(p, k, first + _THRESHOLD, last)
    else:
        _insertion_sort(p, k, first, last)


def nth_element(p: list, k: list, nth: int) -> None:
    """Put the ``nth`` smallest of ``p`` at ``nth`` as GCC's ``std::nth_element`` does."""
    first, last = 0, len(p)
    if nth >= last:
        return
    depth = 2 * _lg(last - first)
    while last - first > 3:
        if depth == 0:
            _heap_select(p, k, first, nth + 1, last)
            p[first], p[nth] = p[nth], p[first]
            return
        depth -= 1
        cut = _partition_pivot(p, k, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(p, k, first, last)


def partial_sort(p: list, k: list, middle: int) -> None:
    """Sort the ``middle`` smallest of ``p`` into ``p[:middle]`` as ``std::partial_sort`` does."""
    _heap_select(p, k, 0, middle, len(p))
    _sort_heap(p, k, 0, middle)


def select(p: list, k: list, kth: int) -> None:
    """Median-of-three Hoare selection of the ``kth`` smallest (``kthvalue``'s algorithm)."""
    lo, hi = 0, len(p) - 1
    while True:
        if hi <= lo:
            return
        if hi == lo + 1:
            if k[p[lo]] > k[p[hi]]:
                p[lo], p[hi] = p[hi], p[lo]
            return
        mid = lo + (hi - lo) // 2
        p[mid], p[lo + 1] = p[lo + 1], p[mid]
        if k[p[lo + 1]] > k[p[hi]]:
            p[lo + 1], p[hi] = p[hi], p[lo + 1]
        if k[p[lo]] > k[p[hi]]:
            p[lo], p[hi] = p[hi], p[lo]
        if k[p[lo + 1]] > k[p[lo]]:
            p[lo + 1], p[lo] = p[lo], p[lo + 1]
        i, j = lo + 1, hi
        kp = k[p[lo]]
        while True:
            i += 1
            while kp > k[p[i]]:
                i += 1
            j -= 1
            while k[p[j]] > kp:
                j -= 1
            if j < i:
                break
            p[i], p[j] = p[j], p[i]
        p[lo], p[j] = p[j], p[lo]
        if j <= kth:
            lo = i
        if j >= kth:
            hi = j - 1
