"""Plasticity rules are plug-ins: a new rule is a class registered by name and chosen in the
config, and runs without any change to the engine."""

import brian2 as b2
import numpy as np
import pytest

from neurodev.development import models
from neurodev.development.engine import cortex_group, plastic_feedforward
from neurodev.development.integration import EULER_JUMPS
from neurodev.development.layout import MergedProjection
from neurodev.development.params import BurstTimingParams, NeuronParams, TripletParams
from neurodev.development.rules import RULES, Periodic, Rule, Statements, register
from neurodev.experiments.config import TINY, ConfigError, from_dict
from neurodev.experiments.protocols import pipeline
from neurodev.experiments.protocols.scratch_vs_prior import EXPERIMENT as HEADLINE

DECAY_PER_STEP, STEP_MS = 0.01, 10.0


@register
class ConstantDecay(Rule):
    """A toy rule: every synapse loses 1 % of its weight every 10 ms while developing."""

    name = "test_constant_decay"

    def namespace(self) -> dict:
        return {"decay_per_step": DECAY_PER_STEP}

    def periodic(self, statements: Statements) -> list[Periodic]:
        decay = "w_new = w * (1 - developing_post * decay_per_step)\n" + statements.set_weight()
        return [Periodic("synapses", decay, STEP_MS, 0, "test_decay", "test_decay_clock")]


def test_a_new_rule_is_chosen_in_the_config_and_built_by_the_pipeline():
    config = from_dict({"rules": {"feedforward": ["pair_stdp", "test_constant_decay"]}}, TINY)
    HEADLINE.validate(config)  # the registry knows it
    feedforward, cells = pipeline.rules(config, rewiring=False)
    assert [type(rule) for rule in feedforward] == [RULES["pair_stdp"], ConstantDecay]
    assert [rule.name for rule in cells] == ["homeostatic_threshold"]
    with_turnover, _ = pipeline.rules(config, rewiring=True)
    assert with_turnover[-1].name == "structural"


@pytest.mark.parametrize("key", ["feedforward", "l4_l23", "l23_l23"])
@pytest.mark.parametrize(("rules", "message"), [
    (["pair_stdp", "nosuch"], "no rule named 'nosuch'"),
    (["structural"], "switched by structural.enabled"),
    (["pair_stdp", "pair_stdp"], "each rule once"),
])
def test_unknown_or_misplaced_rules_are_refused_naming_the_key(key, rules, message):
    with pytest.raises(ConfigError, match=message) as refused:
        HEADLINE.validate(from_dict({"rules": {key: rules}}, TINY))
    assert f"rules.{key}" in str(refused.value) and "\n" not in str(refused.value)


def test_a_rule_name_is_registered_once():
    with pytest.raises(ValueError, match="registered already"):
        register(type("Impostor", (Rule,), {"name": "pair_stdp"}))


def test_the_toy_rule_runs_in_the_engine_unchanged():
    """Five inputs onto two silent cells, the decay rule alone: after 100 ms (ten steps) every
    weight is its initial value times 0.99¹⁰ (to rounding), while totals follow."""
    b2.prefs.codegen.target = "numpy"
    rules = [ConstantDecay()]
    namespace = models.merged_namespace(models.namespace(NeuronParams()), rules[0].namespace(),
                                        EULER_JUMPS)
    inputs = b2.NeuronGroup(5, "", threshold="False", name="inputs")
    cortex = cortex_group(2, rules, namespace)
    cortex.v, cortex.developing = -70 * b2.mV, 1.0
    pre, post = np.repeat(np.arange(5), 2), np.tile(np.arange(2), 5)
    weight = np.linspace(0.1, 1.0, 10)
    ff = MergedProjection(pre, post, weight, np.zeros(10, bool), np.ones(10, bool), np.zeros(10, bool))
    synapses, periodic = plastic_feedforward(inputs, cortex, ff, np.zeros(5, int), rules, namespace)
    assert [p.name for p in periodic] == ["test_decay"]
    b2.Network(inputs, cortex, synapses).run(100 * b2.ms - 0.5 * b2.defaultclock.dt, namespace={})
    np.testing.assert_allclose(synapses.w[:], weight * (1 - DECAY_PER_STEP) ** 10, rtol=1e-12)


@pytest.mark.parametrize("rule", ["triplet_stdp", "burst_timing"])
def test_a_timing_rule_is_chosen_in_the_config_and_learns_only_while_developing(
        rule, tmp_path, build_root):
    """Triplet STDP or burst-timing plasticity in place of the pair rule, through the whole
    pipeline (compiled): weights change during development and not at checkpoint 0, and not
    in the frozen control."""
    from neurodev.experiments.machinery.runner import run_experiment
    from neurodev.experiments.machinery.store import ResultStore

    config = from_dict({"rules": {"feedforward": [rule, "channel_normalisation"]},
                        "schedule": {"vision_epochs": 0}}, TINY)
    run_dir = run_experiment(HEADLINE.name, config, tmp_path, build_root=build_root,
                             log=lambda message: None)
    circuits = ResultStore(tmp_path).load(run_dir, arrays=False).metrics["circuits"]
    assert circuits["random"]["weight_change"][0] == 0
    assert circuits["random"]["weight_change"][-1] > 0.001
    assert set(circuits["frozen_random"]["weight_change"]) == {0.0}


def one_synapse_weight(rule, pre_ms, post_ms, duration_ms, w=1.0, w_max=10.0):
    """The weight of one synapse under `rule` alone (numpy target) after `duration_ms` of
    development, its presynaptic cell spiking at `pre_ms` and its postsynaptic one at
    `post_ms` (each rounded to a time step)."""
    b2.prefs.codegen.target = "numpy"
    dt_ms = float(b2.defaultclock.dt / b2.ms)

    def train(times_ms):
        values = np.zeros(round(duration_ms / dt_ms) + 1)
        values[np.round(np.asarray(times_ms) / dt_ms).astype(int)] = 1
        return b2.TimedArray(values, dt=b2.defaultclock.dt)

    namespace = models.merged_namespace(rule.namespace(), EULER_JUMPS, {
        "w_max": w_max, "pre_train": train(pre_ms), "post_train": train(post_ms)})
    inputs = b2.NeuronGroup(1, rule.source_model(()), threshold="pre_train(t) > 0.5",
                            reset=rule.source_reset(), namespace=namespace, name="inputs")
    cells = b2.NeuronGroup(1, rule.target_model(()) + "ge : 1\ndeveloping : 1 (shared)\n"
                           "learns : 1\n", threshold="post_train(t) > 0.5",
                           reset=rule.target_reset(), namespace=namespace, name="cortex")
    cells.developing, cells.learns = 1.0, 1.0
    ff = MergedProjection(np.array([0]), np.array([0]), np.array([w]), np.zeros(1, bool),
                          np.ones(1, bool), np.zeros(1, bool))
    synapses, _ = plastic_feedforward(inputs, cells, ff, np.zeros(1, int), [rule], namespace)
    b2.Network(inputs, cells, synapses).run(duration_ms * b2.ms, namespace={})
    return float(synapses.w[0])


def test_the_triplet_rule_changes_a_weight_by_its_closed_form():
    """One synapse, spikes at chosen times — pre at 10 ms, post at 20 and 30 ms, pre at 50 ms:
    the weight changes by Pfister & Gerstner's all-to-all rule exactly (to rounding): the
    first post spike potentiates by r1 A2+, the second by r1 (A2+ + A3+ o2) with o2 left by
    the first, the last pre spike depresses by o1 (A2− + A3− r2)."""
    p = TripletParams(a2_plus=0.01)  # a visible pair term (the default is ~0)
    weight = one_synapse_weight(RULES["triplet_stdp"](p), [10, 50], [20, 30], 60)

    s = p.weight_scale
    first = s * np.exp(-10 / p.tau_plus_ms) * p.a2_plus
    second = s * np.exp(-20 / p.tau_plus_ms) * (p.a2_plus + p.a3_plus * np.exp(-10 / p.tau_y_ms))
    o1 = np.exp(-30 / p.tau_minus_ms) + np.exp(-20 / p.tau_minus_ms)
    third = -s * o1 * (p.a2_minus + p.a3_minus * np.exp(-40 / p.tau_x_ms))
    np.testing.assert_allclose(weight, 1.0 + first + second + third, rtol=1e-9)


def test_the_burst_timing_rule_changes_a_weight_by_its_closed_form_whichever_spike_leads():
    """Pre at 100 ms, post at 600 ms, pre at 2600 ms: each later spike changes the weight by
    w_max K(Δ) at its distance Δ from each earlier spike of the other cell; swapping the
    cells' roles gives the same weight (order-blind), to rounding."""
    p = BurstTimingParams()
    rule, w_max = RULES["burst_timing"](p), 10.0
    a_minus = p.depression_balance * p.a_potentiation * p.tau_potentiation_ms / p.tau_depression_ms
    window = [p.a_potentiation * np.exp(-delta / p.tau_potentiation_ms)
              - a_minus * np.exp(-delta / p.tau_depression_ms) for delta in (500, 2000)]
    forward = one_synapse_weight(rule, [100, 2600], [600], 2700, w_max=w_max)
    backward = one_synapse_weight(rule, [600], [100, 2600], 2700, w_max=w_max)
    np.testing.assert_allclose([forward, backward], 1.0 + w_max * sum(window), rtol=1e-9)


def test_coincident_bursts_potentiate_and_bursts_seconds_apart_depress_mildly():
    """Butts et al. 2007's finding, at the defaults: a pair of 1.5 s bursts at 20 Hz that
    coincide strengthens a synapse; the same bursts 3 s apart (not overlapping) weaken it, by
    less than coincidence strengthens it; bursts 20 s apart leave it (within 1 % of the
    coincident change: the window has decayed)."""
    rule = RULES["burst_timing"](BurstTimingParams())
    burst = np.arange(0, 1500, 50.0) + 100

    def change(offset_ms):
        return one_synapse_weight(rule, burst, burst + offset_ms, offset_ms + 1700) - 1.0

    coincident, apart, far = change(25.0), change(3000.0), change(20_000.0)
    assert coincident > 0 > apart and abs(apart) < coincident
    assert abs(far) < 0.01 * coincident


def test_cortical_projections_learn_by_their_own_rules_in_every_circuit_but_the_frozen(
        tmp_path, build_root):
    """L4 → L2/3 under triplet STDP with normalisation and L2/3 E → E under burst-timing
    plasticity, whose cells are both ends (compiled, through the pipeline): their weights are
    recorded at every checkpoint, change during development and not before it, stay in
    [0, w_max], keep each L2/3 cell's total from L4 (normalisation: within 2 %, its shift
    runs every 100 ms while STDP acts between), and do not change in the frozen control."""
    from neurodev.experiments.machinery.runner import run_experiment
    from neurodev.experiments.machinery.store import ResultStore

    config = from_dict({"rules": {"l4_l23": ["triplet_stdp", "channel_normalisation"],
                                  "l23_l23": ["burst_timing"]},
                        "schedule": {"vision_epochs": 0}}, TINY)
    run_dir = run_experiment(HEADLINE.name, config, tmp_path, build_root=build_root,
                             log=lambda message: None)
    run = ResultStore(tmp_path).load(run_dir)
    circuits = pipeline.build_circuits(config, HEADLINE.wirings(config))
    for spec in circuits:
        for name in ("exc_exc23", "exc23_exc23"):
            projection = spec.projections[name]
            weights = run.arrays[f"{spec.label}.{name}_weights"]
            assert weights.shape == (len(run.metrics["development"]["phase"]),
                                     projection.n_synapses)
            np.testing.assert_allclose(weights[0], projection.weight, rtol=1e-6)
            changed = np.abs(weights[-1] - weights[0]).max()
            assert (changed == 0) if spec.label == "frozen_random" else (changed > 0), name
            assert weights.min() >= 0 and weights.max() <= projection.weight_bound
        l4 = spec.projections["exc_exc23"]
        totals = [np.bincount(l4.post, weights=w, minlength=spec.n_exc23)
                  for w in run.arrays[f"{spec.label}.exc_exc23_weights"][[0, -1]]]
        np.testing.assert_allclose(totals[1], totals[0], rtol=0.02)
