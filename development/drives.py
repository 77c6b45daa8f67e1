"""Input drives as plug-ins: what the retinal inputs show during the segments of one kind.

Every segment of a `Timeline` has a kind (``"waves"``, ``"gratings"``, …); each kind is served
by one `Drive`, which adds its variables and its term of the inputs' Poisson rate, the
statements it runs every stimulus frame, its namespace and any Brian2 objects of its own. The
compiled code reads which kind is showing from the schedule's per-period table
(``shows_<kind>`` is 1 while it is), so a new drive is a new `Drive` and touches no engine
code. Drives of one kind share its segments: a checkpoint (`MEASUREMENT`) shows gratings
(`GratingInput`), then the noise that maps receptive fields (`NoiseInput`). `WaveInput` and
`VisionInput` drive development.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import brian2 as b2
import numpy as np

from neurodev.development import vision
from neurodev.development.models import (
    FRAME,
    FRAME_IN_PERIOD,
    add_to_namespace,
    python_functions,
    runtime_mode,
)
from neurodev.development.schedule import MEASUREMENT, VISION, WAVES, Timeline
from neurodev.development.stimuli import GratingParams, NoiseBlock
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

    def shared_frame_statements(self) -> str:
        """Run by the inputs every stimulus frame, after the schedule is updated, in the
        order of the drives: statements on shared variables only (Brian2 wants every write to
        a shared variable of the block before the first write to a per-input one, so every
        drive's run before any drive's `frame_statements`)."""
        return ""

    def frame_statements(self) -> str:
        """Run by the inputs every stimulus frame, after every drive's
        `shared_frame_statements`, in the order of the drives."""
        return ""

    def namespace(self, timeline: Timeline, frame_s: float, input_dt_s: float) -> dict:
        return {}

    def initialise(self, inputs: b2.NeuronGroup, timeline: Timeline, positions_um: np.ndarray):
        """Set the drive's input variables once the inputs exist (at `positions_um`, one
        row of x, y per input: compiled, their values cannot be read back before the run)."""

    def objects(self, inputs: b2.NeuronGroup, timeline: Timeline, input_dt_s: float,
                namespace: dict) -> list:
        """Brian2 objects of the drive's own, added to the network."""
        return []

    def write_files(self, timeline: Timeline, input_dt_s: float, directory: Path):
        """Write what the compiled program reads as it runs (its working directory is
        `directory`), for input too large to hold in its memory."""

    def response_window(self) -> str | None:
        """If the drive probes responses with periodic stimuli: an integer expression (of the
        schedule and ``shows_<kind>``, evaluated every frame) that is 0 while no response
        window is open and differs between consecutive windows; the namespace then defines
        ``window_omega``, the angular frequency of the phase sums (`neurodev.development.recorders`)."""
        return None

    def count_window(self) -> str | None:
        """If the drive probes responses frame by frame: an expression as `response_window`'s,
        whose windows' spikes are counted, without phase sums."""
        return None


class WaveInput(Drive):
    """Retinal waves: each input fires at its epoch's baseline rate during wave segments
    (``wave_baseline``, a table of every period and input: epochs of different presets have
    different baselines), and at ``burst_rate_hz`` for ``burst_duration_ms`` after each
    of its burst onsets.

    The compiled program reads the onsets from a file as simulated time reaches them
    (`BURST_ONSETS`, written by `write_files`), so its memory does not grow with the number
    of waves; every input step, after the inputs' thresholds (as a spike delivered to them
    would), one call sets ``burst_end`` of the inputs whose onset it is, and no other."""

    kind = WAVES

    def __init__(self, params: WaveParams):
        self.params = params

    def input_model(self) -> str:
        return "burst_end : second\nbursts_started : 1 (shared)\n"

    def rate_term(self) -> str:
        # The period from the frame and the schedule's period_frames (a variable, not a
        # constant: a constant's value would be compiled in, and periods vary with the waves).
        return (f"shows_{WAVES} * wave_baseline(({FRAME} // period_frames) * second, i)"
                " + burst_rate * int(t < burst_end)")

    def namespace(self, timeline: Timeline, frame_s: float, input_dt_s: float) -> dict:
        return {"burst_rate": self.params.burst_rate_hz * b2.Hz,
                "burst_duration": self.params.burst_duration_ms * b2.ms,
                "burst_step": input_dt_s * b2.second,
                "wave_baseline": _baseline_rates(timeline)}

    def initialise(self, inputs: b2.NeuronGroup, timeline: Timeline, positions_um: np.ndarray):
        inputs.burst_end = -1 * b2.second

    def objects(self, inputs, timeline, input_dt_s, namespace) -> list:
        add_to_namespace(inputs, {"start_bursts": _burst_starter(
            inputs, *_burst_onsets(timeline, input_dt_s))})
        # A statement on a shared variable: Brian2 runs it once per step, not per input.
        inputs.run_regularly(
            "bursts_started = start_bursts(t, burst_step, burst_duration)",
            clock=inputs.clock, when="synapses", name="start_bursts", **python_functions())
        return []

    def write_files(self, timeline: Timeline, input_dt_s: float, directory: Path):
        steps, index = _burst_onsets(timeline, input_dt_s)
        np.column_stack([steps, index]).astype(np.int32).tofile(directory / BURST_ONSETS)


class VisionInput(Drive):
    """Visual experience after eye opening (`neurodev.development.vision`): the eyes' movie of
    fixations through the ganglion cells' front end.

    The spatial part is done once: every image the eyes see, filtered by the cells'
    centre–surround field, is one table (``vision_scene``, pixel by pixel, read as a
    one-dimensional `TimedArray`). Each frame sets ``vision_signal``, the table's value at the
    input's position under the frame's gaze (``vision_gaze_*``, one value per frame of the
    whole run); each input step the temporal filter (``vision_fast``, ``vision_slow``) follows
    it, integrated exactly. ON inputs fire at ``spontaneous + gain · [r]₊``, OFF inputs at
    ``spontaneous + gain · [−r]₊`` (at most ``max_rate``) while vision is shown."""

    kind = VISION

    def __init__(self, front_end: vision.FrontEndParams, experience: vision.ExperienceParams,
                 frame_s: float, seed: int):
        self.front_end, self.experience = front_end, experience
        self.frame_s, self.seed = frame_s, seed

    def input_model(self) -> str:
        return _filtered_signal_model("vision")

    def rate_term(self) -> str:
        return _filtered_signal_rate(f"shows_{VISION}", "vision")

    def frame_statements(self) -> str:
        frame = f"{FRAME} * frame_duration"

        def pixel_along(axis):
            return (f"clip(int(({axis} - vision_{axis}0 + vision_gaze_{axis}({frame})) / vision_pixel"
                    " + 0.5), 0, vision_side - 1)")

        pixel = (f"(vision_gaze_image({frame}) * vision_side + {pixel_along('y')}) * vision_side"
                 f" + {pixel_along('x')}")
        return f"vision_signal = shows_{VISION} * vision_scene(({pixel}) * second)\n"

    def namespace(self, timeline: Timeline, frame_s: float, input_dt_s: float) -> dict:
        return {**_filtered_signal_namespace("vision", self.front_end),
                "vision_pixel": self.experience.image_pixel_um * b2.um,
                "vision_side": vision.IMAGE_SIDE_PX}

    def initialise(self, inputs: b2.NeuronGroup, timeline: Timeline, positions_um: np.ndarray):
        scene, gaze, origin = self.movie(timeline, positions_um)
        frame = self.frame_s * b2.second
        add_to_namespace(inputs, {
            "vision_scene": b2.TimedArray(scene.ravel(), dt=1 * b2.second, name="vision_scene"),
            "vision_gaze_image": b2.TimedArray(gaze.image.astype(float), dt=frame,
                                               name="vision_gaze_image"),
            "vision_gaze_x": b2.TimedArray(gaze.x_um * b2.um, dt=frame, name="vision_gaze_x"),
            "vision_gaze_y": b2.TimedArray(gaze.y_um * b2.um, dt=frame, name="vision_gaze_y"),
            "vision_x0": origin[0] * b2.um, "vision_y0": origin[1] * b2.um})

    def movie(self, timeline: Timeline, positions_um: np.ndarray):
        """The filtered scene table, the gaze of every frame of `timeline` and the retina's
        origin (µm): what `initialise` hands the compiled code."""
        origin = positions_um.min(axis=0)
        extent = float((positions_um.max(axis=0) - origin).max())
        seen = vision.seen_images(self.experience, vision.photographs())
        scene = vision.dog_filtered(seen, self.front_end, self.experience.image_pixel_um)
        n_frames = round(timeline.duration_s / self.frame_s)
        gaze = vision.fixations(self.experience, len(scene), extent, n_frames, self.frame_s,
                                np.random.default_rng(self.seed))
        return scene, gaze, origin


class GratingInput(Drive):
    """Drifting sinusoidal gratings during measurement segments, through the visual front end:
    ON inputs follow the grating's positive half, OFF inputs its negative half, at the front
    end's spontaneous rate plus its gain times its transfer at the grating's spatial and
    temporal frequency (the steady state: the filter's onset transient, a tenth of a second of
    each presentation, is left out; blanks are mean luminance). Each frame sets the grating
    shown (its condition: direction and wavelength), its contrast after the front end and each
    input's spatial phase in it as a cosine and sine, so that a time step needs no ``cos`` per
    input (cos(a − ωt) = cos a cos ωt + sin a sin ωt, with ωt the same for all inputs); the
    phases are looked up in a table of every condition and input
    (``grating_spatial_cos(condition * second, i)``, a two-dimensional `TimedArray` read as a
    table), since a ``cos`` and a ``sin`` per input and frame were 7 % of a run.
    ``grating_condition(time in the block, checkpoint)`` holds every block's shuffled order:
    its size depends on the config only. Gratings take the first ``grating_frames`` of a
    checkpoint (``grating_shown`` is 1 while they do)."""

    kind = MEASUREMENT

    def __init__(self, params: GratingParams, front_end: vision.FrontEndParams):
        self.params, self.front_end = params, front_end

    def input_model(self) -> str:
        return ("grating_shown : 1 (shared)\ngrating_contrast : 1 (shared)\n"
                "grating_index : 1 (shared)\n"
                "spatial_cos : 1\nspatial_sin : 1\n"
                "drift = spatial_cos * cos(grating_omega*t) + spatial_sin * sin(grating_omega*t) : 1\n"
                "grating = grating_contrast * clip(polarity * drift, 0, 1) : 1\n")

    def rate_term(self) -> str:
        return _front_end_rate("grating_shown", "grating", "grating")

    def response_window(self) -> str:
        """Each presentation (not its blank) is a window, numbered within its checkpoint."""
        return (f"{_GRATINGS_SHOWN} * int({FRAME_IN_PERIOD} % slot_frames < showing_frames)"
                f" * (1 + {FRAME_IN_PERIOD} // slot_frames)")

    def shared_frame_statements(self) -> str:
        return f"""
grating_shown = {_GRATINGS_SHOWN}
grating_index = grating_condition({FRAME_IN_PERIOD} * frame_duration, {FRAME} // period_frames)
grating_contrast = grating_transfer(grating_index * second) * grating_shown
grating_contrast *= int({FRAME_IN_PERIOD} % slot_frames < showing_frames)
"""

    def frame_statements(self) -> str:
        return """
spatial_cos = grating_spatial_cos(grating_index * second, i)
spatial_sin = grating_spatial_sin(grating_index * second, i)
"""

    def initialise(self, inputs: b2.NeuronGroup, timeline: Timeline, positions_um: np.ndarray):
        g = self.params
        phase = np.concatenate([_spatial_phases(g.directions_rad, positions_um, wavelength)
                                for wavelength in g.wavelengths_um])
        add_to_namespace(inputs, {
            f"grating_spatial_{name}": b2.TimedArray(values, dt=1 * b2.second,
                                                     name=f"grating_spatial_{name}")
            for name, values in (("cos", np.cos(phase)), ("sin", np.sin(phase)))})

    def namespace(self, timeline: Timeline, frame_s: float, input_dt_s: float) -> dict:
        g = self.params
        omega = 2 * np.pi * g.temporal_frequency_hz * b2.Hz
        # The contrast that reaches the rectifier, per condition (direction-major within
        # each wavelength, as `_grating_conditions` numbers them).
        transfer = self.front_end.transfer(2 * np.pi / np.asarray(g.wavelengths_um),
                                           2 * np.pi * g.temporal_frequency_hz)
        contrast = np.repeat(g.contrast * transfer, len(g.directions_rad))
        slot_frames = round((g.presentation_ms + g.blank_ms) / 1000 / frame_s)
        return {
            "slot_frames": slot_frames,
            "showing_frames": round(g.presentation_ms / 1000 / frame_s),
            "grating_frames": slot_frames * len(timeline.checkpoints[0].block.onset_s),
            "grating_transfer": b2.TimedArray(contrast, dt=1 * b2.second, name="grating_transfer"),
            "grating_condition": _grating_conditions(timeline, g),
            "grating_omega": omega,
            "window_omega": omega,  # the tally's phase sums: at the grating's frequency
            **_front_end_namespace("grating", self.front_end, 1.0),
        }


#: While a checkpoint shows its gratings: its first ``grating_frames``.
_GRATINGS_SHOWN = f"shows_{MEASUREMENT} * int({FRAME_IN_PERIOD} < grating_frames)"
#: While it shows the receptive-field noise: from ``noise_start_frames`` to its end.
_NOISE_SHOWN = f"shows_{MEASUREMENT} * int({FRAME_IN_PERIOD} >= noise_start_frames)"


class NoiseInput(Drive):
    """The flashed-check noise that maps receptive fields (`neurodev.development.stimuli.NoiseBlock`),
    shown after the gratings of every checkpoint, through the visual front end as vision is:
    each check's centre–surround response at every input is one table (``noise_response``,
    frame by input site, `vision.square_responses`), which each frame reads into
    ``noise_signal``; the temporal filter follows it every input step. Each noise frame is a
    window whose spikes the cortex counts (`count_window`)."""

    kind = MEASUREMENT

    def __init__(self, block: NoiseBlock, front_end: vision.FrontEndParams):
        self.block, self.front_end = block, front_end

    def input_model(self) -> str:
        return ("noise_shown : 1 (shared)\nnoise_frame : integer (shared)\n"
                + _filtered_signal_model("noise"))

    def rate_term(self) -> str:
        return _filtered_signal_rate("noise_shown", "noise")

    def count_window(self) -> str:
        """Each noise frame, numbered within its checkpoint."""
        return (f"{_NOISE_SHOWN} * (1 + ({FRAME_IN_PERIOD} - noise_start_frames)"
                " // noise_frame_frames)")

    def shared_frame_statements(self) -> str:
        return f"""
noise_shown = {_NOISE_SHOWN}
noise_frame = int(noise_shown) * (({FRAME_IN_PERIOD} - noise_start_frames) // noise_frame_frames)
"""

    def frame_statements(self) -> str:
        return "noise_signal = noise_shown * noise_response(noise_frame * second, i % noise_sites)\n"

    def namespace(self, timeline: Timeline, frame_s: float, input_dt_s: float) -> dict:
        frame_frames = round(self.block.frame_s / frame_s)
        measure_frames = round(timeline.checkpoints[0].duration_s / frame_s)
        return {**_filtered_signal_namespace("noise", self.front_end),
                "noise_frame_frames": frame_frames,
                "noise_start_frames": measure_frames - frame_frames * len(self.block.checks)}

    def initialise(self, inputs: b2.NeuronGroup, timeline: Timeline, positions_um: np.ndarray):
        sites = positions_um[:len(positions_um) // 2]  # ON cells; OFF cells sit at the same sites
        add_to_namespace(inputs, {
            "noise_sites": len(sites),
            "noise_response": b2.TimedArray(self.responses(sites), dt=1 * b2.second,
                                            name="noise_response")})

    def responses(self, sites_um: np.ndarray) -> np.ndarray:
        """The front end's spatial response at every site in every frame, before its
        temporal filter; shape (n_frames, n_sites)."""
        b = self.block
        kernel = vision.square_responses(b.check_centres_um, b.check_um, sites_um, self.front_end)
        return b.contrast * b.checks.astype(float) @ kernel.T


def _filtered_signal_model(prefix: str) -> str:
    """A signal of the front end's spatial stage, ``<prefix>_signal``, set each frame, and its
    temporal filter (`vision.temporal_filter`), integrated exactly every input step."""
    return (f"{prefix}_signal : 1\n"
            f"d{prefix}_fast/dt = ({prefix}_signal - {prefix}_fast) / {prefix}_tau_fast : 1\n"
            f"d{prefix}_slow/dt = ({prefix}_signal - {prefix}_slow) / {prefix}_tau_slow : 1\n")


def _filtered_signal_rate(gate: str, prefix: str) -> str:
    """The rate of ON and OFF inputs from `_filtered_signal_model`'s filtered signal."""
    response = f"polarity * ({prefix}_fast - {prefix}_transience * {prefix}_slow)"
    return _front_end_rate(gate, prefix, f"clip({response}, 0, inf)")


def _filtered_signal_namespace(prefix: str, front_end: vision.FrontEndParams) -> dict:
    return {f"{prefix}_tau_fast": front_end.tau_fast_ms * b2.ms,
            f"{prefix}_tau_slow": front_end.tau_slow_ms * b2.ms,
            f"{prefix}_transience": front_end.transience,
            **_front_end_namespace(prefix, front_end, 1.0)}


def _front_end_rate(gate: str, prefix: str, rectified: str) -> str:
    """The ganglion cells' rate while `gate` (an expression of 1 or 0) is 1
    (`vision.FrontEndParams.rates_hz`): spontaneous plus gain times the `rectified` response,
    at most the maximum rate; its constants are ``<prefix>_spontaneous``, ``_gain`` and
    ``_max_rate`` (`_front_end_namespace`)."""
    return (f"{gate} * clip({prefix}_spontaneous + {prefix}_gain * {rectified}, 0 * Hz,"
            f" {prefix}_max_rate)")


def _front_end_namespace(prefix: str, front_end: vision.FrontEndParams, transfer: float) -> dict:
    """The constants of `_front_end_rate`, its gain scaled by the stimulus's `transfer`
    through the front end (1 where the drive filters the stimulus itself)."""
    return {f"{prefix}_spontaneous": front_end.spontaneous_rate_hz * b2.Hz,
            f"{prefix}_gain": front_end.gain_hz * transfer * b2.Hz,
            f"{prefix}_max_rate": front_end.max_rate_hz * b2.Hz}


def _grating_conditions(timeline: Timeline, gratings: GratingParams) -> b2.TimedArray:
    """Condition (wavelength index × directions + direction index) of every presentation slot
    of every checkpoint, as a function of the time within the checkpoint and its index."""
    n_dir = len(gratings.directions_rad)
    values = np.stack([c.block.wavelength_index * n_dir + c.block.direction_index
                       for c in timeline.of_kind(MEASUREMENT)], axis=1)
    slot = (gratings.presentation_ms + gratings.blank_ms) * b2.ms
    return b2.TimedArray(values.astype(float), dt=slot, name="grating_condition")


def _spatial_phases(directions_rad: np.ndarray, positions_um: np.ndarray,
                    wavelength_um: float) -> np.ndarray:
    """Each input's spatial phase (rad) in a grating of each direction: ``k · position`` with
    ``k`` of length 2π / `wavelength_um` along the direction; shape (directions, inputs)."""
    unit = np.column_stack([np.cos(directions_rad), np.sin(directions_rad)])
    return 2 * np.pi / wavelength_um * unit @ np.asarray(positions_um).T


def _baseline_rates(timeline: Timeline) -> b2.TimedArray:
    """Each input's rate outside bursts in the wave epoch of every period of `timeline` (0 in
    periods without one), as ``wave_baseline(period index * second, i)``: one row per period,
    so that epochs of different presets (e.g. ``uncorrelated`` stage II, then stage III) each
    have their own."""
    epochs = timeline.of_kind(WAVES)
    period_s = timeline.checkpoint_period_s
    table = np.zeros((round(timeline.duration_s / period_s) + 1, len(epochs[0].drive.baseline_rate_hz)))
    for epoch in epochs:
        table[int(epoch.start_s // period_s)] = epoch.drive.baseline_rate_hz
    return b2.TimedArray(table * b2.Hz, dt=1 * b2.second, name="wave_baseline")


def _burst_onsets(timeline: Timeline, dt_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Input step and input of every burst onset, in time order (a site never bursts twice
    within one step)."""
    epochs = timeline.of_kind(WAVES)
    index = np.concatenate([np.zeros(0, int), *(epoch.drive.burst_input for epoch in epochs)])
    time = np.concatenate([np.zeros(0), *(e.start_s + e.drive.burst_onset_s for e in epochs)])
    steps = np.round(time / dt_s).astype(np.int64)
    if len(steps) and steps.max() >= 2**31:
        raise ValueError("burst onsets beyond 2³¹ input steps")
    order = np.argsort(steps, kind="stable")
    return steps[order], index[order]


#: The burst onsets' file: (input step, input) pairs of int32, sorted by step.
BURST_ONSETS = "neurodev_burst_onsets.bin"
_START_BURSTS_CPP = """
static FILE* open_burst_onsets()
{
    FILE* file = fopen("ONSETS_FILE", "rb");
    if (!file) {
        fprintf(stderr, "neurodev: cannot read the burst onsets ONSETS_FILE\\n");
        exit(1);
    }
    return file;
}

double start_bursts(double t, double step_dt, double duration)
{
    // Onsets are read one record ahead; those of this step set their input's burst end.
    static FILE* onsets = open_burst_onsets();
    static int next[2] = {-1, -1};
    static bool more = fread(next, sizeof(int), 2, onsets) == 2;
    const int step = (int)(t / step_dt + 0.5);
    int started = 0;
    while (more && next[0] <= step) {
        if (next[0] == step) {
            brian::BURST_END[next[1]] = t + duration;
            started++;
        }
        more = fread(next, sizeof(int), 2, onsets) == 2;
    }
    return started;
}
""".replace("ONSETS_FILE", BURST_ONSETS)


def _burst_starter(inputs: b2.NeuronGroup, steps: np.ndarray, index: np.ndarray) -> b2.Function:
    """``start_bursts(t, step, duration)``: set ``burst_end`` to ``t + duration`` for the
    inputs with an onset at this step; returns how many. Compiled, it reads the onsets from
    `BURST_ONSETS` and writes the inputs' array in place; in runtime mode (debugging) the
    Python version holds them in memory."""
    burst_end = inputs.variables["burst_end"]

    def start_bursts(t, step_dt, duration):
        step = round(float(t / step_dt))
        start, stop = np.searchsorted(steps, [step, step + 1])
        burst_end.get_value()[index[start:stop]] = float(t + duration)
        return float(stop - start)

    function = b2.Function(start_bursts, arg_units=[b2.second, b2.second, b2.second],
                           return_unit=1, stateless=False)
    if not runtime_mode():  # the C++ version writes the array under its standalone name
        function.implementations.add_implementation(
            "cpp", _START_BURSTS_CPP.replace("BURST_END", b2.get_device().get_array_name(burst_end)),
            compiler_kwds={"headers": ["<cstdio>", "<cstdlib>"]})
    return function
