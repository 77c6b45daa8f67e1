"""Run keys: a run is identified by its config and by the code that computes its results."""

import json
import shutil

import pytest

from neurodev.experiments.config import PRESETS, TINY
from neurodev.experiments.machinery import runner
from neurodev.experiments.machinery.registry import EXPERIMENTS


@pytest.fixture
def copied_sources(tmp_path):
    """A copy of the model's source files, by the names the fingerprint uses."""
    copies = {}
    for name, path in runner.model_sources().items():
        copies[name] = tmp_path / name
        copies[name].parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copies[name])
    return copies


def test_the_fingerprint_covers_the_engine_the_measures_and_every_protocol():
    names = set(runner.model_sources())
    assert {"development/models.py", "development/engine.py", "experiments/config.py",
            "experiments/measures/tuning.py", "circuits/spec.py"} <= names
    assert {f"experiments/protocols/{experiment.figure}.py"
            for experiment in EXPERIMENTS.values()} <= names
    assert not any(name.startswith(("figures/", "experiments/machinery/")) for name in names)


def test_changing_one_equation_string_changes_the_run_key_of_every_experiment(copied_sources,
                                                                             monkeypatch):
    before = runner.code_fingerprint(copied_sources)
    assert before == runner.code_fingerprint(runner.model_sources())  # the copy is faithful
    models = copied_sources["development/models.py"]
    equation = "dge/dt = -ge/tau_exc : 1"
    assert models.read_text().count(equation) == 1
    models.write_text(models.read_text().replace(equation, "dge/dt = -ge/(tau_exc*1.01) : 1"))
    after = runner.code_fingerprint(copied_sources)
    assert after != before

    keys = {}
    for fingerprint in (before, after):
        monkeypatch.setattr(runner, "code_version", lambda fingerprint=fingerprint: fingerprint)
        keys[fingerprint] = {(name, preset): runner.run_key(PRESETS[preset])
                             for name in EXPERIMENTS for preset in PRESETS}
    assert all(keys[before][run] != keys[after][run] for run in keys[before])


def test_the_code_version_is_stored_with_every_run(tiny_run):
    provenance = json.loads((tiny_run[1] / "provenance.json").read_text())
    assert provenance["code"] == runner.code_version()
    assert tiny_run[1].name == runner.run_key(TINY)
