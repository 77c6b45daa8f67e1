"""The headline experiment: the same retina, the same waves and the same seed drive a randomly
wired circuit ("learning from scratch"), a map-structured one ("innate prior") and three
controls — the shuffled prior (each L4 cell's prior weights permuted among its own synapses:
the prior's weight distribution without its structure), nonlocal random wiring (the random
circuit's synapses and weights from anywhere on the retina: no retinotopic locality) and
frozen random wiring (no synaptic plasticity: what learning adds) — and their orientation
selectivity is measured before, during and after development."""

from __future__ import annotations

from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.protocols.pipeline import Experiment
from neurodev.experiments.protocols.wiring import Wiring


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    """Random, prior and the controls; rewired if structural plasticity is on (except the
    frozen control, whose synapses do not change)."""
    s, s23 = config.wiring.prior_strength, config.wiring.l23_prior_strength
    rewired = config.structural.enabled
    return {"random": Wiring(0.0, 0.0, rewired), "prior": Wiring(s, s23, rewired),
            "shuffled_prior": Wiring(s, s23, rewired, shuffled=True),
            "nonlocal_random": Wiring(0.0, 0.0, rewired, nonlocal_arbor=True),
            "frozen_random": Wiring(0.0, 0.0, False, frozen=True)}


EXPERIMENT = Experiment(
    "scratch-vs-prior",
    "random vs prior feed-forward wiring (and the shuffled-prior, nonlocal and frozen "
    "controls), same waves and seed; OSI at every checkpoint",
    figure="scratch_vs_prior", wirings=wirings)
