"""The table of every stored run: one row per run, circuit and checkpoint."""

import csv
import math
import shutil
from pathlib import Path

import pytest

from neurodev.experiments.cli import main
from neurodev.experiments.machinery.store import StoredRun
from neurodev.experiments.machinery.table import records, run_records, table_columns


def synthetic_run(key="k1", seed=3) -> StoredRun:
    return StoredRun(
        Path(f"results/structural/{key}"),
        {"seed": seed, "wiring": {"prior_strength": 1.0}, "rules": {"cells": ["homeostatic"]}},
        {"development": {"phase": ["start", "wt", "stage3"], "waves": [0, 40, 80]},
         "simulated_time_s": 100.0,
         "maps": {"sheet": {"density": 3.1}, "prior": {"correlation": [0.9, 0.8, 0.7]},
                  "generator": {"densities": [3.0, 3.2, 3.1, 2.9, 3.3]}},
         "circuits": {"prior": {"median_osi": [0.3, 0.2, 0.25], "l23": {"median_osi": [0.4, 0.3, 0.3]},
                                "headstart": {"reached": True, "checkpoint": 0},
                                "turnover": {"input_exc": {"formed": [5, 7],
                                                           "formed_total_fraction": 0.1}}},
                      "random": {"median_osi": [0.1, 0.1, math.nan]}}},
        {}, {"wall_time_s": 12.5})


def test_a_row_per_circuit_and_checkpoint_with_series_aligned_to_their_checkpoints():
    rows = run_records(synthetic_run(), "structural")
    assert [(row["circuit"], row["checkpoint"]) for row in rows] == [
        ("prior", 0), ("prior", 1), ("prior", 2), ("random", 0), ("random", 1), ("random", 2)]
    prior = rows[:3]
    assert [row["median_osi"] for row in prior] == [0.3, 0.2, 0.25]
    assert [row["l23.median_osi"] for row in prior] == [0.4, 0.3, 0.3]
    assert [row["development.phase"] for row in prior] == ["start", "wt", "stage3"]
    # Turnover is per interval: the one ending at the row's checkpoint.
    assert [row["turnover.input_exc.formed"] for row in prior] == [None, 5, 7]
    # Scalars repeat on their circuit's rows; run-level ones on every row.
    assert all(row["headstart.reached"] is True for row in prior)
    assert all(row["maps.sheet.density"] == 3.1 and row["simulated_time_s"] == 100.0
               for row in rows)
    assert [row["maps.correlation"] for row in prior] == [0.9, 0.8, 0.7]
    assert "maps.correlation" not in rows[3]  # random has no entry in that section
    assert not any("densities" in name for row in rows for name in row)  # a sample, not a series
    assert all(row["config.rules.cells"] == '["homeostatic"]' for row in rows)
    assert {(row["run_key"], row["experiment"], row["seed"], row["wall_time_s"]) for row in rows} == {
        ("k1", "structural", 3, 12.5)}


def test_columns_lead_with_the_run_then_development_metrics_and_config():
    names = table_columns(run_records(synthetic_run(), "structural"))
    assert names[:8] == ["run_key", "experiment", "seed", "wall_time_s", "circuit", "checkpoint",
                         "development.phase", "development.waves"]
    configs = [n for n in names if n.startswith("config.")]
    assert names[-len(configs):] == configs and len(configs) == 2


def test_a_run_without_circuits_is_one_row():
    run = StoredRun(Path("results/waves/w1"), {"seed": 1, "waves": {"preset": "wt"}},
                    {"wt": {"speed_um_per_s": 130.0}, "samples": [1, 2]}, {}, {"wall_time_s": 3.0})
    (row,) = run_records(run, "waves")
    assert row["circuit"] is None and row["wt.speed_um_per_s"] == 130.0
    assert row["config.waves.preset"] == "wt"


def test_neurodev_table_writes_every_stored_run_and_pandas_reads_it(tiny_run, tmp_path, capsys):
    out = tmp_path / "results"
    shutil.copytree(tiny_run[0], out)
    assert main(["table", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    with (out / "table.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5 * 4  # five circuits, four checkpoints at tiny
    assert {row["circuit"] for row in rows} == {"random", "prior", "shuffled_prior",
                                                "nonlocal_random", "frozen_random"}
    assert {row["config.circuit.retina_side"] for row in rows} == {"12"}
    assert all(float(row["median_osi"]) >= 0 for row in rows if row["median_osi"])
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(out / "table.csv")
    assert frame.shape[0] == 20 and frame["median_osi"].dtype == float
    assert frame.groupby("circuit")["checkpoint"].max().eq(3).all()


def test_a_damaged_run_is_named_and_left_out(tiny_run, tmp_path, capsys):
    out = tmp_path / "results"
    shutil.copytree(tiny_run[0], out)
    (out / "scratch-vs-prior" / tiny_run[1].name / "metrics.json").write_text("{}")
    assert main(["table", str(out)]) == 2
    captured = capsys.readouterr()
    assert "metrics.json" in captured.err and "left out" in captured.err
    assert records(out, on_corrupt=lambda error: None) == []


def test_a_missing_store_is_refused(tmp_path, capsys):
    assert main(["table", str(tmp_path / "nowhere")]) == 2
    assert "no result store at" in capsys.readouterr().err
