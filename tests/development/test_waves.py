import time

import numpy as np
import pytest

from neurodev.circuits.sheets import grid_positions
from neurodev.development.waves import (
    RetinalWaves,
    WaveParams,
    WavesDieOut,
    compressed_frame_times,
    spike_movie,
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


def drives(preset, epochs, seed=0, **overrides):
    params = WaveParams(preset=preset, **overrides)
    return params, wave_drives(epochs, params, SIDE * SIDE, np.random.default_rng(seed))


def test_wt_bursts_reach_on_and_off_together_and_uncorrelated_matches_its_rate():
    epochs = [waves().next(6)]
    n_sites = SIDE * SIDE
    params, (wt,) = drives("wt", epochs)
    _, (flat,) = drives("uncorrelated", epochs)
    _, (silent,) = drives("silent", epochs)
    assert wt.duration_s == flat.duration_s == silent.duration_s
    n = len(epochs[0].site)
    np.testing.assert_array_equal(wt.burst_input[:n], epochs[0].site)
    np.testing.assert_array_equal(wt.burst_input[n:], epochs[0].site + n_sites)
    np.testing.assert_array_equal(wt.burst_onset_s[:n], wt.burst_onset_s[n:])
    burst_s = params.burst_duration_ms / 1000
    wt_rate = params.background_rate_hz + params.burst_rate_hz * burst_s * np.bincount(
        wt.burst_input, minlength=2 * n_sites) / wt.duration_s
    np.testing.assert_allclose(flat.baseline_rate_hz, wt_rate, rtol=1e-6)
    assert len(flat.burst_input) == len(silent.burst_input) == 0
    assert np.all(silent.baseline_rate_hz == 0)


def test_correlation_runs_wt_into_uncorrelated_at_the_same_mean_rate():
    """1 is `wt` itself, 0 is `uncorrelated` itself; between, bursts are dropped alike for a
    site's ON and OFF cell and each input's expected rate stays `wt`'s."""
    epochs = [waves().next(6), waves(seed=2).next(6)]
    params, wt = drives("wt", epochs)
    _, full = drives("wt", epochs, correlation=1.0)
    _, none = drives("wt", epochs, correlation=0.0)
    _, flat = drives("uncorrelated", epochs)
    _, half = drives("wt", epochs, correlation=0.5)
    for a, b in [*zip(full, wt, strict=True), *zip(none, flat, strict=True)]:
        np.testing.assert_array_equal(a.burst_input, b.burst_input)
        np.testing.assert_array_equal(a.burst_onset_s, b.burst_onset_s)
        np.testing.assert_array_equal(a.baseline_rate_hz, b.baseline_rate_hz)
    burst_s = params.burst_duration_ms / 1000
    for drive in half:
        kept = len(drive.burst_input) // 2
        np.testing.assert_array_equal(drive.burst_input[kept:], drive.burst_input[:kept] + SIDE**2)
        np.testing.assert_array_equal(drive.burst_onset_s[kept:], drive.burst_onset_s[:kept])

    def expected_spikes(drives):
        return sum(d.baseline_rate_hz.astype(float).sum() * d.duration_s
                   + params.burst_rate_hz * burst_s * len(d.burst_input) for d in drives)
    # The bursts kept are Binomial(n, 0.5): the spike total is within 4 SD of wt's.
    n_bursts = sum(len(d.burst_input) for d in wt) // 2
    tolerance = 4 * np.sqrt(n_bursts * 0.25) * 2 * params.burst_rate_hz * burst_s
    assert expected_spikes(half) == pytest.approx(expected_spikes(wt), abs=tolerance)
    assert tolerance < 0.1 * expected_spikes(wt)  # a tolerance that can fail


def test_nearby_cells_are_less_correlated_as_correlation_falls(rng):
    """Pearson correlation of neighbouring ON cells' spike counts falls with `correlation`."""
    epochs = [waves().next(20)]
    near = []
    for correlation in (1.0, 0.5, 0.0):
        params, (drive,) = drives("wt", epochs, correlation=correlation)
        movie = spike_movie(drive, params, 0.1, rng)[:, :SIDE**2].astype(float)
        grid = movie.reshape(len(movie), SIDE, SIDE)
        left, right = (cells.reshape(len(movie), -1) for cells in (grid[:, :, :-1], grid[:, :, 1:]))
        near.append(np.nanmean([np.corrcoef(left[:, k], right[:, k])[0, 1]
                                for k in range(left.shape[1])]))
    assert near[0] > near[1] > near[2]
    # Independent inputs at 0: about 1/sqrt(frames) per pair, averaged over 240 pairs.
    assert abs(near[2]) < 0.02


@pytest.mark.parametrize("preset", ["stage3", "b2ko", "uncorrelated", "silent"])
def test_correlation_below_one_is_for_wt_only(preset):
    with pytest.raises(ValueError, match=f"correlation = 0.5 is not allowed: 1 with preset = '{preset}'"):
        WaveParams(preset=preset, correlation=0.5)


@pytest.mark.parametrize("gap_ms", [0.0, -800.0, 200.0])
def test_stage3_off_bursts_start_the_gap_after_on_bursts_end(gap_ms):
    epochs = [waves().next(6)]
    _, (stage3,) = drives("stage3", epochs, stage3_off_gap_ms=gap_ms)
    _, (wt,) = drives("wt", epochs)
    n, delay_s = len(epochs[0].site), (WaveParams().burst_duration_ms + gap_ms) / 1000
    np.testing.assert_array_equal(stage3.burst_input, wt.burst_input)
    np.testing.assert_allclose(stage3.burst_onset_s[n:] - stage3.burst_onset_s[:n], delay_s)
    assert stage3.burst_onset_s.max() < stage3.duration_s == pytest.approx(wt.duration_s + delay_s)


def test_an_off_burst_cannot_start_before_its_on_burst():
    with pytest.raises(ValueError, match=r"stage3_off_gap_ms = -1600\.0 is not allowed: at "
                                         r"least -burst_duration_ms = -1500"):
        WaveParams(stage3_off_gap_ms=-1600.0)


def test_b2ko_drops_and_jitters_bursts_alike_for_on_and_off():
    epochs = [RetinalWaves(SIDE, SPACING, WaveParams(preset="b2ko"), np.random.default_rng(1)).next(6)]
    _, (b2ko,) = drives("b2ko", epochs, b2ko_participation=0.4, b2ko_onset_jitter_ms=900.0)
    kept = len(b2ko.burst_input) // 2
    total = len(epochs[0].site)
    # Binomial(total, 0.4): 4 standard deviations either side.
    assert abs(kept - 0.4 * total) < 4 * np.sqrt(total * 0.4 * 0.6)
    np.testing.assert_array_equal(b2ko.burst_input[kept:], b2ko.burst_input[:kept] + SIDE * SIDE)
    np.testing.assert_array_equal(b2ko.burst_onset_s[kept:], b2ko.burst_onset_s[:kept])
    # Every kept burst starts 0-0.9 s after a burst of the medium at the same site.
    site, onset = epochs[0].site, epochs[0].onset_s
    for k, t in zip(b2ko.burst_input[:kept], b2ko.burst_onset_s[:kept], strict=True):
        delay = t - onset[site == k]
        assert np.any((delay >= 0) & (delay <= 0.9))


def test_b2ko_medium_recruits_at_its_own_rate():
    assert WaveParams(preset="b2ko").medium_recruitment_rate_hz == WaveParams().b2ko_recruitment_rate_hz
    assert WaveParams(preset="stage3").medium_recruitment_rate_hz == WaveParams().recruitment_rate_hz


def test_spike_movie_has_the_drive_mean_rate(rng):
    params, (drive,) = drives("wt", [waves().next(6)])
    frame = 0.05
    movie = spike_movie(drive, params, frame, rng)
    assert movie.dtype == np.uint8
    assert movie.shape == (int(np.ceil(drive.duration_s / frame - 1e-9)), 2 * SIDE * SIDE)
    burst_spikes = params.burst_rate_hz * params.burst_duration_ms / 1000 * len(drive.burst_input)
    expected = drive.baseline_rate_hz.sum() * movie.shape[0] * frame + burst_spikes
    # Poisson total: relative standard deviation 1/sqrt(expected) < 0.2 %; 1 % covers it.
    assert movie.sum() == pytest.approx(expected, rel=0.01)


def test_duration_runs_cover_the_requested_real_time():
    events = waves().for_duration(300.0)
    assert events.real_duration_s >= 300.0
    assert events.n_waves >= 1
    assert np.all(events.real_onset_s >= events.onset_s)
    real = events.in_real_time()
    np.testing.assert_array_equal(real.onset_s, events.real_onset_s)
    assert real.duration_s == events.real_duration_s


def test_a_medium_that_cannot_propagate_is_refused_at_once():
    params = WaveParams(recruitment_threshold=50.0)
    with pytest.raises(WavesDieOut, match=r"only 12 neighbours.*recruitment_threshold \(= 50\)"):
        waves(params)


def test_waves_that_die_out_are_an_error_not_a_blank_stimulus():
    # Twelve neighbours can reach 11.5 only if nearly all burst at once: waves stay seeds.
    params = WaveParams(recruitment_threshold=11.5, min_wave_sites=20)
    with pytest.raises(WavesDieOut, match=r"waves do not spread: raise waves\.recruitment_rate_hz"):
        waves(params).next(3)
    with pytest.raises(WavesDieOut, match="no wave reached"):
        waves(params).for_duration(200.0)


@pytest.mark.parametrize(("change", "cause"), [
    ({"initiation_rate_per_mm2_s": 1e-9}, "hardly any wave starts: raise waves.initiation_rate"),
    ({"refractory_tau_s": 1e6}, "does not recover between waves .*lower waves.refractory_tau_s"),
])
def test_a_medium_that_falls_silent_gives_up_in_bounded_time_naming_the_cause(change, cause):
    """Waves that stop starting are an error within the patience (20 recovery times, at
    least 10 min of retinal time), never a loop without end."""
    params = WaveParams(**change)
    start = time.perf_counter()
    for stretch in (lambda medium: medium.next(40), lambda medium: medium.for_duration(3600)):
        with pytest.raises(WavesDieOut, match=cause):
            stretch(waves(params))
    assert time.perf_counter() - start < 60


def test_bad_preset_is_rejected():
    with pytest.raises(ValueError, match="preset = 'b2' is not allowed"):
        WaveParams(preset="b2")


def propagation_directions(events, min_sites=20):
    """Each wave's direction of propagation (rad): that of the gradient of a plane fitted to
    its burst onsets over the retina."""
    positions = grid_positions(SIDE, SPACING)
    directions = []
    for wave in np.unique(events.wave_id):
        in_wave = events.wave_id == wave
        if in_wave.sum() >= min_sites:
            design = np.column_stack([positions[events.site[in_wave]], np.ones(in_wave.sum())])
            slope = np.linalg.lstsq(design, events.real_onset_s[in_wave], rcond=None)[0]
            directions.append(np.arctan2(slope[1], slope[0]))
    return np.array(directions)


def test_a_site_bursts_once_in_each_wave_it_joins():
    events = waves().next(10)
    for wave in np.unique(events.wave_id):
        sites = events.site[events.wave_id == wave]
        assert len(np.unique(sites)) == len(sites)


@pytest.mark.parametrize("bias_direction_deg", [0.0, 120.0])
def test_a_direction_bias_makes_waves_propagate_that_way(bias_direction_deg):
    isotropic = np.exp(1j * propagation_directions(waves().next(40)))
    biased = np.exp(1j * propagation_directions(waves(
        WaveParams(direction_bias=0.5, bias_direction_deg=bias_direction_deg)).next(40)))
    # 40 waves without a preferred direction: a resultant above 0.4 has probability
    # exp(-40 × 0.4²) ≈ 0.002 (Rayleigh).
    assert abs(isotropic.mean()) < 0.4
    assert abs(biased.mean()) > 0.6
    error = np.angle(biased.mean() / np.exp(1j * np.radians(bias_direction_deg)))
    assert abs(np.degrees(error)) < 20
