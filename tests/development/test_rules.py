"""Plasticity rules are plug-ins: a new rule is a class registered by name and chosen in the
config, and runs without any change to the engine."""

import brian2 as b2
import numpy as np
import pytest

from neurodev.development import models
from neurodev.development.engine import cortex_group, plastic_feedforward
from neurodev.development.integration import EULER_JUMPS
from neurodev.development.layout import MergedProjection
from neurodev.development.params import NeuronParams
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


@pytest.mark.parametrize(("rules", "message"), [
    (["pair_stdp", "nosuch"], "no rule named 'nosuch'"),
    (["structural"], "switched by structural.enabled"),
    (["pair_stdp", "pair_stdp"], "each rule once"),
])
def test_unknown_or_misplaced_rules_are_refused_naming_the_key(rules, message):
    with pytest.raises(ConfigError, match=message) as refused:
        HEADLINE.validate(from_dict({"rules": {"feedforward": rules}}, TINY))
    assert "rules.feedforward" in str(refused.value) and "\n" not in str(refused.value)


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
