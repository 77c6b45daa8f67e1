"""The result store: ``<root>/<experiment>/<run key>/`` with a run's config, metrics, arrays and
provenance.

A run directory appears only when complete: everything is written into a hidden temporary
directory beside it, which is renamed in one step at the end (atomic on one file system) or
deleted if anything fails. A writer that is killed leaves its temporary directory behind,
unlocked; `ResultStore.remove_abandoned` deletes those. Arrays are ``.npz`` (no pickles).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILES = ("config.toml", "metrics.json", "arrays.npz", "provenance.json")
#: Held (flock) by the process writing a temporary run directory.
WRITER_LOCK = ".writer.lock"


@dataclass(frozen=True)
class StoredRun:
    """A complete run read back from the store."""

    path: Path
    config: dict
    metrics: dict
    arrays: dict
    provenance: dict


class ResultStore:
    """Runs of every experiment under one root directory."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def run_dir(self, experiment: str, key: str) -> Path:
        return self.root / experiment / key

    def has(self, experiment: str, key: str) -> bool:
        return all((self.run_dir(experiment, key) / name).is_file() for name in FILES)

    @contextmanager
    def writing(self, experiment: str, key: str) -> Iterator[Path]:
        """Yield a temporary directory; on success it becomes the run directory.

        An existing run directory of the same key is replaced only once the new one is complete.
        """
        final = self.run_dir(experiment, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final.parent))
        writer = open(staging / WRITER_LOCK, "w")  # noqa: SIM115 (held while writing)
        fcntl.flock(writer, fcntl.LOCK_EX)
        try:
            yield staging
            missing = [name for name in FILES if not (staging / name).is_file()]
            if missing:
                raise RuntimeError(f"run {key} is incomplete: missing {', '.join(missing)}")
            (staging / WRITER_LOCK).unlink()
            if final.exists():
                retired = Path(tempfile.mkdtemp(prefix=f".{key}-old-", dir=final.parent))
                os.replace(final, retired / key)
                os.replace(staging, final)
                shutil.rmtree(retired)
            else:
                os.replace(staging, final)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
            writer.close()

    def remove_abandoned(self, experiment: str) -> int:
        """Delete temporary directories whose writer died (killed before it could clean up);
        return how many. A directory still being written is locked by its writer and kept."""
        folder = self.root / experiment
        removed = 0
        for lock_path in folder.glob(f".*/{WRITER_LOCK}") if folder.is_dir() else ():
            try:  # not "a": that would give a just finished writer's directory a new lock
                lock = open(lock_path)  # noqa: SIM115 (held while removing)
            except FileNotFoundError:  # its writer finished after the listing
                continue
            with lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                if lock_path.exists():  # else its writer finished after our open()
                    shutil.rmtree(lock_path.parent)
                    removed += 1
        return removed

    def load(self, path: Path, arrays: bool = True) -> StoredRun:
        """Read a stored run; with ``arrays=False`` leave ``arrays`` empty (fast)."""
        path = Path(path)
        data = {}
        if arrays:
            with np.load(path / "arrays.npz") as stored:
                data = {name: stored[name] for name in stored.files}
        return StoredRun(path, tomllib.loads((path / "config.toml").read_text()),
                         json.loads((path / "metrics.json").read_text()), data,
                         json.loads((path / "provenance.json").read_text()))

    def runs(self, experiment: str) -> list[Path]:
        """Complete run directories of `experiment`, oldest first."""
        folder = self.root / experiment
        if not folder.is_dir():
            return []
        found = [p for p in folder.iterdir()
                 if not p.name.startswith(".") and all((p / n).is_file() for n in FILES)]
        return sorted(found, key=lambda p: (p / "metrics.json").stat().st_mtime)


def write_run(directory: Path, config_toml: str, metrics: dict, arrays: dict, provenance: dict):
    """Write the four files of a run into `directory`."""
    (directory / "config.toml").write_text(config_toml)
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=1, sort_keys=True))
    np.savez_compressed(directory / "arrays.npz", **arrays)
    (directory / "provenance.json").write_text(json.dumps(provenance, indent=1, sort_keys=True))
