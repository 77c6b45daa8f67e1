"""Statistics of retinal-wave activity, measured as in multielectrode-array recordings (pure NumPy).

Activity is a movie of spikes per frame, shape ``(n_frames, n_sites)``: counts binned from a
spike raster (`bin_spikes`), or expected counts (rate × frame length) of a rate movie. Sites lie
on a square grid in row-major order (`circuits.sheets.grid_positions`); frames are uniformly
spaced in real time. Bursts are detected per site from the smoothed rate, waves are the
space-time connected groups of bursting sites, and every statistic comes from those two steps
(burst detection as in Stafford et al. 2009 Neuron 64:200; correlation against distance as in
Demas, Eglen & Wong 2003 J Neurosci 23:2851).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from neurodev.circuits.sheets import grid_positions


def bin_spikes(index, time_s, n_sites, frame_s, duration_s) -> np.ndarray:
    """Spike counts per frame and site from a raster.

    Parameters
    ----------
    index : ndarray of int, shape (n_spikes,)
        Site of each spike.
    time_s : ndarray of float, shape (n_spikes,)
        Time of each spike (s).
    n_sites : int
        Number of sites.
    frame_s, duration_s : float
        Frame length and recording length (s); spikes outside ``[0, duration)`` are dropped.

    Returns
    -------
    ndarray of uint16, shape (ceil(duration / frame), n_sites)

    Examples
    --------
    >>> bin_spikes(np.array([0, 1, 1]), np.array([0.01, 0.02, 0.15]), 2, 0.1, 0.2)
    array([[1, 1],
           [0, 1]], dtype=uint16)
    """
    n_frames = int(np.ceil(duration_s / frame_s - 1e-9))
    frame = np.floor(np.asarray(time_s) / frame_s).astype(np.int64)
    inside = (frame >= 0) & (frame < n_frames)
    counts = np.bincount(frame[inside] * n_sites + np.asarray(index)[inside],
                         minlength=n_frames * n_sites)
    return counts.reshape(n_frames, n_sites).astype(np.uint16)


@dataclass(frozen=True)
class Bursts:
    """Bursts detected in a movie, one entry per burst, ordered by site and then time.

    Attributes
    ----------
    site : ndarray of int64
        Site of each burst.
    start_frame, n_frames : ndarray of int64
        First frame and length of each burst (frames).
    spikes : ndarray of float64
        Spikes in each burst.
    """

    site: np.ndarray
    start_frame: np.ndarray
    n_frames: np.ndarray
    spikes: np.ndarray


def detect_bursts(activity, frame_s, threshold_hz=10.0, smoothing_s=0.5, merge_gap_s=1.0,
                  min_duration_s=0.5) -> tuple[Bursts, np.ndarray]:
    """Bursts: stretches where a site's smoothed rate stays at or above `threshold_hz`.

    The rate is smoothed with a box of `smoothing_s`; stretches separated by less than
    `merge_gap_s` are one burst (Poisson dips inside a burst do not split it), and stretches
    shorter than `min_duration_s` are background fluctuations, not bursts. For a rectangular
    burst of rate ``r`` above a background ``b`` with ``threshold = (r + b) / 2`` the measured
    duration equals the true one.

    Parameters
    ----------
    activity : ndarray, shape (n_frames, n_sites)
        Spikes per frame.
    frame_s : float
        Frame length (s).
    threshold_hz, smoothing_s, merge_gap_s, min_duration_s : float
        Detection settings (Hz, s, s, s).

    Returns
    -------
    bursts : Bursts
    bursting : ndarray of bool, shape (n_frames, n_sites)
        Frames inside a detected burst.
    """
    width = max(1, round(smoothing_s / frame_s))
    merge = round(merge_gap_s / frame_s)
    shortest = round(min_duration_s / frame_s)
    bursting = np.zeros(activity.shape, dtype=bool)
    found = []
    for site in range(activity.shape[1]):
        column = activity[:, site].astype(np.float64)
        smoothed = ndimage.uniform_filter1d(column, width, mode="constant") / frame_s
        start, stop = _runs(smoothed >= threshold_hz)
        if len(start):
            joined = np.concatenate([[True], start[1:] - stop[:-1] >= merge])
            start, stop = start[joined], np.append(stop[np.flatnonzero(joined)[1:] - 1], stop[-1])
        keep = stop - start >= shortest
        start, stop = start[keep], stop[keep]
        cumulative = np.concatenate([[0.0], np.cumsum(column)])
        for a, b in zip(start, stop, strict=True):
            bursting[a:b, site] = True
        found.append((np.full(len(start), site), start, stop - start,
                      cumulative[stop] - cumulative[start]))
    site, start, length, spikes = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return Bursts(site.astype(np.int64), start.astype(np.int64), length.astype(np.int64),
                  spikes.astype(np.float64)), bursting


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) of every run of True in a 1-D mask."""
    edges = np.diff(mask.astype(np.int8), prepend=0, append=0)
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


@dataclass(frozen=True)
class Waves:
    """Waves found in a movie: space-time connected bursts covering at least ``min_sites`` sites.

    Attributes
    ----------
    burst_wave : ndarray of int64
        Wave of each burst (index into the per-wave arrays), −1 for bursts of no counted wave.
    area_mm2, speed_um_per_s : ndarray of float64
        Area covered and propagation speed of each wave (NaN where too few sites to measure).
    direction_rad : ndarray of float64
        Mean propagation direction of each wave (NaN where not measured).
    """

    burst_wave: np.ndarray
    area_mm2: np.ndarray
    speed_um_per_s: np.ndarray
    direction_rad: np.ndarray


def find_waves(bursts: Bursts, bursting: np.ndarray, side: int, spacing_um: float, frame_s: float,
               min_sites: int = 6) -> Waves:
    """Group bursts into waves and measure each wave's area, speed and direction.

    Bursts belong to one wave when they are connected through bursting frames of neighbouring
    sites (8-neighbourhood, touching or overlapping in time). A wave's speed is the inverse of
    the median slowness ``|∇t|`` of its burst-onset times ``t(x)``, taken with central
    differences where both neighbours along each axis joined the wave: exact for a plane wave,
    and local for any front shape.

    Parameters
    ----------
    bursts, bursting : Bursts, ndarray of bool
        From `detect_bursts`.
    side : int
        Grid side (sites per edge).
    spacing_um, frame_s : float
        Site spacing (µm) and frame length (s).
    min_sites : int
        Smallest wave counted (sites).
    """
    labels, _ = ndimage.label(bursting.reshape(-1, side, side), structure=np.ones((3, 3, 3)))
    raw = labels.reshape(len(bursting), -1)[bursts.start_frame, bursts.site]
    pairs = np.unique(np.stack([raw, bursts.site]), axis=1)  # distinct (label, site)
    label_ids, n_sites = np.unique(pairs[0], return_counts=True)
    counted = label_ids[n_sites >= min_sites]
    index = np.searchsorted(counted, raw)
    hit = index < len(counted)
    hit[hit] = counted[index[hit]] == raw[hit]
    burst_wave = np.where(hit, index, -1)
    n_waves = len(counted)
    area = np.zeros(n_waves)
    speed = np.full(n_waves, np.nan)
    direction = np.full(n_waves, np.nan)
    for wave in range(n_waves):
        members = burst_wave == wave
        onset = np.full(side * side, np.inf)
        np.minimum.at(onset, bursts.site[members], bursts.start_frame[members] * frame_s)
        area[wave] = np.isfinite(onset).sum() * (spacing_um / 1000) ** 2
        speed[wave], direction[wave] = _front_speed(onset.reshape(side, side), spacing_um)
    return Waves(burst_wave, area, speed, direction)


def _front_speed(onset: np.ndarray, spacing_um: float, min_estimates: int = 5) -> tuple[float, float]:
    """Speed (µm/s) and mean direction (rad) of a front from its onset-time grid (inf = absent)."""
    onset = np.where(np.isfinite(onset), onset, np.nan)
    grad_x = (onset[1:-1, 2:] - onset[1:-1, :-2]) / (2 * spacing_um)
    grad_y = (onset[2:, 1:-1] - onset[:-2, 1:-1]) / (2 * spacing_um)
    valid = np.isfinite(grad_x) & np.isfinite(grad_y)
    if valid.sum() < min_estimates:
        return np.nan, np.nan
    slowness = np.hypot(grad_x[valid], grad_y[valid])
    median = np.median(slowness)
    direction = np.arctan2(grad_y[valid].sum(), grad_x[valid].sum())
    return (1 / median if median > 0 else np.nan), direction


def interwave_intervals(bursts: Bursts, waves: Waves, frame_s: float) -> np.ndarray:
    """Time between successive waves at each site (s), pooled over sites."""
    counted = waves.burst_wave >= 0
    site, start = bursts.site[counted], bursts.start_frame[counted]
    order = np.lexsort((start, site))
    site, start = site[order], start[order]
    same_site = site[1:] == site[:-1]
    return np.diff(start)[same_site] * frame_s


def correlation_matrix(activity, frame_s, bin_s=0.1, chunk_frames=4096) -> np.ndarray:
    """Pearson correlation between every pair of sites' spike counts in bins of `bin_s`.

    Accumulated in chunks of frames, so no float64 copy of the whole movie is made. Sites
    that never change get NaN.

    Returns
    -------
    ndarray of float64, shape (n_sites, n_sites)
    """
    per_bin = max(1, round(bin_s / frame_s))
    chunk = max(per_bin, chunk_frames // per_bin * per_bin)
    n_bins = len(activity) // per_bin
    n_sites = activity.shape[1]
    total, products = np.zeros(n_sites), np.zeros((n_sites, n_sites))
    for first in range(0, n_bins * per_bin, chunk):
        block = activity[first:min(first + chunk, n_bins * per_bin)].astype(np.float64)
        binned = block.reshape(-1, per_bin, n_sites).sum(axis=1)
        total += binned.sum(axis=0)
        products += binned.T @ binned
    mean = total / n_bins
    covariance = products / n_bins - np.outer(mean, mean)
    std = np.sqrt(np.clip(np.diag(covariance), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        return covariance / np.outer(std, std)


@dataclass(frozen=True)
class CorrelationProfile:
    """Mean pairwise correlation against distance.

    Attributes
    ----------
    distance_um : ndarray
        Centre of each distance bin (µm).
    correlation : ndarray
        Mean correlation of the pairs in each bin.
    n_pairs : ndarray of int
        Pairs in each bin.
    """

    distance_um: np.ndarray
    correlation: np.ndarray
    n_pairs: np.ndarray


def correlation_profile(correlation, positions_um, bin_um) -> CorrelationProfile:
    """Average the correlations of distinct site pairs in distance bins of width `bin_um`.

    Bins are centred on multiples of `bin_um`, so with the grid spacing as bin width the first
    bin holds nearest neighbours. Bins without a pair are dropped.
    """
    distance, value = _pairs(correlation, positions_um)
    slot = np.round(distance / bin_um).astype(np.int64)
    n_pairs = np.bincount(slot)
    sums = np.bincount(slot, weights=value)
    filled = n_pairs > 0
    return CorrelationProfile(np.flatnonzero(filled) * bin_um, sums[filled] / n_pairs[filled],
                              n_pairs[filled])


def _pairs(correlation, positions_um) -> tuple[np.ndarray, np.ndarray]:
    """Distance and correlation of every distinct pair with a defined correlation."""
    i, j = np.triu_indices(len(positions_um), k=1)
    distance = np.hypot(*(positions_um[i] - positions_um[j]).T)
    value = correlation[i, j]
    defined = np.isfinite(value)
    return distance[defined], value[defined]


def half_distance(profile: CorrelationProfile) -> float:
    """Distance (µm) at which correlation falls to half its value in the nearest bin.

    Linear interpolation between bins; NaN if the correlation never halves or the nearest
    bin is not positive.

    Examples
    --------
    >>> profile = CorrelationProfile(np.array([50.0, 100, 150]), np.array([0.8, 0.6, 0.2]),
    ...                              np.array([1, 1, 1]))
    >>> float(half_distance(profile))
    125.0
    """
    distance, value = profile.distance_um, profile.correlation
    if not len(value) or value[0] <= 0:
        return np.nan
    half = value[0] / 2
    below = np.flatnonzero(value <= half)
    if not len(below):
        return np.nan
    k = below[0]
    return float(np.interp(half, [value[k], value[k - 1]], [distance[k], distance[k - 1]]))


def near_far_ratio(correlation, positions_um, near_um=150.0, far_um=500.0,
                   independent_sd=0.0) -> tuple[float, float, float]:
    """Mean correlation of pairs closer than `near_um`, farther than `far_um`, and their ratio.

    The ratio is NaN unless both means are positive by more than three standard errors of
    independent cells (`independent_sd` per pair, over the number of pairs): a ratio of noise
    is not reported.

    Examples
    --------
    >>> positions = np.array([[0.0, 0], [100, 0], [700, 0]])
    >>> correlation = np.array([[1, 0.6, 0.1], [0.6, 1, 0.1], [0.1, 0.1, 1]])
    >>> near, far, ratio = near_far_ratio(correlation, positions)
    >>> round(ratio, 9)
    6.0
    """
    distance, value = _pairs(correlation, positions_um)
    near, far = value[distance < near_um], value[distance > far_um]
    means = _mean(near), _mean(far)
    significant = all(mean > 3 * independent_sd / np.sqrt(len(group))
                      for mean, group in zip(means, (near, far), strict=True) if len(group))
    ratio = means[0] / means[1] if significant and means[1] > 0 else np.nan
    return means[0], means[1], float(ratio)


def _direction_bias(direction_rad) -> float:
    """Length of the mean unit vector of the measured directions: 0 without a preferred direction."""
    measured = direction_rad[np.isfinite(direction_rad)]
    return float(np.abs(np.exp(1j * measured).mean())) if len(measured) else np.nan


def _mean(values) -> float:
    """Mean of an array, NaN if it is empty."""
    return float(values.mean()) if len(values) else np.nan


def lead_lag_s(first, second, frame_s, max_lag_s=3.0) -> float:
    """Delay (s) at which `second` best follows `first`, pooled over sites.

    The peak of the summed cross-covariance ``Σ_sites Σ_t a(t) b(t + τ)`` of mean-subtracted
    activity, for ``|τ| ≤ max_lag_s``; positive when `second` lags `first`. NaN unless the
    peak's correlation coefficient exceeds five standard deviations of independent cells
    (``1 / sqrt(frames × sites)``): the lag of noise is not reported.

    Examples
    --------
    >>> a = np.zeros((100, 1)); a[[10, 40, 70]] = 1
    >>> float(lead_lag_s(a, np.roll(a, 5, axis=0), 0.1, max_lag_s=1.0))
    0.5
    """
    n_frames, n_sites = first.shape
    size = 2 ** int(np.ceil(np.log2(2 * n_frames)))
    total = np.zeros(size)
    power_first = power_second = 0.0
    for column in range(n_sites):
        a = first[:, column] - first[:, column].mean()
        b = second[:, column] - second[:, column].mean()
        total += np.fft.irfft(np.conj(np.fft.rfft(a, size)) * np.fft.rfft(b, size), size)
        power_first, power_second = power_first + a @ a, power_second + b @ b
    max_lag = round(max_lag_s / frame_s)
    lags = np.arange(-max_lag, max_lag + 1)
    peak = np.argmax(total[lags])
    coefficient = total[lags][peak] / np.sqrt(power_first * power_second) if power_first * power_second else 0
    if coefficient < 5 / np.sqrt(n_frames * n_sites):
        return np.nan
    return float(lags[peak] * frame_s)


def co_bursting(first_bursting, second_bursting) -> float:
    """Fraction of the frames in which a site's first cell bursts that its second cell bursts
    in too (1: they burst together; 0: one after the other); NaN without bursts.

    Examples
    --------
    >>> on = np.zeros((10, 1), bool); on[2:6] = True
    >>> float(co_bursting(on, np.roll(on, 2, axis=0)))
    0.5
    """
    frames = first_bursting.sum()
    return float((first_bursting & second_bursting).sum() / frames) if frames else np.nan


def summarise(on, off, frame_s, side, spacing_um, min_wave_sites=6, correlation_bin_s=0.1,
              near_um=150.0, far_um=500.0) -> tuple[dict, dict]:
    """Every statistic of one recording of ON and OFF cells on the same grid.

    Waves, bursts and correlations are measured on the ON cells; the mean rate on all cells;
    the ON→OFF lag (positive: ON leads) and the fraction of ON-burst time in which the site's
    OFF cell bursts too (`co_bursting`) from both.

    Parameters
    ----------
    on, off : ndarray, shape (n_frames, side * side)
        Spikes per frame of the ON and the OFF cell of each site, in real time.
    frame_s : float
        Frame length (s).
    side : int
        Grid side (sites per edge).
    spacing_um : float
        Site spacing (µm).
    min_wave_sites : int
        Smallest wave counted (sites).
    correlation_bin_s, near_um, far_um : float
        Correlation bin (s) and the near and far pair distances (µm).

    Returns
    -------
    statistics : dict
        Medians over waves, bursts or intervals, and the correlation summary (JSON-ready).
    distributions : dict of ndarray
        Per-wave speed, area and propagation direction (rad, NaN where not measured),
        intervals, and the correlation profile.
    """
    bursts, bursting = detect_bursts(on, frame_s)
    _, off_bursting = detect_bursts(off, frame_s)
    waves = find_waves(bursts, bursting, side, spacing_um, frame_s, min_wave_sites)
    intervals = interwave_intervals(bursts, waves, frame_s)
    counted = waves.burst_wave >= 0
    burst_s = bursts.n_frames[counted] * frame_s
    positions = grid_positions(side, spacing_um)
    correlation = correlation_matrix(on, frame_s, correlation_bin_s)
    profile = correlation_profile(correlation, positions, spacing_um)
    n_frames = len(on)
    independent_sd = 1 / np.sqrt(n_frames * frame_s / correlation_bin_s)
    near, far, ratio = near_far_ratio(correlation, positions, near_um, far_um, independent_sd)
    distance, value = _pairs(correlation, positions)
    statistics = {
        "duration_s": n_frames * frame_s,
        "n_waves": len(waves.area_mm2),
        "mean_rate_hz": float((on.mean(dtype=np.float64) + off.mean(dtype=np.float64))
                              / 2 / frame_s),
        "speed_um_per_s": _median(waves.speed_um_per_s),
        "wave_area_mm2": _median(waves.area_mm2),
        "interwave_interval_s": _median(intervals),
        "burst_duration_s": _median(burst_s),
        "burst_rate_hz": _median(bursts.spikes[counted] / burst_s),
        "correlation_half_distance_um": half_distance(profile),
        "near_correlation": near,
        "far_correlation": far,
        "near_far_correlation_ratio": ratio,
        "correlation_beyond_100um": _mean(value[distance > 100]),
        "independent_correlation_sd": independent_sd,
        "direction_bias": _direction_bias(waves.direction_rad),
        "on_off_lag_s": lead_lag_s(on, off, frame_s),
        "on_off_co_bursting": co_bursting(bursting, off_bursting),
    }
    distributions = {"speed_um_per_s": waves.speed_um_per_s, "wave_area_mm2": waves.area_mm2,
                     "interwave_interval_s": intervals, "burst_duration_s": burst_s,
                     "direction_rad": waves.direction_rad,
                     "correlation_distance_um": profile.distance_um,
                     "correlation": profile.correlation}
    return statistics, distributions


def _median(values) -> float:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else np.nan
