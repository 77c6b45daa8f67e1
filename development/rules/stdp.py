"""Spike-timing-dependent plasticity of feed-forward synapses.

`PairSTDP`: soft bounds, one trace per neuron (all-to-all pairing); depression at presynaptic
spikes scales with ``w``, so a dead synapse (w = 0) stays at 0, and potentiation at
postsynaptic spikes is gated by ``alive``. `TripletSTDP`: Pfister & Gerstner's triplet rule
(`neurodev.development.params.TripletParams`), whose potentiation grows with the
postsynaptic rate, so it is Hebbian in rates as well as in timing."""

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


@register
class TripletSTDP(Rule):
    name = "triplet_stdp"
    section = "triplet"

    def source_model(self, channels) -> str:
        return ("dtriplet_r1/dt = -triplet_r1/tau_plus : 1\n"
                "dtriplet_r2/dt = -triplet_r2/tau_x : 1\n")

    def source_reset(self) -> str:
        return "triplet_r1 += 1\ntriplet_r2 += 1\n"

    def target_model(self, channels) -> str:
        return ("dtriplet_o1/dt = -triplet_o1/tau_minus : 1\n"
                "dtriplet_o2/dt = -triplet_o2/tau_y : 1\n")

    def target_reset(self) -> str:
        return "triplet_o1 += 1\ntriplet_o2 += 1\n"

    # Synapses act before the spiking cell's reset, so r2 and o2 are read before this
    # spike's own increment, as the rule has them (ε before the spike).
    def on_pre(self, statements: Statements) -> str:
        return ("w_new = clip(w - developing_post * learns_post * weight_scale * triplet_o1_post"
                " * (a2_minus + a3_minus * triplet_r2_pre), 0, w_max)\n"
                + statements.set_weight())

    def on_post(self, statements: Statements) -> str:
        return ("w_new = clip(w + alive * developing_post * learns_post * weight_scale"
                " * triplet_r1_pre * (a2_plus + a3_plus * triplet_o2_post), 0, w_max)\n"
                + statements.set_weight())
