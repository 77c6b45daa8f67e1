"""The prior-strength study end to end through the command line at `tiny`: its grid × seeds,
what the grid's points share, and the phase diagram and its summary."""

import csv
import itertools

import numpy as np
import pytest

from neurodev.experiments.cli import main
from neurodev.experiments.protocols.prior_strength import EXPERIMENT
from neurodev.figures.seeds import at_checkpoint

SEEDS = (1, 2)
KEYS = ("prior_strength", "l23_prior_strength", "correlation")


@pytest.fixture(scope="module")
def study(run_tiny_study):
    return run_tiny_study("prior-strength", len(SEEDS))


def point(run) -> tuple:
    wiring, waves = run.config["wiring"], run.config["waves"]
    return wiring["prior_strength"], wiring["l23_prior_strength"], waves["correlation"]


def test_every_point_of_the_tiny_grid_and_seed_is_stored(study):
    _, runs = study
    levels = [values for _, values in EXPERIMENT.grid_at("tiny")]
    assert len(levels[0]) < len(EXPERIMENT.grid[0][1])  # tiny's grid is the smaller
    assert sorted((*point(run), run.config["seed"]) for run in runs) == \
        sorted((*p, seed) for p in itertools.product(*levels) for seed in SEEDS)
    assert all(list(run.metrics["circuits"]) == ["prior"] for run in runs)


def test_l4_does_not_depend_on_the_l23_strength_and_l23_does(study):
    """L2/3 does not project back to L4: runs differing in L2/3 strength only have the same
    L4 to the last digit, and a different L2/3."""
    _, runs = study
    by_point = {(point(run), run.config["seed"]): run.metrics["circuits"]["prior"] for run in runs}
    for (l4, l23, c), seed in by_point:
        if l23 == 0.0:
            weak, strong = by_point[(l4, 0.0, c), seed], by_point[(l4, 1.0, c), seed]
            assert weak["median_osi"] == strong["median_osi"]
            assert weak["l23"]["median_osi"] != strong["l23"]["median_osi"]


def test_phase_diagram_and_summary(study, capsys):
    out, runs = study
    figures = out / "prior-strength" / "figures"
    (png,) = figures.glob("prior-strength_*_phase_diagram.png")
    assert png.stat().st_size > 20_000
    (summary,) = figures.glob("prior-strength_*_phase_diagram_summary.csv")
    with open(summary) as file:
        rows = list(csv.DictReader(file))
    osi = {(float(r["l4_prior_strength"]), float(r["l23_prior_strength"]),
            float(r["correlation"])): r for r in rows if r["metric"] == "l23.median_osi"}
    assert len(osi) == 8
    for p, row in osi.items():
        values = [at_checkpoint(run, "prior", "l23.median_osi", "eye_opening")
                  for run in runs if point(run) == p]
        assert int(row["n_runs"]) == len(SEEDS) and int(row["n"]) == np.isfinite(values).sum()
        if int(row["n"]) == len(SEEDS):
            assert float(row["mean"]) == pytest.approx(np.mean(values), rel=1e-12)
    assert {r["metric"] for r in rows} == {"fraction_selective", "median_osi",
                                          "time_to_criterion_min", "l23.median_osi"}
    capsys.readouterr()
    summary.unlink()
    assert main(["figures", "prior-strength", "--out", str(out)]) == 0
    assert summary.is_file()
