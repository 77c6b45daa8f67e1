"""The ``neurodev`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.config import PRESETS, ConfigError, load
from experiments.registry import EXPERIMENTS


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except ConfigError as error:
        print(f"neurodev: error: {error}", file=sys.stderr)
        return 2


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
    run.add_argument("--config", type=Path, help="TOML file of config overrides")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override one config value, e.g. wiring.prior_strength=0.5 (repeatable)")
    run.add_argument("--out", type=Path, default=Path("results"),
                     help="result store directory (default: ./results)")
    run.add_argument("--force", action="store_true", help="run again even if already stored")
    run.set_defaults(command=_run)

    figures = commands.add_parser("figures", help="redraw an experiment's figures from the store")
    figures.add_argument("experiment", choices=sorted(EXPERIMENTS), metavar="EXPERIMENT")
    figures.add_argument("--out", type=Path, default=Path("results"))
    figures.set_defaults(command=_figures)
    return parser


def _list(args) -> int:
    for name, experiment in sorted(EXPERIMENTS.items()):
        print(f"{name:20s} {experiment.summary}")
    return 0


def _run(args) -> int:
    from experiments.runner import run_experiment

    config = load(args.preset, args.config, args.overrides, args.seed)
    run_experiment(args.experiment, config, args.out, force=args.force)
    return 0


def _figures(args) -> int:
    from experiments.store import ResultStore

    store = ResultStore(args.out)
    runs = store.runs(args.experiment)
    if not runs:
        raise ConfigError(f"no stored runs of '{args.experiment}' in {args.out}")
    for run_dir in runs:
        for make in EXPERIMENTS[args.experiment].figures:
            for path in make(run_dir, store.root / args.experiment / "figures"):
                print(f"figure: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
