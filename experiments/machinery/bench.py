"""``neurodev bench``: where a development run's time and memory go, against bare Brian2.

Three parts, run in one invocation and reported side by side (printed, and written as JSON):

``headline``
    The headline experiment at the chosen preset, timed by phase, in a fresh build directory
    (so its compilation is a first build).
``bare``
    `development.bare_reference`: plain Brian2 with the headline's cells, synapses, mean input
    rate and simulated time — what the compiled engine itself costs.
``floor``
    The same cells alone in plain Brian2 (no inputs, synapses or monitors), same time step
    and simulated time: the least any simulation of them costs.
``threads``
    The bare network again with two OpenMP threads, and as two one-thread processes at once:
    how two cores are best used.
``series``
    The headline's circuits with another seed and a one-epoch schedule, in the same build
    directory (its compilation is a rebuild in place), then with every synapse doubled and
    quadrupled (`CircuitSpec.replicated`: same dynamics, ×2 and ×4 synapses and events), with
    two epochs (about twice the biological time), with four times the waves in its epoch
    (memory must not grow with them), and with structural plasticity on.
``dt``
    The time-step study (`time_step`): the headline at every time step over 5 seeds, stored
    in the result store (so it resumes), against the seed spread at the finest.
``sweep``
    A sweep of 8 runs (4 prior strengths × 2 seeds) done one after another on one local
    worker, then on two, each into a fresh store: first from an empty build directory, then
    again with every worker's build directory compiled. Run it with ``--preset tiny``.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from neurodev.development.bare_reference import Synapses, run_bare_reference, run_floor
from neurodev.development.layout import Layout
from neurodev.development.standalone import run_copies_at_once
from neurodev.experiments.config import ConfigError, ExperimentConfig, to_toml
from neurodev.experiments.machinery import time_step
from neurodev.experiments.machinery.runner import code_version, provenance, run_key, store_results
from neurodev.experiments.machinery.store import ResultStore
from neurodev.experiments.machinery.sweep import (
    DEFAULT_METRICS,
    Axis,
    build_sweep,
    compile_times,
    run_sweep,
)
from neurodev.experiments.protocols import pipeline
from neurodev.experiments.protocols.scratch_vs_prior import EXPERIMENT as HEADLINE

#: What ``neurodev bench`` runs unless told: the sweep part is 32 runs, meant for ``tiny``;
#: the time-step study 20 runs of the preset.
DEFAULT_PARTS = ("headline", "bare", "floor", "threads", "series")
PARTS = (*DEFAULT_PARTS, "sweep", "dt")
#: Parts measured against the headline run's network and rates.
NEEDS_HEADLINE = ("bare", "floor", "threads", "series")
#: Targets: simulated seconds per wall second of the headline, its simulation against bare
#: Brian2 and against the floor at the same time step, bytes per synapse (total, meant at
#: ``paper``), peak memory with 4× the waves over 1×, rebuild seconds, structural
#: plasticity's extra time, linearity, and two sweep workers against one.
TARGETS = {"simulated_s_per_wall_s": 40.0, "simulation_vs_bare": 1.2, "simulation_vs_floor": 1.6,
           "bytes_per_synapse": 150, "memory_waves_x4": 1.10, "rebuild_compilation_s": 5.0,
           "structural_extra": 0.10, "linearity_error": 0.20, "sweep_two_workers_vs_one": 0.65}
#: Checks met by reaching their target rather than staying below it.
AT_LEAST = ("simulated_s_per_wall_s",)
#: (name, seed, synapse copies, epochs, waves per epoch (× the preset's), structural
#: plasticity) of the scaling series, seeds counted among those after the headline's that
#: the headline accepts; ``reseeded`` differs from ``base`` in its seed only: its compilation
#: is the rebuild in place.
SERIES = (("base", 0, 1, 1, 1, False), ("reseeded", 1, 1, 1, 1, False),
          ("synapses_x2", 0, 2, 1, 1, False), ("synapses_x4", 0, 4, 1, 1, False),
          ("time_x2", 0, 1, 2, 1, False), ("waves_x4", 0, 1, 1, 4, False),
          ("structural", 0, 1, 1, 1, True))


def check_parts(parts: list[str]) -> list[str]:
    """Refuse no parts, unknown or repeated parts, and parts without the headline run they
    are measured against."""
    if not parts:
        raise ConfigError(f"--parts names no part: give some of {', '.join(PARTS)}")
    if len(set(parts)) < len(parts):
        raise ConfigError(f"--parts {','.join(parts)} names a part twice")
    for part in parts:
        if part not in PARTS:
            raise ConfigError(f"bench part '{part}' is not allowed: one of {', '.join(PARTS)}")
    dependent = [part for part in parts if part in NEEDS_HEADLINE]
    if dependent and "headline" not in parts:
        raise ConfigError(f"bench parts {', '.join(dependent)} need 'headline' (they are "
                          "measured against its network and rates)")
    return parts


def run_bench(config: ExperimentConfig, parts: list[str], figure: Callable | None = None,
              build_root: Path | None = None, log: Callable[[str], None] = print,
              preset: str = "quick", store: Path | None = None) -> dict:
    """Run the benchmark parts; return the report (JSON-ready). `figure`, the headline's
    ``make(run_dir, out_dir)``, is timed too if given; the time-step study stores its runs
    in `store` (default: a scratch directory)."""
    check_parts(parts)
    HEADLINE.validate(config)
    with tempfile.TemporaryDirectory(prefix="neurodev-bench-") as scratch:
        root = Path(build_root or scratch)
        report = {"provenance": provenance(config, datetime.now(UTC), 0.0), "config": to_toml(config)}
        if "headline" in parts:
            report["headline"] = _headline(config, root, Path(scratch), figure, log)
        if any(part in parts for part in ("bare", "floor", "threads")):
            bare = _bare_network(config, report["headline"])
        if "bare" in parts:
            report["bare"] = _bare(bare, root / "bare", log)
        if "floor" in parts:
            report["floor"] = _floor(bare, root / "floor", log)
        if "threads" in parts:
            report["threads"] = _threads(bare, root, log)
        if "series" in parts:
            report["series"] = _series(config, root, log)
        if "sweep" in parts:
            report["sweep"] = _sweep(config, root / "sweep", Path(scratch) / "sweep", log)
        if "dt" in parts:
            log("bench: the time-step study")
            report["dt"] = time_step.run_study(config, preset, store or Path(scratch) / "dt",
                                               build_root=root / "dt", log=log)
    if "series" in parts:
        report["marginal_bytes_per_synapse"] = marginal_bytes_per_synapse(report["series"])
        report["compilation_s"] = {"first": report["headline"]["wall_time_s"]["compilation"],
                                   "rebuilt": report["series"]["reseeded"]["wall_time_s"]["compilation"]}
    report["checks"] = checks(report)
    return report


def _headline(config, root, scratch, figure, log) -> dict:
    log("bench: the headline experiment, first build")
    metrics, arrays, timings = HEADLINE.run(config, root, log)
    phases = dict(timings["phase_wall_time_s"])
    start = time.perf_counter()
    run_dir = store_results(HEADLINE.name, run_key(config), config, ResultStore(scratch / "store"),
                            lambda: (metrics, arrays, timings), log=lambda message: None)
    phases["store"] = time.perf_counter() - start
    if figure is not None:
        start = time.perf_counter()
        figure(run_dir, scratch / "figures")
        phases["figure"] = time.perf_counter() - start
    return _throughput(timings["engine"], metrics["simulated_time_s"]) | {
        "phase_wall_time_s": {name: round(seconds, 2) for name, seconds in phases.items()}}


def _bare_network(config, headline) -> dict:
    """Arguments of `run_bare_reference` for the headline's network, rates and duration."""
    circuits = pipeline.build_circuits(config, HEADLINE.wirings(config))
    layout = Layout(circuits, ())
    merged = layout.merged_projections()
    recurrent = merged["recurrent"]

    def synapses(projection, keep=slice(None)):
        return Synapses(projection.pre[keep], projection.post[keep], projection.weight[keep])

    return {"n_inputs": circuits[0].n_inputs,
            "tau_m_ms": np.where(layout.is_exc, config.neurons.tau_m_exc_ms,
                                 config.neurons.tau_m_inh_ms),
            "feedforward": synapses(merged["input_exc"]),
            "feedforward_inh": synapses(merged["input_inh"]),
            "recurrent_exc": synapses(recurrent, ~recurrent.inhibitory),
            "recurrent_inh": synapses(recurrent, recurrent.inhibitory),
            "input_rate_hz": headline["input_rate_hz"],
            "duration_s": headline["simulated_time_s"], "seed": config.seed,
            "dt_ms": config.engine.dt_ms, "input_dt_ms": config.engine.input_dt_ms}


def _bare(network: dict, build_dir: Path, log, threads: int = 1) -> dict:
    log(f"bench: bare Brian2 of the same size, rates and duration ({threads} thread(s))")
    result = run_bare_reference(**network, build_dir=build_dir, threads=threads)
    wall = {name: round(result.pop(name), 2)
            for name in ("network", "code_generation", "compilation", "run")}
    return _throughput(result | {"wall_time_s": wall}, network["duration_s"])


def _floor(network: dict, build_dir: Path, log) -> dict:
    log("bench: the floor: the same cells alone in plain Brian2, same time step and duration")
    result = run_floor(network["tau_m_ms"], network["duration_s"], build_dir, network["seed"],
                       network["dt_ms"])
    peak = result.pop("peak_rss_bytes")
    return {"wall_time_s": {name: round(value, 2) for name, value in result.items()},
            "simulated_time_s": round(network["duration_s"], 2), "peak_rss_bytes": peak,
            "simulated_s_per_wall_s": round(network["duration_s"] / result["run"], 3)}


def _threads(network: dict, root: Path, log) -> dict:
    """Two cores: one run on two OpenMP threads, or two one-thread runs at once."""
    one = root / "bare"
    if not (one / "main").exists():
        _bare(network, one, log)
    openmp = _bare(network, root / "bare-openmp", log, threads=2)["wall_time_s"]["run"]
    log("bench: two one-thread bare runs at once")
    pair = run_copies_at_once(one, 2)
    return {"openmp_2_threads_run_s": openmp, "two_processes_wall_s": round(pair, 2),
            "runs_per_hour_openmp": round(3600 / openmp, 1),
            "runs_per_hour_two_processes": round(2 * 3600 / pair, 1)}


def _series(config, root, log) -> dict:
    seeds, series = [config.seed + 1, config.seed + 2], {}
    for name, seed, copies, epochs, waves, structural in SERIES:
        log(f"bench: series run '{name}' ({copies} × synapses, {epochs} epoch(s) of {waves} × "
            f"the waves, structural plasticity {'on' if structural else 'off'})")
        # Wave epochs only: the series scales the waves' part of development.
        schedule = dataclasses.replace(config.schedule, n_epochs=epochs, stage3_epochs=0,
                                       vision_epochs=0,
                                       waves_per_epoch=waves * config.schedule.waves_per_epoch)
        varied = dataclasses.replace(
            config, seed=seeds[seed], schedule=schedule,
            structural=dataclasses.replace(config.structural, enabled=structural))
        metrics, _, timings = pipeline.develop(varied, HEADLINE.wirings(varied), root,
                                               lambda message: None, synapse_copies=copies)[:3]
        series[name] = _throughput(timings["engine"], metrics["simulated_time_s"]) | {
            "seed": varied.seed, "synapse_copies": copies, "n_epochs": epochs,
            "waves_per_epoch": schedule.waves_per_epoch, "structural": structural}
        log(f"  {_summary_line(series[name])}")
    return series


def _sweep(config, build_root: Path, scratch: Path, log) -> dict:
    """Wall time of one sweep of 8 runs on one local worker and on two (s), from empty build
    directories and from compiled ones (those the two workers left), and each worker's
    compile times."""
    plan = build_sweep(
        "bench", HEADLINE.name, "bench", config,
        [Axis(("wiring.prior_strength",), ((0.25,), (0.5,), (0.75,), (1.0,)))],
        [config.seed, config.seed + 1], DEFAULT_METRICS, code_version())
    report = {"runs": len(plan.runs)}
    for start in ("empty", "compiled"):
        for workers in (1, 2):
            log(f"bench: sweep of {len(plan.runs)} runs on {workers} worker(s), build "
                f"directories {start}")
            began = time.perf_counter()
            builds = build_root / (f"empty-{workers}" if start == "empty" else "empty-2")
            done = run_sweep(plan, scratch / f"{start}-{workers}", workers=workers,
                             build_root=builds, log=lambda message: None)
            if done.failures:
                raise RuntimeError(f"bench sweep failed: {next(iter(done.failures.values()))}")
            report[f"{start}_{workers}_workers_s"] = round(time.perf_counter() - began, 1)
            report[f"{start}_{workers}_workers_compile_s"] = compile_times(done.outcomes)
        report[f"{start}_ratio"] = round(report[f"{start}_2_workers_s"]
                                         / report[f"{start}_1_workers_s"], 3)
    return report


def _throughput(engine: dict, simulated_s: float) -> dict:
    """Rates of work of one simulation (from its `EngineReport` as a dict)."""
    run = engine["wall_time_s"]["run"]
    peak = engine["peak_rss_bytes"]
    return engine | {
        "simulated_time_s": round(simulated_s, 2),
        "synaptic_events_per_s": round(engine["synaptic_events"] / run),
        "simulated_s_per_wall_s": round(simulated_s / run, 3),
        "bytes_per_synapse": round(peak / engine["n_synapses"], 1) if peak else None,
    }


def checks(report: dict) -> dict:
    """Each target of the benchmark: measured value, target and whether it is met."""
    measured = {}
    if "headline" in report:
        measured["simulated_s_per_wall_s"] = report["headline"]["simulated_s_per_wall_s"]
        measured["bytes_per_synapse"] = report["headline"]["bytes_per_synapse"]
        run = report["headline"]["wall_time_s"]["run"]
        for part in ("bare", "floor"):
            if part in report:
                measured[f"simulation_vs_{part}"] = round(
                    run / report[part]["wall_time_s"]["run"], 3)
    if "series" in report:
        s = report["series"]

        def cost(name):  # wall seconds of the compiled run per simulated second
            return s[name]["wall_time_s"]["run"] / s[name]["simulated_time_s"]

        measured["rebuild_compilation_s"] = s["reseeded"]["wall_time_s"]["compilation"]
        measured["structural_extra"] = round(cost("structural") / cost("base") - 1, 3)
        # Cost against synapses: how far the ×2 point lies from the line through ×1 and ×4;
        # against time: the cost per simulated second with twice the development.
        line = cost("base") + (cost("synapses_x4") - cost("base")) / 3
        measured["linearity_error"] = round(max(abs(cost("synapses_x2") / line - 1),
                                                abs(cost("time_x2") / cost("base") - 1)), 3)
        if s["base"]["peak_rss_bytes"]:
            measured["memory_waves_x4"] = round(
                s["waves_x4"]["peak_rss_bytes"] / s["base"]["peak_rss_bytes"], 3)
    if "sweep" in report:
        measured["sweep_two_workers_vs_one"] = report["sweep"]["compiled_ratio"]
    return {name: {"measured": value, "target": TARGETS[name],
                   "met": value >= TARGETS[name] if name in AT_LEAST else value <= TARGETS[name]}
            for name, value in measured.items() if value is not None}


def marginal_bytes_per_synapse(series: dict) -> float | None:
    """Slope of peak memory over synapses across the ×1, ×2 and ×4 series runs."""
    runs = [series[name] for name in ("base", "synapses_x2", "synapses_x4")]
    if not all(run["peak_rss_bytes"] for run in runs):
        return None
    slope = np.polyfit([r["n_synapses"] for r in runs], [r["peak_rss_bytes"] for r in runs], 1)[0]
    return round(float(slope), 1)


def table(report: dict) -> str:
    """The report as text: one line per simulation, then the checks."""
    lines = []
    if "headline" in report:
        lines += [f"{'headline':>12s}  {_summary_line(report['headline'])}",
                  "              phases (s): " + ", ".join(
                      f"{k} {v:.1f}" for k, v in report["headline"]["phase_wall_time_s"].items())]
    if "bare" in report:
        lines.append(f"{'bare Brian2':>12s}  {_summary_line(report['bare'])}")
    if "floor" in report:
        f = report["floor"]
        lines.append(f"{'floor':>12s}  the cells alone, {f['simulated_time_s']:7.1f} s simulated: "
                     f"run {f['wall_time_s']['run']:6.1f} s, "
                     f"{f['simulated_s_per_wall_s']:.2f} sim s/s")
    if "threads" in report:
        t = report["threads"]
        lines.append(f"{'2 cores':>12s}  one run on 2 OpenMP threads {t['openmp_2_threads_run_s']:.1f} s "
                     f"({t['runs_per_hour_openmp']} runs/h); two 1-thread runs at once "
                     f"{t['two_processes_wall_s']:.1f} s ({t['runs_per_hour_two_processes']} runs/h)")
    for name, entry in report.get("series", {}).items():
        lines.append(f"{name:>12s}  {_summary_line(entry)}")
    if report.get("marginal_bytes_per_synapse") is not None:
        lines.append(f"{'memory':>12s}  {report['marginal_bytes_per_synapse']} bytes per added "
                     "synapse (slope over the ×1, ×2, ×4 series)")
    if "compilation_s" in report:
        c = report["compilation_s"]
        lines.append(f"{'compilation':>12s}  first build {c['first']:.1f} s, "
                     f"rebuilt in place with another seed {c['rebuilt']:.1f} s")
    if "sweep" in report:
        w = report["sweep"]
        for start in ("empty", "compiled"):
            lines.append(f"{'sweep':>12s}  {w['runs']} runs, build directories {start}: one worker "
                         f"{w[f'{start}_1_workers_s']:.1f} s, two workers "
                         f"{w[f'{start}_2_workers_s']:.1f} s (ratio {w[f'{start}_ratio']})")
    if "dt" in report:
        lines.append(time_step.table(report["dt"]))
    for name, check in report["checks"].items():
        verdict = "met" if check["met"] else "NOT met"
        lines.append(f"check {name}: {check['measured']} (target {check['target']}): {verdict}")
    return "\n".join(lines)


def _summary_line(entry: dict) -> str:
    wall = entry["wall_time_s"]
    rss = entry["peak_rss_bytes"]
    return (f"{entry['n_synapses']:>8d} synapses, {entry['simulated_time_s']:7.1f} s simulated: "
            f"compile {wall['compilation']:5.1f} s, run {wall['run']:6.1f} s, "
            f"{entry['synaptic_events_per_s']:.2e} events/s, "
            f"{entry['simulated_s_per_wall_s']:.2f} sim s/s, "
            f"peak {rss / 2**20 if rss else float('nan'):.0f} MB "
            f"({entry['bytes_per_synapse']} B/synapse)")


def write(report: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.partial")
    staging.write_text(json.dumps(report, indent=1, default=_json_number))
    staging.replace(path)
    return path


def _json_number(value):
    return value.item() if isinstance(value, np.generic) else str(value)
