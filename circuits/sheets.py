"""Sheets of cells and their positions in µm (visual-field coordinates mapped onto the retina)."""

from __future__ import annotations

import numpy as np


def grid_positions(side: int, spacing_um: float, origin_um: float = 0.0) -> np.ndarray:
    """Positions of a ``side × side`` square grid, row-major.

    Parameters
    ----------
    side : int
        Number of points along each edge.
    spacing_um : float
        Distance between neighbouring points (µm).
    origin_um : float
        Coordinate of the first point along both axes (µm).

    Returns
    -------
    ndarray, shape (side * side, 2)
        ``(x, y)`` in µm; point ``k`` sits at column ``k % side``, row ``k // side``.

    Examples
    --------
    >>> grid_positions(2, 10.0)
    array([[ 0.,  0.],
           [10.,  0.],
           [ 0., 10.],
           [10., 10.]])
    """
    coords = origin_um + spacing_um * np.arange(side, dtype=float)
    x, y = np.meshgrid(coords, coords)
    return np.column_stack([x.ravel(), y.ravel()])


def covering_grid(side: int, extent_um: tuple[float, float]) -> np.ndarray:
    """A ``side × side`` grid spread evenly over ``[low, high]`` in both axes (µm)."""
    low, high = extent_um
    spacing = (high - low) / max(side - 1, 1)
    return grid_positions(side, spacing, origin_um=low)


def uniform_positions(n: int, extent_um: tuple[float, float], rng) -> np.ndarray:
    """``n`` positions drawn uniformly over the square ``[low, high]²`` (µm)."""
    low, high = extent_um
    return rng.uniform(low, high, size=(n, 2))


def pairwise_distances(a_um: np.ndarray, b_um: np.ndarray) -> np.ndarray:
    """Euclidean distances between every row of `a_um` and every row of `b_um` (µm)."""
    return np.hypot(a_um[:, None, 0] - b_um[None, :, 0], a_um[:, None, 1] - b_um[None, :, 1])
