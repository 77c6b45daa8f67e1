"""Neuron and plasticity models: the Brian2 equation strings, and the namespaces that fill them
from the parameters of `neurodev.development.params`.

Conductances are dimensionless, in units of the leak conductance, so a synaptic weight ``w``
adds ``w`` to ``ge`` or ``gi``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import brian2 as b2

from neurodev.development.params import StructuralParams

#: The unit of a parameter named ``<name>_<suffix>``.
UNITS = {"ms": b2.ms, "mv": b2.mV, "hz": b2.Hz}
#: Parameters whose name in the equations is not their field's name without its unit.
EQUATION_NAMES = {"refractory_ms": "refractory_period", "interval_ms": "structural_interval",
                  "activity_tau_ms": "tau_activity", "activity_reference_hz": "activity_reference"}


def namespace(params) -> dict:
    """The Brian2 namespace of a parameter dataclass: a number field ``<name>_<unit>`` (unit
    ms, mv or hz) becomes ``<name>`` with that unit (or its `EQUATION_NAMES` name), a unitless
    number keeps its name; flags and choices are not numbers and stay out."""
    entries = {}
    for field in dataclasses.fields(params):
        value = getattr(params, field.name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        name, _, suffix = field.name.rpartition("_")
        if suffix in UNITS:
            entries[EQUATION_NAMES.get(field.name, name)] = value * UNITS[suffix]
        else:
            entries[field.name] = value
    return entries


def merged_namespace(*namespaces: Mapping) -> dict:
    """One namespace from several; a name defined twice is an error naming it (a plain merge
    would let the later value win silently)."""
    merged = {}
    for entries in namespaces:
        for name, value in entries.items():
            if name in merged:
                raise ValueError(f"the Brian2 namespace name {name!r} is defined twice")
            merged[name] = value
    return merged

#: Firing-rate estimate (Hz) of a cell from an exponential spike trace kept lazily: it is
#: updated at spikes only and decayed to the present where it is read.
_RATE_NOW = "activity_{0} * exp(-(t - activity_time_{0}) / tau_activity)"
FORMATION_FACTORS = {
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


def structural_step(params: StructuralParams) -> str:
    """The statements of one structural step, run by every plastic synapse after
    `STRUCTURAL_DRAW`."""
    return _STRUCTURAL_STEP.replace("FORMATION_FACTOR", FORMATION_FACTORS[params.formation_rule])
