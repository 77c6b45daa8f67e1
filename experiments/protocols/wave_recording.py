"""``neurodev waves``: record a wave preset like a multielectrode array and compare it with the
published statistics.

The preset and ``wt`` are generated from the same seed on the same retina, in real
developmental time (silent gaps kept), sampled as Poisson spike counts per frame, and measured
by `neurodev.experiments.measures.wave_statistics`. The run is stored like any other (``<out>/waves/<key>/``).
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np

from neurodev.circuits.params import check_range
from neurodev.development.waves import RetinalWaves, WaveParams, spike_movie, wave_drives
from neurodev.experiments.config import ConfigError, ExperimentConfig, refused_as_config_error
from neurodev.experiments.measures import wave_statistics

NAME = "waves"
TARGETS = Path(__file__).parents[1] / "targets.toml"
#: Statistics with a published range in ``[waves.wt]`` of the targets file.
CHECKED = ("speed_um_per_s", "interwave_interval_s", "burst_duration_s", "burst_rate_hz",
           "correlation_half_distance_um")
REPORTED = ("n_waves", "mean_rate_hz", *CHECKED, "wave_area_mm2", "near_correlation",
            "far_correlation", "near_far_correlation_ratio", "correlation_beyond_100um",
            "direction_bias", "on_off_lag_s", "on_off_co_bursting")


def published_ranges() -> dict[str, list[float]]:
    """The ``[waves.wt]`` ranges of the targets file."""
    return tomllib.loads(TARGETS.read_text())["waves"]["wt"]


def check_duration(duration_s) -> float:
    try:
        check_range("--duration", duration_s, 60, 86_400)
    except ValueError as error:
        raise ConfigError(f"{error} (seconds of real time)") from None
    return float(duration_s)


def record(params: WaveParams, side: int, spacing_um: float, duration_s: float, seed: int):
    """Spike counts of every ON and OFF cell under `params` for `duration_s` of real time.

    Returns
    -------
    movie : ndarray of uint8, shape (n_frames, 2 * side**2)
        Spikes per frame; ON cells first.
    generation_s : float
        Wall time spent generating the waves (s).
    """
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    with refused_as_config_error():
        events = RetinalWaves(side, spacing_um, params, rng).for_duration(duration_s)
    drive, = wave_drives([events.in_real_time()], params, side**2, rng)
    generation_s = time.perf_counter() - start
    return spike_movie(drive, params, params.frame_ms / 1000, rng), generation_s


def measure(movie: np.ndarray, params: WaveParams, side: int, spacing_um: float):
    """`wave_statistics.summarise` of a movie from `record`."""
    n_sites = side**2
    return wave_statistics.summarise(movie[:, :n_sites], movie[:, n_sites:], params.frame_ms / 1000,
                                     side, spacing_um, params.min_wave_sites)


def run(config: ExperimentConfig, duration_s: float, log=print):
    """Record and measure ``config.waves.preset`` and ``wt`` for `duration_s` (checked by
    `check_duration`); return ``(metrics, arrays, timings)`` for the store."""
    side, spacing = config.circuit.retina_side, config.circuit.retina_spacing_um
    recorded = recording_name(config.waves)
    recordings = {recorded: config.waves, "wt": replace(config.waves, preset="wt", correlation=1.0)}
    statistics, arrays, timings = {}, {}, {}
    for preset, params in recordings.items():
        log(f"waves: recording {preset} for {duration_s:g} s on a {side}×{side} retina (seed {config.seed})")
        movie, timings[preset] = record(params, side, spacing, duration_s, config.seed)
        statistics[preset], distributions = measure(movie, params, side, spacing)
        arrays |= {f"{preset}.{name}": values for name, values in distributions.items()}
        if preset == recorded:
            arrays["movie"] = movie
    metrics = {"preset": recorded, "seed": config.seed, "duration_s": duration_s,
               "frame_s": config.waves.frame_ms / 1000, "retina_side": side,
               "retina_spacing_um": spacing, "statistics": statistics,
               "published_wt": published_ranges(), "generation_wall_s": timings}
    return metrics, arrays, {}


def recording_name(waves: WaveParams) -> str:
    """What a recording of `waves` is called: its preset, and its correlation below 1."""
    return waves.preset if waves.correlation == 1 else f"wt_correlation_{waves.correlation:g}"


def table(metrics: dict) -> str:
    """The statistics of the preset beside ``wt`` and the published ``wt`` range."""
    preset, stats = metrics["preset"], metrics["statistics"]
    ranges = metrics["published_wt"]
    lines = [f"{'statistic':30s} {preset:>10s} {'wt':>10s}   published wt range"]
    for name in REPORTED:
        published = ranges.get(name)
        verdict = ""
        if published is not None:
            low, high = published
            inside = stats["wt"][name] is not None and low <= stats["wt"][name] <= high
            verdict = f"[{low:g}, {high:g}]  wt {'inside' if inside else 'OUTSIDE'}"
        lines.append(f"{name:30s} {_fmt(stats[preset][name]):>10s} {_fmt(stats['wt'][name]):>10s}"
                     f"   {verdict}")
    return "\n".join(lines)


def _fmt(value) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.3g}"
