"""The structural experiment at the tiny preset (compiled Brian2)."""

import json

import numpy as np
import pytest

from neurodev.experiments.config import QUICK, TINY
from neurodev.experiments.machinery.runner import run_experiment
from neurodev.experiments.machinery.store import ResultStore
from neurodev.experiments.machinery.sweep import metric_columns as sweep_metric_columns
from neurodev.experiments.protocols import structural


@pytest.fixture(scope="module")
def structural_run(run_tiny):
    out, run_dir = run_tiny("structural")
    return out, run_dir, json.loads((run_dir / "metrics.json").read_text())["circuits"]


@pytest.mark.parametrize("wiring", ["random", "prior"])
def test_turnover_off_keeps_every_synapse(structural_run, wiring):
    t = structural_run[2][wiring]["turnover"]["input_exc"]
    assert len(set(t["live"])) == 1
    assert t["formed"] == t["eliminated"] == [0] * (len(t["live"]) - 1)
    assert t["persistent_fraction"] == [1.0] * (len(t["live"]) - 1)


@pytest.mark.parametrize("wiring", ["random", "prior"])
def test_turnover_on_eliminates_more_than_it_forms_at_first(structural_run, wiring):
    t = structural_run[2][f"{wiring}_rewired"]["turnover"]["input_exc"]
    # tiny forms a handful of synapses per epoch (random: ~4 expected), so only their sum is
    # required to be positive.
    assert t["eliminated"][0] > t["formed"][0] and sum(t["formed"]) > 0
    assert t["live"][1] == t["live"][0] + t["formed"][0] - t["eliminated"][0]
    assert all(0 < p < 1 for p in t["persistent_fraction"])


@pytest.mark.parametrize("wiring", ["random", "prior"])
def test_on_and_off_start_as_one_circuit_on_the_same_input(structural_run, wiring):
    # Before development both circuits have the same weights and receive the same spikes;
    # only their initial membrane potentials are drawn separately, which moves a few of the
    # first spikes: rates agree within 1 % and OSIs within 0.02 (a tenth of the
    # random-prior gap), weights exactly.
    off, on = structural_run[2][wiring], structural_run[2][f"{wiring}_rewired"]
    assert on["median_rf_radius_um"][0] == off["median_rf_radius_um"][0]
    assert on["mean_rate_gratings_hz"][0] == pytest.approx(off["mean_rate_gratings_hz"][0], rel=0.01)
    assert on["median_osi"][0] == pytest.approx(off["median_osi"][0], abs=0.02)


def test_same_seed_gives_identical_turnover(structural_run, tmp_path, build_root):
    # Elimination and formation draw from Brian2's seeded generator like the inputs do.
    again = run_experiment("structural", TINY, tmp_path, build_root=build_root,
                           log=lambda message: None)
    assert (again / "metrics.json").read_text() == (structural_run[1] / "metrics.json").read_text()


def test_stored_arrays_and_figure(structural_run):
    out, run_dir, _ = structural_run
    run = ResultStore(out).load(run_dir)
    alive = run.arrays["prior_rewired.ff_alive"]
    assert alive.dtype == bool and alive.shape == run.arrays["prior_rewired.ff_weights"].shape
    assert (run.arrays["prior_rewired.ff_weights"][~alive] == 0).all()
    assert (out / "structural" / "figures" / f"structural_{run_dir.name}.png").stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.compiler
def test_quick_turnover_starts_with_net_elimination_and_slows(tmp_path):
    """The calibration the README reports: at `quick`, both rewired circuits eliminate more
    than they form in the first epoch, and the fraction of synapses that persists from one
    checkpoint to the next rises (each fraction's binomial SD is < 0.002 for > 10⁴ synapses,
    so a dip of 0.005 would be real)."""
    run_dir = run_experiment("structural", QUICK, tmp_path, log=lambda message: None)
    circuits = json.loads((run_dir / "metrics.json").read_text())["circuits"]
    for wiring in ("random", "prior"):
        t = circuits[f"{wiring}_rewired"]["turnover"]["input_exc"]
        assert t["eliminated"][0] > 2 * t["formed"][0]
        persistent = np.array(t["persistent_fraction"])
        assert persistent[-1] > persistent[0] and np.all(np.diff(persistent) > -0.005)
        assert circuits[wiring]["turnover"]["input_exc"]["formed"] == [0] * len(t["formed"])


def test_declared_metric_columns_are_the_stored_ones(structural_run):
    run = ResultStore(structural_run[0]).load(structural_run[1], arrays=False)
    assert set(sweep_metric_columns(run.metrics)) == structural.EXPERIMENT.metric_columns(TINY)
