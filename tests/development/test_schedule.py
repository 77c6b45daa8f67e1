import numpy as np
import pytest

from neurodev.circuits.params import ParameterError
from neurodev.development.schedule import MEASUREMENT, VISION, WAVES, build_timeline
from neurodev.development.stimuli import GratingParams, grating_block
from neurodev.development.waves import WaveDrive


def drive(duration_s, n_waves=3):
    return WaveDrive(np.zeros(0, np.int32), np.zeros(0), np.zeros(4, np.float32), duration_s,
                     10 * duration_s, n_waves)


def test_checkpoints_recur_with_one_period(rng):
    blocks = [grating_block(GratingParams(n_trials=1), rng) for _ in range(3)]
    timeline = build_timeline([drive(12.34), drive(20.0)], blocks, 0.01)
    starts = [c.start_s for c in timeline.checkpoints]
    np.testing.assert_allclose(np.diff(starts), timeline.checkpoint_period_s)
    assert [s.plastic for s in timeline.segments] == [False, True, False, True, False]
    progress = timeline.checkpoint_development()
    np.testing.assert_allclose(progress["waves"], [0, 3, 6])
    # The shorter epoch is padded to 20 s; padding counts as real time too.
    np.testing.assert_allclose(progress["real_time_s"], [0, 123.4 + 7.66, 123.4 + 7.66 + 200])
    np.testing.assert_allclose(progress["vision_s"], 0)


def test_vision_epochs_follow_the_waves_and_last_a_period(rng):
    blocks = [grating_block(GratingParams(n_trials=1), rng) for _ in range(5)]
    timeline = build_timeline([drive(12.34), drive(20.0)], blocks, 0.01, vision_epochs=2)
    assert [s.kind for s in timeline.epochs] == [WAVES, WAVES, VISION, VISION]
    assert [s.duration_s for s in timeline.of_kind(VISION)] == [20.0, 20.0]
    starts = [c.start_s for c in timeline.checkpoints]
    np.testing.assert_allclose(np.diff(starts), timeline.checkpoint_period_s)
    progress = timeline.checkpoint_development()
    np.testing.assert_allclose(progress["waves"], [0, 3, 6, 6, 6])
    np.testing.assert_allclose(progress["vision_s"], [0, 0, 0, 20, 40])
    np.testing.assert_allclose(np.diff(progress["real_time_s"])[2:], 20.0)
    kind, _ = timeline.period_table(timeline.kinds)
    assert [timeline.kinds[int(k)] for k in kind[1]] == [WAVES, WAVES, VISION, VISION, MEASUREMENT]


def test_grating_block_shows_every_direction_at_every_wavelength_once_per_trial(rng):
    params = GratingParams(n_orientations=4, n_trials=3, wavelengths_um=(150.0, 300.0))
    block = grating_block(params, rng)
    for trial in range(3):
        shown = block.trial == trial
        pairs = sorted(zip(block.wavelength_index[shown], block.direction_index[shown],
                           strict=True))
        assert pairs == [(w, d) for w in range(2) for d in range(8)]
    assert block.duration_s == pytest.approx(3 * 16 * 1.25)
    # Shuffled within each trial: not in the order of their numbers.
    assert list(block.direction_index[:16]) != sorted(block.direction_index[:16])


@pytest.mark.parametrize("wavelengths", [(), (300.0, 300.0), (0.0,), ("300",), [300.0]])
def test_grating_wavelengths_must_be_distinct_positive_numbers(wavelengths):
    with pytest.raises(ParameterError, match="wavelengths_um"):
        GratingParams(wavelengths_um=wavelengths)


def test_grating_wavelengths_are_floats_however_written():
    assert GratingParams(wavelengths_um=(150, 300)).wavelengths_um == (150.0, 300.0)


def test_timeline_needs_one_more_checkpoint_than_epochs(rng):
    with pytest.raises(ValueError, match="one more checkpoint"):
        build_timeline([drive(1.0)], [grating_block(GratingParams(), rng)], 0.01)


def test_period_table_gives_each_half_periods_kind_and_plasticity(rng):
    blocks = [grating_block(GratingParams(n_trials=1), rng) for _ in range(3)]
    timeline = build_timeline([drive(12.34), drive(20.0)], blocks, 0.01)
    assert timeline.kinds == (MEASUREMENT, WAVES)
    kind, plastic = timeline.period_table((WAVES, MEASUREMENT))
    # Columns are periods (checkpoint, then epoch); the last period is its checkpoint alone.
    np.testing.assert_array_equal(kind, [[1, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(plastic, [[0, 0, 0], [1, 1, 0]])
    assert [s.kind for s in timeline.of_kind(WAVES)] == [WAVES, WAVES]
