"""Shared fixtures: Brian2 device reset, seeds, and one tiny headline run reused by several tests."""

from __future__ import annotations

import os

import brian2
import numpy as np
import pytest

from experiments.config import TINY
from experiments.runner import run_experiment


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
def tiny_run(tmp_path_factory, build_root):
    """The headline experiment at the tiny preset, stored once per test session."""
    out = tmp_path_factory.mktemp("results")
    run_dir = run_experiment("scratch-vs-prior", TINY, out, build_root=build_root,
                             log=lambda message: None)
    return out, run_dir

