"""The Python API, for notebooks and scripts: what the ``neurodev`` command does, as functions
that return stored runs. It is re-exported at the top of the package::

    import neurodev
    run = neurodev.run("scratch-vs-prior", preset="tiny")
    run.metrics["circuits"]["prior"]["median_osi"]   # one value per checkpoint

Input is validated as the command line validates it, before any work: a bad experiment,
preset, config key or value raises `ConfigError` with the command line's one-line message.
With the command line, this is the one place that joins experiments and their figures.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from neurodev.experiments.config import PRESETS, ConfigError, ExperimentConfig, from_dict
from neurodev.experiments.config import load as load_config
from neurodev.experiments.machinery import table as tables
from neurodev.experiments.machinery.registry import EXPERIMENTS
from neurodev.experiments.machinery.store import CorruptRun, ResultStore

__all__ = ["ConfigError", "CorruptRun", "Run", "list_experiments", "load", "run", "sweep", "table"]


def list_experiments() -> dict[str, str]:
    """The named experiments and what each does, by name (``neurodev list``).

    Examples
    --------
    >>> "scratch-vs-prior" in list_experiments()
    True
    """
    return {name: experiment.summary for name, experiment in sorted(EXPERIMENTS.items())}


class Run:
    """A stored run: its resolved config, metrics and provenance, its arrays (read when first
    used), and the paths of its figures.

    Attributes
    ----------
    path : Path
        ``<store>/<experiment>/<run key>``.
    experiment, key : str
    config : ExperimentConfig
        The resolved config the run was made with.
    metrics, provenance : dict
        ``metrics.json`` (NaN where a number could not be measured) and ``provenance.json``.
    figures : list of Path
        The figures drawn of it (PNG and PDF) in ``<store>/<experiment>/figures``.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.experiment, self.key = self.path.parent.name, self.path.name
        self._store = ResultStore(self.path.parent.parent)
        self._stored = self._store.load(self.path, arrays=False)
        self.metrics, self.provenance = self._stored.metrics, self._stored.provenance

    @cached_property
    def config(self) -> ExperimentConfig:
        return from_dict(self._stored.config, PRESETS["quick"])

    @cached_property
    def arrays(self) -> dict:
        """``arrays.npz`` as a dict of NumPy arrays, verified against the run's manifest."""
        return self._store.load(self.path).arrays

    @property
    def figures(self) -> list[Path]:
        folder = self.path.parent / "figures"
        return sorted(folder.glob(f"*{self.key}*")) if folder.is_dir() else []

    def records(self) -> list[dict]:
        """This run's rows of the table of stored runs (`table`)."""
        return tables.run_records(self._stored, self.experiment)

    def __repr__(self) -> str:
        return f"Run({self.experiment!r}, key={self.key!r}, seed={self._stored.config.get('seed')})"


def load(path) -> Run:
    """The stored run at `path` (``<store>/<experiment>/<run key>``), verified.

    Raises
    ------
    CorruptRun
        If a file of it is missing, damaged or edited.
    """
    return Run(path)


def table(out="results") -> list[dict]:
    """The table of every run stored under `out`, as records: one per run, circuit and
    checkpoint (`neurodev.experiments.machinery.table`); what ``neurodev table`` writes.

    Raises
    ------
    CorruptRun
        If a stored run fails verification (``neurodev verify`` lists them).
    """
    return tables.records(Path(out))


def run(name: str, preset: str = "quick", *, seed: int | None = None, seeds: int | None = None,
        overrides: Mapping | None = None, config: Path | None = None, out="results",
        workers: int | None = None, scheduler: str | None = None, force: bool = False,
        log=print) -> Run | list[Run]:
    """Run a named experiment and draw its figures, as ``neurodev run`` does.

    Parameters
    ----------
    name : str
        A named experiment (`experiments`).
    preset : str
        ``tiny``, ``quick`` or ``paper``.
    seed : int, optional
        The master seed of one run (default: the preset's, 1).
    seeds : int, optional
        Run seeds 1 … `seeds` in parallel and draw them together (mean ± SD over seeds).
    overrides : mapping, optional
        Config values by dotted key, e.g. ``{"wiring.prior_strength": 0.5}``.
    config : path, optional
        A TOML file of config overrides, applied before `overrides`.
    out : path
        The result store (default ``results``).
    workers, scheduler
        With `seeds` or an experiment of several conditions: local worker processes
        (default one per core) or the address of a Dask scheduler.
    force : bool
        Run again even if stored (one run only).
    log : callable
        Where progress goes (default `print`).

    Returns
    -------
    Run, or list of Run
        The stored run; for several seeds or conditions, every run of the study.

    Raises
    ------
    ConfigError
        For anything the command line refuses, before any work.
    """
    options = RunOptions(name, preset, seed, seeds, workers, scheduler, force, API_SPELLING,
                         frozenset(overrides or {}))
    experiment_config = load_config(preset, config, overrides or {}, seed)
    return run_runs(options, experiment_config, Path(out), log)


def sweep(file, *, out="results", workers: int | None = None, scheduler: str | None = None,
          large: bool = False, log=print):
    """Run every point of a sweep file not stored yet, as ``neurodev sweep`` does, then write
    its table and draw its summary figure.

    Returns
    -------
    SweepReport
        The outcome of every run it did, its failures, whether it was stopped, the files it
        wrote (``files``: the table, and the figure where any run is stored) and the runs
        still to do (``remaining``).

    Raises
    ------
    ConfigError
        For a bad sweep file, key or value, before any run.
    """
    from neurodev.experiments.machinery import sweep as sweeps
    from neurodev.experiments.machinery.runner import code_version

    out = Path(out)
    check_output(out, "out")
    plan = sweeps.load_sweep(Path(file), code_version(), allow_large=large)
    return sweep_and_draw(plan, out, workers, scheduler, log)


def sweep_and_draw(plan, out: Path, workers, scheduler, log=print):
    """Do a sweep's runs not stored yet, write its table, and draw its summary figure if
    any run is stored; its `SweepReport` with every file written."""
    from dataclasses import replace

    from neurodev.experiments.machinery import sweep as sweeps

    report = sweeps.run_sweep(plan, out, workers=workers, scheduler=scheduler, log=log)
    if report.remaining == len(plan.runs):
        return report
    from neurodev.figures import sweep as sweep_figure

    folder = plan.folder(out)
    try:
        drawn = sweep_figure.make(folder / "table.csv", [axis.keys for axis in plan.axes],
                                  plan.metrics, folder)
    except ConfigError as error:  # a metric name not in the table: the runs still count
        log(f"no summary figure: {error}")
        return report
    return replace(report, files=(*report.files, *drawn))


# --- Shared with the command line ----------------------------------------------------------

#: How an option is named in messages: on the command line, and in `run`'s arguments.
CLI_SPELLING = {"seed": "--seed", "seeds": "--seeds", "workers": "--workers",
                "scheduler": "--scheduler", "force": "--force", "set": "--set", "out": "--out"}
API_SPELLING = {"seed": "seed", "seeds": "seeds", "workers": "workers",
                "scheduler": "scheduler", "force": "force", "set": "overrides", "out": "out"}


@dataclass(frozen=True)
class RunOptions:
    """What a run request asks for beyond its config (which experiment, at which preset, with
    which seeds, where), the config keys it sets, and how its options are spelled in messages
    (`CLI_SPELLING` or `API_SPELLING`)."""

    name: str
    preset: str
    seed: int | None
    seeds: int | None
    workers: int | None
    scheduler: str | None
    force: bool
    spelling: Mapping[str, str]
    set_keys: frozenset = frozenset()

    def __post_init__(self):
        if self.name not in EXPERIMENTS:
            raise ConfigError(f"unknown experiment '{self.name}'; allowed: "
                              + ", ".join(sorted(EXPERIMENTS)))
        if self.preset not in PRESETS:
            raise ConfigError(f"unknown preset '{self.preset}'; allowed: " + ", ".join(PRESETS))


def run_runs(options: RunOptions, config: ExperimentConfig, out: Path, log=print) -> Run | list[Run]:
    """The run (or the study) `options` ask for, stored under `out`, with its figures."""
    from neurodev.experiments.machinery.runner import run_experiment

    check_output(out, options.spelling["out"])
    s = options.spelling
    if options.seeds is None and not EXPERIMENTS[options.name].grid:
        if options.workers is not None or options.scheduler is not None:
            raise ConfigError(f"{s['workers']} and {s['scheduler']} go with {s['seeds']} (or an "
                              "experiment of several conditions): a single run uses one process")
        run_dir = run_experiment(options.name, config, out, force=options.force, log=log)
        draw_figures(run_dir, out, options.name, log)
        return Run(run_dir)
    return _run_study(options, config, out, log)


def _run_study(options: RunOptions, config: ExperimentConfig, out: Path, log) -> list[Run]:
    """The runs of an experiment over its conditions and seeds, on the sweep executors,
    then every run's figure and the study's figure (mean ± SD over seeds)."""
    from neurodev.experiments.machinery import sweep as sweeps
    from neurodev.experiments.machinery.runner import code_version

    experiment, s = EXPERIMENTS[options.name], options.spelling
    if options.seeds is not None and (options.seeds < 1 or options.seed is not None):
        raise ConfigError(f"{s['seeds']} {options.seeds} is not allowed"
                          + (": a count n >= 1" if options.seeds < 1 else
                             f" with {s['seed']} {options.seed}: {s['seeds']} N runs seeds 1 … N"))
    if options.force:
        raise ConfigError(f"{s['force']} is not allowed with several runs: stored runs are kept "
                          "(remove them from the store to run them again)")
    for key, values in experiment.grid_at(options.preset):
        if key in options.set_keys:
            raise ConfigError(f"{s['set']} {key} is not allowed: '{options.name}' runs every "
                              f"{key} ({', '.join(map(str, values))})")
    seeds = tuple(range(1, options.seeds + 1)) if options.seeds else (config.seed,)
    plan = sweeps.experiment_study(options.name, options.preset, config, seeds, code_version())
    report = sweeps.run_sweep(plan, out, workers=options.workers, scheduler=options.scheduler,
                              log=log)
    if report.failures or report.stopped:
        raise StudyIncomplete(report)
    run_dirs = [out / options.name / run.key for run in plan.runs]
    for run_dir in run_dirs:
        draw_figures(run_dir, out, options.name, log)
    draw_study(run_dirs, out, options.name, plan.name, log)
    log(f"table: {plan.folder(out) / 'table.csv'}")
    return [Run(run_dir) for run_dir in run_dirs]


class StudyIncomplete(RuntimeError):
    """Some runs of a study failed, or it was stopped; `report` says which (the runs stored
    are kept: the same call does the rest)."""

    def __init__(self, report):
        self.report = report
        failed = ", ".join(report.failures)
        super().__init__(report.stopped or f"runs failed: {failed}")


def check_output(out: Path, option: str = "--out"):
    """Refuse an output location that cannot hold a result store, before any work: a file,
    or a directory (or the nearest existing parent of one to be made) that cannot be
    written to. The probe leaves nothing behind."""
    import tempfile

    if out.exists() and not out.is_dir():
        raise ConfigError(f"{option} {out} is a file, not a directory")
    existing = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise ConfigError(f"{option} {out}: {existing} is a file, not a directory")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise ConfigError(f"{option} {out}: cannot write in {existing} ({error.strerror})") from None


def figure_makers() -> dict:
    """The figure function ``make(run_dir, out_dir)`` of every experiment and of ``waves``."""
    from neurodev.experiments.protocols import wave_recording

    modules = {name: experiment.figure for name, experiment in EXPERIMENTS.items()}
    return {name: importlib.import_module(f"neurodev.figures.{module}").make
            for name, module in (modules | {wave_recording.NAME: "waves"}).items()}


def studies(store, experiment: str, run_dirs) -> dict[str, list[Path]]:
    """Stored runs of `experiment` that form a study (`sweep.study_name`: several runs whose
    configs differ only in the seed and the experiment's conditions), by study name."""
    from neurodev.experiments.machinery.sweep import study_name

    groups: dict[str, list[Path]] = {}
    for run_dir in run_dirs:
        config = store.load(run_dir, arrays=False).config
        groups.setdefault(study_name(experiment, config), []).append(run_dir)
    return {name: dirs for name, dirs in groups.items() if len(dirs) > 1}


def draw_study(run_dirs: list[Path], out: Path, name: str, study: str, log=print) -> list[Path]:
    """Draw the figures of a study's runs of `name` (several seeds and conditions together)
    into ``<out>/<name>/figures/``."""
    experiment = EXPERIMENTS[name]
    paths = []
    for module in experiment.study_figures:
        make = importlib.import_module(f"neurodev.figures.{module}").make
        paths += make(run_dirs, Path(out) / name / "figures", f"{study}_{module}",
                      [key for key, _ in experiment.grid])
    for path in paths:
        log(f"figure: {path}")
    return paths


def draw_figures(run_dir: Path, out: Path, name: str, log=print) -> list[Path]:
    """Draw the figures of a stored run of `name` into ``<out>/<name>/figures/``."""
    paths = figure_makers()[name](run_dir, Path(out) / name / "figures")
    for path in paths:
        log(f"figure: {path}")
    return paths
