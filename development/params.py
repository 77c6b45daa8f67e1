"""Parameters of the neuron and plasticity models and of the engine: frozen dataclasses,
checked when built, without Brian2 (so that configs can be read and validated without it).

Sources and reasons for each default are in README.md (Parameters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurodev.circuits.params import ParameterError, check_choice, check_fields, check_flag

DEVICES = ("cpp_standalone", "runtime")
#: How the probability that a dead candidate synapse forms depends on activity
#: (`neurodev.development.models.FORMATION_FACTORS` gives each its expression).
FORMATION_RULE_NAMES = ("constant", "activity")
POSITIVE = (0, 1e6, {"open_low": True})


@dataclass(frozen=True)
class NeuronParams:
    """Conductance-based leaky integrate-and-fire cells with a homeostatic threshold (E only)."""

    tau_m_exc_ms: float = 20.0
    tau_m_inh_ms: float = 10.0
    v_rest_mv: float = -70.0
    v_reset_mv: float = -60.0
    v_threshold_mv: float = -50.0
    e_exc_mv: float = 0.0
    e_inh_mv: float = -80.0
    tau_exc_ms: float = 5.0
    tau_inh_ms: float = 10.0
    refractory_ms: float = 2.0
    target_rate_hz: float = 0.5
    threshold_step_mv: float = 0.05
    threshold_floor_mv: float = -5.0

    def __post_init__(self):
        check_fields(
            self, tau_m_exc_ms=POSITIVE, tau_m_inh_ms=POSITIVE, v_rest_mv=(-150, 50),
            v_reset_mv=(-150, 50), v_threshold_mv=(-150, 50), e_exc_mv=(-150, 100),
            e_inh_mv=(-150, 50), tau_exc_ms=POSITIVE, tau_inh_ms=POSITIVE,
            refractory_ms=(0, 100), target_rate_hz=(0, 1000, {"open_low": True}),
            threshold_step_mv=(0, 100), threshold_floor_mv=(-100, 0),
        )
        # A cell reset at or above threshold fires at every step its refractory period allows;
        # one whose excitatory reversal lies below threshold can never fire.
        if self.v_reset_mv >= self.v_threshold_mv:
            raise ParameterError("v_reset_mv", self.v_reset_mv,
                                 f"below v_threshold_mv = {self.v_threshold_mv:g}")
        if self.e_exc_mv <= self.v_threshold_mv:
            raise ParameterError("e_exc_mv", self.e_exc_mv,
                                 f"above v_threshold_mv = {self.v_threshold_mv:g}")



@dataclass(frozen=True)
class PlasticityParams:
    """Pair STDP with soft bounds on feed-forward synapses, and subtractive normalisation.

    STDP uses one trace per neuron (all-to-all pairing). Every ``normalisation_interval_ms``
    each cell's ON weights and its OFF weights are each shifted back toward their initial
    totals, separately (a joint constraint lets one channel win everywhere).
    """

    tau_pre_ms: float = 20.0
    tau_post_ms: float = 20.0
    a_plus: float = 0.003
    a_minus: float = 0.002
    w_max: float = 1.0
    normalisation_interval_ms: float = 100.0

    def __post_init__(self):
        check_fields(
            self, tau_pre_ms=POSITIVE, tau_post_ms=POSITIVE, a_plus=(0, 1), a_minus=(0, 1),
            w_max=POSITIVE, normalisation_interval_ms=POSITIVE,
        )



@dataclass(frozen=True)
class StructuralParams:
    """Elimination and formation of plastic (feed-forward) synapses from a potential pool.

    Every ``interval_ms`` of development, each live synapse weaker than
    ``elimination_threshold`` is eliminated with ``elimination_probability ·
    exp(−age / maturation_time_ms)`` (age: development since the synapse formed, or since the
    run began for the initial ones; ``inf`` turns maturation off), and each dead
    candidate forms with ``formation_probability`` (``formation_rule = "constant"``) or with
    that probability times ``ν_pre ν_post / activity_reference_hz²`` (``"activity"``, rates
    ν from spike traces with time constant ``activity_tau_ms``), starting at
    ``formation_weight``. Off (``enabled = false``), circuits hold their live synapses only.
    Sources and reasons for each default are listed in README.md (Parameters).
    """

    enabled: bool = False
    interval_ms: float = 1000.0
    elimination_threshold: float = 0.02
    elimination_probability: float = 0.0035
    maturation_time_ms: float = 300_000.0
    formation_probability: float = 0.00012
    formation_rule: str = "constant"
    formation_weight: float = 0.03
    activity_tau_ms: float = 10_000.0
    activity_reference_hz: float = 1.0

    def __post_init__(self):
        check_flag("enabled", self.enabled)
        check_choice("formation_rule", self.formation_rule, FORMATION_RULE_NAMES)
        check_fields(
            self, interval_ms=POSITIVE, elimination_threshold=(0, 100),
            elimination_probability=(0, 1), maturation_time_ms=(0, math.inf, {"open_low": True}),
            formation_probability=(0, 1),
            formation_weight=(0, 100, {"open_low": True}), activity_tau_ms=POSITIVE,
            activity_reference_hz=POSITIVE,
        )


@dataclass(frozen=True)
class EngineParams:
    """How the simulation runs (not what it simulates).

    ``device``: ``cpp_standalone`` (compiled, one thread per process: on 2 cores two processes
    beat OpenMP) or ``runtime`` (Brian2's runtime mode; slow, for debugging).
    """

    device: str = "cpp_standalone"
    dt_ms: float = 0.1
    input_dt_ms: float = 1.0
    stimulus_frame_ms: float = 10.0

    def __post_init__(self):
        check_choice("device", self.device, DEVICES)
        check_fields(self, dt_ms=(0.001, 1.0), input_dt_ms=(0.001, 5.0),
                     stimulus_frame_ms=(0.1, 1000))
