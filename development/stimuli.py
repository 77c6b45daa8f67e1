"""Visual stimuli of the checkpoints: drifting sinusoidal gratings for measuring orientation
tuning, at several spatial frequencies so that each cell can be measured at its best; then
flashed-check noise for mapping receptive fields from responses (`RFMappingParams`).

A grating of direction φ, wavelength λ and temporal frequency f has luminance contrast
``L(x, t) = c · cos(2π (x·u_φ / λ − f t))`` with ``u_φ = (cos φ, sin φ)``; it drifts along φ.
It reaches the ganglion cells through the visual front end (`neurodev.development.vision`),
which, being linear up to its rectifier, scales it by its transfer at (1/λ, f): ON cells fire
at ``spontaneous + gain · T · [L]₊`` and OFF cells at ``spontaneous + gain · T · [−L]₊``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurodev.circuits.params import ParameterError, check_ranges, param


@dataclass(frozen=True)
class GratingParams:
    """Drifting-grating protocol: ``2 · n_orientations`` directions at each of the
    `wavelengths_um`, every such condition shown ``n_trials`` times.

    The wavelengths are the probe's own, the same for every circuit: octaves around the
    receptive fields' scale, so that neither wiring is probed only at the spatial frequency
    that one of them was built with (the prior's Gabor wavelength is 300 µm).
    """

    n_orientations: int = param(8, 4, 64)
    wavelengths_um: tuple[float, ...] = (150.0, 300.0, 600.0)
    n_trials: int = param(4, 1, 1000)
    presentation_ms: float = param(1000.0, 10, 1e5)
    blank_ms: float = param(250.0, 0, 1e5)
    temporal_frequency_hz: float = param(2.0, 0, 100, open_low=True)
    contrast: float = param(1.0, 0, 1, open_low=True)

    def __post_init__(self):
        check_ranges(self)
        wavelengths = self.wavelengths_um
        allowed = "a list of distinct wavelengths in (0, 1e5] µm, at least one"
        if not (isinstance(wavelengths, tuple) and wavelengths
                and all(isinstance(w, int | float) and not isinstance(w, bool) and 0 < w <= 1e5
                        for w in wavelengths)
                and len(set(wavelengths)) == len(wavelengths)):
            raise ParameterError("wavelengths_um", list(wavelengths)
                                 if isinstance(wavelengths, tuple) else wavelengths, allowed)
        # TOML writes 300 for 300.0: one spelling, so that equal configs hash alike.
        object.__setattr__(self, "wavelengths_um", tuple(float(w) for w in wavelengths))

    @property
    def directions_rad(self) -> np.ndarray:
        """The ``2 · n_orientations`` drift directions, evenly spaced over 2π."""
        return np.arange(2 * self.n_orientations) * np.pi / self.n_orientations

    @property
    def n_conditions(self) -> int:
        """Gratings of one trial: every direction at every wavelength."""
        return 2 * self.n_orientations * len(self.wavelengths_um)


@dataclass(frozen=True)
class GratingBlock:
    """One measurement block: every condition (direction and wavelength) in random order,
    trial after trial.

    Attributes
    ----------
    direction_index : ndarray of int
        Index into ``GratingParams.directions_rad`` of each presentation, in showing order.
    wavelength_index : ndarray of int
        Index into ``GratingParams.wavelengths_um`` of each presentation.
    trial : ndarray of int
        Trial number of each presentation.
    onset_s : ndarray of float
        Presentation onset from the start of the block (s).
    presentation_s, duration_s : float
        Length of one presentation and of the whole block (s).
    """

    direction_index: np.ndarray
    wavelength_index: np.ndarray
    trial: np.ndarray
    onset_s: np.ndarray
    presentation_s: float
    duration_s: float


def grating_block(params: GratingParams, rng) -> GratingBlock:
    """Lay out one measurement block, with the conditions shuffled within each trial."""
    n_dir, n = 2 * params.n_orientations, params.n_conditions
    condition = np.concatenate([rng.permutation(n) for _ in range(params.n_trials)])
    trial = np.repeat(np.arange(params.n_trials), n)
    step_s = (params.presentation_ms + params.blank_ms) / 1000
    onset = np.arange(len(condition)) * step_s
    return GratingBlock(condition % n_dir, condition // n_dir, trial, onset,
                        params.presentation_ms / 1000, len(condition) * step_s)


@dataclass(frozen=True)
class RFMappingParams:
    """Flashed-check noise for mapping receptive fields from responses (reverse correlation):
    ``n_frames`` frames of ``frame_ms`` after the gratings of every checkpoint (0: none), each
    a grid of squares of side ``check_um`` over the retina on a mean-grey background, of
    which a fraction ``density`` is light or dark (each with probability ½) at
    ``contrast``. Density 1 is dense binary noise; a small density is sparse noise.
    Sources and reasons for each default are in README.md (Receptive fields)."""

    n_frames: int = param(1800, 0, 100_000)
    frame_ms: float = param(100.0, 1, 10_000)
    check_um: float = param(100.0, 0, 1e4, open_low=True)
    density: float = param(1.0, 0, 1, open_low=True)
    contrast: float = param(1.0, 0, 1, open_low=True)

    def __post_init__(self):
        check_ranges(self)


@dataclass(frozen=True)
class NoiseBlock:
    """The noise movie every checkpoint shows (the same frames at each, so that a change
    between checkpoints is the circuit's, not the stimulus draw's).

    Attributes
    ----------
    checks : ndarray of int8, shape (n_frames, n_checks)
        Each check's contrast sign in each frame: +1 light, −1 dark, 0 grey.
    check_centres_um : ndarray, shape (n_checks, 2)
        Centre of every check, row-major over the grid (µm, retinal coordinates).
    grid_side : int
        Checks along each side of the grid.
    check_um, contrast, frame_s : float
        Side of a check (µm), contrast of a light or dark check, length of a frame (s).
    """

    checks: np.ndarray
    check_centres_um: np.ndarray
    grid_side: int
    check_um: float
    contrast: float
    frame_s: float

    @property
    def duration_s(self) -> float:
        return len(self.checks) * self.frame_s


def noise_block(params: RFMappingParams, positions_um: np.ndarray, spacing_um: float,
                rng) -> NoiseBlock:
    """Draw the noise movie over a square grid of checks covering the retina's sites
    (`positions_um`, a square grid of `spacing_um`) and the half spacing around them; every
    frame has the same number of non-grey checks, ``round(density × n_checks)`` (at least
    one), at random places.

    Examples
    --------
    >>> from neurodev.circuits.sheets import grid_positions
    >>> block = noise_block(RFMappingParams(n_frames=3, density=0.5), grid_positions(4, 50.0), 50.0,
    ...                     np.random.default_rng(0))
    >>> block.grid_side, block.checks.shape, (block.checks != 0).sum(axis=1).tolist()
    (2, (3, 4), [2, 2, 2])
    """
    low = positions_um.min(axis=0) - spacing_um / 2
    extent = float((positions_um.max(axis=0) - positions_um.min(axis=0)).max()) + spacing_um
    side = int(np.ceil(extent / params.check_um - 1e-9))
    centres = (np.stack(np.meshgrid(np.arange(side), np.arange(side)), axis=-1).reshape(-1, 2)
               + 0.5) * params.check_um + low
    n_checks = side * side
    n_on = max(1, round(params.density * n_checks))
    checks = np.zeros((params.n_frames, n_checks), dtype=np.int8)
    for frame in checks:
        frame[rng.permutation(n_checks)[:n_on]] = rng.choice(np.array([-1, 1], np.int8), n_on)
    return NoiseBlock(checks, centres, side, params.check_um, params.contrast,
                      params.frame_ms / 1000)
