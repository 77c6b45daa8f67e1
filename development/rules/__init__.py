"""Plasticity rules as plug-ins: each a `Rule` registered by name, chosen per projection in the
config (``[rules]``), and composed by the engine into one Brian2 model.

A rule contributes Brian2 code fragments to the groups and synapses of the projection it acts
on, and its own namespace; it never edits the engine. See `Rule` for the contract, and
`stdp`, `burst_timing`, `normalisation`, `homeostasis` and `structural` for the rules
neurodev ships.
"""

from __future__ import annotations

# The rules neurodev ships register themselves when imported.
from neurodev.development.rules import (  # noqa: F401
    burst_timing,
    homeostasis,
    normalisation,
    stdp,
    structural,
)
from neurodev.development.rules.base import RULES, Periodic, Rule, Statements, register

__all__ = ["RULES", "Periodic", "Rule", "Statements", "register"]
