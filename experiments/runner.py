"""Run a named experiment into the result store and draw its figures."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import brian2
import numpy as np

from experiments.config import ExperimentConfig, to_toml
from experiments.registry import EXPERIMENTS
from experiments.store import ResultStore, write_run


def version() -> str:
    try:
        return importlib.metadata.version("neurodev")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


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
    """Run `name` with `config` unless its run key is already stored; return the run directory.

    The run directory appears only once the run is complete; figures are drawn into
    ``<out>/<name>/figures/`` from the stored files.
    """
    EXPERIMENTS[name].validate(config)
    store = ResultStore(out)
    run_dir = store_run(name, config, store, force=force, build_root=build_root, log=log)
    for make in EXPERIMENTS[name].figures:
        for path in make(run_dir, store.root / name / "figures"):
            log(f"figure: {path}")
    return run_dir


def store_run(name: str, config: ExperimentConfig, store: ResultStore, *, force: bool = False,
              build_root: Path | None = None, log=print) -> Path:
    """Run an already validated `config` into `store` unless its key is stored there (or
    `force`); return the run directory."""
    key = config.key(version())
    run_dir = store.run_dir(name, key)
    store.remove_abandoned(name)  # left by runs that were killed
    if not force and store.has(name, key):  # verified: a corrupt run stops here
        log(f"{name}: run {key} is already stored in {run_dir} (use --force to run it again)")
        return run_dir
    log(f"{name}: run {key} (seed {config.seed}, {config.engine.device})")
    started, start = datetime.now(UTC), time.perf_counter()
    with store.writing(name, key) as staging:
        metrics, arrays, timings = EXPERIMENTS[name].run(config, build_root or default_build_root(),
                                                         log)
        record = provenance(config, started, time.perf_counter() - start) | timings
        write_run(staging, to_toml(config), metrics, arrays, record)
    log(f"stored {run_dir} in {time.perf_counter() - start:.0f} s")
    return run_dir


def provenance(config: ExperimentConfig, started: datetime, wall_s: float) -> dict:
    return {
        "neurodev": version(), "brian2": brian2.__version__, "numpy": np.__version__,
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
