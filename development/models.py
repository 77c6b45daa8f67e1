"""Neuron and plasticity models: parameters and the Brian2 equation strings they fill.

Conductances are dimensionless, in units of the leak conductance, so a synaptic weight ``w``
adds ``w`` to ``ge`` or ``gi``. Sources and reasons for each default are in README.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import brian2 as b2

from circuits.params import check_fields

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


#: Excitatory and inhibitory L4 cells of every circuit in one population: membrane,
#: homeostatic threshold (``homeostatic`` is 1 for excitatory cells, 0 for inhibitory ones),
#: postsynaptic STDP trace, and the running ON/OFF feed-forward weight totals used by
#: normalisation. ``developing(t)`` (1 during epochs, 0 at checkpoints) gates all learning.
CORTEX_EQUATIONS = """
dv/dt = (v_rest - v + ge*(e_exc - v) + gi*(e_inh - v)) / tau_m : volt (unless refractory)
dge/dt = -ge/tau_exc : 1
dgi/dt = -gi/tau_inh : 1
dtheta/dt = -developing(t) * homeostatic * threshold_step * target_rate * int(theta > threshold_floor) : volt
dapost/dt = -apost/tau_post : 1
tau_m : second (constant)
homeostatic : 1 (constant)
total_on : 1
total_off : 1
target_on : 1 (constant)
target_off : 1 (constant)
n_on : 1 (constant)
n_off : 1 (constant)
shift_on : 1
shift_off : 1
"""
CORTEX_THRESHOLD = "v > v_threshold + theta"
CORTEX_RESET = "v = v_reset; theta += developing(t) * homeostatic * threshold_step; apost += 1"

#: Input (retinal ganglion) cells: inhomogeneous Poisson with wave bursts and gratings.
INPUT_EQUATIONS = """
x : metre (constant)
y : metre (constant)
polarity : 1 (constant)
baseline_rate : Hz
burst_end : second
phase = grating_k * (x*grating_cos(t) + y*grating_sin(t)) - grating_omega*t : 1
grating = grating_contrast(t) * clip(polarity * cos(phase), 0, 1) : 1
rate = developing(t) * baseline_rate + burst_rate * int(t < burst_end) + grating_peak_rate * grating : Hz
dapre/dt = -apre/tau_pre : 1
"""

#: Every weight change also updates the postsynaptic cell's running ON/OFF totals.
_SET_WEIGHT = """
total_on_post += is_on * (w_new - w)
total_off_post += (1 - is_on) * (w_new - w)
w = w_new
"""
FF_SYNAPSE = "w : 1\nis_on : 1 (constant)"
#: Fixed synapses; ``inhibitory`` (0 or 1) selects the conductance they drive.
STATIC_SYNAPSE = "w : 1 (constant)\ninhibitory : 1 (constant)"
STATIC_ON_PRE = "ge_post += (1 - inhibitory) * w\ngi_post += inhibitory * w"
FF_ON_PRE = "ge_post += w\nw_new = clip(w - developing(t) * a_minus * w * apost_post, 0, w_max)" + _SET_WEIGHT
FF_ON_POST = "w_new = clip(w + developing(t) * a_plus * (w_max - w) * apre_pre, 0, w_max)" + _SET_WEIGHT
#: Normalisation in two steps so no synapse reads a total that another one is changing.
NORMALISE_CELL = ("shift_on = developing(t) * (target_on - total_on) / n_on\n"
                  "shift_off = developing(t) * (target_off - total_off) / n_off")
NORMALISE_SYNAPSE = ("w_new = clip(w + is_on * shift_on_post + (1 - is_on) * shift_off_post, 0, w_max)"
                     + _SET_WEIGHT)
