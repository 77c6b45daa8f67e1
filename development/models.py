"""Neuron and plasticity models: parameters and the Brian2 equation strings they fill.

Conductances are dimensionless, in units of the leak conductance, so a synaptic weight ``w``
adds ``w`` to ``ge`` or ``gi``. Sources and reasons for each default are in README.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import brian2 as b2

from circuits.params import ParameterError, check_choice, check_fields, check_flag

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

    def namespace(self) -> dict:
        mv, ms = b2.mV, b2.ms
        return {
            "tau_m_exc": self.tau_m_exc_ms * ms, "tau_m_inh": self.tau_m_inh_ms * ms,
            "v_rest": self.v_rest_mv * mv, "v_reset": self.v_reset_mv * mv,
            "v_threshold": self.v_threshold_mv * mv, "e_exc": self.e_exc_mv * mv,
            "e_inh": self.e_inh_mv * mv, "tau_exc": self.tau_exc_ms * ms,
            "tau_inh": self.tau_inh_ms * ms, "target_rate": self.target_rate_hz * b2.Hz,
            "threshold_step": self.threshold_step_mv * mv,
            "threshold_floor": self.threshold_floor_mv * mv,
            "refractory_period": self.refractory_ms * ms,
        }


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

    def namespace(self) -> dict:
        return {"tau_pre": self.tau_pre_ms * b2.ms, "tau_post": self.tau_post_ms * b2.ms,
                "a_plus": self.a_plus, "a_minus": self.a_minus, "w_max": self.w_max}


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
        check_choice("formation_rule", self.formation_rule, FORMATION_RULES)
        check_fields(
            self, interval_ms=POSITIVE, elimination_threshold=(0, 100),
            elimination_probability=(0, 1), maturation_time_ms=(0, math.inf, {"open_low": True}),
            formation_probability=(0, 1),
            formation_weight=(0, 100, {"open_low": True}), activity_tau_ms=POSITIVE,
            activity_reference_hz=POSITIVE,
        )

    def namespace(self) -> dict:
        return {"structural_interval": self.interval_ms * b2.ms,
                "elimination_threshold": self.elimination_threshold,
                "elimination_probability": self.elimination_probability,
                "maturation_time": self.maturation_time_ms * b2.ms,
                "formation_probability": self.formation_probability,
                "formation_weight": self.formation_weight,
                "tau_activity": self.activity_tau_ms * b2.ms,
                "activity_reference": self.activity_reference_hz * b2.Hz}

    def step(self) -> str:
        """The statements of one structural step, run by every plastic synapse after
        `STRUCTURAL_DRAW`."""
        return _STRUCTURAL_STEP.replace("FORMATION_FACTOR", FORMATION_RULES[self.formation_rule])


#: Firing-rate estimate (Hz) of a cell from an exponential spike trace kept lazily: it is
#: updated at spikes only and decayed to the present where it is read.
_RATE_NOW = "activity_{0} * exp(-(t - activity_time_{0}) / tau_activity)"
FORMATION_RULES = {
    "constant": "1",
    "activity": f"{_RATE_NOW.format('pre')} * {_RATE_NOW.format('post')} / activity_reference**2",
}
_ACTIVITY_TRACE = """
activity : Hz
activity_time : second
"""
_COUNT_SPIKE = ("activity = activity * exp(-(t - activity_time) / tau_activity) + 1 / tau_activity\n"
                "activity_time = t")

#: The schedule, shared by every group that needs it and the same for every run of a
#: circuit shape: checkpoint ``k`` spans frames ``[k P, k P + M)`` (``P = period_frames``,
#: ``M = measure_frames``) and development the rest of each period.
SCHEDULE_VARIABLES = """
developing : 1 (shared)
period_frames : integer (shared, constant)
measure_frames : integer (shared, constant)
"""
#: The current stimulus frame, and where it lies in the checkpoint period (integers).
_FRAME = "int(t / frame_duration + 0.5)"
_FRAME_IN_PERIOD = f"({_FRAME} % period_frames)"
#: Run every stimulus frame (at its start): where the schedule is. (Statements on shared
#: variables only: Brian2 treats temporaries as per-cell.)
SCHEDULE_FRAME = f"developing = int({_FRAME_IN_PERIOD} >= measure_frames)\n"

#: Excitatory and inhibitory cells of every circuit in one population: membrane,
#: homeostatic threshold (excitatory cells only: ``excitatory`` is 1 for them, 0 for inhibitory
#: ones), postsynaptic STDP and activity traces, the running ON/OFF feed-forward weight totals
#: and live-synapse counts used by normalisation, and counts of synapses formed and
#: eliminated onto the cell. ``developing`` (1 during epochs, 0 at checkpoints; set every
#: stimulus frame by `SCHEDULE_FRAME`) gates all learning. ``leak_rate`` is 1/τm: a product
#: per cell and time step is cheaper than a division.
CORTEX_EQUATIONS = """
dv/dt = (v_rest - v + ge*(e_exc - v) + gi*(e_inh - v)) * leak_rate : volt (unless refractory)
dge/dt = -ge/tau_exc : 1
dgi/dt = -gi/tau_inh : 1
dtheta/dt = -developing * excitatory * threshold_step * target_rate * int(theta > threshold_floor) : volt
dapost/dt = -apost/tau_post : 1
leak_rate : Hz (constant)
excitatory : 1 (constant)
total_on : 1
total_off : 1
target_on : 1 (constant)
target_off : 1 (constant)
n_on : 1
n_off : 1
shift_on : 1
shift_off : 1
formed : 1
eliminated : 1
""" + _ACTIVITY_TRACE + SCHEDULE_VARIABLES
CORTEX_THRESHOLD = "v > v_threshold + theta"
CORTEX_RESET = ("v = v_reset\ntheta += developing * excitatory * threshold_step\napost += 1\n"
                + _COUNT_SPIKE)

#: Presynaptic traces of feed-forward inputs: STDP's and the activity estimate.
INPUT_TRACES = "dapre/dt = -apre/tau_pre : 1" + _ACTIVITY_TRACE
INPUT_RESET = "apre += 1\n" + _COUNT_SPIKE
#: Run every stimulus frame by the inputs after `SCHEDULE_FRAME`: the grating shown, and each
#: input's spatial phase in it as a cosine and sine, so that a time step needs no ``cos``
#: per input (cos(a − ωt) = cos a cos ωt + sin a sin ωt, with ωt the same for all inputs).
#: ``grating_direction(time in the block, checkpoint)`` holds every block's shuffled order.
GRATING_FRAME = f"""
grating_contrast = shown_contrast * (1 - developing) * int({_FRAME_IN_PERIOD} % slot_frames < showing_frames)
grating_cos = cos(grating_direction({_FRAME_IN_PERIOD} * frame_duration, {_FRAME} // period_frames))
grating_sin = sin(grating_direction({_FRAME_IN_PERIOD} * frame_duration, {_FRAME} // period_frames))
spatial_cos = cos(grating_k * (x*grating_cos + y*grating_sin))
spatial_sin = sin(grating_k * (x*grating_cos + y*grating_sin))
"""
#: Input (retinal ganglion) cells: inhomogeneous Poisson with wave bursts and gratings.
INPUT_EQUATIONS = """
x : metre (constant)
y : metre (constant)
polarity : 1 (constant)
baseline_rate : Hz
burst_end : second
grating_contrast : 1 (shared)
grating_cos : 1 (shared)
grating_sin : 1 (shared)
spatial_cos : 1
spatial_sin : 1
drift = spatial_cos * cos(grating_omega*t) + spatial_sin * sin(grating_omega*t) : 1
grating = grating_contrast * clip(polarity * drift, 0, 1) : 1
rate = developing * baseline_rate + burst_rate * int(t < burst_end) + grating_peak_rate * grating : Hz
""" + SCHEDULE_VARIABLES + INPUT_TRACES

#: Every weight change also updates the postsynaptic cell's running ON/OFF totals.
_SET_WEIGHT = """
total_on_post += is_on * (w_new - w)
total_off_post += (1 - is_on) * (w_new - w)
w = w_new
"""
#: Feed-forward synapses; ``is_on`` (1 for ON inputs, ``0 … on_inputs − 1``, 0 for OFF ones)
#: follows from the presynaptic index instead of being stored per synapse.
FF_SYNAPSE = "w : 1\nis_on = int(i < on_inputs) : 1"
#: Added to `FF_SYNAPSE` where structural plasticity acts: live (``alive`` = 1) or dead
#: candidates (0, and then w = 0), and ``structural`` (0 or 1) says whether it acts on the
#: synapse. Elsewhere ``alive`` is the constant 1 (`FIXED_SYNAPSES`), so the same
#: statements serve both and a synapse costs 8 bytes of state instead of 40.
FF_STRUCTURE = "\nalive : 1\nstructural : 1 (constant)\ndraw : 1\nage : second"
FIXED_SYNAPSES = {"alive": 1.0}
#: Fixed synapses from inputs (excitatory) and between cortical cells (the presynaptic
#: cell's type selects the conductance).
STATIC_SYNAPSE = "w : 1 (constant)"
STATIC_ON_PRE = "ge_post += w"
RECURRENT_ON_PRE = "ge_post += excitatory_pre * w\ngi_post += (1 - excitatory_pre) * w"
#: Depression scales with w, so a dead synapse (w = 0) stays at 0 and delivers nothing;
#: potentiation and normalisation are gated by ``alive``.
FF_ON_PRE = ("ge_post += w\nw_new = clip(w - developing_post * a_minus * w * apost_post, 0, w_max)"
             + _SET_WEIGHT)
FF_ON_POST = ("w_new = clip(w + alive * developing_post * a_plus * (w_max - w) * apre_pre,"
              " 0, w_max)" + _SET_WEIGHT)
#: Normalisation in two steps so no synapse reads a total that another one is changing; the
#: shift is shared among the cell's live synapses of each channel.
NORMALISE_CELL = ("shift_on = developing * (target_on - total_on) / clip(n_on, 1, inf)\n"
                  "shift_off = developing * (target_off - total_off) / clip(n_off, 1, inf)")
NORMALISE_SYNAPSE = ("w_new = clip(w + alive * (is_on * shift_on_post + (1 - is_on) * shift_off_post),"
                     " 0, w_max)" + _SET_WEIGHT)
#: One uniform number per synapse and structural step, drawn in a statement of its own: the
#: step writes to postsynaptic counts, and Brian2 rightly cannot prove that a step calling
#: ``rand()`` there does not depend on the order of synapses (it warns).
STRUCTURAL_DRAW = "draw = rand()"
#: One structural step: elimination and formation are decided on the state before the step,
#: so a synapse cannot be eliminated and re-formed at once (one draw serves both: a synapse
#: is either alive or not). ``age`` counts development only, from 0 at formation.
_STRUCTURAL_STEP = """
changing = structural * developing_post
stable = exp(-age / maturation_time)
eliminating = changing * alive * int(w < elimination_threshold) * int(draw < elimination_probability * stable)
forming = changing * (1 - alive) * int(draw < formation_probability * FORMATION_FACTOR)
age = (age + changing * structural_interval) * (1 - forming)
w_new = w * (1 - eliminating) + forming * formation_weight
""" + _SET_WEIGHT + """
alive += forming - eliminating
n_on_post += is_on * (forming - eliminating)
n_off_post += (1 - is_on) * (forming - eliminating)
formed_post += forming
eliminated_post += eliminating
"""
