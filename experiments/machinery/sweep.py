"""Parameter sweeps: a TOML file declares a grid over config keys × seeds; every point is one
stored run; the sweep ends in one tidy table.

A sweep file::

    experiment = "scratch-vs-prior"
    preset = "quick"
    seeds = 3                     # seeds 1, 2, 3; or a list, e.g. [1, 3, 7]
    zip = [["plasticity.a_plus", "plasticity.a_minus"]]   # optional: keys that vary together
    metrics = ["median_osi", "l23.median_osi"]            # optional: what the figure shows

    [base]                        # optional: fixed overrides, as in a config file
    gratings.n_trials = 4

    [grid]
    wiring.prior_strength = { linspace = [0.0, 1.0, 5] }  # or geomspace = [start, stop, num]
    waves.preset = ["wt", "b2ko"]
    plasticity.a_plus = [0.005, 0.01]
    plasticity.a_minus = [0.006, 0.012]

Runs are the product of the grid's axes (a ``zip`` group is one axis) and the seeds. Every run's
config is resolved and validated (including the experiment's own checks) when the file is
loaded, so a bad key or value stops the sweep before anything runs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from neurodev.experiments.config import PRESETS, ConfigError, ExperimentConfig, from_dict, nested
from neurodev.experiments.machinery.interrupts import exit_status, signal_name
from neurodev.experiments.machinery.registry import EXPERIMENTS
from neurodev.experiments.machinery.store import ResultStore
from neurodev.experiments.machinery.table import write_table

FILE_KEYS = ("experiment", "preset", "seeds", "zip", "metrics", "base", "grid")
RANGES = {"linspace": np.linspace, "geomspace": np.geomspace}
DEFAULT_METRICS = ("median_osi", "l23.median_osi")
#: Sweeps with more runs need an explicit ``--large``.
MAX_RUNS = 2000
#: Metric sections that describe the schedule or network size, not an outcome.
NOT_METRICS = ("development", "network")


@dataclass(frozen=True)
class Axis:
    """One dimension of the grid: a key, or a ``zip`` group of keys that step together."""

    keys: tuple[str, ...]
    steps: tuple[tuple, ...]

    @property
    def label(self) -> str:
        return " / ".join(self.keys)


@dataclass(frozen=True)
class Run:
    """One point of a sweep: the swept values, the seed, the resolved config and its run key."""

    settings: dict
    seed: int
    config: ExperimentConfig
    key: str

    def describe(self) -> str:
        return _describe(self.settings, self.seed)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file."""

    name: str
    experiment: str
    preset: str
    axes: tuple[Axis, ...]
    seeds: tuple[int, ...]
    metrics: tuple[str, ...]
    runs: tuple[Run, ...]

    def folder(self, out: Path) -> Path:
        """Where the sweep's table, figure and failure reports go."""
        return Path(out) / "sweeps" / self.name

    def stored(self, out: Path) -> list[bool]:
        """Whether each run is already complete in the store under `out`."""
        store = ResultStore(out)
        return [store.has(self.experiment, run.key) for run in self.runs]


def load_sweep(path: Path, version: str, allow_large: bool = False) -> Sweep:
    """Read, expand and validate a sweep file; every message is one line naming the file.

    A sweep of more than `MAX_RUNS` runs is refused unless `allow_large` (every run is
    validated here, which takes about 0.1 s per run at `quick`).

    Raises
    ------
    ConfigError
        For an unreadable file, an unknown or badly typed entry, an unknown metric, too
        many runs, or any run whose config the experiment would refuse.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read sweep file {path}: {error}") from None
    try:
        return _sweep(path.stem, data, version, allow_large)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def _sweep(name: str, data: dict, version: str, allow_large: bool) -> Sweep:
    unknown = sorted(set(data) - set(FILE_KEYS))
    if unknown:
        raise ConfigError(f"unknown entry '{unknown[0]}'; allowed: " + ", ".join(FILE_KEYS))
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ConfigError(f"sweep name '{name}' (the file's stem) must be letters, digits, '_', "
                          "'-' or '.'")
    experiment = _choice(data, "experiment", None, EXPERIMENTS)
    preset = _choice(data, "preset", "quick", PRESETS)
    base = _flat_keys(data.get("base", {}), "base")
    grid = _flat_keys(data.get("grid", {}), "grid")
    if "seed" in grid or "seed" in base:
        raise ConfigError("'seed' cannot be swept or fixed in a sweep: use 'seeds'")
    axes = _axes({key: _values(key, value) for key, value in grid.items()}, data.get("zip", []))
    seeds = _seeds(data.get("seeds", 1))
    base_config = from_dict(nested(base, "base"), PRESETS[preset])
    metrics = _metrics(data.get("metrics", list(DEFAULT_METRICS)),
                       EXPERIMENTS[experiment].metric_columns(base_config))
    n_runs = math.prod(len(axis.steps) for axis in axes) * len(seeds)
    if n_runs > MAX_RUNS and not allow_large:
        raise ConfigError(f"the sweep has {n_runs} runs, more than {MAX_RUNS}: check the grid, "
                          "or pass --large to validate and run them all")
    return build_sweep(name, experiment, preset, base_config, axes, seeds, metrics, version)


def build_sweep(name: str, experiment: str, preset: str, base: ExperimentConfig, axes, seeds,
                metrics, version: str) -> Sweep:
    """The sweep of `axes` × `seeds` over `base`, every run validated (`ConfigError`)."""
    runs = tuple(_run(experiment, base, axes, steps, seed, version)
                 for steps in itertools.product(*(axis.steps for axis in axes)) for seed in seeds)
    first = {}
    for run in runs:
        if run.key in first:
            raise ConfigError(f"runs {first[run.key].describe()} and {run.describe()} have the "
                              "same resolved config")
        first[run.key] = run
    return Sweep(name, experiment, preset, tuple(axes), tuple(seeds), tuple(metrics), runs)


def experiment_study(experiment: str, preset: str, base: ExperimentConfig, seeds,
                     version: str) -> Sweep:
    """The runs of a named experiment over its own conditions (`Experiment.grid`) and
    `seeds`: a sweep named by `study_name` (so another config is another study), every run
    validated (`ConfigError`)."""
    grid = EXPERIMENTS[experiment].grid_at(preset)
    axes = tuple(Axis((key,), tuple((value,) for value in values)) for key, values in grid)
    return build_sweep(study_name(experiment, base.to_dict()), experiment, preset, base, axes,
                       seeds, DEFAULT_METRICS, version)


def study_name(experiment: str, config: dict) -> str:
    """The name of the study a run's `config` (a config as a dict) belongs to: the
    experiment and a digest of the config without its seed and the experiment's conditions,
    so that the runs of one study share it, whichever seed and condition."""
    conditions = {key for key, _ in EXPERIMENTS[experiment].grid}
    shared = {section: {key: value for key, value in values.items()
                        if f"{section}.{key}" not in conditions}
              for section, values in config.items() if section != "seed"}
    digest = hashlib.sha256(json.dumps(shared, sort_keys=True).encode()).hexdigest()[:8]
    return f"{experiment}_{digest}"


def _choice(data: dict, key: str, default, allowed) -> str:
    value = data.get(key, default)
    if value not in allowed:
        raise ConfigError(f"{key} = {value!r} is not allowed: one of " + ", ".join(sorted(allowed)))
    return value


def _flat_keys(table, where: str) -> dict:
    """``{"wiring": {"prior_strength": v}}`` and ``{"wiring.prior_strength": v}`` alike, as
    ``{"wiring.prior_strength": v}``."""
    if not isinstance(table, dict):
        raise ConfigError(f"'{where}' must be a table of config keys, got {table!r}")
    flat = {}
    for name, value in table.items():
        if "." in name or not isinstance(value, dict):
            flat[name] = value
        else:
            flat |= {f"{name}.{key}": v for key, v in value.items()}
    return flat


def _values(key: str, spec) -> tuple:
    """A grid entry's values: a non-empty list, or ``{linspace|geomspace = [start, stop, num]}``."""
    if isinstance(spec, list):
        if not spec or len(set(map(repr, spec))) != len(spec):
            raise ConfigError(f"grid.{key} = {spec!r} is not allowed: a non-empty list of "
                              "distinct values")
        return tuple(spec)
    if isinstance(spec, dict) and len(spec) == 1:
        (kind, args), = spec.items()
        if kind in RANGES and _is_range(args) and (kind != "geomspace" or min(args[:2]) > 0):
            start, stop, num = args
            values = RANGES[kind](start, stop, num)
            if all(isinstance(a, int) for a in (start, stop)) and np.all(values == np.round(values)):
                return tuple(int(v) for v in np.round(values))
            return tuple(float(f"{v:.12g}") for v in values)
    raise ConfigError(f"grid.{key} = {spec!r} is not allowed: a list of values, or "
                      "{ linspace = [start, stop, num] } or { geomspace = [start, stop, num] } "
                      "with num >= 1 (geomspace: start and stop > 0)")


def _is_range(args) -> bool:
    if not (isinstance(args, list) and len(args) == 3):
        return False
    start, stop, num = args
    numbers = all(isinstance(a, int | float) and not isinstance(a, bool) and math.isfinite(a)
                  for a in (start, stop))
    return numbers and isinstance(num, int) and not isinstance(num, bool) and num >= 1


def _axes(values: dict[str, tuple], groups) -> tuple[Axis, ...]:
    """One axis per key, except that each ``zip`` group of keys becomes one axis."""
    if not isinstance(groups, list) or not all(isinstance(g, list) and len(g) >= 2
                                               for g in groups):
        raise ConfigError(f"zip = {groups!r} is not allowed: a list of lists of two or more "
                          "grid keys")
    zipped = [key for group in groups for key in group]
    for key in zipped:
        if key not in values:
            raise ConfigError(f"zip names '{key}', which is not a key in [grid]")
        if zipped.count(key) > 1:
            raise ConfigError(f"zip names '{key}' more than once")
    axes = []
    for group in groups:
        lengths = {len(values[key]) for key in group}
        if len(lengths) > 1:
            raise ConfigError(f"zip group {group} has keys with different numbers of values: "
                              + ", ".join(f"{key}: {len(values[key])}" for key in group))
        axes.append(Axis(tuple(group), tuple(zip(*(values[key] for key in group), strict=True))))
    axes += [Axis((key,), tuple((value,) for value in steps))
             for key, steps in values.items() if key not in zipped]
    return tuple(axes)


def _seeds(spec) -> tuple[int, ...]:
    if isinstance(spec, int) and not isinstance(spec, bool) and spec >= 1:
        return tuple(range(1, spec + 1))
    if (isinstance(spec, list) and spec and len(set(spec)) == len(spec)
            and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in spec)):
        return tuple(spec)
    raise ConfigError(f"seeds = {spec!r} is not allowed: a count n >= 1 (seeds 1 … n) or a "
                      "list of distinct seeds >= 0")


def _metrics(spec, columns: set[str]) -> tuple[str, ...]:
    """The metrics a sweep's figure shows: each a metric column, or a circuit's metric
    without its label (``median_osi`` for ``random.median_osi`` and ``prior.median_osi``)."""
    if not (isinstance(spec, list) and spec and all(isinstance(m, str) and m for m in spec)):
        raise ConfigError(f"metrics = {spec!r} is not allowed: a non-empty list of metric "
                          "names, e.g. [\"median_osi\", \"l23.median_osi\"]")
    per_circuit = {rest for column in columns if (rest := column.partition(".")[2])}
    for metric in spec:
        if metric not in columns and metric not in per_circuit:
            raise ConfigError(f"metrics: '{metric}' is not a metric of this experiment; "
                              "allowed: " + ", ".join(sorted(per_circuit | columns)))
    return tuple(spec)


def _run(experiment: str, base: ExperimentConfig, axes, steps, seed: int, version: str) -> Run:
    settings = {key: value for axis, step in zip(axes, steps, strict=True)
                for key, value in zip(axis.keys, step, strict=True)}
    try:
        config = from_dict(nested(settings | {"seed": seed}, "grid"), base)
        EXPERIMENTS[experiment].validate(config)
    except ConfigError as error:
        raise ConfigError(f"run {_describe(settings, seed)}: {error}") from None
    return Run(settings, seed, config, config.key(version))


def _describe(settings: dict, seed: int) -> str:
    return " ".join([*(f"{k}={v}" for k, v in settings.items()), f"seed={seed}"])


# --- The table -----------------------------------------------------------------------------

def metric_columns(metrics: dict) -> dict[str, float]:
    """A run's metrics as flat columns: every per-circuit series at its final checkpoint.

    ``metrics["circuits"][label][name]`` becomes ``label.name``, and an entry of another
    section keyed by a circuit label, ``metrics[section][label][name]``, becomes
    ``label.section.name``; series (lists) give their last value. Other scalars keep their
    dotted path; other lists (samples, not series) and the `NOT_METRICS` sections are left out.

    Examples
    --------
    >>> metric_columns({"circuits": {"prior": {"median_osi": [0.1, 0.3]}},
    ...                 "maps": {"prior": {"density": [2.0, 3.1]}, "sheet": {"density": 3.2}}})
    {'prior.median_osi': 0.3, 'prior.maps.density': 3.1, 'maps.sheet.density': 3.2}
    """
    labels = set(metrics.get("circuits", {}))
    columns = {}
    for section, content in metrics.items():
        if section in NOT_METRICS:
            continue
        if section == "circuits":
            for label, values in content.items():
                columns |= _leaves(values, label, series=True)
        elif isinstance(content, dict):
            for name, values in content.items():
                if name in labels:
                    columns |= _leaves(values, f"{name}.{section}", series=True)
                else:
                    columns |= _leaves({name: values}, section, series=False)
        else:
            columns |= _leaves({section: content}, "", series=False)
    return columns


def _leaves(values, prefix: str, series: bool) -> dict:
    if isinstance(values, dict):
        return {name: value for key, inner in values.items()
                for name, value in _leaves(inner, f"{prefix}.{key}" if prefix else key,
                                           series).items()}
    if isinstance(values, list):
        return {prefix: float(values[-1]) if values else math.nan} if series else {}
    return {prefix: values}


def table_rows(sweep: Sweep, out: Path, failures: dict[str, str]) -> list[dict]:
    """One row per run: key, status (done, failed or missing), error, seed, swept keys, wall
    time, metric columns, then every other config key."""
    store = ResultStore(out)
    rows = []
    for run in sweep.runs:
        row = {"run_key": run.key, "status": "missing", "error": "", "seed": run.seed,
               **run.settings, "wall_time_s": ""}
        run_dir = store.run_dir(sweep.experiment, run.key)
        if run_dir.is_dir():  # verified by load, once
            saved = store.load(run_dir, arrays=False)
            row |= {"status": "done", "wall_time_s": saved.provenance["wall_time_s"]}
            row |= metric_columns(saved.metrics)
        elif run.key in failures:
            row |= {"status": "failed", "error": failures[run.key]}
        config = _flat_keys(run.config.to_dict(), "config")
        rows.append(row | {k: v for k, v in config.items() if k not in row})
    return rows


# --- Running a sweep -----------------------------------------------------------------------

@dataclass(frozen=True)
class SweepReport:
    """What one invocation of a sweep did: outcomes of the runs it did (by key), how many were
    stored before, why it stopped early (``"interrupted by SIGINT"``, or the executor lost;
    empty if it did not) and the command's exit status for that, the table it wrote, and how
    many runs are still to do."""

    outcomes: dict
    stored_before: int
    stopped: str
    stopped_status: int = 0
    files: tuple[Path, ...] = ()
    #: Runs of the sweep not stored when it ended (failed or not done).
    remaining: int = 0

    @property
    def failures(self) -> dict[str, str]:
        return {key: o.error for key, o in self.outcomes.items() if o.status == "failed"}


def run_sweep(sweep: Sweep, out: Path, *, workers: int | None = None,
              scheduler: str | None = None, build_root: Path | None = None,
              log=print) -> SweepReport:
    """Do the sweep's runs that are not stored yet, then write its table.

    Runs go to local worker processes (`workers`, default: one per core) or, given a
    `scheduler` address, to a Dask cluster (connected before anything else: `ConfigError`
    if it cannot be). Ctrl-C stops the workers; finished runs stay stored, unfinished ones
    leave nothing, and running the sweep again does the rest.
    """
    from neurodev.experiments.machinery.executors import DaskCluster, LocalWorkers, Task

    out = Path(out)
    folder = sweep.folder(out)
    executor = (DaskCluster(scheduler) if scheduler else
                LocalWorkers((os.cpu_count() or 1) if workers is None else workers,
                             folder / "logs"))
    try:
        ResultStore(out).remove_abandoned(sweep.experiment)
        todo = [Task(sweep.experiment, run.config, run.key, str(out),
                     None if build_root is None else str(build_root))
                for run, stored in zip(sweep.runs, sweep.stored(out), strict=True) if not stored]
        log(f"sweep {sweep.name}: {len(sweep.runs)} runs of {sweep.experiment} ({sweep.preset}), "
            f"{len(sweep.runs) - len(todo)} already stored, {len(todo)} to run on "
            f"{executor.describe()}")
        outcomes, stopped, status = _collect(executor.outcomes(todo), sweep, folder, len(todo))
    finally:
        executor.close()
    report = SweepReport(outcomes, len(sweep.runs) - len(todo), stopped, status)
    rows = table_rows(sweep, out, report.failures)
    return replace(report, files=(write_table(rows, folder / "table.csv"),),
                   remaining=sum(row["status"] != "done" for row in rows))


def _collect(outcomes, sweep: Sweep, folder: Path, total: int) -> tuple[dict, str, int]:
    """Outcomes by run key as they arrive, with progress, why they stopped early (Ctrl-C or
    SIGTERM, or the executor lost; empty if they did not) and the exit status for that."""
    from neurodev.experiments.machinery.executors import ExecutorLost

    by_key = {run.key: run for run in sweep.runs}
    collected, progress = {}, _Progress(total)
    try:
        for outcome in outcomes:
            collected[outcome.key] = outcome
            if outcome.status == "failed":
                _report_failure(folder, by_key[outcome.key], outcome, progress.write)
            progress.update(outcome.status)
    except KeyboardInterrupt as interruption:
        outcomes.close()
        return collected, f"interrupted by {signal_name(interruption)}", exit_status(interruption)
    except ExecutorLost as error:
        return collected, str(error), 1
    finally:
        progress.close()
    return collected, "", 0


def _report_failure(folder: Path, run: Run, outcome, write):
    path = folder / "failed" / f"{run.key}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{run.describe()}\nworker: {outcome.worker}\n{outcome.error}\n\n"
                    f"{outcome.traceback}")
    write(f"failed: {run.describe()}: {outcome.error} (details: {path})")


class _Progress:
    """Runs done / failed / remaining and the time left, on one line (tqdm)."""

    def __init__(self, total: int):
        # A widget in a notebook, text in a terminal; tqdm.auto alone would warn in a notebook
        # without ipywidgets, where the text bar serves as well.
        if importlib.util.find_spec("ipywidgets") is None:
            from tqdm import tqdm
        else:
            from tqdm.auto import tqdm

        self.done = self.failed = 0
        self.bar = tqdm(total=total, unit="run", dynamic_ncols=True,
                        bar_format="{desc} {percentage:3.0f}%|{bar}| "
                        "{elapsed} elapsed, {remaining} left")
        self._show()

    def update(self, status: str):
        self.done += status == "done"
        self.failed += status != "done"
        self._show()
        self.bar.update(1)

    def _show(self):
        remaining = self.bar.total - self.done - self.failed
        self.bar.set_description_str(f"{self.done} done, {self.failed} failed, {remaining} "
                                     "remaining", refresh=False)

    def write(self, message: str):
        self.bar.write(message)

    def close(self):
        self.bar.close()


def compile_times(outcomes: dict) -> dict[str, tuple[float, list[float]]]:
    """Per worker: compile time of its first run and of its later runs (s), in the order its
    runs finished."""
    per_worker: dict[str, list[float]] = {}
    for outcome in outcomes.values():
        if outcome.compile_s is not None:
            per_worker.setdefault(outcome.worker, []).append(outcome.compile_s)
    return {worker: (times[0], times[1:]) for worker, times in per_worker.items()}
