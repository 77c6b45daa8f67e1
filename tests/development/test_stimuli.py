"""The checkpoints' stimuli: the noise movie that maps receptive fields."""

import numpy as np
import pytest

from neurodev.circuits.params import ParameterError
from neurodev.circuits.sheets import grid_positions
from neurodev.development.schedule import build_timeline
from neurodev.development.stimuli import GratingParams, RFMappingParams, grating_block, noise_block
from neurodev.development.waves import WaveDrive

SITES = grid_positions(27, 50.0)


@pytest.mark.parametrize("density", [0.1, 0.5, 1.0])
def test_noise_frames_hold_a_fixed_number_of_light_and_dark_checks(density):
    block = noise_block(RFMappingParams(n_frames=2000, density=density), SITES, 50.0,
                        np.random.default_rng(2))
    assert block.grid_side == 14  # 27 sites × 50 µm = 1 350 µm, in 100 µm checks
    n_checks = 14 * 14
    assert block.checks.shape == (2000, n_checks) and block.checks.dtype == np.int8
    np.testing.assert_array_equal((block.checks != 0).sum(axis=1), round(density * n_checks))
    # Light with probability ½: over ≥ 39 200 non-grey checks, within 3 SE (0.008) of ½.
    assert (block.checks[block.checks != 0] > 0).mean() == pytest.approx(0.5, abs=0.008)
    # Every check is as often non-grey (within 4 SE of the density, over 196 checks).
    shown = (block.checks != 0).mean(axis=0)
    se = np.sqrt(density * (1 - density) / 2000)
    assert np.abs(shown - density).max() <= 4 * se + 1e-12
    # Frames are independent: neighbouring frames' patterns do not correlate.
    lag1 = (block.checks[1:].astype(float) * block.checks[:-1]).mean()
    assert abs(lag1) < 4 * np.sqrt(density / (2000 * n_checks))


def test_the_checks_cover_every_site_and_the_half_spacing_around_it():
    block = noise_block(RFMappingParams(n_frames=1, check_um=100.0), SITES, 50.0,
                        np.random.default_rng(0))
    half = block.check_um / 2
    low, high = block.check_centres_um.min(axis=0) - half, block.check_centres_um.max(axis=0) + half
    np.testing.assert_allclose(low, [-25.0, -25.0])
    assert np.all(high >= SITES.max(axis=0) + 25.0)
    # Row-major: check k at column k % side, row k // side.
    np.testing.assert_allclose(block.check_centres_um[1] - block.check_centres_um[0], [100.0, 0.0])
    np.testing.assert_allclose(block.check_centres_um[14] - block.check_centres_um[0], [0.0, 100.0])


def test_the_same_seed_draws_the_same_movie():
    params = RFMappingParams(n_frames=50, density=0.3)
    one, two = (noise_block(params, SITES, 50.0, np.random.default_rng(9)) for _ in range(2))
    np.testing.assert_array_equal(one.checks, two.checks)
    other = noise_block(params, SITES, 50.0, np.random.default_rng(10))
    assert not np.array_equal(one.checks, other.checks)


def test_each_checkpoint_shows_its_gratings_then_the_noise():
    gratings = GratingParams(n_orientations=4, n_trials=1, presentation_ms=20.0, blank_ms=0.0)
    blocks = [grating_block(gratings, np.random.default_rng(k)) for k in range(2)]
    noise = noise_block(RFMappingParams(n_frames=6, frame_ms=30.0), SITES, 50.0,
                        np.random.default_rng(1))
    drive = WaveDrive(np.zeros(0, np.int32), np.zeros(0), np.zeros(2 * len(SITES), np.float32),
                      1.0, 1.0, 0)
    timeline = build_timeline([drive], blocks, 0.01, noise=noise)
    for checkpoint, block in zip(timeline.checkpoints, blocks, strict=True):
        assert checkpoint.block is block and checkpoint.noise is noise
        assert checkpoint.duration_s == pytest.approx(block.duration_s + 0.18)
    assert timeline.checkpoint_period_s == pytest.approx(0.48 + 0.18 + 1.0)


@pytest.mark.parametrize(("key", "value"), [("n_frames", -1), ("check_um", 0.0),
                                            ("density", 0.0), ("density", 1.5),
                                            ("contrast", 0.0), ("frame_ms", 0.5)])
def test_impossible_noise_is_refused_naming_the_key(key, value):
    with pytest.raises(ParameterError, match=f"^{key} = "):
        RFMappingParams(**{key: value})
