"""Wiring rules. Each returns a `Projection`: presynaptic and postsynaptic index arrays and
initial weights.

Weights are dimensionless conductance increments in units of the postsynaptic leak
conductance: a spike through a synapse of weight ``w`` raises the target's conductance by
``w · g_leak``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from neurodev.circuits.sheets import pairwise_distances

#: A potential-synapse pool holds at most this many candidates per live synapse: dead
#: candidates still cost an event per presynaptic spike in the simulation.
MAX_POOL_RATIO = 2.0


@dataclass(frozen=True)
class Projection:
    """Synapses from one population onto another, or a pool of potential synapses.

    A pool holds every candidate pair (up to `MAX_POOL_RATIO` per live synapse); ``alive``
    marks the synapses that exist. Dead candidates have weight 0.

    Attributes
    ----------
    source, target : str
        Population names: ``"input"``, ``"exc"`` and ``"inh"`` (L4), ``"exc23"`` and
        ``"inh23"`` (L2/3).
    pre, post : ndarray of int32
        Presynaptic and postsynaptic cell index of every synapse.
    weight : ndarray of float64
        Initial weight of every synapse (units of the target's leak conductance).
    plastic : bool
        Whether plasticity rules act on this projection.
    alive : ndarray of bool
        Whether each synapse exists initially (default: all).
    weight_bound : float
        The largest weight plasticity may give a synapse (default: none). The wiring sets
        it, so that it holds every initial weight whatever the seed: a plastic feed-forward
        synapse's is its channel's total, which normalisation keeps each cell's weights of
        the channel summing to; a cortical projection's (`distance_dependent`), which rules
        may make plastic, is the largest total weight of one of its cells.
    """

    source: str
    target: str
    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    plastic: bool = False
    alive: np.ndarray = field(default=None)
    weight_bound: float = np.inf

    def __post_init__(self):
        if self.alive is None:
            object.__setattr__(self, "alive", np.ones(len(self.pre), dtype=bool))
        if np.any(self.weight[~self.alive] != 0):
            raise ValueError("dead candidate synapses must have weight 0")
        if np.any(self.weight > self.weight_bound):
            raise ValueError(f"an initial weight exceeds the weight bound {self.weight_bound:g}")

    @property
    def n_synapses(self) -> int:
        """Synapses and dead candidates."""
        return len(self.pre)

    @property
    def n_live(self) -> int:
        return int(self.alive.sum())

    def live(self) -> Projection:
        """The live synapses only."""
        keep = self.alive
        return Projection(self.source, self.target, self.pre[keep], self.post[keep],
                          self.weight[keep], self.plastic, weight_bound=self.weight_bound)

    def replicated(self, copies: int) -> Projection:
        """Every synapse as `copies` adjacent synapses of ``1 / copies`` its weight.

        The same total drive with `copies` times the synapses and synaptic events: the
        benchmark's synapse-count series (the weight bound is divided by `copies`; plasticity
        stays equivalent when its other weights, e.g. structural thresholds, are too).
        """
        return Projection(self.source, self.target, np.repeat(self.pre, copies),
                          np.repeat(self.post, copies), np.repeat(self.weight / copies, copies),
                          self.plastic, np.repeat(self.alive, copies), self.weight_bound / copies)


def gabor(offsets_um, theta, phase, wavelength_um, sigma_um):
    """Gabor template evaluated at offsets from each cell's receptive-field centre.

    The carrier's wave vector points along ``theta``, so the template's stripes are
    perpendicular to ``theta`` and it responds best to a grating drifting along ``theta``
    (neurodev measures every orientation as the grating's wave-vector angle modulo π).

    Parameters
    ----------
    offsets_um : ndarray, shape (n, 2)
        Input position minus receptive-field centre (µm).
    theta, phase : ndarray, shape (n,)
        Carrier direction and phase (rad) for each offset's cell.
    wavelength_um, sigma_um : float
        Carrier wavelength and Gaussian envelope width (µm).

    Examples
    --------
    >>> float(gabor(np.array([[0.0, 0.0]]), np.array([0.0]), np.array([0.0]), 100.0, 50.0)[0])
    1.0
    """
    along = offsets_um[:, 0] * np.cos(theta) + offsets_um[:, 1] * np.sin(theta)
    envelope = np.exp(-(offsets_um**2).sum(axis=1) / (2 * sigma_um**2))
    return envelope * np.cos(2 * np.pi * along / wavelength_um + phase)


def normalise_groups(weight, groups, total):
    """Scale weights so that each group's weights sum to `total`.

    Groups whose weights sum to zero are set uniform, so every group carries `total`.
    """
    if not len(groups):  # a projection without synapses
        return np.zeros(0)
    n_groups = groups.max() + 1
    sums = np.bincount(groups, weights=weight, minlength=n_groups)
    counts = np.bincount(groups, minlength=n_groups)
    empty = sums[groups] <= 0
    scaled = np.where(empty, 1.0 / np.maximum(counts[groups], 1), weight / np.where(empty, 1, sums[groups]))
    return total * scaled


def feedforward_to_exc(input_positions_um, centres_um, theta, phase, *, arbor_radius_um,
                       connection_probability, total_weight_per_channel, prior_strength,
                       gabor_wavelength_um, gabor_sigma_um, rng) -> Projection:
    """Plastic ON/OFF input onto excitatory cells: random wiring blended with a Gabor prior.

    Every ON and every OFF input within `arbor_radius_um` of a cell's receptive-field centre
    is connected with `connection_probability`; the same synapses serve both wirings. The
    projection is the pool of potential synapses: the live ones plus dead candidates in the
    arbor, at most `MAX_POOL_RATIO` times as many as live ones (a candidate joins the pool
    with probability ``min(1, MAX_POOL_RATIO · p)``, drawn with the same number as its
    connection, so the live wiring does not depend on the pool). Random
    weights are uniform; prior weights follow the positive (ON) and negative (OFF) lobes of a
    Gabor at the cell's `theta` and `phase`. Both are scaled so that each cell's ON and OFF
    weights each sum to `total_weight_per_channel`, then blended as
    ``s · prior + (1 − s) · random`` with ``s = prior_strength``, so the total is unchanged.
    The weight bound is `total_weight_per_channel`: no synapse can hold more than its
    channel's total, so every seed's initial weights lie within it.

    Input index ``k`` is the ON cell at site ``k`` for ``k < n_sites`` and the OFF cell at site
    ``k − n_sites`` otherwise.
    """
    n_sites = len(input_positions_um)
    within = pairwise_distances(centres_um, input_positions_um) <= arbor_radius_um
    cell, site = np.nonzero(within)
    channel = np.repeat([0, 1], len(cell))  # 0 = ON, 1 = OFF
    cell, site = np.tile(cell, 2), np.tile(site, 2)
    draw = rng.random(len(cell))
    pool = draw < min(1.0, MAX_POOL_RATIO * connection_probability)
    cell, site, channel, alive = cell[pool], site[pool], channel[pool], draw[pool] < connection_probability

    live = alive.nonzero()[0]
    template = gabor(input_positions_um[site[live]] - centres_um[cell[live]], theta[cell[live]],
                     phase[cell[live]], gabor_wavelength_um, gabor_sigma_um)
    prior = np.maximum(np.where(channel[live] == 0, template, -template), 0.0)
    random = rng.uniform(0.0, 1.0, len(live))
    groups = 2 * cell[live] + channel[live]
    weight = np.zeros(len(cell))
    blend = (prior_strength * normalise_groups(prior, groups, total_weight_per_channel)
             + (1 - prior_strength) * normalise_groups(random, groups, total_weight_per_channel))
    # A channel's only synapse holds its whole total; rounding must not lift it above.
    weight[live] = np.minimum(blend, total_weight_per_channel)
    order = np.lexsort((site + n_sites * channel, cell))
    return Projection("input", "exc", (site + n_sites * channel)[order].astype(np.int32),
                      cell[order].astype(np.int32), weight[order], plastic=True, alive=alive[order],
                      weight_bound=total_weight_per_channel)


def shuffle_within_groups(projection: Projection, groups: np.ndarray, rng) -> Projection:
    """The same synapses with each group's live weights permuted among its live synapses:
    every group keeps exactly its multiset of weights, and loses any order of them over its
    synapses (the shuffled-prior control, with groups a cell and input channel each)."""
    live = projection.alive.nonzero()[0]
    # Live synapses sorted by group, randomly within each: one permutation per group.
    order = live[np.lexsort((rng.random(len(live)), groups[live]))]
    by_group = live[np.argsort(groups[live], kind="stable")]
    weight = projection.weight.copy()
    weight[by_group] = projection.weight[order]
    return dataclasses.replace(projection, weight=weight)


def scattered_over_sheet(projection: Projection, n_sites: int, rng) -> Projection:
    """The same synapses (weights, liveness, channels), each cell's synapses of a channel
    moved to as many distinct sites drawn uniformly from the whole input sheet: random wiring
    without retinotopic locality (the nonlocal control), its arbor spanning the retina.
    Presynaptic index ``k`` is site ``k % n_sites`` of channel ``k // n_sites``."""
    channel = projection.pre // n_sites
    groups = 2 * projection.post.astype(np.int64) + channel
    by_group = np.argsort(groups, kind="stable")
    starts = np.flatnonzero(np.diff(groups[by_group], prepend=-1))
    site = np.empty(projection.n_synapses, dtype=np.int64)
    for members in np.split(by_group, starts[1:]):
        site[members] = rng.choice(n_sites, len(members), replace=False)
    pre = site + n_sites * channel
    order = np.lexsort((pre, projection.post))
    return dataclasses.replace(projection, pre=pre[order].astype(np.int32),
                               post=projection.post[order], weight=projection.weight[order],
                               alive=projection.alive[order])


def feedforward_to_inh(input_positions_um, centres_um, *, arbor_radius_um,
                       connection_probability, total_weight, rng) -> Projection:
    """Fixed, untuned ON and OFF input onto inhibitory cells (feed-forward inhibition)."""
    within = pairwise_distances(centres_um, input_positions_um) <= arbor_radius_um
    within = np.concatenate([within, within], axis=1)  # ON inputs, then OFF inputs
    within &= rng.random(within.shape) < connection_probability
    cell, pre = np.nonzero(within)
    weight = normalise_groups(rng.uniform(0.5, 1.5, len(cell)), cell, total_weight)
    return Projection("input", "inh", pre.astype(np.int32), cell.astype(np.int32), weight)


def distance_dependent(source, target, pre_positions_um, post_positions_um, *, peak_probability,
                       sigma_um, weight, rng, pre_theta=None, post_theta=None,
                       specificity=0.0) -> Projection:
    """Gaussian distance-dependent connectivity with fixed weights (no self-connections),
    optionally like-to-like.

    ``p = peak_probability · exp(−d² / 2σ²) · (1 + s · cos 2Δθ)`` (clipped to [0, 1]), where
    ``Δθ`` is the difference of the cells' preferred orientations and ``s = specificity``
    (0: distance only). The comparison draws do not depend on `specificity`, so circuits wired
    with different specificities from the same seed differ only where their probabilities do.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> positions = np.zeros((200, 2))
    >>> theta = np.repeat([0.0, np.pi / 2], 100)
    >>> p = distance_dependent("exc", "exc", positions, positions, peak_probability=0.5,
    ...                        sigma_um=1.0, weight=1.0, rng=rng, pre_theta=theta,
    ...                        post_theta=theta, specificity=1.0)
    >>> bool(np.all(theta[p.pre] == theta[p.post]))  # orthogonal pairs have p = 0
    True
    """
    distance = pairwise_distances(pre_positions_um, post_positions_um)
    probability = peak_probability * np.exp(-(distance**2) / (2 * sigma_um**2))
    if specificity:
        probability *= 1 + specificity * np.cos(2 * (pre_theta[:, None] - post_theta[None, :]))
    if source == target:
        np.fill_diagonal(probability, 0.0)
    pre, post = np.nonzero(rng.random(probability.shape) < np.clip(probability, 0, 1))
    weights = np.full(len(pre), float(weight))
    # Should rules make it plastic, normalisation holds each cell's total: no synapse needs
    # more than the largest one.
    bound = np.bincount(post, weights=weights).max(initial=float(weight))
    return Projection(source, target, pre.astype(np.int32), post.astype(np.int32), weights,
                      weight_bound=float(bound))
