"""Circuit parameters and the `CircuitSpec` that holds a wired circuit as arrays."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from neurodev.circuits.maps import COLUMN_SPACING_UM, MAP_KINDS, preference_map
from neurodev.circuits.params import ParameterError, check_choice, check_ranges, param
from neurodev.circuits.sheets import covering_grid, grid_positions, pairwise_distances, uniform_positions
from neurodev.circuits.wiring import (
    Projection,
    distance_dependent,
    feedforward_to_exc,
    feedforward_to_inh,
    scattered_over_sheet,
    shuffle_within_groups,
)

#: The input channels, in the order of the inputs: ON cells of every site, then OFF cells.
#: (Later: one pair per eye.) Plasticity rules keep per-channel totals by these names.
INPUT_CHANNELS = ("on", "off")
CHANNEL_POLARITY = {"on": 1.0, "off": -1.0}
#: The shuffled-prior control draws its permutation from ``default_rng([seed, SHUFFLE_STREAM])``,
#: a stream of its own, so that everything else it draws is the prior circuit's.
SHUFFLE_STREAM = 1
#: The nonlocal control draws its scattered sites from ``default_rng([seed, SCATTER_STREAM])``.
SCATTER_STREAM = 2


@dataclass(frozen=True)
class CircuitParams:
    """Sizes and anatomy of the input sheet, the L4 sheet and the L2/3 sheet above it.

    L2/3 inhibitory cells get the same E→I and I→E wiring as L4's (``ei_*``, ``ie_*``).

    Sources and reasons for each default are listed in README.md (Parameters).
    """

    retina_side: int = param(27, 4, 512)
    retina_spacing_um: float = param(50.0, 0, 1e4, open_low=True)
    exc_side: int = param(16, 2, 512)
    inh_count: int = param(64, 1, 100_000)
    retinotopic_scatter_um: float = param(20.0, 0, 1e4)
    ff_arbor_radius_um: float = param(250.0, 0, 1e4, open_low=True)
    ff_connection_probability: float = param(0.35, 0, 1, open_low=True)
    ff_weight_per_channel: float = param(2.5, 0, 100, open_low=True)
    inh_arbor_radius_um: float = param(250.0, 0, 1e4, open_low=True)
    inh_ff_connection_probability: float = param(0.5, 0, 1)
    inh_ff_weight: float = param(6.0, 0, 100)
    ee_peak_probability: float = param(0.24, 0, 1)
    ee_sigma_um: float = param(100.0, 0, 1e4, open_low=True)
    ee_weight: float = param(0.02, 0, 10)
    ei_peak_probability: float = param(0.4, 0, 1)
    ei_sigma_um: float = param(200.0, 0, 1e4, open_low=True)
    ei_weight: float = param(0.05, 0, 10)
    ie_peak_probability: float = param(0.41, 0, 1)
    ie_sigma_um: float = param(200.0, 0, 1e4, open_low=True)
    ie_weight: float = param(0.1, 0, 10)
    l23_exc_side: int = param(16, 2, 512)
    l23_inh_count: int = param(64, 1, 100_000)
    l4_l23_peak_probability: float = param(0.14, 0, 1)
    l4_l23_sigma_um: float = param(200.0, 0, 1e4, open_low=True)
    l4_l23_weight: float = param(0.6, 0, 10)
    l4_l23_inh_weight: float = param(0.1, 0, 10)
    l23_ee_peak_probability: float = param(0.16, 0, 1)
    l23_ee_weight: float = param(0.02, 0, 10)

    def __post_init__(self):
        check_ranges(self)
        if self.retina_extent_um <= 2 * self.ff_arbor_radius_um:
            raise ParameterError(
                "ff_arbor_radius_um", self.ff_arbor_radius_um,
                f"less than half the retina's extent ({self.retina_extent_um / 2:g} µm)")
        # The nearest retinal site can be half a grid diagonal away from a cell.
        nearest_site_um = self.retina_spacing_um / np.sqrt(2)
        for key in ("ff_arbor_radius_um", "inh_arbor_radius_um"):
            if getattr(self, key) < nearest_site_um:
                raise ParameterError(
                    key, getattr(self, key),
                    f"at least {nearest_site_um:.4g} µm, half the diagonal of the retinal grid "
                    f"(retina_spacing_um = {self.retina_spacing_um:g}), so that every arbor "
                    "holds a retinal site")

    @property
    def retina_extent_um(self) -> float:
        return (self.retina_side - 1) * self.retina_spacing_um

    @property
    def cortex_extent_um(self) -> tuple[float, float]:
        """L4 covers the retina minus one arbor radius at each edge, so no arbor is cut off."""
        return (self.ff_arbor_radius_um, self.retina_extent_um - self.ff_arbor_radius_um)


@dataclass(frozen=True)
class WiringParams:
    """The innate prior: an orientation map and Gabor-shaped ON/OFF subregions.

    ``prior_strength`` s blends prior (s = 1) and random (s = 0) feed-forward weights at
    equal total weight. ``map``: ``columnar`` (ring-spectrum map with column spacing
    ``map_period_um``), ``cat``, ``ferret`` or ``tree_shrew`` (the same at that species'
    column spacing, `circuits.maps.COLUMN_SPACING_UM`; ``map_period_um`` is then unused) or
    ``salt_and_pepper`` (rodent: independent preferences, no map). The prior's L4→L2/3
    excitation is like-to-like with specificity ``l23_prior_strength``, set apart from the L4
    prior (see `circuits.wiring.distance_dependent`).

    Radial clones: a fraction ``clone_fraction`` of L2/3 excitatory cells are sisters of the
    L4 cell below them and share its preferred orientation, jittered by a normal
    ``clone_jitter_deg`` (Li et al. 2012 Nature 486:118; Ohtsuki et al. 2012 Neuron 75:65); the
    others take the map's preference at their position.
    """

    prior_strength: float = param(1.0, 0, 1)
    l23_prior_strength: float = param(1.0, 0, 1)
    map: str = "columnar"
    map_period_um: float = param(400.0, 0, 1e5, open_low=True)
    gabor_wavelength_um: float = param(300.0, 0, 1e4, open_low=True)
    gabor_sigma_um: float = param(100.0, 0, 1e4, open_low=True)
    clone_fraction: float = param(0.0, 0, 1)
    clone_jitter_deg: float = param(10.0, 0, 90)

    def __post_init__(self):
        check_choice("map", self.map, MAP_KINDS)
        check_ranges(self)

    @property
    def column_spacing_um(self) -> float | None:
        """The map's column spacing Λ (µm); None without columns."""
        if self.map == "salt_and_pepper":
            return None
        return COLUMN_SPACING_UM.get(self.map, self.map_period_um)


@dataclass(frozen=True)
class CircuitSpec:
    """A wired circuit: positions, innate preferences and projections, all NumPy arrays.

    Attributes
    ----------
    label : str
        Name of the wiring hypothesis (a valid identifier, e.g. ``"random"``, ``"prior"``).
    prior_strength : float
        Blend between random (0) and prior (1) feed-forward weights.
    input_positions_um : ndarray, shape (n_sites, 2)
        Retinal sites; inputs ``0..n_sites-1`` are ON cells, ``n_sites..2n_sites-1`` OFF cells.
    exc_positions_um, inh_positions_um : ndarray, shape (n, 2)
        Positions of L4 excitatory and inhibitory cells.
    rf_centres_um : ndarray, shape (n_exc, 2)
        Retinotopic receptive-field centre of every excitatory cell (position plus scatter).
    map_theta : ndarray, shape (n_exc,)
        Orientation-map preference (rad, in [0, π)) at each excitatory cell.
    rf_phase : ndarray, shape (n_exc,)
        Phase of each excitatory cell's Gabor template (rad).
    l23_exc_positions_um, l23_inh_positions_um : ndarray, shape (n, 2)
        Positions of L2/3 excitatory and inhibitory cells.
    l23_theta : ndarray, shape (n_exc23,)
        Innate preference of each L2/3 excitatory cell (rad): the map's, or its clone's.
    clone_mother : ndarray of int, shape (n_exc23,)
        L4 excitatory cell whose clone each L2/3 excitatory cell belongs to, −1 if none.
    projections : dict of str to Projection
        ``"input_exc"`` (plastic), ``"input_inh"``, ``"exc_exc"``, ``"exc_inh"``, ``"inh_exc"``
        (L4), ``"exc_exc23"`` (like-to-like), ``"exc_inh23"`` (L4 → L2/3) and
        ``"exc23_exc23"``, ``"exc23_inh23"``, ``"inh23_exc23"`` (L2/3).
    """

    label: str
    prior_strength: float
    input_positions_um: np.ndarray
    exc_positions_um: np.ndarray
    inh_positions_um: np.ndarray
    rf_centres_um: np.ndarray
    map_theta: np.ndarray
    rf_phase: np.ndarray
    l23_exc_positions_um: np.ndarray
    l23_inh_positions_um: np.ndarray
    l23_theta: np.ndarray
    clone_mother: np.ndarray
    projections: dict[str, Projection]

    @property
    def n_inputs(self) -> int:
        return len(INPUT_CHANNELS) * len(self.input_positions_um)

    @property
    def input_channel(self) -> np.ndarray:
        """The input channel of every input (an index into `INPUT_CHANNELS`): one cell of each
        channel per retinal site, channel by channel."""
        return np.repeat(np.arange(len(INPUT_CHANNELS)), len(self.input_positions_um))

    @property
    def input_polarity(self) -> np.ndarray:
        """+1 for ON inputs, −1 for OFF inputs."""
        return np.array([CHANNEL_POLARITY[name] for name in INPUT_CHANNELS])[self.input_channel]

    def replicated(self, copies: int) -> CircuitSpec:
        """The same circuit with every synapse replicated (see `Projection.replicated`)."""
        return replace(self, projections={name: p.replicated(copies)
                                          for name, p in self.projections.items()})

    @property
    def n_exc(self) -> int:
        return len(self.exc_positions_um)

    @property
    def n_inh(self) -> int:
        return len(self.inh_positions_um)

    @property
    def n_exc23(self) -> int:
        return len(self.l23_exc_positions_um)

    @property
    def n_inh23(self) -> int:
        return len(self.l23_inh_positions_um)

    @property
    def population_sizes(self) -> dict[str, int]:
        """Cortical populations in the order the engine lays them out."""
        return {"exc": self.n_exc, "inh": self.n_inh, "exc23": self.n_exc23, "inh23": self.n_inh23}

    @property
    def n_synapses(self) -> int:
        """Live synapses."""
        return sum(p.n_live for p in self.projections.values())


#: Population pairs whose wiring compares every pre with every post cell.
_DENSE_PAIRS = (("input", "exc"), ("input", "inh"), ("exc", "exc"), ("exc", "inh"), ("inh", "exc"),
                ("exc", "exc23"), ("exc", "inh23"), ("exc23", "exc23"), ("exc23", "inh23"),
                ("inh23", "exc23"))


def wiring_memory_bytes(params: CircuitParams) -> int:
    """Peak memory that wiring a circuit of `params` needs (bytes): the wiring rules hold a
    distance, a probability and a uniform draw (float64) for every pair of the largest dense
    pair of populations.

    Examples
    --------
    >>> params = CircuitParams(retina_side=24, exc_side=16, l23_exc_side=16)
    >>> wiring_memory_bytes(params) == 24 * 256 * 576
    True
    """
    p = params
    sizes = {"input": p.retina_side**2, "exc": p.exc_side**2, "inh": p.inh_count,
             "exc23": p.l23_exc_side**2, "inh23": p.l23_inh_count}
    return 3 * 8 * max(sizes[pre] * sizes[post] for pre, post in _DENSE_PAIRS)


def build_circuit(label: str, params: CircuitParams, wiring: WiringParams, prior_strength: float,
                  seed: int, l23_prior_strength: float | None = None,
                  shuffled: bool = False, nonlocal_arbor: bool = False) -> CircuitSpec:
    """Wire one circuit (L4 over the retina, L2/3 above L4).

    Circuits built with the same `params`, `wiring` and `seed` share positions, the orientation
    map, Gabor phases, clones and the feed-forward synapses; `prior_strength` sets their L4
    feed-forward weights, and `l23_prior_strength` (default: `prior_strength`) the
    like-to-like specificity of L4 → L2/3 excitation. That makes hypotheses directly
    comparable cell by cell. `shuffled` permutes each L4 cell's feed-forward weights among
    its own live synapses of each channel (`SHUFFLE_STREAM`; the shuffled-prior control:
    the prior's weights, without their arrangement). `nonlocal_arbor` moves each cell's
    feed-forward synapses to sites drawn uniformly over the whole retina (`SCATTER_STREAM`,
    `scattered_over_sheet`; the nonlocal control: the same number of synapses and weights,
    no retinotopic locality).
    """
    rng = np.random.default_rng(seed)
    extent = params.cortex_extent_um
    inputs = grid_positions(params.retina_side, params.retina_spacing_um)
    exc = covering_grid(params.exc_side, extent)
    inh = uniform_positions(params.inh_count, extent, rng)
    centres = np.clip(exc + rng.normal(0, params.retinotopic_scatter_um, exc.shape), *extent)
    exc23 = covering_grid(params.l23_exc_side, extent)
    preferences = preference_map(wiring.map, np.vstack([exc, exc23]), wiring.map_period_um, rng)
    theta = preferences[:len(exc)]
    phase = rng.uniform(0, 2 * np.pi, len(exc))
    p = params
    projections = {
        "input_exc": feedforward_to_exc(
            inputs, centres, theta, phase, arbor_radius_um=p.ff_arbor_radius_um,
            connection_probability=p.ff_connection_probability,
            total_weight_per_channel=p.ff_weight_per_channel, prior_strength=prior_strength,
            gabor_wavelength_um=wiring.gabor_wavelength_um, gabor_sigma_um=wiring.gabor_sigma_um,
            rng=rng),
        "input_inh": feedforward_to_inh(
            inputs, inh, arbor_radius_um=p.inh_arbor_radius_um,
            connection_probability=p.inh_ff_connection_probability,
            total_weight=p.inh_ff_weight, rng=rng),
    }
    positions = {"exc": exc, "inh": inh, "exc23": exc23}
    recurrent = [  # (source, target, peak probability, σ, weight)
        ("exc", "exc", p.ee_peak_probability, p.ee_sigma_um, p.ee_weight),
        ("exc", "inh", p.ei_peak_probability, p.ei_sigma_um, p.ei_weight),
        ("inh", "exc", p.ie_peak_probability, p.ie_sigma_um, p.ie_weight),
        ("exc", "exc23", p.l4_l23_peak_probability, p.l4_l23_sigma_um, p.l4_l23_weight),
        ("exc", "inh23", p.ei_peak_probability, p.ei_sigma_um, p.l4_l23_inh_weight),
        ("exc23", "exc23", p.l23_ee_peak_probability, p.ee_sigma_um, p.l23_ee_weight),
        ("exc23", "inh23", p.ei_peak_probability, p.ei_sigma_um, p.ei_weight),
        ("inh23", "exc23", p.ie_peak_probability, p.ie_sigma_um, p.ie_weight),
    ]

    def wire(connections, l23_theta=None, specificity=0.0):
        for source, target, peak, sigma, weight in connections:
            like_to_like = (source, target) == ("exc", "exc23")
            projections[f"{source}_{target}"] = distance_dependent(
                source, target, positions[source], positions[target], peak_probability=peak,
                sigma_um=sigma, weight=weight, rng=rng, pre_theta=theta, post_theta=l23_theta,
                specificity=specificity if like_to_like else 0.0)

    # L4 is wired before anything of L2/3 is drawn, so adding L2/3 left L4 unchanged.
    wire(recurrent[:3])
    l23_theta, mother = _clones(exc, exc23, theta, preferences[len(exc):], wiring, rng)
    positions["inh23"] = uniform_positions(params.l23_inh_count, extent, rng)
    wire(recurrent[3:], l23_theta,
         prior_strength if l23_prior_strength is None else l23_prior_strength)
    if shuffled:
        ff = projections["input_exc"]
        channel = (ff.pre >= len(inputs)).astype(np.int64)
        projections["input_exc"] = shuffle_within_groups(
            ff, 2 * ff.post.astype(np.int64) + channel, np.random.default_rng([seed, SHUFFLE_STREAM]))
    if nonlocal_arbor:
        projections["input_exc"] = scattered_over_sheet(
            projections["input_exc"], len(inputs), np.random.default_rng([seed, SCATTER_STREAM]))
    return CircuitSpec(label, prior_strength, inputs, exc, inh, centres, theta, phase, exc23,
                       positions["inh23"], l23_theta, mother, projections)


def _clones(exc, exc23, theta, map_theta23, wiring: WiringParams, rng):
    """Innate L2/3 preferences: the map's, except for clone members, which take their L4
    mother's (the nearest L4 cell) plus a normal jitter. Returns (theta23, mother)."""
    member = rng.random(len(exc23)) < wiring.clone_fraction
    jitter = rng.normal(0, np.radians(wiring.clone_jitter_deg), len(exc23))
    nearest = np.argmin(pairwise_distances(exc23, exc), axis=1)
    theta23 = np.where(member, (theta[nearest] + jitter) % np.pi, map_theta23)
    return theta23, np.where(member, nearest, -1)
