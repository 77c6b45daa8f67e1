"""Synapse turnover between checkpoints, as chronic imaging reports it (pure NumPy)."""

from __future__ import annotations

import numpy as np


def turnover(alive, formed, eliminated) -> dict:
    """Live synapses at each checkpoint and their turnover between consecutive ones.

    Parameters
    ----------
    alive : ndarray of bool, shape (n_checkpoints, n_synapses)
        Which synapses of a pool exist at each checkpoint.
    formed, eliminated : ndarray of int, shape (n_checkpoints,)
        Formation and elimination events counted from the start of the run to each checkpoint
        (a synapse formed and eliminated between two checkpoints counts in both).

    Returns
    -------
    dict of lists (JSON-ready)
        ``live`` (per checkpoint); per interval k → k+1: ``formed`` and ``eliminated`` (events),
        ``formed_fraction`` and ``eliminated_fraction`` (events per synapse alive at k),
        ``persistent_fraction`` (synapses alive at k that are alive at k+1); and over the whole
        run, ``formed_total_fraction`` and ``eliminated_total_fraction`` (events per synapse
        alive at the first checkpoint).

    Examples
    --------
    >>> alive = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 0, 1]], dtype=bool)
    >>> t = turnover(alive, np.array([0, 0, 1]), np.array([0, 2, 2]))
    >>> t["live"], t["persistent_fraction"], t["eliminated_fraction"]
    ([4, 2, 3], [0.5, 1.0], [0.5, 0.0])
    """
    alive = np.asarray(alive, dtype=bool)
    live = alive.sum(axis=1)
    per_synapse = np.maximum(live[:-1], 1)
    formed_between, eliminated_between = np.diff(formed), np.diff(eliminated)
    persistent = (alive[:-1] & alive[1:]).sum(axis=1)
    first = max(int(live[0]), 1)
    return {
        "live": live.tolist(),
        "formed": formed_between.tolist(),
        "eliminated": eliminated_between.tolist(),
        "formed_fraction": (formed_between / per_synapse).tolist(),
        "eliminated_fraction": (eliminated_between / per_synapse).tolist(),
        "persistent_fraction": (persistent / per_synapse).tolist(),
        "formed_total_fraction": float((formed[-1] - formed[0]) / first),
        "eliminated_total_fraction": float((eliminated[-1] - eliminated[0]) / first),
    }
