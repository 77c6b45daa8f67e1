"""The Python API as a user meets it: the example of docs/api.md run as it stands, and the
command line's validation raised as exceptions with the same messages."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import neurodev
from neurodev.experiments.cli import main

DOCS = Path(__file__).parents[2] / "docs"


def documented_example() -> str:
    """The first Python block of docs/api.md."""
    return re.search(r"```python\n(.*?)```", (DOCS / "api.md").read_text(), re.S).group(1)


@pytest.mark.compiler
def test_the_documented_example_runs_in_a_fresh_interpreter(tmp_path):
    """Pasted into a new Python process in an empty folder, at `tiny`: it runs, stores the
    run under ./results, and prints what its comments say."""
    result = subprocess.run([sys.executable, "-c", documented_example()], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert out.startswith(f"{neurodev.__version__}\n")
    assert "Run('scratch-vs-prior', key=" in out and "seed=1)" in out
    assert "wiring.prior_strength = 1.5 is not allowed: a number in [0, 1]" in out
    # 5 circuits × 4 checkpoints of the one stored run.
    assert re.search(r"^20 scratch-vs-prior \w+ 0 ", out, re.M)
    assert (tmp_path / "results" / "scratch-vs-prior").is_dir()


def test_importing_the_package_loads_no_simulator():
    """The API (and Brian2) load when first used, so the pure-NumPy parts import fast."""
    code = ("import sys, neurodev, neurodev.circuits.spec; "
            "print('brian2' in sys.modules, neurodev.__version__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", neurodev.__version__]


def test_the_api_names_are_the_documented_ones():
    assert set(neurodev.__all__) >= {"run", "load", "table", "sweep", "list_experiments",
                                     "ConfigError", "__version__"}
    assert "scratch-vs-prior" in neurodev.list_experiments()
    with pytest.raises(AttributeError, match="no attribute 'runs'"):
        neurodev.runs  # noqa: B018 (the attribute access is the test)


@pytest.mark.parametrize(("call", "message"), [
    ({"name": "nonsense"}, "unknown experiment 'nonsense'; allowed: map-statistics"),
    ({"name": "scratch-vs-prior", "preset": "huge"}, "unknown preset 'huge'; allowed: tiny"),
    ({"name": "scratch-vs-prior", "overrides": {"wiring.prior_strength": 1.5}},
     "wiring.prior_strength = 1.5 is not allowed: a number in [0, 1]"),
    ({"name": "scratch-vs-prior", "overrides": {"wiring.unknown": 1}},
     "unknown key 'wiring.unknown'"),
    ({"name": "scratch-vs-prior", "overrides": {"prior_strength": 1}},
     "overrides key 'prior_strength' is not a config key: use section.key"),
    ({"name": "scratch-vs-prior", "workers": 2}, "workers and scheduler go with seeds"),
    ({"name": "scratch-vs-prior", "seeds": 2, "seed": 3},
     "seeds 2 is not allowed with seed 3: seeds N runs seeds 1 … N"),
    ({"name": "rearing", "overrides": {"experience.kind": "dark"}},
     "overrides experience.kind is not allowed: 'rearing' runs every experience.kind"),
])
def test_bad_calls_raise_the_command_lines_one_line_message_before_any_work(tmp_path, call,
                                                                            message):
    out = tmp_path / "results"
    with pytest.raises(neurodev.ConfigError) as raised:
        neurodev.run(**{"preset": "tiny", "out": out} | call)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert not out.exists()


def test_the_api_and_the_command_line_refuse_alike(tmp_path, capsys):
    out = tmp_path / "results"
    with pytest.raises(neurodev.ConfigError) as raised:
        neurodev.run("scratch-vs-prior", preset="tiny", out=out,
                     overrides={"circuit.exc_side": -8})
    assert main(["run", "scratch-vs-prior", "--preset", "tiny", "--out", str(out),
                 "--set", "circuit.exc_side=-8"]) == 2
    assert capsys.readouterr().err == f"neurodev: error: {raised.value}\n"


def test_a_stored_run_loads_with_its_config_metrics_arrays_and_figures(tiny_run):
    run_dir = tiny_run[1]
    run = neurodev.load(run_dir)
    assert (run.experiment, run.key, run.path) == ("scratch-vs-prior", run_dir.name, run_dir)
    assert run.config.circuit.retina_side == 12 and run.config.seed == 1
    assert len(run.metrics["circuits"]["prior"]["median_osi"]) == 4
    assert "arrays" not in vars(run)  # read when first used
    assert run.arrays["prior.rf"].shape[0] == 4
    assert {path.suffix for path in run.figures} == {".png", ".pdf"}
    assert [row["checkpoint"] for row in run.records() if row["circuit"] == "prior"] == [0, 1, 2, 3]


def test_a_damaged_run_is_refused_when_loaded(tiny_run, tmp_path):
    import shutil

    out = tmp_path / "results"
    shutil.copytree(tiny_run[0], out)
    run_dir = out / "scratch-vs-prior" / tiny_run[1].name
    (run_dir / "metrics.json").write_text("{}")
    with pytest.raises(neurodev.CorruptRun, match=r"metrics\.json"):
        neurodev.load(run_dir)
