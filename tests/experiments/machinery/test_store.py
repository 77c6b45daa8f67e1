import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurodev.experiments.machinery.store import (
    FILES,
    MANIFEST,
    WRITER_LOCK,
    CorruptRun,
    ResultStore,
    verify,
    write_run,
)


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
    assert not (tmp_path / "exp").exists()  # nor an empty experiment folder
    assert store.runs("exp") == []


def test_incomplete_run_is_refused(tmp_path):
    store = ResultStore(tmp_path)
    with pytest.raises(RuntimeError, match=r"missing arrays\.npz"), store.writing("exp", "k1") as staging:
        (staging / "config.toml").write_text("seed = 1\n")
        (staging / "metrics.json").write_text("{}")
        (staging / "provenance.json").write_text("{}")
    assert not (tmp_path / "exp").exists()  # nor an empty experiment folder


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
    killed_writer = ("import os, sys; from neurodev.experiments.machinery.store import ResultStore\n"
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
    assert sorted(p.name for p in staging.iterdir()) == sorted([*FILES, MANIFEST])


def test_metrics_are_strict_json_with_null_for_nan(tmp_path):
    store = ResultStore(tmp_path)
    with store.writing("exp", "k1") as staging:
        write_run(staging, "seed = 1\n", {"osi": [0.5, float("nan")], "n": np.int64(3),
                                          "gain": np.float32(np.inf)}, {}, {"seed": 1})
    text = (store.run_dir("exp", "k1") / "metrics.json").read_text()
    assert json.loads(text, parse_constant=lambda name: pytest.fail(f"not strict JSON: {name}"))
    assert json.loads(text) == {"osi": [0.5, None], "n": 3, "gain": None}
    metrics = store.load(store.run_dir("exp", "k1")).metrics
    assert metrics["osi"][0] == 0.5 and np.isnan(metrics["osi"][1]) and np.isnan(metrics["gain"])


def test_run_directories_follow_the_umask(tmp_path):
    store = ResultStore(tmp_path)
    previous = os.umask(0o027)
    try:
        with store.writing("exp", "k1") as staging:
            fill(staging)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(store.run_dir("exp", "k1").stat().st_mode) == 0o750


def corrupt(run_dir: Path, name: str, how: str):
    path = run_dir / name
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "garbage":
        path.write_bytes(b"\xff\xfe not what was stored \x00")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "edited":  # still valid, but not what was stored
        path.write_text(path.read_text().replace("1", "7", 1))
    else:
        path.unlink()


@pytest.mark.parametrize("name", [*FILES, MANIFEST])
@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "missing"])
def test_every_damaged_file_is_detected_with_one_line_naming_it(tmp_path, name, how):
    store = ResultStore(tmp_path)
    with store.writing("exp", "k1") as staging:
        fill(staging)
    run_dir = store.run_dir("exp", "k1")
    corrupt(run_dir, name, how)
    for check in (lambda: store.has("exp", "k1"), lambda: store.load(run_dir),
                  lambda: verify(run_dir)):
        with pytest.raises(CorruptRun) as raised:
            check()
        message = str(raised.value)
        assert "\n" not in message and name in message and "--force" in message


@pytest.mark.parametrize("name", ["config.toml", "metrics.json", "provenance.json"])
def test_an_edited_file_is_detected(tmp_path, name):
    store = ResultStore(tmp_path)
    with store.writing("exp", "k1") as staging:
        fill(staging)
    corrupt(store.run_dir("exp", "k1"), name, "edited")
    with pytest.raises(CorruptRun, match=f"{name} was changed or damaged"):
        store.load(store.run_dir("exp", "k1"))
