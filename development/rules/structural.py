"""Structural plasticity: elimination and formation of feed-forward synapses from a pool of
potential ones (`neurodev.development.params.StructuralParams` gives the rule in words).

It acts where the synapse's ``structural`` flag is 1 (the rewired circuits of a run) and
provides ``alive``: 1 for a live synapse, 0 for a dead candidate (whose weight is 0).
"""

from __future__ import annotations

from collections.abc import Sequence

from neurodev.development.rules.base import Periodic, Rule, Statements, register

#: Firing-rate estimate (Hz) of a cell from an exponential spike trace kept lazily: it is
#: updated at spikes only and decayed to the present where it is read.
_RATE_NOW = "activity_{0} * exp(-(t - activity_time_{0}) / tau_activity)"
#: How the formation probability of a dead candidate depends on activity, by formation rule.
FORMATION_FACTORS = {
    "constant": "1",
    "activity": f"{_RATE_NOW.format('pre')} * {_RATE_NOW.format('post')} / activity_reference**2",
}
_ACTIVITY_TRACE = "activity : Hz\nactivity_time : second\n"
_COUNT_SPIKE = ("activity = activity * exp(-(t - activity_time) / tau_activity) + 1 / tau_activity\n"
                "activity_time = t\n")
#: One uniform number per synapse and structural step, drawn in a statement of its own: the
#: step writes to postsynaptic counts, and Brian2 rightly cannot prove that a step calling
#: ``rand()`` there does not depend on the order of synapses (it warns).
DRAW = "draw = rand()"
#: One structural step: elimination and formation are decided on the state before the step,
#: so a synapse cannot be eliminated and re-formed at once (one draw serves both: a synapse
#: is either alive or not). ``age`` counts development only, from 0 at formation.
_DECIDE = """
changing = structural * developing_post
stable = exp(-age / maturation_time)
eliminating = changing * alive * int(w < elimination_threshold) * int(draw < elimination_probability * stable)
forming = changing * (1 - alive) * int(draw < formation_probability * FORMATION_FACTOR)
age = (age + changing * structural_interval) * (1 - forming)
w_new = w * (1 - eliminating) + forming * formation_weight
"""


@register
class Structural(Rule):
    name = "structural"
    section = "structural"
    provides = frozenset({"alive"})

    def source_model(self, channels) -> str:
        return _ACTIVITY_TRACE

    def source_reset(self) -> str:
        return _COUNT_SPIKE

    def target_model(self, channels) -> str:
        return "formed : 1\neliminated : 1\n" + _ACTIVITY_TRACE

    def target_reset(self) -> str:
        return _COUNT_SPIKE

    def synapse_model(self, channels: Sequence[str]) -> str:
        return "alive : 1\nstructural : 1 (constant)\ndraw : 1\nage : second\n"

    def step(self, statements: Statements) -> str:
        """The statements of one structural step, run by every synapse after `DRAW`."""
        decide = _DECIDE.replace("FORMATION_FACTOR", FORMATION_FACTORS[self.params.formation_rule])
        return (decide + statements.set_weight() + "alive += forming - eliminating\n"
                + statements.alive_changed("(forming - eliminating)")
                + "formed_post += forming\neliminated_post += eliminating\n")

    def periodic(self, statements: Statements) -> list[Periodic]:
        interval = self.params.interval_ms
        return [Periodic("synapses", DRAW, interval, 2, "structural_draw", "structural_clock"),
                Periodic("synapses", self.step(statements), interval, 3, "restructure",
                         "structural_clock")]

    def initialise(self, synapses, cells, projection, synapse_channel, channels):
        synapses.alive = projection.alive.astype(float)
        synapses.structural = projection.structural.astype(float)
