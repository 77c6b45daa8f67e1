"""The ``neurodev`` command: the Python API's functions (`neurodev.experiments.api`, with which
it is the one place that joins experiments and their figures) behind a command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import neurodev.experiments.api as api
from neurodev.development.standalone import SimulationIncomplete
from neurodev.development.waves import WAVE_PRESETS
from neurodev.experiments.api import draw_figures, draw_study, figure_makers, studies
from neurodev.experiments.config import PRESETS, ConfigError, load
from neurodev.experiments.machinery.bench import DEFAULT_PARTS as DEFAULT_BENCH_PARTS
from neurodev.experiments.machinery.bench import PARTS as BENCH_PARTS
from neurodev.experiments.machinery.interrupts import exit_status, signal_name, stopping_on_signals
from neurodev.experiments.machinery.registry import EXPERIMENTS
from neurodev.experiments.machinery.store import CorruptRun, ResultStore
from neurodev.experiments.machinery.sweep import MAX_RUNS


def main(argv: list[str] | None = None) -> int:
    # Brian2's hook would print its "please report" banner (and keep debug files in /tmp)
    # for any error, neurodev's own included.
    sys.excepthook = sys.__excepthook__
    parser = _parser()
    args = parser.parse_args(argv)
    with stopping_on_signals():
        try:
            return args.command(args)
        except (ConfigError, CorruptRun) as error:
            print(f"neurodev: error: {error}", file=sys.stderr)
            return 2
        except SimulationIncomplete as error:
            print(f"neurodev: error: {error}; nothing was stored", file=sys.stderr)
            return 1
        except KeyboardInterrupt as interruption:
            print(f"neurodev: interrupted by {signal_name(interruption)}; the unfinished run "
                  "was not stored", file=sys.stderr)
            return exit_status(interruption)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurodev", description="Simulate cortical development: learning from scratch "
        "vs innate priors.", epilog=_examples("neurodev list", "neurodev run scratch-vs-prior",
                                             "neurodev run wave-perturbation --seeds 3"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name, run, summary, examples, description=None):
        sub = commands.add_parser(name, help=summary, description=description
                                  or summary[0].upper() + summary[1:] + ".",
                                  epilog=_examples(*examples),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.set_defaults(command=run)
        return sub

    command("list", _list, "list the named experiments", ["neurodev list"])

    run = command("run", _run, "run an experiment and draw its figures",
                  ["neurodev run scratch-vs-prior",
                   "neurodev run scratch-vs-prior --preset tiny --seed 2",
                   "neurodev run wave-perturbation --seeds 3 --workers 2",
                   "neurodev run scratch-vs-prior --set wiring.prior_strength=0.5"])
    run.add_argument("experiment", choices=sorted(EXPERIMENTS), metavar="EXPERIMENT",
                     help="one of: " + ", ".join(sorted(EXPERIMENTS)))
    run.add_argument("--preset", default="quick", choices=sorted(PRESETS),
                     help="size of the run (default: quick)")
    run.add_argument("--seed", type=int, help="master seed (default: the preset's, 1)")
    run.add_argument("--seeds", type=int, metavar="N",
                     help="run seeds 1 … N in parallel (on the sweep executors) and draw them "
                     "together, mean ± SD over seeds")
    _workers_or_scheduler(run, "with --seeds or an experiment of several conditions: local "
                          "worker processes (default: one per core)")
    run.add_argument("--config", type=Path, help="TOML file of config overrides")
    _overrides(run, "override one config value, e.g. wiring.prior_strength=0.5 (repeatable)")
    _store(run, "result store directory (default: ./results)")
    run.add_argument("--force", action="store_true", help="run again even if already stored")

    waves = command(
        "waves", _waves, "record a retinal-wave preset, measure it against the published "
        "statistics", ["neurodev waves b2ko", "neurodev waves wt --seed 2 --duration 600"],
        description="Generate a wave preset and wild type from the same seed, measure both like "
        "a multielectrode array (speed, area, interval, bursts, correlation vs distance), print "
        "them beside the published ranges, and write a movie (GIF), a statistics figure and "
        "the stored run (metrics.json, arrays.npz).")
    waves.add_argument("wave_preset", choices=WAVE_PRESETS, metavar="PRESET",
                       help="one of: " + ", ".join(WAVE_PRESETS))
    waves.add_argument("--seed", type=int, default=1, help="master seed (default: 1)")
    waves.add_argument("--duration", type=float, default=1800.0, metavar="SECONDS",
                       help="real developmental time to record (default: 1800)")
    _overrides(waves, "override a waves.* or circuit.* value, e.g. circuit.retina_side=48")
    _store(waves, "result store directory (default: ./results)")
    waves.add_argument("--force", action="store_true", help="record again even if already stored")

    bench = command(
        "bench", _bench, "time the headline run by phase against bare Brian2, with a scaling "
        "series", ["neurodev bench --preset tiny", "neurodev bench --parts headline,bare"],
        description="Run the headline experiment timed by phase (first build), a bare Brian2 "
        "network of the same size, rates and duration, the floor (its cells alone), and a "
        "scaling series (synapses ×1, ×2, ×4; time ×1, ×2; waves ×4; structural plasticity on) "
        "rebuilt in place; print simulated seconds per wall second, synaptic events per "
        "second, peak memory per synapse (total and marginal) and compile times against their "
        "targets, and write them as JSON. --parts dt runs the time-step study (20 runs of the "
        "preset, stored in --out, so it resumes).")
    bench.add_argument("--preset", default="quick", choices=sorted(PRESETS),
                       help="size of the headline run (default: quick)")
    bench.add_argument("--seed", type=int, help="master seed (default: the preset's, 1)")
    bench.add_argument("--parts", default=",".join(DEFAULT_BENCH_PARTS), metavar="PART,...",
                       help=f"which of {','.join(BENCH_PARTS)} to run (default: "
                       f"{','.join(DEFAULT_BENCH_PARTS)}; sweep: 8 runs on one and on two workers, "
                       "use --preset tiny; dt: the time-step study)")
    _overrides(bench, "override one config value (repeatable)")
    _store(bench, "writes <out>/bench/bench_<preset>_seed<N>.json (default: ./results)")

    sweep = command(
        "sweep", _sweep, "run a parameter sweep declared in a TOML file, in parallel, "
        "resumably", ["neurodev sweep docs/examples/tiny-study.toml --dry-run",
                      "neurodev sweep docs/examples/tiny-study.toml --workers 2",
                      "neurodev sweep study.toml --scheduler tcp://host:8786"],
        description="Run every point of a sweep file (grid over config keys × seeds) that is "
        "not stored yet, on local worker processes or a Dask cluster; then write "
        "<out>/sweeps/<name>/table.csv (one row per run) and summary.png/.pdf. Interrupted "
        "sweeps resume where they stopped. See docs/sweeps.md for the file format.")
    sweep.add_argument("file", type=Path, metavar="FILE", help="the sweep file (TOML)")
    _workers_or_scheduler(sweep, "local worker processes (default: one per core)")
    sweep.add_argument("--dry-run", action="store_true",
                       help="list the runs and which are already stored; run nothing")
    sweep.add_argument("--large", action="store_true",
                       help=f"allow more than {MAX_RUNS} runs (each is validated first)")
    _store(sweep, "result store directory, seen by every worker (default: ./results)")

    figures = command("figures", _figures, "redraw an experiment's figures from the store",
                      ["neurodev figures scratch-vs-prior",
                       "neurodev figures rearing --out my-results"])
    figures.add_argument("experiment", choices=sorted(figure_makers()), metavar="EXPERIMENT",
                         help="one of: " + ", ".join(sorted(figure_makers())))
    _store(figures, "result store directory (default: ./results)")

    table = command(
        "table", _table, "write one tidy table (CSV) of every stored run",
        ["neurodev table", "neurodev table my-results --csv my-results.csv"],
        description="Write one CSV of every run in the store, a row per run, circuit and "
        "checkpoint: run key, experiment, seed, wall time, the checkpoint's development, every "
        "metric and every config key (readable with pandas.read_csv as it is). A run that "
        "fails verification is named and left out (exit status 2).")
    table.add_argument("out", type=Path, nargs="?", default=Path("results"), metavar="DIR",
                       help="result store directory (default: ./results)")
    table.add_argument("--csv", type=Path, metavar="FILE",
                       help="where to write it (default: DIR/table.csv)")

    verify = command(
        "verify", _verify, "check every stored run against its manifest of checksums",
        ["neurodev verify", "neurodev verify my-results"],
        description="Check every run in the store: all files present and as they were stored "
        "(size and SHA-256 in manifest.json). Prints one line per corrupt run and the "
        "temporary directories of unfinished runs; exit status 1 if any run is corrupt.")
    verify.add_argument("out", type=Path, nargs="?", default=Path("results"), metavar="DIR",
                        help="result store directory (default: ./results)")
    return parser


def _examples(*commands: str) -> str:
    return "examples:\n" + "".join(f"  {command}\n" for command in commands)


def _version() -> str:
    from neurodev.experiments.machinery.runner import version

    return f"neurodev {version()} (Brian2 {_brian2_version()}, Python {sys.version.split()[0]})"


def _brian2_version() -> str:
    from importlib.metadata import version

    return version("brian2")


def _workers_or_scheduler(sub, workers_help: str):
    where = sub.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N", help=workers_help)
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="... or the Dask cluster with this scheduler, e.g. tcp://host:8786")


def _overrides(sub, description: str):
    sub.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help=description)


def _store(sub, description: str):
    sub.add_argument("--out", type=Path, default=Path("results"), help=description)


def _list(args) -> int:
    for name, experiment in sorted(EXPERIMENTS.items()):
        print(f"{name:20s} {experiment.summary}")
    return 0


def _run(args) -> int:
    options = api.RunOptions(args.experiment, args.preset, args.seed, args.seeds, args.workers,
                             args.scheduler, args.force, api.CLI_SPELLING,
                             _set_keys(args.overrides))
    config = load(args.preset, args.config, args.overrides, args.seed)
    try:
        api.run_runs(options, config, args.out)
    except api.StudyIncomplete as incomplete:
        return _sweep_status(incomplete.report)
    return 0


def _table(args) -> int:
    from neurodev.experiments.machinery import table

    store = ResultStore(args.out)
    if not store.root.is_dir():
        raise ConfigError(f"no result store at {args.out}")
    corrupt = []
    rows = table.records(args.out, on_corrupt=corrupt.append)
    for error in corrupt:
        print(f"neurodev: error: {error} (left out)", file=sys.stderr)
    path = table.write_table(rows, args.csv or args.out / "table.csv", table.table_columns(rows))
    runs = len({(row["experiment"], row["run_key"]) for row in rows})
    print(f"wrote {path}: {len(rows)} rows of {runs} runs")
    return 2 if corrupt else 0


def _bench(args) -> int:
    from neurodev.experiments.machinery import bench

    parts = bench.check_parts([part.strip() for part in args.parts.split(",") if part.strip()])
    api.check_output(args.out)
    config = load(args.preset, None, args.overrides, args.seed)
    report = bench.run_bench(config, parts, figure_makers()[bench.HEADLINE.name],
                             preset=args.preset, store=args.out)
    print(bench.table(report))
    path = args.out / "bench" / f"bench_{args.preset}_seed{config.seed}.json"
    print(f"wrote {bench.write(report, path)}")
    return 0


def _sweep(args) -> int:
    from neurodev.experiments.machinery import sweep
    from neurodev.experiments.machinery.runner import code_version

    api.check_output(args.out)
    plan = sweep.load_sweep(args.file, code_version(), allow_large=args.large)
    if args.dry_run:
        stored = plan.stored(args.out)
        for run, done in zip(plan.runs, stored, strict=True):
            print(f"{'stored' if done else 'to run':7s} {run.key}  {run.describe()}")
        print(f"{len(plan.runs)} runs: {sum(stored)} stored, {len(stored) - sum(stored)} to run "
              f"(store: {args.out})")
        return 0
    report = api.sweep_and_draw(plan, args.out, args.workers, args.scheduler)
    for worker, (first, later) in sorted(sweep.compile_times(report.outcomes).items()):
        rest = f", later runs {np.median(later):.1f} s (median of {len(later)})" if later else ""
        print(f"{worker}: compiled in {first:.1f} s for its first run{rest}")
    for path in report.files:
        print(f"wrote {path}")
    return _sweep_status(report)


def _set_keys(overrides: list[str]) -> frozenset:
    """The keys the ``--set`` assignments give a value."""
    return frozenset(item.partition("=")[0].strip() for item in overrides)


def _sweep_status(report) -> int:
    """Say which runs of a sweep failed and whether it stopped; its exit status."""
    for key, error in report.failures.items():
        print(f"failed {key}: {error}")
    if report.stopped:
        print(f"{report.stopped}: run the same command again to do the {report.remaining} runs "
              "not stored yet", file=sys.stderr)
        return report.stopped_status
    return 1 if report.failures else 0


def _waves(args) -> int:
    from neurodev.experiments.machinery.runner import record_waves
    from neurodev.experiments.protocols import wave_recording

    api.check_output(args.out)
    if "waves.preset" in _set_keys(args.overrides):
        raise ConfigError(f"--set waves.preset conflicts with PRESET ('{args.wave_preset}'): "
                          "give the preset as PRESET only")
    overrides = [*args.overrides, f"waves.preset={args.wave_preset}"]
    config = load("quick", None, overrides, args.seed)
    run_dir = record_waves(config, args.duration, args.out, force=args.force)
    store = ResultStore(args.out)
    print(wave_recording.table(store.load(run_dir).metrics))
    print(f"stored {run_dir}")
    draw_figures(run_dir, args.out, wave_recording.NAME)
    return 0


def _figures(args) -> int:
    store = ResultStore(args.out)
    runs = store.runs(args.experiment)
    if not runs:
        raise ConfigError(f"no stored runs of '{args.experiment}' in {args.out}")
    corrupt, intact = 0, []
    for run_dir in runs:
        try:
            draw_figures(run_dir, args.out, args.experiment)
            intact.append(run_dir)
        except CorruptRun as error:  # the other runs are still drawn
            print(f"neurodev: error: {error}", file=sys.stderr)
            corrupt += 1
    if args.experiment in EXPERIMENTS:
        for name, run_dirs in studies(store, args.experiment, intact).items():
            draw_study(run_dirs, args.out, args.experiment, name)
    return 2 if corrupt else 0


def _verify(args) -> int:
    from neurodev.experiments.machinery.store import verify

    store = ResultStore(args.out)
    if not store.root.is_dir():
        raise ConfigError(f"no result store at {args.out}")
    intact = corrupt = 0
    for name in sorted(figure_makers()):
        for run_dir in store.runs(name):
            try:
                verify(run_dir)
                intact += 1
            except CorruptRun as error:
                print(f"corrupt: {error}")
                corrupt += 1
        for temporary in store.temporary(name):
            print(f"unfinished: {temporary} (being written, or left by a killed run: the next "
                  "run of the experiment removes it then)")
    print(f"{intact + corrupt} runs in {args.out}: {intact} intact, {corrupt} corrupt")
    return 1 if corrupt else 0


if __name__ == "__main__":
    sys.exit(main())
