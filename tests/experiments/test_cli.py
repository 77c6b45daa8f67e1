import shutil
import subprocess
import sys

import pytest

from neurodev.experiments.cli import main
from neurodev.experiments.machinery.store import ResultStore


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


def test_installed_command_lists_experiments():
    result = subprocess.run([sys.executable, "-m", "neurodev.experiments.cli", "list"],
                            capture_output=True, text=True, check=True)
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == ["map-statistics", "prior-strength", "rearing", "scratch-vs-prior",
                      "structural", "wave-perturbation"]


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


#: Bad input of every kind the CLI takes, and the line that refuses it (exit 2, nothing
#: written). OUT stands for the test's output directory, FILE for an existing file.
REFUSED = [
    (["--set", "waves.initiation_rate_per_mm2_s=1e-9"], "hardly any wave starts: raise"),
    (["--set", "waves.refractory_tau_s=1e6"], "lower waves.refractory_tau_s (= 1e+06)"),
    (["--set", "waves.recruitment_threshold=1e6"], "fewer than waves.recruitment_threshold"),
    (["--set", "waves.burst_rate_hz=0"], "waves.burst_rate_hz = 0.0 is not allowed"),
    (["--set", "circuit.ff_arbor_radius_um=1"], "circuit.ff_arbor_radius_um = 1.0 is not allowed"),
    (["--set", "circuit.inh_arbor_radius_um=1"], "circuit.inh_arbor_radius_um = 1.0 is not"),
    (["--set", "circuit.retina_spacing_um=1e4"], "retina_spacing_um = 10000), so that every"),
    (["--set", "circuit.ff_connection_probability=1e-9"], "leaves L4 without feed-forward"),
    (["--set", "circuit.exc_side=512"], "GiB of memory"),
    (["--set", "neurons.v_reset_mv=-40"], "neurons.v_reset_mv = -40.0 is not allowed: below"),
    (["--set", "neurons.e_exc_mv=-60"], "neurons.e_exc_mv = -60.0 is not allowed: above"),
    (["--set", "wiring.prior_strength=0.5", "--set", "wiring.prior_strength=0.7"], "given twice"),
    (["--seed", "2", "--set", "seed=3"], "--seed 2 conflicts with --set seed=3"),
    (["--set", "experience.image_pixel_um=1"],
     "experience.image_pixel_um = 1.0 is not allowed: above 2.148, so that the 256-pixel"),
    (["--set", "plasticity.w_max=2"], "'plasticity.w_max' is no longer a config key: the feed-forward"),
    (["--set", "seed=-1"], "seed = -1 is not allowed"),
    (["--set", "schedule.n_epochs=0"], "schedule.n_epochs = 0 is not allowed"),
    (["--set", "gratings.presentation_ms=505"], "a multiple of engine.stimulus_frame_ms"),
    (["--set", "engine.device=gpu"], "engine.device = 'gpu' is not allowed"),
    (["--set", "nosuch.key=1"], "unknown config section 'nosuch'"),
    (["--set", "wiring"], "--set takes key=value"),
    (["--set", "gratings.wavelengths_um=[300, 300]"],
     "gratings.wavelengths_um = [300, 300] is not allowed: a list of distinct"),
    (["--set", "analysis.criterion_metric=rate"], "analysis.criterion_metric = 'rate' is not"),
    (["--seeds", "2", "--seed", "3"], "--seeds 2 is not allowed with --seed 3"),
    (["--seeds", "0"], "--seeds 0 is not allowed: a count n >= 1"),
    (["--seeds", "2", "--force"], "--force is not allowed with several runs"),
    (["--workers", "2"], "--workers and --scheduler go with --seeds"),
    (["--out", "FILE"], "is a file, not a directory"),
    (["--out", "FILE/sub"], "is a file, not a directory"),
    (["--out", "/proc/neurodev-test"], "cannot write in /proc"),
    (["--config", "BADTOML"], "cannot read config file"),
    (["--config", "NOTUTF8"], "cannot read config file"),
]


@pytest.mark.parametrize(("arguments", "message"), REFUSED)
def test_every_bad_run_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, arguments,
                                                                    message):
    out = tmp_path / "results"
    (tmp_path / "file").write_text("")
    (tmp_path / "bad.toml").write_text("[wiring\n")
    (tmp_path / "latin1.toml").write_bytes("# Gr\xfc\xdfe\n".encode("latin-1"))
    for name, path in (("FILE", "file"), ("BADTOML", "bad.toml"), ("NOTUTF8", "latin1.toml")):
        arguments = [a.replace(name, str(tmp_path / path)) for a in arguments]
    code = main(["run", "scratch-vs-prior", "--preset", "tiny", "--out", str(out), *arguments])
    error = capsys.readouterr().err
    assert code == 2, error
    assert error.count("\n") == 1 and message in error, error
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "file", "latin1.toml"]


@pytest.mark.parametrize(("command", "message"), [
    (["bench", "--parts", ""], "--parts names no part"),
    (["bench", "--parts", "headline,headline"], "names a part twice"),
    (["bench", "--parts", "bare"], "need 'headline'"),
    (["waves", "wt", "--set", "waves.preset=nosuch"], "conflicts with PRESET ('wt')"),
    (["figures", "scratch-vs-prior"], "no stored runs of 'scratch-vs-prior'"),
    (["verify"], "no result store at"),
])
def test_every_bad_command_input_is_one_line_exit_2(tmp_path, capsys, monkeypatch, command,
                                                    message):
    monkeypatch.chdir(tmp_path)  # ./results is the default store
    code = main(command)
    error = capsys.readouterr().err
    assert code == 2, error
    assert error.count("\n") == 1 and message in error, error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("text", "message"), [
    ('metrics = ["median_os"]\n', "metrics: 'median_os' is not a metric of this experiment"),
    ("[grid]\nwiring.prior_strength = { linspace = [0.0, 1.0, 200000] }\n",
     "the sweep has 200000 runs, more than 2000"),
])
def test_sweep_files_refused_before_anything_runs(tmp_path, capsys, text, message):
    sweep = tmp_path / "study.toml"
    sweep.write_text('experiment = "scratch-vs-prior"\npreset = "tiny"\n' + text)
    code = main(["sweep", str(sweep), "--out", str(tmp_path / "results"), "--dry-run"])
    error = capsys.readouterr().err
    assert code == 2 and error.count("\n") == 1 and message in error, error
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(("experiment", "override", "message"), [
    ("rearing", "experience.kind=dark",
     "--set experience.kind is not allowed: 'rearing' runs every"),
    ("rearing", "schedule.vision_epochs=0",
     "schedule.vision_epochs = 0 is not allowed for rearing"),
    ("wave-perturbation", "waves.preset=b2ko",
     "--set waves.preset is not allowed: 'wave-perturbation' runs every"),
    ("wave-perturbation", "schedule.vision_epochs=0",
     "schedule.vision_epochs = 0 is not allowed for wave-perturbation"),
    ("prior-strength", "waves.correlation=0.5",
     "--set waves.correlation is not allowed: 'prior-strength' runs every"),
])
def test_conditions_are_not_fixed_and_vision_not_skipped(tmp_path, capsys, experiment, override,
                                                         message):
    out = tmp_path / "results"
    code = main(["run", experiment, "--preset", "tiny", "--out", str(out), "--set", override])
    error = capsys.readouterr().err
    assert code == 2, error
    assert error.count("\n") == 1 and message in error, error
    assert not out.exists()


COMMANDS = ("list", "run", "waves", "bench", "sweep", "figures", "table", "verify")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_s_help_shows_an_example_of_itself(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    help_text = capsys.readouterr().out
    assert "examples:\n" in help_text and f"  neurodev {command}" in help_text


def test_version_names_neurodev_brian2_and_python(capsys):
    import neurodev

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"neurodev {neurodev.__version__} (Brian2 2.")
