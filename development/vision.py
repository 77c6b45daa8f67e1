"""The visual front end and the visual experience after eye opening (pure NumPy).

**Front end.** Every visual stimulus reaches the cortex through ON and OFF ganglion cells
with difference-of-Gaussians (centre–surround) receptive fields and a biphasic temporal
filter. A cell at ``x`` sees the contrast movie ``c(x, t)`` filtered in space,

    s(x, t) = (G_centre ∗ c − w_surround · G_surround ∗ c)(x, t),

then in time by a fast low-pass minus a fraction of a slow one (a transient response with a
sustained part ``1 − transience``),

    r(t) = LP_fast[s](t) − transience · LP_slow[s](t),   τ_k dLP_k/dt = s − LP_k,

and fires at ``spontaneous_rate + gain · [±r]₊`` (ON: +, OFF: −), at most ``max_rate``. The
front end is linear up to the rectification, so a drifting grating of wave number ``k`` and
angular frequency ``ω`` reaches it scaled by `FrontEndParams.transfer` (``|DoG(k)| · |H(ω)|``).

**Experience.** Contrast movies of what the eyes see: ``normal`` — the photographs scikit-image
ships in its wheel, viewed as fixations with small drifts, a saccade to a random image and
place between fixations; ``lid_suture`` — the same movie through closed lids: each image
blurred and its contrast scaled down; ``dark`` — no light, so every ganglion cell fires at
its spontaneous rate, independently (no waves after eye opening).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage, special

from neurodev.circuits.params import ParameterError, check_choice, check_ranges, param

#: The photographs of scikit-image's wheel that the ``normal`` movie shows (no download).
PHOTOGRAPHS = ("camera", "astronaut", "coffee", "chelsea", "grass", "gravel", "brick", "rocket")
#: Kinds of visual experience after eye opening.
EXPERIENCES = ("normal", "dark", "lid_suture")
#: Every photograph is its central square resampled to this many pixels a side.
IMAGE_SIDE_PX = 256


@dataclass(frozen=True)
class FrontEndParams:
    """Ganglion cells' receptive fields, temporal filter and rates (sources in README.md)."""

    centre_sigma_um: float = param(50.0, 0, 1e4, open_low=True)
    surround_sigma_um: float = param(150.0, 0, 1e4, open_low=True)
    surround_weight: float = param(0.8, 0, 1)
    tau_fast_ms: float = param(20.0, 0, 1e4, open_low=True)
    tau_slow_ms: float = param(80.0, 0, 1e4, open_low=True)
    transience: float = param(0.8, 0, 1)
    spontaneous_rate_hz: float = param(3.0, 0, 1000)
    gain_hz: float = param(100.0, 0, 1e5)
    max_rate_hz: float = param(100.0, 0, 1000, open_low=True)

    def __post_init__(self):
        check_ranges(self)
        if self.surround_sigma_um <= self.centre_sigma_um:
            raise ParameterError("surround_sigma_um", self.surround_sigma_um,
                                 f"above centre_sigma_um = {self.centre_sigma_um:g}")
        if self.tau_slow_ms <= self.tau_fast_ms:
            raise ParameterError("tau_slow_ms", self.tau_slow_ms,
                                 f"above tau_fast_ms = {self.tau_fast_ms:g}")

    def spatial_transfer(self, wave_number_per_um) -> np.ndarray:
        """The DoG's response to a sinusoid of unit contrast and wave number ``k`` (rad/µm)."""
        k2 = np.square(wave_number_per_um)
        return (np.exp(-k2 * self.centre_sigma_um**2 / 2)
                - self.surround_weight * np.exp(-k2 * self.surround_sigma_um**2 / 2))

    def temporal_transfer(self, omega_rad_per_s) -> np.ndarray:
        """The temporal filter's complex gain at angular frequency ω (rad/s)."""
        iw = 1j * np.asarray(omega_rad_per_s, dtype=float)
        return (1 / (1 + iw * self.tau_fast_ms / 1000)
                - self.transience / (1 + iw * self.tau_slow_ms / 1000))

    def transfer(self, wave_number_per_um, omega_rad_per_s) -> np.ndarray:
        """How much of a drifting grating's contrast reaches the rectifier."""
        return np.abs(self.spatial_transfer(wave_number_per_um)
                      * self.temporal_transfer(omega_rad_per_s))

    def rates_hz(self, response, polarity) -> np.ndarray:
        """Firing rates of cells of `polarity` (+1 ON, −1 OFF) for filtered responses."""
        drive = self.gain_hz * np.maximum(np.asarray(polarity) * response, 0)
        return np.minimum(self.spontaneous_rate_hz + drive, self.max_rate_hz)


@dataclass(frozen=True)
class ExperienceParams:
    """What the eyes see after eye opening (sources and reasons in README.md)."""

    kind: str = "normal"
    image_pixel_um: float = param(12.0, 0.1, 1e4)
    fixation_ms: float = param(500.0, 1, 1e5)
    drift_um_per_s: float = param(50.0, 0, 1e5)
    lid_blur_um: float = param(500.0, 0, 1e5, open_low=True)
    lid_contrast: float = param(0.1, 0, 1)

    def __post_init__(self):
        check_choice("kind", self.kind, EXPERIENCES)
        check_ranges(self)

    @property
    def image_side_um(self) -> float:
        return IMAGE_SIDE_PX * self.image_pixel_um

    def check_covers(self, retina_extent_um: float):
        """Refuse photographs no wider than the retina: the eyes must never see past an edge."""
        if self.image_side_um <= retina_extent_um:
            raise ParameterError("image_pixel_um", self.image_pixel_um,
                                 f"above {retina_extent_um / IMAGE_SIDE_PX:.4g}, so that the "
                                 f"{IMAGE_SIDE_PX}-pixel photographs are wider than the "
                                 f"{retina_extent_um:g} µm retina")


def photographs() -> np.ndarray:
    """The `PHOTOGRAPHS` as Weber contrast ``(L − mean) / mean`` of their grey level, the mean
    taken over all of them (so a saccade to a brighter image is a step of light, which a
    closed lid passes too), each its central square resampled to `IMAGE_SIDE_PX`; shape
    (n_images, side, side)."""
    from skimage import color, data, transform

    images = []
    for name in PHOTOGRAPHS:
        image = getattr(data, name)()
        grey = color.rgb2gray(image) if image.ndim == 3 else image / 255.0
        side = min(grey.shape)
        top, left = (grey.shape[0] - side) // 2, (grey.shape[1] - side) // 2
        square = transform.resize(grey[top:top + side, left:left + side],
                                  (IMAGE_SIDE_PX, IMAGE_SIDE_PX), anti_aliasing=True)
        images.append(square)
    images = np.stack(images)
    return images / images.mean() - 1


def seen_images(experience: ExperienceParams, images: np.ndarray) -> np.ndarray:
    """The contrast images as they reach the retina: as they are (``normal``), blurred by
    ``lid_blur_um`` and scaled by ``lid_contrast`` (``lid_suture``), or nothing (``dark``)."""
    if experience.kind == "dark":
        return np.zeros_like(images)
    if experience.kind == "lid_suture":
        return experience.lid_contrast * _blurred(images, experience.lid_blur_um,
                                                  experience.image_pixel_um)
    return images


def dog_filtered(images: np.ndarray, front_end: FrontEndParams, pixel_um: float) -> np.ndarray:
    """Each image through the ganglion cells' centre–surround field (a cell at a pixel sees
    the value there)."""
    return (_blurred(images, front_end.centre_sigma_um, pixel_um)
            - front_end.surround_weight * _blurred(images, front_end.surround_sigma_um, pixel_um))


def square_responses(centres_um: np.ndarray, side_um: float, positions_um: np.ndarray,
                     front_end: FrontEndParams) -> np.ndarray:
    """The centre–surround field's response at each of `positions_um` to a square of unit
    contrast and side `side_um` centred at each of `centres_um`, in closed form (a Gaussian's
    integral over a square is a product of two differences of its cumulative distribution);
    shape (n_positions, n_squares). Linear, so a frame of squares is a sum of columns."""
    offset = np.asarray(centres_um)[None, :, :] - np.asarray(positions_um)[:, None, :]

    def covered(sigma_um):  # the Gaussian's mass over each square, axis by axis
        scale = np.sqrt(2) * sigma_um
        mass = (special.erf((offset + side_um / 2) / scale)
                - special.erf((offset - side_um / 2) / scale)) / 2
        return mass.prod(axis=-1)

    return (covered(front_end.centre_sigma_um)
            - front_end.surround_weight * covered(front_end.surround_sigma_um))


def _blurred(images: np.ndarray, sigma_um: float, pixel_um: float) -> np.ndarray:
    """Each image (axes 1 and 2) convolved with a Gaussian of `sigma_um`."""
    sigma = sigma_um / pixel_um
    return ndimage.gaussian_filter(images, (0, sigma, sigma), mode="reflect")


@dataclass(frozen=True)
class Gaze:
    """Where the eyes look, frame by frame: the image shown and the position (µm) in it of
    the retina's origin."""

    image: np.ndarray
    x_um: np.ndarray
    y_um: np.ndarray


def fixations(experience: ExperienceParams, n_images: int, retina_extent_um: float,
              n_frames: int, frame_s: float, rng) -> Gaze:
    """Fixations of ``fixation_ms`` with a random-walk drift (its RMS displacement along
    each axis after one second is ``drift_um_per_s``), each after a saccade to a random
    image and a random place in it from which the whole retina stays inside the image (the
    drift is held at the edges)."""
    experience.check_covers(retina_extent_um)
    room = experience.image_side_um - retina_extent_um
    per_fixation = max(1, round(experience.fixation_ms / 1000 / frame_s))
    n_fixations = -(-n_frames // per_fixation)
    fixation = np.arange(n_frames) // per_fixation
    start = rng.uniform(0, room, (2, n_fixations))
    image = rng.integers(n_images, size=n_fixations)
    steps = rng.normal(0, experience.drift_um_per_s * np.sqrt(frame_s), (2, n_frames))
    steps[:, np.arange(0, n_frames, per_fixation)] = 0  # a fixation starts where it landed
    drift = np.cumsum(steps, axis=1)
    drift -= drift[:, fixation * per_fixation]
    x, y = np.clip(start[:, fixation] + drift, 0, room)
    return Gaze(image[fixation].astype(np.int32), x, y)


def sample(filtered: np.ndarray, gaze: Gaze, positions_um: np.ndarray,
           pixel_um: float) -> np.ndarray:
    """The filtered image value at every cell's position in every frame (nearest pixel);
    shape (n_frames, n_cells)."""
    column = np.rint((gaze.x_um[:, None] + positions_um[None, :, 0]) / pixel_um).astype(int)
    row = np.rint((gaze.y_um[:, None] + positions_um[None, :, 1]) / pixel_um).astype(int)
    side = filtered.shape[1]
    return filtered[gaze.image[:, None], np.clip(row, 0, side - 1), np.clip(column, 0, side - 1)]


def temporal_filter(signal: np.ndarray, front_end: FrontEndParams, dt_s: float) -> np.ndarray:
    """The biphasic filter along axis 0 of a signal held constant over each step of `dt_s`
    (exact for piecewise-constant input, as the simulation integrates it)."""
    out = np.empty(signal.shape, dtype=float)
    fast = np.zeros(signal.shape[1:])
    slow = np.zeros(signal.shape[1:])
    keep_fast = np.exp(-dt_s * 1000 / front_end.tau_fast_ms)
    keep_slow = np.exp(-dt_s * 1000 / front_end.tau_slow_ms)
    for step, value in enumerate(signal):
        fast = value + (fast - value) * keep_fast
        slow = value + (slow - value) * keep_slow
        out[step] = fast - front_end.transience * slow
    return out
