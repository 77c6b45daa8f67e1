"""A bare Brian2 network of a neurodev run's size: the reference for what the engine costs.

Plain Brian2 as its tutorials write it, no neurodev model code: Poisson inputs at one mean
rate, conductance-based LIF cells (the COBA benchmark's constants, Brette et al. 2007, as in
neurodev), the same synapses (arrays in, so counts and weights match), and pair STDP with
per-synapse event-driven traces on the input synapses (Song, Miller & Abbott 2000; Brian2's
STDP example). No homeostasis, normalisation, schedule, gratings or waves. `run_floor` is
the floor under any simulation of these cells: the cells alone, without inputs or synapses.
Both are compiled as neurodev compiles (`standalone.standalone_device`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

import brian2 as b2
import numpy as np

from neurodev.development.standalone import build_and_run, spike_deliveries, standalone_device

CELL = """
dv/dt = (-70*mV - v + ge*(0*mV - v) + gi*(-80*mV - v)) / tau_m : volt (unless refractory)
dge/dt = -ge / (5*ms) : 1
dgi/dt = -gi / (10*ms) : 1
tau_m : second (constant)
"""
STDP = """
w : 1
dapre/dt = -apre / (20*ms) : 1 (event-driven)
dapost/dt = -apost / (20*ms) : 1 (event-driven)
"""
STDP_PRE = "ge_post += w\napre += 0.003\nw = clip(w - apost, 0, w_max)"
STDP_POST = "apost += 0.002\nw = clip(w + apre, 0, w_max)"


class Synapses(NamedTuple):
    """Presynaptic and postsynaptic indices and weights of one synapse population."""

    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray


def run_bare_reference(n_inputs: int, tau_m_ms: np.ndarray, feedforward: Synapses,
                       feedforward_inh: Synapses, recurrent_exc: Synapses,
                       recurrent_inh: Synapses, input_rate_hz: float, duration_s: float,
                       build_dir: Path, seed: int, dt_ms: float = 0.1,
                       input_dt_ms: float = 1.0, threads: int = 1) -> dict:
    """Build, compile and run the bare network in ``cpp_standalone`` with `threads` OpenMP
    threads (1: no OpenMP).

    Parameters
    ----------
    n_inputs : int
        Poisson inputs, each at `input_rate_hz` (Hz), on a clock of `input_dt_ms` (ms).
    tau_m_ms : ndarray
        Membrane time constant of every cortical cell (ms).
    feedforward : Synapses
        Plastic input → cortex synapses (STDP).
    feedforward_inh, recurrent_exc, recurrent_inh : Synapses
        Static input → cortex, excitatory and inhibitory cortex → cortex synapses.
    duration_s : float
        Simulated time (s), at time step `dt_ms` (ms).

    Returns
    -------
    dict
        Wall times (``network``, ``code_generation``, ``compilation``, ``run``; s),
        ``synaptic_events`` (deliveries plus postsynaptic STDP updates), ``n_synapses``,
        ``peak_rss_bytes`` of the simulation process, mean input and cortical rates (Hz).
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with standalone_device(build_dir, dt_ms * b2.ms, threads):
        b2.seed(seed)
        inputs = b2.PoissonGroup(n_inputs, input_rate_hz * b2.Hz, dt=input_dt_ms * b2.ms)
        cells = _cells(tau_m_ms)
        plastic = b2.Synapses(inputs, cells, STDP, on_pre=STDP_PRE, on_post=STDP_POST,
                              namespace={"w_max": 1.0})
        static = [b2.Synapses(source, cells, "w : 1 (constant)", on_pre=f"{conductance}_post += w")
                  for source, conductance in ((inputs, "ge"), (cells, "ge"), (cells, "gi"))]
        for synapses, wiring in zip([plastic, *static], (feedforward, feedforward_inh,
                                                          recurrent_exc, recurrent_inh), strict=True):
            synapses.connect(i=wiring.pre, j=wiring.post)
            synapses.w = wiring.weight
        input_spikes = b2.SpikeMonitor(inputs, record=False)
        cell_spikes = b2.SpikeMonitor(cells)
        network = b2.Network(inputs, cells, plastic, *static, input_spikes, cell_spikes)
        network.run(duration_s * b2.second)
        built = time.perf_counter()
        result = {"network": built - start, **build_and_run(build_dir)}
        input_counts = np.asarray(input_spikes.count[:])
        cell_counts = np.asarray(cell_spikes.count[:])

    return result | {
        "synaptic_events": spike_deliveries(feedforward.pre, input_counts)
        + spike_deliveries(feedforward_inh.pre, input_counts)
        + spike_deliveries(recurrent_exc.pre, cell_counts)
        + spike_deliveries(recurrent_inh.pre, cell_counts)
        + spike_deliveries(feedforward.post, cell_counts),
        "n_synapses": sum(len(w.pre) for w in (feedforward, feedforward_inh, recurrent_exc,
                                                 recurrent_inh)),
        "input_rate_hz": input_counts.sum() / n_inputs / duration_s,
        "cortex_rate_hz": cell_counts.sum() / len(cell_counts) / duration_s,
    }


def run_floor(tau_m_ms: np.ndarray, duration_s: float, build_dir: Path, seed: int,
              dt_ms: float = 0.1) -> dict:
    """Build, compile and run the bare network's cells alone (no inputs, no synapses, no
    monitors) for `duration_s` at `dt_ms`: what advancing these cells costs at the least.

    Returns
    -------
    dict
        Wall times (``network``, ``code_generation``, ``compilation``, ``run``; s) and
        ``peak_rss_bytes``.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with standalone_device(build_dir, dt_ms * b2.ms):
        b2.seed(seed)
        network = b2.Network(_cells(tau_m_ms))
        network.run(duration_s * b2.second)
        built = time.perf_counter()
        return {"network": built - start, **build_and_run(build_dir)}


def _cells(tau_m_ms: np.ndarray) -> b2.NeuronGroup:
    cells = b2.NeuronGroup(len(tau_m_ms), CELL, threshold="v > -50*mV", reset="v = -60*mV",
                           refractory=2 * b2.ms, method="euler")
    cells.v = "-70*mV + rand() * 20*mV"
    cells.tau_m = tau_m_ms * b2.ms
    return cells
