import os
import subprocess
import time

from development.standalone import locked_slot


def test_a_process_returns_to_its_slot_and_a_new_slot_starts_as_a_built_copy(tmp_path):
    shape = tmp_path / "shape"
    with locked_slot(shape) as first:
        for name in ("main", "objects.o"):
            (first / name).write_text(name)
        (first / "results").mkdir()
        os.utime(first / "objects.o", (1e9, 1e9))
        with locked_slot(shape) as second:  # the first is taken, and cannot be copied while used
            assert second.name == "slot-1" and not (second / "main").exists()
    with locked_slot(shape) as again:  # the slot this process took last, free again
        assert again.name == "slot-1"
        assert (again / "main").read_text() == "main"  # copied from slot-0, which is built
        assert (again / "objects.o").stat().st_mtime == 1e9  # so make sees it up to date
        assert not (again / "results").exists()


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
