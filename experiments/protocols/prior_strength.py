"""The prior-strength study: a phase diagram of how strong an innate prior must be, and how
correlated the waves, for selectivity at eye opening and for how soon it is reached.

One circuit per run, wired with the run's L4 feed-forward prior strength
(``wiring.prior_strength``) and L4 → L2/3 like-to-like specificity
(``wiring.l23_prior_strength``), developed with stage-II waves of the run's
``waves.correlation`` (1: ``wt``; 0: ``uncorrelated``, the same mean rates) and then the
same stage III and vision. At prior strength 0 the circuit is the random wiring of
``scratch-vs-prior``. The grid is the product of the three; L4 does not depend on the L2/3
strength (L2/3 does not project back), L2/3 depends on both.
"""

from __future__ import annotations

from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.protocols.pipeline import Experiment, needs_vision
from neurodev.experiments.protocols.wiring import Wiring

LEVELS = (0.0, 0.5, 1.0)


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    """The prior at the run's strengths (random wiring where both are 0)."""
    return {"prior": Wiring(config.wiring.prior_strength, config.wiring.l23_prior_strength,
                            False)}


def _grid(levels):
    return (("wiring.prior_strength", levels), ("wiring.l23_prior_strength", levels),
            ("waves.correlation", levels))


EXPERIMENT = Experiment(
    "prior-strength",
    "phase diagram: L4 and L2/3 prior strength × wave correlation (wt → uncorrelated), "
    "selectivity at eye opening and time to criterion",
    figure="scratch_vs_prior", wirings=wirings, grid=_grid(LEVELS), tiny_grid=_grid((0.0, 1.0)),
    check=needs_vision("prior-strength", "it is measured after vision too"),
    study_figures=("phase_diagram",))
