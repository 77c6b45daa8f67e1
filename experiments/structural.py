"""The structural experiment: what does synapse turnover add to learning?

Four circuits share one retina, one feed-forward synapse pool and the waves: random and prior
wiring, each with structural plasticity off (its live synapses only) and on (``_rewired``:
elimination and formation from the pool, `development.models.StructuralParams`). All four
see the very same input spikes, so on and off differ only by turnover. Reported per circuit
and checkpoint: selectivity, receptive-field size and the turnover log (live synapses,
formed, eliminated, persistent fraction); the run's ``structural.enabled`` is not used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from experiments import scratch_vs_prior
from experiments.config import ExperimentConfig
from experiments.scratch_vs_prior import Wiring

NAME = "structural"
SUMMARY = "structural plasticity off vs on, both wirings: selectivity, RF size, synapse turnover"
REWIRED = "_rewired"

validate = scratch_vs_prior.validate


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    s = config.wiring.prior_strength
    return {f"{label}{suffix}": Wiring(strength, strength, rewired)
            for label, strength in (("random", 0.0), ("prior", s))
            for suffix, rewired in (("", False), (REWIRED, True))}


def metric_columns(config: ExperimentConfig) -> set[str]:
    return scratch_vs_prior.metric_columns(config, wirings(config))


def run(config: ExperimentConfig, build_root: Path, log: Callable[[str], None] = print):
    """Simulate the four circuits side by side; see `scratch_vs_prior.develop`."""
    return scratch_vs_prior.develop(config, wirings(config), build_root, log)[:3]
