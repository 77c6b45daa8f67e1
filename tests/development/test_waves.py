import numpy as np
import pytest

from development.waves import (
    RetinalWaves,
    WaveParams,
    compressed_frame_times,
    rate_movie,
    wave_drives,
)

SIDE, SPACING = 16, 50.0


DEFAULT = WaveParams()


def waves(params=DEFAULT, seed=1):
    return RetinalWaves(SIDE, SPACING, params, np.random.default_rng(seed))


def test_compression_keeps_at_most_the_maximum_gap():
    busy = np.array([1, 0, 0, 0, 0, 1, 1, 0, 1], dtype=bool)
    times = compressed_frame_times(busy, 0.1, 0.2)
    np.testing.assert_allclose(times, [0, 0.1, 0.2, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6])


def test_epochs_hold_the_requested_waves_within_their_duration():
    medium = waves()
    for _ in range(2):
        events = medium.next(8)
        assert events.n_waves >= 8
        assert events.onset_s.min() >= 0
        assert events.onset_s.max() < events.duration_s
        assert events.real_duration_s >= events.duration_s


def test_same_seed_same_waves():
    a, b = waves(seed=4).next(5), waves(seed=4).next(5)
    np.testing.assert_array_equal(a.site, b.site)
    np.testing.assert_array_equal(a.onset_s, b.onset_s)


def test_waves_are_spatially_local_and_propagate():
    """Bursts of one wave start at neighbouring sites progressively, not all at once."""
    events = waves().next(10)
    big = np.bincount(events.wave_id).argmax()
    onset = events.onset_s[events.wave_id == big]
    assert onset.max() - onset.min() > 0.5  # spreads over time (≥ 10 frames)


def test_presets_share_timing_and_match_mean_rate():
    params = WaveParams()
    epochs = [waves().next(6) for _ in range(1)]
    n_sites = SIDE * SIDE
    wt, = wave_drives(epochs, params, n_sites)
    flat, = wave_drives(epochs, WaveParams(preset="uncorrelated"), n_sites)
    silent, = wave_drives(epochs, WaveParams(preset="silent"), n_sites)
    assert wt.duration_s == flat.duration_s == silent.duration_s
    # Under wt every burst reaches the site's ON and OFF cell together.
    np.testing.assert_array_equal(wt.burst_input[: len(epochs[0].site)], epochs[0].site)
    np.testing.assert_array_equal(wt.burst_input[len(epochs[0].site):], epochs[0].site + n_sites)
    burst_s = params.burst_duration_ms / 1000
    wt_rate = params.background_rate_hz + params.burst_rate_hz * burst_s * np.bincount(
        wt.burst_input, minlength=2 * n_sites) / wt.duration_s
    np.testing.assert_allclose(flat.baseline_rate_hz, wt_rate, rtol=1e-6)
    assert len(flat.burst_input) == len(silent.burst_input) == 0
    assert np.all(silent.baseline_rate_hz == 0)


def test_rate_movie_mean_matches_the_events():
    params = WaveParams()
    events = waves().next(6)
    movie = rate_movie(events, params, SIDE * SIDE, frame_s=0.05)
    assert movie.dtype == np.float32
    expected = params.background_rate_hz + params.burst_rate_hz * (
        len(events.site) * params.burst_duration_ms / 1000) / (SIDE * SIDE * events.duration_s)
    # Bursts are rounded to whole frames: at most one extra frame per 20-frame burst.
    assert movie.mean() == pytest.approx(expected, rel=0.08)


def test_waves_that_die_out_are_an_error_not_a_blank_stimulus():
    params = WaveParams(recruitment_threshold=50.0, min_wave_sites=20)
    with pytest.raises(ValueError, match="recruitment_threshold"):
        waves(params).next(3)


def test_bad_preset_is_rejected():
    with pytest.raises(ValueError, match="preset = 'b2' is not allowed"):
        WaveParams(preset="b2")
