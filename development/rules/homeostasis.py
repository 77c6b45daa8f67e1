"""Homeostatic threshold of excitatory cells: each spike raises the threshold by
``threshold_step_mv`` and it decays so that a cell firing at ``target_rate_hz`` holds it
steady, never below ``threshold_floor_mv`` (inhibitory cells: ``excitatory`` = 0, no change)."""

from __future__ import annotations

from neurodev.development.rules.base import Rule, register


@register
class HomeostaticThreshold(Rule):
    name = "homeostatic_threshold"
    section = "neurons"

    def target_model(self, channels) -> str:
        return ("dtheta/dt = -developing * excitatory * threshold_step * target_rate"
                " * int(theta > threshold_floor) : volt\n")

    def target_reset(self) -> str:
        return "theta += developing * excitatory * threshold_step\n"

    def threshold_term(self) -> str:
        return " + theta"
