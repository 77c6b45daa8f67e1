"""Named experiments: what ``neurodev list`` shows and ``neurodev run NAME`` runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from experiments import scratch_vs_prior
from figures import scratch_vs_prior as scratch_vs_prior_figure


@dataclass(frozen=True)
class Experiment:
    """A named experiment: ``validate(config)`` (raises `ConfigError` before any work),
    ``run(config, build_root, log) -> (metrics, arrays, timings)``, and the figure functions
    ``make(run_dir, out_dir) -> paths`` that draw its stored runs."""

    name: str
    summary: str
    validate: Callable
    run: Callable
    figures: tuple[Callable[[Path, Path], list[Path]], ...]


EXPERIMENTS = {
    scratch_vs_prior.NAME: Experiment(scratch_vs_prior.NAME, scratch_vs_prior.SUMMARY,
                                      scratch_vs_prior.validate, scratch_vs_prior.run,
                                      (scratch_vs_prior_figure.make,)),
}
