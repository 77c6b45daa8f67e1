"""Orientation and direction tuning from responses to drifting gratings (pure NumPy).

Angles are drift directions φ in radians; a grating's orientation is φ modulo π. Responses
are firing rates in Hz. Circular measures follow Ringach et al. 2002 (J Neurosci 22:5639)
and Mazurek et al. 2014 (Front Neural Circuits 8:92).
"""

from __future__ import annotations

import numpy as np


def f1_amplitude(phase_sum, duration_s):
    """Response modulation at the stimulus frequency in each window (Hz), from the phase sums
    ``Σ exp(iωt)`` of its spikes (ω = 2πf; the engine accumulates them in compiled code).

    ``F1 = 2 |Σ exp(iωt)| / duration``: for a rate ``r0 + a·cos(ωt + φ)`` sampled over whole
    cycles this approaches ``a``. Where the window starts changes the sum's phase, not its
    modulus, so the sum needs no onset.

    Examples
    --------
    >>> phase_sum = np.exp(2j * np.pi * 2.0 * np.array([0.0, 0.5, 1.0]))  # one spike per cycle
    >>> round(float(f1_amplitude(phase_sum.sum(), 1.5)), 9)
    4.0
    """
    return 2 * np.abs(phase_sum) / duration_s


def tuning_curves(window_values, direction_index, trial, n_directions, n_trials):
    """Arrange per-window values by cell, direction and trial.

    Parameters
    ----------
    window_values : ndarray, shape (n_windows, n_cells)
        A response per presentation window (e.g. rates in Hz).
    direction_index, trial : ndarray of int, shape (n_windows,)
        Direction and trial of each window.

    Returns
    -------
    ndarray, shape (n_cells, n_directions, n_trials)
    """
    out = np.full((window_values.shape[1], n_directions, n_trials), np.nan)
    out[:, direction_index, trial] = window_values.T
    return out


def _circular_vector(responses, directions_rad, harmonic):
    responses = np.asarray(responses, dtype=float)
    weights = np.exp(1j * harmonic * np.asarray(directions_rad))
    total = responses.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (responses * weights).sum(axis=-1) / total


def global_osi(responses, directions_rad):
    """Global orientation selectivity, ``1 − circular variance`` on the doubled angle.

    ``gOSI = |Σ r(φ) e^{2iφ}| / Σ r(φ)``, in [0, 1] for non-negative responses; NaN where a
    cell never responds.

    Parameters
    ----------
    responses : ndarray, shape (..., n_directions)
        Mean response to each direction (Hz).
    directions_rad : ndarray, shape (n_directions,)
        Drift directions, evenly spaced over 2π (or over π).

    Examples
    --------
    A cell that responds to one orientation only (both directions) is perfectly selective;
    an untuned cell is not selective at all:

    >>> directions = np.arange(8) * np.pi / 4
    >>> round(float(global_osi(np.array([1, 0, 0, 0, 1, 0, 0, 0]), directions)), 12)
    1.0
    >>> round(float(global_osi(np.ones(8), directions)), 12)
    0.0
    """
    return np.abs(_circular_vector(responses, directions_rad, 2))


def global_dsi(responses, directions_rad):
    """Global direction selectivity, ``|Σ r(φ) e^{iφ}| / Σ r(φ)`` (1 − directional variance).

    Examples
    --------
    >>> directions = np.arange(8) * np.pi / 4
    >>> round(float(global_dsi(np.array([1, 0, 0, 0, 1, 0, 0, 0]), directions)), 12)
    0.0
    >>> round(float(global_dsi(np.array([1, 0, 0, 0, 0, 0, 0, 0]), directions)), 12)
    1.0
    """
    return np.abs(_circular_vector(responses, directions_rad, 1))


def preferred_orientation(responses, directions_rad):
    """Preferred orientation, ``arg(Σ r(φ) e^{2iφ}) / 2`` in [0, π) (rad)."""
    return np.angle(_circular_vector(responses, directions_rad, 2)) % (2 * np.pi) / 2


def shuffled_osi(trial_responses, directions_rad, rng, n_shuffles=20):
    """OSI of each cell after shuffling direction labels across all its trials.

    The median of this is the noise floor of the median OSI for the number of trials used:
    an untuned cell measured with few trials still shows an OSI above zero.

    Parameters
    ----------
    trial_responses : ndarray, shape (n_cells, n_directions, n_trials)
        Response on every trial (Hz).
    rng : numpy.random.Generator
    n_shuffles : int

    Returns
    -------
    ndarray, shape (n_shuffles, n_cells)
    """
    n_cells, n_directions, n_trials = trial_responses.shape
    flat = trial_responses.reshape(n_cells, -1)
    osi = np.empty((n_shuffles, n_cells))
    for k in range(n_shuffles):
        shuffled = flat[:, rng.permutation(flat.shape[1])].reshape(n_cells, n_directions, n_trials)
        osi[k] = global_osi(shuffled.mean(axis=2), directions_rad)
    return osi


def circular_difference(a_rad, b_rad, period=np.pi):
    """Smallest absolute difference between angles of the given period (rad).

    Examples
    --------
    >>> round(float(circular_difference(0.1, np.pi - 0.1)), 6)
    0.2
    """
    d = np.mod(np.asarray(a_rad) - np.asarray(b_rad), period)
    return np.minimum(d, period - d)
