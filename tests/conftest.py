"""Shared fixtures: Brian2 device reset, seeds, and one tiny headline run reused by several tests."""

from __future__ import annotations

import os

import brian2
import numpy as np
import pytest

from neurodev.experiments.api import draw_figures
from neurodev.experiments.cli import main
from neurodev.experiments.config import TINY
from neurodev.experiments.machinery.runner import run_experiment
from neurodev.experiments.machinery.store import ResultStore

#: Fixtures that compile Brian2's C++: a test using one needs a compiler.
COMPILING_FIXTURES = {"build_root", "tiny_run", "run_tiny", "run_tiny_study"}


def pytest_collection_modifyitems(items):
    """Mark every test that compiles C++ (through a compiling fixture, or marked by hand) as
    ``compiler``, so that ``-m "not compiler"`` runs the rest where no compiler is."""
    for item in items:
        if COMPILING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.compiler)


@pytest.fixture(autouse=True)
def _reset_brian2():
    """Every test starts on Brian2's runtime device with a fresh default clock."""
    yield
    brian2.device.reinit()
    brian2.set_device("runtime")
    brian2.prefs.codegen.target = "auto"
    brian2.defaultclock.dt = 0.1 * brian2.ms


@pytest.fixture(params=[int(os.environ.get("NEURODEV_SEED", 42))])
def global_random_seed(request):
    """A seed for statistical tests; set NEURODEV_SEED to try another."""
    return request.param


@pytest.fixture
def rng(global_random_seed):
    return np.random.default_rng(global_random_seed)


@pytest.fixture(scope="session")
def build_root(tmp_path_factory):
    """One Brian2 build directory tree for the session, so tiny runs compile once."""
    return tmp_path_factory.mktemp("brian2-builds")


@pytest.fixture(scope="session")
def run_tiny(tmp_path_factory, build_root):
    """``run_tiny(name) -> (store, run_dir)``: a named experiment at the tiny preset, stored in
    a store of its own with its figure drawn, as ``neurodev run`` does."""
    def run(name: str):
        out = tmp_path_factory.mktemp("results")
        run_dir = run_experiment(name, TINY, out, build_root=build_root, log=lambda message: None)
        draw_figures(run_dir, out, name, log=lambda message: None)
        return out, run_dir

    return run


@pytest.fixture(scope="session")
def tiny_run(run_tiny):
    """The headline experiment at the tiny preset, stored once per test session."""
    return run_tiny("scratch-vs-prior")



@pytest.fixture(scope="session")
def run_tiny_study(tmp_path_factory):
    """``run_tiny_study(name, n_seeds) -> (out, runs)``: ``neurodev run NAME --preset tiny
    --seeds N --workers 2`` into a store of its own, and its stored runs (no arrays)."""
    def run(name: str, n_seeds: int):
        out = tmp_path_factory.mktemp(name) / "results"
        assert main(["run", name, "--preset", "tiny", "--seeds", str(n_seeds), "--workers", "2",
                     "--out", str(out)]) == 0
        store = ResultStore(out)
        return out, [store.load(run_dir, arrays=False) for run_dir in store.runs(name)]

    return run
