import numpy as np
import pytest
from scipy.special import iv

from neurodev.experiments.measures.tuning import (
    circular_difference,
    f1_amplitude,
    global_dsi,
    global_osi,
    preferred_orientation,
    shuffled_osi,
    tuning_curves,
)

DIRECTIONS = np.arange(16) * np.pi / 8


@pytest.mark.parametrize("kappa", [0.5, 1.0, 3.0])
@pytest.mark.parametrize("preferred", [0.3, 2.0])
def test_osi_of_von_mises_tuning_is_bessel_ratio(kappa, preferred):
    """r(φ) = exp(κ cos 2(φ − φ₀)) has gOSI = I₁(κ)/I₀(κ) in the continuum. 16 directions
    are 8 samples of the doubled angle, so harmonic 1 aliases with harmonic 7: the error is
    of order I₇(κ)/I₀(κ) (1e-3 at κ = 3), in the magnitude and in the angle."""
    responses = np.exp(kappa * np.cos(2 * (DIRECTIONS - preferred)))
    tolerance = 4 * iv(7, kappa) / iv(0, kappa)
    assert global_osi(responses, DIRECTIONS) == pytest.approx(iv(1, kappa) / iv(0, kappa),
                                                              abs=tolerance)
    assert preferred_orientation(responses, DIRECTIONS) == pytest.approx(preferred, abs=tolerance)
    assert global_dsi(responses, DIRECTIONS) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("kappa", [0.5, 2.0])
def test_dsi_of_direction_tuning_is_bessel_ratio(kappa):
    responses = np.exp(kappa * np.cos(DIRECTIONS - 1.0))
    # 16 samples of the angle: harmonic 1 aliases with harmonic 15, negligible here.
    assert global_dsi(responses, DIRECTIONS) == pytest.approx(iv(1, kappa) / iv(0, kappa), abs=1e-9)


def test_silent_cell_has_undefined_osi():
    assert np.isnan(global_osi(np.zeros(16), DIRECTIONS))


def test_f1_recovers_modulation_depth(rng):
    """Inhomogeneous Poisson spikes at r(t) = 40 + 30 cos(2π·2t) Hz for 20 s: F1 → 30 Hz with a
    sampling error of √(2·r0/T) ≈ 2 Hz; 4 standard errors allowed."""
    duration, rate0, depth, frequency = 20.0, 40.0, 30.0, 2.0
    candidates = rng.uniform(0, duration, rng.poisson((rate0 + depth) * duration))
    rate = rate0 + depth * np.cos(2 * np.pi * frequency * candidates)
    times = np.sort(candidates[rng.random(len(candidates)) < rate / (rate0 + depth)])
    phase_sum = np.exp(2j * np.pi * frequency * times).sum()
    assert f1_amplitude(phase_sum, duration) == pytest.approx(depth, abs=8.0)


def test_tuning_curves_places_each_window():
    values = np.array([[1.0], [2.0], [3.0], [4.0]])
    curves = tuning_curves(values, np.array([1, 0, 0, 1]), np.array([0, 0, 1, 1]), 2, 2)
    np.testing.assert_array_equal(curves[0], [[2.0, 3.0], [1.0, 4.0]])


def test_shuffle_floor_is_positive_for_untuned_cells_and_falls_with_trials(rng):
    floors = []
    for n_trials in (2, 16):
        untuned = rng.poisson(5.0, size=(200, 16, n_trials)).astype(float)
        floors.append(np.median(shuffled_osi(untuned, DIRECTIONS, rng, n_shuffles=5)))
    assert floors[0] > floors[1] > 0


def test_circular_difference_wraps_at_pi():
    np.testing.assert_allclose(circular_difference([0.0, 3.0], [np.pi - 0.1, 0.0]), [0.1, np.pi - 3.0])
