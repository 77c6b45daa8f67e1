"""Orientation-map statistics: pinwheels, column spacing, pinwheel density, map similarity and
the orientation spread of a cell's inputs (pure NumPy).

Maps are preferred orientations θ (rad, period π) sampled on a square grid. A pinwheel is a
point around which θ winds by ±π, i.e. a zero of the complex map ``z = exp(2iθ)`` smoothed
over space; it is found as a grid plaquette around which ``arg z`` winds by ±2π. The column
spacing Λ is the wavelength of the map's power spectrum, and columnar maps of every species
measured have about π pinwheels per Λ² (Kaschube et al. 2010 Science 330:1113).
"""

from __future__ import annotations

import itertools

import numpy as np


def pinwheels(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pinwheels of a sampled orientation map.

    Parameters
    ----------
    theta : ndarray, shape (n_rows, n_cols)
        Preferred orientation at each grid point (rad).

    Returns
    -------
    row, col : ndarray of float
        Pinwheel positions in grid units (plaquette centres: half-integers).
    charge : ndarray of int
        +1 where θ turns counter-clockwise around the pinwheel (+π), −1 where clockwise.

    Examples
    --------
    >>> y, x = np.mgrid[-2:3, -2:3] + 0.5
    >>> row, col, charge = pinwheels(np.angle(x + 1j * y) / 2)
    >>> float(row[0]), float(col[0]), int(charge[0])
    (1.5, 1.5, 1)
    """
    z = np.exp(2j * theta)
    corners = [z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1], z[:-1, :-1]]
    with np.errstate(invalid="ignore"):
        winding = sum(np.angle(b / a) for a, b in itertools.pairwise(corners)) / (2 * np.pi)
    # A corner without a preference (NaN: a silent cell) winds nowhere: no pinwheel there.
    charge = np.rint(np.where(np.isfinite(winding), winding, 0)).astype(int)
    row, col = np.nonzero(charge)
    return row + 0.5, col + 0.5, charge[row, col]


def radial_spectrum(theta: np.ndarray, spacing_um: float) -> tuple[np.ndarray, np.ndarray]:
    """Power of ``exp(2iθ)`` averaged over rings of wavenumber.

    Returns
    -------
    wavenumber : ndarray
        Ring centres (rad/µm), one per frequency step of the grid, DC excluded.
    power : ndarray
        Mean power in each ring.
    """
    z = np.exp(2j * theta)
    power = np.abs(np.fft.fft2(z - z.mean())) ** 2
    n_rows, n_cols = theta.shape
    step = 2 * np.pi / (max(n_rows, n_cols) * spacing_um)
    k = np.hypot(*np.meshgrid(2 * np.pi * np.fft.fftfreq(n_cols, spacing_um),
                              2 * np.pi * np.fft.fftfreq(n_rows, spacing_um)))
    ring = np.rint(k / step).astype(int).ravel()
    counts = np.bincount(ring)
    sums = np.bincount(ring, weights=power.ravel())
    filled = np.flatnonzero(counts)[1:]
    return filled * step, sums[filled] / counts[filled]


def column_spacing(theta: np.ndarray, spacing_um: float) -> float:
    """Column spacing Λ (µm): ``2π / k̄`` with ``k̄`` the power-weighted mean wavenumber of
    the rings up to twice the spectral peak (the mean is robust to the peak's discreteness on
    a finite grid; beyond twice the peak lies sampling noise, not the map)."""
    wavenumber, power = radial_spectrum(theta, spacing_um)
    peak = wavenumber[np.argmax(power)]
    near = wavenumber <= 2 * peak
    return float(2 * np.pi / np.average(wavenumber[near], weights=power[near]))


def ring_contrast(theta: np.ndarray, spacing_um: float) -> float:
    """Peak of the radial spectrum over its median: ≫ 1 for a columnar map, ≈ 1 without columns."""
    _, power = radial_spectrum(theta, spacing_um)
    return float(power.max() / np.median(power))


def pinwheel_density(theta: np.ndarray, spacing_um: float, column_spacing_um: float | None = None):
    """Pinwheels per Λ² of a sampled map; Λ is estimated from the map unless given.

    Returns
    -------
    density : float
        Pinwheels per Λ².
    n_pinwheels : int
    column_spacing_um : float
    """
    if column_spacing_um is None:
        column_spacing_um = column_spacing(theta, spacing_um)
    n = len(pinwheels(theta)[0])
    n_rows, n_cols = theta.shape
    area = (n_rows - 1) * (n_cols - 1) * spacing_um**2
    return n * column_spacing_um**2 / area, n, column_spacing_um


def map_correlation(theta_a, theta_b) -> float:
    """Correlation of two orientation maps: the real part of the normalised inner product of
    their mean-subtracted complex maps ``z = exp(2iθ)``.

    1 for identical maps, about 0 for unrelated ones, ``cos 2φ`` when one is the other
    turned by φ everywhere (the usual measure of map similarity, e.g. Kaschube et al. 2010).

    Examples
    --------
    >>> theta = np.random.default_rng(0).uniform(0, np.pi, 1000)
    >>> round(map_correlation(theta, theta), 6), round(map_correlation(theta, theta + 0.3), 6)
    (1.0, 0.825336)
    """
    z_a, z_b = np.exp(2j * np.asarray(theta_a)), np.exp(2j * np.asarray(theta_b))
    z_a, z_b = z_a - z_a.mean(), z_b - z_b.mean()
    return float((z_a * np.conj(z_b)).sum().real / np.sqrt((np.abs(z_a) ** 2).sum()
                                                           * (np.abs(z_b) ** 2).sum()))


def input_orientation_spread(pre, post, pre_theta, post_theta, n_post) -> tuple[np.ndarray, np.ndarray]:
    """How closely each cell's inputs share its preferred orientation.

    Parameters
    ----------
    pre, post : ndarray of int
        Synapses (presynaptic and postsynaptic cell of each).
    pre_theta, post_theta : ndarray
        Preferred orientations of the presynaptic and postsynaptic cells (rad, period π).
    n_post : int
        Number of postsynaptic cells.

    Returns
    -------
    resultant : ndarray, shape (n_post,)
        Length of the mean of ``exp(2i(θ_pre − θ_post))`` over each cell's inputs: 1 when all
        share its orientation, about ``1/√k`` for k inputs of random orientation (NaN
        without inputs).
    offset_deg : ndarray, shape (n_post,)
        Circular mean of ``θ_pre − θ_post`` for each cell (degrees, in (−90, 90]).

    Examples
    --------
    >>> r, offset = input_orientation_spread(np.array([0, 1]), np.array([0, 0]),
    ...                                      np.array([0.1, 0.1]), np.array([0.0]), 1)
    >>> round(float(r[0]), 6), round(float(offset[0]), 3)
    (1.0, 5.73)
    """
    phasor = np.exp(2j * (pre_theta[pre] - post_theta[post]))
    sums = np.bincount(post, weights=phasor.real, minlength=n_post) + 1j * np.bincount(
        post, weights=phasor.imag, minlength=n_post)
    counts = np.bincount(post, minlength=n_post)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    return np.abs(mean), np.degrees(np.angle(mean) / 2)
