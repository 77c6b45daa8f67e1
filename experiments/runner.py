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
    """Where compiled Brian2 projects are kept between runs (``$NEURODEV_BUILD_DIR``)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return Path(os.environ.get("NEURODEV_BUILD_DIR", cache / "neurodev" / "standalone"))


def run_experiment(name: str, config: ExperimentConfig, out: Path, *, force: bool = False,
                   build_root: Path | None = None, log=print) -> Path:
    """Run `name` with `config` unless its run key is already stored; return the run directory.

    The run directory appears only once the run is complete; figures are drawn into
    ``<out>/<name>/figures/`` from the stored files.
    """
    experiment = EXPERIMENTS[name]
    experiment.validate(config)
    store = ResultStore(out)
    key = config.key(version())
    run_dir = store.run_dir(name, key)
    if store.has(name, key) and not force:
        log(f"{name}: run {key} is already stored in {run_dir} (use --force to run it again)")
    else:
        log(f"{name}: run {key} (seed {config.seed}, {config.engine.device})")
        started, start = datetime.now(UTC), time.perf_counter()
        with store.writing(name, key) as staging:
            metrics, arrays, timings = experiment.run(config, build_root or default_build_root(),
                                                      log)
            record = provenance(config, started, time.perf_counter() - start) | timings
            write_run(staging, to_toml(config), metrics, arrays, record)
        log(f"stored {run_dir} in {time.perf_counter() - start:.0f} s")
    for make in experiment.figures:
        for path in make(run_dir, store.root / name / "figures"):
            log(f"figure: {path}")
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
