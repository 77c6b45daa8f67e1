"""The structural experiment: what does synapse turnover add to learning?

Four circuits share one retina, one feed-forward synapse pool and the waves: random and prior
wiring, each with structural plasticity off (its live synapses only) and on (``_rewired``:
elimination and formation from the pool, `neurodev.development.params.StructuralParams`).
All four see the very same input spikes, so on and off differ only by turnover. Reported per
circuit and checkpoint: selectivity, receptive-field size and the turnover log (live synapses,
formed, eliminated, persistent fraction); the run's ``structural.enabled`` is not used.
"""

from __future__ import annotations

from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.protocols.pipeline import Experiment
from neurodev.experiments.protocols.wiring import REWIRED, Wiring


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    """Random and prior, each with turnover off and on."""
    s, s23 = config.wiring.prior_strength, config.wiring.l23_prior_strength
    return {f"{label}{suffix}": Wiring(strength, l23, rewired)
            for label, strength, l23 in (("random", 0.0, 0.0), ("prior", s, s23))
            for suffix, rewired in (("", False), (REWIRED, True))}


EXPERIMENT = Experiment(
    "structural",
    "structural plasticity off vs on, both wirings: selectivity, RF size, synapse turnover",
    figure="structural", wirings=wirings)
