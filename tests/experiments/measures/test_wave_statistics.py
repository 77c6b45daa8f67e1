import numpy as np
import pytest

from neurodev.circuits.sheets import grid_positions
from neurodev.experiments.measures.wave_statistics import (
    CorrelationProfile,
    correlation_matrix,
    correlation_profile,
    detect_bursts,
    find_waves,
    half_distance,
    interwave_intervals,
    lead_lag_s,
    summarise,
)

SIDE, SPACING, FRAME = 20, 50.0, 0.01
BURST_S, BURST_HZ, BACKGROUND_HZ = 1.5, 20.0, 0.5


def plane_waves(speed, angle, starts_s, duration_s):
    """Expected spikes per frame of plane waves crossing the grid at `speed` (µm/s) along `angle`."""
    positions = grid_positions(SIDE, SPACING)
    travel = positions @ np.array([np.cos(angle), np.sin(angle)])
    arrival = (travel - travel.min()) / speed
    t = (np.arange(round(duration_s / FRAME)) + 0.5) * FRAME
    rate = np.full((len(t), SIDE**2), BACKGROUND_HZ)
    for start in starts_s:
        inside = (t[:, None] >= start + arrival) & (t[:, None] < start + arrival + BURST_S)
        rate += BURST_HZ * inside
    return rate * FRAME


@pytest.mark.parametrize("angle_deg", [0, 30, 135])
def test_plane_wave_speed_direction_and_area(angle_deg):
    movie = plane_waves(150.0, np.radians(angle_deg), [1.0], 20.0)
    bursts, bursting = detect_bursts(movie, FRAME)
    waves = find_waves(bursts, bursting, SIDE, SPACING, FRAME)
    assert len(waves.area_mm2) == 1
    assert waves.area_mm2[0] == pytest.approx(SIDE**2 * (SPACING / 1000) ** 2)
    # Onsets are quantised to 10 ms frames over 100 µm central differences (0.67 s): ≤ 2 %.
    assert waves.speed_um_per_s[0] == pytest.approx(150.0, rel=0.02)
    error = np.angle(np.exp(1j * (waves.direction_rad[0] - np.radians(angle_deg))))
    assert abs(np.degrees(error)) < 2


def test_bursts_intervals_and_rates_of_repeated_waves():
    movie = plane_waves(200.0, 0.0, [1.0, 81.0, 161.0], 170.0)
    half_height = BACKGROUND_HZ + BURST_HZ / 2
    bursts, bursting = detect_bursts(movie, FRAME, threshold_hz=half_height)
    waves = find_waves(bursts, bursting, SIDE, SPACING, FRAME)
    assert len(waves.area_mm2) == 3
    # At half height a smoothed rectangular burst keeps its length, to within the frame
    # rounding of the smoothing box's edges.
    np.testing.assert_allclose(bursts.n_frames * FRAME, BURST_S, atol=2 * FRAME)
    np.testing.assert_allclose(bursts.spikes / (bursts.n_frames * FRAME),
                               BURST_HZ + BACKGROUND_HZ, rtol=0.02)
    np.testing.assert_allclose(interwave_intervals(bursts, waves, FRAME), 80.0, atol=FRAME)


def test_independent_poisson_cells_are_uncorrelated_and_have_no_waves(rng):
    frame, duration = 0.05, 3000.0
    on, off = rng.poisson(1.0 * frame, (2, round(duration / frame), SIDE**2)).astype(np.uint8)
    statistics, _ = summarise(on, off, frame, SIDE, SPACING)
    assert statistics["n_waves"] == 0
    assert statistics["mean_rate_hz"] == pytest.approx(1.0, rel=0.01)
    # Each pair's correlation has standard deviation 1/sqrt(bins); the mean over pairs is
    # within 3 of those of zero (a single pair's spread, so a conservative bound).
    assert abs(statistics["correlation_beyond_100um"]) < 3 * statistics["independent_correlation_sd"]
    # Ratios and lags of noise are not reported.
    assert np.isnan(statistics["near_far_correlation_ratio"])
    assert np.isnan(statistics["on_off_lag_s"])


def test_correlation_matrix_matches_numpy_and_ignores_the_chunking(rng):
    movie = rng.poisson(2.0, (1000, 6)).astype(np.uint8)
    movie[:, 1] += movie[:, 0]
    expected = np.corrcoef(movie.reshape(-1, 2, 6).sum(axis=1).T)
    np.testing.assert_allclose(correlation_matrix(movie, 0.05, 0.1, chunk_frames=64), expected,
                               atol=1e-12)


def test_half_distance_of_an_exponential_profile():
    positions = grid_positions(SIDE, SPACING)
    distance = np.hypot(*(positions[:, None] - positions[None]).transpose(2, 0, 1))
    length = 200.0
    profile = correlation_profile(np.exp(-distance / length), positions, SPACING)
    assert profile.distance_um[0] == 0 or profile.distance_um[0] == SPACING
    nearest = profile.distance_um[profile.distance_um > 0][0]
    # Pairs at a bin's centre ± half a spacing share the bin: allow 10 % for that and for
    # the linear interpolation between bins.
    assert half_distance(profile) == pytest.approx(nearest + length * np.log(2), rel=0.1)


def test_half_distance_is_nan_if_correlation_never_halves():
    profile = CorrelationProfile(np.array([50.0, 100.0]), np.array([0.5, 0.4]), np.array([4, 4]))
    assert np.isnan(half_distance(profile))


def test_lead_lag_of_delayed_bursts(rng):
    on = rng.poisson(0.02, (4000, 8)).astype(float)
    for start in range(100, 4000, 400):
        on[start:start + 30] += rng.poisson(1.0, (30, 8))
    off = np.roll(on, 16, axis=0)
    assert lead_lag_s(on, off, 0.05) == pytest.approx(0.8)
    assert lead_lag_s(off, on, 0.05) == pytest.approx(-0.8)


def test_waves_in_one_direction_have_full_direction_bias():
    movie = plane_waves(200.0, np.radians(60), [1.0, 41.0, 81.0], 90.0)
    statistics, _ = summarise(movie, movie, FRAME, SIDE, SPACING)
    assert statistics["n_waves"] == 3
    assert statistics["direction_bias"] == pytest.approx(1.0, abs=1e-3)
    assert statistics["on_off_lag_s"] == 0


def test_a_silent_recording_has_no_statistics_rather_than_false_ones():
    silent = np.zeros((2000, SIDE**2), dtype=np.uint8)
    statistics, _ = summarise(silent, silent, 0.05, SIDE, SPACING)
    assert statistics["n_waves"] == 0 and statistics["mean_rate_hz"] == 0
    for name in ("speed_um_per_s", "correlation_half_distance_um", "near_far_correlation_ratio",
                 "direction_bias", "on_off_lag_s"):
        assert np.isnan(statistics[name]), name
