import numpy as np

from neurodev.circuits.maps import complex_map, orientation_map
from neurodev.circuits.sheets import grid_positions


def test_orientations_lie_in_half_circle(rng):
    theta = orientation_map(grid_positions(20, 25.0), 400.0, rng)
    assert theta.min() >= 0 and theta.max() < np.pi


def test_same_seed_same_map():
    positions = grid_positions(10, 50.0)
    a = orientation_map(positions, 400.0, np.random.default_rng(3))
    b = orientation_map(positions, 400.0, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_spectrum_is_a_ring_at_the_column_spacing(rng):
    period, spacing, side = 400.0, 20.0, 200
    z = complex_map(grid_positions(side, spacing), period, rng).reshape(side, side)
    power = np.abs(np.fft.fft2(z)) ** 2
    k = 2 * np.pi * np.fft.fftfreq(side, d=spacing)
    radius = np.hypot(*np.meshgrid(k, k))
    mean_k = (power * radius).sum() / power.sum()
    # A 4 mm window resolves |k| to 2π/4000 µm⁻¹ ≈ 10 % of 2π/Λ; leakage averages out to ~3 %.
    assert abs(mean_k / (2 * np.pi / period) - 1) < 0.05
