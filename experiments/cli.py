"""The ``neurodev`` command: the one place that joins experiments and their figures."""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

import numpy as np

from neurodev.development.standalone import SimulationIncomplete
from neurodev.development.waves import WAVE_PRESETS
from neurodev.experiments.config import PRESETS, ConfigError, load
from neurodev.experiments.machinery.bench import DEFAULT_PARTS as DEFAULT_BENCH_PARTS
from neurodev.experiments.machinery.bench import PARTS as BENCH_PARTS
from neurodev.experiments.machinery.interrupts import exit_status, signal_name, stopping_on_signals
from neurodev.experiments.machinery.registry import EXPERIMENTS
from neurodev.experiments.machinery.store import CorruptRun
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
        "vs innate priors.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="list the named experiments")
    listing.set_defaults(command=_list)

    run = commands.add_parser("run", help="run an experiment and draw its figures")
    run.add_argument("experiment", choices=sorted(EXPERIMENTS), metavar="EXPERIMENT",
                     help="one of: " + ", ".join(sorted(EXPERIMENTS)))
    run.add_argument("--preset", default="quick", choices=sorted(PRESETS),
                     help="size of the run (default: quick)")
    run.add_argument("--seed", type=int, help="master seed (default: the preset's, 1)")
    run.add_argument("--seeds", type=int, metavar="N",
                     help="run seeds 1 … N in parallel (on the sweep executors) and draw them "
                     "together, mean ± SD over seeds")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="with --seeds or an experiment of several conditions: local worker "
                       "processes (default: one per core)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="... or the Dask cluster with this scheduler, e.g. tcp://host:8786")
    run.add_argument("--config", type=Path, help="TOML file of config overrides")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override one config value, e.g. wiring.prior_strength=0.5 (repeatable)")
    run.add_argument("--out", type=Path, default=Path("results"),
                     help="result store directory (default: ./results)")
    run.add_argument("--force", action="store_true", help="run again even if already stored")
    run.set_defaults(command=_run)

    waves = commands.add_parser(
        "waves", help="record a retinal-wave preset, measure it against the published statistics",
        description="Generate a wave preset and wild type from the same seed, measure both like a "
        "multielectrode array (speed, area, interval, bursts, correlation vs distance), print "
        "them beside the published ranges, and write a movie (GIF), a statistics figure and "
        "the stored run (metrics.json, arrays.npz).")
    waves.add_argument("wave_preset", choices=WAVE_PRESETS, metavar="PRESET",
                       help="one of: " + ", ".join(WAVE_PRESETS))
    waves.add_argument("--seed", type=int, default=1, help="master seed (default: 1)")
    waves.add_argument("--duration", type=float, default=1800.0, metavar="SECONDS",
                       help="real developmental time to record (default: 1800)")
    waves.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a waves.* or circuit.* value, e.g. circuit.retina_side=48")
    waves.add_argument("--out", type=Path, default=Path("results"),
                       help="result store directory (default: ./results)")
    waves.add_argument("--force", action="store_true", help="record again even if already stored")
    waves.set_defaults(command=_waves)

    bench = commands.add_parser(
        "bench", help="time the headline run by phase against bare Brian2, with a scaling series",
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
    bench.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override one config value (repeatable)")
    bench.add_argument("--out", type=Path, default=Path("results"),
                       help="writes <out>/bench/bench_<preset>_seed<N>.json (default: ./results)")
    bench.set_defaults(command=_bench)

    sweep = commands.add_parser(
        "sweep", help="run a parameter sweep declared in a TOML file, in parallel, resumably",
        description="Run every point of a sweep file (grid over config keys × seeds) that is "
        "not stored yet, on local worker processes or a Dask cluster; then write "
        "<out>/sweeps/<name>/table.csv (one row per run) and summary.png/.pdf. Interrupted "
        "sweeps resume where they stopped. See docs/sweeps.md for the file format.")
    sweep.add_argument("file", type=Path, metavar="FILE", help="the sweep file (TOML)")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="local worker processes (default: one per core)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster with this scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--dry-run", action="store_true",
                       help="list the runs and which are already stored; run nothing")
    sweep.add_argument("--large", action="store_true",
                       help=f"allow more than {MAX_RUNS} runs (each is validated first)")
    sweep.add_argument("--out", type=Path, default=Path("results"),
                       help="result store directory, seen by every worker (default: ./results)")
    sweep.set_defaults(command=_sweep)

    figures = commands.add_parser("figures", help="redraw an experiment's figures from the store")
    figures.add_argument("experiment", choices=sorted(_figure_makers()), metavar="EXPERIMENT",
                         help="one of: " + ", ".join(sorted(_figure_makers())))
    figures.add_argument("--out", type=Path, default=Path("results"))
    figures.set_defaults(command=_figures)

    verify = commands.add_parser(
        "verify", help="check every stored run against its manifest of checksums",
        description="Check every run in the store: all files present and as they were stored "
        "(size and SHA-256 in manifest.json). Prints one line per corrupt run and the "
        "temporary directories of unfinished runs; exit status 1 if any run is corrupt.")
    verify.add_argument("out", type=Path, nargs="?", default=Path("results"), metavar="DIR",
                        help="result store directory (default: ./results)")
    verify.set_defaults(command=_verify)
    return parser


def _list(args) -> int:
    for name, experiment in sorted(EXPERIMENTS.items()):
        print(f"{name:20s} {experiment.summary}")
    return 0


def _run(args) -> int:
    from neurodev.experiments.machinery.runner import run_experiment

    _check_output(args.out)
    config = load(args.preset, args.config, args.overrides, args.seed)
    if args.seeds is None and not EXPERIMENTS[args.experiment].grid:
        if args.workers is not None or args.scheduler is not None:
            raise ConfigError("--workers and --scheduler go with --seeds (or an experiment of "
                              "several conditions): a single run uses one process")
        run_dir = run_experiment(args.experiment, config, args.out, force=args.force)
        draw_figures(run_dir, args.out, args.experiment)
        return 0
    return _run_study(args, config)


def _run_study(args, config) -> int:
    """The runs of an experiment over its conditions and seeds, on the sweep executors,
    then every run's figure and the study's figure (mean ± SD over seeds)."""
    from neurodev.experiments.machinery import sweep
    from neurodev.experiments.machinery.runner import code_version

    experiment = EXPERIMENTS[args.experiment]
    if args.seeds is not None and (args.seeds < 1 or args.seed is not None):
        raise ConfigError(f"--seeds {args.seeds} is not allowed"
                          + (": a count n >= 1" if args.seeds < 1 else
                             f" with --seed {args.seed}: --seeds N runs seeds 1 … N"))
    if args.force:
        raise ConfigError("--force is not allowed with several runs: stored runs are kept "
                          "(remove them from the store to run them again)")
    for key, values in experiment.grid_at(args.preset):
        if _sets(args.overrides, key):
            raise ConfigError(f"--set {key} is not allowed: '{args.experiment}' runs every "
                              f"{key} ({', '.join(map(str, values))})")
    seeds = tuple(range(1, args.seeds + 1)) if args.seeds else (config.seed,)
    plan = sweep.experiment_study(args.experiment, args.preset, config, seeds, code_version())
    report = sweep.run_sweep(plan, args.out, workers=args.workers, scheduler=args.scheduler)
    if report.failures or report.stopped:
        return _sweep_status(report)
    store = args.out / args.experiment
    run_dirs = [store / run.key for run in plan.runs]
    for run_dir in run_dirs:
        draw_figures(run_dir, args.out, args.experiment)
    draw_study(run_dirs, args.out, args.experiment, plan.name)
    print(f"table: {plan.folder(args.out) / 'table.csv'}")
    return 0

def _bench(args) -> int:
    from neurodev.experiments.machinery import bench

    parts = bench.check_parts([part.strip() for part in args.parts.split(",") if part.strip()])
    _check_output(args.out)
    config = load(args.preset, None, args.overrides, args.seed)
    report = bench.run_bench(config, parts, _figure_makers()[bench.HEADLINE.name],
                             preset=args.preset, store=args.out)
    print(bench.table(report))
    path = args.out / "bench" / f"bench_{args.preset}_seed{config.seed}.json"
    print(f"wrote {bench.write(report, path)}")
    return 0


def _sweep(args) -> int:
    from neurodev.experiments.machinery import sweep
    from neurodev.experiments.machinery.runner import code_version

    _check_output(args.out)
    plan = sweep.load_sweep(args.file, code_version(), allow_large=args.large)
    if args.dry_run:
        stored = plan.stored(args.out)
        for run, done in zip(plan.runs, stored, strict=True):
            print(f"{'stored' if done else 'to run':7s} {run.key}  {run.describe()}")
        print(f"{len(plan.runs)} runs: {sum(stored)} stored, {len(stored) - sum(stored)} to run "
              f"(store: {args.out})")
        return 0
    report = sweep.run_sweep(plan, args.out, workers=args.workers, scheduler=args.scheduler)
    files = report.files
    if report.remaining < len(plan.runs):
        from neurodev.figures import sweep as sweep_figure

        try:
            folder = plan.folder(args.out)
            files += tuple(sweep_figure.make(folder / "table.csv", [axis.keys for axis in plan.axes],
                                             plan.metrics, folder))
        except ConfigError as error:  # a metric name not in the table: the runs still count
            print(f"no summary figure: {error}")
    for worker, (first, later) in sorted(sweep.compile_times(report.outcomes).items()):
        rest = f", later runs {np.median(later):.1f} s (median of {len(later)})" if later else ""
        print(f"{worker}: compiled in {first:.1f} s for its first run{rest}")
    for path in files:
        print(f"wrote {path}")
    return _sweep_status(report)


def _sets(overrides: list[str], key: str) -> bool:
    """Whether the ``--set`` assignments give `key` a value."""
    return any(item.partition("=")[0].strip() == key for item in overrides)


def _sweep_status(report) -> int:
    """Say which runs of a sweep failed and whether it stopped; its exit status."""
    for key, error in report.failures.items():
        print(f"failed {key}: {error}")
    if report.stopped:
        print(f"{report.stopped}: run the same command again to do the {report.remaining} runs "
              "not stored yet", file=sys.stderr)
        return report.stopped_status
    return 1 if report.failures else 0


def _check_output(out: Path):
    """Refuse an output location that cannot hold a result store, before any work: a file,
    or a directory (or the nearest existing parent of one to be made) that cannot be
    written to. The probe leaves nothing behind."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file, not a directory")
    existing = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise ConfigError(f"--out {out}: {existing} is a file, not a directory")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise ConfigError(f"--out {out}: cannot write in {existing} ({error.strerror})") from None


def _figure_makers() -> dict:
    """The figure function ``make(run_dir, out_dir)`` of every experiment and of ``waves``."""
    from neurodev.experiments.protocols import wave_recording

    modules = {name: experiment.figure for name, experiment in EXPERIMENTS.items()}
    return {name: importlib.import_module(f"neurodev.figures.{module}").make
            for name, module in (modules | {wave_recording.NAME: "waves"}).items()}


def _waves(args) -> int:
    from neurodev.experiments.machinery.runner import record_waves
    from neurodev.experiments.machinery.store import ResultStore
    from neurodev.experiments.protocols import wave_recording

    _check_output(args.out)
    if _sets(args.overrides, "waves.preset"):
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
    from neurodev.experiments.machinery.store import ResultStore

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


def studies(store, experiment: str, run_dirs) -> dict[str, list[Path]]:
    """Stored runs of `experiment` that form a study (`sweep.study_name`: several runs whose
    configs differ only in the seed and the experiment's conditions), by study name."""
    from neurodev.experiments.machinery.sweep import study_name

    groups: dict[str, list[Path]] = {}
    for run_dir in run_dirs:
        config = store.load(run_dir, arrays=False).config
        groups.setdefault(study_name(experiment, config), []).append(run_dir)
    return {name: dirs for name, dirs in groups.items() if len(dirs) > 1}


def _verify(args) -> int:
    from neurodev.experiments.machinery.store import ResultStore, verify

    store = ResultStore(args.out)
    if not store.root.is_dir():
        raise ConfigError(f"no result store at {args.out}")
    intact = corrupt = 0
    for name in sorted(_figure_makers()):
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


def draw_study(run_dirs: list[Path], out: Path, name: str, study: str, log=print) -> list[Path]:
    """Draw the figures of a study's runs of `name` (several seeds and conditions together)
    into ``<out>/<name>/figures/``."""
    experiment = EXPERIMENTS[name]
    paths = []
    for module in experiment.study_figures:
        make = importlib.import_module(f"neurodev.figures.{module}").make
        paths += make(run_dirs, Path(out) / name / "figures", f"{study}_{module}",
                      [key for key, _ in experiment.grid])
    for path in paths:
        log(f"figure: {path}")
    return paths


def draw_figures(run_dir: Path, out: Path, name: str, log=print) -> list[Path]:
    """Draw the figures of a stored run of `name` into ``<out>/<name>/figures/``."""
    paths = _figure_makers()[name](run_dir, Path(out) / name / "figures")
    for path in paths:
        log(f"figure: {path}")
    return paths


if __name__ == "__main__":
    sys.exit(main())
