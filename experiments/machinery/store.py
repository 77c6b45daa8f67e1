"""The result store: ``<root>/<experiment>/<run key>/`` with a run's config, metrics, arrays and
provenance, and a manifest of their checksums.

A run directory appears only when complete: everything is written into a hidden temporary
directory beside it, which is renamed in one step at the end (atomic on one file system) or
deleted if anything fails. A writer that is killed leaves its temporary directory behind,
unlocked; `ResultStore.remove_abandoned` deletes those. Arrays are ``.npz`` (no pickles);
``metrics.json`` is strict JSON, with ``null`` for a number that could not be measured (NaN:
e.g. the median OSI of a layer with no responsive cell), read back as NaN.

Every read verifies the run against its manifest (``manifest.json``: size and SHA-256 of each
file), so a truncated, damaged or edited run is never used: `CorruptRun` names the file.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import shutil
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurodev.experiments.machinery.interrupts import signals_deferred

FILES = ("config.toml", "metrics.json", "arrays.npz", "provenance.json")
MANIFEST = "manifest.json"
#: What to do about a corrupt run.
REMEDY = "run it again with --force, or delete the directory"
#: Held (flock) by the process writing a temporary run directory.
WRITER_LOCK = ".writer.lock"


class CorruptRun(ValueError):
    """A stored run that does not match its manifest or cannot be read; the message is one
    line naming the file and the remedy."""


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
        """Whether the run is stored; a stored run is verified first.

        Raises
        ------
        CorruptRun
            If the run directory exists but does not match its manifest.
        """
        run_dir = self.run_dir(experiment, key)
        if not run_dir.is_dir():
            return False
        verify(run_dir)
        return True

    @contextmanager
    def writing(self, experiment: str, key: str) -> Iterator[Path]:
        """Yield a temporary directory; on success it becomes the run directory.

        An existing run directory of the same key is replaced only once the new one is complete.
        """
        final = self.run_dir(experiment, key)
        created = [folder for folder in (final.parent, self.root) if not folder.exists()]
        staging = writer = None
        try:
            # A signal between creating the directory and locking it would leave it behind.
            with signals_deferred():
                final.parent.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final.parent))
                writer = open(staging / WRITER_LOCK, "w")  # noqa: SIM115 (held while writing)
                fcntl.flock(writer, fcntl.LOCK_EX)
            yield staging
            missing = [name for name in (*FILES, MANIFEST) if not (staging / name).is_file()]
            if missing:
                raise RuntimeError(f"run {key} is incomplete: missing {', '.join(missing)}")
            (staging / WRITER_LOCK).unlink()
            staging.chmod(0o777 & ~_umask())  # mkdtemp's 0700 is for while it is written
            if final.exists():
                retired = Path(tempfile.mkdtemp(prefix=f".{key}-old-", dir=final.parent))
                os.replace(final, retired / key)
                os.replace(staging, final)
                shutil.rmtree(retired)
            else:
                os.replace(staging, final)
        finally:
            with signals_deferred():  # a cleanup cut short would leave the directory
                if staging is not None and staging.exists():
                    shutil.rmtree(staging)
                if writer is not None:
                    writer.close()
                for folder in created:  # a failed first run leaves no empty store behind
                    with suppress(OSError):  # not empty: another run is in it
                        folder.rmdir()

    def remove_abandoned(self, experiment: str) -> int:
        """Delete temporary directories whose writer died (killed before it could clean up);
        return how many. A directory still being written is locked by its writer and kept."""
        removed = 0
        for lock_path in (directory / WRITER_LOCK for directory in self.temporary(experiment)):
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
        """Read a stored run, verified against its manifest; with ``arrays=False`` leave
        ``arrays`` empty.

        Raises
        ------
        CorruptRun
            If a file is missing, differs from the manifest or cannot be parsed.
        """
        path = Path(path)
        verify(path)
        data = {}
        try:
            if arrays:
                with np.load(path / "arrays.npz") as stored:
                    data = {name: stored[name] for name in stored.files}
            return StoredRun(path, tomllib.loads((path / "config.toml").read_text()),
                             _nan_for_null(json.loads((path / "metrics.json").read_text())),
                             data, json.loads((path / "provenance.json").read_text()))
        except (OSError, ValueError, zipfile.BadZipFile) as error:  # parsing errors included
            reason = (str(error).splitlines() or [type(error).__name__])[0]
            raise CorruptRun(f"{path} cannot be read ({reason}; {REMEDY})") from None

    def temporary(self, experiment: str) -> list[Path]:
        """Temporary directories of `experiment`: runs being written or abandoned."""
        return sorted(lock.parent for lock in (self.root / experiment).glob(f".*/{WRITER_LOCK}"))

    def runs(self, experiment: str) -> list[Path]:
        """Run directories of `experiment` (not verified: `load` does that), oldest first."""
        folder = self.root / experiment
        if not folder.is_dir():
            return []
        found = [p for p in folder.iterdir()
                 if p.is_dir() and not p.name.startswith(".") and p.name != "figures"]
        return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def write_run(directory: Path, config_toml: str, metrics: dict, arrays: dict, provenance: dict):
    """Write the four files of a run into `directory`, then their manifest."""
    (directory / "config.toml").write_text(config_toml)
    (directory / "metrics.json").write_text(
        json.dumps(_null_for_nan(metrics), indent=1, sort_keys=True, allow_nan=False))
    np.savez_compressed(directory / "arrays.npz", **arrays)
    (directory / "provenance.json").write_text(json.dumps(provenance, indent=1, sort_keys=True))
    (directory / MANIFEST).write_text(json.dumps(
        {name: _fingerprint(directory / name) for name in FILES}, indent=1, sort_keys=True))


def verify(run_dir: Path):
    """Check a stored run against its manifest: every file present, of the size and SHA-256
    the manifest records.

    Raises
    ------
    CorruptRun
        One line naming the run directory, the file and what is wrong.
    """
    try:
        manifest = json.loads((run_dir / MANIFEST).read_text())
        if not isinstance(manifest, dict) or set(manifest) != set(FILES):
            raise ValueError("it does not list the run's files")
    except FileNotFoundError:
        raise CorruptRun(f"{run_dir} is not a complete run: no {MANIFEST} ({REMEDY})") from None
    except (OSError, ValueError) as error:
        raise CorruptRun(f"{run_dir}/{MANIFEST} is damaged: {error} ({REMEDY})") from None
    for name in FILES:
        if not (run_dir / name).is_file():
            raise CorruptRun(f"{run_dir}/{name} is missing ({REMEDY})")
        if _fingerprint(run_dir / name) != manifest[name]:
            raise CorruptRun(f"{run_dir}/{name} was changed or damaged after it was stored: it "
                             f"does not match {MANIFEST} ({REMEDY})")


def _fingerprint(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _null_for_nan(value):
    """NaN and infinities become None (JSON null), NumPy scalars Python numbers."""
    if isinstance(value, dict):
        return {k: _null_for_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_null_for_nan(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _nan_for_null(value):
    if isinstance(value, dict):
        return {k: _nan_for_null(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_for_null(v) for v in value]
    return math.nan if value is None else value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
