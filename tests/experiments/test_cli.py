import shutil
import subprocess
import sys

import pytest

from experiments.cli import main
from experiments.store import ResultStore


@pytest.mark.parametrize(("experiment", "override", "key"), [
    ("scratch-vs-prior", "wiring.prior_strength=1.5", "wiring.prior_strength = 1.5"),
    ("scratch-vs-prior", "wiring.unknown=1", "unknown key 'wiring.unknown'"),
    ("scratch-vs-prior", "circuit.exc_side=-8", "circuit.exc_side = -8"),
    ("structural", "structural.enabled=yes",
     "structural.enabled = 'yes' is not allowed: true or false"),
    ("structural", "structural.formation_rule=hebb",
     "structural.formation_rule = 'hebb' is not allowed: one of"),
    ("structural", "structural.elimination_probability=2",
     "structural.elimination_probability = 2.0 is not allowed"),
])
def test_bad_input_exits_non_zero_with_one_line_and_writes_nothing(tmp_path, capsys, experiment,
                                                                   override, key):
    out = tmp_path / "results"
    code = main(["run", experiment, "--preset", "tiny", "--out", str(out), "--set", override])
    error = capsys.readouterr().err
    assert code == 2
    assert error.count("\n") == 1 and key in error
    assert not out.exists()


def test_weight_bound_below_initial_weights_is_refused_before_simulating(tmp_path, capsys):
    out = tmp_path / "results"
    code = main(["run", "scratch-vs-prior", "--preset", "tiny", "--out", str(out),
                 "--set", "plasticity.w_max=0.05"])
    assert code == 2
    assert "plasticity.w_max = 0.05 is below the largest initial" in capsys.readouterr().err
    assert not out.exists()


def test_installed_command_lists_experiments():
    result = subprocess.run([sys.executable, "-m", "experiments.cli", "list"],
                            capture_output=True, text=True, check=True)
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == ["map-statistics", "scratch-vs-prior", "structural"]


def test_presentations_must_be_whole_stimulus_frames(tmp_path, capsys):
    code = main(["run", "scratch-vs-prior", "--preset", "tiny", "--out", str(tmp_path / "r"),
                 "--set", "gratings.presentation_ms=505"])
    assert code == 2
    assert "gratings.presentation_ms = 505.0 is not allowed: a multiple of" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["config.toml", "metrics.json", "arrays.npz", "provenance.json"])
def test_corrupt_run_is_refused_by_reuse_figures_and_verify(tmp_path, capsys, tiny_run, name):
    out = tmp_path / "results"
    shutil.copytree(tiny_run[0], out)
    (run_dir,) = ResultStore(out).runs("scratch-vs-prior")
    assert main(["verify", str(out)]) == 0
    assert "1 intact, 0 corrupt" in capsys.readouterr().out
    damaged = run_dir / name
    damaged.write_bytes(damaged.read_bytes()[:-20])  # truncated
    run = ["run", "scratch-vs-prior", "--preset", "tiny", "--out", str(out)]
    for command, status in ((run, 2), (["figures", "scratch-vs-prior", "--out", str(out)], 2)):
        assert main(command) == status
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and f"{run_dir}/{name}" in error and "--force" in error
    assert main(["verify", str(out)]) == 1
    report = capsys.readouterr().out
    assert f"corrupt: {run_dir}/{name}" in report and "0 intact, 1 corrupt" in report
