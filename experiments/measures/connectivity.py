"""Connection specificity: how connection probability and weight depend on the difference of
two cells' measured preferred orientations, as Ko et al. measured it among mouse L2/3
pyramidal pairs (2011, Nature 473:87, recalled; over development: 2013, Nature 496:96,
verified from its abstract — similar cells become preferentially connected after eye
opening while the overall connection rate does not change). Pure NumPy.
"""

from __future__ import annotations

import numpy as np

from neurodev.experiments.measures.tuning import circular_difference

#: Δθ bins (degrees): 0–22.5, 22.5–45, 45–67.5, 67.5–90.
DTHETA_EDGES_DEG = np.array([0.0, 22.5, 45.0, 67.5, 90.0])


def connection_specificity(pre, post, weight, preferred_rad, measured, rng, n_boot=1000,
                           edges_deg=DTHETA_EDGES_DEG) -> dict:
    """Connection probability and mean weight against Δθ for ordered pairs of `measured`
    cells (i ≠ j; a pair is connected if a synapse runs i → j).

    Parameters
    ----------
    pre, post : ndarray of int
        The synapses among the population (indices into its cells; several synapses of one
        pair count as one connection, their weights summed).
    weight : ndarray of float
    preferred_rad : ndarray, shape (n_cells,)
        Measured preferred orientation of every cell (rad).
    measured : ndarray of bool, shape (n_cells,)
        The cells with a measured preference (e.g. responsive); pairs of others are left out.
    rng : numpy.random.Generator
        For the bootstrap over pairs (95 % percentile intervals of each bin's probability).

    Returns
    -------
    dict
        ``n_pairs``, ``probability``, ``probability_low``, ``probability_high``,
        ``mean_weight`` (of connected pairs; NaN where none), one value per bin, and
        ``overall_probability`` over all measured pairs.
    """
    cells = np.flatnonzero(measured)
    n_bins = len(edges_deg) - 1
    index = np.full(len(measured), -1)
    index[cells] = np.arange(len(cells))
    keep = (index[pre] >= 0) & (index[post] >= 0) & (pre != post)
    source, target = index[pre[keep]], index[post[keep]]
    connection = np.zeros((len(cells), len(cells)))
    np.add.at(connection, (source, target), weight[keep])
    connected = np.zeros_like(connection, dtype=bool)
    connected[source, target] = True
    dtheta = np.degrees(circular_difference(preferred_rad[cells][:, None],
                                            preferred_rad[cells][None, :]))
    off_diagonal = ~np.eye(len(cells), dtype=bool)
    bins = np.clip(np.digitize(dtheta, edges_deg[1:-1]), 0, n_bins - 1)
    out = {name: np.full(n_bins, np.nan) for name in
           ("probability", "probability_low", "probability_high", "mean_weight")}
    out["n_pairs"] = np.zeros(n_bins, dtype=int)
    for k in range(n_bins):
        pairs = off_diagonal & (bins == k)
        n = int(pairs.sum())
        out["n_pairs"][k] = n
        if n == 0:
            continue
        hits = connected[pairs]
        out["probability"][k] = hits.mean()
        # Resampling n pairs with replacement: the number connected is binomial(n, p̂).
        boot = rng.binomial(n, hits.mean(), size=n_boot) / n
        out["probability_low"][k], out["probability_high"][k] = np.percentile(boot, [2.5, 97.5])
        if hits.any():
            out["mean_weight"][k] = connection[pairs][hits].mean()
    n_pairs = int(off_diagonal.sum())
    out["overall_probability"] = float(connected[off_diagonal].mean()) if n_pairs else np.nan
    return out
