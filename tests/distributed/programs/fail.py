"""Rank 1 fails while rank 0 waits in a collective: ``... fail.py raise|exit``. The job must
stop (not hang) with a non-zero exit code."""
import sys

import numtorch as torch
import numtorch.distributed as dist

dist.init_process_group("gloo")
dist.barrier()
if dist.get_rank() == 1:
    if sys.argv[1] == "raise":
        raise ValueError("rank 1 fails on purpose")
    sys.exit(3)
print("rank 0 waits in all_reduce", flush=True)
dist.all_reduce(torch.ones(2))          # rank 1 never joins: only stopping the job ends this
print("rank 0 was not stopped", flush=True)
