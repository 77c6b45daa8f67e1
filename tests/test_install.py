"""The distribution as a user gets it: a wheel installed into a fresh virtual environment, used
from a research project that has its own ``experiments/`` and ``figures/`` packages."""

import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FOLDERS = ("circuits", "development", "experiments", "figures")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(out)], check=True, capture_output=True)
    return next(out.glob("neurodev-*.whl"))


@pytest.fixture(scope="module")
def environment(tmp_path_factory, wheel) -> Path:
    """A fresh virtual environment with the wheel installed. Its dependencies (Brian2, NumPy,
    ...) are those of this interpreter, put on its path by a path file: a path file adds
    directories without running theirs, so this interpreter's (editable) neurodev stays out."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    env_site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   check=True, capture_output=True, text=True).stdout.strip())
    (env_site / "dependencies.pth").write_text(
        "\n".join({*site.getsitepackages(), sysconfig.get_path("purelib")}) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "-q", str(wheel)], check=True, capture_output=True)
    return env


@pytest.fixture
def project(tmp_path) -> Path:
    """A researcher's project whose own packages have the generic names of neurodev's folders."""
    for name in ("experiments", "figures", "circuits"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f'"""The project\'s own {name}."""\n')
    return tmp_path


def test_the_wheel_holds_every_module_under_the_neurodev_namespace(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            assert f"neurodev/{path.relative_to(ROOT)}" in names
    assert "neurodev/experiments/targets.toml" in names
    assert not any(name.startswith(FOLDERS) for name in names)  # no generic top-level package


def test_cli_and_python_api_work_beside_a_project_with_its_own_experiments(environment, project):
    command = subprocess.run([environment / "bin" / "neurodev", "list"], cwd=project,
                             capture_output=True, text=True, check=True)
    assert "scratch-vs-prior" in command.stdout
    api = """
import experiments, neurodev.experiments.config as config
from neurodev.experiments.machinery.registry import EXPERIMENTS
EXPERIMENTS["scratch-vs-prior"].validate(config.TINY)
print(experiments.__doc__, config.__file__, sep="\\n")
"""
    result = subprocess.run([environment / "bin" / "python", "-c", api], cwd=project,
                            capture_output=True, text=True, check=True)
    own_doc, neurodev_file = result.stdout.splitlines()
    assert own_doc == "The project's own experiments."
    assert Path(neurodev_file).is_relative_to(environment)
