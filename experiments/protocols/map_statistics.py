"""The map-statistics experiment: how real is the prior, and what do the circuits' measured maps
look like as they develop?

Three circuits share one retina, one L4 anatomy and the waves: ``random`` (random L4
feed-forward weights, distance-only L4 → L2/3), ``prior`` (the map's Gabor weights,
like-to-like L4 → L2/3) and ``prior_l4`` (the prior's L4 with distance-only L4 → L2/3), so the
effect of like-to-like wiring on L2/3 is measured on the very same L4. Reported: the prior map's
pinwheel density (on the L4 sheet, and on large samples of the same generator), how closely
L2/3 cells' L4 inputs share their orientation, and at every checkpoint each circuit's measured
L4 preference map (pinwheel density, correlation with the prior map) and L2/3 selectivity.
"""

from __future__ import annotations

import numpy as np

from neurodev.circuits.maps import orientation_map
from neurodev.circuits.sheets import grid_positions
from neurodev.experiments.config import ExperimentConfig
from neurodev.experiments.measures.maps import (
    input_orientation_spread,
    map_correlation,
    pinwheel_density,
    ring_contrast,
)
from neurodev.experiments.protocols.pipeline import Experiment
from neurodev.experiments.protocols.wiring import Wiring

#: Large samples of the map generator: side in column spacings, samples per spacing, count.
GENERATOR_SAMPLE = (16, 16, 5)
#: What `measure` reports of each circuit (under ``<label>.maps.``).
PER_CIRCUIT = ("l23_input_resultant_median", "l23_input_spread_deg", "measured_pinwheel_density",
               "measured_ring_contrast", "correlation_with_prior_map")


def wirings(config: ExperimentConfig) -> dict[str, Wiring]:
    """Random, prior, and the prior's L4 with distance-only L4 → L2/3."""
    s, s23 = config.wiring.prior_strength, config.wiring.l23_prior_strength
    rewired = config.structural.enabled
    return {"random": Wiring(0.0, 0.0, rewired), "prior": Wiring(s, s23, rewired),
            "prior_l4": Wiring(s, 0.0, rewired)}


def map_metric_columns(config: ExperimentConfig) -> set[str]:
    return ({"maps.column_spacing_um", "maps.generator.mean", "maps.sheet.density",
             "maps.sheet.n_pinwheels", "maps.sheet.ring_contrast"}
            | {f"{label}.maps.{name}" for label in wirings(config) for name in PER_CIRCUIT})


def measure(config: ExperimentConfig, metrics: dict, arrays: dict, circuits):
    """Add the map statistics to the circuits' measurements."""
    side, spacing = config.circuit.exc_side, _grid_spacing(circuits[0])
    spacing_um = config.wiring.column_spacing_um
    maps = {"column_spacing_um": spacing_um,
            "generator": generator_density(config),
            "sheet": _density(circuits[0].map_theta.reshape(side, side), spacing, spacing_um)}
    for spec in circuits:
        ff_l23 = spec.projections["exc_exc23"]
        resultant, _ = input_orientation_spread(ff_l23.pre, ff_l23.post, spec.map_theta,
                                                spec.l23_theta, spec.n_exc23)
        preferred, responsive = arrays[f"{spec.label}.preferred"], arrays[f"{spec.label}.responsive"]
        measured = [_density(p.reshape(side, side), spacing, spacing_um) for p in preferred]
        median_resultant = float(np.nanmedian(resultant))
        maps[spec.label] = {
            "l23_input_resultant_median": median_resultant,
            # Circular standard deviation of orientations (period π): sqrt(−2 ln R) / 2.
            "l23_input_spread_deg": float(np.degrees(np.sqrt(-2 * np.log(median_resultant)) / 2)),
            "measured_pinwheel_density": [m["density"] for m in measured],
            "measured_ring_contrast": [m["ring_contrast"] for m in measured],
            "correlation_with_prior_map": [
                map_correlation(p[r], spec.map_theta[r]) if r.sum() > 2 else float("nan")
                for p, r in zip(preferred, responsive, strict=True)],
        }
        arrays[f"{spec.label}.l23_input_resultant"] = resultant
    metrics["maps"] = maps


def generator_density(config: ExperimentConfig) -> dict:
    """Pinwheel density of large samples of the configured map generator (NaN without columns)."""
    spacing_um = config.wiring.column_spacing_um
    if spacing_um is None:
        return {"densities": [], "mean": float("nan")}
    n_spacings, per_spacing, n_samples = GENERATOR_SAMPLE
    side, step = n_spacings * per_spacing, spacing_um / per_spacing
    seeds = config.seed_stream("map_generator").spawn(n_samples)
    densities = [pinwheel_density(orientation_map(grid_positions(side, step), spacing_um,
                                                  np.random.default_rng(seed), 64).reshape(side, side),
                                  step, spacing_um)[0] for seed in seeds]
    return {"densities": densities, "mean": float(np.mean(densities))}


def _density(theta_grid, spacing, column_spacing_um) -> dict:
    density, n, _ = pinwheel_density(theta_grid, spacing, column_spacing_um or None)
    return {"density": density, "n_pinwheels": n, "ring_contrast": ring_contrast(theta_grid, spacing)}


def _grid_spacing(spec) -> float:
    positions = spec.exc_positions_um
    return float(positions[1, 0] - positions[0, 0])


EXPERIMENT = Experiment(
    "map-statistics",
    "pinwheel density of the prior map; measured maps and L2/3 like-to-like vs random",
    figure="map_statistics", wirings=wirings, measure=measure, extra_metric_columns=map_metric_columns)
