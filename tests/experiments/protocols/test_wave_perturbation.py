"""The wave-perturbation experiment end to end through the command line: its stage-II
conditions × seeds, what the conditions share, and the figures and summary drawn over seeds."""

import csv

import numpy as np
import pytest

from neurodev.experiments.cli import main
from neurodev.experiments.config import TINY
from neurodev.experiments.protocols.wave_perturbation import STAGE_TWO
from neurodev.figures.perturbation import PANELS
from neurodev.figures.seeds import checkpoints

SEEDS = (1, 2)


@pytest.fixture(scope="module")
def study(run_tiny_study):
    return run_tiny_study("wave-perturbation", len(SEEDS))


def test_every_stage_two_and_seed_is_stored(study):
    _, runs = study
    assert sorted((run.config["waves"]["preset"], run.config["seed"]) for run in runs) == \
        sorted((preset, seed) for preset in STAGE_TWO for seed in SEEDS)
    for run in runs:
        assert run.metrics["development"]["phase"] == [
            "start", run.config["waves"]["preset"], "stage3", "vision_normal"]


def test_conditions_differ_by_stage_two_only(study):
    """One seed's conditions start from the same circuits (equal at the first checkpoint);
    a frozen circuit's weights never change, so its weight OSI is the same in all; the
    plastic random circuit's weights end apart, after different stage IIs."""
    _, runs = study
    seed_1 = {run.config["waves"]["preset"]: run.metrics["circuits"]
              for run in runs if run.config["seed"] == 1}
    wild_type = seed_1["wt"]
    for preset in STAGE_TWO[1:]:
        for label, circuit in seed_1[preset].items():
            assert circuit["median_weight_osi"][0] == wild_type[label]["median_weight_osi"][0]
            assert circuit["median_osi"][0] == wild_type[label]["median_osi"][0]
        assert seed_1[preset]["frozen_random"]["median_weight_osi"] == \
            wild_type["frozen_random"]["median_weight_osi"]
        assert seed_1[preset]["random"]["weight_change"][-1] != \
            wild_type["random"]["weight_change"][-1]


def test_figures_and_summary_are_drawn_over_seeds(study, capsys):
    out, runs = study
    figures = out / "wave-perturbation" / "figures"
    for kind in ("seeds", "perturbation"):
        (png,) = figures.glob(f"wave-perturbation_*_{kind}.png")
        assert png.stat().st_size > 20_000
    (summary,) = figures.glob("wave-perturbation_*_perturbation_summary.csv")
    with open(summary) as file:
        rows = {(r["condition"], r["circuit"], r["checkpoint"], r["metric"]): r
                for r in csv.DictReader(file)}
    labels = runs[0].metrics["circuits"]
    for preset in STAGE_TWO:
        for label in labels:
            for stage in ("eye_opening", "after_vision"):
                for metric, _ in PANELS:
                    row = rows[preset, label, stage, metric]
                    values = [run.metrics["circuits"][label][metric][checkpoints(run)[stage]]
                              for run in runs if run.config["waves"]["preset"] == preset]
                    values = np.array([np.nan if v is None else v for v in values])
                    assert int(row["n_runs"]) == len(SEEDS)
                    assert int(row["n"]) == np.isfinite(values).sum()
                    if int(row["n"]) == len(SEEDS):
                        assert float(row["mean"]) == pytest.approx(values.mean(), rel=1e-12)
                        assert float(row["sd"]) == pytest.approx(values.std(ddof=1), rel=1e-12)
            assert (preset, label, "development", "time_to_criterion_min") in rows
    # Eye opening is the checkpoint after the last wave epoch.
    assert checkpoints(runs[0]) == {
        "eye_opening": TINY.schedule.n_epochs + TINY.schedule.stage3_epochs,
        "after_vision": TINY.schedule.n_epochs + TINY.schedule.stage3_epochs
        + TINY.schedule.vision_epochs}
    # Redrawn from the store alone, by the same names.
    capsys.readouterr()
    summary.unlink()
    assert main(["figures", "wave-perturbation", "--out", str(out)]) == 0
    assert summary.is_file()
