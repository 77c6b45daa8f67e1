"""Spontaneous retinal waves from a stochastic excitable medium on the retinal grid.

Every retinal site (one ON and one OFF ganglion cell) is quiescent, bursting or recovering.
A recovered site starts a wave spontaneously at a low rate; a quiescent site is recruited at a
fixed rate once ``(bursting neighbours) × (its recovery)`` reaches a threshold; a recruited site
bursts for ``burst_duration_ms`` and then recovers slowly (``refractory_tau_s``), so waves
cannot re-enter recently active retina and stay bounded (Feller et al. 1997 Science 276:1232;
Hennig et al. 2009 J Neurosci 29:1077 use the same ingredients). The medium runs in real
developmental time; silent gaps between waves are then shortened for simulation, and both
times are reported. The presets (`WaveParams`) differ in what the ganglion cells make of the
medium's bursts (`wave_drives`); `spike_movie` samples what the engine's inputs would fire.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.ndimage import convolve, maximum_filter

from neurodev.circuits.params import ParameterError, check_choice, check_ranges, param

WAVE_PRESETS = ("wt", "stage3", "b2ko", "uncorrelated", "silent")


class WavesDieOut(ValueError):
    """The wave parameters cannot produce the waves asked for (never a blank stimulus instead)."""


@dataclass(frozen=True)
class WaveParams:
    """Retinal-wave model and the preset that reads it out; sources for each default are in README.md.

    All presets share one excitable medium (the stage-II cholinergic network) and its timing,
    so conditions differ only in what the ganglion cells do with it:

    - ``wt``: mouse stage II (P0–P11, Feller et al. 1996): the ON and the OFF cell of a site
      burst together.
    - ``stage3``: glutamatergic waves (P11–P14): ON bursts lead (Kerschensteiner & Wong 2008
      Neuron 58:851) and the ON and the OFF cell of a site are activated one after the other
      (Kerschensteiner 2016 Front Neural Circuits 10:45): each OFF burst starts
      ``stage3_off_gap_ms`` after its site's ON burst ends (0: as it ends; negative: the two
      overlap by that much).
    - ``b2ko``: β2-nAChR knockout: correlated activity persists but nearby cells are much less
      correlated than distant ones are (Xu et al. 2015 Dev Neurobiol 75:621; Stafford et al.
      2009 Neuron 64:200): activity spreads fast and far (the medium recruits at
      ``b2ko_recruitment_rate_hz``), a site joins a passing wave with probability
      ``b2ko_participation`` and its burst is delayed by a uniform random
      ``[0, b2ko_onset_jitter_ms]``.
    - ``uncorrelated``: each cell fires as a Poisson process at the mean rate it has under
      ``wt``: no spatial or temporal structure.
    - ``silent``: no activity, TTX-like.

    ``correlation`` runs ``wt`` continuously into ``uncorrelated``: each burst is kept with
    probability ``correlation`` and the spikes of the bursts dropped are spread over the
    whole development as Poisson background, so every cell keeps its mean rate (in
    expectation) at every value; 1 is ``wt``, 0 is ``uncorrelated`` (tested). Other presets
    take it at 1 only.

    A recovered site (recovery above ``seed_recovery``) bursts spontaneously at
    ``initiation_rate_per_mm2_s`` and takes along its neighbours within
    ``recruitment_radius_um`` that have recovered above ``seed_spread_recovery``: a single
    bursting site could not recruit anyone, since recruitment needs
    ``recruitment_threshold`` bursting neighbours at full recovery. A quiescent site whose
    ``(bursting neighbours) × (recovery)`` reaches the threshold is recruited at
    ``recruitment_rate_hz``.

    The medium is isotropic unless ``direction_bias`` > 0: a bursting site then drives a
    neighbour displaced from it at angle ``α`` by ``1 + direction_bias · cos(α −
    bias_direction_deg)`` instead of 1 (the same total over the neighbourhood), so fronts
    moving towards ``bias_direction_deg`` recruit faster and waves propagate preferentially
    that way, as stage-III waves do shortly before eye opening (Ge et al. 2021).
    """

    preset: str = "wt"
    frame_ms: float = param(50.0, 1, 1000)
    burst_duration_ms: float = param(1500.0, 0, 1e6, open_low=True)
    burst_rate_hz: float = param(20.0, 0, 1000, open_low=True)
    background_rate_hz: float = param(0.5, 0, 1000)
    initiation_rate_per_mm2_s: float = param(0.8, 0, 1e6, open_low=True)
    seed_recovery: float = param(0.9, 0, 1)
    seed_spread_recovery: float = param(0.5, 0, 1)
    recruitment_radius_um: float = param(100.0, 0, 1e6, open_low=True)
    recruitment_threshold: float = param(3.5, 0, 1e6, open_low=True)
    recruitment_rate_hz: float = param(4.0, 0, 1e6, open_low=True)
    refractory_tau_s: float = param(30.0, 0, 1e6, open_low=True)
    max_silent_gap_ms: float = param(500.0, 0, 1e6)
    min_wave_sites: int = param(20, 1, 1_000_000)
    stage3_off_gap_ms: float = param(0.0, -1e5, 1e5)
    b2ko_recruitment_rate_hz: float = param(15.0, 0, 1e6, open_low=True)
    b2ko_participation: float = param(0.5, 0, 1, open_low=True)
    b2ko_onset_jitter_ms: float = param(1000.0, 0, 1e5)
    direction_bias: float = param(0.0, 0, 1)
    bias_direction_deg: float = param(0.0, -360, 360)
    correlation: float = param(1.0, 0, 1)

    def __post_init__(self):
        check_choice("preset", self.preset, WAVE_PRESETS)
        check_ranges(self)
        if self.correlation < 1 and self.preset != "wt":
            raise ParameterError("correlation", self.correlation,
                                 f"1 with preset = {self.preset!r} (below 1 it runs wt towards "
                                 "uncorrelated, with preset = 'wt' only)")
        if self.stage3_off_delay_ms < 0:
            raise ParameterError("stage3_off_gap_ms", self.stage3_off_gap_ms,
                                 f"at least -burst_duration_ms = {-self.burst_duration_ms:g} "
                                 "(an OFF burst cannot start before its ON burst)")

    @property
    def stage3_off_delay_ms(self) -> float:
        """How long after its site's ON burst starts a ``stage3`` OFF burst starts (ms)."""
        return self.burst_duration_ms + self.stage3_off_gap_ms

    @property
    def medium_recruitment_rate_hz(self) -> float:
        """Recruitment rate of the medium under this preset (Hz)."""
        return self.b2ko_recruitment_rate_hz if self.preset == "b2ko" else self.recruitment_rate_hz

    @property
    def burst_delay_s(self) -> float:
        """The longest a burst starts after its site was reached by the medium (s)."""
        return {"stage3": self.stage3_off_delay_ms,
                "b2ko": self.b2ko_onset_jitter_ms}.get(self.preset, 0.0) / 1000


@dataclass(frozen=True)
class WaveEvents:
    """Burst onsets of one stretch of waves.

    Attributes
    ----------
    site : ndarray of int32
        Retinal site of each burst.
    onset_s : ndarray of float64
        Burst onset in simulated time from the start of the stretch (s).
    real_onset_s : ndarray of float64
        The same onsets in real developmental time (s).
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
    real_onset_s: np.ndarray
    wave_id: np.ndarray
    duration_s: float
    real_duration_s: float
    n_waves: int

    def in_real_time(self) -> WaveEvents:
        """The same events with silent gaps kept at their real length."""
        return replace(self, onset_s=self.real_onset_s, duration_s=self.real_duration_s)


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
        dx, dy = np.meshgrid(offsets, offsets)
        disk = np.hypot(dx, dy) <= params.recruitment_radius_um
        disk[reach, reach] = False
        self.neighbourhood = disk
        # `convolve` adds kernel entry o of each bursting site to the site displaced by o.
        self.drive_kernel = disk * (1 + params.direction_bias * np.cos(
            np.arctan2(dy, dx) - np.radians(params.bias_direction_deg)))
        self.burst_frames = max(1, round(params.burst_duration_ms / params.frame_ms))
        area_mm2 = (side * spacing_um / 1000) ** 2
        self.p_initiate = params.initiation_rate_per_mm2_s * area_mm2 / side**2 * self.frame_s
        self.p_recruit = 1 - np.exp(-params.medium_recruitment_rate_hz * self.frame_s)
        self.recovery_step = 1 - np.exp(-self.frame_s / params.refractory_tau_s)
        seed_cluster = int(disk.sum()) + 1
        if params.min_wave_sites <= seed_cluster:
            raise ParameterError("min_wave_sites", params.min_wave_sites,
                                 f"more than the {seed_cluster} sites a seed takes along at "
                                 f"{spacing_um:g} µm spacing (a wave must propagate)"
                                 ).within("waves")
        if disk.sum() < params.recruitment_threshold:
            raise WavesDieOut(
                f"retinal waves cannot propagate: a site has only {disk.sum()} neighbours within "
                f"waves.recruitment_radius_um = {params.recruitment_radius_um:g} at "
                f"{spacing_um:g} µm spacing, fewer than waves.recruitment_threshold "
                f"(= {params.recruitment_threshold:g}): raise the radius or lower the threshold")
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
        drive = convolve(bursting.astype(float), self.drive_kernel, mode="constant")
        recruit_draw = self.rng.random(drive.shape)
        quiet_draw = self.rng.random(drive.shape) if initiation_draw is None else initiation_draw
        recruited = (~bursting & (drive * self.recovery >= p.recruitment_threshold)
                     & (recruit_draw < self.p_recruit))
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

    def skip_quiet(self, chunk: int = 256) -> tuple[int, np.ndarray | None]:
        """Advance a retina with no bursting site towards the frame of its next spontaneous
        burst, by at most `chunk` frames.

        Nothing but recovery happens while the retina is quiet, and recovery is deterministic,
        so quiet frames are drawn in one vectorised chunk instead of stepped one by one.

        Returns
        -------
        skipped : int
            Frames advanced.
        initiation_draw : ndarray or None
            The uniform draws of the frame that starts a wave, for `step` to use; None if
            no wave starts within `chunk` frames.
        """
        decay = (1 - self.recovery_step) ** np.arange(chunk)[:, None]
        # Recovery at the start of each frame of the chunk, and that frame's draws.
        recovery = 1 - (1 - self.recovery.ravel()) * decay
        draws = self.rng.random((chunk, self.side**2))
        seeds = (recovery > self.params.seed_recovery) & (draws < self.p_initiate)
        found = np.flatnonzero(seeds.any(axis=1))
        quiet = int(found[0]) if len(found) else chunk
        if quiet:
            self.recovery = (1 - (1 - recovery[quiet - 1]) * (1 - self.recovery_step)
                             ).reshape(self.side, self.side)
        if not len(found):
            return quiet, None
        return quiet, draws[quiet].reshape(self.side, self.side)

    def next(self, n_waves: int) -> WaveEvents:
        """Run until `n_waves` more waves have reached ``min_wave_sites`` and the retina is quiet.

        Raises
        ------
        WavesDieOut
            If waves keep dying out before reaching ``min_wave_sites`` sites.
        """
        patience = self._patience_frames
        events = self._run(lambda frame, waves: waves >= n_waves,
                           lambda frame, progress: frame - progress > patience)
        if events.n_waves < n_waves:
            raise WavesDieOut(self._die_out_message(
                f"only {events.n_waves} of {n_waves} waves reached waves.min_wave_sites = "
                f"{self.params.min_wave_sites} sites in {events.real_duration_s:.0f} s"))
        return self._at_rest(events)

    def for_duration(self, duration_s: float) -> WaveEvents:
        """Run for `duration_s` of real time (then until the retina is quiet).

        Raises
        ------
        WavesDieOut
            If not one wave reaches ``min_wave_sites`` sites.
        """
        n_frames = round(duration_s / self.frame_s)
        patience = self._patience_frames
        events = self._run(lambda frame, waves: frame >= n_frames,
                           lambda frame, progress: frame - n_frames > patience)
        if not events.n_waves:
            raise WavesDieOut(self._die_out_message(
                f"no wave reached waves.min_wave_sites = {self.params.min_wave_sites} sites in "
                f"{duration_s:g} s"))
        return self._at_rest(events)

    def _at_rest(self, events: WaveEvents) -> WaveEvents:
        """`events`, if the retina came to rest at their end.

        Raises
        ------
        WavesDieOut
            If activity went on for the whole patience after the waves asked for: sites
            that recover in milliseconds burst again and again, which is no wave.
        """
        if self.frames_left.any():
            raise WavesDieOut(
                f"retinal activity never comes to rest ({self._patience_frames * self.frame_s:g} "
                f"s after the last wave asked for): raise waves.refractory_tau_s "
                f"(= {self.params.refractory_tau_s:g}) or lower waves.recruitment_rate_hz "
                f"(= {self.params.recruitment_rate_hz:g})")
        return events

    @property
    def _patience_frames(self) -> float:
        """Frames without a new wave after which the medium is taken to have died out (or,
        once a stretch is over, to never come to rest): 20 recovery time constants, at
        least 10 minutes and at most an hour of retinal time (waves recur every minute or
        two; one that takes an hour to come back is no wave model)."""
        return min(max(600.0, 20 * self.params.refractory_tau_s), 3600.0) / self.frame_s

    def _die_out_message(self, reason: str) -> str:
        """`reason`, why (no wave started, sites did not recover, or waves did not spread)
        and the keys that change it."""
        p = self.params
        if not self.started_waves:
            cause = (f"hardly any wave starts: raise waves.initiation_rate_per_mm2_s "
                     f"(= {p.initiation_rate_per_mm2_s:g}) or lower waves.seed_recovery "
                     f"(= {p.seed_recovery:g})")
        elif self.recovery.mean() < p.seed_spread_recovery:
            cause = (f"the retina does not recover between waves (mean recovery "
                     f"{self.recovery.mean():.2f}): lower waves.refractory_tau_s "
                     f"(= {p.refractory_tau_s:g})")
        else:
            rate_key = "b2ko_recruitment_rate_hz" if p.preset == "b2ko" else "recruitment_rate_hz"
            cause = (f"waves do not spread: raise waves.{rate_key} "
                     f"(= {p.medium_recruitment_rate_hz:g}) or waves.recruitment_radius_um "
                     f"(= {p.recruitment_radius_um:g}), or lower waves.recruitment_threshold "
                     f"(= {p.recruitment_threshold:g}) or waves.min_wave_sites")
        return f"retinal waves die out: {reason}; {cause}"

    @property
    def started_waves(self) -> int:
        """Waves started so far, whether or not they grew to ``min_wave_sites``."""
        return len(self.wave_sizes)

    def _run(self, done, give_up) -> WaveEvents:
        """Step until ``done(frame, counted_waves)`` holds on a quiet retina, or until
        ``give_up(frame, frame_of_the_last_new_wave)``."""
        p = self.params
        first_label = len(self.wave_sizes)
        sites, frames, busy = [np.zeros(0, int)], [np.zeros(0, int)], [np.zeros(0, bool)]
        labels = [np.zeros(0, int)]
        frame = counted = progress = 0
        while not give_up(frame, progress):
            initiation_draw = None
            if not self.frames_left.any():
                if done(frame, counted):
                    break
                while initiation_draw is None and not give_up(frame, progress):
                    quiet, initiation_draw = self.skip_quiet()
                    busy.append(np.zeros(quiet, dtype=bool))
                    frame += quiet
                # No wave within patience, or the stretch ends before the next wave.
                if initiation_draw is None or done(frame, counted):
                    break
            new = self.step(initiation_draw)
            sites.append(new)
            labels.append(self.label.flat[new])  # the wave each site joins now
            frames.append(np.full(len(new), frame))
            busy.append(np.array([self.frames_left.any()]))
            frame += 1
            now_counted = np.count_nonzero(self.wave_sizes[first_label:] >= p.min_wave_sites)
            # Progress is a new wave while more are needed: once enough have formed, the
            # retina has `give_up`'s patience to come to rest.
            if now_counted > counted and not done(frame, counted):
                progress = frame
            counted = now_counted
        sites, frames, busy = np.concatenate(sites), np.concatenate(frames), np.concatenate(busy)
        labels = np.concatenate(labels)
        frame_sim_s = compressed_frame_times(busy, self.frame_s, p.max_silent_gap_ms / 1000)
        jitter = self.rng.uniform(0, self.frame_s, len(frames))
        # Two frames of margin: onsets are jittered within their frame and the last burst ends.
        margin = 2 * self.frame_s
        return WaveEvents(sites.astype(np.int32), frame_sim_s[frames] + jitter,
                          frames * self.frame_s + jitter, labels.astype(np.int32),
                          float(frame_sim_s[-1] + margin), len(busy) * self.frame_s + margin,
                          int(counted))


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


def wave_drives(epochs: list[WaveEvents], params: WaveParams, n_sites: int, rng) -> list[WaveDrive]:
    """Turn the wave events of successive epochs into the input drive of the preset in `params`.

    Inputs ``k < n_sites`` are the ON cells of the sites, ``n_sites + k`` the OFF cells.
    ``wt``: every burst reaches the ON and the OFF cell of its site at the same time.
    ``stage3``: the OFF cell's burst starts ``stage3_off_delay_ms`` after the ON cell's
    (``stage3_off_gap_ms`` after it ends).
    ``b2ko``: each burst is kept with probability ``b2ko_participation`` and delayed by a
    uniform ``[0, b2ko_onset_jitter_ms]``, the same for the site's ON and OFF cell.
    ``uncorrelated``: no bursts; each input fires at the constant mean rate it has under
    ``wt`` over the whole development. ``silent``: no bursts and no background.
    ``wt`` with ``correlation`` < 1: each burst kept with that probability, alike for the
    site's ON and OFF cell, and the share of the burst rate dropped added to the background.
    Epochs last as long as their waves plus the preset's longest burst delay.
    """
    n_inputs = 2 * n_sites
    baseline = np.full(n_inputs, params.background_rate_hz)
    spread = 1.0 if params.preset == "uncorrelated" else 1 - params.correlation
    if spread:
        bursts = np.bincount(np.concatenate([e.site for e in epochs]), minlength=n_sites)
        burst_time = bursts * params.burst_duration_ms / 1000 / sum(e.duration_s for e in epochs)
        baseline = baseline + spread * params.burst_rate_hz * np.tile(burst_time, 2)
    elif params.preset == "silent":
        baseline = np.zeros(n_inputs)
    return [_drive(events, params, baseline.astype(np.float32), n_sites, rng) for events in epochs]


def _drive(events: WaveEvents, params: WaveParams, baseline, n_sites: int, rng) -> WaveDrive:
    site, on_onset = events.site, events.onset_s
    off_onset = on_onset
    if params.preset == "stage3":
        off_onset = on_onset + params.stage3_off_delay_ms / 1000
    elif params.correlation < 1:  # wt only (`WaveParams` refuses it elsewhere)
        kept = rng.random(len(site)) < params.correlation
        site, on_onset = site[kept], on_onset[kept]
        off_onset = on_onset
    elif params.preset == "b2ko":
        kept = rng.random(len(site)) < params.b2ko_participation
        site = site[kept]
        on_onset = off_onset = on_onset[kept] + rng.uniform(0, params.b2ko_onset_jitter_ms / 1000,
                                                            kept.sum())
    elif params.preset in ("uncorrelated", "silent"):
        site, on_onset = site[:0], on_onset[:0]
        off_onset = on_onset
    return WaveDrive(np.concatenate([site, site + n_sites]).astype(np.int32),
                     np.concatenate([on_onset, off_onset]), baseline,
                     events.duration_s + params.burst_delay_s, events.real_duration_s, events.n_waves)


def spike_movie(drive: WaveDrive, params: WaveParams, frame_s: float, rng,
                chunk_frames: int = 2048) -> np.ndarray:
    """Poisson spike counts of every input, frame by frame, as the engine would draw them.

    Each frame's expected count is the baseline rate plus ``burst_rate_hz`` over the part of
    the frame that a burst covers.

    Returns
    -------
    ndarray of uint8, shape (ceil(duration / frame), n_inputs)
        Counts per frame (clipped at 255, far above any burst rate × frame used here).
    """
    n_frames = int(np.ceil(drive.duration_s / frame_s - 1e-9))
    n_inputs = len(drive.baseline_rate_hz)
    burst_s = params.burst_duration_ms / 1000
    order = np.argsort(drive.burst_onset_s, kind="stable")
    onset, target = drive.burst_onset_s[order], drive.burst_input[order]
    movie = np.empty((n_frames, n_inputs), dtype=np.uint8)
    for first in range(0, n_frames, chunk_frames):
        last = min(first + chunk_frames, n_frames)
        expected = np.tile(drive.baseline_rate_hz.astype(np.float32) * frame_s, (last - first, 1))
        lo, hi = np.searchsorted(onset, [first * frame_s - burst_s, last * frame_s])
        for start, cell in zip(onset[lo:hi], target[lo:hi], strict=True):
            a = max(int(start // frame_s), first)
            b = min(int(np.ceil((start + burst_s) / frame_s)), last)
            edges = np.arange(a, b + 1) * frame_s
            covered = np.minimum(edges[1:], start + burst_s) - np.maximum(edges[:-1], start)
            expected[a - first:b - first, cell] += params.burst_rate_hz * np.clip(covered, 0, None)
        movie[first:last] = np.minimum(rng.poisson(expected), 255)
    return movie
