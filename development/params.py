"""Parameters of the neuron and plasticity models and of the engine: frozen dataclasses,
checked when built, without Brian2 (so that configs can be read and validated without it).

Sources and reasons for each default are in README.md (Parameters).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from neurodev.circuits.params import ParameterError, check_choice, check_flag, check_ranges, param

DEVICES = ("cpp_standalone", "runtime")
#: Floating-point types of the state variables (Brian2's ``core.default_float_dtype``).
FLOAT_TYPES = ("float64", "float32")
#: How the cortical cells are integrated (`neurodev.development.integration`).
METHOD_NAMES = ("euler", "membrane_trapezoid")
#: How the probability that a dead candidate synapse forms depends on activity
#: (`neurodev.development.rules.structural.FORMATION_FACTORS` gives each its expression).
FORMATION_RULE_NAMES = ("constant", "activity")


@dataclass(frozen=True)
class NeuronParams:
    """Conductance-based leaky integrate-and-fire cells with a homeostatic threshold (E only)."""

    tau_m_exc_ms: float = param(20.0, 0, 1e6, open_low=True)
    tau_m_inh_ms: float = param(10.0, 0, 1e6, open_low=True)
    v_rest_mv: float = param(-70.0, -150, 50)
    v_reset_mv: float = param(-60.0, -150, 50)
    v_threshold_mv: float = param(-50.0, -150, 50)
    e_exc_mv: float = param(0.0, -150, 100)
    e_inh_mv: float = param(-80.0, -150, 50)
    tau_exc_ms: float = param(5.0, 0, 1e6, open_low=True)
    tau_inh_ms: float = param(10.0, 0, 1e6, open_low=True)
    refractory_ms: float = param(2.0, 0, 100)
    target_rate_hz: float = param(0.5, 0, 1000, open_low=True)
    threshold_step_mv: float = param(0.05, 0, 100)
    threshold_floor_mv: float = param(-5.0, -100, 0)

    def __post_init__(self):
        check_ranges(self)
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
    totals, separately (a joint constraint lets one channel win everywhere). The soft bound
    ``w_max`` is not a parameter: it comes from the wiring (`Projection.weight_bound`).
    """

    tau_pre_ms: float = param(20.0, 0, 1e6, open_low=True)
    tau_post_ms: float = param(20.0, 0, 1e6, open_low=True)
    a_plus: float = param(0.00113, 0, 1)
    a_minus: float = param(0.002, 0, 1)
    normalisation_interval_ms: float = param(100.0, 0, 1e6, open_low=True)

    def __post_init__(self):
        check_ranges(self)


@dataclass(frozen=True)
class TripletParams:
    """Triplet STDP (Pfister & Gerstner 2006 J Neurosci 26:9673), all-to-all: two presynaptic
    traces (τ+, τx) and two postsynaptic ones (τ−, τy); a presynaptic spike depresses by
    ``o1 (A2− + A3− r2)``, a postsynaptic spike potentiates by ``r1 (A2+ + A3+ o2)``, each
    times ``weight_scale`` (the published amplitudes are relative to a synapse's weight
    scale) and clipped to [0, w_max]. Defaults: their visual-cortex all-to-all fit, as NESTML's
    ``stdp_triplet_synapse`` ships it (verified there; the paper's table recalled)."""

    tau_plus_ms: float = param(16.8, 0, 1e6, open_low=True)
    tau_x_ms: float = param(101.0, 0, 1e6, open_low=True)
    tau_minus_ms: float = param(33.7, 0, 1e6, open_low=True)
    tau_y_ms: float = param(125.0, 0, 1e6, open_low=True)
    a2_plus: float = param(7.5e-10, 0, 1)
    a3_plus: float = param(9.3e-3, 0, 1)
    a2_minus: float = param(7e-3, 0, 1)
    a3_minus: float = param(2.3e-4, 0, 1)
    weight_scale: float = param(0.093, 0, 100, open_low=True)

    def __post_init__(self):
        check_ranges(self)


@dataclass(frozen=True)
class BurstTimingParams:
    """Burst-timing-dependent plasticity (Butts, Kanold & Shatz 2007 PLoS Biol 5:e61):
    pre- and postsynaptic activity within about a second of each other potentiates, activity
    a few seconds apart depresses mildly, whichever comes first. Every pair of spikes changes
    the weight by the symmetric window
    ``K(Δ) = A+ exp(−|Δ|/τ+) − A− exp(−|Δ|/τ−)``, with ``A− τ− = depression_balance · A+ τ+``
    (so with balance 1 uncorrelated firing leaves a weight where it is on average and only
    correlations on the seconds scale drive learning); for bursts this sums to the overlap of
    the two bursts weighted by K. The change is additive, in units of the synapse's bound
    ``w_max`` (a soft bound ``w_max − w`` would make potentiation outweigh depression by
    ``w_max / w``, tens to one at the operating weights), clipped to [0, w_max]; potentiation
    is gated by ``alive``. Sources and reasons for each default are in README.md (Parameters).
    """

    tau_potentiation_ms: float = param(600.0, 0, 1e7, open_low=True)
    tau_depression_ms: float = param(1800.0, 0, 1e7, open_low=True)
    a_potentiation: float = param(6e-5, 0, 1)
    depression_balance: float = param(1.0, 0, 100)

    def __post_init__(self):
        check_ranges(self)
        # The window must potentiate coincident activity and depress activity seconds apart.
        if self.tau_depression_ms <= self.tau_potentiation_ms:
            raise ParameterError("tau_depression_ms", self.tau_depression_ms,
                                 f"above tau_potentiation_ms = {self.tau_potentiation_ms:g}")
        ratio = self.tau_depression_ms / self.tau_potentiation_ms
        if self.depression_balance >= ratio:
            raise ParameterError("depression_balance", self.depression_balance,
                                 f"below tau_depression_ms / tau_potentiation_ms = {ratio:g}"
                                 " (else coincident activity depresses)")


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
    interval_ms: float = param(1000.0, 0, 1e6, open_low=True)
    elimination_threshold: float = param(0.02, 0, 100)
    elimination_probability: float = param(0.0035, 0, 1)
    maturation_time_ms: float = param(300_000.0, 0, math.inf, open_low=True)
    formation_probability: float = param(0.00005, 0, 1)
    formation_rule: str = "constant"
    formation_weight: float = param(0.03, 0, 100, open_low=True)
    activity_tau_ms: float = param(10_000.0, 0, 1e6, open_low=True)
    activity_reference_hz: float = param(1.0, 0, 1e6, open_low=True)

    def __post_init__(self):
        check_flag("enabled", self.enabled)
        check_choice("formation_rule", self.formation_rule, FORMATION_RULE_NAMES)
        check_ranges(self)


@dataclass(frozen=True)
class EngineParams:
    """How the simulation runs (not what it simulates).

    ``device``: ``cpp_standalone`` (compiled, one thread per process: on 2 cores two processes
    beat OpenMP) or ``runtime`` (Brian2's runtime mode; slow, for debugging).
    ``float_type``: of every state variable (``float32`` halves their memory);
    ``method``: how the cortical cells are integrated (`METHOD_NAMES`; docs/performance.md
    reports what each choice does to speed and metrics).
    """

    device: str = "cpp_standalone"
    dt_ms: float = param(0.5, 0.001, 1.0)
    input_dt_ms: float = param(1.0, 0.001, 5.0)
    stimulus_frame_ms: float = param(10.0, 0.1, 1000)
    float_type: str = "float64"
    method: str = "membrane_trapezoid"

    def __post_init__(self):
        check_choice("device", self.device, DEVICES)
        check_choice("float_type", self.float_type, FLOAT_TYPES)
        check_choice("method", self.method, METHOD_NAMES)
        check_ranges(self)


#: Cortical projections that rules may make plastic (`RuleParams`), and the name of the one
#: input "channel" of each: normalisation keeps each cell's total weight from that source.
CORTICAL_PLASTIC = {"exc_exc23": "l4", "exc23_exc23": "l23"}
#: The projection each list of synapse rules of `RuleParams` acts on.
RULE_PROJECTIONS = {"feedforward": "input_exc", "l4_l23": "exc_exc23", "l23_l23": "exc23_exc23"}


@dataclass(frozen=True)
class RuleParams:
    """Which plasticity rules act, by name (`neurodev.development.rules.RULES`), in the order
    their statements run: ``feedforward`` on the L4 feed-forward synapses, ``l4_l23`` on the
    L4 → L2/3 excitatory synapses and ``l23_l23`` on the L2/3 E → E synapses (none: static),
    ``cells`` on the cortical cells. Every circuit of a run has the same rules (its frozen
    control none). Structural plasticity joins the feed-forward rules of the circuits an
    experiment rewires (``structural.enabled``), so it is not listed here."""

    feedforward: tuple[str, ...] = ("pair_stdp", "channel_normalisation")
    l4_l23: tuple[str, ...] = ()
    l23_l23: tuple[str, ...] = ()
    cells: tuple[str, ...] = ("homeostatic_threshold",)

    def __post_init__(self):
        for key in (f.name for f in fields(self)):
            names = getattr(self, key)
            if not (isinstance(names, tuple) and all(isinstance(n, str) for n in names)):
                raise ParameterError(key, names, "a list of rule names")
            if len(set(names)) != len(names):
                raise ParameterError(key, list(names), "each rule once")
            if key != "cells" and "structural" in names:
                raise ParameterError(key, list(names),
                                     "rules other than 'structural' (switched by structural.enabled)")

    def cortical(self) -> dict[str, tuple[str, ...]]:
        """The rules of each plastic cortical projection, by projection name."""
        return {projection: getattr(self, key) for key, projection in RULE_PROJECTIONS.items()
                if key != "feedforward" and getattr(self, key)}
