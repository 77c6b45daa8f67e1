import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from experiments.store import FILES, WRITER_LOCK, ResultStore, write_run


def fill(directory, value=1.0):
    write_run(directory, "seed = 1\n", {"x": value}, {"a": np.arange(3)}, {"seed": 1})


def test_complete_run_appears_with_all_files(tmp_path):
    store = ResultStore(tmp_path)
    with store.writing("exp", "k1") as staging:
        fill(staging)
        assert not store.has("exp", "k1")  # nothing visible until the block ends
    assert store.has("exp", "k1")
    run = store.load(store.run_dir("exp", "k1"))
    assert run.metrics == {"x": 1.0}
    np.testing.assert_array_equal(run.arrays["a"], np.arange(3))
    assert [p.name for p in store.runs("exp")] == ["k1"]


def test_failed_run_leaves_nothing(tmp_path):
    store = ResultStore(tmp_path)
    with pytest.raises(RuntimeError, match="simulation blew up"), store.writing("exp", "k1") as staging:
        fill(staging)
        raise RuntimeError("simulation blew up")
    assert not store.run_dir("exp", "k1").exists()
    assert list((tmp_path / "exp").iterdir()) == []
    assert store.runs("exp") == []


def test_incomplete_run_is_refused(tmp_path):
    store = ResultStore(tmp_path)
    with pytest.raises(RuntimeError, match=r"missing arrays\.npz"), store.writing("exp", "k1") as staging:
        (staging / "config.toml").write_text("seed = 1\n")
        (staging / "metrics.json").write_text("{}")
        (staging / "provenance.json").write_text("{}")
    assert list((tmp_path / "exp").iterdir()) == []


def test_rerun_replaces_only_when_complete(tmp_path):
    store = ResultStore(tmp_path)
    with store.writing("exp", "k1") as staging:
        fill(staging, 1.0)
    with pytest.raises(KeyboardInterrupt), store.writing("exp", "k1") as staging:
        raise KeyboardInterrupt
    assert json.loads((store.run_dir("exp", "k1") / "metrics.json").read_text()) == {"x": 1.0}
    with store.writing("exp", "k1") as staging:
        fill(staging, 2.0)
    assert json.loads((store.run_dir("exp", "k1") / "metrics.json").read_text()) == {"x": 2.0}
    assert [p.name for p in (tmp_path / "exp").iterdir()] == ["k1"]


def test_abandoned_temporary_directory_is_removed_not_one_being_written(tmp_path):
    store = ResultStore(tmp_path)
    killed_writer = ("import os, sys; from experiments.store import ResultStore\n"
                     "with ResultStore(sys.argv[1]).writing('exp', 'k1') as staging:\n"
                     "    (staging / 'config.toml').write_text('seed = 1')\n"
                     "    os._exit(1)  # as if killed: no clean-up runs\n")
    subprocess.run([sys.executable, "-c", killed_writer, str(tmp_path)], check=False)
    assert len(list((tmp_path / "exp").glob(".k1-*"))) == 1
    with store.writing("exp", "k2") as staging:
        assert store.remove_abandoned("exp") == 1
        assert staging.is_dir()  # its writer is alive
        fill(staging)
    assert store.has("exp", "k2") and not store.has("exp", "k1")
    assert [p.name for p in (tmp_path / "exp").iterdir()] == ["k2"]
    assert not (store.run_dir("exp", "k2") / ".writer.lock").exists()


def test_directory_of_a_writer_that_finished_after_the_listing_is_kept(tmp_path, monkeypatch):
    # The writer removes its lock just before publishing the directory; a remover that listed
    # the lock earlier must neither recreate it nor delete the finished run's files.
    store = ResultStore(tmp_path)
    staging = tmp_path / "exp" / ".k1-finishing"
    staging.mkdir(parents=True)
    fill(staging)
    monkeypatch.setattr(Path, "glob", lambda self, pattern: iter([staging / WRITER_LOCK]))
    assert store.remove_abandoned("exp") == 0
    assert sorted(p.name for p in staging.iterdir()) == sorted(FILES)
