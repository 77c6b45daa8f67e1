"""Orientation and direction tuning from responses to drifting gratings (pure NumPy).

Angles are drift directions φ in radians; a grating's orientation is φ modulo π. Responses
are firing rates in Hz. Circular measures follow Ringach et al. 2002 (J Neurosci 22:5639)
and Mazurek et al. 2014 (Front Neural Circuits 8:92); the classic OSI and the half-width
are those of Niell & Stryker 2008 (J Neurosci 28:7520) on sampled orientations, without
their curve fit (recalled); selectivity is tested per cell by permuting direction labels
(`osi_permutation_p`), as a shuffle test of tuning is usually done.
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


def tuning_curves(window_values, conditions, shape):
    """Arrange per-window values by cell and condition.

    Parameters
    ----------
    window_values : ndarray, shape (n_windows, n_cells)
        A response per presentation window (e.g. rates in Hz).
    conditions : tuple of ndarray of int, each of shape (n_windows,)
        Each window's index along every axis of `shape` (e.g. wavelength, direction, trial).
    shape : tuple of int

    Returns
    -------
    ndarray, shape ``(n_cells, *shape)``
        NaN where no window was shown.

    Examples
    --------
    >>> tuning_curves(np.array([[1.0], [2.0]]), (np.array([1, 0]), np.array([0, 0])), (2, 1))
    array([[[2.],
            [1.]]])
    """
    out = np.full((window_values.shape[1], *shape), np.nan)
    out[(slice(None), *conditions)] = window_values.T
    return out


def at_best(values, mean_response):
    """`values` (shape (n_cells, n_options, ...)) at each cell's best option: the one of
    largest `mean_response` (shape (n_cells, n_options), e.g. the mean rate over directions
    at each spatial frequency). Choosing by the mean response, not by tuning, leaves an
    untuned cell's measured selectivity unbiased.

    Returns
    -------
    values_at_best : ndarray, shape (n_cells, ...)
    best : ndarray of int, shape (n_cells,)

    Examples
    --------
    >>> at_best(np.array([[[1, 0], [3, 1]]]), np.array([[0.5, 2.0]]))
    (array([[3, 1]]), array([1]))
    """
    best = np.argmax(mean_response, axis=1)
    index = np.expand_dims(best, tuple(range(1, values.ndim)))
    return np.take_along_axis(values, index, axis=1).squeeze(1), best


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


def orientation_tuning(responses):
    """Mean response to each orientation: the two opposite drift directions averaged.

    Parameters
    ----------
    responses : ndarray, shape (..., n_directions)
        Mean response to each of an even number of directions evenly spaced over 2π.

    Returns
    -------
    ndarray, shape (..., n_directions // 2)
    """
    responses = np.asarray(responses, dtype=float)
    half = responses.shape[-1] // 2
    return (responses[..., :half] + responses[..., half:]) / 2


def classic_osi(responses):
    """Classic orientation selectivity, ``(R_pref − R_orth) / (R_pref + R_orth)`` on the
    orientation tuning (`orientation_tuning`), with R_orth the response 90° from the
    preferred orientation; NaN where a cell never responds. Needs an even number of
    orientations.

    Examples
    --------
    >>> round(float(classic_osi(np.array([4, 2, 1, 2, 4, 2, 1, 2]))), 12)  # 4 Hz vs 1 Hz
    0.6
    """
    tuning = orientation_tuning(responses)
    n = tuning.shape[-1]
    best = np.argmax(tuning, axis=-1)
    pref = np.take_along_axis(tuning, best[..., None], axis=-1)[..., 0]
    orth = np.take_along_axis(tuning, ((best + n // 2) % n)[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (pref - orth) / (pref + orth)


def half_width(responses):
    """Half-width at half height of the orientation tuning (degrees): on each side of the
    preferred orientation, where the tuning (`orientation_tuning`, baseline its minimum)
    first falls to half its peak, linearly interpolated between sampled orientations; the
    mean of the two sides. 90° where it never falls to half within 90°, or is flat
    (untuned); NaN where a cell never responds.

    Examples
    --------
    A triangle 8 Hz at the peak, 4 Hz one 22.5° step away, 0 two steps away: half height
    (4 Hz) is reached at one step.

    >>> round(float(half_width(np.tile([8.0, 4, 0, 0, 0, 0, 0, 4], 2))), 9)
    22.5
    """
    tuning = orientation_tuning(responses)
    n = tuning.shape[-1]
    step = 180.0 / n
    above = tuning - tuning.min(axis=-1, keepdims=True)
    peak_index = np.argmax(above, axis=-1)
    peak = np.take_along_axis(above, peak_index[..., None], axis=-1)
    # Each side's tuning from the peak outwards, normalised to the peak (0 … n/2 steps).
    offsets = np.arange(n // 2 + 1)
    sides = []
    for sign in (1, -1):
        index = (peak_index[..., None] + sign * offsets) % n
        with np.errstate(invalid="ignore", divide="ignore"):
            sides.append(np.take_along_axis(above, index, axis=-1) / peak)
    widths = np.stack([_first_crossing(side, 0.5) for side in sides]) * step
    width = np.where(peak[..., 0] > 0, widths.mean(axis=0), 90.0)  # flat: untuned
    return np.where(tuning.max(axis=-1) > 0, width, np.nan)


def _first_crossing(curve, level):
    """Where `curve` (last axis, starting above `level`) first falls to `level`, in steps,
    linearly interpolated; the curve's length − 1 if it never does."""
    below = curve <= level
    first = np.where(below.any(axis=-1), np.argmax(below, axis=-1), curve.shape[-1] - 1)
    before = np.take_along_axis(curve, np.maximum(first - 1, 0)[..., None], axis=-1)[..., 0]
    at = np.take_along_axis(curve, first[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(before > at, (before - level) / (before - at), 1.0)
    return np.where(below.any(axis=-1), first - 1 + fraction, first)


def osi_permutation_p(trial_responses, directions_rad, rng, n_permutations=999):
    """Per-cell p-value of orientation selectivity: the fraction of direction-label
    permutations of the cell's trials whose global OSI reaches the observed one (counting
    the observed labels as one permutation, so p ≥ 1 / (n_permutations + 1)).

    Under the null hypothesis (responses do not depend on direction) trials are
    exchangeable, so p < 0.05 for 5 % of untuned cells; NaN where a cell never responds.

    Parameters
    ----------
    trial_responses : ndarray, shape (n_cells, n_directions, n_trials)
    rng : numpy.random.Generator
    n_permutations : int

    Returns
    -------
    ndarray, shape (n_cells,)
    """
    observed = global_osi(trial_responses.mean(axis=2), directions_rad)
    permuted = shuffled_osi(trial_responses, directions_rad, rng, n_permutations)
    # A tolerance for ties: a permutation that only reorders equal values is a tie.
    reached = 1 + (permuted >= observed - 1e-12).sum(axis=0)
    return np.where(np.isnan(observed), np.nan, reached / (n_permutations + 1))


def circular_difference(a_rad, b_rad, period=np.pi):
    """Smallest absolute difference between angles of the given period (rad).

    Examples
    --------
    >>> round(float(circular_difference(0.1, np.pi - 0.1)), 6)
    0.2
    """
    d = np.mod(np.asarray(a_rad) - np.asarray(b_rad), period)
    return np.minimum(d, period - d)
