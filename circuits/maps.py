"""Orientation preference maps.

Columnar maps are Gaussian random fields with a ring spectrum: a superposition of plane waves
of one wavelength Λ with random directions and phases, ``z(x) = Σ_j exp(i(k_j·x + φ_j))`` with
``|k_j| = 2π/Λ``, and ``θ(x) = arg(z)/2``. Such fields have a pinwheel density of π per Λ²
(Wolf & Geisel 1998; Kaschube et al. 2010, Science 330:1113). Rodents have no columns:
their preferences are "salt and pepper", independent from cell to cell (Van Hooser et al. 2005).
"""

from __future__ import annotations

import numpy as np

#: Column spacing Λ of species with orientation columns (µm), from ../shared/reference/targets.toml
#: (derived from pinwheel-spacing tables; approximate).
COLUMN_SPACING_UM = {"cat": 1100.0, "ferret": 760.0, "tree_shrew": 650.0}
#: Map kinds: a ring-spectrum map at ``map_period_um``, one at a species' column spacing, or none.
MAP_KINDS = ("columnar", *COLUMN_SPACING_UM, "salt_and_pepper")


def preference_map(kind: str, positions_um: np.ndarray, period_um: float, rng) -> np.ndarray:
    """Preferred orientation (rad, in ``[0, π)``) of cells at `positions_um` for a map `kind`.

    ``columnar`` uses `period_um` as Λ; a species name uses that species' column spacing;
    ``salt_and_pepper`` draws every cell's preference independently and uniformly.
    """
    if kind == "salt_and_pepper":
        return rng.uniform(0, np.pi, len(positions_um))
    return orientation_map(positions_um, COLUMN_SPACING_UM.get(kind, period_um), rng)


def orientation_map(positions_um: np.ndarray, period_um: float, rng, n_plane_waves: int = 32):
    """Preferred orientation at each position of a ring-spectrum random field.

    Parameters
    ----------
    positions_um : ndarray, shape (n, 2)
        Cell positions (µm).
    period_um : float
        Column spacing Λ (µm), the wavelength of every plane wave.
    rng : numpy.random.Generator
        Source of directions and phases.
    n_plane_waves : int
        Number of superposed plane waves; 30 or more gives a close approximation of a
        Gaussian field.

    Returns
    -------
    theta : ndarray, shape (n,)
        Preferred orientation in radians, in ``[0, π)``.
    """
    return np.angle(complex_map(positions_um, period_um, rng, n_plane_waves)) % (2 * np.pi) / 2


def complex_map(positions_um, period_um, rng, n_plane_waves=32):
    """The complex field ``z(x)`` whose half-argument is the orientation map."""
    directions = rng.uniform(0, 2 * np.pi, n_plane_waves)
    phases = rng.uniform(0, 2 * np.pi, n_plane_waves)
    k = 2 * np.pi / period_um * np.column_stack([np.cos(directions), np.sin(directions)])
    return np.exp(1j * (positions_um @ k.T + phases)).sum(axis=1) / np.sqrt(n_plane_waves)
