"""From a circuit's recording to per-checkpoint measurements: tuning, selectivity, receptive
fields, weight change and firing rates. Arrays in, arrays and numbers out."""

from __future__ import annotations

import numpy as np

from neurodev.experiments.measures.connectivity import connection_specificity
from neurodev.experiments.measures.decoding import decoding_accuracy, shuffled_decoding_accuracy
from neurodev.experiments.measures.receptive_fields import (
    peak_z,
    receptive_field_centroid,
    receptive_field_radius,
    receptive_fields,
    response_field,
    retinotopic_scatter,
    spike_triggered_average,
    split_half_fields,
    weight_orientation_at_best,
)
from neurodev.experiments.measures.tuning import (
    at_best,
    circular_difference,
    classic_osi,
    f1_amplitude,
    global_dsi,
    global_osi,
    half_width,
    osi_permutation_p,
    preferred_orientation,
    shuffled_osi,
    tuning_curves,
)
from neurodev.experiments.measures.turnover import turnover


def measure_checkpoints(spec, recording, timeline, gratings, front_end, analysis, rng) -> dict:
    """Per-checkpoint arrays for one circuit (first axis: checkpoint).

    Returns a dict of arrays: for L4 excitatory cells, `spike_tuning`'s arrays, the weight
    measures ``weight_osi`` and ``weight_preferred`` at each field's best probe wavelength
    (``weight_best_wavelength_index``; `weight_orientation_at_best` through the front end's
    spatial transfer), the receptive fields ``rf``
    (checkpoint × cell × site, ON − OFF weights) and their radii ``rf_radius_um``; for L2/3
    excitatory cells, `spike_tuning`'s arrays prefixed ``l23_``, and their connection
    specificity (`connection_specificity` among selective cells, checkpoint × Δθ bin:
    ``l23_connection_probability`` with ``_low``/``_high``, ``l23_connection_mean_weight``,
    ``l23_connection_pairs``; ``l23_connection_overall`` per checkpoint). Where the
    checkpoints show receptive-field noise, both populations' `response_fields` too.
    """
    # Independent streams per measure, so that adding a measure changes no other's draws.
    l4_rng, l23_rng, connection_rng, l4_decoding_rng, l23_decoding_rng = rng.spawn(5)
    out, l23 = (spike_tuning(recording.window_spikes[population],
                             recording.window_phase[population], timeline, gratings, analysis,
                             stream, decoding_stream)
                for population, stream, decoding_stream in (
                    ("exc", l4_rng, l4_decoding_rng), ("exc23", l23_rng, l23_decoding_rng)))
    out |= {f"l23_{name}": values for name, values in l23.items()}
    out |= _connection_specificity(spec.projections["exc23_exc23"],
                                   recording.cortical_weights.get("exc23_exc23"), l23, analysis,
                                   connection_rng)
    ff = spec.projections["input_exc"]
    n_sites = len(spec.input_positions_um)
    rf = receptive_fields(ff.pre, ff.post, recording.ff_weights, n_sites, spec.n_exc)
    out["rf"] = rf.astype(np.float32)
    out["rf_radius_um"] = receptive_field_radius(rf, spec.input_positions_um)
    out["rf_centroid_um"] = receptive_field_centroid(rf, spec.input_positions_um)
    out["weight_osi"], out["weight_preferred"], out["weight_best_wavelength_index"] = (
        weight_orientation_at_best(rf, spec.input_positions_um, gratings.wavelengths_um,
                                   front_end.spatial_transfer(
                                       2 * np.pi / np.asarray(gratings.wavelengths_um))))
    noise = timeline.checkpoints[0].noise
    if noise is not None:
        for population, prefix in (("exc", ""), ("exc23", "l23_")):
            out |= {prefix + name: values for name, values in response_fields(
                recording.frame_spikes[population], noise, analysis).items()}
    return out


def response_fields(frame_spikes, noise, analysis) -> dict:
    """Receptive fields of one population mapped from its spikes in every noise frame
    (`Recording.frame_spikes`, checkpoint after checkpoint, each showing every frame of
    `noise`), by reverse correlation (`spike_triggered_average`, `response_field`: a field's
    peak is significant at ``analysis.rf_alpha`` over the whole grid, its extent the
    connected pixels with ``|z| ≥ analysis.rf_extent_z``).

    Returns a dict of arrays (first axis: checkpoint): ``response_rf`` (the spike-triggered
    average, cell × check, row-major over the grid), ``response_rf_mapped`` (whether a cell
    has a field), ``response_rf_radius_um`` and ``response_rf_centre_um`` (of the field, as
    `receptive_field_radius` and `receptive_field_centroid` give them for weights; NaN
    without a field), ``response_rf_reliability`` and ``response_rf_centre_error_um``
    (`split_half_fields`) and ``response_rf_spikes`` (spikes in the noise, per cell).
    """
    n_frames, n_checks = noise.checks.shape
    peak = peak_z(analysis.rf_alpha, n_checks)
    per_checkpoint = []
    for counts in frame_spikes.reshape(-1, n_frames, frame_spikes.shape[1]):
        sta, z = spike_triggered_average(counts, noise.checks)
        field, mapped = response_field(sta, z, noise.grid_side, peak, analysis.rf_extent_z)
        reliability, centre_error = split_half_fields(counts, noise.checks, field,
                                                      noise.check_centres_um)
        per_checkpoint.append({
            "response_rf": sta.astype(np.float32), "response_rf_mapped": mapped,
            "response_rf_radius_um": receptive_field_radius(field, noise.check_centres_um),
            "response_rf_centre_um": receptive_field_centroid(field, noise.check_centres_um),
            "response_rf_reliability": reliability, "response_rf_centre_error_um": centre_error,
            "response_rf_spikes": counts.sum(axis=0).astype(np.int32)})
    return {name: np.stack([c[name] for c in per_checkpoint]) for name in per_checkpoint[0]}


def spike_tuning(window_spikes, window_phase, timeline, gratings, analysis, rng,
                 decoding_rng) -> dict:
    """Grating responses of one population at every checkpoint (first axis: checkpoint), from
    its spikes and phase sums in every presentation (`Recording.window_spikes`, in time
    order: checkpoint by checkpoint, presentations in their showing order). Each cell is
    measured at its best wavelength: the one of the largest mean rate over directions and
    trials (`at_best`).

    Returns a dict of arrays: ``wavelength_rates`` (Hz, checkpoint × cell × wavelength, the
    mean over directions and trials), ``best_wavelength_index`` (checkpoint × cell), and at
    the best wavelength ``rates`` (Hz, checkpoint × cell × direction × trial), ``f1`` (Hz,
    checkpoint × cell × direction), per-cell ``osi`` (global), ``classic_osi``,
    ``half_width_deg``, ``osi_p`` (the permutation test's p-value), ``dsi``, ``f1_osi``,
    ``preferred``, ``responsive`` and ``shuffled_osi`` (median over label shuffles); and
    the population's ``direction_accuracy`` (checkpoint × wavelength: `decoding_accuracy` of
    the drift direction from single trials at each wavelength) beside ``direction_chance``
    (checkpoint × wavelength × shuffle, `shuffled_decoding_accuracy` drawing from
    `decoding_rng`).
    """
    directions = gratings.directions_rad
    shape = (len(gratings.wavelengths_um), len(directions), gratings.n_trials)
    per_checkpoint, first = [], 0
    for checkpoint in timeline.checkpoints:
        block = checkpoint.block
        windows = slice(first, first + len(block.onset_s))
        first = windows.stop
        rates = window_spikes[windows] / block.presentation_s
        f1 = f1_amplitude(window_phase[windows], block.presentation_s)
        conditions = (block.wavelength_index, block.direction_index, block.trial)
        every_rate = tuning_curves(rates, conditions, shape)
        wavelength_rates = every_rate.mean(axis=(2, 3))
        trial_rates, best = at_best(every_rate, wavelength_rates)
        trial_f1, _ = at_best(tuning_curves(f1, conditions, shape), wavelength_rates)
        mean = trial_rates.mean(axis=2)
        per_checkpoint.append({
            "wavelength_rates": wavelength_rates.astype(np.float32),
            "best_wavelength_index": best,
            "rates": trial_rates.astype(np.float32),
            "f1": trial_f1.mean(axis=2).astype(np.float32),
            "osi": global_osi(mean, directions),
            "classic_osi": classic_osi(mean),
            "half_width_deg": half_width(mean),
            "osi_p": osi_permutation_p(trial_rates, directions, rng, analysis.n_permutations),
            "dsi": global_dsi(mean, directions),
            "f1_osi": global_osi(trial_f1.mean(axis=2), directions),
            "preferred": preferred_orientation(mean, directions),
            "responsive": mean.max(axis=1) >= analysis.responsive_rate_hz,
            "shuffled_osi": np.median(shuffled_osi(trial_rates, directions, rng,
                                                   analysis.n_shuffles), axis=0),
            "direction_accuracy": np.array([decoding_accuracy(every_rate[:, k])
                                            for k in range(shape[0])]),
            "direction_chance": np.stack([
                shuffled_decoding_accuracy(every_rate[:, k], decoding_rng, analysis.n_shuffles)
                for k in range(shape[0])]),
        })
    return {name: np.stack([c[name] for c in per_checkpoint]) for name in per_checkpoint[0]}


def _connection_specificity(projection, weights, tuning, analysis, rng) -> dict:
    """`connection_specificity` of a projection at every checkpoint, among the cells
    selective there (a preference needs tuning to mean anything), with its weights of the
    checkpoint (`weights`, one row each) if it is plastic, else its fixed ones."""
    if weights is None:
        weights = np.broadcast_to(projection.weight, (len(tuning["preferred"]), projection.n_synapses))
    per_checkpoint = [connection_specificity(projection.pre, projection.post, weight,
                                             preferred, cells, rng)
                      for preferred, cells, weight in zip(tuning["preferred"],
                                                          selective_cells(tuning, analysis),
                                                          weights, strict=True)]
    short = {"n_pairs": "pairs", "overall_probability": "overall"}
    return {f"l23_connection_{short.get(name, name)}": np.array([c[name] for c in per_checkpoint])
            for name in per_checkpoint[0]}


_SELECTIVITY = ("median_osi", "osi_q25", "osi_q75", "osi_shuffle_floor", "median_classic_osi",
                "median_half_width_deg", "median_f1_osi", "median_dsi", "n_responsive",
                "fraction_responsive", "n_selective", "fraction_selective",
                "spike_preference_vs_map_deg",
                "mean_rate_gratings_hz", "direction_decoding", "direction_decoding_chance")
#: L2/3 E → E connection probability among selective cells: overall, and for pairs whose
#: preferences differ by < 22.5° and by > 67.5°; and the ratio of those pairs' mean weights.
_CONNECTIVITY = ("connection_probability", "connection_probability_similar",
                 "connection_probability_orthogonal", "connection_weight_ratio")
#: Receptive fields mapped from responses to noise (NaN where the run shows none).
_RESPONSE_FIELDS = ("fraction_rf_mapped", "median_response_rf_radius_um",
                    "response_retinotopic_scatter_um", "response_rf_centre_error_um",
                    "median_response_rf_reliability")
#: Every metric `summarise` gives a circuit, as a sweep table's columns name it after the
#: circuit's label (``prior.median_osi``); a test holds it to what `summarise` returns.
CIRCUIT_METRICS = (
    *_SELECTIVITY, "median_weight_osi", "weight_preference_vs_map_deg", "weight_change",
    "median_rf_radius_um", "retinotopic_scatter_um", *_RESPONSE_FIELDS, "median_rf_offset_um",
    *(f"turnover.input_exc.{name}" for name in (
        "live", "formed", "eliminated", "formed_fraction", "eliminated_fraction",
        "formed_total_fraction", "eliminated_total_fraction", "persistent_fraction")),
    "mean_rate_development_hz", "mean_inh_rate_gratings_hz", "mean_inh_rate_development_hz",
    "mean_threshold_shift_mv",
    *(f"l23.{name}" for name in (*_SELECTIVITY, "mean_rate_development_hz",
                                  *_CONNECTIVITY, *_RESPONSE_FIELDS)),
)


def summarise(measured: dict, spec, recording, timeline, analysis) -> dict:
    """Scalar metrics per checkpoint (lists, JSON-ready) from `measure_checkpoints` output.

    L4 metrics sit at the top level, L2/3 ones under ``"l23"``. Medians over cells use
    responsive cells only, and are NaN where fewer than ``analysis.min_cells_for_median``
    respond (``n_responsive`` says how many did); the ``osi_shuffle_floor`` is the median OSI
    those cells show once direction labels are shuffled, the level a median OSI must clear
    to mean anything. ``fraction_selective``: the fraction of all cells whose permutation
    test of orientation selectivity gives p < ``analysis.selective_p``. Receptive fields
    mapped from responses (`response_field_summary`) sit beside those of the weights, with
    ``median_rf_offset_um``, the median distance between a mapped field's centre and its
    weights' centroid.
    """
    weights = recording.ff_weights.astype(float)
    change = np.abs(weights - weights[0]).sum(axis=1) / weights[0].sum()
    l23 = {name[4:]: values for name, values in measured.items() if name.startswith("l23_")}
    return {
        **selectivity(measured, spec.map_theta, analysis),
        "median_weight_osi": np.median(measured["weight_osi"], axis=1).tolist(),
        "weight_preference_vs_map_deg": np.degrees(np.median(
            circular_difference(measured["weight_preferred"], spec.map_theta), axis=1)).tolist(),
        "weight_change": change.tolist(),
        "median_rf_radius_um": np.nanmedian(measured["rf_radius_um"], axis=1).tolist(),
        "retinotopic_scatter_um": [retinotopic_scatter(centres, spec.exc_positions_um)
                                   for centres in measured["rf_centroid_um"]],
        **response_field_summary(measured, spec.exc_positions_um, analysis),
        "median_rf_offset_um": _median_offset(measured, analysis),
        "turnover": {"input_exc": turnover(recording.ff_alive, recording.formed, recording.eliminated)},
        "mean_rate_development_hz": [float("nan"), *_mean_rates(recording, "exc", timeline, True)],
        "mean_inh_rate_gratings_hz": _mean_rates(recording, "inh", timeline, False),
        "mean_inh_rate_development_hz": [float("nan"),
                                         *_mean_rates(recording, "inh", timeline, True)],
        "mean_threshold_shift_mv": recording.threshold_shift_mv.mean(axis=1).tolist(),
        "l23": {**selectivity(l23, spec.l23_theta, analysis),
                "mean_rate_development_hz": [float("nan"),
                                             *_mean_rates(recording, "exc23", timeline, True)],
                "connection_probability": measured["l23_connection_overall"].tolist(),
                "connection_probability_similar":
                    measured["l23_connection_probability"][:, 0].tolist(),
                "connection_probability_orthogonal":
                    measured["l23_connection_probability"][:, -1].tolist(),
                "connection_weight_ratio": _weight_ratio(measured["l23_connection_mean_weight"]),
                **response_field_summary(l23, spec.l23_exc_positions_um, analysis)},
    }


def response_field_summary(measured: dict, positions_um, analysis) -> dict:
    """Per checkpoint: the fraction of cells with a field mapped from responses, the median
    radius of those fields, their centres' retinotopic scatter about the cells'
    `positions_um` beside the RMS error of those centres (`split_half_fields`: the scatter's
    square is about the true scatter's plus the error's), and the median split-half
    reliability of the mapped cells' averages. Medians are NaN where fewer than
    ``analysis.min_cells_for_median`` cells have a field; all is NaN where the run maps
    no fields."""
    if "response_rf_mapped" not in measured:
        missing = [float("nan")] * len(measured["osi"])
        return dict.fromkeys(_RESPONSE_FIELDS, missing)
    mapped = measured["response_rf_mapped"]
    return {"fraction_rf_mapped": mapped.mean(axis=1).tolist(),
            "median_response_rf_radius_um": _median_over(measured["response_rf_radius_um"],
                                                         mapped, analysis),
            "response_retinotopic_scatter_um": [
                retinotopic_scatter(centres, positions_um)
                for centres in measured["response_rf_centre_um"]],
            "response_rf_centre_error_um": [
                float(np.sqrt(np.mean(error[m] ** 2))) if m.any() else float("nan")
                for error, m in zip(measured["response_rf_centre_error_um"], mapped, strict=True)],
            "median_response_rf_reliability": _median_over(measured["response_rf_reliability"],
                                                           mapped, analysis)}


def _median_offset(measured: dict, analysis) -> list[float]:
    """Median distance between each mapped field's centre and the centroid of its weights."""
    if "response_rf_mapped" not in measured:
        return [float("nan")] * len(measured["osi"])
    offset = np.linalg.norm(measured["response_rf_centre_um"] - measured["rf_centroid_um"], axis=-1)
    return _median_over(offset, measured["response_rf_mapped"], analysis)


def _median_over(values, cells, analysis) -> list[float]:
    """Median of `values` over `cells` at each checkpoint; NaN where they are fewer than
    ``analysis.min_cells_for_median``."""
    return [float(np.median(v[c])) if c.sum() >= analysis.min_cells_for_median else float("nan")
            for v, c in zip(values, cells, strict=True)]


def _weight_ratio(mean_weight) -> list[float]:
    """Mean weight of connected pairs of similar preference over that of orthogonal ones (the
    first and last Δθ bin), per checkpoint: 1 without weight specificity; NaN where a bin
    has no connected pair."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (mean_weight[:, 0] / mean_weight[:, -1]).tolist()


def selectivity(tuning: dict, innate_theta, analysis) -> dict:
    """Per-checkpoint selectivity of one population from `spike_tuning` arrays (JSON-ready),
    with the median deviation of responsive cells' preferences from `innate_theta`."""
    responsive = tuning["responsive"]

    selective = selective_cells(tuning, analysis)

    def over_responsive(values, statistic, cells=responsive):
        return [float(statistic(v[r])) if r.sum() >= analysis.min_cells_for_median
                else float("nan") for v, r in zip(values, cells, strict=True)]
    return {
        "median_osi": over_responsive(tuning["osi"], np.median),
        "osi_q25": over_responsive(tuning["osi"], lambda v: np.percentile(v, 25)),
        "osi_q75": over_responsive(tuning["osi"], lambda v: np.percentile(v, 75)),
        "osi_shuffle_floor": over_responsive(tuning["shuffled_osi"], np.median),
        "median_classic_osi": over_responsive(tuning["classic_osi"], np.median),
        # Over selective cells: a sparse untuned cell's few spikes make a narrow "peak".
        "median_half_width_deg": over_responsive(tuning["half_width_deg"], np.median, selective),
        "n_selective": selective.sum(axis=1).tolist(),
        "median_f1_osi": over_responsive(tuning["f1_osi"], np.median),
        "median_dsi": over_responsive(tuning["dsi"], np.median),
        "n_responsive": responsive.sum(axis=1).tolist(),
        "fraction_responsive": responsive.mean(axis=1).tolist(),
        "fraction_selective": selective.mean(axis=1).tolist(),
        "spike_preference_vs_map_deg": over_responsive(
            np.degrees(circular_difference(tuning["preferred"], innate_theta)), np.median),
        "mean_rate_gratings_hz": tuning["wavelength_rates"].mean(axis=(1, 2)).tolist(),
        # Averaged over the probe's wavelengths: no wavelength is picked by its accuracy.
        "direction_decoding": tuning["direction_accuracy"].mean(axis=1).tolist(),
        "direction_decoding_chance": tuning["direction_chance"].mean(axis=(1, 2)).tolist(),
    }


def selective_cells(tuning: dict, analysis) -> np.ndarray:
    """Cells whose permutation test of orientation selectivity gives p below
    ``analysis.selective_p`` (checkpoint × cell; a silent cell's NaN p is not selective)."""
    with np.errstate(invalid="ignore"):
        return tuning["osi_p"] < analysis.selective_p


def _mean_rates(recording, population: str, timeline, plastic: bool) -> list[float]:
    """Mean rate of `population`'s cells (Hz) in each segment that is (`plastic`) or is not
    an epoch of development."""
    spikes = recording.segment_spikes[population]
    return [float(spikes[k].mean() / segment.duration_s)
            for k, segment in enumerate(timeline.segments) if segment.plastic == plastic]


#: Metrics that reach a criterion by falling to its level (a tuning curve narrows as it
#: sharpens); every other metric rises to it.
FALLING_METRICS = frozenset({"median_half_width_deg"})


def developmental_course(circuit: dict, development: dict, analysis) -> dict:
    """How one circuit's development went, from its per-checkpoint metrics (`summarise`) and
    the run's ``development`` (real time and phase of every checkpoint): ``convergence``,
    per phase, the relative change of its median weight OSI between the phase's last two
    checkpoints (`phase_convergence`), and ``headstart``, when it reached the criterion
    ``analysis.criterion_metric`` at ``analysis.criterion_level`` (`time_to_criterion`)."""
    metric = analysis.criterion_metric
    return {"convergence": phase_convergence(circuit["median_weight_osi"], development["phase"]),
            "headstart": time_to_criterion(circuit[metric], development["real_time_s"],
                                           analysis.criterion_level,
                                           falling=metric in FALLING_METRICS)}


def phase_convergence(values, phases) -> dict[str, float]:
    """``|v_last − v_before| / |v_before|`` between the last two checkpoints of each phase
    (`values` and `phases` one per checkpoint, the phase of the epoch that ends there); NaN
    for a phase of one epoch, whose checkpoints are not two.

    Examples
    --------
    >>> phase_convergence([0.2, 0.5, 0.75, 0.4], ["start", "wt", "wt", "stage3"])
    {'wt': 0.5, 'stage3': nan}
    """
    values = np.asarray(values, dtype=float)
    out = {}
    for phase in dict.fromkeys(phases[1:]):
        last = [k for k, name in enumerate(phases) if name == phase][-2:]
        out[phase] = (float(abs(values[last[1]] - values[last[0]]) / abs(values[last[0]]))
                      if len(last) == 2 else float("nan"))
    return out


def time_to_criterion(values, times_s, level: float, falling: bool = False) -> dict:
    """The first checkpoint at which `values` reach `level` (≥ it, or ≤ it if `falling`),
    and its real developmental time; censored where never reached: ``reached`` is False and
    ``censored_at_s`` says until when it was not ("not reached by T"). A missing value (NaN)
    does not reach any level.

    Examples
    --------
    >>> time_to_criterion([0.1, 0.4, 0.6], [0.0, 60.0, 120.0], 0.5)
    {'reached': True, 'checkpoint': 2, 'real_time_s': 120.0, 'censored_at_s': nan}
    >>> time_to_criterion([0.1, 0.2], [0.0, 60.0], 0.5)["censored_at_s"]
    60.0
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        reached = values <= level if falling else values >= level
    if not reached.any():
        return {"reached": False, "checkpoint": float("nan"), "real_time_s": float("nan"),
                "censored_at_s": float(times_s[-1])}
    first = int(np.argmax(reached))
    return {"reached": True, "checkpoint": first, "real_time_s": float(times_s[first]),
            "censored_at_s": float("nan")}
