"""Input drives as plug-ins: what the retinal inputs show during the segments of one kind.

Every segment of a `Timeline` has a kind (``"waves"``, ``"gratings"``, …); each kind is served
by one `Drive`, which adds its variables and its term of the inputs' Poisson rate, the
statements it runs every stimulus frame, its namespace and any Brian2 objects of its own. The
compiled code reads which kind is showing from the schedule's per-period table
(``shows_<kind>`` is 1 while it is), so a new drive is a new `Drive` and touches no engine
code. `WaveInput` and `GratingInput` are the drives neurodev ships.
"""

from __future__ import annotations

from typing import ClassVar

import brian2 as b2
import numpy as np

from neurodev.development.models import FRAME, FRAME_IN_PERIOD
from neurodev.development.schedule import GRATINGS, WAVES, Timeline
from neurodev.development.stimuli import GratingParams
from neurodev.development.waves import WaveParams


class Drive:
    """What the inputs show during segments of `kind`. Its fragments may read the inputs'
    ``x``, ``y`` (position), ``polarity`` (+1 ON, −1 OFF) and ``shows_<kind>``."""

    kind: ClassVar[str]

    def input_model(self) -> str:
        """Model lines of the inputs (before their rate, which may use them)."""
        return ""

    def rate_term(self) -> str:
        """This drive's term of the inputs' rate (Hz)."""
        raise NotImplementedError

    def frame_statements(self) -> str:
        """Run by the inputs every stimulus frame, after the schedule is updated."""
        return ""

    def namespace(self, timeline: Timeline, frame_s: float) -> dict:
        return {}

    def initialise(self, inputs: b2.NeuronGroup, timeline: Timeline):
        """Set the drive's input variables once the inputs exist."""

    def objects(self, inputs: b2.NeuronGroup, timeline: Timeline, input_dt_s: float,
                namespace: dict) -> list:
        """Brian2 objects of the drive's own, added to the network."""
        return []

    def synaptic_events(self, timeline: Timeline) -> int:
        """Events its objects deliver over the run (for the engine's report)."""
        return 0


class WaveInput(Drive):
    """Retinal waves: each input fires at its baseline rate during wave segments, and at
    ``burst_rate_hz`` for ``burst_duration_ms`` after each of its burst onsets. An onset is
    one spike of a trigger group that sets the input's ``burst_end``, so memory grows with
    the number of bursts, not with time × cells."""

    kind = WAVES

    def __init__(self, params: WaveParams):
        self.params = params

    def input_model(self) -> str:
        return "baseline_rate : Hz\nburst_end : second\n"

    def rate_term(self) -> str:
        return f"shows_{WAVES} * baseline_rate + burst_rate * int(t < burst_end)"

    def namespace(self, timeline: Timeline, frame_s: float) -> dict:
        return {"burst_rate": self.params.burst_rate_hz * b2.Hz,
                "burst_duration": self.params.burst_duration_ms * b2.ms}

    def initialise(self, inputs: b2.NeuronGroup, timeline: Timeline):
        inputs.burst_end = -1 * b2.second
        inputs.baseline_rate = _baseline_rate(timeline) * b2.Hz

    def objects(self, inputs, timeline, input_dt_s, namespace) -> list:
        index, time = _burst_onsets(timeline, input_dt_s)
        onsets = b2.SpikeGeneratorGroup(len(inputs), index, time * b2.second, clock=inputs.clock,
                                        name="burst_onsets")
        start_burst = b2.Synapses(onsets, inputs, on_pre="burst_end_post = t + burst_duration",
                                  name="start_burst", namespace=namespace)
        start_burst.connect(j="i")
        return [onsets, start_burst]

    def synaptic_events(self, timeline: Timeline) -> int:
        return sum(len(epoch.drive.burst_input) for epoch in timeline.of_kind(WAVES))


class GratingInput(Drive):
    """Drifting sinusoidal gratings during measurement segments: ON inputs follow the
    grating's positive half, OFF inputs its negative half. Each frame sets the grating shown
    and each input's spatial phase in it as a cosine and sine, so that a time step needs no
    ``cos`` per input (cos(a − ωt) = cos a cos ωt + sin a sin ωt, with ωt the same for all
    inputs). ``grating_direction(time in the block, checkpoint)`` holds every block's
    shuffled order: its size depends on the config only."""

    kind = GRATINGS

    def __init__(self, params: GratingParams, wavelength_um: float):
        self.params, self.wavelength_um = params, wavelength_um

    def input_model(self) -> str:
        return ("grating_contrast : 1 (shared)\ngrating_cos : 1 (shared)\n"
                "grating_sin : 1 (shared)\nspatial_cos : 1\nspatial_sin : 1\n"
                "drift = spatial_cos * cos(grating_omega*t) + spatial_sin * sin(grating_omega*t) : 1\n"
                "grating = grating_contrast * clip(polarity * drift, 0, 1) : 1\n")

    def rate_term(self) -> str:
        return "grating_peak_rate * grating"

    def frame_statements(self) -> str:
        return f"""
grating_contrast = shown_contrast * shows_{GRATINGS} * int({FRAME_IN_PERIOD} % slot_frames < showing_frames)
grating_cos = cos(grating_direction({FRAME_IN_PERIOD} * frame_duration, {FRAME} // period_frames))
grating_sin = sin(grating_direction({FRAME_IN_PERIOD} * frame_duration, {FRAME} // period_frames))
spatial_cos = cos(grating_k * (x*grating_cos + y*grating_sin))
spatial_sin = sin(grating_k * (x*grating_cos + y*grating_sin))
"""

    def namespace(self, timeline: Timeline, frame_s: float) -> dict:
        g = self.params
        return {
            "slot_frames": round((g.presentation_ms + g.blank_ms) / 1000 / frame_s),
            "showing_frames": round(g.presentation_ms / 1000 / frame_s),
            "shown_contrast": g.contrast,
            "grating_direction": _grating_directions(timeline, g),
            "grating_k": 2 * np.pi / (self.wavelength_um * b2.um),
            "grating_omega": 2 * np.pi * g.temporal_frequency_hz * b2.Hz,
            "grating_peak_rate": g.peak_rate_hz * b2.Hz,
        }


def _grating_directions(timeline: Timeline, gratings: GratingParams) -> b2.TimedArray:
    """Drift direction (rad) of every presentation slot of every checkpoint, as a function of
    the time within the checkpoint and its index."""
    directions = gratings.directions_rad
    values = np.stack([directions[c.block.direction_index] for c in timeline.of_kind(GRATINGS)],
                      axis=1)
    slot = (gratings.presentation_ms + gratings.blank_ms) * b2.ms
    return b2.TimedArray(values, dt=slot, name="grating_direction")


def _baseline_rate(timeline: Timeline) -> np.ndarray:
    """Each input's rate outside bursts during wave segments (one value for every epoch)."""
    rates = [epoch.drive.baseline_rate_hz for epoch in timeline.of_kind(WAVES)]
    if any(not np.array_equal(r, rates[0]) for r in rates):
        raise ValueError("all epochs of one run must share the inputs' baseline rates")
    return rates[0]


def _burst_onsets(timeline: Timeline, dt_s: float):
    indices, times = [], []
    for epoch in timeline.of_kind(WAVES):
        indices.append(epoch.drive.burst_input)
        times.append(epoch.start_s + epoch.drive.burst_onset_s)
    index, time = np.concatenate(indices), np.concatenate(times)
    # Quantise to the time step; a site never bursts twice within one step.
    return index, np.round(time / dt_s) * dt_s
