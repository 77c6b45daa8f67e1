"""The map-statistics experiment at the tiny preset (compiled Brian2)."""

import json

import pytest

from neurodev.experiments.config import TINY
from neurodev.experiments.machinery.store import ResultStore
from neurodev.experiments.machinery.sweep import metric_columns as sweep_metric_columns
from neurodev.experiments.protocols import map_statistics


@pytest.fixture(scope="module")
def maps_run(run_tiny):
    out, run_dir = run_tiny("map-statistics")
    return out, json.loads((run_dir / "metrics.json").read_text()), run_dir


def test_the_prior_map_generator_has_pi_pinwheels_per_column_spacing_squared(maps_run):
    generator = maps_run[1]["maps"]["generator"]
    assert all(2.8 <= d <= 3.5 for d in generator["densities"])


def test_like_to_like_l2_3_is_more_selective_than_random_l2_3_on_the_same_l4(maps_run):
    circuits, maps = maps_run[1]["circuits"], maps_run[1]["maps"]
    assert circuits["prior"]["l23"]["median_osi"][0] > circuits["prior_l4"]["l23"]["median_osi"][0]
    assert (maps["prior"]["l23_input_resultant_median"]
            > maps["prior_l4"]["l23_input_resultant_median"] + 0.2)
    assert maps["prior"]["l23_input_spread_deg"] < maps["prior_l4"]["l23_input_spread_deg"]
    # Same L4 wiring and input; only initial membrane potentials differ, so L4 responds alike
    # (0.05: a few percent of an OSI of ~0.4, far below the prior-random difference).
    assert circuits["prior"]["median_osi"][0] == pytest.approx(circuits["prior_l4"]["median_osi"][0],
                                                               abs=0.05)


def test_measured_maps_follow_the_prior_map_only_under_the_prior(maps_run):
    maps = maps_run[1]["maps"]
    assert maps["prior"]["correlation_with_prior_map"][0] > 0.8
    assert maps["random"]["correlation_with_prior_map"][0] < 0.5


def test_figure_is_drawn(maps_run):
    out, _, run_dir = maps_run
    assert (out / "map-statistics" / "figures" / f"map-statistics_{run_dir.name}.png").is_file()


def test_declared_metric_columns_are_the_stored_ones(maps_run):
    run = ResultStore(maps_run[0]).load(maps_run[2], arrays=False)
    assert set(sweep_metric_columns(run.metrics)) == map_statistics.EXPERIMENT.metric_columns(TINY)
