"""The Brian2 engine: runs one or more circuits that share a retina through a `Timeline`.

All circuits receive the very same input spikes (one shared input group), so differences
between them come from their wiring alone. The network is built once; every epoch and every
measurement runs in it, in compiled code (``cpp_standalone``) by default.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import brian2 as b2
import numpy as np
from brian2.codegen.runtime.numpy_rt import NumpyCodeObject

from neurodev.circuits.spec import CircuitSpec
from neurodev.development import models
from neurodev.development.params import (
    EngineParams,
    NeuronParams,
    PlasticityParams,
    StructuralParams,
)
from neurodev.development.schedule import Timeline
from neurodev.development.standalone import (
    build_and_run,
    locked_slot,
    spike_deliveries,
    standalone_device,
)
from neurodev.development.stimuli import GratingParams
from neurodev.development.waves import WaveParams

PROFILE = bool(os.environ.get("NEURODEV_PROFILE"))


@dataclass(frozen=True)
class Recording:
    """What one circuit did: spikes, and state snapshots at the start of every checkpoint.

    Attributes
    ----------
    exc_spike_index, exc_spike_time_s : ndarray
        Spikes of L4 excitatory cells (cell index, time in s).
    inh_spike_index, inh_spike_time_s : ndarray
        Inhibitory spikes.
    l23_spike_index, l23_spike_time_s : ndarray
        Spikes of L2/3 excitatory cells.
    ff_weights : ndarray of float32, shape (n_checkpoints, n_ff_synapses)
        Feed-forward weights, in the order of the pool ``spec.projections["input_exc"]``
        (0 for dead candidates).
    ff_alive : ndarray of bool, shape (n_checkpoints, n_ff_synapses)
        Which synapses of the pool are alive.
    formed, eliminated : ndarray of int, shape (n_checkpoints,)
        Feed-forward synapses formed and eliminated since the start of the run.
    threshold_shift_mv : ndarray of float32, shape (n_checkpoints, n_exc)
        Homeostatic threshold shift of every excitatory cell (mV).
    """

    exc_spike_index: np.ndarray
    exc_spike_time_s: np.ndarray
    inh_spike_index: np.ndarray
    inh_spike_time_s: np.ndarray
    l23_spike_index: np.ndarray
    l23_spike_time_s: np.ndarray
    ff_weights: np.ndarray
    ff_alive: np.ndarray
    formed: np.ndarray
    eliminated: np.ndarray
    threshold_shift_mv: np.ndarray


@dataclass(frozen=True)
class Stimulation:
    """Everything the shared input layer needs besides the timeline."""

    waves: WaveParams
    gratings: GratingParams
    grating_wavelength_um: float


@dataclass(frozen=True)
class EngineReport:
    """What one simulation cost.

    Attributes
    ----------
    wall_time_s : dict of str to float
        Seconds spent building the network in Python (``network``), generating code
        (``code_generation``), compiling (``compilation``) and running it (``run``); in runtime
        mode code generation and compilation happen during the run.
    synaptic_events : int
        Spike deliveries (every synapse of every presynaptic spike, burst triggers included)
        plus postsynaptic STDP updates (every plastic synapse of every postsynaptic spike).
    periodic_updates : int
        Synapse updates by periodic statements (normalisation, structural steps).
    n_synapses : int
        Synapses simulated, dead candidates included (burst triggers excluded).
    input_rate_hz, cortex_rate_hz : float
        Mean firing rate of the inputs and of all cortical cells over the run (Hz).
    peak_rss_bytes : int or None
        Peak resident memory of the compiled simulation process (``cpp_standalone`` on
        Linux only, else None).
    """

    wall_time_s: dict[str, float]
    synaptic_events: int
    periodic_updates: int
    n_synapses: int
    input_rate_hz: float
    cortex_rate_hz: float
    peak_rss_bytes: int | None


def simulate(circuits: Sequence[CircuitSpec], timeline: Timeline, stimulation: Stimulation,
             neurons: NeuronParams, plasticity: PlasticityParams, structural: StructuralParams,
             engine: EngineParams, seed: int, build_root: Path,
             rewired: Collection[str] = ()) -> tuple[dict[str, Recording], EngineReport]:
    """Run all `circuits`, side by side on one shared retina, through `timeline`.

    Parameters
    ----------
    circuits : sequence of CircuitSpec
        Circuits with distinct labels and identical input sheets.
    timeline : Timeline
        Epochs (plasticity on) and checkpoints (plasticity frozen, gratings shown).
    structural : StructuralParams
        Structural plasticity of the circuits in `rewired`.
    seed : int
        Seed of Brian2's random number generator (Poisson inputs).
    build_root : Path
        Where ``cpp_standalone`` keeps its build directories, one per circuit shape and
        worker process, reused so that later runs of the same shape compile incrementally.
    rewired : collection of str
        Labels of the circuits whose feed-forward synapses are eliminated and formed from
        their potential pool; the others simulate their live synapses only.

    Returns
    -------
    recordings : dict of str to Recording
        One recording per circuit label.
    report : EngineReport
        Where the wall time went, the synaptic events processed and the peak memory.
    """
    _check_shared_retina(circuits)
    unknown = set(rewired) - {c.label for c in circuits}
    if unknown:
        raise ValueError(f"rewired circuits {sorted(unknown)} are not among the circuits")
    start = time.perf_counter()
    with _device(engine, build_root, _shape_key(circuits)) as build_dir:
        namespace = models.merged_namespace(
            models.namespace(neurons), models.namespace(plasticity), models.namespace(structural),
            _input_namespace(stimulation, timeline, engine.stimulus_frame_ms / 1000))
        b2.seed(seed)
        layout = Layout(circuits, rewired)
        merged = layout.merged_projections()
        network, monitors = _build_network(layout, merged, timeline, neurons, plasticity,
                                           structural, engine, namespace)
        network.run(timeline.duration_s * b2.second, namespace={}, profile=PROFILE)
        built = time.perf_counter()
        if engine.device == "cpp_standalone":
            wall_times = {"network": built - start, **build_and_run(build_dir)}
            peak_rss = wall_times.pop("peak_rss_bytes")
        else:
            wall_times = {"network": 0.0, "code_generation": 0.0, "compilation": 0.0,
                          "run": built - start}
            peak_rss = None
        if PROFILE:
            print(b2.profiling_summary(network, 25))
        recordings = {spec.label: layout.recording(k, monitors) for k, spec in enumerate(circuits)}
        report = EngineReport({name: round(value, 2) for name, value in wall_times.items()},
                              **_synaptic_work(merged, timeline, plasticity, structural, monitors),
                              peak_rss_bytes=peak_rss)
        return recordings, report


def _check_shared_retina(circuits):
    labels = [c.label for c in circuits]
    if len(set(labels)) != len(labels) or not all(label.isidentifier() for label in labels):
        raise ValueError(f"circuit labels must be distinct identifiers, got {labels}")
    first = circuits[0].input_positions_um
    if any(not np.array_equal(c.input_positions_um, first) for c in circuits):
        raise ValueError("circuits run together must share one input sheet")


def _shape_key(circuits) -> str:
    """What determines the generated code: circuit labels and population sizes."""
    shape = [(c.label, c.n_inputs, *c.population_sizes.values()) for c in circuits]
    return hashlib.sha1(repr(shape).encode()).hexdigest()[:12]


def _synaptic_work(merged, timeline, plasticity, structural, monitors) -> dict:
    """Synaptic events, periodic synapse updates and mean rates of the run (`EngineReport`)."""
    input_spikes = np.asarray(monitors["input_spikes"].count[:])
    cortex_spikes = np.asarray(monitors["spikes"].count[:])
    ff, ff_inh, recurrent = merged["input_exc"], merged["input_inh"], merged["recurrent"]
    onsets = sum(len(epoch.drive.burst_input) for epoch in timeline.epochs)
    steps = timeline.duration_s * 1000 / plasticity.normalisation_interval_ms
    if ff.structural.any():
        steps += timeline.duration_s * 1000 / structural.interval_ms
    return {"synaptic_events": spike_deliveries(ff.pre, input_spikes)
            + spike_deliveries(ff_inh.pre, input_spikes)
            + spike_deliveries(recurrent.pre, cortex_spikes)
            + spike_deliveries(ff.post, cortex_spikes) + onsets,
            "periodic_updates": int(ff.n_synapses * steps),
            "n_synapses": ff.n_synapses + ff_inh.n_synapses + recurrent.n_synapses,
            "input_rate_hz": float(input_spikes.mean() / timeline.duration_s),
            "cortex_rate_hz": float(cortex_spikes.mean() / timeline.duration_s)}


@contextmanager
def _device(engine: EngineParams, build_root: Path, shape_key: str) -> Iterator[Path | None]:
    """Select the Brian2 device for one simulation and restore the runtime device afterwards;
    for ``cpp_standalone`` yield a build directory of this circuit shape no other process uses."""
    b2.defaultclock.dt = engine.dt_ms * b2.ms
    if engine.device == "runtime":
        yield None
        return
    with (locked_slot(Path(build_root) / shape_key) as build_dir,
          standalone_device(build_dir, engine.dt_ms * b2.ms)):
        yield build_dir


def _input_namespace(stimulation: Stimulation, timeline: Timeline, frame_s: float) -> dict:
    g = stimulation.gratings
    slot_ms = g.presentation_ms + g.blank_ms
    return {
        "frame_duration": frame_s * b2.second,
        "slot_frames": round(slot_ms / 1000 / frame_s),
        "showing_frames": round(g.presentation_ms / 1000 / frame_s),
        "shown_contrast": g.contrast,
        "grating_direction": _grating_directions(timeline, g),
        "burst_rate": stimulation.waves.burst_rate_hz * b2.Hz,
        "burst_duration": stimulation.waves.burst_duration_ms * b2.ms,
        "grating_k": 2 * np.pi / (stimulation.grating_wavelength_um * b2.um),
        "grating_omega": 2 * np.pi * g.temporal_frequency_hz * b2.Hz,
        "grating_peak_rate": g.peak_rate_hz * b2.Hz,
    }


def _grating_directions(timeline: Timeline, gratings: GratingParams) -> b2.TimedArray:
    """Drift direction (rad) of every presentation slot of every checkpoint, as a function of
    the time within the checkpoint and its index: its size depends on the config only."""
    directions = gratings.directions_rad
    values = np.stack([directions[c.block.direction_index] for c in timeline.checkpoints], axis=1)
    slot = (gratings.presentation_ms + gratings.blank_ms) * b2.ms
    return b2.TimedArray(values, dt=slot, name="grating_direction")


def _follow_schedule(group: b2.NeuronGroup, timeline: Timeline, frame_s: float, code: str):
    """Set `group`'s schedule variables every stimulus frame (before anything else runs)."""
    group.period_frames = round(timeline.checkpoint_period_s / frame_s)
    group.measure_frames = round(timeline.checkpoints[0].duration_s / frame_s)
    group.run_regularly(code, clock=b2.Clock(frame_s * b2.second, name=f"{group.name}_frames"),
                        order=-1, name=f"{group.name}_schedule")


def _build_network(layout, merged, timeline, neurons, plasticity, structural, engine, namespace):
    """Inputs, burst triggers, one population holding every circuit's cells, and three
    synapse objects (plastic feed-forward, static feed-forward, recurrent) shared by all
    circuits, so the cost per time step does not grow with the number of circuits."""
    circuits = layout.circuits
    inputs = _input_group(circuits[0], timeline, engine, namespace)
    onsets, start_burst = _burst_triggers(circuits[0], timeline, inputs, engine, namespace)
    cortex = b2.NeuronGroup(layout.n_cells, models.CORTEX_EQUATIONS,
                            threshold=models.CORTEX_THRESHOLD, reset=models.CORTEX_RESET,
                            refractory="refractory_period", method="euler", name="cortex",
                            namespace=namespace)
    cortex.v = "v_rest + rand() * (v_threshold - v_rest)"
    cortex.leak_rate = 1 / (np.where(layout.is_exc, neurons.tau_m_exc_ms, neurons.tau_m_inh_ms) * b2.ms)
    cortex.excitatory = layout.is_exc.astype(float)
    _follow_schedule(cortex, timeline, engine.stimulus_frame_ms / 1000, models.SCHEDULE_FRAME)

    ff = merged["input_exc"]
    plastic = plastic_feedforward(inputs, cortex, ff, len(circuits[0].input_positions_um),
                                  plasticity, structural, namespace)
    static_ff = _static_synapses(inputs, cortex, merged["input_inh"], "feedforward_inh",
                                 models.STATIC_ON_PRE, namespace)
    recurrent_syn = _static_synapses(cortex, cortex, merged["recurrent"], "recurrent",
                                     models.RECURRENT_ON_PRE, namespace)

    # Checkpoints recur with one period, so sampling at that period hits every one.
    snapshots = b2.Clock(timeline.checkpoint_period_s * b2.second, name="checkpoint_clock")
    structure = ["alive"] if any(layout.rewired) else []
    monitors = {
        "spikes": b2.SpikeMonitor(cortex, name="cortex_spikes"),
        "input_spikes": b2.SpikeMonitor(inputs, record=False, name="input_spike_counts"),
        "synapses": b2.StateMonitor(plastic, ["w", *structure], record=np.arange(ff.n_synapses),
                                    clock=snapshots, name="synapse_snapshots"),
        "cells": b2.StateMonitor(cortex, ["theta", *(["formed", "eliminated"] if structure else [])],
                                 record=layout.indices("exc"), clock=snapshots,
                                 name="cell_snapshots"),
    }
    objects = [inputs, onsets, start_burst, cortex, plastic, static_ff, recurrent_syn,
               _progress_reporter(timeline, engine), *monitors.values()]
    network = b2.Network(*(obj for obj in objects if obj is not None))
    return network, monitors


def plastic_feedforward(inputs: b2.NeuronGroup, cortex: b2.NeuronGroup, ff: MergedProjection,
                        on_inputs: int, plasticity: PlasticityParams,
                        structural: StructuralParams, namespace: dict) -> b2.Synapses:
    """Feed-forward synapses with STDP, per-cell ON/OFF normalisation and, where
    ``ff.structural`` is set, structural plasticity (all inside the compiled loop).

    `inputs` needs `models.INPUT_TRACES`' variables and `cortex` `models.CORTEX_EQUATIONS`';
    inputs ``0 … on_inputs − 1`` are ON cells; the normalisation targets are the cells'
    initial ON and OFF totals.
    """
    n_cells = len(cortex)
    is_on = (ff.pre < on_inputs).astype(float)
    rewiring = ff.structural.any()
    if not (rewiring or ff.alive.all()):
        raise ValueError("dead candidate synapses need structural plasticity")
    for channel, on in (("on", is_on), ("off", 1 - is_on)):
        totals = np.bincount(ff.post, weights=ff.weight * on, minlength=n_cells)
        setattr(cortex, f"total_{channel}", totals)
        setattr(cortex, f"target_{channel}", totals)
        setattr(cortex, f"n_{channel}", np.bincount(ff.post, weights=on * ff.alive, minlength=n_cells))
    synapses = b2.Synapses(
        inputs, cortex, models.FF_SYNAPSE + (models.FF_STRUCTURE if rewiring else ""),
        on_pre=models.FF_ON_PRE, on_post=models.FF_ON_POST, name="feedforward",
        namespace=namespace | {"on_inputs": on_inputs}
        | ({} if rewiring else models.FIXED_SYNAPSES))
    synapses.connect(i=ff.pre, j=ff.post)
    synapses.w = ff.weight
    if rewiring:
        synapses.alive, synapses.structural = ff.alive.astype(float), ff.structural.astype(float)
    normalisation = b2.Clock(plasticity.normalisation_interval_ms * b2.ms, name="normalisation_clock")
    cortex.run_regularly(models.NORMALISE_CELL, clock=normalisation, order=0, name="normalise_cells")
    synapses.run_regularly(models.NORMALISE_SYNAPSE, clock=normalisation, order=1,
                           name="normalise_synapses")
    if rewiring:
        step = b2.Clock(structural.interval_ms * b2.ms, name="structural_clock")
        synapses.run_regularly(models.STRUCTURAL_DRAW, clock=step, order=2, name="structural_draw")
        synapses.run_regularly(models.structural_step(structural), clock=step, order=3, name="restructure")
    return synapses


_PROGRESS_CPP = """
double report_progress(double t, double duration)
{
    static const auto start = std::chrono::steady_clock::now();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double done = t / duration;
    printf("  simulated %6.1f of %.1f s (%3.0f%%), %5.0f s wall, about %.0f s left\\n",
           t, duration, 100 * done, wall, done > 0 ? wall * (1 - done) / done : 0.0);
    fflush(stdout);
    return 0.0;
}
"""


def _progress_reporter(timeline: Timeline, engine: EngineParams):
    """Prints progress from inside the compiled loop about 20 times per run.

    Brian2's own ``report`` reads the process clock once per object and time step, which is
    a system call on some kernels and costs more than the simulation here.
    """

    def report_python(t, duration):
        print(f"  simulated {float(t):6.1f} of {float(duration):.1f} s")
        return 0.0

    report = b2.Function(report_python, arg_units=[b2.second, b2.second], return_unit=1)
    report.implementations.add_implementation(
        "cpp", _PROGRESS_CPP, compiler_kwds={"headers": ["<chrono>", "<cstdio>"]})
    frame = engine.stimulus_frame_ms / 1000
    interval = max(1, round(timeline.duration_s / 20 / frame)) * frame
    # In runtime mode the Python implementation runs, whatever the code generation target.
    runtime = {"codeobj_class": NumpyCodeObject} if engine.device == "runtime" else {}
    clock = b2.Clock(interval * b2.second, name="progress_clock")
    reporter = b2.NeuronGroup(1, "unused : 1\nrun_duration : second (shared, constant)",
                              name="progress", clock=clock,
                              namespace={"report_progress": report}, **runtime)
    reporter.run_duration = timeline.duration_s * b2.second
    reporter.run_regularly("unused = report_progress(t, run_duration)", clock=clock)
    return reporter


class MergedProjection(NamedTuple):
    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    inhibitory: np.ndarray
    alive: np.ndarray
    structural: np.ndarray

    @property
    def n_synapses(self) -> int:
        return len(self.pre)


class Layout:
    """Where each circuit's cells and synapses sit in the merged population.

    Circuit ``c`` owns one contiguous block of cells holding its populations in the order of
    `CircuitSpec.population_sizes` (L4 E, L4 I, L2/3 E, L2/3 I). Projections are concatenated
    in circuit order; a plastic projection is its whole pool in `rewired` circuits and its
    live synapses in the others.
    """

    EXCITATORY = ("exc", "exc23")
    INHIBITORY = ("inh", "inh23")

    def __init__(self, circuits: Sequence[CircuitSpec], rewired: Collection[str]):
        self.circuits = list(circuits)
        self.rewired = [c.label in rewired for c in circuits]
        self.starts, is_exc, start = [], [], 0
        for circuit in circuits:
            starts = {}
            for population, size in circuit.population_sizes.items():
                starts[population] = start
                is_exc.append(np.full(size, population in self.EXCITATORY))
                start += size
            self.starts.append(starts)
        self.n_cells = start
        self.is_exc = np.concatenate(is_exc)

    def merged_projections(self) -> dict[str, MergedProjection]:
        """The three synapse populations the engine simulates: ``input_exc`` (plastic),
        ``input_inh`` and ``recurrent`` (every projection between cortical cells)."""
        recurrent = [name for name in self.circuits[0].projections if not name.startswith("input")]
        return {"input_exc": self.projection("input_exc"),
                "input_inh": self.projection("input_inh"),
                "recurrent": self.projection(*recurrent)}

    def offset(self, circuit_index: int, population: str) -> int:
        return self.starts[circuit_index][population]

    def indices(self, population: str) -> np.ndarray:
        """Merged indices of one population of every circuit, in circuit order."""
        return np.concatenate([self.offset(k, population) + np.arange(c.population_sizes[population])
                               for k, c in enumerate(self.circuits)])

    def simulated(self, k: int, name: str):
        """Circuit `k`'s projection `name` as simulated, and where its synapses sit in the pool."""
        pool = self.circuits[k].projections[name]
        if self.rewired[k] or not pool.plastic:
            return pool, np.arange(pool.n_synapses)
        return pool.live(), np.flatnonzero(pool.alive)

    def projection(self, *names: str) -> MergedProjection:
        """The named projections of every circuit as one, in merged cell indices."""
        parts = []
        for k in range(len(self.circuits)):
            for name in names:
                p, _ = self.simulated(k, name)
                parts.append((p.pre + (0 if p.source == "input" else self.offset(k, p.source)),
                              p.post + self.offset(k, p.target), p.weight,
                              np.full(p.n_synapses, p.source in self.INHIBITORY), p.alive,
                              np.full(p.n_synapses, self.rewired[k] and p.plastic)))
        return MergedProjection(*map(np.concatenate, zip(*parts, strict=True)))

    def recording(self, k: int, monitors) -> Recording:
        circuit = self.circuits[k]
        spikes_i = np.asarray(monitors["spikes"].i[:])
        spikes_t = np.asarray(monitors["spikes"].t[:] / b2.second)

        def spikes_of(population):
            first = self.offset(k, population)
            mine = (spikes_i >= first) & (spikes_i < first + circuit.population_sizes[population])
            return (spikes_i[mine] - first).astype(np.int32), spikes_t[mine]

        simulated, in_pool = self.simulated(k, "input_exc")
        ff_start = sum(self.simulated(j, "input_exc")[0].n_synapses for j in range(k))
        ff = slice(ff_start, ff_start + simulated.n_synapses)
        pool_size = circuit.projections["input_exc"].n_synapses
        snapshots, cells = monitors["synapses"], monitors["cells"]
        n_checkpoints = len(snapshots.t)
        weights = np.zeros((n_checkpoints, pool_size), dtype=np.float32)
        weights[:, in_pool] = snapshots.w[ff].T
        alive = np.zeros((n_checkpoints, pool_size), dtype=bool)
        alive[:, in_pool] = snapshots.alive[ff].T > 0.5 if self.rewired[k] else True
        exc_start = sum(c.n_exc for c in self.circuits[:k])
        exc = slice(exc_start, exc_start + circuit.n_exc)

        def events_so_far(counter):
            if not self.rewired[k]:
                return np.zeros(n_checkpoints, dtype=np.int64)
            return np.rint(getattr(cells, counter)[exc].sum(axis=0)).astype(np.int64)

        (exc_i, exc_t), (inh_i, inh_t), (l23_i, l23_t) = map(spikes_of, ("exc", "inh", "exc23"))
        return Recording(
            exc_spike_index=exc_i, exc_spike_time_s=exc_t,
            inh_spike_index=inh_i, inh_spike_time_s=inh_t,
            l23_spike_index=l23_i, l23_spike_time_s=l23_t,
            ff_weights=weights, ff_alive=alive,
            formed=events_so_far("formed"), eliminated=events_so_far("eliminated"),
            threshold_shift_mv=np.asarray(cells.theta[exc].T / b2.mV, dtype=np.float32),
        )


def _input_group(spec0, timeline, engine, namespace):
    """Retinal ganglion cells, ON then OFF, on their own coarser clock (see EngineParams)."""
    n_sites = len(spec0.input_positions_um)
    clock = b2.Clock(engine.input_dt_ms * b2.ms, name="input_clock")
    inputs = b2.NeuronGroup(spec0.n_inputs, models.INPUT_EQUATIONS, threshold="rand() < rate*dt",
                            reset=models.INPUT_RESET, method="exact", clock=clock, name="inputs",
                            namespace=namespace)
    positions = np.concatenate([spec0.input_positions_um] * 2)
    inputs.x, inputs.y = positions[:, 0] * b2.um, positions[:, 1] * b2.um
    inputs.polarity = np.repeat([1.0, -1.0], n_sites)
    inputs.burst_end = -1 * b2.second
    inputs.baseline_rate = _baseline_rate(timeline) * b2.Hz
    frame_s = engine.stimulus_frame_ms / 1000
    _follow_schedule(inputs, timeline, frame_s, models.SCHEDULE_FRAME + models.GRATING_FRAME)
    return inputs


def _burst_triggers(spec0, timeline, inputs, engine, namespace):
    """A spike at each burst onset sets the input's ``burst_end``: compact, whatever the length."""
    index, time = _burst_onsets(timeline, engine.input_dt_ms / 1000)
    onsets = b2.SpikeGeneratorGroup(spec0.n_inputs, index, time * b2.second, clock=inputs.clock,
                                    name="burst_onsets")
    start_burst = b2.Synapses(onsets, inputs, on_pre="burst_end_post = t + burst_duration",
                              name="start_burst", namespace=namespace)
    start_burst.connect(j="i")
    return onsets, start_burst


def _static_synapses(source, target, projection: MergedProjection, name, on_pre, namespace):
    """Fixed synapses, or None if the projection has none (e.g. no feed-forward inhibition:
    Brian2 cannot connect empty index arrays)."""
    if not projection.n_synapses:
        return None
    synapses = b2.Synapses(source, target, models.STATIC_SYNAPSE, on_pre=on_pre, name=name,
                           namespace=namespace)
    synapses.connect(i=projection.pre, j=projection.post)
    synapses.w = projection.weight
    return synapses


def _baseline_rate(timeline) -> np.ndarray:
    """Each input's rate outside bursts during development (one value for every epoch)."""
    rates = [epoch.drive.baseline_rate_hz for epoch in timeline.epochs]
    if any(not np.array_equal(r, rates[0]) for r in rates):
        raise ValueError("all epochs of one run must share the inputs' baseline rates")
    return rates[0]


def _burst_onsets(timeline, dt_s):
    indices, times = [], []
    for epoch in timeline.epochs:
        indices.append(epoch.drive.burst_input)
        times.append(epoch.start_s + epoch.drive.burst_onset_s)
    index, time = np.concatenate(indices), np.concatenate(times)
    # Quantise to the time step; a site never bursts twice within one step.
    return index, np.round(time / dt_s) * dt_s
