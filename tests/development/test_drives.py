"""The drives' tables against their closed forms."""

import numpy as np

from neurodev.development.drives import _spatial_phases


def test_spatial_phases_are_the_wave_vector_times_the_position():
    positions = np.array([[0.0, 0.0], [50.0, 0.0], [0.0, 25.0], [30.0, 40.0]])
    directions = np.array([0.0, np.pi / 2, np.pi / 4])
    phase = _spatial_phases(directions, positions, wavelength_um=100.0)
    assert phase.shape == (3, 4)
    k = 2 * np.pi / 100.0
    np.testing.assert_allclose(phase[0], k * positions[:, 0], atol=1e-12)  # drifting along x
    np.testing.assert_allclose(phase[1], k * positions[:, 1], atol=1e-12)  # along y
    np.testing.assert_allclose(phase[2], k * positions.sum(axis=1) / np.sqrt(2), atol=1e-12)
