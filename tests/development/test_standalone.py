import fcntl
import os
import subprocess
import threading
import time

import brian2 as b2

from neurodev.development import standalone
from neurodev.development.standalone import locked_slot


def build(slot, mtime=1e9):
    """Pretend a project was compiled in `slot` (objects with an old modification time)."""
    for name in ("main", "objects.o"):
        (slot / name).write_text(name)
    (slot / "results").mkdir(exist_ok=True)
    os.utime(slot / "objects.o", (mtime, mtime))


def test_a_new_slot_copies_a_running_sibling_and_the_process_returns_to_it(tmp_path):
    shape = tmp_path / "shape"
    with locked_slot(shape) as first:
        build(first)
        (first / ".compiled").write_text("running")  # its program runs: files are settled
        with locked_slot(shape) as second:
            assert second.name == "slot-1"
            assert (second / "main").read_text() == "main"
            assert (second / "objects.o").stat().st_mtime == 1e9  # make sees it up to date
            assert not (second / "results").exists() and not (second / ".compiled").exists()
    with locked_slot(shape) as again:  # the slot this process took last, free again
        assert again.name == "slot-1"


def test_a_new_slot_waits_for_a_lower_sibling_being_compiled(tmp_path, monkeypatch):
    monkeypatch.setattr(standalone, "SIBLING_POLL_S", 0.05)
    shape, held, done = tmp_path / "shape", threading.Event(), threading.Event()

    def compile_in_slot_0():
        with locked_slot(shape) as slot:
            held.set()
            time.sleep(1.0)  # compiling
            build(slot)
            (slot / ".compiled").write_text("running")
            done.wait(10)

    compiler = threading.Thread(target=compile_in_slot_0)
    compiler.start()
    held.wait(10)
    start = time.monotonic()
    with locked_slot(shape) as slot:
        waited = time.monotonic() - start
        assert slot.name == "slot-1" and (slot / "main").exists()
    done.set()
    compiler.join()
    assert waited >= 0.9  # it waited for the compiler instead of compiling too


def test_a_new_slot_does_not_wait_for_a_higher_one(tmp_path):
    shape = tmp_path / "shape"
    (shape / "slot-1").mkdir(parents=True)
    with open(shape / "slot-1" / ".lock", "w") as other:  # in use, not compiled: also new
        fcntl.flock(other, fcntl.LOCK_EX)
        start = time.monotonic()
        with locked_slot(shape) as slot:
            assert slot.name == "slot-0" and not (slot / "main").exists()
        assert time.monotonic() - start < 1.0


def test_processes_left_in_a_slot_are_stopped_but_not_a_shell(tmp_path):
    shape = tmp_path / "shape"
    with locked_slot(shape) as slot:
        pass
    simulation = subprocess.Popen(["sleep", "60"], cwd=slot)
    shell = subprocess.Popen(["sh", "-c", "while :; do sleep 1; done"], cwd=slot)
    time.sleep(0.2)
    try:
        with locked_slot(shape) as again:
            assert again == slot
            assert simulation.poll() is not None  # killed before the slot was handed out
            assert shell.poll() is None
    finally:
        for process in (simulation, shell):
            process.kill()
            process.wait()


def test_outputs_of_a_compilation_cut_short_are_removed_and_older_ones_kept(tmp_path):
    """Make, killed, cannot delete a half-written object; the next build must not trust it."""
    old, new = tmp_path / "old.o", tmp_path / "code_objects" / "half_written.o"
    new.parent.mkdir()
    for path in (old, new, tmp_path / "main", tmp_path / "source.cpp"):
        path.write_text("x")
    os.utime(old, (1e9, 1e9))  # written long before the compilation began
    standalone._remove_outputs_since(tmp_path, since=time.time() - 5)
    assert old.exists() and (tmp_path / "source.cpp").exists()
    assert not new.exists() and not (tmp_path / "main").exists()


def test_the_device_adds_gccs_wide_loop_flag_and_restores_brian2s_preferences(tmp_path,
                                                                               monkeypatch):
    for is_gcc in (True, False):
        monkeypatch.setattr(standalone, "_compiler_is_gcc", lambda is_gcc=is_gcc: is_gcc)
        before = list(b2.prefs.codegen.cpp.extra_compile_args_gcc)
        with standalone.standalone_device(tmp_path, 0.5 * b2.ms):
            added = b2.prefs.codegen.cpp.extra_compile_args_gcc[len(before):]
        assert added == (list(standalone.VECTORISE_WIDE_LOOPS) if is_gcc else [])
        assert b2.prefs.codegen.cpp.extra_compile_args_gcc == before
