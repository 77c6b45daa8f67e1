"""Positive control of learning from scratch: input whose ON and OFF activity are offset by a
known distance and direction must teach randomly wired cells ON/OFF dipole receptive fields
along that offset (Miller 1994's mechanism), through the very pipeline, rules and engine of
every experiment. If this fails, a random circuit's failure to learn elsewhere says nothing."""

import numpy as np
import pytest

from neurodev.development.engine import simulate
from neurodev.development.schedule import build_timeline
from neurodev.development.stimuli import grating_block
from neurodev.development.waves import WaveDrive
from neurodev.experiments.config import TINY, from_dict
from neurodev.experiments.protocols.pipeline import build_circuits, input_drives, rules
from neurodev.experiments.protocols.wiring import Wiring

OFFSET_UM = 100.0
PATCH_RADIUS_UM = 75.0
#: Epochs of 200 patches each (100 s): enough for 98 % of cells to move the right way at
#: `tiny` (measured: the learned shift grows steadily, 0.2, 1.5, 3.8, 6.5 µm by epoch).
N_EPOCHS = 4


def offset_drive(positions_um, offset_um, n_events, interval_s, rng, background_hz):
    """Patches of activity: every `interval_s` the ON cells within `PATCH_RADIUS_UM` of a
    random point burst together with the OFF cells around that point moved by `offset_um`
    (ON and OFF activity correlated across the offset, and nowhere else)."""
    n_sites = len(positions_um)
    inputs, onsets = [], []
    for event in range(n_events):
        centre = rng.uniform(positions_um.min(axis=0), positions_um.max(axis=0))
        for channel, shift in ((0, np.zeros(2)), (1, np.asarray(offset_um))):
            near = np.linalg.norm(positions_um - centre - shift, axis=1) <= PATCH_RADIUS_UM
            inputs.append(np.flatnonzero(near) + channel * n_sites)
            onsets.append(np.full(near.sum(), event * interval_s))
    duration = n_events * interval_s + 1.0
    return WaveDrive(np.concatenate(inputs).astype(np.int32), np.concatenate(onsets),
                     np.full(2 * n_sites, background_hz, np.float32), duration, duration, n_events)


def dipoles(circuit, weights):
    """Each cell's OFF-weight centroid minus its ON-weight centroid (µm), per snapshot."""
    ff = circuit.projections["input_exc"]
    n_sites = len(circuit.input_positions_um)
    site = circuit.input_positions_um[ff.pre % n_sites]
    off = ff.pre >= n_sites
    out = []
    for w in weights:
        centroids = []
        for channel in (~off, off):
            total = np.bincount(ff.post[channel], w[channel], circuit.n_exc)
            centroids.append(np.stack([np.bincount(ff.post[channel], w[channel] * site[channel, k],
                                                   circuit.n_exc) for k in (0, 1)], axis=1)
                             / total[:, None])
        out.append(centroids[1] - centroids[0])
    return np.array(out)


@pytest.mark.parametrize("angle_deg", [0.0, 90.0])
def test_offset_on_off_activity_teaches_random_wiring_dipoles_along_the_offset(build_root,
                                                                             angle_deg):
    config = from_dict({"waves": {"burst_duration_ms": 300.0},
                        "schedule": {"vision_epochs": 0}}, TINY)
    circuit, = build_circuits(config, {"random": Wiring(0.0, 0.0, False)})
    rng = np.random.default_rng(7)
    offset = OFFSET_UM * np.array([np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))])
    drives = [offset_drive(circuit.input_positions_um, offset, 200, 0.5, rng,
                           config.waves.background_rate_hz) for _ in range(N_EPOCHS)]
    blocks = [grating_block(config.gratings, rng) for _ in range(N_EPOCHS + 1)]
    timeline = build_timeline(drives, blocks, config.engine.stimulus_frame_ms / 1000)
    feedforward, cells = rules(config, False)
    recordings, _ = simulate([circuit], timeline, input_drives(config, timeline), config.neurons,
                             feedforward, cells, config.engine, 11, build_root)
    change = dipoles(circuit, recordings["random"].ff_weights.astype(float))
    learned = change[-1] - change[0]  # (cells, 2): how each cell's dipole moved
    along = learned @ (offset / OFFSET_UM)
    across = learned @ np.array([-offset[1], offset[0]]) / OFFSET_UM
    # Dipoles grow along the offset in nearly every cell (random wiring: half would, by
    # chance), far more along it than across it, and their mean direction is the offset's.
    assert np.mean(along > 0) > 0.9
    assert np.median(along) > 3.0
    assert abs(np.median(across)) < np.median(along) / 3
    mean_direction = np.degrees(np.arctan2(learned[:, 1].mean(), learned[:, 0].mean()))
    assert abs((mean_direction - angle_deg + 180) % 360 - 180) < 15
