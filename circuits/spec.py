"""Circuit parameters and the `CircuitSpec` that holds a wired circuit as arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from circuits.maps import COLUMN_SPACING_UM, MAP_KINDS, preference_map
from circuits.params import ParameterError, check_choice, check_fields
from circuits.sheets import covering_grid, grid_positions, uniform_positions
from circuits.wiring import Projection, distance_dependent, feedforward_to_exc, feedforward_to_inh


@dataclass(frozen=True)
class CircuitParams:
    """Sizes and anatomy of the input sheet and the L4 sheet.

    Sources and reasons for each default are listed in README.md (Parameters).
    """

    retina_side: int = 24
    retina_spacing_um: float = 50.0
    exc_side: int = 16
    inh_count: int = 64
    retinotopic_scatter_um: float = 20.0
    ff_arbor_radius_um: float = 175.0
    ff_connection_probability: float = 0.7
    ff_weight_per_channel: float = 2.5
    inh_arbor_radius_um: float = 250.0
    inh_ff_connection_probability: float = 0.5
    inh_ff_weight: float = 6.0
    ee_peak_probability: float = 0.24
    ee_sigma_um: float = 100.0
    ee_weight: float = 0.02
    ei_peak_probability: float = 0.4
    ei_sigma_um: float = 200.0
    ei_weight: float = 0.05
    ie_peak_probability: float = 0.41
    ie_sigma_um: float = 200.0
    ie_weight: float = 0.1

    def __post_init__(self):
        check_fields(
            self,
            retina_side=(4, 512), retina_spacing_um=(0, 1e4, {"open_low": True}),
            exc_side=(2, 512), inh_count=(1, 100_000),
            retinotopic_scatter_um=(0, 1e4), ff_arbor_radius_um=(0, 1e4, {"open_low": True}),
            ff_connection_probability=(0, 1, {"open_low": True}),
            ff_weight_per_channel=(0, 100, {"open_low": True}),
            inh_arbor_radius_um=(0, 1e4, {"open_low": True}),
            inh_ff_connection_probability=(0, 1), inh_ff_weight=(0, 100),
            ee_peak_probability=(0, 1), ee_sigma_um=(0, 1e4, {"open_low": True}),
            ee_weight=(0, 10), ei_peak_probability=(0, 1), ei_sigma_um=(0, 1e4, {"open_low": True}),
            ei_weight=(0, 10), ie_peak_probability=(0, 1), ie_sigma_um=(0, 1e4, {"open_low": True}),
            ie_weight=(0, 10),
        )
        if self.retina_extent_um <= 2 * self.ff_arbor_radius_um:
            raise ParameterError(
                "ff_arbor_radius_um", self.ff_arbor_radius_um,
                f"less than half the retina's extent ({self.retina_extent_um / 2:g} µm)")

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
    ``salt_and_pepper`` (rodent: independent preferences, no map).
    """

    prior_strength: float = 1.0
    map: str = "columnar"
    map_period_um: float = 400.0
    gabor_wavelength_um: float = 300.0
    gabor_sigma_um: float = 100.0

    def __post_init__(self):
        check_choice("map", self.map, MAP_KINDS)
        check_fields(
            self, prior_strength=(0, 1), map_period_um=(0, 1e5, {"open_low": True}),
            gabor_wavelength_um=(0, 1e4, {"open_low": True}),
            gabor_sigma_um=(0, 1e4, {"open_low": True}),
        )

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
    projections : dict of str to Projection
        ``"input_exc"`` (plastic), ``"input_inh"``, ``"exc_exc"``, ``"exc_inh"``, ``"inh_exc"``.
    """

    label: str
    prior_strength: float
    input_positions_um: np.ndarray
    exc_positions_um: np.ndarray
    inh_positions_um: np.ndarray
    rf_centres_um: np.ndarray
    map_theta: np.ndarray
    rf_phase: np.ndarray
    projections: dict[str, Projection]

    @property
    def n_inputs(self) -> int:
        return 2 * len(self.input_positions_um)

    @property
    def n_exc(self) -> int:
        return len(self.exc_positions_um)

    @property
    def n_inh(self) -> int:
        return len(self.inh_positions_um)

    @property
    def n_synapses(self) -> int:
        return sum(p.n_synapses for p in self.projections.values())


def build_circuit(label: str, params: CircuitParams, wiring: WiringParams, prior_strength: float,
                  seed: int) -> CircuitSpec:
    """Wire one L4 circuit over the retina.

    Circuits built with the same `params`, `wiring` and `seed` share positions, the orientation
    map, Gabor phases and the set of synapses; only `prior_strength` changes their weights.
    That makes two hypotheses directly comparable cell by cell.
    """
    rng = np.random.default_rng(seed)
    extent = params.cortex_extent_um
    inputs = grid_positions(params.retina_side, params.retina_spacing_um)
    exc = covering_grid(params.exc_side, extent)
    inh = uniform_positions(params.inh_count, extent, rng)
    centres = np.clip(exc + rng.normal(0, params.retinotopic_scatter_um, exc.shape), *extent)
    theta = preference_map(wiring.map, exc, wiring.map_period_um, rng)
    phase = rng.uniform(0, 2 * np.pi, len(exc))
    projections = {
        "input_exc": feedforward_to_exc(
            inputs, centres, theta, phase, arbor_radius_um=params.ff_arbor_radius_um,
            connection_probability=params.ff_connection_probability,
            total_weight_per_channel=params.ff_weight_per_channel, prior_strength=prior_strength,
            gabor_wavelength_um=wiring.gabor_wavelength_um, gabor_sigma_um=wiring.gabor_sigma_um,
            rng=rng),
        "input_inh": feedforward_to_inh(
            inputs, inh, arbor_radius_um=params.inh_arbor_radius_um,
            connection_probability=params.inh_ff_connection_probability,
            total_weight=params.inh_ff_weight, rng=rng),
        "exc_exc": distance_dependent(
            "exc", "exc", exc, exc, peak_probability=params.ee_peak_probability,
            sigma_um=params.ee_sigma_um, weight=params.ee_weight, rng=rng),
        "exc_inh": distance_dependent(
            "exc", "inh", exc, inh, peak_probability=params.ei_peak_probability,
            sigma_um=params.ei_sigma_um, weight=params.ei_weight, rng=rng),
        "inh_exc": distance_dependent(
            "inh", "exc", inh, exc, peak_probability=params.ie_peak_probability,
            sigma_um=params.ie_sigma_um, weight=params.ie_weight, rng=rng),
    }
    return CircuitSpec(label, prior_strength, inputs, exc, inh, centres, theta, phase, projections)
