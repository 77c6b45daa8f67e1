"""Named experiments: what ``neurodev list`` shows and ``neurodev run NAME`` runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from experiments import map_statistics, scratch_vs_prior, structural
from figures import map_statistics as map_statistics_figure
from figures import scratch_vs_prior as scratch_vs_prior_figure
from figures import structural as structural_figure


@dataclass(frozen=True)
class Experiment:
    """A named experiment: ``validate(config)`` (raises `ConfigError` before any work),
    ``run(config, build_root, log) -> (metrics, arrays, timings)``, the figure functions
    ``make(run_dir, out_dir) -> paths`` that draw its stored runs, and
    ``metric_columns(config)``, the metric columns of its runs in a sweep table."""

    name: str
    summary: str
    validate: Callable
    run: Callable
    figures: tuple[Callable[[Path, Path], list[Path]], ...]
    metric_columns: Callable


EXPERIMENTS = {
    experiment.NAME: Experiment(experiment.NAME, experiment.SUMMARY, experiment.validate,
                                experiment.run, (figure.make,), experiment.metric_columns)
    for experiment, figure in ((scratch_vs_prior, scratch_vs_prior_figure),
                               (map_statistics, map_statistics_figure),
                               (structural, structural_figure))
}
