"""The named experiments, by name: what ``neurodev list`` shows and ``neurodev run NAME`` runs."""

from __future__ import annotations

from neurodev.experiments.protocols import (
    map_statistics,
    prior_strength,
    rearing,
    scratch_vs_prior,
    structural,
    wave_perturbation,
)

EXPERIMENTS = {protocol.EXPERIMENT.name: protocol.EXPERIMENT
               for protocol in (scratch_vs_prior, map_statistics, structural, rearing,
                                 wave_perturbation, prior_strength)}
