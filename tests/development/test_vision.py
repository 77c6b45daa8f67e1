"""The visual front end and the experience movies, on inputs with a known answer."""

import numpy as np
import pytest

from neurodev.circuits.params import ParameterError
from neurodev.development.vision import (
    IMAGE_SIDE_PX,
    PHOTOGRAPHS,
    ExperienceParams,
    FrontEndParams,
    Gaze,
    dog_filtered,
    fixations,
    photographs,
    sample,
    seen_images,
    square_responses,
    temporal_filter,
)

FRONT_END = FrontEndParams()
FRAME_S = 0.01


@pytest.fixture(scope="module")
def images():
    return photographs()


def grating_image(wavelength_um, pixel_um, side=IMAGE_SIDE_PX):
    x = np.arange(side) * pixel_um
    return np.tile(np.cos(2 * np.pi * x / wavelength_um), (side, 1))[None]


def test_photographs_are_contrast_squares_about_their_common_mean(images):
    assert images.shape == (len(PHOTOGRAPHS), IMAGE_SIDE_PX, IMAGE_SIDE_PX)
    assert images.mean() == pytest.approx(0, abs=1e-12)
    assert np.ptp(images.mean(axis=(1, 2))) > 0.1  # some photographs are brighter
    assert np.all(images >= -1)  # Weber contrast of non-negative luminance
    # Natural photographs: RMS contrast of tens of per cent, not a blank stimulus.
    assert np.all(images.std(axis=(1, 2)) > 0.1)


@pytest.mark.parametrize("wavelength_um", [200.0, 400.0, 1200.0])
def test_dog_of_a_grating_is_the_grating_scaled_by_the_spatial_transfer(wavelength_um):
    """Away from the edges a sinusoid through the DoG is the same sinusoid times the DoG's
    Fourier amplitude; within 1 % (the Gaussians are sampled on 12 µm pixels)."""
    pixel_um = 12.0
    image = grating_image(wavelength_um, pixel_um)
    filtered = dog_filtered(image, FRONT_END, pixel_um)[0, 128, 60:200]
    expected = FRONT_END.spatial_transfer(2 * np.pi / wavelength_um) * image[0, 128, 60:200]
    np.testing.assert_allclose(filtered, expected, atol=0.01 * np.abs(expected).max())


def test_square_responses_are_the_dog_of_a_rendered_square():
    """The closed form against a square drawn on 2 µm pixels and filtered numerically, along
    a line through it and beyond its surround; within 1 % of the peak (the pixels' sampling
    of the Gaussians and of the square's edges)."""
    pixel_um, side = 2.0, 600
    image = np.zeros((1, side, side))
    image[0, 275:325, 275:325] = 1.0  # pixels 275–324: a 100 µm square centred on 599 µm
    line = dog_filtered(image, FRONT_END, pixel_um)[0, 300, 100:500:10]
    positions = np.column_stack([np.arange(100, 500, 10) * pixel_um, np.full(40, 600.0)])
    closed = square_responses(np.array([[599.0, 599.0]]), 100.0, positions, FRONT_END)[:, 0]
    np.testing.assert_allclose(closed, line, atol=0.01 * line.max())
    assert closed.min() < 0 < closed.max()  # the surround's annulus of opposite sign


def test_uniform_light_reaches_the_rectifier_through_the_surrounds_deficit_only():
    uniform = np.ones((1, 64, 64))
    filtered = dog_filtered(uniform, FRONT_END, 12.0)
    np.testing.assert_allclose(filtered, 1 - FRONT_END.surround_weight, rtol=1e-9)
    assert FRONT_END.spatial_transfer(0.0) == pytest.approx(1 - FRONT_END.surround_weight)


def test_temporal_filter_of_a_sinusoid_matches_its_complex_gain():
    """After the filter's transient (10 slow time constants) the response to cos(ωt), held
    per 1 ms step, is |H(ω)| cos(ωt + arg H(ω)) within the half-step hold's 1 %."""
    dt, omega = 0.001, 2 * np.pi * 2.0
    t = np.arange(0, 3.0, dt)
    response = temporal_filter(np.cos(omega * t)[:, None], FRONT_END, dt)[:, 0]
    gain = FRONT_END.temporal_transfer(omega)
    steady = t > 10 * FRONT_END.tau_slow_ms / 1000
    # A value held over a step acts half a step late.
    expected = np.abs(gain) * np.cos(omega * (t - dt / 2) + np.angle(gain))
    np.testing.assert_allclose(response[steady], expected[steady], atol=0.01)


def test_a_step_of_light_gives_a_transient_then_the_sustained_part():
    response = temporal_filter(np.ones((2000, 1)), FRONT_END, 0.001)[:, 0]
    assert response.max() > 0.5  # the fast filter leads
    assert response[-1] == pytest.approx(1 - FRONT_END.transience, abs=1e-6)


def test_on_and_off_cells_take_opposite_halves_and_stay_within_their_rates():
    response = np.linspace(-2, 2, 9)
    on, off = FRONT_END.rates_hz(response, 1), FRONT_END.rates_hz(response, -1)
    np.testing.assert_allclose(on, off[::-1])
    assert on[0] == FRONT_END.spontaneous_rate_hz and on.max() == FRONT_END.max_rate_hz


def test_fixations_stay_inside_the_image_and_drift_by_the_stated_amount():
    experience = ExperienceParams()
    per_fixation = round(experience.fixation_ms / 1000 / FRAME_S)
    gaze = fixations(experience, 8, 1200.0, 200 * per_fixation, FRAME_S, np.random.default_rng(3))
    room = experience.image_side_um - 1200.0
    assert gaze.x_um.min() >= 0 and gaze.x_um.max() <= room
    image = gaze.image.reshape(-1, per_fixation)
    assert np.all(image == image[:, :1])  # one image per fixation
    assert len(np.unique(image[:, 0])) == 8  # saccades reach every image
    x = gaze.x_um.reshape(-1, per_fixation)
    # A random walk: the RMS displacement along an axis over a fixation is drift_um_per_s
    # times the square root of its duration (s); the fixations that never touch an edge
    # (most of 200) give it within ±15 % (3 SD of the estimate).
    displacement = x[:, -1] - x[:, 0]
    within = (x.min(axis=1) > 0) & (x.max(axis=1) < room)
    rms = np.sqrt(np.mean(displacement[within] ** 2))
    expected = experience.drift_um_per_s * np.sqrt((per_fixation - 1) * FRAME_S)
    assert within.sum() > 150 and rms == pytest.approx(expected, rel=0.15)


def test_images_narrower_than_the_retina_are_refused():
    with pytest.raises(ParameterError, match=r"image_pixel_um = 1\.0 is not allowed"):
        fixations(ExperienceParams(image_pixel_um=1.0), 8, 1200.0, 10, FRAME_S,
                  np.random.default_rng(0))


def test_sampling_reads_each_cells_pixel_at_the_gaze():
    filtered = np.arange(2 * 4 * 4, dtype=float).reshape(2, 4, 4)
    positions = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 20.0]])
    gaze = Gaze(np.array([1, 0]), np.array([10.0, 0.0]), np.array([0.0, 10.0]))
    values = sample(filtered, gaze, positions, 10.0)
    # Frame 0: image 1 from (x 1, y 0) pixels; frame 1: image 0 from (x 0, y 1).
    np.testing.assert_array_equal(values, [[17, 18, 25], [4, 5, 12]])


def test_lid_suture_blurs_and_dims_and_darkness_shows_nothing(images):
    sutured = seen_images(ExperienceParams(kind="lid_suture"), images)
    dark = seen_images(ExperienceParams(kind="dark"), images)
    assert np.all(dark == 0)
    # At most the contrast factor of the original RMS contrast, and much less: the blur
    # removes the fine structure.
    ratio = sutured.std(axis=(1, 2)) / images.std(axis=(1, 2))
    assert np.all(ratio < ExperienceParams().lid_contrast)
    assert np.abs(np.diff(sutured, axis=2)).mean() < 0.01 * np.abs(np.diff(images, axis=2)).mean()
