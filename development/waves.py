"""Spontaneous retinal waves from a stochastic excitable medium on the retinal grid.

Every retinal site (one ON and one OFF ganglion cell) is quiescent, bursting or recovering.
A recovered site starts a wave spontaneously at a low rate; a quiescent site is recruited with
a fixed probability per frame once ``(bursting neighbours) × (its recovery)`` reaches a
threshold; a recruited site bursts for ``burst_duration_ms`` and then recovers slowly
(``refractory_tau_s``), so waves cannot re-enter recently active retina and stay bounded
(Feller et al. 1997 Science 276:1232; Hennig et al. 2009 J Neurosci 29:1077 use the same
ingredients). The medium runs in real developmental time; silent gaps between waves are then
shortened for simulation, and both times are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import convolve, maximum_filter

from circuits.params import check_choice, check_fields

WAVE_PRESETS = ("wt", "uncorrelated", "silent")


@dataclass(frozen=True)
class WaveParams:
    """Retinal-wave model; sources and reasons for each default are in README.md.

    ``preset``: ``wt`` (stage II, ON and OFF burst together), ``uncorrelated`` (each cell fires
    as a Poisson process at the mean rate it has under ``wt``; no spatial or temporal
    structure), ``silent`` (no activity, TTX-like). All presets last as long as ``wt`` would.

    A recovered site (recovery above ``seed_recovery``) bursts spontaneously at
    ``initiation_rate_per_mm2_s`` and takes along its neighbours within
    ``recruitment_radius_um`` that have recovered above ``seed_spread_recovery``: a single
    bursting site could not recruit anyone, since recruitment needs
    ``recruitment_threshold`` bursting neighbours at full recovery.
    """

    preset: str = "wt"
    frame_ms: float = 50.0
    burst_duration_ms: float = 1000.0
    burst_rate_hz: float = 25.0
    background_rate_hz: float = 0.5
    initiation_rate_per_mm2_s: float = 0.1
    seed_recovery: float = 0.9
    seed_spread_recovery: float = 0.5
    recruitment_radius_um: float = 75.0
    recruitment_threshold: float = 2.0
    recruitment_probability: float = 0.15
    refractory_tau_s: float = 40.0
    max_silent_gap_ms: float = 500.0
    min_wave_sites: int = 6

    def __post_init__(self):
        check_choice("preset", self.preset, WAVE_PRESETS)
        positive = (0, 1e6, {"open_low": True})
        check_fields(
            self, frame_ms=(1, 1000), burst_duration_ms=positive, burst_rate_hz=(0, 1000),
            background_rate_hz=(0, 1000), initiation_rate_per_mm2_s=positive,
            seed_recovery=(0, 1), seed_spread_recovery=(0, 1),
            recruitment_radius_um=positive, recruitment_threshold=positive,
            recruitment_probability=(0, 1, {"open_low": True}), refractory_tau_s=positive,
            max_silent_gap_ms=(0, 1e6), min_wave_sites=(1, 1_000_000),
        )


@dataclass(frozen=True)
class WaveEvents:
    """Burst onsets of one stretch of waves.

    Attributes
    ----------
    site : ndarray of int32
        Retinal site of each burst.
    onset_s : ndarray of float64
        Burst onset in simulated time from the start of the stretch (s).
    wave_id : ndarray of int32
        Wave each burst belongs to.
    duration_s : float
        Simulated duration of the stretch, after silent gaps were shortened (s).
    real_duration_s : float
        The same stretch in real developmental time (s).
    n_waves : int
        Waves that started in the stretch and reached ``min_wave_sites`` sites.
    """

    site: np.ndarray
    onset_s: np.ndarray
    wave_id: np.ndarray
    duration_s: float
    real_duration_s: float
    n_waves: int


@dataclass(frozen=True)
class WaveDrive:
    """What the input cells receive during one wave epoch, ready for the engine.

    ``burst_input`` and ``burst_onset_s`` list burst onsets (input index, simulated time from
    the epoch start); ``baseline_rate_hz`` is each input's Poisson rate outside bursts.
    """

    burst_input: np.ndarray
    burst_onset_s: np.ndarray
    baseline_rate_hz: np.ndarray
    duration_s: float
    real_duration_s: float
    n_waves: int


class RetinalWaves:
    """The excitable medium; each call of `next` continues where the last one stopped.

    Parameters
    ----------
    side : int
        Retinal grid side (sites per edge).
    spacing_um : float
        Distance between neighbouring sites (µm).
    params : WaveParams
        Model parameters.
    rng : numpy.random.Generator
        The only source of randomness.
    """

    def __init__(self, side: int, spacing_um: float, params: WaveParams, rng):
        self.side, self.params, self.rng = side, params, rng
        self.frame_s = params.frame_ms / 1000
        reach = int(params.recruitment_radius_um // spacing_um)
        offsets = np.arange(-reach, reach + 1) * spacing_um
        disk = np.hypot(*np.meshgrid(offsets, offsets)) <= params.recruitment_radius_um
        disk[reach, reach] = False
        self.neighbourhood = disk
        self.burst_frames = max(1, round(params.burst_duration_ms / params.frame_ms))
        area_mm2 = (side * spacing_um / 1000) ** 2
        self.p_initiate = params.initiation_rate_per_mm2_s * area_mm2 / side**2 * self.frame_s
        self.recovery_step = 1 - np.exp(-self.frame_s / params.refractory_tau_s)
        self.frames_left = np.zeros((side, side), dtype=np.int32)
        self.recovery = rng.uniform(0, 1, (side, side))
        self.label = np.full((side, side), -1, dtype=np.int64)
        self.wave_sizes = np.zeros(0, dtype=int)

    def step(self, initiation_draw: np.ndarray | None = None) -> np.ndarray:
        """Advance the medium by one frame; return the flat indices of sites that start bursting.

        `initiation_draw` (uniform draws per site) decides spontaneous initiation; drawn here
        if not given.
        """
        p = self.params
        bursting = self.frames_left > 0
        drive = convolve(bursting.astype(float), self.neighbourhood.astype(float), mode="constant")
        recruit_draw = self.rng.random(drive.shape)
        quiet_draw = self.rng.random(drive.shape) if initiation_draw is None else initiation_draw
        recruited = (~bursting & (drive * self.recovery >= p.recruitment_threshold)
                     & (recruit_draw < p.recruitment_probability))
        # A spontaneous burst takes its recovered neighbourhood along at once: a wave's seed.
        seeds = ~bursting & (self.recovery > p.seed_recovery) & (quiet_draw < self.p_initiate)
        seed_label = np.full(seeds.shape, -1)
        seed_label[seeds] = len(self.wave_sizes) + np.arange(seeds.sum())
        near_seed = self._nearest_label(seed_label)
        seeded = ~bursting & (near_seed >= 0) & (self.recovery > p.seed_spread_recovery)
        new = recruited | seeds | seeded
        # Recruited sites join the wave of a bursting neighbour; seeded ones their seed's wave.
        label = np.where(recruited, self._nearest_label(np.where(bursting, self.label, -1)),
                         np.where(seeds, seed_label, near_seed))
        self.wave_sizes = np.concatenate([self.wave_sizes, np.zeros(seeds.sum(), dtype=int)])
        np.add.at(self.wave_sizes, label[new], 1)
        self.label = np.where(new, label, self.label)
        self.frames_left = np.where(new, self.burst_frames, np.maximum(self.frames_left - 1, 0))
        self.recovery = np.where(new, 0.0, self.recovery + (1 - self.recovery) * self.recovery_step)
        return np.flatnonzero(new)

    def _nearest_label(self, labels: np.ndarray) -> np.ndarray:
        """The largest label (≥ 0) among each site's neighbours, −1 where there is none."""
        return maximum_filter(labels, footprint=self.neighbourhood, mode="constant", cval=-1)

    def skip_quiet(self, chunk: int = 256) -> tuple[int, np.ndarray]:
        """Advance a retina with no bursting site to the frame of its next spontaneous burst.

        Nothing but recovery happens while the retina is quiet, and recovery is deterministic,
        so quiet frames are drawn in vectorised chunks instead of stepped one by one.

        Returns
        -------
        skipped : int
            Frames advanced.
        initiation_draw : ndarray
            The uniform draws of the frame that starts a wave, for `step` to use.
        """
        decay = (1 - self.recovery_step) ** np.arange(chunk)[:, None]
        skipped = 0
        while True:
            # Recovery at the start of each frame of the chunk, and that frame's draws.
            recovery = 1 - (1 - self.recovery.ravel()) * decay
            draws = self.rng.random((chunk, self.side**2))
            seeds = (recovery > self.params.seed_recovery) & (draws < self.p_initiate)
            found = np.flatnonzero(seeds.any(axis=1))
            quiet = int(found[0]) if len(found) else chunk
            if quiet:
                self.recovery = (1 - (1 - recovery[quiet - 1]) * (1 - self.recovery_step)
                                 ).reshape(self.side, self.side)
            skipped += quiet
            if len(found):
                return skipped, draws[quiet].reshape(self.side, self.side)

    def next(self, n_waves: int) -> WaveEvents:
        """Run until `n_waves` more waves have reached ``min_wave_sites`` and the retina is quiet.

        Raises
        ------
        ValueError
            If waves keep dying out before reaching ``min_wave_sites`` (the parameters cannot
            produce the requested waves; a blank stimulus is never returned instead).
        """
        p = self.params
        first_label = len(self.wave_sizes)
        expected_frames = n_waves / (self.p_initiate * self.side**2)
        sites, frames, busy = [], [], []
        frame = 0
        while True:
            initiation_draw = None
            if not self.frames_left.any():
                quiet, initiation_draw = self.skip_quiet()
                busy.append(np.zeros(quiet, dtype=bool))
                frame += quiet
            new = self.step(initiation_draw)
            sites.append(new)
            frames.append(np.full(len(new), frame))
            busy.append(np.array([self.frames_left.any()]))
            frame += 1
            done = np.count_nonzero(self.wave_sizes[first_label:] >= p.min_wave_sites) >= n_waves
            if done and not busy[-1][0]:
                break
            if frame > 20 * expected_frames + 1000:
                raise ValueError(
                    f"retinal waves die out: fewer than {n_waves} waves reached min_wave_sites = "
                    f"{p.min_wave_sites} sites; raise waves.recruitment_probability "
                    f"(= {p.recruitment_probability}) or lower waves.recruitment_threshold "
                    f"(= {p.recruitment_threshold})")
        sites, frames = np.concatenate(sites), np.concatenate(frames)
        frame_sim_s = compressed_frame_times(np.concatenate(busy), self.frame_s,
                                             p.max_silent_gap_ms / 1000)
        onset = frame_sim_s[frames] + self.rng.uniform(0, self.frame_s, len(frames))
        labels = self.label.flat[sites]  # the site's label is still the wave it joined
        counted = np.count_nonzero(self.wave_sizes[first_label:] >= p.min_wave_sites)
        # Two frames of margin: onsets are jittered within their frame and the last burst ends.
        return WaveEvents(sites.astype(np.int32), onset, labels.astype(np.int32),
                          float(frame_sim_s[-1] + 2 * self.frame_s), frame * self.frame_s, counted)


def compressed_frame_times(busy: np.ndarray, frame_s: float, max_gap_s: float) -> np.ndarray:
    """Simulated start time of every frame once silent gaps are cut to `max_gap_s`.

    Parameters
    ----------
    busy : ndarray of bool, shape (n_frames,)
        Whether any site bursts during each frame.
    frame_s, max_gap_s : float
        Frame length and the longest silent stretch that is kept (s).

    Examples
    --------
    >>> compressed_frame_times(np.array([1, 0, 0, 0, 1], bool), 1.0, 1.0)
    array([0., 1., 2., 2., 2.])
    """
    silent_run = np.zeros(len(busy), dtype=int)
    for k in range(len(busy)):
        silent_run[k] = 0 if busy[k] else (silent_run[k - 1] + 1 if k else 1)
    kept = silent_run <= round(max_gap_s / frame_s)
    return np.concatenate([[0.0], np.cumsum(kept[:-1]) * frame_s])


def wave_drives(epochs: list[WaveEvents], params: WaveParams, n_sites: int) -> list[WaveDrive]:
    """Turn the wave events of successive epochs into the input drive of the preset in `params`.

    ``wt``: every burst reaches the ON and the OFF cell of its site at the same time.
    ``uncorrelated``: no bursts; each input fires at the constant mean rate it has under
    ``wt`` over the whole development.
    ``silent``: no bursts and no background.
    """
    n_inputs = 2 * n_sites
    baseline = np.full(n_inputs, params.background_rate_hz)
    if params.preset == "uncorrelated":
        bursts = np.bincount(np.concatenate([e.site for e in epochs]), minlength=n_sites)
        burst_time = bursts * params.burst_duration_ms / 1000 / sum(e.duration_s for e in epochs)
        baseline = baseline + params.burst_rate_hz * np.tile(burst_time, 2)
    elif params.preset == "silent":
        baseline = np.zeros(n_inputs)
    return [_drive(events, params.preset == "wt", baseline, n_sites) for events in epochs]


def _drive(events: WaveEvents, bursting: bool, baseline: np.ndarray, n_sites: int) -> WaveDrive:
    site, onset = (events.site, events.onset_s) if bursting else (np.zeros(0, int), np.zeros(0))
    return WaveDrive(np.concatenate([site, site + n_sites]).astype(np.int32),
                     np.concatenate([onset, onset]), baseline.astype(np.float32),
                     events.duration_s, events.real_duration_s, events.n_waves)


def rate_movie(events: WaveEvents, params: WaveParams, n_sites: int, frame_s: float) -> np.ndarray:
    """Firing rate of every site's ganglion cells, frame by frame, under ``wt`` (Hz, float32).

    Returns
    -------
    ndarray, shape (n_frames, n_sites)
        Background rate plus ``burst_rate_hz`` while a burst covers any part of the frame.
    """
    n_frames = int(np.ceil(events.duration_s / frame_s))
    movie = np.full((n_frames, n_sites), params.background_rate_hz, dtype=np.float32)
    first = (events.onset_s // frame_s).astype(int)
    last = np.minimum(((events.onset_s + params.burst_duration_ms / 1000) // frame_s).astype(int),
                      n_frames - 1)
    for k in range(int((last - first).max(initial=0)) + 1):
        covered = first + k <= last
        movie[first[covered] + k, events.site[covered]] = params.background_rate_hz + params.burst_rate_hz
    return movie
