"""Interrupted runs store nothing and leave no process behind (tiny runs of the real command).

Each test starts ``neurodev run`` in a session of its own, waits until it compiles (make or
the compiler working in its build directory) or simulates (the compiled ``main``), signals
it, and checks the exit status, that nothing was stored, that no child survives, and — for
some — that the same command then completes with the metrics of an uninterrupted run.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurodev.experiments.machinery.interrupts import (
    Interrupted,
    exit_status,
    signals_deferred,
    stopping_on_signals,
)
from neurodev.experiments.machinery.store import ResultStore

EXPERIMENT = "scratch-vs-prior"
#: Processes of each phase, as /proc/<pid>/comm names them.
PHASES = {"compilation": {"make", "cc1plus"}, "simulation": {"main"}}
#: The interrupted command exits within this time: it kills its children, it does not wait
#: for them (a tiny compilation takes 20–40 s, its simulation about 8 s).
PROMPT_S = 5.0


def children_in(build_root: Path) -> list[tuple[int, str]]:
    """Live (not zombie) processes working under `build_root`: make, compilers, main."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if not os.readlink(proc / "cwd").startswith(str(build_root.resolve())):
                continue
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                found.append((int(proc.name), (proc / "comm").read_text().strip()))
        except (OSError, IndexError):
            continue
    return found


def start_run(out: Path, build_root: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "neurodev.experiments.cli", "run", EXPERIMENT, "--preset", "tiny",
             "--out", str(out)], env=os.environ | {"NEURODEV_BUILD_DIR": str(build_root)},
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_phase(process: subprocess.Popen, build_root: Path, phase: str):
    deadline = time.monotonic() + 300
    while not PHASES[phase] & {name for _, name in children_in(build_root)}:
        assert process.poll() is None, "the run ended before its " + phase
        assert time.monotonic() < deadline, "timed out waiting for the " + phase
        time.sleep(0.05)
    time.sleep(0.5)  # well into it


def assert_nothing_stored(out: Path):
    folder = out / EXPERIMENT
    assert not folder.is_dir() or not list(folder.iterdir()), list(folder.iterdir())


def assert_no_child_within(build_root: Path, seconds: float):
    deadline = time.monotonic() + seconds
    while children_in(build_root):
        assert time.monotonic() < deadline, children_in(build_root)
        time.sleep(0.05)


def interrupt(tmp_path, build_root, phase, target, signum) -> tuple[Path, str]:
    """Run, signal the run's process (``pid``) or its whole group (``group``) in `phase`,
    and check what every interruption must do; return the store and the output."""
    out, log = tmp_path / "results", tmp_path / "run.log"
    process = start_run(out, build_root, log)
    try:
        wait_for_phase(process, build_root, phase)
        sent = time.monotonic()
        (os.kill if target == "pid" else os.killpg)(process.pid, signum)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = log.read_text()
    assert process.returncode == 128 + signum, output
    assert time.monotonic() - sent < PROMPT_S, output
    name = signal.Signals(signum).name
    assert output.strip().splitlines()[-1] == (
        f"neurodev: interrupted by {name}; the unfinished run was not stored")
    assert "Brian 2 encountered an unexpected error" not in output
    assert_nothing_stored(out)
    assert_no_child_within(build_root, 5.0)
    return out, output


def assert_completes_like(tiny_run, out: Path, build_root: Path, tmp_path: Path):
    """The same command, run again, stores the uninterrupted run's metrics."""
    process = start_run(out, build_root, tmp_path / "again.log")
    assert process.wait(timeout=600) == 0, (tmp_path / "again.log").read_text()
    (run_dir,) = ResultStore(out).runs(EXPERIMENT)
    assert (run_dir / "metrics.json").read_text() == (tiny_run[1] / "metrics.json").read_text()


def cold_or_compiled(phase: str, tmp_path: Path, build_root: Path) -> Path:
    """A build root with nothing compiled for a compilation, the session's for a simulation."""
    return tmp_path / "builds" if phase == "compilation" else build_root


CASES = [
    ("compilation", "pid", signal.SIGINT),  # make used to swallow it
    ("simulation", "pid", signal.SIGINT),  # Brian2's main used to end early and "succeed"
    ("simulation", "group", signal.SIGINT),  # Ctrl-C in a terminal
    ("simulation", "pid", signal.SIGTERM),  # a cluster scheduler's stop
]
SLOW_CASES = [
    ("compilation", "group", signal.SIGINT),
    ("compilation", "pid", signal.SIGTERM),
    ("compilation", "group", signal.SIGTERM),
    ("simulation", "group", signal.SIGTERM),
]


@pytest.mark.parametrize(("phase", "target", "signum"), [
    *CASES, *(pytest.param(*case, marks=pytest.mark.slow) for case in SLOW_CASES)])
def test_interrupted_run_stores_nothing_and_leaves_no_process(tmp_path, build_root, tiny_run,
                                                              phase, target, signum):
    builds = cold_or_compiled(phase, tmp_path, build_root)
    out, _ = interrupt(tmp_path, builds, phase, target, signum)
    if (phase, target, signum) == CASES[1]:
        assert_completes_like(tiny_run, out, build_root, tmp_path)


@pytest.mark.slow
def test_interrupted_compilation_then_completes_in_the_same_build_directory(tmp_path, tiny_run):
    """What make and the compilers had written when they were killed does not spoil the
    next build."""
    builds = tmp_path / "builds"
    out, _ = interrupt(tmp_path, builds, "compilation", "pid", signal.SIGINT)
    assert_completes_like(tiny_run, out, builds, tmp_path)


@pytest.mark.parametrize("phase", ["compilation", "simulation"])
def test_killed_run_leaves_no_child_and_its_leftovers_can_be_removed(
        tmp_path, build_root, tiny_run, phase):
    builds = cold_or_compiled(phase, tmp_path, build_root)
    out = tmp_path / "results"
    process = start_run(out, builds, tmp_path / "run.log")
    wait_for_phase(process, builds, phase)
    process.kill()
    process.wait()
    assert_no_child_within(builds, 5.0)
    (leftover,) = (out / EXPERIMENT).iterdir()  # its temporary directory, unlocked now
    assert leftover.name.startswith(".")
    assert ResultStore(out).remove_abandoned(EXPERIMENT) == 1  # what the next run does first
    assert not leftover.exists()


def test_a_simulation_stopped_alone_is_not_a_result(tmp_path, build_root, tiny_run):
    """Brian2's compiled main ends its run early on SIGINT and exits normally."""
    out, log = tmp_path / "results", tmp_path / "run.log"
    process = start_run(out, build_root, log)
    wait_for_phase(process, build_root, "simulation")
    for pid, name in children_in(build_root):
        if name == "main":
            os.kill(pid, signal.SIGINT)
    assert process.wait(timeout=60) == 1
    last = log.read_text().strip().splitlines()[-1]
    assert last.startswith("neurodev: error: the simulation in ") and "stopped after" in last
    assert last.endswith("; nothing was stored")
    assert_nothing_stored(out)


def test_signals_raise_interrupted_once_and_handlers_are_restored():
    before = signal.getsignal(signal.SIGTERM)
    with stopping_on_signals():
        with pytest.raises(Interrupted) as raised:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGINT)  # a second one, during the cleanup: ignored
        time.sleep(0.1)
    assert raised.value.signum == signal.SIGTERM and exit_status(raised.value) == 143
    assert exit_status(KeyboardInterrupt()) == 130
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_signal_during_a_deferred_step_takes_effect_after_it():
    """The store creates and removes a run's temporary directory with signals deferred, so
    an interruption cannot leave it half made or half removed."""
    steps = []
    with pytest.raises(Interrupted), stopping_on_signals(), signals_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # a delivered signal would have raised by now
        steps.append("finished")
    assert steps == ["finished"]
