"""The cell and synapse models: Brian2 equation strings of the parts every run has (the
conductance-based LIF cortex, the Poisson inputs, static synapses, the schedule), the
composition of these with the plug-in rules (`neurodev.development.rules`) and input drives
(`neurodev.development.drives`), and namespaces built from parameter dataclasses.

Conductances are dimensionless, in units of the leak conductance, so a synaptic weight ``w``
adds ``w`` to ``ge`` or ``gi``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import brian2 as b2
import numpy as np
from brian2.codegen.runtime.numpy_rt import NumpyCodeObject
from brian2.devices.device import RuntimeDevice

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


def runtime_mode() -> bool:
    """Whether objects are being built for Brian2's runtime device (not ``cpp_standalone``)."""
    return isinstance(b2.get_device(), RuntimeDevice)


def python_functions() -> dict:
    """Options of an object whose code calls neurodev's functions: in runtime mode their
    Python implementations run (NumPy code generation), whatever the target; compiled, their
    C++ ones."""
    return {"codeobj_class": NumpyCodeObject} if runtime_mode() else {}


def add_to_namespace(group, entries: Mapping):
    """Add `entries` to the namespace of `group` (for functions that need the group itself);
    a name it has already is an error naming it."""
    clash = set(entries) & set(group.namespace)
    if clash:
        raise ValueError(f"the Brian2 namespace name {sorted(clash)[0]!r} is defined twice")
    group.namespace.update(entries)


#: The current stimulus frame, and where it lies in the checkpoint period (integers).
FRAME = "int(t / frame_duration + 0.5)"
FRAME_IN_PERIOD = f"({FRAME} % period_frames)"
#: The schedule, shared by every group that follows it and the same for every run of a
#: circuit shape: checkpoint ``k`` spans frames ``[k P, k P + M)`` (``P = period_frames``,
#: ``M = measure_frames``) and the epoch after it the rest of the period.
SCHEDULE_VARIABLES = """
period_frames : integer (shared, constant)
measure_frames : integer (shared, constant)
"""
#: The half of the period (0: checkpoint, 1: epoch) and the period's index, which select an
#: entry of the per-period tables ``segment_kind`` and ``segment_plastic``.
_SEGMENT = f"int({FRAME_IN_PERIOD} >= measure_frames) * frame_duration, {FRAME} // period_frames"
#: Run every stimulus frame (at its start) by the cortex: whether plasticity is on. The name
#: ``developing`` is kept from before plasticity had its own table: Brian2 orders the factors
#: of hoisted loop invariants by name, so another name changes the last bits of the
#: threshold's arithmetic. (Statements on shared variables only: Brian2 treats temporaries as
#: per-cell.)
PLASTICITY_FRAME = f"developing = segment_plastic({_SEGMENT})\n"


def segment_kinds(drives) -> tuple[str, ...]:
    """The kinds of segment `drives` serve, each once, in their order."""
    return tuple(dict.fromkeys(drive.kind for drive in drives))


def showing_frame(kinds) -> str:
    """Run every stimulus frame by the inputs: the kind of segment shown, and ``shows_<kind>``
    (1 while it is shown, else 0) for each of `kinds`."""
    return f"segment = int(segment_kind({_SEGMENT}))\n" + "".join(
        f"shows_{kind} = int(segment == {index})\n" for index, kind in enumerate(kinds))


def showing_variables(kinds) -> str:
    return "segment : integer (shared)\n" + "".join(f"shows_{kind} : 1 (shared)\n" for kind in kinds)


#: Excitatory and inhibitory cells of every circuit in one population (``excitatory`` is 1
#: for excitatory cells, 0 for inhibitory ones). ``leak_rate`` is 1/τm: a product per cell
#: and time step is cheaper than a division. Rules add their variables (`cortex_model`).
CORTEX_MEMBRANE = """
dv/dt = (v_rest - v + ge*(e_exc - v) + gi*(e_inh - v)) * leak_rate : volt (unless refractory)
dge/dt = -ge/tau_exc : 1
dgi/dt = -gi/tau_inh : 1
"""
CORTEX_CONSTANTS = ("leak_rate : Hz (constant)\nexcitatory : 1 (constant)\nlearns : 1 (constant)\n"
                    "developing : 1 (shared)\n")
CORTEX_THRESHOLD = "v > v_threshold"
CORTEX_RESET = "v = v_reset\n"
#: Input (retinal ganglion) cells: position, polarity (+1 ON, −1 OFF) and the state of
#: their Poisson draw (`poisson_group`). Drives add their variables and rate terms
#: (`input_model`).
INPUT_CELLS = """
x : metre (constant)
y : metre (constant)
polarity : 1 (constant)
survival_ratio : 1
"""
#: Poisson inputs, one Bernoulli trial per input and step with probability ``p = rate * dt``
#: as in Brian2's ``PoissonGroup`` (``rand() < rate*dt``), drawn by inversion: at its last
#: spike an input draws ``U`` uniform in (0, 1], and spikes at the first step at which the
#: probability of no spike since, ``S = Π (1 − p)``, is at most ``U``. ``survival_ratio`` is
#: ``S / U``, multiplied by ``1 − p`` each step; it spikes when that reaches 1. No spike
#: through step k has probability ``P(U < S_k) = S_k``, so each step spikes with probability
#: exactly ``p``, independently: the same process, one random number per spike instead of
#: one per input and step (that thresholder's Mersenne Twister draws were a quarter of a
#: `quick` run), and a product instead of a ``log`` (which GCC does not vectorise under
#: Brian2's -fno-finite-math-only). The random numbers are not those of ``PoissonGroup``.
#: (Spending ``rate * dt`` of an exponential variate and carrying the overshoot, the
#: continuous-time process binned, moves a second spike within one step to the next: more
#: doublets, and 3–6 % higher cortical rates during gratings over five `quick` seeds.)
POISSON_RESET = "survival_ratio = 1 / (1 - rand())\n"  # rand() is in [0, 1)


def poisson_group(n: int, model: str, reset: str, clock: b2.Clock, namespace: dict,
                  name: str) -> b2.NeuronGroup:
    """`n` inhomogeneous Poisson cells at the rate ``rate`` of `model` (which declares
    ``survival_ratio : 1``, as `INPUT_CELLS` does); `reset` starts with `POISSON_RESET`."""
    group = b2.NeuronGroup(n, model, threshold="survival_ratio <= 1", reset=reset,
                           method="exact", clock=clock, name=name, namespace=namespace)
    group.survival_ratio = "1 / (1 - rand())"
    # Just before the threshold, with the rate of the step (as ``rand() < rate*dt``);
    # p ≥ 1 gives a spike for certain, as there.
    group.run_regularly("survival_ratio *= 1 - clip(rate * dt, 0, 1)",
                        when="thresholds", order=-1, name=f"{name}_poisson")
    return group


#: Fixed synapses from inputs (excitatory) and between cortical cells (the presynaptic
#: cell's type selects the conductance).
STATIC_SYNAPSE = "w : 1 (constant)"
STATIC_ON_PRE = "ge_post += w * jump_exc"
RECURRENT_ON_PRE = ("ge_post += excitatory_pre * w * jump_exc\n"
                    "gi_post += (1 - excitatory_pre) * w * jump_inh")
#: Plastic feed-forward synapses, before their rules (and `channel_indicators`): the weight.
PLASTIC_SYNAPSE = "w : 1\n"
PLASTIC_ON_PRE = "ge_post += w * jump_exc\n"


def channel_indicators(channels) -> str:
    """``in_<channel>``: 1 if the presynaptic input is of that channel, else 0. Inputs are laid
    out channel by channel (`CircuitSpec.input_channel`), so this compares the presynaptic
    index with the channel's end (``channel_end_<channel>``, from `channel_ends`) instead of
    loading a channel per synapse event; the last channel's is the complement of the others'.
    (With a load, the compiler's floating-point arithmetic of the weight updates changed in
    the last bit, so runs were no longer identical to those before channels were data.)"""
    if len(channels) == 1:  # a cortical projection: one source population
        return f"in_{channels[0]} = 1 : 1\n"
    lines, others = [], []
    for index, name in enumerate(channels[:-1]):
        after = f"int(i >= channel_end_{channels[index - 1]}) * " if index else ""
        lines.append(f"in_{name} = {after}int(i < channel_end_{name}) : 1\n")
        others.append(f"in_{name}")
    return "".join(lines) + f"in_{channels[-1]} = 1 - ({' + '.join(others)}) : 1\n"


def channel_ends(input_channel, channels) -> dict:
    """``channel_end_<channel>``: one past the last input of each channel but the last; the
    inputs must be ordered by channel."""
    input_channel = np.asarray(input_channel)
    if np.any(np.diff(input_channel) < 0):
        raise ValueError("inputs must be ordered by channel")
    return {f"channel_end_{name}": int(np.searchsorted(input_channel, index, side="right"))
            for index, name in enumerate(channels[:-1])}


def cortex_model(rules, channels, cortical=()) -> tuple[str, str, str]:
    """Model, threshold and reset of the cortex with the cell rules and the rules of the
    projections onto it from `channels`, in that order, then the rules of projections
    within the cortex (`cortical`: pairs of a rule and its projection's channels), whose
    cells are both ends. A line two rules share (e.g. a spike trace) appears once."""
    targets = [(rule, channels) for rule in rules] + list(cortical)
    model = (CORTEX_MEMBRANE
             + _once([rule.target_model(c) for rule, c in targets]
                     + [rule.source_model(c) for rule, c in cortical])
             + CORTEX_CONSTANTS + SCHEDULE_VARIABLES)
    threshold = CORTEX_THRESHOLD + "".join(dict.fromkeys(r.threshold_term() for r, _ in targets))
    reset = CORTEX_RESET + _once([rule.target_reset() for rule, _ in targets]
                                 + [rule.source_reset() for rule, _ in cortical])
    return model, threshold, reset


def _once(fragments) -> str:
    """The lines of `fragments`, each once, in their first order."""
    return "".join(f"{line}\n" for line in dict.fromkeys(
        line for fragment in fragments for line in fragment.splitlines() if line.strip()))


def input_model(drives, rules, channels) -> tuple[str, str]:
    """Model and reset of the inputs: their cells, each drive's variables and its term of the
    Poisson rate, the schedule, and the presynaptic variables of the rules."""
    rate = " + ".join(drive.rate_term() for drive in drives)
    model = (INPUT_CELLS + "".join(drive.input_model() for drive in drives)
             + f"rate = {rate} : Hz\n" + SCHEDULE_VARIABLES
             + showing_variables(segment_kinds(drives))
             + "".join(rule.source_model(channels) for rule in rules))
    return model, POISSON_RESET + "".join(rule.source_reset() for rule in rules)
