import numpy as np
import pytest

from neurodev.circuits.maps import COLUMN_SPACING_UM, orientation_map, preference_map
from neurodev.circuits.sheets import grid_positions
from neurodev.experiments.measures.maps import column_spacing, pinwheel_density, pinwheels, ring_contrast

PERIOD = 400.0


def lattice_map(n_periods, samples_per_period):
    """``z = cos(2πx/Λ) + i cos(2πy/Λ)``: pinwheels at ``(Λ/4 + mΛ/2, Λ/4 + nΛ/2)``."""
    step = PERIOD / samples_per_period
    x = np.arange(n_periods * samples_per_period + 1) * step
    xx, yy = np.meshgrid(x, x)
    z = np.cos(2 * np.pi * xx / PERIOD) + 1j * np.cos(2 * np.pi * yy / PERIOD)
    return np.angle(z) % (2 * np.pi) / 2, step


@pytest.mark.parametrize(("n_periods", "samples"), [(3, 10), (5, 6), (4, 14)])
def test_a_lattice_of_known_pinwheels_is_counted_exactly(n_periods, samples):
    theta, _ = lattice_map(n_periods, samples)
    row, _, charge = pinwheels(theta)
    assert len(row) == (2 * n_periods) ** 2
    # Charges alternate like a checkerboard, so they cancel.
    assert charge.sum() == 0 and set(charge.tolist()) == {-1, 1}


def test_a_point_without_a_preference_makes_no_pinwheel_around_it():
    """A silent cell's preference is NaN: the four plaquettes it corners count no pinwheel
    (and no garbage charge), the others are counted as before."""
    theta, _ = lattice_map(3, 10)
    full = pinwheels(theta)[2]
    theta[5, 5] = np.nan  # a smooth point, no pinwheel in its plaquettes
    row, _, charge = pinwheels(theta)
    assert len(row) == len(full) and set(charge.tolist()) == {-1, 1}


def test_pinwheels_are_found_where_they_are():
    theta, step = lattice_map(2, 10)
    row, col, _ = pinwheels(theta)
    expected = np.arange(PERIOD / 4, 2 * PERIOD, PERIOD / 2) / step
    np.testing.assert_allclose(np.unique(row), expected)
    np.testing.assert_allclose(np.unique(col), expected)


def test_generated_maps_have_pi_pinwheels_per_column_spacing_squared():
    # 19 Λ × 19 Λ at Λ/20: ~1150 pinwheels per map, so one map's density has a sampling
    # error of ≈ π/√1150 ≈ 0.09 per Λ², and the mean of ten ≈ 0.03 (1 % of π).
    side, spacing = 384, PERIOD / 20
    densities = []
    for seed in range(10):
        theta = orientation_map(grid_positions(side, spacing), PERIOD, np.random.default_rng(seed),
                                n_plane_waves=64).reshape(side, side)
        density, _, estimated = pinwheel_density(theta, spacing)
        assert estimated == pytest.approx(PERIOD, rel=0.03)
        densities.append(density)
    assert all(2.8 <= d <= 3.5 for d in densities), densities
    assert np.mean(densities) == pytest.approx(np.pi, rel=0.05)


@pytest.mark.parametrize("species", sorted(COLUMN_SPACING_UM))
def test_species_maps_have_their_column_spacing(species):
    spacing_um = COLUMN_SPACING_UM[species] / 16
    theta = preference_map(species, grid_positions(160, spacing_um), 0.0,
                           np.random.default_rng(1)).reshape(160, 160)
    assert column_spacing(theta, spacing_um) == pytest.approx(COLUMN_SPACING_UM[species], rel=0.05)


def test_salt_and_pepper_has_no_ring_in_its_spectrum():
    # White noise: each ring's mean power scatters around the median by a factor < 2 on a
    # 64 × 64 grid; a columnar map's ring stands out by more than 100.
    positions = grid_positions(64, 50.0)
    for seed in range(3):
        rodent = preference_map("salt_and_pepper", positions, 0.0, np.random.default_rng(seed))
        columnar = preference_map("columnar", positions, PERIOD, np.random.default_rng(seed))
        assert ring_contrast(rodent.reshape(64, 64), 50.0) < 3
        assert ring_contrast(columnar.reshape(64, 64), 50.0) > 100
