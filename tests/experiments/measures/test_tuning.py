import numpy as np
import pytest
from scipy.special import iv

from neurodev.experiments.measures.tuning import (
    at_best,
    circular_difference,
    classic_osi,
    f1_amplitude,
    global_dsi,
    global_osi,
    half_width,
    osi_permutation_p,
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
    curves = tuning_curves(values, (np.array([1, 0, 0, 1]), np.array([0, 0, 1, 1])), (2, 2))
    np.testing.assert_array_equal(curves[0], [[2.0, 3.0], [1.0, 4.0]])


def test_shuffle_floor_is_positive_for_untuned_cells_and_falls_with_trials(rng):
    floors = []
    for n_trials in (2, 16):
        untuned = rng.poisson(5.0, size=(200, 16, n_trials)).astype(float)
        floors.append(np.median(shuffled_osi(untuned, DIRECTIONS, rng, n_shuffles=5)))
    assert floors[0] > floors[1] > 0


def test_circular_difference_wraps_at_pi():
    np.testing.assert_allclose(circular_difference([0.0, 3.0], [np.pi - 0.1, 0.0]), [0.1, np.pi - 3.0])


def gaussian_orientation_tuning(n_directions, preferred_deg, sigma_deg, baseline=0.0, peak=10.0):
    """Responses to `n_directions` drift directions of a Gaussian in orientation (period 180°)."""
    orientation = np.arange(n_directions) * 360.0 / n_directions % 180
    offset = (orientation - preferred_deg + 90) % 180 - 90
    return baseline + peak * np.exp(-offset**2 / (2 * sigma_deg**2))


@pytest.mark.parametrize("sigma_deg", [10.0, 20.0, 30.0])
@pytest.mark.parametrize("baseline", [0.0, 2.0])
def test_half_width_of_gaussian_tuning_is_its_hwhm(sigma_deg, baseline):
    """HWHM of a Gaussian is σ √(2 ln 2). 72 directions sample orientation every 5°: linear
    interpolation between samples, and the baseline taken as the minimum (at 90°, where the
    Gaussian is still 1.1 % of its peak at σ = 30°), move the crossing by well under 1°."""
    responses = gaussian_orientation_tuning(72, 40.0, sigma_deg, baseline)
    assert half_width(responses) == pytest.approx(sigma_deg * np.sqrt(2 * np.log(2)), abs=1.0)


def test_half_width_of_an_untuned_cell_is_90_degrees_and_of_a_silent_one_undefined():
    assert half_width(np.full(16, 3.0)) == 90.0
    assert np.isnan(half_width(np.zeros(16)))


def test_classic_osi_compares_preferred_and_orthogonal_orientations():
    # Gaussian with σ = 20° sampled every 22.5°: preferred 10 Hz + 1, orthogonal (90° away) ~1.
    responses = gaussian_orientation_tuning(16, 45.0, 20.0, baseline=1.0)
    pref, orth = 11.0, 1.0 + 10.0 * np.exp(-90.0**2 / (2 * 20.0**2))
    assert classic_osi(responses) == pytest.approx((pref - orth) / (pref + orth), abs=1e-12)
    assert classic_osi(np.full(16, 2.0)) == 0.0
    assert np.isnan(classic_osi(np.zeros(16)))


def test_permutation_test_is_at_its_level_for_untuned_poisson_cells(rng):
    """2 000 untuned cells, Poisson counts at 5 Hz in 1 s presentations, 16 directions × 4
    trials: p < 0.05 for 5 % of them. With 999 permutations the test's own level is 4.9 %
    (p is a multiple of 1/1000); sampling 2 000 cells adds an SD of 0.49 %: 5 ± 1.5 % is
    about 3 SD."""
    counts = rng.poisson(5.0, size=(2000, 16, 4)).astype(float)
    p = osi_permutation_p(counts, DIRECTIONS, rng, n_permutations=999)
    assert np.mean(p < 0.05) == pytest.approx(0.05, abs=0.015)


def test_permutation_test_finds_tuned_cells_and_skips_silent_ones(rng):
    """Cells tuned like the Gaussian above (σ = 20°, 1 → 11 Hz) over 4 trials of Poisson
    counts: the observed OSI (~0.5) is far beyond any label permutation's (~0.1)."""
    rates = gaussian_orientation_tuning(16, 45.0, 20.0, baseline=1.0)
    counts = rng.poisson(np.broadcast_to(rates[None, :, None], (200, 16, 4))).astype(float)
    p = osi_permutation_p(counts, DIRECTIONS, rng, n_permutations=199)
    assert np.all(p <= 1 / 200 + 1e-12)
    assert np.isnan(osi_permutation_p(np.zeros((1, 16, 4)), DIRECTIONS, rng)[0])


def test_at_best_takes_each_cells_values_at_its_strongest_option():
    values = np.arange(12.0).reshape(2, 3, 2)  # 2 cells × 3 wavelengths × 2 directions
    mean_response = np.array([[0.0, 5.0, 1.0], [9.0, 0.0, 1.0]])
    chosen, best = at_best(values, mean_response)
    np.testing.assert_array_equal(best, [1, 0])
    np.testing.assert_array_equal(chosen, [values[0, 1], values[1, 0]])


def test_choosing_the_best_wavelength_by_mean_rate_keeps_the_false_positive_rate(rng):
    """Untuned Poisson cells measured at three wavelengths, each at its best by mean rate:
    the permutation test still calls 5 % of them selective (±1.5 %, three binomial SDs over
    2000 cells), since the mean rate says nothing about the tuning."""
    n_cells = 2000
    trials = rng.poisson(rng.uniform(2, 10, (n_cells, 3, 1, 1)), (n_cells, 3, 16, 6)).astype(float)
    chosen, _ = at_best(trials, trials.mean(axis=(2, 3)))
    p = osi_permutation_p(chosen, DIRECTIONS, rng, n_permutations=199)
    assert np.mean(p < 0.05) == pytest.approx(0.05, abs=0.015)
