import numpy as np
import pytest

from neurodev.circuits.sheets import grid_positions
from neurodev.circuits.wiring import gabor
from neurodev.experiments.measures.receptive_fields import (
    peak_z,
    receptive_field_centroid,
    receptive_field_radius,
    receptive_fields,
    response_field,
    retinotopic_scatter,
    spike_triggered_average,
    split_half_fields,
    weight_orientation,
    weight_orientation_at_best,
)
from neurodev.experiments.measures.tuning import circular_difference


@pytest.mark.parametrize("theta", [0.0, 0.7, 2.0])
def test_gabor_field_has_its_own_orientation(theta):
    positions = grid_positions(25, 20.0)
    centre = positions.mean(axis=0)
    rf = gabor(positions - centre, np.full(len(positions), theta), np.zeros(len(positions)),
               200.0, 80.0)
    osi, preferred = weight_orientation(rf[None], positions, 200.0, n_orientations=32)
    # Orientations are sampled every π/32; the circular mean interpolates well below that.
    assert circular_difference(preferred[0], theta) < 0.02
    assert osi[0] > 0.5


def test_centre_surround_field_is_untuned():
    positions = grid_positions(25, 20.0)
    r = np.hypot(*(positions - positions.mean(axis=0)).T)
    rf = np.exp(-(r**2) / (2 * 40**2)) - 0.5 * np.exp(-(r**2) / (2 * 80**2))
    osi, _ = weight_orientation(rf[None], positions, 200.0)
    assert osi[0] < 0.01  # isotropic up to grid anisotropy


def test_receptive_fields_of_snapshots():
    weights = np.array([[1.0, 2.0], [3.0, 4.0]])
    rf = receptive_fields(np.array([0, 3]), np.array([0, 0]), weights, 2, 1)
    np.testing.assert_array_equal(rf, [[[1.0, -2.0]], [[3.0, -4.0]]])


@pytest.mark.parametrize("sigma_um", [40.0, 60.0])
def test_radius_of_a_gaussian_field_is_sqrt2_sigma(sigma_um):
    positions = grid_positions(61, 10.0)  # 600 µm wide: > 5σ from the centre to each edge
    centre = positions.mean(axis=0) + np.array([13.0, -7.0])
    r2 = ((positions - centre) ** 2).sum(axis=1)
    rf = -np.exp(-r2 / (2 * sigma_um**2))  # an OFF field: the sign does not matter
    # Sampling at σ/4 or finer and truncation beyond 5σ change the moment by < 0.1 %.
    assert receptive_field_radius(rf, positions) == pytest.approx(np.sqrt(2) * sigma_um, rel=1e-3)


def test_radius_of_an_empty_field_is_nan():
    positions = grid_positions(4, 10.0)
    radius = receptive_field_radius(np.zeros((2, len(positions))), positions)
    assert np.isnan(radius).all()


def test_weight_orientation_at_best_measures_a_dipole_at_its_own_wavelength():
    """An ON/OFF dipole whose subregions sit 200 µm apart along x responds best to gratings of
    about twice that wavelength: of 150, 300 and 600 µm the chosen one is 300 or 600 µm,
    never 150 µm, and there its weight OSI is at least the OSI at 150 µm."""
    x, y = np.meshgrid(np.arange(-400.0, 401, 25), np.arange(-400.0, 401, 25))
    positions = np.column_stack([x.ravel(), y.ravel()])

    def blob(cx):
        return np.exp(-((positions[:, 0] - cx) ** 2 + positions[:, 1] ** 2) / (2 * 60.0**2))

    rf = (blob(-100) - blob(100))[None]
    wavelengths = (150.0, 300.0, 600.0)
    osi, preferred, best = weight_orientation_at_best(rf, positions, wavelengths, (1, 1, 1))
    assert best[0] in (1, 2)
    assert osi[0] >= weight_orientation(rf, positions, 150.0)[0][0]
    # Gratings drifting along the dipole (orientation angle 0, the wave vector's).
    assert circular_difference(preferred[0], 0.0) < np.radians(5)
    # The transfer weighs the choice: a front end that passes only 150 µm chooses it.
    assert weight_orientation_at_best(rf, positions, wavelengths, (1, 1e-6, 1e-6))[2][0] == 0


def test_centre_of_a_gaussian_field_is_where_it_was_placed():
    positions = grid_positions(25, 20.0)
    centre = positions.mean(axis=0) + np.array([60.0, -40.0])
    rf = np.exp(-((positions - centre) ** 2).sum(axis=1) / (2 * 50.0**2))
    # Weights are cut at the grid's edge, 180 µm (3.6 σ) from the centre at the nearest:
    # the centroid moves by far less than a micrometre.
    np.testing.assert_allclose(receptive_field_centroid(-rf[None], positions)[0], centre, atol=0.5)
    assert np.isnan(receptive_field_centroid(np.zeros((1, len(positions))), positions)).all()


def test_retinotopic_scatter_recovers_a_known_jitter_around_any_affine_map(rng):
    cortex = grid_positions(20, 50.0)
    angle, scale, sigma_um = 0.6, 1.7, 15.0
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centres = cortex @ rotation.T + [300.0, -20.0] + rng.normal(0.0, sigma_um, cortex.shape)
    centres[:5] = np.nan  # empty fields are left out
    # 395 cells: the estimate's relative standard error is 1/sqrt(2 × 392) = 3.6 %; 10 % is
    # nearly 3 of them.
    assert retinotopic_scatter(centres, cortex) == pytest.approx(np.sqrt(2) * sigma_um, rel=0.1)
    assert np.isnan(retinotopic_scatter(centres[:8], cortex[:8]))  # 3 cells with a field left


def linear_cells(centres_um, sigma_um, n_frames, mean_count, rng, dipole=False):
    """Cells of Gaussian fields (an ON lobe, with an OFF lobe beside it if `dipole`) on a
    14 × 14 grid of 100 µm checks, their spike counts Poisson at a rectified linear function
    of dense binary noise: (stimulus, counts, fields, check positions)."""
    positions = (grid_positions(14, 100.0) + 50.0)
    fields = []
    for centre in centres_um:
        field = np.exp(-((positions - centre) ** 2).sum(axis=1) / (2 * sigma_um**2))
        if dipole:
            beside = centre + np.array([2 * sigma_um, 0.0])
            field = field - np.exp(-((positions - beside) ** 2).sum(axis=1) / (2 * sigma_um**2))
        fields.append(field)
    fields = np.array(fields)
    stimulus = rng.choice([-1.0, 1.0], size=(n_frames, len(positions)))
    drive = stimulus @ fields.T / np.sqrt((fields**2).sum(axis=1))  # unit variance per cell
    counts = rng.poisson(mean_count * np.maximum(1 + 0.8 * drive, 0))
    return stimulus, counts, fields, positions


def test_reverse_correlation_recovers_known_gaussian_fields():
    """Three cells with Gaussian fields (σ = 120 µm) between checks: their spike-triggered
    averages are their fields, significant, centred where they are and as wide."""
    rng = np.random.default_rng(3)
    centres = np.array([[430.0, 620.0], [700.0, 700.0], [910.0, 380.0]])
    stimulus, counts, fields, positions = linear_cells(centres, 120.0, 4000, 3.0, rng)
    sta, z = spike_triggered_average(counts, stimulus)
    for average, field in zip(sta, fields, strict=True):
        assert np.corrcoef(average, field)[0, 1] > 0.95
    field, mapped = response_field(sta, z, 14, peak_z(0.05, 196), 2.0)
    assert mapped.all()
    # ~36 000 spikes per cell: the field reaches out to where the Gaussian has fallen to a
    # few % (|z| ≥ 2), so its centroid is the centre within a fifth of a check and its RMS
    # radius within 10 % of √2 σ (the tails beyond are a few % of the weight).
    np.testing.assert_allclose(receptive_field_centroid(field, positions), centres, atol=20.0)
    np.testing.assert_allclose(receptive_field_radius(field, positions), np.sqrt(2) * 120.0,
                               rtol=0.1)
    # The halves' averages agree (their correlation over all 196 checks is held down by the
    # noise of the ~150 outside the field: 0.83–0.86 here), and their centres within 10 µm.
    reliability, centre_error = split_half_fields(counts, stimulus, field, positions)
    assert (reliability > 0.75).all() and (centre_error < 10.0).all()


def test_both_lobes_of_a_dipole_field_are_kept():
    rng = np.random.default_rng(4)
    stimulus, counts, _, positions = linear_cells(np.array([[500.0, 700.0]]), 80.0, 4000, 3.0,
                                                  rng, dipole=True)
    sta, z = spike_triggered_average(counts, stimulus)
    field, mapped = response_field(sta, z, 14, peak_z(0.05, 196), 2.0)
    # The ON lobe at x = 500 µm and the OFF lobe at 660 µm each hold a third or more of the
    # field's weight, so its centroid lies between them.
    on, off = field[0] > 0, field[0] < 0
    assert mapped[0] and abs(field[0][off]).sum() > 0.3 * abs(field[0]).sum()
    assert field[0][on].sum() > 0.3 * abs(field[0]).sum()
    assert 520 < receptive_field_centroid(field, positions)[0, 0] < 640


def test_cells_blind_to_the_noise_get_fields_at_most_at_the_stated_rate():
    """2 000 cells whose counts ignore the stimulus: z-scores are standard normal, and a cell
    gets a field with probability at most `rf_alpha` (Bonferroni over 196 checks)."""
    rng = np.random.default_rng(5)
    stimulus = rng.choice([-1.0, 1.0], size=(600, 196))
    counts = rng.poisson(0.5, size=(600, 2000))
    sta, z = spike_triggered_average(counts, stimulus)
    # 392 000 values: their mean is within 0.01 of 0 and their SD within 0.01 of 1.
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    _, mapped = response_field(sta, z, 14, peak_z(0.05, 196), 2.0)
    # The family-wise rate is 0.049 for independent pixels; 3 SE of 2 000 cells is 0.015.
    assert mapped.mean() < 0.05 + 0.015
    reliability, _ = split_half_fields(counts, stimulus, np.zeros_like(sta), grid_positions(14, 100.0))
    assert abs(np.median(reliability)) < 0.02  # halves of noise agree by chance only
