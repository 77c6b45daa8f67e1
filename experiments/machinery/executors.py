"""Where a sweep's runs are done: local worker processes, or the workers of a Dask cluster.

Both executors (`LocalWorkers`, `DaskCluster`) take `Task` objects and yield one `Outcome`
per task as tasks finish. A task runs `perform` in a long-lived worker process that reuses its
Brian2 build directories (`development.standalone.locked_slot`), so a circuit shape is compiled
from scratch once per machine and later runs rebuild in place. Workers write finished runs
straight into the result store, which makes a run visible only once complete; the parent only
keeps count.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

from neurodev.experiments.config import ConfigError, ExperimentConfig
from neurodev.experiments.machinery.interrupts import SIGNALS, exit_status, stopping_on_signals

#: How long workers get to clean up after SIGINT before they are killed (s).
GRACE_S = 10.0


class ExecutorLost(RuntimeError):
    """The executor cannot go on (e.g. the Dask scheduler is gone); the runs it had not
    finished are not failures, and running the sweep again does them."""


@dataclass(frozen=True)
class Task:
    """One run to do: the experiment, its validated config and run key, and where to store it.
    ``build_root`` None means the worker's own default (``$NEURODEV_BUILD_DIR`` there)."""

    experiment: str
    config: ExperimentConfig
    key: str
    out: str
    build_root: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of a task: ``status`` is ``"done"`` or ``"failed"`` (with a one-line
    ``error`` and the ``traceback``); ``compile_s`` is the compilation time of its run."""

    key: str
    status: str
    worker: str
    wall_time_s: float
    compile_s: float | None = None
    error: str = ""
    traceback: str = ""


def perform(task: Task, worker: str) -> Outcome:
    """Run `task` into the store (skipped if already stored); never raises for a failed run."""
    from neurodev.experiments.machinery.runner import code_version, run_key, store_run
    from neurodev.experiments.machinery.store import ResultStore

    start = time.perf_counter()
    try:
        if run_key(task.config) != task.key:
            raise RuntimeError(f"this worker has neurodev {code_version()}, which gives the run "
                               "another key: install the same code everywhere")
        store = ResultStore(Path(task.out))
        run_dir = store_run(task.experiment, task.config, store,
                            build_root=task.build_root and Path(task.build_root),
                            log=lambda message: print(message, flush=True))
        engine = store.load(run_dir, arrays=False).provenance.get("engine", {})
        return Outcome(task.key, "done", worker, time.perf_counter() - start,
                       engine.get("wall_time_s", {}).get("compilation"))
    except Exception as error:  # a failed run is recorded, and the sweep goes on
        return failed(task, worker, time.perf_counter() - start, error, traceback.format_exc())


def failed(task: Task, worker: str, wall_time_s: float, error: BaseException | str,
           details: str = "") -> Outcome:
    reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    lines = reason.strip().splitlines() or [""]
    return Outcome(task.key, "failed", worker, wall_time_s, error=lines[0], traceback=details)


# --- Local worker processes ----------------------------------------------------------------

@dataclass
class _Worker:
    name: str
    process: multiprocessing.Process
    connection: object
    task: Task | None = None
    started: float = 0.0


class LocalWorkers:
    """`n_workers` worker processes on this machine, started for each batch of tasks; each
    logs to ``<log_dir>/worker-N.log``."""

    def __init__(self, n_workers: int, log_dir: Path):
        if n_workers < 1:
            raise ConfigError(f"--workers {n_workers} is not allowed: a number of processes >= 1")
        self.n_workers, self.log_dir = n_workers, Path(log_dir)

    def describe(self) -> str:
        return f"{self.n_workers} local worker process(es)"

    def outcomes(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        return _local_outcomes(tasks, self.n_workers, self.log_dir)

    def close(self):
        pass


def _local_outcomes(tasks: Iterable[Task], n_workers: int, log_dir: Path) -> Iterator[Outcome]:
    """Do `tasks` on `n_workers` local processes; yield each outcome as it arrives.

    Each worker runs in its own session (so stopping it also stops the compiler or the
    simulation it started). A worker that dies fails its run and is replaced. When the
    caller stops early (Ctrl-C), workers get SIGINT, which removes their unfinished runs,
    and are killed after `GRACE_S`.
    """
    pending = deque(tasks)
    context = multiprocessing.get_context("spawn")
    log_dir.mkdir(parents=True, exist_ok=True)
    workers: dict[object, _Worker] = {}

    def start(name: str):
        ours, theirs = context.Pipe()
        process = context.Process(target=_worker_main, name=name, daemon=True,
                                  args=(theirs, name, str(log_dir / f"{name}.log")))
        process.start()
        theirs.close()
        worker = _Worker(name, process, ours)
        workers[ours] = workers[process.sentinel] = worker
        give_work(worker)

    def give_work(worker: _Worker):
        worker.task = pending.popleft() if pending else None
        worker.started = time.perf_counter()
        try:
            worker.connection.send(worker.task)
        except OSError:  # it died meanwhile: its sentinel says so next
            if worker.task is not None:
                pending.appendleft(worker.task)
            worker.task = None
            return
        if worker.task is None:
            retire(worker)

    def retire(worker: _Worker):
        workers.pop(worker.connection, None)
        workers.pop(worker.process.sentinel, None)

    try:
        for index in range(min(n_workers, len(pending))):
            start(f"worker-{index}")
        while workers:
            for ready in wait(list(workers)):
                worker = workers.get(ready)
                if worker is None:
                    continue
                outcome = _receive(worker)
                if outcome is None:  # the worker died
                    code = worker.process.exitcode
                    _stop_session(worker.process, signal.SIGKILL)
                    retire(worker)
                    if worker.task is not None:
                        yield failed(worker.task, worker.name,
                                     time.perf_counter() - worker.started,
                                     f"worker process died ({_exit_reason(code)}) during the run")
                    if pending:
                        start(worker.name)
                    continue
                yield outcome
                give_work(worker)
    finally:
        _stop_all({w.process for w in workers.values()})


def _receive(worker: _Worker) -> Outcome | None:
    """The worker's outcome, or None if it was woken by the end of its process."""
    try:
        if worker.connection.poll():
            return worker.connection.recv()
    except (EOFError, OSError):
        pass
    worker.process.join()
    return None


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    if code is not None and code - 128 in SIGNALS:  # the worker's own exit status then
        return f"stopped by {signal.Signals(code - 128).name}"
    return f"exit code {code}"


def _stop_all(processes: set):
    for process in processes:
        _stop_session(process, signal.SIGINT)
    deadline = time.monotonic() + GRACE_S
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
        _stop_session(process, signal.SIGKILL)


def _stop_session(process: multiprocessing.Process, sig: int):
    """Send `sig` to the worker's whole session (its compiler or simulation too)."""
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        if process.exitcode is None:
            os.kill(process.pid, sig)


def _worker_main(connection, name: str, log_path: str):
    """A local worker: its own session, output to its log, then tasks until told to stop."""
    os.setsid()
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 (the worker's log)
    sys.stderr = sys.stdout
    try:
        with stopping_on_signals():  # SIGTERM too stops the run and stores nothing
            while (task := connection.recv()) is not None:
                connection.send(perform(task, name))
    except EOFError:
        pass
    except KeyboardInterrupt as interruption:
        sys.exit(exit_status(interruption))


# --- Dask distributed ------------------------------------------------------------------------

class DaskCluster:
    """The Dask cluster whose scheduler is at `address`, connected at once. Its workers must
    have neurodev installed, one thread each, and see the result store.

    Raises
    ------
    ConfigError
        If Dask is not installed, the scheduler cannot be reached, or a worker has more
        than one thread (Brian2 keeps one device per process).
    """

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs Dask: pip install 'neurodev[dask]'") from None
        self.address = address
        try:
            self.client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as error:
            raise ConfigError(f"--scheduler {address}: cannot reach a Dask scheduler "
                              f"({error})") from None
        try:
            _check_threads(self.client, address)
        except ConfigError:
            self.client.close()
            raise

    def describe(self) -> str:
        return f"the Dask cluster at {self.address}"

    def outcomes(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        """Submit `tasks`; yield outcomes as they arrive. A worker that dies has its task
        retried elsewhere by Dask (``distributed.scheduler.allowed-failures`` times)."""
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        from neurodev.experiments.machinery.dask_task import perform_on_dask_worker

        futures = {self.client.submit(perform_on_dask_worker, task, pure=False,
                                      key=f"neurodev-run-{task.key}"): task for task in tasks}
        # A lost scheduler is reported below in one line, not as the client's tracebacks.
        logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
        try:
            for future in as_completed(futures):
                try:
                    yield future.result()
                except FutureCancelledError as error:
                    if error.reason == "scheduler-connection-lost":
                        raise ExecutorLost(f"lost the Dask scheduler at {self.address}") from None
                    yield failed(futures[future], "dask", 0.0, error)
                except Exception as error:  # e.g. KilledWorker: the task's workers kept dying
                    yield failed(futures[future], "dask", 0.0, error)
        finally:
            with contextlib.suppress(Exception):  # the scheduler may be gone
                self.client.cancel(list(futures))

    def close(self):
        with contextlib.suppress(Exception):
            self.client.close()


def _check_threads(client, address: str):
    for worker, info in client.scheduler_info()["workers"].items():
        if info["nthreads"] != 1:
            raise ConfigError(
                f"--scheduler {address}: worker {worker} has {info['nthreads']} threads; "
                "neurodev needs one thread per worker process (dask worker --nthreads 1, "
                "or processes = cores in dask-jobqueue)")
