"""How an experiment's circuits are wired and labelled. Pure, so that figures can read the
labels of stored runs without the engine."""

from __future__ import annotations

from typing import NamedTuple

#: The label suffix of a circuit whose feed-forward synapses turn over.
REWIRED = "_rewired"


class Wiring(NamedTuple):
    """How one circuit is wired: L4 feed-forward prior strength, L4 → L2/3 like-to-like
    specificity, whether structural plasticity rewires its feed-forward synapses, and whether
    each L4 cell's feed-forward weights are shuffled among its synapses (the shuffled-prior
    control)."""

    ff_prior: float
    l23_prior: float
    rewired: bool
    shuffled: bool = False
