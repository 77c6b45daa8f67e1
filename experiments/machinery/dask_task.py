"""The task a Dask worker runs for a sweep (`executors.DaskCluster`).

A module of its own so that a worker imports Brian2 (through the runner) when it unpickles
the task, in its main thread: Brian2 installs a SIGINT handler when imported, which only the
main thread may do, and the task itself runs in a worker thread. Local workers do not import
it, and import Brian2 when their first run starts.
"""

from __future__ import annotations

import platform

from neurodev.experiments.machinery import runner  # noqa: F401  (imports Brian2 here)
from neurodev.experiments.machinery.executors import Outcome, Task, perform


def perform_on_dask_worker(task: Task) -> Outcome:
    from distributed import get_worker

    return perform(task, f"{platform.node()}/{get_worker().name}")
