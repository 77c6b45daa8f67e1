"""The Brian2 engine: runs one or more circuits that share a retina through a `Timeline`.

All circuits receive the very same input spikes (one shared input group), so differences
between them come from their wiring alone. The network is built once from the base models
(`models`), the plasticity rules of the feed-forward projection, of the plastic cortical
projections (`CORTICAL_PLASTIC`) and of the cells
(`neurodev.development.rules`) and the input drives (`neurodev.development.drives`); every
epoch and every measurement runs in it, in compiled code (``cpp_standalone``) by default.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import brian2 as b2
import numpy as np

from neurodev.circuits.spec import INPUT_CHANNELS, CircuitSpec
from neurodev.development import models
from neurodev.development.drives import Drive
from neurodev.development.integration import METHODS, jump_namespace
from neurodev.development.layout import Layout, MergedProjection, MergedRecording, Recording
from neurodev.development.params import CORTICAL_PLASTIC, EngineParams, NeuronParams
from neurodev.development.recorders import Snapshots, SpikeTally, Streams
from neurodev.development.rules import Periodic, Rule, Statements
from neurodev.development.schedule import MEASUREMENT, Timeline
from neurodev.development.standalone import (
    build_and_run,
    locked_slot,
    spike_deliveries,
    standalone_device,
)

PROFILE = bool(os.environ.get("NEURODEV_PROFILE"))


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


def simulate(circuits: Sequence[CircuitSpec], timeline: Timeline, drives: Sequence[Drive],
             neurons: NeuronParams, rules: Sequence[Rule], cell_rules: Sequence[Rule],
             engine: EngineParams, seed: int, build_root: Path,
             rewired: Collection[str] = (), frozen: Collection[str] = (),
             cortical_rules: Mapping[str, Sequence[Rule]] | None = None,
             ) -> tuple[dict[str, Recording], EngineReport]:
    """Run all `circuits`, side by side on one shared retina, through `timeline`.

    Parameters
    ----------
    circuits : sequence of CircuitSpec
        Circuits with distinct labels and identical input sheets.
    timeline : Timeline
        Its segments: what the inputs show (each kind served by one of `drives`, whose rate
        terms add up in their order) and whether plasticity is on.
    rules : sequence of Rule
        The plasticity rules of the feed-forward projection onto L4, in the order their
        statements run; ``cell_rules`` those of the cortical cells (e.g. the homeostatic
        threshold).
    seed : int
        Seed of Brian2's random number generator (Poisson inputs, structural plasticity) and
        of the cells' initial membrane potentials (`Layout.common_uniform`).
    build_root : Path
        Where ``cpp_standalone`` keeps its build directories, one per circuit shape and
        worker process, reused so that later runs of the same shape compile incrementally.
    rewired : collection of str
        Labels of the circuits whose feed-forward synapses are eliminated and formed from
        their potential pool (by a rule that `provides` ``alive``); the others simulate
        their live synapses only.
    frozen : collection of str
        Labels of the circuits whose synapses do not learn (``learns`` is 0 on their cells:
        the frozen-plasticity control); their cells' rules act as in the others.
    cortical_rules : mapping of str to sequence of Rule
        The rules of each plastic projection within the cortex (a key of
        `CORTICAL_PLASTIC`, e.g. ``exc_exc23``), in the order their statements run; the
        other cortical projections are static.

    Returns
    -------
    recordings : dict of str to Recording
        One recording per circuit label.
    report : EngineReport
        Where the wall time went, the synaptic events processed and the peak memory.
    """
    cortical_rules = {name: list(r) for name, r in (cortical_rules or {}).items() if r}
    _check_shared_retina(circuits)
    _check_plug_ins(circuits, timeline, drives, rules, rewired, frozen, cortical_rules)
    start = time.perf_counter()
    shape = _shape_key(circuits, drives, rules, cell_rules, engine, cortical_rules)
    with _device(engine, build_root, shape) as build_dir:
        frame_s = engine.stimulus_frame_ms / 1000
        tally, streams = SpikeTally.of(drives), Streams()
        namespace = models.merged_namespace(
            *_rule_namespaces(neurons, [*cell_rules, *rules,
                                        *(r for rs in cortical_rules.values() for r in rs)]),
            _schedule_namespace(timeline, drives, frame_s),
            *(drive.namespace(timeline, frame_s, engine.input_dt_ms / 1000) for drive in drives),
            tally.namespace(streams),
            jump_namespace(engine.method, engine.dt_ms / 1000, neurons.tau_exc_ms / 1000,
                           neurons.tau_inh_ms / 1000))
        b2.seed(seed)
        layout = Layout(circuits, rewired, frozen)
        merged = layout.merged_projections(list(cortical_rules))
        network, recorders, periodic = _build_network(layout, merged, timeline, drives, neurons,
                                                      rules, cell_rules, cortical_rules, tally,
                                                      streams, engine, namespace, seed)
        network.run(timeline.duration_s * b2.second, namespace={}, profile=PROFILE)
        built = time.perf_counter()
        if engine.device == "cpp_standalone":
            for drive in drives:
                drive.write_files(timeline, engine.input_dt_ms / 1000, build_dir)
            wall_times = {"network": built - start, **build_and_run(build_dir)}
            peak_rss = wall_times.pop("peak_rss_bytes")
        else:
            wall_times = {"network": 0.0, "code_generation": 0.0, "compilation": 0.0,
                          "run": built - start}
            peak_rss = None
        if PROFILE:
            print(b2.profiling_summary(network, 25))
        results_dir = None if build_dir is None else Path(b2.device.results_dir)
        tallies = tally.read(streams, recorders["cortex"], results_dir, _n_windows(timeline),
                             len(timeline.segments))
        recorded = _merged_recording(recorders, layout, results_dir, tallies)
        recordings = {spec.label: layout.recording(k, recorded) for k, spec in enumerate(circuits)}
        report = EngineReport({name: round(value, 2) for name, value in wall_times.items()},
                              **_synaptic_work(merged, timeline, periodic, recorders["input_spikes"],
                                               recorded.segment_spikes.sum(axis=0)),
                              peak_rss_bytes=peak_rss)
        return recordings, report


def _check_shared_retina(circuits):
    labels = [c.label for c in circuits]
    if len(set(labels)) != len(labels) or not all(label.isidentifier() for label in labels):
        raise ValueError(f"circuit labels must be distinct identifiers, got {labels}")
    first = circuits[0].input_positions_um
    if any(not np.array_equal(c.input_positions_um, first) for c in circuits):
        raise ValueError("circuits run together must share one input sheet")


def _check_plug_ins(circuits, timeline, drives, rules, rewired, frozen, cortical_rules):
    for kind, labels in (("rewired", rewired), ("frozen", frozen)):
        unknown = set(labels) - {c.label for c in circuits}
        if unknown:
            raise ValueError(f"{kind} circuits {sorted(unknown)} are not among the circuits")
    if set(rewired) & set(frozen):
        raise ValueError(f"circuits {sorted(set(rewired) & set(frozen))} cannot be both "
                         "rewired and frozen")
    if rewired and not any("alive" in rule.provides for rule in rules):
        raise ValueError("rewired circuits need a rule that provides 'alive' (structural)")
    unknown = set(cortical_rules) - set(CORTICAL_PLASTIC)
    if unknown:
        raise ValueError(f"projections {sorted(unknown)} cannot be plastic; cortical "
                         f"projections that can: {sorted(CORTICAL_PLASTIC)}")
    missing = set(timeline.kinds) - {drive.kind for drive in drives}
    if missing:
        raise ValueError(f"no input drive for the segments of kind {sorted(missing)}")


def _shape_key(circuits, drives, rules, cell_rules, engine: EngineParams, cortical_rules) -> str:
    """What determines the generated code: circuit labels, population sizes, drives, rules,
    the state variables' type and the integration method."""
    shape = [(c.label, c.n_inputs, *c.population_sizes.values()) for c in circuits]
    plug_ins = [d.kind for d in drives], [r.name for r in rules], [r.name for r in cell_rules]
    if cortical_rules:  # (so that the keys of runs without them stay what they were)
        plug_ins += ({name: [r.name for r in rs] for name, rs in cortical_rules.items()},)
    key = (shape, plug_ins, engine.float_type, engine.method)
    return hashlib.sha1(repr(key).encode()).hexdigest()[:12]


def _rule_namespaces(neurons: NeuronParams, rules: Sequence[Rule]) -> list[dict]:
    """The neurons' namespace and each rule's; rules of one config section share it."""
    sections = {"neurons": models.namespace(neurons)}
    for rule in rules:
        sections.setdefault(rule.section or rule.name, rule.namespace())
    return list(sections.values())


def _weight_bound(circuits, projection: str) -> float:
    """``w_max`` of a plastic projection: the wiring's (`Projection.weight_bound`), the
    largest of every circuit's, since their synapses share one object and namespace (a
    feed-forward bound must be the same for all: it is the channel's total weight)."""
    bounds = {c.projections[projection].weight_bound for c in circuits}
    if not all(np.isfinite(b) for b in bounds) or (projection == "input_exc" and len(bounds) != 1):
        raise ValueError(f"circuits run together need one finite weight bound of {projection}, "
                         f"got {sorted(bounds)}")
    return max(bounds)


def _schedule_namespace(timeline: Timeline, drives, frame_s: float) -> dict:
    """The frame length and the per-period tables of segment kind and plasticity."""
    kind, plastic = timeline.period_table(models.segment_kinds(drives))
    frame = frame_s * b2.second
    return {"frame_duration": frame,
            "segment_kind": b2.TimedArray(kind, dt=frame, name="segment_kind"),
            "segment_plastic": b2.TimedArray(plastic, dt=frame, name="segment_plastic")}


def _n_windows(timeline: Timeline) -> dict[str, int]:
    """Response windows of the run: one per grating presentation (``window``) and one per
    noise frame (``count``)."""
    checkpoints = timeline.of_kind(MEASUREMENT)
    return {"window": sum(len(c.block.onset_s) for c in checkpoints),
            "count": sum(0 if c.noise is None else len(c.noise.checks) for c in checkpoints)}


def _synaptic_work(merged, timeline, periodic: dict[str, Sequence[Periodic]], input_monitor,
                   cortex_spikes) -> dict:
    """Synaptic events, periodic synapse updates and mean rates of the run (`EngineReport`);
    `periodic`: each plastic projection's periodic statements."""
    input_spikes = np.asarray(input_monitor.count[:])
    ff, ff_inh, recurrent = merged["input_exc"], merged["input_inh"], merged["recurrent"]
    cortical = [merged[name] for name in periodic if name != "input_exc"]
    updates = 0.0
    for name, statements in periodic.items():
        intervals = {p.clock: p.interval_ms for p in statements if p.target == "synapses"}
        updates += merged[name].n_synapses * sum(timeline.duration_s * 1000 / interval
                                                 for interval in intervals.values())
    return {"synaptic_events": spike_deliveries(ff.pre, input_spikes)
            + spike_deliveries(ff_inh.pre, input_spikes)
            + spike_deliveries(recurrent.pre, cortex_spikes)
            + spike_deliveries(ff.post, cortex_spikes)
            + sum(spike_deliveries(p.pre, cortex_spikes) + spike_deliveries(p.post, cortex_spikes)
                  for p in cortical),
            "periodic_updates": int(updates),
            "n_synapses": ff.n_synapses + ff_inh.n_synapses + recurrent.n_synapses
            + sum(p.n_synapses for p in cortical),
            "input_rate_hz": float(input_spikes.mean() / timeline.duration_s),
            "cortex_rate_hz": float(cortex_spikes.mean() / timeline.duration_s)}


@contextmanager
def _device(engine: EngineParams, build_root: Path, shape_key: str) -> Iterator[Path | None]:
    """Select the Brian2 device for one simulation and restore the runtime device afterwards;
    for ``cpp_standalone`` yield a build directory of this circuit shape no other process uses."""
    b2.defaultclock.dt = engine.dt_ms * b2.ms
    float_type = b2.prefs.core.default_float_dtype
    b2.prefs.core.default_float_dtype = getattr(np, engine.float_type)
    try:
        if engine.device == "runtime":
            yield None
            return
        with (locked_slot(Path(build_root) / shape_key) as build_dir,
              standalone_device(build_dir, engine.dt_ms * b2.ms)):
            yield build_dir
    finally:
        b2.prefs.core.default_float_dtype = float_type


def _follow_schedule(group: b2.NeuronGroup, timeline: Timeline, frame_s: float, code: str,
                     **options):
    """Set `group`'s schedule variables every stimulus frame (before anything else runs)."""
    group.period_frames = round(timeline.checkpoint_period_s / frame_s)
    group.measure_frames = round(timeline.checkpoints[0].duration_s / frame_s)
    group.run_regularly(code, clock=b2.Clock(frame_s * b2.second, name=f"{group.name}_frames"),
                        order=-1, name=f"{group.name}_schedule", **options)


def _build_network(layout, merged, timeline, drives, neurons, rules, cell_rules, cortical_rules,
                   tally, streams, engine, namespace, seed):
    """Inputs, the drives' objects, one population holding every circuit's cells, and the
    synapse objects (plastic feed-forward, static feed-forward, each plastic cortical
    projection, the other recurrent ones) shared by all circuits, so the cost per time step
    does not grow with the number of circuits."""
    circuits = layout.circuits
    frame_s = engine.stimulus_frame_ms / 1000
    inputs = input_group(circuits[0], timeline, drives, rules, engine, namespace)
    drive_objects = [obj for drive in drives
                     for obj in drive.objects(inputs, timeline, engine.input_dt_ms / 1000, namespace)]
    cortex = cortex_group(layout.n_cells, [*cell_rules, *rules, tally], namespace,
                          method=engine.method, cortical=cortical_rules)
    # Drawn in NumPy, so that Brian2's random numbers (one stream) serve the inputs alone and
    # their spikes do not depend on how many cells the circuits have.
    cortex.v = (neurons.v_rest_mv + layout.common_uniform(seed)
                * (neurons.v_threshold_mv - neurons.v_rest_mv)) * b2.mV
    cortex.leak_rate = 1 / (np.where(layout.is_exc, neurons.tau_m_exc_ms, neurons.tau_m_inh_ms) * b2.ms)
    cortex.excitatory = layout.is_exc.astype(float)
    cortex.learns = layout.learns.astype(float)
    _follow_schedule(cortex, timeline, frame_s, models.PLASTICITY_FRAME + tally.frame_statements(),
                     **models.python_functions())

    ff = merged["input_exc"]
    clocks = {}
    plastic, ff_periodic = plastic_feedforward(inputs, cortex, ff, circuits[0].input_channel,
                                               rules, namespace, _weight_bound(circuits, "input_exc"),
                                               clocks)
    periodic = {"input_exc": ff_periodic}
    cortical = {}
    for name, projection_rules in cortical_rules.items():
        cortical[name], periodic[name] = plastic_synapses(
            cortex, cortex, merged[name], (CORTICAL_PLASTIC[name],),
            np.zeros(merged[name].n_synapses, int), {}, projection_rules, namespace,
            _weight_bound(circuits, name), name, clocks)
    static_ff = _static_synapses(inputs, cortex, merged["input_inh"], "feedforward_inh",
                                 models.STATIC_ON_PRE, namespace)
    recurrent_syn = _static_synapses(cortex, cortex, merged["recurrent"], "recurrent",
                                     models.RECURRENT_ON_PRE, namespace)

    # Checkpoints recur with one period, so sampling at that period hits every one.
    checkpoints = b2.Clock(timeline.checkpoint_period_s * b2.second, name="checkpoint_clock")
    input_spikes = b2.SpikeMonitor(inputs, record=False, name="input_spike_counts")
    recorders = {
        "cortex": cortex, "input_spikes": input_spikes,
        "synapses": Snapshots(plastic, {"w": 1, "alive": 1}, checkpoints, "synapse_snapshots",
                              streams),
        "cells": Snapshots(cortex, {"theta": b2.volt, "formed": 1, "eliminated": 1}, checkpoints,
                           "cell_snapshots", streams),
        "cortical": {name: Snapshots(synapses, {"w": 1}, checkpoints, f"{name}_snapshots", streams)
                     for name, synapses in cortical.items()},
    }
    objects = [inputs, *drive_objects, cortex, plastic, *cortical.values(), static_ff, recurrent_syn,
               _progress_reporter(timeline, engine), input_spikes]
    network = b2.Network(*(obj for obj in objects if obj is not None))
    return network, recorders, periodic


def input_group(spec0: CircuitSpec, timeline: Timeline, drives: Sequence[Drive],
                rules: Sequence[Rule], engine: EngineParams, namespace: dict) -> b2.NeuronGroup:
    """Retinal ganglion cells of every channel (ON then OFF), inhomogeneous Poisson at the
    sum of the drives' rates, on their own coarser clock (see `EngineParams`)."""
    model, reset = models.input_model(drives, rules, INPUT_CHANNELS)
    clock = b2.Clock(engine.input_dt_ms * b2.ms, name="input_clock")
    inputs = models.poisson_group(spec0.n_inputs, model, reset, clock, namespace, "inputs")
    positions = np.concatenate([spec0.input_positions_um] * len(INPUT_CHANNELS))
    inputs.x, inputs.y = positions[:, 0] * b2.um, positions[:, 1] * b2.um
    inputs.polarity = spec0.input_polarity
    for drive in drives:
        drive.initialise(inputs, timeline, positions)
    showing = models.showing_frame(models.segment_kinds(drives))
    frames = "".join([*(drive.shared_frame_statements() for drive in drives),
                      *(drive.frame_statements() for drive in drives)])
    _follow_schedule(inputs, timeline, engine.stimulus_frame_ms / 1000, showing + frames)
    return inputs


def cortex_group(n_cells: int, rules: Sequence[Rule], namespace: dict,
                 name: str = "cortex", method: str = "euler",
                 cortical: Mapping[str, Sequence[Rule]] | None = None) -> b2.NeuronGroup:
    """Conductance-based LIF cells with the variables, threshold terms and resets of
    `rules` (cell rules, then the rules of the feed-forward projection onto them, then e.g.
    a `SpikeTally`) and of the rules of the `cortical` projections (by name, both ends)."""
    model, threshold, reset = models.cortex_model(
        rules, INPUT_CHANNELS, [(rule, (CORTICAL_PLASTIC[projection],))
                                for projection, rs in (cortical or {}).items() for rule in rs])
    group = b2.NeuronGroup(n_cells, model, threshold=threshold, reset=reset,
                           refractory="refractory_period", method=METHODS[method], name=name,
                           namespace=namespace)
    group.learns = 1  # synapses learn unless a frozen control says otherwise
    return group


def plastic_feedforward(inputs: b2.NeuronGroup, cortex: b2.NeuronGroup, ff: MergedProjection,
                        input_channel: np.ndarray, rules: Sequence[Rule], namespace: dict,
                        weight_bound: float | None = None,
                        clocks: dict | None = None) -> tuple[b2.Synapses, list[Periodic]]:
    """Feed-forward synapses shaped by `rules` (all inside the compiled loop); returns them
    and the rules' periodic statements.

    `inputs` and `cortex` need the rules' presynaptic and postsynaptic variables
    (`input_group`, `cortex_group`); `input_channel` is each input's channel (an index into
    `INPUT_CHANNELS`). `weight_bound` is ``w_max`` (if None, `namespace` has it).
    """
    if not (ff.structural.any() or ff.alive.all()):
        raise ValueError("dead candidate synapses need structural plasticity")
    return plastic_synapses(inputs, cortex, ff, INPUT_CHANNELS, input_channel[ff.pre],
                            models.channel_ends(input_channel, INPUT_CHANNELS), rules, namespace,
                            weight_bound, "feedforward", {} if clocks is None else clocks)


def plastic_synapses(source: b2.NeuronGroup, target: b2.NeuronGroup,
                     projection: MergedProjection, channels: Sequence[str],
                     synapse_channel: np.ndarray, channel_ends: dict, rules: Sequence[Rule],
                     namespace: dict, weight_bound: float | None, name: str,
                     clocks: dict) -> tuple[b2.Synapses, list[Periodic]]:
    """Synapses of `projection` shaped by `rules`, their periodic statements on the shared
    `clocks` (by name; filled in). `synapse_channel` is each synapse's index into
    `channels` (a cortical projection has one channel, its source population)."""
    statements = Statements(rules, channels)
    provided = {n for rule in rules for n in rule.provides}
    synapses = b2.Synapses(
        source, target,
        models.PLASTIC_SYNAPSE + models.channel_indicators(channels)
        + "".join(rule.synapse_model(channels) for rule in rules),
        on_pre=models.PLASTIC_ON_PRE + "".join(rule.on_pre(statements) for rule in rules),
        on_post="".join(rule.on_post(statements) for rule in rules) or None,
        name=name,
        namespace=models.merged_namespace(
            namespace, channel_ends, {} if "alive" in provided else {"alive": 1.0},
            {} if weight_bound is None else {"w_max": weight_bound}))
    synapses.connect(i=projection.pre, j=projection.post)
    synapses.w = projection.weight
    for rule in rules:
        rule.initialise(synapses, target, projection, synapse_channel, channels)
    periodic = [p for rule in rules for p in rule.periodic(statements)]
    # The feed-forward objects keep their names: Brian2 orders the objects of one time slot
    # and order by name, so renaming them would reorder the statements of every run.
    prefix = "" if name == "feedforward" else f"{name}_"
    for p in periodic:
        clock = clocks.setdefault(p.clock, b2.Clock(p.interval_ms * b2.ms, name=p.clock))
        group = synapses if p.target == "synapses" else target
        group.run_regularly(p.statements, clock=clock, order=p.order, name=prefix + p.name)
    return synapses, periodic


def _merged_recording(recorders, layout: Layout, results_dir: Path | None,
                      tallies: dict) -> MergedRecording:
    """The recorders' files as arrays (snapshots: one row per checkpoint), with the cortex's
    `SpikeTally` read out."""
    synapses = recorders["synapses"].read(results_dir)
    cortical = {name: snapshots.read(results_dir)["w"]
                for name, snapshots in recorders["cortical"].items()}
    exc = layout.indices("exc")
    cells = {name: values[:, exc] for name, values in recorders["cells"].read(results_dir).items()}
    theta = cells.get("theta")
    return MergedRecording(
        **tallies, ff_weights=synapses["w"], ff_alive=synapses.get("alive"),
        threshold_shift_mv=(np.zeros((len(synapses["w"]), len(exc))) if theta is None
                            else theta / 1e-3),
        formed=cells.get("formed"), eliminated=cells.get("eliminated"), cortical_weights=cortical)


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
    clock = b2.Clock(interval * b2.second, name="progress_clock")
    reporter = b2.NeuronGroup(1, "unused : 1\nrun_duration : second (shared, constant)",
                              name="progress", clock=clock,
                              namespace={"report_progress": report}, **models.python_functions())
    reporter.run_duration = timeline.duration_s * b2.second
    reporter.run_regularly("unused = report_progress(t, run_duration)", clock=clock)
    return reporter


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
