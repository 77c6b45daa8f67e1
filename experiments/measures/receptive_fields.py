"""Receptive fields read from feed-forward weights, and mapped from responses to noise by
reverse correlation (pure NumPy)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage, special

from neurodev.experiments.measures.tuning import at_best, global_osi, preferred_orientation


def receptive_fields(pre, post, weight, n_sites, n_cells):
    """ON − OFF weight maps.

    Parameters
    ----------
    pre, post : ndarray of int, shape (n_synapses,)
        Input index (ON cells ``0..n_sites-1``, OFF cells ``n_sites..2 n_sites-1``) and cell.
    weight : ndarray, shape (n_synapses,) or (n_snapshots, n_synapses)
        Weights (units of leak conductance).

    Returns
    -------
    ndarray, shape (n_cells, n_sites) or (n_snapshots, n_cells, n_sites)

    Examples
    --------
    >>> receptive_fields(np.array([0, 3]), np.array([0, 0]), np.array([1.0, 0.5]), 2, 1)
    array([[ 1. , -0.5]])
    """
    weight = np.asarray(weight, dtype=float)
    sign = np.where(pre < n_sites, 1.0, -1.0)
    flat = post * n_sites + pre % n_sites
    maps = np.zeros((*weight.shape[:-1], n_cells * n_sites))
    for index in np.ndindex(weight.shape[:-1]):
        maps[index] = np.bincount(flat, weights=sign * weight[index], minlength=n_cells * n_sites)
    return maps.reshape(*weight.shape[:-1], n_cells, n_sites)


def linear_orientation_tuning(rf, positions_um, wavelength_um, n_orientations=16):
    """Amplitude of a linear receptive field's response to gratings of each orientation.

    ``A(θ) = |Σ_x rf(x) exp(i k_θ·x)|`` with ``|k_θ| = 2π / wavelength``: the peak response
    over spatial phase of a linear cell.

    Returns
    -------
    orientations_rad : ndarray, shape (n_orientations,)
    amplitude : ndarray, shape (..., n_orientations)
    """
    orientations = np.arange(n_orientations) * np.pi / n_orientations
    k = 2 * np.pi / wavelength_um * np.column_stack([np.cos(orientations), np.sin(orientations)])
    basis = np.exp(1j * positions_um @ k.T)  # (n_sites, n_orientations)
    return orientations, np.abs(rf @ basis)


def weight_orientation(rf, positions_um, wavelength_um, n_orientations=16):
    """Weight-based orientation selectivity and preference of linear receptive fields.

    Returns
    -------
    osi : ndarray
        Global OSI of ``A(θ)`` from `linear_orientation_tuning` (orientations cover π, so the
        doubled angle spans the circle).
    preferred_rad : ndarray
        Preferred orientation in [0, π).
    """
    orientations, amplitude = linear_orientation_tuning(rf, positions_um, wavelength_um,
                                                        n_orientations)
    return global_osi(amplitude, orientations), preferred_orientation(amplitude, orientations)


def weight_orientation_at_best(rf, positions_um, wavelengths_um, transfer, n_orientations=16):
    """`weight_orientation` at each field's best wavelength: the one of `wavelengths_um`
    whose gratings drive the linear field most on average over orientations, once scaled by
    the front end's `transfer` at each wavelength (what reaches the field), as
    `neurodev.experiments.measures.tuning.at_best` chooses a cell's best spatial frequency
    from its spikes.

    Returns
    -------
    osi, preferred_rad : ndarray, shape (...)
    best : ndarray of int, shape (...)
        Index into `wavelengths_um`.
    """
    rf = np.asarray(rf, dtype=float)
    amplitudes = []
    for wavelength, gain in zip(wavelengths_um, transfer, strict=True):
        orientations, amplitude = linear_orientation_tuning(rf, positions_um, wavelength,
                                                            n_orientations)
        amplitudes.append(gain * amplitude)
    stacked = np.stack(amplitudes, axis=-2)  # (..., wavelength, orientation)
    by_field = stacked.reshape(-1, *stacked.shape[-2:])
    amplitude, best = at_best(by_field, by_field.mean(axis=-1))
    amplitude = amplitude.reshape(*stacked.shape[:-2], -1)
    return (global_osi(amplitude, orientations), preferred_orientation(amplitude, orientations),
            best.reshape(stacked.shape[:-2]))


def receptive_field_centroid(rf, positions_um):
    """Centroid of each receptive field under the weights ``|ON − OFF|`` (µm).

    Parameters
    ----------
    rf : ndarray, shape (..., n_sites)
        ON − OFF weight maps (`receptive_fields`).
    positions_um : ndarray, shape (n_sites, 2)
        Retinal site positions (µm).

    Returns
    -------
    ndarray, shape (..., 2)
        NaN for an empty field.
    """
    return _centroid(_weight_share(rf), positions_um)


def receptive_field_radius(rf, positions_um):
    """RMS radius of each receptive field around its centroid, weighted by ``|ON − OFF|``
    (parameters as `receptive_field_centroid`).

    Returns
    -------
    ndarray, shape (...)
        ``sqrt(E|x|² − |E x|²)`` under the weights (µm); NaN for an empty field. A Gaussian
        envelope ``exp(−r² / 2σ²)`` sampled densely gives ``√2 σ``.
    """
    share = _weight_share(rf)
    centroid = _centroid(share, positions_um)
    spread = share @ (positions_um**2).sum(axis=1) - (centroid**2).sum(axis=-1)
    return np.sqrt(np.maximum(spread, 0.0))


def _weight_share(rf):
    """``|ON − OFF|`` of each field as a fraction of its total (all zeros for an empty one)."""
    magnitude = np.abs(np.asarray(rf, dtype=float))
    total = magnitude.sum(axis=-1, keepdims=True)
    return magnitude / np.where(total > 0, total, 1.0)


def _centroid(share, positions_um):
    """Mean position under each field's `_weight_share`; NaN for an empty field."""
    return np.where(share.sum(axis=-1, keepdims=True) > 0, share @ positions_um, np.nan)


def retinotopic_scatter(centres_um, cell_positions_um) -> float:
    """RMS distance of receptive-field centres from the best affine map of cortical onto
    retinal position (least squares): how far RFs scatter around a smooth retinotopy, in
    whatever scale and orientation the map has. Cells with an empty field (NaN centre) are
    left out; NaN if fewer than four remain (an affine map of the plane has three points'
    worth of parameters per coordinate).

    Parameters
    ----------
    centres_um : ndarray, shape (n_cells, 2)
        Receptive-field centres (`receptive_field_centroid`).
    cell_positions_um : ndarray, shape (n_cells, 2)
        The cells' cortical positions.

    Returns
    -------
    float
        ``sqrt(Σ |residual|² / (n − 3))`` (µm): unbiased for independent scatter of equal
        variance along each axis, where it estimates ``√2 σ`` for scatter ``σ`` per axis.

    Examples
    --------
    >>> cortex = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> retinotopic_scatter(2 * cortex + 5, cortex) < 1e-9  # an exact affine map
    True
    """
    centres = np.asarray(centres_um, dtype=float)
    known = np.isfinite(centres).all(axis=1)
    if known.sum() < 4:
        return float("nan")
    design = np.column_stack([np.asarray(cell_positions_um, dtype=float)[known],
                              np.ones(known.sum())])
    fit, *_ = np.linalg.lstsq(design, centres[known], rcond=None)
    residual = centres[known] - design @ fit
    return float(np.sqrt((residual**2).sum() / (known.sum() - design.shape[1])))


def spike_triggered_average(counts, stimulus):
    """Spike-triggered average of a stimulus, and each value's z-score against spike counts
    shuffled over frames.

    Parameters
    ----------
    counts : ndarray, shape (n_frames, n_cells)
        Spikes of each cell in each frame.
    stimulus : ndarray, shape (n_frames, n_pixels)
        The stimulus of each frame (e.g. +1 light, −1 dark, 0 grey per check).

    Returns
    -------
    sta : ndarray, shape (n_cells, n_pixels)
        ``Σ_f c_f (s_f − s̄) / Σ_f c_f``: the mean stimulus at a spike, about its mean over
        frames; NaN for a cell without spikes.
    z : ndarray, shape (n_cells, n_pixels)
        ``Σ_f c_f (s_f − s̄)`` over its standard deviation under every permutation of the
        counts over frames, ``sqrt(Σ (c − c̄)² Σ (s − s̄)² / (n − 1))`` (exact for sampling
        without replacement): about standard normal for a cell that ignores the stimulus;
        0 where a cell's counts or a pixel's stimulus do not vary.

    Examples
    --------
    >>> stimulus = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    >>> sta, z = spike_triggered_average(np.array([[2], [0], [2], [0]]), stimulus)
    >>> float(sta[0, 0]), round(float(z[0, 0]), 6)  # z = √3
    (1.0, 1.732051)
    """
    counts = np.asarray(counts, dtype=float)
    centred = np.asarray(stimulus, dtype=float) - np.mean(stimulus, axis=0)
    summed = counts.T @ centred
    total = counts.sum(axis=0)[:, None]
    spread = np.sqrt(np.outer(((counts - counts.mean(axis=0)) ** 2).sum(axis=0),
                              (centred**2).sum(axis=0)) / max(len(counts) - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        sta = np.where(total > 0, summed / total, np.nan)
        z = np.where(spread > 0, summed / spread, 0.0)
    return sta, z


def peak_z(alpha: float, n_pixels: int) -> float:
    """The ``|z|`` that one pixel of `n_pixels` reaches with probability at most `alpha` over all
    of them under the null (two-sided, Bonferroni): a map whose peak reaches it has a field.

    Examples
    --------
    >>> round(peak_z(0.05, 1), 2)
    1.96
    """
    return float(special.ndtri(1 - alpha / (2 * n_pixels)))


def response_field(sta, z, grid_side: int, peak: float, extent: float):
    """The receptive fields in spike-triggered averages: the pixels with ``|z| ≥ extent``
    that are connected (8-neighbours on the square grid) to a pixel with ``|z| ≥ peak``.

    Parameters
    ----------
    sta, z : ndarray, shape (n_cells, grid_side²)
        From `spike_triggered_average`, pixels row-major over the grid.
    peak, extent : float
        The ``|z|`` a field's peak must reach (`peak_z`), and the ``|z|`` of the rest of it.

    Returns
    -------
    field : ndarray, shape (n_cells, grid_side²)
        The average inside each field, 0 outside (all 0 for a cell without one): what
        `receptive_field_centroid` and `receptive_field_radius` take.
    mapped : ndarray of bool, shape (n_cells,)
        Whether the cell has a field.

    Examples
    --------
    >>> z = np.array([[0.0, 2.5, 0.0, 5.0], [0.0, 0.0, 0.0, 3.0]])
    >>> field, mapped = response_field(2 * z, z, 2, peak=4.0, extent=2.0)
    >>> field.tolist(), mapped.tolist()
    ([[0.0, 5.0, 0.0, 10.0], [0.0, 0.0, 0.0, 0.0]], [True, False])
    """
    strong = np.abs(z) >= extent
    keep = np.zeros(strong.shape, dtype=bool)
    for cell in np.flatnonzero((np.abs(z) >= peak).any(axis=1)):
        labels, _ = ndimage.label(strong[cell].reshape(grid_side, grid_side),
                                  structure=np.ones((3, 3)))
        peaks = np.unique(labels.ravel()[np.abs(z[cell]) >= peak])
        keep[cell] = np.isin(labels.ravel(), peaks[peaks > 0])
    return np.where(keep, np.nan_to_num(sta), 0.0), keep.any(axis=1)


def split_half_fields(counts, stimulus, fields, positions_um):
    """How reliable mapped fields are: spike-triggered averages of the even and the odd
    frames compared (parameters as `spike_triggered_average`; `fields` the full data's
    `response_field`, `positions_um` the pixels' positions).

    Returns
    -------
    reliability : ndarray, shape (n_cells,)
        Pearson correlation of the two halves' averages over all pixels (NaN for a cell
        without spikes in a half, or whose average is flat).
    centre_error_um : ndarray, shape (n_cells,)
        Half the distance between the two halves' centroids inside the full data's field:
        the standard error of the full data's centre along the line between them (each
        half's centre varies twice as much as the full data's); NaN without a field.

    Examples
    --------
    >>> first = np.array([1.0, 1, -1, -1, 1, 1, -1, -1])
    >>> stimulus = np.column_stack([first, [1.0, -1, -1, 1, -1, 1, 1, -1]])
    >>> counts = 3 * (first[:, None] > 0)  # a cell that follows the first pixel alone
    >>> reliability, error = split_half_fields(counts, stimulus, np.array([[1.0, 0.0]]),
    ...                                        np.array([[0.0, 0.0], [100.0, 0.0]]))
    >>> reliability.tolist(), error.tolist()
    ([1.0], [0.0])
    """
    halves = [spike_triggered_average(counts[h::2], stimulus[h::2])[0] for h in (0, 1)]
    centred = [h - h.mean(axis=1, keepdims=True) for h in halves]
    with np.errstate(divide="ignore", invalid="ignore"):
        reliability = (centred[0] * centred[1]).sum(axis=1) / np.sqrt(
            (centred[0] ** 2).sum(axis=1) * (centred[1] ** 2).sum(axis=1))
    inside = np.asarray(fields) != 0
    centres = [receptive_field_centroid(np.where(inside, np.nan_to_num(h), 0.0), positions_um)
               for h in halves]
    return reliability, np.linalg.norm(centres[0] - centres[1], axis=-1) / 2
