"""Visual stimuli: drifting sinusoidal gratings for measuring orientation tuning.

A grating of direction φ, wavelength λ and temporal frequency f has luminance contrast
``L(x, t) = c · cos(2π (x·u_φ / λ − f t))`` with ``u_φ = (cos φ, sin φ)``; it drifts along φ.
It reaches the ganglion cells through the visual front end (`neurodev.development.vision`),
which, being linear up to its rectifier, scales it by its transfer at (1/λ, f): ON cells fire
at ``spontaneous + gain · T · [L]₊`` and OFF cells at ``spontaneous + gain · T · [−L]₊``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurodev.circuits.params import check_ranges, param


@dataclass(frozen=True)
class GratingParams:
    """Drifting-grating protocol; ``2 · n_orientations`` directions, each shown ``n_trials`` times.

    The wavelength is not a parameter here: measurements use the circuit's receptive-field
    scale (the Gabor wavelength of the prior), so both wirings are probed at the same,
    matched spatial frequency.
    """

    n_orientations: int = param(8, 4, 64)
    n_trials: int = param(4, 1, 1000)
    presentation_ms: float = param(1000.0, 10, 1e5)
    blank_ms: float = param(250.0, 0, 1e5)
    temporal_frequency_hz: float = param(2.0, 0, 100, open_low=True)
    contrast: float = param(1.0, 0, 1, open_low=True)

    def __post_init__(self):
        check_ranges(self)

    @property
    def directions_rad(self) -> np.ndarray:
        """The ``2 · n_orientations`` drift directions, evenly spaced over 2π."""
        return np.arange(2 * self.n_orientations) * np.pi / self.n_orientations


@dataclass(frozen=True)
class GratingBlock:
    """One measurement block: every direction in random order, trial after trial.

    Attributes
    ----------
    direction_index : ndarray of int
        Index into ``GratingParams.directions_rad`` of each presentation, in showing order.
    trial : ndarray of int
        Trial number of each presentation.
    onset_s : ndarray of float
        Presentation onset from the start of the block (s).
    presentation_s, duration_s : float
        Length of one presentation and of the whole block (s).
    """

    direction_index: np.ndarray
    trial: np.ndarray
    onset_s: np.ndarray
    presentation_s: float
    duration_s: float


def grating_block(params: GratingParams, rng) -> GratingBlock:
    """Lay out one measurement block, with directions shuffled within each trial."""
    n_dir = 2 * params.n_orientations
    order = np.concatenate([rng.permutation(n_dir) for _ in range(params.n_trials)])
    trial = np.repeat(np.arange(params.n_trials), n_dir)
    step_s = (params.presentation_ms + params.blank_ms) / 1000
    onset = np.arange(len(order)) * step_s
    return GratingBlock(order, trial, onset, params.presentation_ms / 1000, len(order) * step_s)
