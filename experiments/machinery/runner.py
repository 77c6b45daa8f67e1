"""Run a named experiment, or any other writer of runs, into the result store."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import brian2
import numpy as np

from neurodev.experiments.config import ExperimentConfig, to_toml
from neurodev.experiments.machinery.registry import EXPERIMENTS
from neurodev.experiments.machinery.store import ResultStore, write_run
from neurodev.experiments.protocols import wave_recording

#: The packages and modules whose code determines a run's results; how runs are scheduled,
#: stored or drawn (machinery, CLI, figures) does not.
MODEL_CODE = ("neurodev.circuits", "neurodev.development", "neurodev.experiments.config",
              "neurodev.experiments.measures", "neurodev.experiments.protocols")


def version() -> str:
    """The installed package's version (for provenance)."""
    import neurodev

    return neurodev.__version__


def model_sources() -> dict[str, Path]:
    """Every source file of `MODEL_CODE`, by its name relative to the ``neurodev`` package."""
    sources = {}
    for name in MODEL_CODE:
        spec = importlib.util.find_spec(name)
        relative = name.removeprefix("neurodev.").replace(".", "/")
        if spec.submodule_search_locations:
            root = Path(next(iter(spec.submodule_search_locations)))
            sources |= {f"{relative}/{path.relative_to(root)}": path
                        for path in root.rglob("*.py")}
        else:
            sources[f"{relative}.py"] = Path(spec.origin)
    return sources


def code_fingerprint(sources: dict[str, Path]) -> str:
    """Hash of the names and contents of `sources`: changes with any change of the code."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@cache
def code_version() -> str:
    """The package version and the fingerprint of the model's code: part of every run key,
    so that a stored run is never reused after the code that made it changed (even a
    comment's change: a stale run reused would be worse than one run again)."""
    return f"{version()}+{code_fingerprint(model_sources())}"


def run_key(config: ExperimentConfig) -> str:
    """The key of `config`'s run under this code."""
    return config.key(code_version())


def default_build_root() -> Path:
    """Where compiled Brian2 projects are kept between runs: ``$NEURODEV_BUILD_DIR``, or a
    folder of this host in the user's cache (binaries are compiled for the host's CPU, and a
    cache in a home directory may be shared by a cluster's nodes)."""
    if "NEURODEV_BUILD_DIR" in os.environ:
        return Path(os.environ["NEURODEV_BUILD_DIR"])
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "neurodev" / "standalone" / platform.node()


def run_experiment(name: str, config: ExperimentConfig, out: Path, *, force: bool = False,
                   build_root: Path | None = None, log=print) -> Path:
    """Validate `config`, then run `name` with it unless its run key is already stored;
    return the run directory, which appears only once the run is complete."""
    EXPERIMENTS[name].validate(config)
    return store_run(name, config, ResultStore(out), force=force, build_root=build_root, log=log)


def store_run(name: str, config: ExperimentConfig, store: ResultStore, *, force: bool = False,
              build_root: Path | None = None, log=print) -> Path:
    """Run the named experiment with an already validated `config` into `store` unless its
    key is stored there (or `force`); return the run directory."""
    def produce():
        return EXPERIMENTS[name].run(config, build_root or default_build_root(), log)

    describe = f"(seed {config.seed}, {config.engine.device})"
    return store_results(name, run_key(config), config, store, produce, force=force, log=log,
                         describe=describe)


def record_waves(config: ExperimentConfig, duration_s: float, out: Path, *, force: bool = False,
                 log=print) -> Path:
    """Record ``config.waves.preset`` and ``wt`` for `duration_s` of real time into the store
    at `out` unless stored already (`wave_recording.run`); return the run directory."""
    duration_s = wave_recording.check_duration(duration_s)
    key = hashlib.sha256(f"{run_key(config)}:{duration_s!r}".encode()).hexdigest()[:16]
    return store_results(wave_recording.NAME, key, config, ResultStore(out),
                         lambda: wave_recording.run(config, duration_s, log), force=force, log=log)


def store_results(name: str, key: str, config: ExperimentConfig, store: ResultStore, produce,
                  *, force: bool = False, log=print, describe: str = "") -> Path:
    """Store what ``produce() -> (metrics, arrays, timings)`` returns as run `key` of `name`
    in `store`, with its config and provenance, unless the key is stored there (or `force`):
    the one way every writer (experiments, ``waves``, ``bench``) stores a run. The run
    directory appears only once complete; return it."""
    run_dir = store.run_dir(name, key)
    store.remove_abandoned(name)  # left by runs that were killed
    if not force and store.has(name, key):  # verified: a corrupt run stops here
        log(f"{name}: run {key} is already stored in {run_dir} (use --force to run it again)")
        return run_dir
    log(f"{name}: run {key} {describe}".rstrip())
    started, start = datetime.now(UTC), time.perf_counter()
    with store.writing(name, key) as staging:
        metrics, arrays, timings = produce()
        record = provenance(config, started, time.perf_counter() - start) | timings
        write_run(staging, to_toml(config), metrics, arrays, record)
    log(f"stored {run_dir} in {time.perf_counter() - start:.0f} s")
    return run_dir


def provenance(config: ExperimentConfig, started: datetime, wall_s: float) -> dict:
    return {
        "neurodev": version(), "code": code_version(), "brian2": brian2.__version__, "numpy": np.__version__,
        "python": sys.version.split()[0], "platform": platform.platform(),
        "host": platform.node(), "seed": config.seed, "git_commit": _git_commit(),
        "started_utc": started.isoformat(timespec="seconds"), "wall_time_s": round(wall_s, 1),
    }


def _git_commit() -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent,
                                capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()
