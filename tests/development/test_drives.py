"""The drives' tables against their closed forms."""

import brian2 as b2
import numpy as np
import pytest

from neurodev.circuits.spec import CircuitParams, WiringParams, build_circuit
from neurodev.development import models
from neurodev.development.drives import (
    GratingInput,
    NoiseInput,
    VisionInput,
    WaveInput,
    _spatial_phases,
)
from neurodev.development.engine import _schedule_namespace, input_group
from neurodev.development.params import EngineParams
from neurodev.development.schedule import MEASUREMENT, VISION, build_timeline
from neurodev.development.stimuli import GratingParams, RFMappingParams, grating_block, noise_block
from neurodev.development.vision import (
    ExperienceParams,
    FrontEndParams,
    sample,
    temporal_filter,
)
from neurodev.development.waves import WaveDrive, WaveParams

FRAME_S = 0.01
GRATINGS = GratingParams(n_orientations=4, n_trials=1, presentation_ms=20.0, blank_ms=0.0)
ENGINE = EngineParams(device="runtime")


def tiny_retina():
    return build_circuit("c", CircuitParams(retina_side=12, exc_side=4, inh_count=4),
                         WiringParams(), 1.0, seed=1)


def silent_epoch(circuit, duration_s):
    """A wave epoch without bursts (between the checkpoints, so that vision or the next
    checkpoint follows)."""
    return WaveDrive(np.zeros(0, np.int32), np.zeros(0), np.zeros(circuit.n_inputs, np.float32),
                     duration_s, duration_s, 0)


def monitored_inputs(circuit, timeline, drives, variables):
    """Run `circuit`'s inputs alone through `timeline` in runtime mode; a monitor of their
    ``rate`` and `variables` at every input step."""
    b2.prefs.codegen.target = "numpy"
    namespace = models.merged_namespace(
        _schedule_namespace(timeline, drives, FRAME_S),
        *(d.namespace(timeline, FRAME_S, ENGINE.input_dt_ms / 1000) for d in drives))
    inputs = input_group(circuit, timeline, drives, [], ENGINE, namespace)
    monitor = b2.StateMonitor(inputs, ["rate", *variables], record=True)
    b2.Network(inputs, monitor).run(timeline.duration_s * b2.second, namespace={})
    return monitor


def test_spatial_phases_are_the_wave_vector_times_the_position():
    positions = np.array([[0.0, 0.0], [50.0, 0.0], [0.0, 25.0], [30.0, 40.0]])
    directions = np.array([0.0, np.pi / 2, np.pi / 4])
    phase = _spatial_phases(directions, positions, wavelength_um=100.0)
    assert phase.shape == (3, 4)
    k = 2 * np.pi / 100.0
    np.testing.assert_allclose(phase[0], k * positions[:, 0], atol=1e-12)  # drifting along x
    np.testing.assert_allclose(phase[1], k * positions[:, 1], atol=1e-12)  # along y
    np.testing.assert_allclose(phase[2], k * positions.sum(axis=1) / np.sqrt(2), atol=1e-12)


def test_vision_rates_in_the_simulation_are_the_front_ends_closed_form():
    """A `tiny` retina through one vision epoch in runtime mode: every input's rate at every
    input step equals the NumPy front end's (`vision.sample`, `temporal_filter`, `rates_hz`)
    applied to the same movie, held per frame; before the epoch (waves, gratings) the vision
    drive adds nothing."""
    circuit = tiny_retina()
    blocks = [grating_block(GRATINGS, np.random.default_rng(0)) for _ in range(3)]
    timeline = build_timeline([silent_epoch(circuit, 0.5)], blocks, FRAME_S, vision_epochs=1)
    front_end, experience = FrontEndParams(), ExperienceParams()
    drives = [WaveInput(WaveParams()), GratingInput(GRATINGS, front_end),
              VisionInput(front_end, experience, FRAME_S, seed=4)]
    monitor = monitored_inputs(circuit, timeline, drives, ["shows_vision", "shows_measurement"])

    positions = np.concatenate([circuit.input_positions_um] * 2)
    scene, gaze, origin = drives[2].movie(timeline, positions)
    dt_s = ENGINE.input_dt_ms / 1000
    steps_per_frame = round(FRAME_S / dt_s)
    signal = sample(scene, gaze, positions - origin, experience.image_pixel_um)
    showing = np.asarray(monitor.shows_vision[0])[::steps_per_frame][:len(signal)]
    held = np.repeat(signal * showing[:, None], steps_per_frame, axis=0)
    response = temporal_filter(held, front_end, dt_s)
    expected = front_end.rates_hz(response, circuit.input_polarity)
    vision = np.asarray(monitor.shows_vision[0]) > 0
    rate = np.asarray(monitor.rate / b2.Hz).T
    assert vision.sum() == round(timeline.of_kind(VISION)[0].duration_s / dt_s)
    # The monitor records a step before the filters integrate it, so it sees the reference
    # of the step before (at zero lag half the values differ by up to 0.7 Hz).
    np.testing.assert_allclose(rate[vision], expected[np.flatnonzero(vision) - 1], rtol=1e-6,
                               atol=1e-6)
    assert rate[vision].std() > 1  # the movie moves the rates
    # Gratings pass the front end in closed form: from the spontaneous rate (in blanks and
    # the negative half) up to it plus the gain times the transfer at the wavelength shown
    # (and 2 Hz), which some input reaches within 1 % at every wavelength (20 ms of a 2 Hz
    # drift: the inputs' spatial phases sample the peak).
    showing = np.asarray(monitor.shows_measurement[0]) > 0
    assert rate[showing].min() == pytest.approx(front_end.spontaneous_rate_hz)
    time_s = np.arange(len(rate)) * dt_s
    for k, wavelength in enumerate(GRATINGS.wavelengths_um):
        onsets = np.concatenate([c.start_s + c.block.onset_s[c.block.wavelength_index == k]
                                 for c in timeline.of_kind(MEASUREMENT)])
        # Half a step inside each presentation: its first and last steps' times are rounded.
        shown = (time_s[:, None] > onsets + dt_s / 2) & (time_s[:, None] < onsets + 0.02 - dt_s / 2)
        peak = front_end.spontaneous_rate_hz + front_end.gain_hz * front_end.transfer(
            2 * np.pi / wavelength, 2 * np.pi * GRATINGS.temporal_frequency_hz)
        assert rate[shown.any(axis=1)].max() == pytest.approx(peak, rel=1e-2)


def test_noise_rates_in_the_simulation_are_the_front_ends_closed_form():
    """A `tiny` retina through two checkpoints of gratings and then noise, in runtime mode:
    while the noise shows, every input's rate at every step equals the NumPy front end's
    (`square_responses`, `temporal_filter`, `rates_hz`) applied to its frames, with nothing of
    the gratings' drive added; while the gratings show, nothing of the noise's (their
    spontaneous rate is counted once)."""
    circuit = tiny_retina()
    blocks = [grating_block(GRATINGS, np.random.default_rng(0)) for _ in range(2)]
    noise = noise_block(RFMappingParams(n_frames=6, frame_ms=30.0, density=0.5),
                        circuit.input_positions_um, 50.0, np.random.default_rng(1))
    timeline = build_timeline([silent_epoch(circuit, 0.2)], blocks, FRAME_S, noise=noise)
    front_end = FrontEndParams()
    drives = [WaveInput(WaveParams()), GratingInput(GRATINGS, front_end),
              NoiseInput(noise, front_end)]
    monitor = monitored_inputs(circuit, timeline, drives, ["noise_shown", "grating_shown"])

    dt_s = ENGINE.input_dt_ms / 1000
    rate = np.asarray(monitor.rate / b2.Hz).T
    time_s = np.arange(len(rate)) * dt_s
    shown = np.asarray(monitor.noise_shown[0]) > 0
    table = drives[2].responses(circuit.input_positions_um)  # (frames, sites)
    frame = np.zeros(len(time_s), int)
    for checkpoint in timeline.checkpoints:
        start = checkpoint.start_s + checkpoint.duration_s - noise.duration_s
        inside = (time_s >= start - dt_s / 2) & (time_s < start + noise.duration_s - dt_s / 2)
        frame[inside] = ((time_s[inside] - start + dt_s / 2) // noise.frame_s).astype(int)
    assert shown.sum() == round(2 * noise.duration_s / dt_s)
    held = np.where(shown[:, None], np.tile(table[frame], 2), 0.0)
    expected = front_end.rates_hz(temporal_filter(held, front_end, dt_s), circuit.input_polarity)
    # As for vision: the monitor sees each step's rate before the filters integrate it.
    np.testing.assert_allclose(rate[shown], expected[np.flatnonzero(shown) - 1], rtol=1e-6,
                               atol=1e-6)
    assert rate[shown].std() > 1  # the checks move the rates
    gratings_shown = np.asarray(monitor.grating_shown[0]) > 0
    assert gratings_shown.any() and not (gratings_shown & shown).any()
    assert rate[gratings_shown].min() == pytest.approx(front_end.spontaneous_rate_hz)
