"""The merged layout round trip: circuits → merged cells and synapses → per-circuit recordings."""

import numpy as np
import pytest

from neurodev.circuits.spec import CircuitParams, WiringParams, build_circuit
from neurodev.development.layout import Layout, MergedRecording

PARAMS = CircuitParams(retina_side=8, exc_side=6, inh_count=9, l23_exc_side=4, l23_inh_count=4,
                       ff_arbor_radius_um=150.0)


@pytest.fixture(scope="module")
def circuits():
    return [build_circuit(label, PARAMS, WiringParams(), strength, seed=5)
            for label, strength in (("random", 0.0), ("prior", 1.0), ("half", 0.5))]


def test_cells_of_every_circuit_get_disjoint_blocks_in_population_order(circuits):
    layout = Layout(circuits, rewired=())
    sizes = [sum(c.population_sizes.values()) for c in circuits]
    assert layout.n_cells == sum(sizes)
    assert layout.offset(1, "exc") == sizes[0] and layout.offset(2, "exc") == sizes[0] + sizes[1]
    assert layout.offset(0, "inh") == circuits[0].n_exc
    assert layout.is_exc.sum() == sum(c.n_exc + c.n_exc23 for c in circuits)
    exc = layout.indices("exc")
    assert len(exc) == len(set(exc)) == sum(c.n_exc for c in circuits)


def test_merged_projections_map_back_to_each_circuits_synapses(circuits):
    layout = Layout(circuits, rewired=["prior"])
    ff = layout.merged_projections()["input_exc"]
    start = 0
    for k, circuit in enumerate(circuits):
        simulated, in_pool = layout.simulated(k, "input_exc")
        mine = slice(start, start + simulated.n_synapses)
        np.testing.assert_array_equal(ff.post[mine] - layout.offset(k, "exc"), simulated.post)
        np.testing.assert_array_equal(ff.pre[mine], simulated.pre)  # inputs are shared
        assert ff.structural[mine].all() == (circuit.label == "prior")
        pool = circuit.projections["input_exc"]
        # A rewired circuit simulates its whole pool, the others their live synapses.
        assert len(in_pool) == (pool.n_synapses if circuit.label == "prior" else pool.n_live)
        start += simulated.n_synapses
    assert start == ff.n_synapses


def test_recording_round_trip_recovers_each_circuits_spikes_weights_and_thresholds(circuits):
    """Fill a merged recording with values that encode (circuit, cell) and (circuit, synapse),
    then split it: every circuit gets exactly its own, in its own indices."""
    layout = Layout(circuits, rewired=["prior"])
    ff = layout.merged_projections()["input_exc"]
    n_checkpoints, n_exc = 3, sum(c.n_exc for c in circuits)
    # Window w of merged cell c holds 1000 w + c spikes, segment s 1000 s + c, frame f twice.
    cell_code = np.arange(layout.n_cells)[None, :] + 1000 * np.arange(4)[:, None]
    weights = np.arange(n_checkpoints)[:, None] + np.arange(ff.n_synapses)[None, :] / 1e5
    theta = np.arange(n_checkpoints)[:, None] * 10.0 + np.arange(n_exc)[None, :]
    counts = np.ones((n_checkpoints, n_exc))
    merged = MergedRecording(cell_code, 1j * cell_code, cell_code[:2], 2 * cell_code, weights,
                             np.where(ff.structural, 1.0, 0.0)[None, :].repeat(n_checkpoints, 0),
                             theta, counts, 2 * counts)
    start, exc_start = 0, 0
    for k, circuit in enumerate(circuits):
        recording = layout.recording(k, merged)
        for population, size in circuit.population_sizes.items():
            own = layout.offset(k, population) + np.arange(size)
            np.testing.assert_array_equal(recording.window_spikes[population], cell_code[:, own])
            np.testing.assert_array_equal(recording.window_phase[population], 1j * cell_code[:, own])
            np.testing.assert_array_equal(recording.segment_spikes[population], cell_code[:2, own])
            np.testing.assert_array_equal(recording.frame_spikes[population], 2 * cell_code[:, own])
        simulated, in_pool = layout.simulated(k, "input_exc")
        np.testing.assert_allclose(recording.ff_weights[:, in_pool],
                                   weights[:, start:start + simulated.n_synapses], rtol=1e-6)
        dead = np.setdiff1d(np.arange(circuit.projections["input_exc"].n_synapses), in_pool)
        assert not recording.ff_weights[:, dead].any() and not recording.ff_alive[:, dead].any()
        np.testing.assert_array_equal(recording.threshold_shift_mv,
                                      theta[:, exc_start:exc_start + circuit.n_exc])
        rewired = circuit.label == "prior"
        assert list(recording.formed) == ([circuit.n_exc] * 3 if rewired else [0, 0, 0])
        assert list(recording.eliminated) == ([2 * circuit.n_exc] * 3 if rewired else [0, 0, 0])
        start += simulated.n_synapses
        exc_start += circuit.n_exc


def test_every_circuit_draws_the_same_uniform_variates_whatever_the_others(circuits):
    one = Layout(circuits[:1], ()).common_uniform(3)
    three = Layout(circuits, ()).common_uniform(3)
    assert len(three) == 3 * len(one)
    for k in range(3):
        np.testing.assert_array_equal(three[k * len(one):(k + 1) * len(one)], one)
    assert np.all((one >= 0) & (one < 1)) and one.std() > 0.2
