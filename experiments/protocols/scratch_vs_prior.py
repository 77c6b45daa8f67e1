"""The headline experiment: the same retina, the same waves and the same seed drive a randomly
wired circuit ("learning from scratch"), a map-structured one ("innate prior") and the
shuffled-prior control (each L4 cell's prior weights permuted among its own synapses: the
prior's weight distribution without its structure), and their orientation selectivity is
measured before, during and after development."""

from __future__ import annotations

from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.protocols.pipeline import Experiment
from neurodev.experiments.protocols.wiring import Wiring


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    """Random, prior and shuffled prior, rewired if structural plasticity is on."""
    s, rewired = config.wiring.prior_strength, config.structural.enabled
    return {"random": Wiring(0.0, 0.0, rewired), "prior": Wiring(s, s, rewired),
            "shuffled_prior": Wiring(s, s, rewired, shuffled=True)}


EXPERIMENT = Experiment(
    "scratch-vs-prior",
    "random vs prior feed-forward wiring (and the shuffled-prior control), same waves and "
    "seed; OSI at every checkpoint",
    figure="scratch_vs_prior", wirings=wirings)
