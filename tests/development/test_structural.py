"""Structural plasticity: elimination and formation inside the compiled loop."""

import brian2 as b2
import numpy as np
import pytest

from neurodev.development import models
from neurodev.development.engine import _device, cortex_group, plastic_feedforward
from neurodev.development.integration import EULER_JUMPS
from neurodev.development.layout import MergedProjection
from neurodev.development.params import EngineParams, NeuronParams, PlasticityParams, StructuralParams
from neurodev.development.rules import RULES

NEURONS, PLASTICITY = NeuronParams(), PlasticityParams()
#: The synapses' weight bound, which the engine takes from the wiring.
W_MAX = 1.0


def build(n_inputs, n_cells, pre, post, weight, alive, structural):
    """Inputs that fire when told (``fire_at``), cortex cells, and plastic feed-forward
    synapses (all ON) with the rules of the headline and structural plasticity, always
    developing."""
    rules = [RULES["pair_stdp"](PLASTICITY), RULES["channel_normalisation"](PLASTICITY),
             RULES["structural"](structural)]
    namespace = models.merged_namespace(models.namespace(NEURONS), models.namespace(PLASTICITY),
                                        models.namespace(structural), EULER_JUMPS,
                                        {"w_max": W_MAX})
    channels = ("on", "off")
    inputs = b2.NeuronGroup(n_inputs, "".join(r.source_model(channels) for r in rules)
                            + "fire_at : second", threshold="abs(t - fire_at) < 0.5 * dt",
                            reset="".join(r.source_reset() for r in rules), namespace=namespace,
                            name="inputs")
    inputs.fire_at = -1 * b2.second
    cortex = cortex_group(n_cells, rules, namespace)
    cortex.v, cortex.leak_rate, cortex.excitatory = NEURONS.v_rest_mv * b2.mV, 50 * b2.Hz, 1.0
    cortex.developing = 1.0
    ff = MergedProjection(pre, post, weight, np.zeros(len(pre), bool), alive, np.ones(len(pre), bool))
    synapses, _ = plastic_feedforward(inputs, cortex, ff, np.zeros(n_inputs, int), rules,
                                      namespace)
    return inputs, cortex, synapses, b2.Network(inputs, cortex, synapses)


@pytest.fixture(autouse=True)
def numpy_target():
    """Runtime mode without compiling (a few steps of a few thousand synapses)."""
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 0.1 * b2.ms
    yield
    b2.prefs.codegen.target = "auto"


def test_eliminated_synapse_is_silent_and_frozen_and_formed_one_transmits_and_learns():
    # Synapse 0 is live and weak, synapse 1 a dead candidate; with probabilities 1 the step at
    # t = 0 eliminates 0 and forms 1. The next step (50 ms) is after the test ends.
    structural = StructuralParams(enabled=True, interval_ms=50, elimination_threshold=0.05,
                                  elimination_probability=1.0, formation_probability=1.0,
                                  formation_weight=0.2)
    inputs, cortex, synapses, net = build(2, 1, np.array([0, 1]), np.array([0, 0]),
                                          np.array([0.04, 0.0]), np.array([True, False]),
                                          structural)
    net.run(1 * b2.ms, namespace={})
    np.testing.assert_array_equal(synapses.alive[:], [0, 1])
    np.testing.assert_allclose(synapses.w[:], [0.0, 0.2])
    assert (cortex.n_on[0], cortex.formed[0], cortex.eliminated[0]) == (1, 1, 1)

    inputs.fire_at = [5, 15] * b2.ms
    net.run(9 * b2.ms, namespace={})  # input 0 fired at 5 ms
    assert cortex.ge[0] == 0.0
    net.run(6 * b2.ms, namespace={})  # input 1 fired at 15 ms
    # Its weight arrived and decays with tau_exc = 5 ms for at most 1 ms.
    assert cortex.ge[0] == pytest.approx(0.2 * np.exp(-0.5 / 5), rel=0.12)

    cortex.v = 0 * b2.mV  # the cell fires now: pre-before-post pairing for both synapses
    net.run(1 * b2.ms, namespace={})
    w_dead, w_formed = synapses.w[:]
    assert w_dead == 0.0
    # Potentiation a_plus (w_max − w) apre with apre ≈ exp(−1 ms / 20 ms) after input 1's spike.
    expected = PLASTICITY.a_plus * (W_MAX - 0.2) * np.exp(-1.0 / 20)
    assert w_formed - 0.2 == pytest.approx(expected, rel=0.05)


def pool(rng, n_inputs=100, n_cells=50):
    """All-to-all candidates: half live (half of those weak, half strong), half dead; half of
    all synapses have the age of one maturation half-life (ln 2 maturation times)."""
    pre, post = (a.ravel() for a in np.meshgrid(np.arange(n_inputs), np.arange(n_cells), indexing="ij"))
    alive = rng.random(len(pre)) < 0.5
    weak = alive & (rng.random(len(pre)) < 0.5)
    weight = np.where(alive, np.where(weak, 0.01, 0.05), 0.0)
    return pre, post, weight, alive, weak, rng.random(len(pre)) < 0.5


def one_step(device, tmp_path, structural, activity_pre_hz=None):
    """Alive mask and counters after one structural step (at t = 0) on `pool`."""
    rng = np.random.default_rng(3)
    pre, post, weight, alive, weak, aged = pool(rng)
    with _device(EngineParams(device=device), tmp_path, "structural-step"):
        b2.seed(11)
        inputs, cortex, synapses, net = build(100, 50, pre, post, weight, alive, structural)
        synapses.age = np.where(aged, np.log(2) * structural.maturation_time_ms, 0.0) * b2.ms
        if activity_pre_hz is not None:
            inputs.activity = activity_pre_hz * b2.Hz
            cortex.activity = 1 * b2.Hz
        monitor = b2.StateMonitor(synapses, "alive", record=np.arange(len(pre)), dt=1 * b2.ms,
                                  when="end")
        counts = b2.StateMonitor(cortex, ["formed", "eliminated"], record=True, dt=1 * b2.ms,
                                 when="end")
        net.add(monitor, counts)
        net.run(0.5 * structural.interval_ms * b2.ms, namespace={})
        if device == "cpp_standalone":
            b2.device.build(directory=str(tmp_path / "structural-step" / "slot-0"), run=True)
        after = monitor.alive[:, 0] > 0.5
        formed, eliminated = counts.formed[:, 0].sum(), counts.eliminated[:, 0].sum()
    return alive, weak, aged, after, formed, eliminated


def within_binomial(count, n, p):
    """|count − np| within 4 standard deviations (a false alarm has probability 6e-5)."""
    return abs(count - n * p) <= 4 * np.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("device", ["runtime", pytest.param("cpp_standalone", marks=pytest.mark.compiler)])
def test_one_step_matches_configured_probabilities(device, tmp_path):
    structural = StructuralParams(enabled=True, interval_ms=10, elimination_threshold=0.02,
                                  elimination_probability=0.3, maturation_time_ms=1000,
                                  formation_probability=0.2)
    alive, weak, aged, after, formed, eliminated = one_step(device, tmp_path, structural)
    assert np.all(after[alive & ~weak])  # strong synapses are never eliminated
    lost, gained = alive & ~after, ~alive & after
    assert lost.sum() == eliminated and gained.sum() == formed
    assert within_binomial(lost[weak & ~aged].sum(), (weak & ~aged).sum(), 0.3)
    assert within_binomial(lost[weak & aged].sum(), (weak & aged).sum(), 0.15)  # one half-life
    assert within_binomial(formed, (~alive).sum(), 0.2)


def test_activity_dependent_formation_follows_the_rate_product(tmp_path):
    # ν_pre = 2 Hz for inputs 0-49 and 0 for the rest, ν_post = 1 Hz, reference 1 Hz: candidates
    # from active inputs form with 0.1 × 2 = 0.2, the others never.
    structural = StructuralParams(enabled=True, interval_ms=10, formation_probability=0.1,
                                  formation_rule="activity", elimination_probability=0.0)
    rate_hz = np.where(np.arange(100) < 50, 2.0, 0.0)
    active = np.repeat(rate_hz > 0, 50)  # candidates are ordered by input, 50 cells each
    alive, _, _, after, _, _ = one_step("runtime", tmp_path, structural, activity_pre_hz=rate_hz)
    gained = ~alive & after
    assert not gained[~active].any()
    assert within_binomial(gained.sum(), (~alive & active).sum(), 0.2)


def test_structural_parameters_are_validated():
    with pytest.raises(ValueError, match="formation_rule"):
        StructuralParams(formation_rule="hebb")
    with pytest.raises(ValueError, match="enabled = 'yes'"):
        StructuralParams(enabled="yes")
