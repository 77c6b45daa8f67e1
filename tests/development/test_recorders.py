"""The recorders against Brian2's monitors: the spike tally's counts and phase sums per window,
frame window and segment against a spike monitor's spikes, snapshots against a state monitor, in runtime
mode (Python recorders) and compiled (the C++ ones writing files)."""

from pathlib import Path

import brian2 as b2
import numpy as np
import pytest

from neurodev.development.engine import _device
from neurodev.development.models import FRAME_IN_PERIOD, SCHEDULE_VARIABLES, python_functions
from neurodev.development.params import EngineParams
from neurodev.development.recorders import Snapshots, SpikeTally, Streams
from neurodev.development.standalone import build_and_run

FRAME_S, PERIOD_FRAMES, MEASURE_FRAMES = 0.01, 60, 40
#: Presentations of 7 frames every 10 during the first 40 frames of each 60-frame period:
#: 4 windows per checkpoint. The run ends as the last window of the second checkpoint does,
#: so that window and the last segment are read from the accumulators.
WINDOW = (f"int({FRAME_IN_PERIOD} < measure_frames) * int({FRAME_IN_PERIOD} % 10 < 7)"
          f" * (1 + {FRAME_IN_PERIOD} // 10)")
#: Frame windows (counts only) of 2 frames each during frames 40 to 49 of each period, right
#: after the last presentation window: 5 in the first period, none in the second.
COUNTS = (f"int({FRAME_IN_PERIOD} >= 40) * int({FRAME_IN_PERIOD} < 50)"
          f" * (1 + ({FRAME_IN_PERIOD} - 40) // 2)")
DURATION_S, N_WINDOWS, N_COUNTS, N_SEGMENTS = 0.97, 8, 5, 3
OMEGA = 2 * np.pi * 3.0


def windows_and_segments():
    starts = [p * PERIOD_FRAMES * FRAME_S + w * 10 * FRAME_S for p in (0, 1) for w in range(4)]
    windows = [(s, s + 7 * FRAME_S) for s in starts]
    counts = [(0.4 + 0.02 * k, 0.42 + 0.02 * k) for k in range(N_COUNTS)]
    segments = [(0.0, 0.4), (0.4, 0.6), (0.6, DURATION_S)]
    return windows, counts, segments


def recorded_and_monitored(device, build_root):
    """Cells firing regularly at 5 to 240 Hz, with a tally and a spike monitor, and snapshots
    and a state monitor of ``v`` every 0.25 s."""
    engine = EngineParams(device=device)
    with _device(engine, build_root, "recorders") as build_dir:
        tally, streams = SpikeTally(("probe",), WINDOW, COUNTS), Streams()
        namespace = {"frame_duration": FRAME_S * b2.second, "window_omega": OMEGA * b2.Hz,
                     "segment_kind": b2.TimedArray(np.zeros((2, 2)), dt=FRAME_S * b2.second)}
        cells = b2.NeuronGroup(
            12, "dv/dt = drive : 1\ndrive : Hz (constant)\n" + tally.target_model(())
            + SCHEDULE_VARIABLES, threshold="v > 1", reset="v = 0\n" + tally.target_reset(),
            method="euler", namespace=namespace | tally.namespace(streams))
        cells.drive = np.linspace(5, 240, 12) * b2.Hz
        cells.v = np.linspace(0, 0.9, 12)
        cells.period_frames, cells.measure_frames = PERIOD_FRAMES, MEASURE_FRAMES
        cells.run_regularly(tally.frame_statements(), clock=b2.Clock(FRAME_S * b2.second),
                            order=-1, **python_functions())
        every = b2.Clock(0.25 * b2.second)
        snapshots = Snapshots(cells, {"v": 1, "absent": 1}, every, "v_snapshots", streams)
        monitor, states = b2.SpikeMonitor(cells), b2.StateMonitor(cells, "v", True, clock=every)
        network = b2.Network(cells, monitor, states)
        network.run(DURATION_S * b2.second, namespace={})
        results = None
        if build_dir is not None:
            build_and_run(build_dir)
            results = Path(b2.device.results_dir)
        return (tally.read(streams, cells, results, {"window": N_WINDOWS, "count": N_COUNTS},
                           N_SEGMENTS),
                np.asarray(monitor.i[:]), np.asarray(monitor.t[:] / b2.second),
                snapshots.read(results), np.asarray(states.v[:]).T)


@pytest.mark.parametrize("device", ["runtime",
                                    pytest.param("cpp_standalone", marks=pytest.mark.compiler)])
def test_recorders_match_brian2s_monitors(device, tmp_path):
    tallies, index, time, snapshots, states = recorded_and_monitored(device, tmp_path)
    windows, counts, segments = windows_and_segments()
    for w, (start, end) in enumerate(windows):
        inside = (time >= start - 1e-9) & (time < end - 1e-9)
        expected = np.bincount(index[inside], minlength=12)
        np.testing.assert_array_equal(tallies["window_spikes"][w], expected)
        phase = np.zeros(12, complex)
        np.add.at(phase, index[inside], np.exp(1j * OMEGA * time[inside]))
        np.testing.assert_allclose(tallies["window_phase"][w], phase, atol=1e-9)
    assert tallies["window_spikes"].sum() > 100  # the windows hold spikes to count
    assert tallies["frame_spikes"].dtype == np.uint16
    for w, (start, end) in enumerate(counts):
        inside = (time >= start - 1e-9) & (time < end - 1e-9)
        np.testing.assert_array_equal(tallies["frame_spikes"][w],
                                      np.bincount(index[inside], minlength=12))
    assert tallies["frame_spikes"].sum() > 10
    for s, (start, end) in enumerate(segments):
        inside = (time >= start - 1e-9) & (time < end - 1e-9)
        np.testing.assert_array_equal(tallies["segment_spikes"][s],
                                      np.bincount(index[inside], minlength=12))
    assert tallies["segment_spikes"].sum() == len(index)
    assert set(snapshots) == {"v"}  # a variable the group lacks is left out
    assert snapshots["v"].shape == (4, 12)  # t = 0, 0.25, 0.5, 0.75 s
    np.testing.assert_array_equal(snapshots["v"], states)
