"""Brian2's ``cpp_standalone`` device as neurodev uses it, for the engine and the benchmark.

A project is built in a directory that is reused from run to run: Brian2 rewrites only the
files whose contents changed, and make recompiles only those. Two additions to Brian2's
makefile keep such a rebuild in place short (see `_FAST_REBUILD_RULES`), and the compiled
program records its own peak memory.

Children never outlive this process: make and its compilers run as a process group that a
watchdog kills if this process dies in any way (SIGKILL included), and is killed at once if
this process is interrupted; the simulation program dies with its parent (Linux's
parent-death signal). A program that stops before the end of its run (Brian2's compiled
``main`` ends a run early on SIGINT and exits normally) raises `SimulationIncomplete`.
"""

from __future__ import annotations

import fcntl
import gc
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

import brian2 as b2
import numpy as np

#: Added to Brian2's makefile: header dependencies come from the compiler as it compiles
#: (``-MMD``) instead of a separate pass over every source whenever one changes (3 s), and
#: the code that runs once or rarely — objects.cpp and main.cpp, which allocate, load and
#: save arrays, synapse creation and the checkpoint snapshots — compiles unoptimised
#: (objects.cpp: 2 s instead of 10 s) with the standard library's headers precompiled once
#: per build directory (each such file then compiles in about half the time: they are what
#: parsing costs). That is the code that changes whenever an array's length does (another
#: seed, another circuit); the simulation loop (the other code objects, network.cpp) keeps
#: Brian2's -O3.
_FAST_REBUILD_MAKEFILE = "neurodev.mk"
_PRECOMPILED_HEADER = "neurodev_std.h"
_FAST_REBUILD_FILES = {
    _FAST_REBUILD_MAKEFILE: """\
CXXFLAGS += -MMD -MP
RUN_ONCE = objects.o main.o %_synapses_create_array_codeobject.o \\
           %_synapses_create_generator_codeobject.o %_snapshots_codeobject.o
$(RUN_ONCE): CXXFLAGS += -O0 -include neurodev_std.h
$(OBJS): | neurodev_std.h.gch
neurodev_std.h.gch: neurodev_std.h makefile
\t$(CXX) $(CXXFLAGS) -O0 -x c++-header $< -o $@
make.deps: ; @: > $@
-include $(OBJS:.o=.d)
""",
    _PRECOMPILED_HEADER: "".join(f"#include <{name}>\n" for name in (
        "algorithm", "cmath", "ctime", "fstream", "iostream", "iterator", "limits", "map",
        "random", "string", "tuple", "vector")),
}

#: Written at the end of main.cpp: the process's peak resident memory (Linux), in kB.
_WRITE_PEAK_RSS = """
{
    std::ifstream status("/proc/self/status");
    std::ofstream peak((brian::results_dir + "peak_rss_kb").c_str());
    for (std::string line; std::getline(status, line);)
        if (line.compare(0, 6, "VmHWM:") == 0)
            peak << line.substr(6) << std::endl;
}
"""


#: Linking with -ffast-math makes the program flush subnormal numbers to zero (GCC and Clang
#: link ``crtfastmath.o``, which sets the FTZ and DAZ bits; Brian2 compiles with -ffast-math
#: but does not link with it). A decaying variable of a silent cell — a conductance or a
#: spike trace, ``x ← x − x·dt/τ`` — otherwise ends at the smallest subnormal number, which
#: that update rounds back to itself, and stays there for good: every later operation on it
#: takes a slow microcode path. That made the `quick` run 2.6 times slower; flushing changes
#: no spike (values below 1e-308 do not move a sum of normal numbers).
FLUSH_SUBNORMALS = ("-ffast-math",)

#: GCC vectorises a loop over arrays it cannot prove distinct only behind run-time checks
#: that they do not overlap, and gives up beyond 10 such checks (``__restrict`` on Brian2's
#: local pointers does not count for it): the cortex's state update, 9 arrays and 33 checks,
#: stayed scalar. Allowing more vectorised it (with AVX-512 here: the whole `quick` run
#: 31.3 s → 26.4 s, identical results). Other compilers take their defaults.
VECTORISE_WIDE_LOOPS = ("--param=vect-max-version-for-alias-checks=100",)


@cache
def _compiler_is_gcc() -> bool:
    """Whether make's C++ compiler (``$CXX``, else ``g++``) is GCC (Clang may answer to
    ``g++``, and takes no GCC ``--param``)."""
    try:
        version = subprocess.run([os.environ.get("CXX", "g++"), "--version"],
                                 capture_output=True, text=True, check=False).stdout
    except OSError:
        return False
    return "Free Software Foundation" in version and "clang" not in version.lower()


@contextmanager
def standalone_device(build_dir: Path, dt, threads: int = 1) -> Iterator[None]:
    """Select ``cpp_standalone`` building into `build_dir`, and restore the runtime device
    afterwards. One thread by default: on 2 cores two processes beat OpenMP (``neurodev
    bench`` measures it)."""
    # Objects of earlier runs still alive would make Brian2 rename this run's (and recompile).
    gc.collect()
    b2.set_device("cpp_standalone", directory=str(build_dir), build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads == 1 else threads
    b2.defaultclock.dt = dt
    for name, text in _FAST_REBUILD_FILES.items():
        path = build_dir / name
        if not path.exists() or path.read_text() != text:  # unchanged: keep make's timestamps
            path.write_text(text)
    make_args = b2.prefs.devices.cpp_standalone.extra_make_args_unix
    link_args = b2.prefs.codegen.cpp.extra_link_args
    compile_args = b2.prefs.codegen.cpp.extra_compile_args_gcc
    # One compiler per core (Brian2's plain -j starts one per source file at once).
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = [
        f"-j{os.cpu_count()}", "-f", "makefile", "-f", _FAST_REBUILD_MAKEFILE]
    b2.prefs.codegen.cpp.extra_link_args = [*link_args, *FLUSH_SUBNORMALS]
    if _compiler_is_gcc():
        b2.prefs.codegen.cpp.extra_compile_args_gcc = [*compile_args, *VECTORISE_WIDE_LOOPS]
    try:
        yield
    finally:
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = make_args
        b2.prefs.codegen.cpp.extra_link_args = link_args
        b2.prefs.codegen.cpp.extra_compile_args_gcc = compile_args
        b2.device.reinit()
        b2.device.activate()
        b2.set_device("runtime")


class SimulationIncomplete(RuntimeError):
    """The compiled simulation stopped before the end of its run: not a result."""


def build_and_run(build_dir: Path) -> dict[str, float | int | None]:
    """Generate, compile and run the project of the current network (after `Network.run`).

    Returns
    -------
    dict
        ``code_generation``, ``compilation`` and ``run`` wall times (s; Brian2's own timer
        for the run), and ``peak_rss_bytes`` of the simulation process (None if the system
        has no ``/proc``).

    Raises
    ------
    RuntimeError
        If compilation fails (with the end of make's output).
    SimulationIncomplete
        If the program ended its run early (e.g. it received SIGINT).
    """
    start = time.perf_counter()
    b2.device.insert_code("before_end", _WRITE_PEAK_RSS)
    b2.device.build(directory=str(build_dir), compile=False, run=False, with_output=True)
    compiled = time.perf_counter()
    _compile(build_dir)
    compilation = time.perf_counter() - compiled
    # While the program runs, its files do not change: a new slot may copy them meanwhile.
    marker = build_dir / _COMPILED
    marker.write_text(f"{os.getpid()} {time.time_ns()}")
    run_info = Path(b2.device.results_dir) / "last_run_info.txt"  # written by the program
    run_info.unlink(missing_ok=True)
    run_command = b2.prefs.devices.cpp_standalone.run_cmd_unix
    b2.prefs.devices.cpp_standalone.run_cmd_unix = [
        sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), "./main"]
    try:
        b2.device.run(str(build_dir), with_output=True)
    finally:
        b2.prefs.devices.cpp_standalone.run_cmd_unix = run_command
        marker.unlink(missing_ok=True)
    completed = float(run_info.read_text().split()[1]) if run_info.is_file() else 0.0
    if completed < 1:
        raise SimulationIncomplete(f"the simulation in {build_dir} stopped after "
                                   f"{100 * completed:.1f} % of its run")
    run = b2.device.timers["run_binary"]
    peak = (Path(b2.device.results_dir) / "peak_rss_kb").read_text().split()
    return {"code_generation": time.perf_counter() - start - compilation - run,
            "compilation": compilation, "run": run,
            "peak_rss_bytes": int(peak[0]) * 1024 if peak else None}


#: Runs a program that gets SIGKILL when its parent dies (Linux's PR_SET_PDEATHSIG = 1,
#: kept across exec): ``python -c … PARENT_PID PROGRAM ARGS…``. A parent already gone
#: before the signal was set is noticed by the parent's pid.
_DIE_WITH_PARENT = """\
import ctypes, os, signal, sys
parent, program, *args = sys.argv[1:]
if sys.platform.startswith("linux"):
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)
if os.getppid() != int(parent):
    sys.exit(1)
os.execv(program, [program, *args])
"""

#: Kills process group argv[1] when the pipe on its standard input closes without "done":
#: the kernel closes it when the process holding its other end dies, however it dies.
_WATCHDOG = """\
import os, sys
if sys.stdin.buffer.read() != b"done":
    try:
        os.killpg(int(sys.argv[1]), 9)
    except ProcessLookupError:
        pass
"""


#: In a build directory while make runs there; left behind by a compilation that was cut short.
_COMPILING = ".compiling"
#: What make writes: object files, their dependency lists, precompiled headers, the program.
_BUILD_OUTPUTS = frozenset({".o", ".d", ".gch"})


def _compile(build_dir: Path):
    """Run make as Brian2 would (its make command and arguments), as a guarded process group;
    its output goes to ``make.log``.

    Make cannot delete a half-written object file when it is killed, and would take it as up
    to date; so whatever make wrote during a compilation that did not finish is deleted first.
    """
    prefs = b2.prefs.devices.cpp_standalone
    marker, log = build_dir / _COMPILING, build_dir / "make.log"
    if marker.exists():
        _remove_outputs_since(build_dir, marker.stat().st_mtime)
    marker.touch()
    code = run_guarded([prefs.make_cmd_unix, *prefs.extra_make_args_unix], build_dir, log)
    if code == 0:
        marker.unlink()
    else:
        tail = log.read_text(errors="replace").strip().splitlines()[-20:]
        raise RuntimeError(f"compilation failed (make exit status {code}; see {log}):\n"
                           + "\n".join(tail))


def _remove_outputs_since(build_dir: Path, since: float):
    for path in build_dir.rglob("*"):
        if ((path.suffix in _BUILD_OUTPUTS or path.name == "main") and path.is_file()
                and path.stat().st_mtime >= since - 1):  # file systems round times
            path.unlink()


def run_guarded(command: list[str], cwd: Path, log_path: Path) -> int:
    """Run `command` in `cwd` as a process group of its own, writing its output to
    `log_path`, and return its exit status.

    The group is killed (SIGKILL) if the wait is interrupted (any exception, e.g. Ctrl-C),
    and by a watchdog process if this process dies without finishing the wait.
    """
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(process.pid)],
                                stdin=subprocess.PIPE, start_new_session=True)
    try:
        return process.wait()
    except BaseException:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    finally:
        watchdog.communicate(b"done")


def spike_deliveries(indices, spike_counts) -> int:
    """Synaptic events caused by spikes: each synapse counts once per spike of the cell at its
    end given by `indices` (presynaptic indices for deliveries, postsynaptic ones for
    postsynaptic plasticity updates); `spike_counts` per cell."""
    return int(np.bincount(indices, minlength=len(spike_counts)) @ spike_counts)


def run_copies_at_once(build_dir: Path, copies: int) -> float:
    """Run the program compiled in `build_dir` `copies` times at once, each writing its own
    results directory; return the wall time until the last finishes (s)."""
    start = time.perf_counter()
    processes = []
    for copy in range(copies):
        results = build_dir / f"results_copy{copy}"
        results.mkdir(exist_ok=True)
        processes.append(subprocess.Popen(
            [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), "./main",
             "--results_dir", f"{results}/"], cwd=build_dir, stdout=subprocess.DEVNULL))
    try:
        failed = [process.wait() != 0 for process in processes]
    except BaseException:  # interrupted: the copies go too
        for process in processes:
            process.kill()
        raise
    if any(failed):
        raise RuntimeError(f"the program in {build_dir} failed")
    return time.perf_counter() - start


#: The slot of each shape directory this process used last: a worker process returns to it,
#: so its runs rebuild in place the project it compiled before.
_last_slot: dict[Path, int] = {}
#: Processes left running in a build directory are killed, except a user's shell in it.
_SHELLS = frozenset({"sh", "dash", "bash", "zsh", "fish", "ksh", "csh", "tcsh"})
#: In a slot in use: its program is compiled and its files stay as they are until this goes.
_COMPILED = ".compiled"
#: How long a new slot waits for a sibling being compiled, to copy it (s), and how often
#: it looks.
SIBLING_WAIT_S, SIBLING_POLL_S = 900.0, 0.5


@contextmanager
def locked_slot(shape_dir: Path) -> Iterator[Path]:
    """A build directory under `shape_dir` that no other process uses meanwhile (an
    exclusive lock on ``slot-N/.lock``), so parallel workers never overwrite each other.

    The process gets the slot it used last if that is free. A process that held the slot
    and was killed may have left its compiler or simulation running there; they are stopped
    first. A slot never built starts as a copy of a built sibling — one that is free, or one
    whose program is running; if a sibling is being compiled, it waits for that rather than
    compiling the same code at the same time — so only one process per machine compiles a
    circuit shape from scratch, and the others rebuild in place.
    """
    shape_dir.mkdir(parents=True, exist_ok=True)
    for slot in itertools.chain([_last_slot.get(shape_dir, 0)], itertools.count()):
        build_dir = shape_dir / f"slot-{slot}"
        build_dir.mkdir(exist_ok=True)
        handle = _try_lock(build_dir)
        if handle is None:
            continue
        try:
            _stop_leftover_processes(build_dir)
            (build_dir / _COMPILED).unlink(missing_ok=True)  # left by a killed holder
            if not (build_dir / "main").exists():
                _copy_built_sibling(build_dir)
            _last_slot[shape_dir] = slot
            yield build_dir
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return


def _try_lock(build_dir: Path):
    """The open, exclusively locked ``.lock`` file of `build_dir`, or None if it is taken."""
    handle = open(build_dir / ".lock", "w")  # noqa: SIM115 (held by the caller)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _copy_built_sibling(build_dir: Path):
    """Copy a built sibling slot into `build_dir` (modification times kept, so make sees
    its objects as up to date): a free one, or one in use whose program is compiled. While a
    lower-numbered sibling is in use but not compiled yet, wait for it (up to
    `SIBLING_WAIT_S`; lower-numbered only, so two new slots never wait for each other).
    Nothing to copy: the caller compiles from scratch."""
    number = _slot_number(build_dir)
    deadline = time.monotonic() + SIBLING_WAIT_S
    while True:
        waiting = False
        for sibling in sorted(build_dir.parent.glob("slot-*"), key=_slot_number):
            if sibling == build_dir:
                continue
            handle = _try_lock(sibling)
            if handle is not None:
                with handle:
                    if (sibling / "main").exists():
                        _copy_slot(sibling, build_dir)
                        return
                continue
            token = _read(sibling / _COMPILED)
            if token is not None:
                _copy_slot(sibling, build_dir)
                if _read(sibling / _COMPILED) == token:  # unchanged throughout the copy
                    return
                _empty(build_dir)
                waiting = True
            elif _slot_number(sibling) < number:
                waiting = True  # being compiled, or about to be
        if not waiting or time.monotonic() > deadline:
            return
        time.sleep(SIBLING_POLL_S)


def _slot_number(build_dir: Path) -> int:
    return int(build_dir.name.removeprefix("slot-"))


def _empty(build_dir: Path):
    for path in build_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name != ".lock":
            path.unlink()


def _copy_slot(source: Path, build_dir: Path):
    shutil.copytree(source, build_dir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".lock", _COMPILED, "results*"))


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _stop_leftover_processes(build_dir: Path, timeout_s: float = 10.0):
    """Kill processes working in `build_dir` (Linux ``/proc``; elsewhere nothing is done) and
    wait until they are gone."""
    target = str(build_dir.resolve())
    leftovers = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (os.readlink(proc / "cwd") == target and int(proc.name) != os.getpid()
                    and (proc / "comm").read_text().strip() not in _SHELLS):
                os.kill(int(proc.name), signal.SIGKILL)
                leftovers.append(proc)
        except (OSError, ValueError):
            continue
    deadline = time.monotonic() + timeout_s
    while leftovers and time.monotonic() < deadline:
        leftovers = [p for p in leftovers if not _exited(p)]
        time.sleep(0.05)


def _exited(proc: Path) -> bool:
    """Whether every thread of the process has exited: its main thread alone can show as a
    zombie while the others still run (and hold its files)."""
    try:
        return all((task / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
                   for task in (proc / "task").iterdir())
    except (OSError, IndexError):
        return True
