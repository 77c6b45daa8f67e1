"""Burst-timing-dependent plasticity: the seconds-long, order-blind window that developing
retinogeniculate synapses show for bursts (Butts, Kanold & Shatz 2007), for learning from the
second-scale timing of retinal waves that a 20 ms STDP window cannot see
(`neurodev.development.params.BurstTimingParams` gives the window).

Two traces per cell, with the window's two time constants, serve both ends of a synapse: a
spike at either end changes the weight by the other end's traces, so the window is symmetric
and all-to-all. A cell that is both presynaptic and postsynaptic (L2/3 E → E) keeps one pair.
"""

from __future__ import annotations

from neurodev.development.rules.base import Rule, Statements, register

TRACES = ("dburst_fast/dt = -burst_fast/tau_potentiation : 1\n"
          "dburst_slow/dt = -burst_slow/tau_depression : 1\n")
#: A− of the window, from its balance with A+ τ+.
A_DEPRESSION = "depression_balance * a_potentiation * tau_potentiation / tau_depression"


def _weight_change(other_end: str) -> str:
    return ("w_new = clip(w + developing_post * learns_post * w_max"
            f" * (alive * a_potentiation * burst_fast_{other_end}"
            f" - {A_DEPRESSION} * burst_slow_{other_end}), 0, w_max)\n")


@register
class BurstTimingDependent(Rule):
    name = "burst_timing"
    section = "burst_timing"

    def source_model(self, channels) -> str:
        return TRACES

    def target_model(self, channels) -> str:
        return TRACES

    def source_reset(self) -> str:
        return "burst_fast += 1\nburst_slow += 1\n"

    target_reset = source_reset

    # Synapses act before the cells' resets, so the other end's traces hold its spikes before
    # this step: a pair of spikes in the same step is not counted (a 0.5 ms error on a window
    # of seconds).
    def on_pre(self, statements: Statements) -> str:
        return _weight_change("post") + statements.set_weight()

    def on_post(self, statements: Statements) -> str:
        return _weight_change("pre") + statements.set_weight()
