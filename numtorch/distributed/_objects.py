"""Collectives of Python objects (PyTorch's ``all_gather_object`` & co.) on MPI.

The objects are pickled, as PyTorch pickles them, and only the objects the caller passes:
unpickling what another rank sent can run code, so use these only with ranks you trust.

>>> # objs = [None] * dist.get_world_size(); dist.all_gather_object(objs, {"rank": rank})
"""
from __future__ import annotations

from typing import Any, List, Optional

from . import _mpi
from .distributed_c10d import ProcessGroup, _call, _member, _peer, _root

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list",
           "send_object_list", "recv_object_list"]


def all_gather_object(object_list: List[Any], obj: Any,
                      group: Optional[ProcessGroup] = None) -> None:
    """Every rank's ``obj`` into ``object_list[rank]`` on every rank. The objects are pickled;
    unpickling runs code, so use it only with ranks you trust (as in PyTorch)."""
    pg = _member(group, "all_gather_object")
    if pg is None:
        return
    for i, o in enumerate(_call("all_gather_object", pg._comm.allgather, obj)):
        object_list[i] = o


def broadcast_object_list(object_list: List[Any], src: Optional[int] = None,
                          group: Optional[ProcessGroup] = None, device=None,
                          group_src: Optional[int] = None) -> None:
    """Rank ``src``'s ``object_list`` items into every rank's list (pickled)."""
    pg = _member(group, "broadcast_object_list")
    if pg is None:
        return
    if src is None and group_src is None:
        group_src = 0
    root = _root(pg, src, group_src, "broadcast_object_list")
    got = _call("broadcast_object_list", pg._comm.bcast,
                list(object_list) if pg._rank == root else None, root)
    if pg._rank != root:
        for i, o in enumerate(got[:len(object_list)]):
            object_list[i] = o


def gather_object(obj: Any, object_gather_list: Optional[List[Any]] = None,
                  dst: Optional[int] = None, group: Optional[ProcessGroup] = None,
                  group_dst: Optional[int] = None) -> None:
    """Every rank's ``obj`` into ``object_gather_list`` on rank ``dst`` (pickled)."""
    pg = _member(group, "gather_object")
    if pg is None:
        return
    if dst is None and group_dst is None:
        group_dst = 0
    root = _root(pg, dst, group_dst, "gather_object")
    if pg._rank == root and object_gather_list is None:
        raise ValueError("Argument ``object_gather_list`` must be specified on destination "
                         "rank.")
    got = _call("gather_object", pg._comm.gather, obj, root)
    if pg._rank == root:
        for i, o in enumerate(got):
            object_gather_list[i] = o


def scatter_object_list(scatter_object_output_list: List[Any],
                        scatter_object_input_list: Optional[List[Any]] = None,
                        src: Optional[int] = None, group: Optional[ProcessGroup] = None,
                        group_src: Optional[int] = None) -> None:
    """Item i of rank ``src``'s ``scatter_object_input_list`` into rank i's
    ``scatter_object_output_list[0]`` (pickled)."""
    if not isinstance(scatter_object_output_list, list) or not scatter_object_output_list:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    pg = _member(group, "scatter_object_list")
    if pg is None:
        return
    if src is None and group_src is None:
        group_src = 0
    root = _root(pg, src, group_src, "scatter_object_list")
    items = list(scatter_object_input_list) if pg._rank == root else None
    scatter_object_output_list[0] = _call("scatter_object_list", pg._comm.scatter, items, root)


def send_object_list(object_list: List[Any], dst: Optional[int] = None,
                     group: Optional[ProcessGroup] = None, device=None,
                     group_dst: Optional[int] = None) -> None:
    """Send ``object_list``'s items to rank ``dst`` (pickled)."""
    pg = _member(group, "send_object_list")
    if pg is None:
        return
    peer = _peer(pg, dst, group_dst, "destination")
    _call("send_object_list", pg._comm.send, list(object_list), peer, 0)


def recv_object_list(object_list: List[Any], src: Optional[int] = None,
                     group: Optional[ProcessGroup] = None, device=None,
                     group_src: Optional[int] = None) -> int:
    """Receive items from rank ``src`` (any when None) into ``object_list``; the sender's
    rank."""
    pg = _member(group, "recv_object_list")
    if pg is None:
        return -1
    MPI = _mpi.mpi()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else \
        _peer(pg, src, group_src, "source")
    status = MPI.Status()
    got = _call("recv_object_list", pg._comm.recv, None, peer, 0, status)
    for i, o in enumerate(got[:len(object_list)]):
        object_list[i] = o
    return pg._ranks[status.Get_source()]
