"""The development pipeline every named experiment runs: wire circuits, generate their retinal
waves and gratings, simulate them side by side on one retina, and measure them.

A named experiment is an `Experiment`: which circuits it wires (a `Wiring` per label), what it
measures beyond every circuit's learning curves, and the figure that draws it; `develop` does
the rest.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurodev.circuits.sheets import grid_positions
from neurodev.circuits.spec import build_circuit, wiring_memory_bytes
from neurodev.development.drives import GratingInput, NoiseInput, VisionInput, WaveInput
from neurodev.development.engine import simulate
from neurodev.development.rules import RULES, Rule
from neurodev.development.schedule import Timeline, build_timeline
from neurodev.development.stimuli import grating_block, noise_block
from neurodev.development.waves import RetinalWaves, WaveDrive, WaveParams, wave_drives
from neurodev.experiments.config import ConfigError, ExperimentConfig, refused_as_config_error
from neurodev.experiments.measures.analysis import (
    CIRCUIT_METRICS,
    developmental_course,
    measure_checkpoints,
    summarise,
)
from neurodev.experiments.protocols.wiring import Wiring

Log = Callable[[str], None]


def _nothing_more(config, metrics, arrays, circuits):
    """The measurements of every experiment are those of `develop`."""


def _any_config(config):
    """Every config `validate` accepts can run."""


def needs_vision(experiment: str, why: str) -> Callable[[ExperimentConfig], None]:
    """A `check` refusing schedules without vision epochs, for `experiment`, saying `why`."""
    def check(config: ExperimentConfig):
        if config.schedule.vision_epochs < 1:
            raise ConfigError(f"schedule.vision_epochs = {config.schedule.vision_epochs} is "
                              f"not allowed for {experiment}: at least 1 ({why})")
    return check


@dataclass(frozen=True)
class Experiment:
    """A named experiment, declared: what ``neurodev list`` shows and ``neurodev run NAME`` runs.

    Attributes
    ----------
    name, summary : str
        Its name on the command line and one line about it.
    figure : str
        The module of `neurodev.figures` that draws its stored runs (the CLI joins the two).
    wirings : callable
        ``wirings(config) -> {label: Wiring}``: the circuits it simulates side by side.
    measure : callable
        ``measure(config, metrics, arrays, circuits)`` adds what it measures beyond
        `develop`'s measurements, in place.
    extra_metric_columns : callable
        ``extra_metric_columns(config) -> set of str``: the sweep-table columns `measure` adds.
    grid : tuple of (str, tuple)
        Conditions the experiment always spans, as config keys and their values (e.g.
        ``(("experience.kind", ("normal", "dark")),)``): ``neurodev run`` runs one stored
        run per condition and seed, on the sweep executors, and draws them together.
    tiny_grid : tuple of (str, tuple)
        The same keys with fewer values, for the ``tiny`` preset (default: `grid`).
    check : callable
        ``check(config)`` refuses, with a `ConfigError`, what this experiment cannot run.
    study_figures : tuple of str
        The modules of `neurodev.figures` that draw a study of its runs (several seeds and
        conditions) together, each by ``make(run_dirs, out_dir, name, condition_keys)``.
    """

    name: str
    summary: str
    figure: str
    wirings: Callable[[ExperimentConfig], dict[str, Wiring]]
    measure: Callable = _nothing_more
    extra_metric_columns: Callable[[ExperimentConfig], set[str]] = lambda config: set()
    grid: tuple[tuple[str, tuple], ...] = ()
    tiny_grid: tuple[tuple[str, tuple], ...] = ()
    check: Callable[[ExperimentConfig], None] = _any_config
    study_figures: tuple[str, ...] = ("seeds",)

    def grid_at(self, preset: str) -> tuple[tuple[str, tuple], ...]:
        """The conditions run at `preset`."""
        return self.tiny_grid if preset == "tiny" and self.tiny_grid else self.grid

    def validate(self, config: ExperimentConfig):
        """Refuse, with a `ConfigError`, a config that cannot run; before any work."""
        self.check(config)
        validate(config, self.wirings(config))

    def run(self, config: ExperimentConfig, build_root: Path, log: Log = print):
        """Simulate and measure; ``(metrics, arrays, timings)`` (see `develop`)."""
        metrics, arrays, timings, circuits = develop(config, self.wirings(config), build_root, log)
        self.measure(config, metrics, arrays, circuits)
        return metrics, arrays, timings

    def metric_columns(self, config: ExperimentConfig) -> set[str]:
        """The metric columns of a sweep table of this experiment's runs of `config`."""
        return circuit_metric_columns(config, self.wirings(config)) | self.extra_metric_columns(config)

def develop(config: ExperimentConfig, circuit_wirings: dict[str, Wiring], build_root: Path,
            log: Log = print, synapse_copies: int = 1):
    """Simulate circuits of the given wirings side by side on one retina, and measure them.

    `synapse_copies` > 1 simulates every synapse as that many copies of a fraction of its
    weight, with plasticity's weight bounds scaled alike: the same dynamics with more
    synapses and events (the benchmark's scaling series; `CircuitSpec.replicated`).

    Returns
    -------
    metrics : dict
        JSON-ready numbers; identical for the same config and seed.
    arrays : dict of ndarray
        Per-checkpoint measurements and weights, for the store's ``arrays.npz``.
    timings : dict
        Wall time of each phase (s), for the run's provenance.
    circuits : list of CircuitSpec
        The circuits simulated, for measurements beyond these.
    """
    phase = _Phases(log)

    with phase("circuits", f"wiring {len(circuit_wirings)} circuits"):
        circuits = build_circuits(config, circuit_wirings)
        if synapse_copies > 1:
            circuits = [c.replicated(synapse_copies) for c in circuits]
            config = _scaled_structural_weights(config, 1 / synapse_copies)

    schedule = config.schedule
    with phase("waves", f"generating {schedule.n_epochs} + {schedule.stage3_epochs} × "
               f"{schedule.waves_per_epoch} retinal waves"):
        timeline = development_timeline(config)

    n_cells = sum(sum(c.population_sizes.values()) for c in circuits)
    with phase("simulation", f"simulating {timeline.duration_s:.0f} s of {n_cells} cells and "
               f"{_simulated_synapses(circuits, circuit_wirings)} synapses with Brian2 "
               f"({config.engine.device}: code generation and compilation, then the run)"):
        rewired = [label for label, w in circuit_wirings.items() if w.rewired]
        feedforward, cells = rules(config, bool(rewired))
        recordings, engine = simulate(
            circuits, timeline, input_drives(config, timeline), config.neurons, feedforward, cells,
            config.engine, int(config.seed_stream("brian2").generate_state(1)[0]), build_root,
            rewired=rewired, frozen=[label for label, w in circuit_wirings.items() if w.frozen],
            cortical_rules=cortical_rules(config))
        log("  Brian2: " + ", ".join(f"{name.replace('_', ' ')} {seconds:.1f} s"
                                     for name, seconds in engine.wall_time_s.items()))

    with phase("measurement", "measuring tuning and receptive fields"):
        # One stream per circuit: a circuit added (after the others) changes no other's draws.
        streams = config.seed_stream("analysis").spawn(len(circuits))
        measured = {spec.label: measure_checkpoints(spec, recordings[spec.label], timeline,
                                                    config.gratings, config.front_end,
                                                    config.analysis, np.random.default_rng(stream))
                    for spec, stream in zip(circuits, streams, strict=True)}

    with phase("analysis", "summarising"):
        development = {k: v.tolist() for k, v in timeline.checkpoint_development().items()}
        development["phase"] = schedule.phases(config.waves.preset, config.experience.kind)
        metrics = {"development": development,
                   "simulated_time_s": timeline.duration_s,
                   "network": _network_sizes(circuits), "circuits": {}}
        arrays = {"input_positions_um": circuits[0].input_positions_um}
        for spec in circuits:
            recording = recordings[spec.label]
            summary = summarise(measured[spec.label], spec, recording, timeline, config.analysis)
            metrics["circuits"][spec.label] = summary | developmental_course(
                summary, development, config.analysis)
            arrays |= {f"{spec.label}.{name}": values
                       for name, values in measured[spec.label].items()}
            arrays |= {f"{spec.label}.map_theta": spec.map_theta,
                       f"{spec.label}.l23_theta": spec.l23_theta,
                       f"{spec.label}.rf_centres_um": spec.rf_centres_um,
                       f"{spec.label}.ff_weights": recording.ff_weights,
                       f"{spec.label}.ff_alive": recording.ff_alive}
            arrays |= {f"{spec.label}.{name}_weights": weights
                       for name, weights in recording.cortical_weights.items()}
    timings = {"phase_wall_time_s": phase.wall_times, "engine": dataclasses.asdict(engine)}
    return metrics, arrays, timings, circuits


def circuit_metric_columns(config: ExperimentConfig, circuit_wirings: dict[str, Wiring]) -> set[str]:
    """The metric columns of a sweep table that every run of `config` with these circuits
    has (`developmental_course` adds one convergence column per phase)."""
    phases = config.schedule.phases(config.waves.preset, config.experience.kind)[1:]
    course = ([f"convergence.{phase}" for phase in dict.fromkeys(phases)]
              + [f"headstart.{name}" for name in ("reached", "checkpoint", "real_time_s",
                                                  "censored_at_s")])
    return {"simulated_time_s"} | {f"{label}.{name}" for label in circuit_wirings
                                   for name in (*CIRCUIT_METRICS, *course)}


def build_circuits(config: ExperimentConfig, circuit_wirings: dict[str, Wiring]):
    """Circuits of the given wirings: same anatomy and feed-forward synapse pool (from the
    ``circuits`` seed stream), different weights and L4 → L2/3 specificity."""
    seed_int = int(config.seed_stream("circuits").generate_state(1)[0])
    return [build_circuit(label, config.circuit, config.wiring, w.ff_prior, seed_int,
                          l23_prior_strength=w.l23_prior, shuffled=w.shuffled,
                          nonlocal_arbor=w.nonlocal_arbor)
            for label, w in circuit_wirings.items()]


def input_drives(config: ExperimentConfig, timeline: Timeline):
    """What the inputs show: retinal waves during epochs, then visual experience if the
    schedule has vision epochs, and at checkpoints gratings, then the receptive-field noise
    of `timeline` (if it has any)."""
    drives = [WaveInput(config.waves),
              GratingInput(config.gratings, config.front_end)]
    noise = timeline.checkpoints[0].noise
    if noise is not None:
        drives.append(NoiseInput(noise, config.front_end))
    if config.schedule.vision_epochs:
        drives.append(VisionInput(config.front_end, config.experience,
                                  config.engine.stimulus_frame_ms / 1000,
                                  int(config.seed_stream("vision").generate_state(1)[0])))
    return drives


def rules(config: ExperimentConfig, rewiring: bool) -> tuple[list[Rule], list[Rule]]:
    """The configured plasticity rules of the feed-forward synapses (with structural
    plasticity if any circuit is rewired) and of the cells, each with its section's
    parameters."""
    return (_built(config, [*config.rules.feedforward, *(["structural"] if rewiring else [])]),
            _built(config, config.rules.cells))


def cortical_rules(config: ExperimentConfig) -> dict[str, list[Rule]]:
    """The configured rules of each plastic cortical projection (``rules.l4_l23``,
    ``rules.l23_l23``), by projection name; static projections are left out."""
    return {name: _built(config, names) for name, names in config.rules.cortical().items()}


def _built(config: ExperimentConfig, names) -> list[Rule]:
    return [RULES[name](getattr(config, RULES[name].section) if RULES[name].section else None)
            for name in names]


def check_rules(config: ExperimentConfig):
    """Refuse rule names that no registered rule has."""
    for key in (f.name for f in dataclasses.fields(config.rules)):
        names = getattr(config.rules, key)
        unknown = [name for name in names if name not in RULES or name == "structural"]
        if unknown:
            allowed = ", ".join(sorted(set(RULES) - {"structural"}))
            raise ConfigError(f"rules.{key} = {list(names)} is not allowed: no rule named "
                              f"{unknown[0]!r}; allowed: {allowed}")


def validate(config: ExperimentConfig, circuit_wirings: dict[str, Wiring]):
    """Checks that need the wired circuits, the rule registry or the wave medium; run before
    anything is simulated or written."""
    check_rules(config)
    check_memory(config)
    circuits = build_circuits(config, circuit_wirings)
    if not all(c.projections["input_exc"].n_live for c in circuits):
        raise ConfigError(
            f"circuit.ff_connection_probability = {config.circuit.ff_connection_probability} "
            "is not allowed here: it leaves L4 without feed-forward synapses")
    with refused_as_config_error():
        for waves, *_ in wave_phases(config):
            RetinalWaves(config.circuit.retina_side, config.circuit.retina_spacing_um, waves,
                         np.random.default_rng(0))


def development_timeline(config: ExperimentConfig) -> Timeline:
    """The run's schedule: its wave epochs (`wave_epochs`), vision epochs, grating blocks
    (``gratings`` stream) and receptive-field noise (``rf_mapping`` stream; none if
    ``rf_mapping.n_frames`` is 0)."""
    schedule = config.schedule
    drives = wave_epochs(config)
    protocol_rng = np.random.default_rng(config.seed_stream("gratings"))
    blocks = [grating_block(config.gratings, protocol_rng)
              for _ in range(len(drives) + schedule.vision_epochs + 1)]
    return build_timeline(drives, blocks, config.engine.stimulus_frame_ms / 1000,
                          schedule.vision_epochs, receptive_field_noise(config))


def receptive_field_noise(config: ExperimentConfig):
    """The noise movie every checkpoint shows after its gratings, or None."""
    if not config.rf_mapping.n_frames:
        return None
    circuit = config.circuit
    sites = grid_positions(circuit.retina_side, circuit.retina_spacing_um)
    return noise_block(config.rf_mapping, sites, circuit.retina_spacing_um,
                       np.random.default_rng(config.seed_stream("rf_mapping")))


def wave_epochs(config: ExperimentConfig) -> list[WaveDrive]:
    """The input drive of every wave epoch of development: ``n_epochs`` of the configured
    preset (stage II), then ``stage3_epochs`` of stage-III waves, from a medium of their own
    (stage-III waves are glutamatergic, made by another retinal network than stage II's).

    Each phase draws from its own seed stream (``waves``, ``stage3_waves``), so that runs
    differing only in their stage-II preset see the same stage-III waves."""
    drives = []
    with refused_as_config_error():
        for waves, n_epochs, stream in wave_phases(config):
            rng = np.random.default_rng(config.seed_stream(stream))
            medium = RetinalWaves(config.circuit.retina_side, config.circuit.retina_spacing_um,
                                  waves, rng)
            events = [medium.next(config.schedule.waves_per_epoch) for _ in range(n_epochs)]
            drives += wave_drives(events, waves, config.circuit.retina_side**2, rng)
    return drives


def wave_phases(config: ExperimentConfig) -> list[tuple[WaveParams, int, str]]:
    """The wave phases of development that have epochs: (their wave parameters, epochs,
    seed stream). ``waves.correlation`` is stage II's: stage III is always fully correlated."""
    schedule = config.schedule
    phases = [(config.waves, schedule.n_epochs, "waves"),
              (dataclasses.replace(config.waves, preset="stage3", correlation=1.0),
               schedule.stage3_epochs, "stage3_waves")]
    return [phase for phase in phases if phase[1]]


def check_memory(config: ExperimentConfig):
    """Refuse circuits whose wiring would not fit in this machine's available memory."""
    needed, available = wiring_memory_bytes(config.circuit), available_memory_bytes()
    if available is not None and needed > available:
        raise ConfigError(
            f"circuit sizes (retina_side {config.circuit.retina_side}, exc_side "
            f"{config.circuit.exc_side}, l23_exc_side {config.circuit.l23_exc_side}, inh_count "
            f"{config.circuit.inh_count}) are not allowed on this machine: wiring them needs "
            f"about {needed / 2**30:,.1f} GiB of memory, {available / 2**30:,.1f} GiB is available")


def available_memory_bytes() -> int | None:
    """Memory available to a new process (Linux ``MemAvailable``); None where unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _scaled_structural_weights(config: ExperimentConfig, factor: float) -> ExperimentConfig:
    """`config` with the weights of structural plasticity scaled by `factor` (the weight
    bound comes from the wiring, which scales it itself)."""
    s = config.structural
    return dataclasses.replace(
        config, structural=dataclasses.replace(
            s, elimination_threshold=s.elimination_threshold * factor,
            formation_weight=s.formation_weight * factor))


def _simulated_synapses(circuits, circuit_wirings) -> int:
    """Live synapses, plus the dead candidates of rewired circuits' pools."""
    return sum(p.n_synapses if circuit_wirings[c.label].rewired else p.n_live
               for c in circuits for p in c.projections.values())


def _network_sizes(circuits) -> dict:
    first = circuits[0]
    return {"n_inputs": first.n_inputs, **{f"n_{k}": v for k, v in first.population_sizes.items()},
            "synapses": {c.label: {name: p.n_live for name, p in c.projections.items()}
                         for c in circuits}}


class _Phases:
    """Logs each phase of a run and keeps its wall time."""

    def __init__(self, log):
        self.log, self.wall_times = log, {}

    @contextmanager
    def __call__(self, name: str, description: str):
        self.log(f"· {description} …")
        start = time.perf_counter()
        yield
        self.wall_times[name] = round(time.perf_counter() - start, 2)
        self.log(f"  done in {self.wall_times[name]:.1f} s")
