"""Receptive fields read from feed-forward weights (pure NumPy)."""

from __future__ import annotations

import numpy as np

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
