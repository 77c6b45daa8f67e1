import csv
import math
from pathlib import Path

import pytest

from neurodev.experiments.cli import main
from neurodev.experiments.config import TINY, ConfigError
from neurodev.experiments.machinery.runner import code_version
from neurodev.experiments.machinery.store import ResultStore
from neurodev.experiments.machinery.sweep import load_sweep, metric_columns, table_rows
from neurodev.experiments.machinery.table import write_table

HEADER = 'experiment = "scratch-vs-prior"\npreset = "tiny"\n'
EXAMPLES = Path(__file__).parents[3] / "docs" / "examples"


def sweep_file(tmp_path, body: str, name: str = "study"):
    path = tmp_path / f"{name}.toml"
    path.write_text(HEADER + body)
    return path


def test_grid_is_the_product_of_axes_and_seeds(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, """seeds = [1, 3]
[grid]
wiring.prior_strength = { linspace = [0.25, 1.0, 4] }
"plasticity.a_plus" = [0.004, 0.008]
"""), code_version())
    assert [axis.keys for axis in sweep.axes] == [("wiring.prior_strength",), ("plasticity.a_plus",)]
    assert sweep.axes[0].steps == ((0.25,), (0.5,), (0.75,), (1.0,))
    assert len(sweep.runs) == 4 * 2 * 2
    assert len({run.key for run in sweep.runs}) == len(sweep.runs)
    first = sweep.runs[0]
    assert first.settings == {"wiring.prior_strength": 0.25, "plasticity.a_plus": 0.004}
    assert first.config.wiring.prior_strength == 0.25 and first.config.seed == 1
    assert first.config.circuit == TINY.circuit  # the preset underneath


def test_zip_groups_step_together_and_ranges_are_exact(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, """seeds = 2
zip = [["plasticity.a_plus", "plasticity.a_minus"]]
[base]
gratings.n_trials = 1
[grid]
plasticity.a_plus = { geomspace = [0.001, 0.1, 3] }
plasticity.a_minus = [0.002, 0.02, 0.2]
schedule.waves_per_epoch = { linspace = [2, 6, 3] }
"""), code_version())
    zipped, waves = sweep.axes
    assert zipped.steps == ((0.001, 0.002), (0.01, 0.02), (0.1, 0.2))  # rounded to 12 digits
    assert waves.steps == ((2,), (4,), (6,)) and isinstance(waves.steps[0][0], int)
    assert len(sweep.runs) == 3 * 3 * 2
    assert [run.seed for run in sweep.runs[:2]] == [1, 2]
    assert all(run.config.gratings.n_trials == 1 for run in sweep.runs)


@pytest.mark.parametrize(("body", "message"), [
    ("seeds = 0\n", "seeds = 0 is not allowed: a count n >= 1"),
    ("colour = 1\n", "unknown entry 'colour'; allowed: experiment, preset"),
    ("[grid]\nwiring.unknown = [1, 2]\n", "unknown key 'wiring.unknown'"),
    ("[grid]\nwiring.prior_strength = [0.5, 1.5]\n",
     "run wiring.prior_strength=1.5 seed=1: wiring.prior_strength = 1.5 is not allowed"),
    ("[grid]\nwiring.prior_strength = []\n", "grid.wiring.prior_strength = [] is not allowed"),
    ("[grid]\nwiring.prior_strength = { linspace = [0, 1] }\n", "linspace = [start, stop, num]"),
    ("[grid]\nwiring.prior_strength = { arange = [0, 1, 2] }\n", "is not allowed: a list"),
    ("[grid]\nseed = [1, 2]\n", "'seed' cannot be swept"),
    ("[grid]\nprior_strength = [0.5, 1.0]\n", "grid key 'prior_strength' is not a config key"),
    (('zip = [["wiring.prior_strength", "plasticity.a_plus"]]\n[grid]\n'
     "wiring.prior_strength = [0.5, 1.0]\nplasticity.a_plus = [0.01]\n"),
     "different numbers of values: wiring.prior_strength: 2, plasticity.a_plus: 1"),
    (('zip = [["wiring.prior_strength", "plasticity.a_plus"]]\n[grid]\n'
     "wiring.prior_strength = [0.5, 1.0]\n"), "zip names 'plasticity.a_plus', which is not"),
    ("[grid]\ncircuit.ff_connection_probability = [1e-9]\n",
     "run circuit.ff_connection_probability=1e-09 seed=1: circuit.ff_connection_probability"),
    ("[grid]\nwiring.prior_strength = [0.5, 0.50000000000001]\n", "have the same resolved config"),
    ("metrics = []\n", "metrics = [] is not allowed"),
    ("[grid]\nplasticity.a_plus = { geomspace = [0, 0.1, 3] }\n", "start and stop > 0"),
])
def test_bad_sweep_fails_with_one_line_naming_file_and_key(tmp_path, body, message):
    path = sweep_file(tmp_path, body)
    with pytest.raises(ConfigError) as error:
        load_sweep(path, code_version())
    assert message in str(error.value)
    assert str(error.value).startswith(str(path)) and "\n" not in str(error.value)


def test_unknown_experiment_or_preset(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('experiment = "gabor"\n')
    with pytest.raises(ConfigError, match="experiment = 'gabor' is not allowed: one of"):
        load_sweep(path, code_version())
    path.write_text('experiment = "structural"\npreset = "huge"\n')
    with pytest.raises(ConfigError, match="preset = 'huge' is not allowed"):
        load_sweep(path, code_version())


def test_cli_refuses_bad_sweep_and_workers_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "results"
    path = sweep_file(tmp_path, "[grid]\nwiring.prior_strength = [2.0]\n")
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    good = sweep_file(tmp_path, "", name="good")
    assert main(["sweep", str(good), "--out", str(out), "--workers", "0"]) == 2
    assert "--workers 0 is not allowed" in capsys.readouterr().err
    assert not out.exists()


def test_dry_run_lists_runs_and_counts_stored(tiny_run, tmp_path, capsys):
    out, run_dir = tiny_run
    path = sweep_file(tmp_path, "seeds = [1, 3]\n")
    assert main(["sweep", str(path), "--out", str(out), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"stored  {run_dir.name}  seed=1")
    assert lines[1].startswith("to run ") and lines[1].endswith("seed=3")
    assert lines[2].startswith("2 runs: 1 stored, 1 to run")
    assert not (out / "sweeps").exists()


def test_metric_columns_are_final_checkpoint_values(tiny_run):
    out, run_dir = tiny_run
    metrics = ResultStore(out).load(run_dir, arrays=False).metrics
    columns = metric_columns(metrics)
    for label in ("random", "prior"):
        circuit = metrics["circuits"][label]
        assert columns[f"{label}.median_osi"] == circuit["median_osi"][-1]
        assert columns[f"{label}.l23.fraction_selective"] == circuit["l23"]["fraction_selective"][-1]
        assert (columns[f"{label}.turnover.input_exc.live"]
                == circuit["turnover"]["input_exc"]["live"][-1])
    assert columns["simulated_time_s"] == metrics["simulated_time_s"]
    assert not any(name.startswith(("development", "network")) for name in columns)


def test_table_has_one_row_per_run_with_status(tiny_run, tmp_path):
    out, run_dir = tiny_run
    sweep = load_sweep(sweep_file(tmp_path, "seeds = [1, 3, 7]\n"), code_version())
    failed_key = sweep.runs[1].key
    rows = table_rows(sweep, out, {failed_key: "RuntimeError: boom"})
    assert [row["status"] for row in rows] == ["done", "failed", "missing"]
    assert rows[1]["error"] == "RuntimeError: boom" and rows[0]["run_key"] == run_dir.name
    path = write_table(rows, tmp_path / "table.csv")
    with open(path, newline="") as handle:
        read = list(csv.DictReader(handle))
    assert len(read) == 3 and read[2]["prior.median_osi"] == ""
    assert math.isclose(float(read[0]["prior.median_osi"]), rows[0]["prior.median_osi"])
    assert read[0]["circuit.exc_side"] == str(TINY.circuit.exc_side)  # every config key


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_example_sweep_files_are_valid(example):
    assert load_sweep(example, code_version()).runs
