"""The wave-perturbation experiment: stage II as in the wild type (``wt``), as in β2-nAChR
knockouts (``b2ko``), replaced by uncorrelated activity of the same mean rate
(``uncorrelated``) or by none (``silent``); then the same stage-III waves and normal vision
for all; for random and prior wiring and the frozen random control.

The four conditions are four stored runs of the same seed: the circuits, the stage-III waves
(their own seed stream), the gratings and the visual scenes are the same in all of them, so
they differ by what stage II was (tested). Measured at every checkpoint, and reported at eye
opening and after vision: selectivity by every measure, receptive-field size, retinotopic
scatter, direction decoding and DSI.
"""

from __future__ import annotations

from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.protocols.pipeline import Experiment, needs_vision
from neurodev.experiments.protocols.wiring import Wiring

#: Stage II of each condition, as `waves.preset` names it.
STAGE_TWO = ("wt", "b2ko", "uncorrelated", "silent")


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    """Random, prior and frozen random (none rewired)."""
    s, s23 = config.wiring.prior_strength, config.wiring.l23_prior_strength
    return {"random": Wiring(0.0, 0.0, False), "prior": Wiring(s, s23, False),
            "frozen_random": Wiring(0.0, 0.0, False, frozen=True)}


EXPERIMENT = Experiment(
    "wave-perturbation",
    "stage II as wt, β2-KO, uncorrelated or silent, then the same stage III and vision; "
    "random, prior and frozen random wiring",
    figure="scratch_vs_prior", wirings=wirings, grid=(("waves.preset", STAGE_TWO),),
    check=needs_vision("wave-perturbation", "it is measured after vision too"),
    study_figures=("seeds", "perturbation"))
