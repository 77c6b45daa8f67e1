"""Pair STDP with soft bounds: one trace per neuron (all-to-all pairing); depression at
presynaptic spikes scales with ``w``, so a dead synapse (w = 0) stays at 0, and potentiation at
postsynaptic spikes is gated by ``alive``."""

from __future__ import annotations

from neurodev.development.rules.base import Rule, Statements, register


@register
class PairSTDP(Rule):
    name = "pair_stdp"
    section = "plasticity"

    def source_model(self, channels) -> str:
        return "dapre/dt = -apre/tau_pre : 1\n"

    def source_reset(self) -> str:
        return "apre += 1\n"

    def target_model(self, channels) -> str:
        return "dapost/dt = -apost/tau_post : 1\n"

    def target_reset(self) -> str:
        return "apost += 1\n"

    def on_pre(self, statements: Statements) -> str:
        return ("w_new = clip(w - developing_post * learns_post * a_minus * w * apost_post, 0, w_max)\n"
                + statements.set_weight())

    def on_post(self, statements: Statements) -> str:
        return ("w_new = clip(w + alive * developing_post * learns_post * a_plus * (w_max - w)"
                " * apre_pre, 0, w_max)\n"
                + statements.set_weight())
