"""Sweeps on local workers and on a Dask cluster, interrupted and resumed (tiny runs)."""

import contextlib
import csv
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurodev.experiments.cli import main
from neurodev.experiments.machinery.runner import code_version
from neurodev.experiments.machinery.store import WRITER_LOCK, ResultStore
from neurodev.experiments.machinery.sweep import load_sweep, run_sweep

EXPERIMENT = "scratch-vs-prior"


def quiet(message):
    pass


def write_sweep(tmp_path, strengths: str, seeds: str = "[1, 3]") -> Path:
    path = tmp_path / "study.toml"
    path.write_text(f'experiment = "{EXPERIMENT}"\npreset = "tiny"\nseeds = {seeds}\n'
                    f"[grid]\nwiring.prior_strength = {strengths}\n")
    return path


def read_table(out: Path, name: str = "study") -> list[dict]:
    with open(out / "sweeps" / name / "table.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_store_complete(out: Path):
    """Every run directory loads in full, and no temporary directory is left."""
    store = ResultStore(out)
    for run_dir in store.runs(EXPERIMENT):
        run = store.load(run_dir)
        assert run.metrics["circuits"] and run.arrays
    assert not [p.name for p in (out / EXPERIMENT).iterdir() if p.name.startswith(".")]


def processes_working_in(directory: Path) -> list[int]:
    """Pids whose working directory lies under `directory` (a compiler or a simulation)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(proc / "cwd").startswith(str(directory.resolve())):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def runs_being_written(out: Path) -> list[str]:
    """Temporary run directories whose writer still holds their lock (it has not exited)."""
    found = []
    for lock_path in (out / EXPERIMENT).glob(f".*/{WRITER_LOCK}"):
        with open(lock_path) as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                found.append(lock_path.parent.name)
    return found


def start_sweep(path: Path, out: Path, build_root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "neurodev.experiments.cli", "sweep", str(path), "--out", str(out),
         "--workers", "2"], env=os.environ | {"NEURODEV_BUILD_DIR": str(build_root)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(condition, timeout_s: float = 300):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_local_workers_and_dask_cluster_give_identical_tables(tmp_path, build_root):
    distributed = pytest.importorskip("distributed")
    path = write_sweep(tmp_path, "{ linspace = [0.25, 1.0, 4] }")
    sweep = load_sweep(path, code_version())
    assert len(sweep.runs) == 8
    local = run_sweep(sweep, tmp_path / "local", workers=2, build_root=build_root, log=quiet)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = run_sweep(sweep, tmp_path / "dask", scheduler=cluster.scheduler_address,
                            build_root=build_root, log=quiet)
    for report in (local, on_dask):
        assert not report.failures and len(report.outcomes) == 8
        assert len({o.worker for o in report.outcomes.values()}) == 2
    # Wall times differ from run to run; everything else must not.
    tables = [[{k: v for k, v in row.items() if k != "wall_time_s"} for row in read_table(out)]
              for out in (tmp_path / "local", tmp_path / "dask")]
    assert tables[0] == tables[1]
    assert [row["status"] for row in tables[0]] == ["done"] * 8
    # The command, with every run stored, writes the table again and draws the figure.
    assert main(["sweep", str(path), "--out", str(tmp_path / "local")]) == 0
    assert (tmp_path / "local" / "sweeps" / "study" / "summary.png").is_file()


def test_interrupted_sweep_resumes_with_only_the_missing_runs(tmp_path, build_root):
    # Six runs on two workers: the interrupt, sent once the first is stored, lands before the
    # last ends (with three, a loaded machine once finished them all in between).
    strengths = "[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]"
    path, out = write_sweep(tmp_path, strengths, seeds="[1]"), tmp_path / "results"
    sweep = load_sweep(path, code_version())
    process = start_sweep(path, out, build_root)
    wait_for(lambda: ResultStore(out).runs(EXPERIMENT))
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    done = {p.name for p in ResultStore(out).runs(EXPERIMENT)}
    assert 1 <= len(done) < 6
    assert "run the same command again" in output
    assert_store_complete(out)
    assert not processes_working_in(build_root)
    assert {row["status"] for row in read_table(out)} == {"done", "missing"}

    resumed = run_sweep(sweep, out, workers=2, build_root=build_root, log=quiet)
    assert set(resumed.outcomes) == {run.key for run in sweep.runs} - done
    assert not resumed.failures and resumed.stored_before == len(done)
    assert_store_complete(out)
    assert len(ResultStore(out).runs(EXPERIMENT)) == 6


@pytest.mark.parametrize(("signum", "reason"), [
    (signal.SIGKILL, "killed by SIGKILL"),
    # The worker stops its run, stores nothing and exits with 143.
    pytest.param(signal.SIGTERM, "stopped by SIGTERM", marks=pytest.mark.slow),
])
def test_killed_worker_fails_only_its_run_and_resuming_redoes_it(tmp_path, build_root, signum,
                                                                 reason):
    path, out = write_sweep(tmp_path, "[0.25, 0.5, 1.0]", seeds="[1]"), tmp_path / "results"
    sweep = load_sweep(path, code_version())
    process = start_sweep(path, out, build_root)
    logs = out / "sweeps" / "study" / "logs"
    wait_for(lambda: any("run " in p.read_text() for p in logs.glob("*.log")))
    time.sleep(2)  # into the run: building or simulating
    workers = [pid for pid in _children(process.pid)
               if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    os.kill(workers[0], signum)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 1, output  # the sweep went on, with one failure
    rows = read_table(out)
    failed = [row for row in rows if row["status"] == "failed"]
    assert len(failed) == 1 and reason in failed[0]["error"]
    assert [row["status"] for row in rows].count("done") == 2
    assert not processes_working_in(build_root)

    resumed = run_sweep(sweep, out, workers=2, build_root=build_root, log=quiet)
    assert set(resumed.outcomes) == {failed[0]["run_key"]} and not resumed.failures
    assert_store_complete(out)
    assert [row["status"] for row in read_table(out)] == ["done"] * 3


def test_lost_scheduler_stops_the_sweep_without_failures_and_resuming_does_the_rest(
        tmp_path, build_root):
    pytest.importorskip("distributed")
    path, out = write_sweep(tmp_path, "[0.25, 0.5, 0.75, 1.0]", seeds="[1]"), tmp_path / "results"
    sweep = load_sweep(path, code_version())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    env = os.environ | {"NEURODEV_BUILD_DIR": str(build_root)}
    dask = [sys.executable, "-m", "dask"]
    # Own sessions, so that killing one kills its worker processes and their compilers too.
    scheduler = subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port",
                                  address.rsplit(":", 1)[1], "--no-dashboard"],
                                 stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    workers = subprocess.Popen([*dask, "worker", address, "--nthreads", "1", "--nworkers", "2",
                                "--no-dashboard"], stderr=subprocess.DEVNULL, env=env,
                               start_new_session=True)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "neurodev.experiments.cli", "sweep", str(path), "--out", str(out),
             "--scheduler", address], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for(lambda: ResultStore(out).runs(EXPERIMENT))
    finally:
        # The cluster's job ends: scheduler and workers die at once, the runs in progress with
        # them. (Workers left alive would go on with the runs they hold, and might finish all.)
        for server in (scheduler, workers):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 1, output
    assert f"lost the Dask scheduler at {address}: run the same command again" in output
    statuses = [row["status"] for row in read_table(out)]
    assert "failed" not in statuses and "done" in statuses
    done = {p.name for p in ResultStore(out).runs(EXPERIMENT)}
    assert len(done) < 4
    # Killed worker processes outlive their parent by a moment, holding their runs' locks;
    # once they are gone, the runs they were writing are abandoned, for the resume to remove.
    wait_for(lambda: not runs_being_written(out), timeout_s=30)
    wait_for(lambda: not processes_working_in(build_root), timeout_s=30)

    resumed = run_sweep(sweep, out, workers=2, build_root=build_root, log=quiet)
    assert set(resumed.outcomes) == {run.key for run in sweep.runs} - done
    assert not resumed.failures
    assert_store_complete(out)


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
