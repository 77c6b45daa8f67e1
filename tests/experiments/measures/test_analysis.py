"""Per-population summaries: medians only over enough cells, counts beside them."""

import numpy as np
import pytest

from neurodev.circuits.params import ParameterError
from neurodev.experiments.config import AnalysisParams
from neurodev.experiments.measures.analysis import (
    phase_convergence,
    selectivity,
    time_to_criterion,
)


def tuning_arrays(n_cells, n_responsive, p_values):
    """`spike_tuning`-like arrays for one checkpoint: cell k has OSI k / n_cells."""
    responsive = np.arange(n_cells) < n_responsive
    values = np.arange(n_cells, dtype=float)[None] / n_cells
    return {"responsive": responsive[None], "osi": values, "shuffled_osi": values / 2,
            "classic_osi": values, "half_width_deg": 90 * (1 - values), "f1_osi": values,
            "dsi": values, "preferred": np.zeros((1, n_cells)),
            "osi_p": np.asarray(p_values, dtype=float)[None],
            "wavelength_rates": np.ones((1, n_cells, 3)),
            "direction_accuracy": np.array([[0.5, 0.7, 0.9]]),
            "direction_chance": np.full((1, 3, 4), 1 / 16)}


def test_direction_decoding_is_the_mean_over_wavelengths_beside_its_chance_level():
    summary = selectivity(tuning_arrays(10, 10, np.full(10, 0.5)), np.zeros(10),
                          AnalysisParams(min_cells_for_median=3))
    assert summary["direction_decoding"] == [pytest.approx(0.7)]
    assert summary["direction_decoding_chance"] == [pytest.approx(1 / 16)]


def test_a_median_over_fewer_cells_than_the_minimum_is_missing_with_its_count():
    analysis = AnalysisParams(min_cells_for_median=10)
    few = selectivity(tuning_arrays(20, 9, np.full(20, 0.5)), np.zeros(20), analysis)
    assert np.isnan(few["median_osi"][0]) and np.isnan(few["median_classic_osi"][0])
    assert few["n_responsive"] == [9]
    enough = selectivity(tuning_arrays(20, 10, np.full(20, 0.5)), np.zeros(20), analysis)
    assert enough["median_osi"][0] == pytest.approx(np.median(np.arange(10) / 20))


def test_fraction_selective_counts_cells_below_the_permutation_level_and_not_silent_ones():
    p = np.array([0.001, 0.01, 0.049, 0.05, 0.5, np.nan, 0.2, 0.9, 0.02, 0.3])
    summary = selectivity(tuning_arrays(10, 10, p), np.zeros(10),
                          AnalysisParams(min_cells_for_median=3))
    assert summary["n_selective"] == [4]
    assert summary["fraction_selective"] == [pytest.approx(0.4)]
    # The half-width is a median over the four selective cells (OSI 0, 0.1, 0.2, 0.8).
    selective_osi = np.array([0.0, 0.1, 0.2, 0.8])
    assert summary["median_half_width_deg"][0] == pytest.approx(np.median(90 * (1 - selective_osi)))


def test_convergence_is_the_relative_change_over_each_phases_last_two_checkpoints():
    values = [0.2, 0.25, 0.3, 0.4, 0.42, 0.1]
    phases = ["start", "wt", "wt", "stage3", "stage3", "vision_normal"]
    convergence = phase_convergence(values, phases)
    assert convergence["wt"] == pytest.approx(0.05 / 0.25)
    assert convergence["stage3"] == pytest.approx(0.02 / 0.4)
    assert np.isnan(convergence["vision_normal"])  # one epoch: no two checkpoints of its own


def test_time_to_criterion_is_the_first_checkpoint_reaching_it_or_censored():
    times = [0.0, 100.0, 200.0, 300.0]
    rising = time_to_criterion([0.1, 0.6, 0.4, 0.7], times, 0.5)
    assert rising["reached"] and rising["checkpoint"] == 1 and rising["real_time_s"] == 100.0
    # A half-width reaches a criterion by narrowing to it; a NaN never counts.
    narrowing = time_to_criterion([np.nan, 50.0, 30.0, 20.0], times, 30.0, falling=True)
    assert narrowing["checkpoint"] == 2
    never = time_to_criterion([0.1, np.nan, 0.2, 0.3], times, 0.5)
    assert not never["reached"] and np.isnan(never["real_time_s"])
    assert never["censored_at_s"] == 300.0


def test_an_unknown_criterion_metric_is_refused_with_the_allowed_ones():
    with pytest.raises(ParameterError, match=r"criterion_metric.*median_half_width_deg"):
        AnalysisParams(criterion_metric="median_rate")
