"""The rearing experiment: one development of retinal waves (stage II, then stage III), then
eye opening into `normal` vision, dark rearing (`dark`) or lid suture (`lid_suture`), each for
random, prior and shuffled-prior wiring and the frozen random control.

The three conditions are three stored runs of the same seed: everything up to eye opening
(circuits, waves, input spikes, learning) is the same in all three, so they differ only by
what the eyes see after it (tested). Measured at every checkpoint: selectivity by every
measure, half-width, weight-based OSI, receptive fields and L2/3 connection specificity.
"""

from __future__ import annotations

from neurodev.development.vision import EXPERIENCES
from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.protocols.pipeline import Experiment, needs_vision
from neurodev.experiments.protocols.wiring import Wiring


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    """Random, prior, shuffled prior and frozen random (none rewired)."""
    s, s23 = config.wiring.prior_strength, config.wiring.l23_prior_strength
    return {"random": Wiring(0.0, 0.0, False), "prior": Wiring(s, s23, False),
            "shuffled_prior": Wiring(s, s23, False, shuffled=True),
            "frozen_random": Wiring(0.0, 0.0, False, frozen=True)}


EXPERIMENT = Experiment(
    "rearing",
    "waves, then normal vision, dark rearing or lid suture; random, prior, shuffled prior "
    "and frozen random wiring",
    figure="scratch_vs_prior", wirings=wirings,
    grid=(("experience.kind", EXPERIENCES),),
    check=needs_vision("rearing", "conditions differ after eye opening only"))
